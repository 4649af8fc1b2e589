"""Schemathesis against the translation endpoints on a populated scene: the generated requests reach real
translations, issues, languages and glossary terms (not only 404s), and every answer must be in the schema, never a
server error."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import signals
from django.db import close_old_connections

from tests.api.conftest import API, bearer
from tests.api.test_translations_scene import TranslationScene, build_translation_scene
from tests.conftest import World
from tests.helpers import need
from tests.translations.conftest import LibreTranslateServer

TRANSLATIONS = ("/translations", "/queues", "/translators", "/glossary")


@pytest.fixture
def tscene(world: World) -> TranslationScene:
    return build_translation_scene(world)


@pytest.fixture
def machine_translation(settings: Any) -> Iterator[LibreTranslateServer]:
    """Machine translation on, against a local server speaking LibreTranslate's protocol, so that asking for a
    machine draft goes all the way (with it off, the answer would always be the same 503)."""
    server = LibreTranslateServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MT_PROVIDER, settings.MT_URL = "libretranslate", server.url("ok")
    yield server
    server.shutdown()
    server.server_close()


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


def fuzz(operation: Any, headers: dict[str, str], translation_ids: list[int], term_ids: list[int]) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    @given(
        case=operation.as_strategy(),
        translation_id=st.sampled_from(translation_ids),
        term_id=st.sampled_from(term_ids),
        language=st.sampled_from(["fr", "de", "ru", "ar", "pt-br"]),
        slug=st.sampled_from(["bulletin", "internal"]),
        number=st.sampled_from([1, 2]),
    )
    @settings(max_examples=6, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def check(case: Any, translation_id: int, term_id: int, language: str, slug: str, number: int) -> None:
        # Real objects in the path, so that the generated queries and bodies reach the services.
        known = {
            "translation_id": translation_id,
            "term_id": term_id,
            "language": language,
            "slug": slug,
            "number": number,
            "key": "general-strike",
        }
        case.path_parameters = {name: known.get(name, value) for name, value in (case.path_parameters or {}).items()}
        # A well-formed request may still be refused with a reason (400, 403, 409): that is not a failure here.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    check()


@pytest.mark.parametrize("role", ["anonymous", "corr_b", "translator", "editor"])
def test_schemathesis_finds_no_error_on_real_translations(
    tscene: TranslationScene,
    tokens: dict[str, str],
    machine_translation: LibreTranslateServer,
    wsgi_app: Any,
    role: str,
) -> None:
    need(importlib.util.find_spec("schemathesis") is not None, "schemathesis is not installed")
    import schemathesis

    headers = bearer(tokens[role]) if role != "anonymous" else {}
    loaded = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", wsgi_app)
    translation_ids = sorted(t.pk for t in tscene.translations.values())
    term_ids = sorted(term.pk for term in tscene.terms.values())
    for result in loaded.get_all_operations():
        operation = result.ok()
        path = operation.path.removeprefix(API)
        if path.startswith(TRANSLATIONS) or path.endswith(("/editions", "/editions/{language}")):
            fuzz(operation, headers, translation_ids, term_ids)
