"""What every write endpoint shares: the shape of errors, invalid input, and nothing saved on refusal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from liaison.api.api import api
from liaison.errors import Conflict, LiaisonError
from liaison.federation.models import Person, Region, Section
from tests.api.conftest import API, post_json
from tests.conftest import World


def test_a_service_refusal_answers_detail_and_field(api_as: Callable[[str], Client], world: World) -> None:
    response = post_json(api_as("editor"), "/regions", {"name": "x" * 101})
    assert response.status_code == 400
    assert response.json() == {"detail": "At most 100 characters.", "field": "name"}


def test_missing_or_mistyped_fields_answer_422_with_ninjas_detail(
    api_as: Callable[[str], Client], world: World
) -> None:
    editor = api_as("editor")
    missing = post_json(editor, "/sections", {"name": "Gamma"})
    assert missing.status_code == 422
    locations = {tuple(problem["loc"]) for problem in missing.json()["detail"]}
    assert ("body", "payload", "country") in locations
    assert (
        post_json(
            editor, "/sections", {"name": "Gamma", "country": "DE", "region": "europe", "languages": "de"}
        ).status_code
        == 422
    )
    assert Section.objects.count() == 2


def test_unparsable_json_is_refused(api_as: Callable[[str], Client], world: World) -> None:
    response = api_as("editor").post(f"{API}/regions", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]
    assert Region.objects.count() == 2


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/regions", {"name": "As\x00ia"}),
        ("/people", {"pseudonym": "Nul", "notes": "a\x00b"}),
        ("/sections", {"name": "G", "country": "DE", "region": "eu\x00rope", "languages": ["de"]}),
    ],
)
def test_nul_characters_are_refused_before_the_database(
    api_as: Callable[[str], Client], world: World, path: str, payload: dict[str, object]
) -> None:
    # PostgreSQL cannot store NUL in text: refusing it up front gives a 422, not a server error.
    before = Region.objects.count() + Person.objects.count() + Section.objects.count()
    assert post_json(api_as("editor"), path, payload).status_code == 422
    assert Region.objects.count() + Person.objects.count() + Section.objects.count() == before


def test_a_nul_in_a_path_or_filter_is_refused(api_as: Callable[[str], Client], world: World) -> None:
    client = api_as("anonymous")
    assert client.get(f"{API}/sections/al%00pha").status_code == 404
    assert client.get(f"{API}/sections/al%00pha/lineage").status_code == 404
    assert client.get(f"{API}/sections", {"region": "eu\x00rope"}).status_code == 422


def test_authentication_comes_before_validation(api_as: Callable[[str], Client], world: World) -> None:
    assert post_json(api_as("anonymous"), "/sections", {"nonsense": True}).status_code == 401


def test_permission_comes_before_lookups(api_as: Callable[[str], Client], world: World) -> None:
    response = post_json(api_as("corr_a"), "/sections/nowhere/events", {"kind": "adhered", "date": "2010-01-01"})
    assert response.status_code == 403


def test_an_over_long_text_is_refused(api_as: Callable[[str], Client], world: World) -> None:
    response = post_json(api_as("editor"), "/people", {"pseudonym": "Long", "notes": "x" * 10_001})
    assert response.status_code == 422
    assert not Person.objects.filter(pseudonym="Long").exists()


@pytest.mark.parametrize(
    ("error", "status"),
    [(LiaisonError("bad", field="x"), 400), (Conflict("taken"), 409), (PermissionDenied("no"), 403)],
)
def test_the_exception_handlers_answer_json(error: Exception, status: int) -> None:
    response = api.on_exception(RequestFactory().get("/api/v1/regions"), error)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert str(error) in response.content.decode()
