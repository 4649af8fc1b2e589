"""Who may read each conference page, for every role of ``world`` and a signed-in account with no role in the
federation ("outsider").

A public conference is read by everyone; any other by the federation's members. Refused, an anonymous visitor is
sent to log in and anyone else gets 403 with the reason, as on the bulletin's pages. The overdue list is the
secretariat's alone. An unknown conference is 404 for everyone; the pages are only read (a POST is 405).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from liaison.accounts.models import User
from liaison.conference import services
from liaison.conference.models import Conference
from tests.conftest import ROLES

EVERYONE = frozenset({*ROLES, "outsider"})
MEMBERS = frozenset(ROLES) - {"anonymous"}
EDITOR = frozenset({"editor"})
READING = ("", "positions/", "positions.csv", "calendar.ics")


@pytest.fixture
def client_for(world: Any, client_as: Any) -> Any:
    def make(role: str) -> Client:
        if role != "outsider":
            return client_as(role)
        client = Client()
        client.force_login(User.objects.create_user(username="outsider", password="correct horse battery"))
        return client

    return make


@pytest.fixture
def internal(world: Any, bulletin: Any) -> Conference:
    return services.create_conference(world.actor("editor"), title="Internal preparation", bulletin=bulletin)


def expect(response: Any, allowed: bool, role: str) -> None:
    if allowed:
        assert response.status_code == 200, (role, response.status_code)
    elif role == "anonymous":
        assert response.status_code == 302, (role, response.status_code)
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == 403, (role, response.status_code)


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_the_list_is_open_to_everyone(world: Any, client_for: Any, role: str) -> None:
    assert client_for(role).get("/conferences/").status_code == 200


@pytest.mark.parametrize("role", sorted(EVERYONE))
@pytest.mark.parametrize("page", READING)
def test_a_public_conference_is_read_by_everyone(
    world: Any, conference: Conference, questions: Any, waves: Any, client_for: Any, role: str, page: str
) -> None:
    expect(client_for(role).get(f"/conferences/{conference.pk}/{page}"), True, role)


@pytest.mark.parametrize("role", sorted(EVERYONE))
@pytest.mark.parametrize("page", READING)
def test_any_other_by_members_only(world: Any, internal: Conference, client_for: Any, role: str, page: str) -> None:
    response = client_for(role).get(f"/conferences/{internal.pk}/{page}")
    expect(response, role in MEMBERS, role)
    if role == "outsider":
        assert "for the federation&#x27;s members" in response.content.decode()


@pytest.mark.parametrize("role", sorted(EVERYONE))
@pytest.mark.parametrize("public", [True, False])
def test_the_overdue_list_is_the_secretariats(
    world: Any, conference: Conference, internal: Conference, client_for: Any, role: str, public: bool
) -> None:
    target = conference if public else internal
    response = client_for(role).get(f"/conferences/{target.pk}/overdue/")
    expect(response, role in EDITOR, role)
    if role == "corr_a":
        assert "Only the secretariat follows who is overdue." in response.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "member", "editor"])
@pytest.mark.parametrize("page", [*READING, "overdue/"])
def test_an_unknown_conference_is_not_found(world: Any, client_for: Any, role: str, page: str) -> None:
    assert client_for(role).get(f"/conferences/999999/{page}").status_code == 404


@pytest.mark.parametrize("page", [*READING, "overdue/"])
def test_the_pages_are_only_read(world: Any, conference: Conference, client_for: Any, page: str) -> None:
    assert client_for("editor").post(f"/conferences/{conference.pk}/{page}").status_code == 405
    assert client_for("editor").post("/conferences/").status_code == 405
