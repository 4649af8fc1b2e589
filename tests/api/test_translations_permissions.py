"""Who may call what on the translation endpoints: every operation against every role, by token, on the scene.

The world's translator declared French and German. A translation the caller may not see answers 404, the same as one
that does not exist; one the caller may see but not act on answers 403; a write without a token 401. A refused call
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.translations.models import (
    GlossaryConcept,
    GlossaryTerm,
    Translation,
    TranslationEvent,
    TranslationRevision,
)
from tests.api.conftest import API, API_ROLES
from tests.api.test_translations_scene import TranslationScene, build_translation_scene
from tests.conftest import World

ALL = dict.fromkeys(API_ROLES, 200)
READERS = {**ALL, "anonymous": 404, "norole": 404}  # of an internal bulletin: members only
NOBODY = dict.fromkeys(API_ROLES, 404)
MEMBERS = {**ALL, "anonymous": 401, "norole": 403}


def editors(ok: int) -> dict[str, int]:
    return {**dict.fromkeys(API_ROLES, 403), "anonymous": 401, "editor": ok}


def keepers(ok: int, *, translator: int | None = None) -> dict[str, int]:
    """The glossary's keepers: the secretariat, and the translator in the languages they declared."""
    return {**editors(ok), "translator": ok if translator is None else translator}


def section_b(ok: int, *, anonymous: int = 404, **others: int) -> dict[str, int]:
    """A translation of section B's contribution in the works: section B, the translators and the editors see it."""
    return {**NOBODY, "anonymous": anonymous, "corr_b": ok, "translator": ok, "editor": ok, **others}


def section_a(ok: int, *, anonymous: int = 404, **others: int) -> dict[str, int]:
    return {**NOBODY, "anonymous": anonymous, "member": ok, "corr_a": ok, "translator": ok, "editor": ok, **others}


