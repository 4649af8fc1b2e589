"""Who may call what: every endpoint of the API against every role, by token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.api.api import api
from liaison.federation.models import Person, Region, Section, SectionEvent
from tests.api.conftest import API, API_ROLES, post_json
from tests.api.test_conference_permissions import OPERATIONS as CONFERENCE_OPERATIONS
from tests.api.test_editorial_permissions import MATRIX as EDITORIAL_MATRIX
from tests.api.test_translations_permissions import MATRIX as TRANSLATIONS_MATRIX
from tests.conftest import World
from tests.distribution.test_api_matrix import MATRIX as DISTRIBUTION_MATRIX

PUBLIC = dict.fromkeys(API_ROLES, 200)
MEMBERS = {**dict.fromkeys(API_ROLES, 200), "anonymous": 401, "norole": 403}
ACCOUNTS = {**dict.fromkeys(API_ROLES, 200), "anonymous": 401}
SECRETARIAT = {**dict.fromkeys(API_ROLES, 403), "anonymous": 401, "editor": 201}

# (method, path as in the schema, path as called, body, expected status by role)
MATRIX: list[tuple[str, str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("get", "/federation", "/federation", None, PUBLIC),
    ("get", "/regions", "/regions", None, PUBLIC),
    ("get", "/sections", "/sections", None, PUBLIC),
    ("get", "/sections/{slug}", "/sections/alpha", None, PUBLIC),
    ("get", "/sections/{slug}/lineage", "/sections/alpha/lineage", None, PUBLIC),
    ("get", "/people", "/people", None, MEMBERS),
    ("get", "/people/{person_id}", "/people/{offline}", None, MEMBERS),
    ("get", "/me", "/me", None, ACCOUNTS),
    ("post", "/regions", "/regions", {"name": "Asia"}, SECRETARIAT),
    (
        "post",
        "/sections",
        "/sections",
        {"name": "Gamma", "country": "DE", "region": "europe", "languages": ["de"]},
        SECRETARIAT,
    ),
    (
        "post",
        "/sections/{slug}/events",
        "/sections/beta/events",
        {"kind": "suspended", "date": "2020-01-01"},
        SECRETARIAT,
    ),
    ("post", "/people", "/people", {"pseudonym": "Newcomer", "real_name": "Nina"}, SECRETARIAT),
]


def rows() -> int:
    return Region.objects.count() + Section.objects.count() + SectionEvent.objects.count() + Person.objects.count()


@pytest.mark.parametrize("role", API_ROLES)
@pytest.mark.parametrize(("method", "template", "path", "body", "expected"), MATRIX, ids=lambda v: str(v)[:40])
def test_permission_matrix(
    api_as: Callable[[str], Client],
    world: World,
    role: str,
    method: str,
    template: str,
    path: str,
    body: dict[str, Any] | None,
    expected: dict[str, int],
) -> None:
    client = api_as(role)
    path = path.format(offline=world.people["offline"].pk)
    before = rows()
    response = client.get(f"{API}{path}") if method == "get" else post_json(client, path, body or {})
    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert response.json()["detail"]
        assert rows() == before
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Bearer"


def test_the_matrix_covers_every_endpoint() -> None:
    schema = api.get_openapi_schema()
    operations = {(method, path.removeprefix(API)) for path, item in schema["paths"].items() for method in item}
    assert (
        operations
        == {
            (method, template)
            for method, template, *_rest in MATRIX + EDITORIAL_MATRIX + TRANSLATIONS_MATRIX + DISTRIBUTION_MATRIX
        }
        | CONFERENCE_OPERATIONS
    )


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_a"])
def test_a_refused_write_reveals_nothing_about_its_input(
    api_as: Callable[[str], Client], world: World, role: str
) -> None:
    # Checked before any lookup: an unknown region answers the same refusal as a known one.
    response = post_json(
        api_as(role), "/sections", {"name": "Gamma", "country": "DE", "region": "atlantis", "languages": ["de"]}
    )
    assert response.status_code in (401, 403)
    assert "atlantis" not in response.content.decode()
