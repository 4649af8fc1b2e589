"""The writing pages' links on the reading pages: the conference page leads a section's people to their positions
and the secretariat to the preparation; the list of conferences to a new one; each cell of the matrix leads its
section's correspondents to state or revise, and others to the position's history (where they endorse)."""

from __future__ import annotations

from typing import Any

from tests.conference.conftest import StatePosition, publish


def test_the_conference_page_links_to_the_writing_pages(client_as: Any, conference: Any, waves: Any) -> None:
    detail = f"/conferences/{conference.pk}/"
    mine, manage = f"/conferences/{conference.pk}/my-positions/", f"/conferences/{conference.pk}/manage/"
    for role in ("corr_a", "member", "corr_b"):
        html = client_as(role).get(detail).content.decode()
        assert f'href="{mine}"' in html and f'href="{manage}"' not in html, role
    html = client_as("editor").get(detail).content.decode()
    assert f'href="{manage}"' in html and f'href="{mine}"' not in html
    html = client_as("anonymous").get(detail).content.decode()
    assert f'href="{manage}"' not in html and f'href="{mine}"' not in html


def test_the_list_offers_the_secretariat_a_new_conference(client_as: Any, conference: Any) -> None:
    assert 'href="/conferences/new/"' in client_as("editor").get("/conferences/").content.decode()
    for role in ("anonymous", "member", "corr_a"):
        assert 'href="/conferences/new/"' not in client_as(role).get("/conferences/").content.decode()


def test_matrix_cells_lead_to_the_position(world: Any, client_as: Any, conference: Any, state: StatePosition) -> None:
    publish(world, state())
    matrix = f"/conferences/{conference.pk}/positions/"
    alpha1 = f'href="/conferences/{conference.pk}/sections/alpha/questions/1/"'
    alpha2 = f'href="/conferences/{conference.pk}/sections/alpha/questions/2/"'
    beta1 = f'href="/conferences/{conference.pk}/sections/beta/questions/1/"'
    html = client_as("corr_a").get(matrix).content.decode()
    assert alpha1 in html and alpha2 in html and beta1 not in html
    assert "Revise" in html and "State<" in html
    html = client_as("corr_b").get(matrix).content.decode()
    assert alpha1 in html and "History, endorse" in html and alpha2 not in html
    assert f'href="/conferences/{conference.pk}/sections/beta/questions/2/"' in html
    html = client_as("member").get(matrix).content.decode()
    assert alpha1 in html and "History, endorse" not in html
