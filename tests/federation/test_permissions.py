"""Who may use each registry page, for every role of ``world``: GET and POST.

Allowed: a GET answers 200 and a valid POST saves and redirects (302). Refused: an anonymous visitor is sent to log
in, anyone else gets 403, and nothing changes. Read-only pages answer a POST with 405.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROLES
from tests.federation.conftest import registry_pages, registry_state

PAGE_NAMES = [
    "overview",
    "section",
    "region_add",
    "section_add",
    "section_edit",
    "event_add",
    "section_periodical_add_alpha",
    "section_periodical_add_beta",
    "periodical_add",
    "delegations",
    "delegations_lookup",
    "people",
    "people_filtered",
    "person",
    "person_add",
    "person_edit",
    "person_edit_own",
    "role_add",
    "role_end",
    "invite",
]


def _page(world, name):
    return next(page for page in registry_pages(world) if page.name == name)


def test_the_matrix_covers_every_page(world):
    assert [page.name for page in registry_pages(world)] == PAGE_NAMES


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_get(world, client_as, name, role):
    page = _page(world, name)
    response = client_as(role).get(page.url)
    if role in page.may_get:
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_post(world, client_as, invitation_templates, name, role):
    page = _page(world, name)
    before = registry_state()
    response = client_as(role).post(page.url, page.post or {})
    if page.post is None:
        assert response.status_code == 405
    elif role in page.may_post:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not response["Location"].startswith("/accounts/login/")
        assert registry_state() != before
        return
    elif role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == 403
    assert registry_state() == before


def test_an_account_without_a_role_is_refused_everywhere_but_public_pages(world, client):
    from liaison.accounts.models import User

    client.force_login(User.objects.create_user(username="stranger", password="x" * 12))
    for page in registry_pages(world):
        expected = 200 if page.name in ("overview", "section") else 403
        assert client.get(page.url).status_code == expected, page.name


def test_an_ended_role_loses_its_powers(world, client_as):
    from liaison.federation.models import Role

    Role.objects.filter(person=world.people["corr_a"]).update(until="2021-01-01")
    client = client_as("corr_a")
    assert client.get(f"/people/{world.people['offline'].pk}/edit/").status_code == 403
    assert client.get("/sections/alpha/periodicals/add/").status_code == 403
    assert client.get("/people/").status_code == 403


def test_the_secretariat_without_its_second_factor_is_sent_to_give_it(world, client):
    client.force_login(world.users["editor"])
    response = client.get("/regions/add/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")
