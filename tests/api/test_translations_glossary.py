"""The glossary through the API: concepts and their terms per language, search in every script, and who keeps which
language's terms (the secretariat all, a translator those of the languages they declared)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.translations.models import GlossaryConcept, GlossaryTerm
from tests.api.conftest import API
from tests.api.test_translations_scene import GENERAL_STRIKE, TranslationScene, build_translation_scene
from tests.conftest import World


@pytest.fixture
def tscene(world: World) -> TranslationScene:
    return build_translation_scene(world)


def send(client: Client, method: str, path: str, data: dict[str, Any]) -> Any:
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json")


def terms_of(client: Client, query: str = "") -> dict[str, list[tuple[str, str]]]:
    response = client.get(f"{API}/glossary{query}")
    assert response.status_code == 200, response.content
    return {c["key"]: [(t["language"], t["text"]) for t in c["terms"]] for c in response.json()}


def rows() -> tuple[Any, ...]:
    return tuple(GlossaryTerm.objects.values_list("concept__key", "language", "text", "note").order_by("pk")) + tuple(
        GlossaryConcept.objects.values_list("key", "definition").order_by("pk")
    )


# Reading -----------------------------------------------------------------------------------------------------------


def test_a_member_reads_the_concepts_with_their_terms(
    api_as: Callable[[str], Client], tscene: TranslationScene
) -> None:
    response = api_as("member").get(f"{API}/glossary")
    assert response.status_code == 200
    [concept] = response.json()
    assert (concept["key"], concept["definition"]) == ("general-strike", "All trades stop work.")
    assert {t["language"]: t["text"] for t in concept["terms"]} == GENERAL_STRIKE
    assert {t["language"]: t["dir"] for t in concept["terms"]}["ar"] == "rtl"
    assert "إضراب عام" in response.content.decode()  # as it is, not as \\u escapes


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?language=ru", {"general-strike": [("ru", "всеобщая забастовка")]}),
        ("?language=RU", {"general-strike": [("ru", "всеобщая забастовка")]}),
        ("?language=pt", {}),
        ("?q=ЗАБАСТОВКА", {"general-strike": sorted(GENERAL_STRIKE.items())}),
        ("?q=GRÈVE&language=de", {"general-strike": [("de", "Generalstreik")]}),
        ("?q=strike", {"general-strike": sorted(GENERAL_STRIKE.items())}),
        ("?q=trades stop", {"general-strike": sorted(GENERAL_STRIKE.items())}),
        ("?q=إضراب", {"general-strike": sorted(GENERAL_STRIKE.items())}),
        ("?q=lockout", {}),
    ],
)
def test_it_filters_by_language_and_searches_every_script(
    api_as: Callable[[str], Client], tscene: TranslationScene, query: str, expected: dict[str, Any]
) -> None:
    assert terms_of(api_as("translator"), query) == expected


def test_an_unknown_language_is_named(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    response = api_as("member").get(f"{API}/glossary?language=elvish")
    assert response.status_code == 404
    assert response.json()["field"] == "language"


def test_one_concept(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    found = api_as("corr_b").get(f"{API}/glossary/concepts/general-strike")
    assert found.status_code == 200
    assert len(found.json()["terms"]) == len(GENERAL_STRIKE)
    missing = api_as("corr_b").get(f"{API}/glossary/concepts/lockout")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No concept “lockout” in the glossary."


def test_the_glossary_costs_the_same_queries_however_long(
    api_as: Callable[[str], Client], world: World, tscene: TranslationScene, django_assert_num_queries: Any
) -> None:
    client = api_as("member")
    client.get(f"{API}/me")
    with django_assert_num_queries(4):  # token, person, roles; the terms with their concepts
        client.get(f"{API}/glossary")
    for n in range(10):
        concept = GlossaryConcept.objects.create(key=f"concept-{n}")
        for language in ("en", "fr", "de"):
            GlossaryTerm.objects.create(concept=concept, language=language, text=f"term {n} {language}")
    with django_assert_num_queries(4):
        assert len(client.get(f"{API}/glossary").json()) == 11


# Keeping it --------------------------------------------------------------------------------------------------------


def test_a_translator_adds_a_term_in_their_language(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    response = send(
        api_as("translator"),
        "post",
        "/glossary/terms",
        {"concept": "general-strike", "language": "fr", "text": "  grève   générale illimitée ", "note": "Au pluriel."},
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["concept"], data["language"], data["text"], data["note"]) == (
        "general-strike",
        "fr",
        "grève générale illimitée",
        "Au pluriel.",
    )
    assert GlossaryTerm.objects.get(pk=data["id"]).created_by.username == "translator"


def test_a_new_concept_is_made_with_its_first_term(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    response = send(
        api_as("editor"),
        "post",
        "/glossary/terms",
        {"concept": "Caisse de grève", "language": "fr", "text": "caisse de grève", "definition": "Un fonds."},
    )
    assert response.status_code == 201, response.content
    assert response.json()["concept"] == "caisse-de-grève"
    assert GlossaryConcept.objects.get(key="caisse-de-grève").definition == "Un fonds."


@pytest.mark.parametrize(
    ("role", "fields", "status", "field", "detail"),
    [
        ("translator", {"language": "ru", "text": "стачка"}, 403, None, "translators of a language keep"),
        ("translator", {"text": "GRÈVE GÉNÉRALE"}, 409, "text", "already a term"),
        ("editor", {"language": "xx-nowhere"}, 400, "language", "Unknown language code"),
        ("editor", {"text": "   "}, 400, "text", "Write the term"),
        ("editor", {"text": "a" * 201}, 400, "text", "at most 200"),
        ("editor", {"concept": "!!!"}, 400, "concept", "Name the concept"),
        ("member", {}, 403, None, "keep its glossary"),
    ],
)
def test_a_refused_term_says_why_and_changes_nothing(
    api_as: Callable[[str], Client],
    tscene: TranslationScene,
    role: str,
    fields: dict[str, str],
    status: int,
    field: str | None,
    detail: str,
) -> None:
    before = rows()
    data = {"concept": "general-strike", "language": "fr", "text": "grève totale", **fields}
    response = send(api_as(role), "post", "/glossary/terms", data)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field and detail in response.json()["detail"]
    assert rows() == before


def test_a_term_is_corrected(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    term_id = tscene.ids["term_de"]
    response = send(api_as("translator"), "put", f"/glossary/terms/{term_id}", {"text": "Generalstreik", "note": "m."})
    assert response.status_code == 200, response.content
    assert (response.json()["text"], response.json()["note"]) == ("Generalstreik", "m.")
    # Another language's term is not the translator's to correct; a term that would duplicate another is refused.
    refused = send(api_as("translator"), "put", f"/glossary/terms/{tscene.ids['term_ru']}", {"text": "x"})
    assert refused.status_code == 403
    assert GlossaryTerm.objects.get(pk=tscene.ids["term_ru"]).text == GENERAL_STRIKE["ru"]
    send(api_as("editor"), "post", "/glossary/terms", {"concept": "general-strike", "language": "de", "text": "Streik"})
    duplicate = send(api_as("editor"), "put", f"/glossary/terms/{term_id}", {"text": "STREIK"})
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "text"
    assert GlossaryTerm.objects.get(pk=term_id).text == "Generalstreik"
    assert send(api_as("editor"), "put", "/glossary/terms/999999", {"text": "x"}).status_code == 404


def test_removing_the_last_term_removes_the_concept(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    editor = api_as("editor")
    remaining = editor.delete(f"{API}/glossary/terms/{tscene.ids['term_de']}")
    assert remaining.status_code == 200
    assert sorted(t["language"] for t in remaining.json()) == ["ar", "en", "fr", "ru"]
    refused = api_as("translator").delete(f"{API}/glossary/terms/{tscene.ids['term_ru']}")
    assert refused.status_code == 403
    for language in ("ar", "en", "fr"):
        assert editor.delete(f"{API}/glossary/terms/{tscene.ids[f'term_{language}']}").status_code == 200
    assert editor.delete(f"{API}/glossary/terms/{tscene.ids['term_ru']}").json() == []
    assert not GlossaryConcept.objects.exists()
    assert editor.get(f"{API}/glossary/concepts/general-strike").status_code == 404


def test_a_hostile_term_is_kept_as_text(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    hostile = '<img src=x onerror="alert(1)">'
    response = send(api_as("editor"), "post", "/glossary/terms", {"concept": "xss", "language": "en", "text": hostile})
    assert response.status_code == 201
    # JSON carries it as the words someone typed; whoever shows it escapes it, as the pages do.
    assert api_as("member").get(f"{API}/glossary/concepts/xss").json()["terms"][0]["text"] == hostile
