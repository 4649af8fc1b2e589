"""Schemathesis against the conference endpoints on a populated scene: the generated requests reach real
conferences, sections, questions and endorsements (not only 404s), and every answer must be in the schema, never a
server error."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import signals
from django.db import close_old_connections

from tests.api.conftest import API, bearer
from tests.api.test_conference_scene import Scene, build_scene
from tests.conftest import World
from tests.helpers import need


@pytest.fixture
def scene(world: World) -> Scene:
    return build_scene(world)


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


def fuzz(operation: Any, headers: dict[str, str], scene: Scene) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    ids = scene.ids

    @given(
        case=operation.as_strategy(),
        conference_id=st.sampled_from([ids["public"], ids["internal"]]),
        section=st.sampled_from(["alpha", "beta", "атлантида"]),
        number=st.sampled_from([1, 2, 3]),
        endorsement_id=st.sampled_from([ids["endorsement"]]),
    )
    @settings(max_examples=6, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def check(case: Any, conference_id: int, section: str, number: int, endorsement_id: int) -> None:
        known = {
            "conference_id": conference_id,
            "section": section,
            "number": number,
            "endorsement_id": endorsement_id,
        }
        case.path_parameters = {name: known.get(name, value) for name, value in (case.path_parameters or {}).items()}
        # A well-formed request may still be refused with a reason (400, 403, 404, 409): not a failure here.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    check()


@pytest.mark.parametrize("role", ["anonymous", "corr_b", "editor"])
def test_schemathesis_finds_no_error_on_a_real_conference(
    scene: Scene, tokens: dict[str, str], wsgi_app: Any, role: str
) -> None:
    need(importlib.util.find_spec("schemathesis") is not None, "schemathesis is not installed")
    import schemathesis

    headers = bearer(tokens[role]) if role != "anonymous" else {}
    loaded = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", wsgi_app)
    operations = [r.ok() for r in loaded.get_all_operations()]
    conference = [op for op in operations if op.path.removeprefix(API).startswith("/conferences")]
    assert len(conference) == 14
    for operation in conference:
        fuzz(operation, headers, scene)
