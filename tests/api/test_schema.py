"""The OpenAPI schema at /api/v1/openapi.json, and Schemathesis generating requests from it."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import Client

from liaison.api.api import api
from tests.api.conftest import API, bearer
from tests.conftest import World
from tests.helpers import need

PATHS = {
    "/federation": {"get"},
    "/regions": {"get", "post"},
    "/sections": {"get", "post"},
    "/sections/{slug}": {"get"},
    "/sections/{slug}/lineage": {"get"},
    "/sections/{slug}/events": {"post"},
    "/people": {"get", "post"},
    "/people/{person_id}": {"get"},
    "/me": {"get"},
    "/bulletins": {"get"},
    "/bulletins/{slug}/issues": {"get", "post"},
    "/bulletins/{slug}/issues/{number}": {"get"},
    "/bulletins/{slug}/issues/{number}/calls": {"post"},
    "/bulletins/{slug}/issues/{number}/proposal": {"get"},
    "/bulletins/{slug}/issues/{number}/assemble": {"post"},
    "/bulletins/{slug}/issues/{number}/items": {"post"},
    "/bulletins/{slug}/issues/{number}/items/{position}": {"delete"},
    "/bulletins/{slug}/issues/{number}/items/{position}/move": {"post"},
    "/contributions": {"get", "post"},
    "/contributions/{contribution_id}": {"get", "put"},
    "/contributions/{contribution_id}/transitions": {"post"},
    "/contributions/{contribution_id}/revisions": {"get"},
    "/translations": {"get"},
    "/translations/{translation_id}": {"get", "put"},
    "/translations/{translation_id}/transitions": {"post"},
    "/translations/{translation_id}/revisions": {"get"},
    "/translations/{translation_id}/claim": {"post"},
    "/translations/{translation_id}/release": {"post"},
    "/translations/{translation_id}/assign": {"post"},
    "/translations/{translation_id}/machine-draft": {"post"},
    "/queues/{language}": {"get"},
    "/translators": {"get"},
    "/bulletins/{slug}/issues/{number}/editions": {"get"},
    "/bulletins/{slug}/issues/{number}/editions/{language}": {"get"},
    "/glossary": {"get"},
    "/glossary/concepts/{key}": {"get"},
    "/glossary/terms": {"post"},
    "/glossary/terms/{term_id}": {"put", "delete"},
    "/distribution/subscribers": {"get", "post"},
    "/distribution/subscribers/{subscriber_id}": {"get", "patch"},
    "/distribution/subscriptions": {"get", "post"},
    "/distribution/subscribe": {"post"},
    "/distribution/subscriptions/{subscription_id}/end": {"post"},
    "/distribution/subscriptions/{subscription_id}/resume": {"post"},
    "/distribution/subscribers/{subscriber_id}/dispatches": {"get"},
    "/distribution/periodicals/{slug}/issues/{number}/dispatches": {"get"},
    "/distribution/subscribers/{subscriber_id}/receipts": {"get", "post"},
    "/distribution/subscribers/{subscriber_id}/gaps": {"get"},
    "/distribution/gaps": {"get"},
    "/distribution/claims": {"get", "post"},
    "/distribution/claims/{claim_id}/answer": {"post"},
    "/distribution/claims/{claim_id}/refuse": {"post"},
    "/conferences": {"get", "post"},
    "/conferences/{conference_id}": {"get"},
    "/conferences/{conference_id}/questions": {"get", "post"},
    "/conferences/{conference_id}/waves": {"get", "post"},
    "/conferences/{conference_id}/positions": {"get", "post"},
    "/conferences/{conference_id}/positions/{section}/{number}": {"get", "put"},
    "/conferences/{conference_id}/positions/{section}/{number}/endorsements": {"post"},
    "/conferences/{conference_id}/endorsements": {"get"},
    "/conferences/{conference_id}/endorsements/{endorsement_id}": {"delete"},
}


@pytest.fixture
def schema(client: Client, db: None) -> dict[str, Any]:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_it_is_openapi_3_and_lists_every_path(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Liaison API"
    paths = {path.removeprefix(API): set(item) for path, item in schema["paths"].items()}
    assert paths == PATHS


def test_every_operation_documents_its_answers(schema: dict[str, Any]) -> None:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert operation["summary"], (method, path)
            codes = set(operation["responses"])
            assert codes & {"200", "201", "202"}, (method, path)
            assert "401" in codes, (method, path)
            if method == "post":
                assert {"400", "403", "422"} <= codes, path


def test_it_describes_bearer_authentication(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"] == {"TokenAuth": {"type": "http", "scheme": "bearer"}}
    assert "Authorization: Bearer" in schema["info"]["description"]
    assert "session cookie" in schema["info"]["description"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            anonymous_allowed = {} in operation["security"]
            # Writes and /me need a token; every other read also answers anonymous requests.
            assert anonymous_allowed == (method == "get" and path != f"{API}/me"), (method, path)


def test_the_schema_is_the_apis_own(schema: dict[str, Any]) -> None:
    assert schema == json.loads(json.dumps(api.get_openapi_schema(path_prefix=API + "/")))


def test_the_docs_page_is_disabled(client: Client, db: None) -> None:
    # Its script comes from a CDN, which the Content Security Policy forbids (and nothing may load at run time).
    assert client.get(f"{API}/docs").status_code == 404


# Schemathesis ----------------------------------------------------------------------------------------------------


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """Django as a WSGI app inside the test's transaction: as Django's test client does, keep connections open."""
    from django.core.wsgi import get_wsgi_application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def fuzz(operation: Any, headers: dict[str, str]) -> None:
    """A handful of generated requests to one operation, each answer checked against the schema."""
    from hypothesis import HealthCheck, given, settings
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    # A well-formed body may still name an unknown country or a taken name: a 400 with a reason is right there.
    excluded = [positive_data_acceptance] if operation.method.upper() == "POST" else []

    @given(case=operation.as_strategy())
    @settings(max_examples=10, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    check()


@pytest.mark.parametrize("role", ["anonymous", "member", "editor"])
def test_schemathesis_finds_no_error(world: World, tokens: dict[str, str], wsgi_app: Any, role: str) -> None:
    need(importlib.util.find_spec("schemathesis") is not None, "schemathesis is not installed")
    import schemathesis

    headers = bearer(tokens[role]) if role != "anonymous" else {}
    loaded = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", wsgi_app)
    for result in loaded.get_all_operations():
        fuzz(result.ok(), headers)
