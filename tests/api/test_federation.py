"""GET /api/v1/federation."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.test import Client

from liaison.federation.models import EditorialDelegation, Federation
from tests.api.conftest import API
from tests.conftest import World


def test_it_describes_the_federation(api_as: Callable[[str], Client], world: World) -> None:
    response = api_as("anonymous").get(f"{API}/federation")
    assert response.status_code == 200
    assert response.json() == {
        "name": "Test Federation",
        "founded": "2000-01-01",
        "working_languages": ["en", "fr", "de", "ru", "es"],
        "description": "",
        "editorial_holder": None,
    }


def test_it_names_the_current_editorial_holder(api_as: Callable[[str], Client], world: World) -> None:
    EditorialDelegation.objects.create(
        section=world.section_a, start=datetime.date(2001, 1, 1), end=datetime.date(2002, 1, 1)
    )
    EditorialDelegation.objects.create(section=world.section_b, start=datetime.date(2002, 1, 2))
    holder = api_as("anonymous").get(f"{API}/federation").json()["editorial_holder"]
    assert holder == {"secretariat": False, "section": {"slug": "beta", "name": "Section Beta"}, "since": "2002-01-02"}


def test_the_secretariat_as_holder(api_as: Callable[[str], Client], world: World) -> None:
    EditorialDelegation.objects.create(section=None, start=datetime.date(2003, 1, 1))
    holder = api_as("anonymous").get(f"{API}/federation").json()["editorial_holder"]
    assert holder == {"secretariat": True, "section": None, "since": "2003-01-01"}


def test_it_answers_404_before_a_federation_exists(client: Client, db: None) -> None:
    assert not Federation.objects.exists()
    response = client.get(f"{API}/federation")
    assert response.status_code == 404
    assert response.json()["detail"] == "No federation is set up yet."