# (method, path as in the schema, path as called, body, expected status by role)
MATRIX: list[tuple[str, str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("get", "/translations", "/translations", None, ALL),
    ("get", "/translations/{translation_id}", "/translations/{pub_a_de}", None, ALL),
    ("get", "/translations/{translation_id}", "/translations/{internal_b_de}", None, READERS),
    ("get", "/translations/{translation_id}", "/translations/{placed_b_fr}", None, section_b(200)),
    ("get", "/translations/{translation_id}", "/translations/{accepted_a_en}", None, section_a(200)),
    (
        "put",
        "/translations/{translation_id}",
        "/translations/{placed_b_fr}",
        {"base_version": "{placed_b_fr_version}", "title": "Placé de Beta", "body": "Texte fini."},
        section_b(200, anonymous=401, corr_b=403),
    ),
    (
        "put",
        "/translations/{translation_id}",
        "/translations/{pub_a_en}",
        {"base_version": "{pub_a_en_version}", "title": "Published of Alpha", "body": "Text."},
        section_a(403, anonymous=401, editor=200),
    ),
    (
        "post",
        "/translations/{translation_id}/transitions",
        "/translations/{placed_b_fr}/transitions",
        {"to": "in_review"},
        section_b(201, anonymous=401, corr_b=403),
    ),
    (
        "post",
        "/translations/{translation_id}/transitions",
        "/translations/{placed_b_de}/transitions",
        {"to": "approved"},
        section_b(403, anonymous=401, editor=201),
    ),
    (
        "post",
        "/translations/{translation_id}/transitions",
        "/translations/{placed_b_de}/transitions",
        {"to": "draft", "reason": "Le titre manque."},
        section_b(403, anonymous=401, editor=201),
    ),
    (
        "get",
        "/translations/{translation_id}/revisions",
        "/translations/{pub_a_de}/revisions",
        None,
        {**section_a(200), "anonymous": 403, "norole": 403, "corr_b": 403},
    ),
    (
        "post",
        "/translations/{translation_id}/claim",
        "/translations/{internal_b_fr}/claim",
        {},
        section_b(403, anonymous=401, translator=200),
    ),
    (
        "post",
        "/translations/{translation_id}/claim",
        "/translations/{pub_a_ru}/claim",
        {},
        section_a(403, anonymous=401),
    ),
    (
        "post",
        "/translations/{translation_id}/release",
        "/translations/{placed_b_fr}/release",
        {},
        section_b(403, anonymous=401, translator=200),
    ),
    (
        "post",
        "/translations/{translation_id}/assign",
        "/translations/{internal_b_fr}/assign",
        {"translator": "{translator_person}"},
        editors(200),
    ),
    (
        "post",
        "/translations/{translation_id}/assign",
        "/translations/{placed_b_ru}/assign",
        {"translator": None},
        editors(200),
    ),
    # Machine translation is off in the tests' settings: who may ask learns that (503), the others are refused first.
    (
        "post",
        "/translations/{translation_id}/machine-draft",
        "/translations/{internal_b_fr}/machine-draft",
        {},
        section_b(503, anonymous=401, corr_b=403),
    ),
    ("get", "/queues/{language}", "/queues/fr", None, {**editors(200), "translator": 200}),
    ("get", "/queues/{language}", "/queues/ru", None, editors(200)),
    ("get", "/translators", "/translators", None, editors(200)),
    ("get", "/bulletins/{slug}/issues/{number}/editions", "/bulletins/bulletin/issues/1/editions", None, ALL),
    ("get", "/bulletins/{slug}/issues/{number}/editions", "/bulletins/internal/issues/1/editions", None, READERS),
    (
        "get",
        "/bulletins/{slug}/issues/{number}/editions/{language}",
        "/bulletins/bulletin/issues/2/editions/de",
        None,
        ALL,
    ),
    ("get", "/glossary", "/glossary", None, MEMBERS),
    ("get", "/glossary/concepts/{key}", "/glossary/concepts/general-strike", None, MEMBERS),
    (
        "post",
        "/glossary/terms",
        "/glossary/terms",
        {"concept": "general-strike", "language": "de", "text": "Massenstreik"},
        keepers(201),
    ),
    (
        "post",
        "/glossary/terms",
        "/glossary/terms",
        {"concept": "general-strike", "language": "ru", "text": "генеральная стачка"},
        keepers(201, translator=403),
    ),
    (
        "put",
        "/glossary/terms/{term_id}",
        "/glossary/terms/{term_fr}",
        {"text": "grève générale", "note": "f."},
        keepers(200),
    ),
    ("put", "/glossary/terms/{term_id}", "/glossary/terms/{term_ru}", {"text": "стачка"}, keepers(200, translator=403)),
    ("delete", "/glossary/terms/{term_id}", "/glossary/terms/{term_de}", None, keepers(200)),
]


@pytest.fixture
def tscene(world: World) -> TranslationScene:
    return build_translation_scene(world)


def rows() -> tuple[Any, ...]:
    return (
        tuple(
            model.objects.count()
            for model in (Translation, TranslationRevision, TranslationEvent, GlossaryConcept, GlossaryTerm)
        )
        + tuple(Translation.objects.values_list("state", "version", "assigned_to_id", "machine").order_by("pk"))
        + tuple(GlossaryTerm.objects.values_list("text", "note").order_by("pk"))
    )


def ids_of(world: World, tscene: TranslationScene) -> dict[str, Any]:
    return tscene.ids | {"translator_person": world.people["translator"].pk}


def format_body(body: dict[str, Any] | None, ids: dict[str, Any]) -> dict[str, Any]:
    """Placeholders such as "{placed_b_fr_version}" become the scene's numbers."""
    return {
        key: int(value.format(**ids)) if isinstance(value, str) and value.startswith("{") else value
        for key, value in (body or {}).items()
    }


def call(client: Client, method: str, path: str, body: dict[str, Any] | None) -> Any:
    url = API + path
    if method == "get":
        return client.get(url)
    if method == "delete":
        return client.delete(url)
    return getattr(client, method)(url, body or {}, content_type="application/json")


@pytest.mark.parametrize("role", API_ROLES)
@pytest.mark.parametrize(("method", "template", "path", "body", "expected"), MATRIX, ids=lambda v: str(v)[:50])
def test_permission_matrix(
    api_as: Callable[[str], Client],
    world: World,
    tscene: TranslationScene,
    role: str,
    method: str,
    template: str,
    path: str,
    body: dict[str, Any] | None,
    expected: dict[str, int],
) -> None:
    ids = ids_of(world, tscene)
    before = rows()
    response = call(api_as(role), method, path.format(**ids), format_body(body, ids))
    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert response.json()["detail"]
        assert rows() == before
    elif method != "get":
        assert rows() != before
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_b", "translator"])
def test_a_refused_editor_learns_nothing_about_the_translation(
    api_as: Callable[[str], Client], world: World, tscene: TranslationScene, role: str
) -> None:
    # Checked before any lookup: a translation nobody has is refused like one that exists.
    body = {"translator": world.people["translator"].pk}
    known = call(api_as(role), "post", f"/translations/{tscene.ids['placed_b_fr']}/assign", body)
    unknown = call(api_as(role), "post", "/translations/999999/assign", body)
    assert known.status_code == unknown.status_code
    assert known.json() == unknown.json()


@pytest.mark.parametrize("role", ["anonymous", "norole", "member", "corr_a"])
def test_a_hidden_translation_answers_as_a_missing_one(
    api_as: Callable[[str], Client], tscene: TranslationScene, role: str
) -> None:
    client = api_as(role)
    hidden_id = tscene.ids["placed_b_fr"]
    hidden = client.get(f"{API}/translations/{hidden_id}")
    missing = client.get(f"{API}/translations/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(hidden_id), "N") == missing.json()["detail"].replace("999999", "N")
    assert "Placé de Beta" not in hidden.content.decode()
