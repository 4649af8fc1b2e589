"""A section's page: ``/sections/<slug>/``."""

from __future__ import annotations

import datetime

from liaison.federation.models import Person, Role, RoleKind
from tests.conftest import PROTECTED_STRINGS
from tests.federation.conftest import make_periodical, make_section

# The section, its lineage, its correspondents, its periodicals, and the federation for the navigation.
SECTION_QUERIES = 5


def test_it_shows_the_facts(world, client_as):
    response = client_as("anonymous").get("/sections/beta/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 dir="auto">Section Beta</h1>' in html
    assert 'class="badge adhering"' in html
    assert "Brazil" in html and "Americas" in html
    assert "Portuguese" in html and "Spanish" in html


def test_it_shows_the_periodicals(world, client_as):
    make_periodical("Alpha Paper", world.section_a, "fr")
    html = client_as("anonymous").get("/sections/alpha/").content.decode()
    assert "Alpha Paper" in html
    assert "French" in html


def test_it_says_what_to_do_without_periodicals(world, client_as):
    assert (
        "Its correspondents or the secretariat can add one"
        in client_as("member").get("/sections/alpha/").content.decode()
    )
    assert "/sections/alpha/periodicals/add/" in client_as("corr_a").get("/sections/alpha/").content.decode()


def test_it_shows_correspondents_by_pseudonym_only(world, client_as):
    for role in ("anonymous", "member", "corr_a", "editor"):
        html = client_as(role).get("/sections/alpha/").content.decode()
        assert "Alpha Corr" in html
        assert not [s for s in PROTECTED_STRINGS if s in html], role


def test_it_links_correspondents_for_members_only(world, client_as):
    link = f'href="/people/{world.people["corr_a"].pk}/"'
    assert link in client_as("member").get("/sections/alpha/").content.decode()
    assert link not in client_as("anonymous").get("/sections/alpha/").content.decode()


def test_it_leaves_out_a_correspondent_whose_role_ended(world, client_as):
    Role.objects.filter(person=world.people["corr_a"]).update(until=datetime.date(2021, 1, 1))
    assert "Alpha Corr" not in client_as("anonymous").get("/sections/alpha/").content.decode()


def test_it_answers_404_for_an_unknown_section(world, client_as):
    assert client_as("anonymous").get("/sections/nowhere/").status_code == 404


def test_it_serves_a_section_named_in_cyrillic(world, client_as):
    section = make_section("Русская секция", world.europe, slug="русская-секция", country="RU", languages=["ru"])
    response = client_as("anonymous").get(f"/sections/{section.slug}/")
    assert response.status_code == 200
    assert '<h1 dir="auto">Русская секция</h1>' in response.content.decode()


def test_its_query_count_is_pinned(world, client_as, django_assert_num_queries):
    for n in range(5):
        person = Person.objects.create(pseudonym=f"Corr {n}", real_name="Nobody Hidden")
        Role.objects.create(person=person, kind=RoleKind.CORRESPONDENT, section=world.section_a)
        make_periodical(f"Paper {n}", world.section_a)
    client = client_as("anonymous")
    with django_assert_num_queries(SECTION_QUERIES):
        response = client.get("/sections/alpha/")
    assert response.content.decode().count("Corr ") == 5
