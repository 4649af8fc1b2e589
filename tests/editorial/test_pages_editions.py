"""An issue's editions on its page: completeness per working language and what is missing (for the editors and the
translators), and for readers of a published issue its contents in their language with links to the complete
editions; in a fixed number of queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from liaison.editorial import services
from liaison.editorial.models import State
from liaison.periodicals.models import IssueStatus
from liaison.translations import services as translation_services
from liaison.translations.models import TranslationState
from tests.editorial.translated import machine, text_of, translate

ISSUE = "/bulletins/bulletin/1/"


def reading_in(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def publish(world: Any, issue: Any) -> None:
    editor = world.actor("editor")
    services.set_issue_status(editor, issue, IssueStatus.ASSEMBLY)
    services.mark_published(editor, issue)


@pytest.fixture
def scene(world: Any, issue: Any, make_contribution: Any) -> dict[str, Any]:
    """Three French items in No. 1 (working languages en, fr, de, ru, es): Russian approved for the first two, a
    machine draft for the third; German approved for the first, then its original corrected (stale); Spanish in
    review for the second; English untouched."""
    first = make_contribution(State.PLACED, title="Premier texte", body="Un.", issue=issue)
    second = make_contribution(State.PLACED, section="b", title="Deuxième texte", body="Deux.", issue=issue)
    third = make_contribution(State.PLACED, title="Troisième texte", body="Trois.", issue=issue)
    translate(world, first, "de", "Erster Text", "Eins.")
    services.save_contribution(
        world.actor("editor"), first, base_version=first.version, title=first.title, language="fr",
        kind="report", body="Un, corrigé.",
    )  # fmt: skip
    translation_services.mark_stale(first)
    translate(world, first, "ru", "Первый текст", "Один, исправлено.")
    translate(world, second, "ru", "Второй текст", "Два.")
    machine(third, "ru")
    translate(world, second, "es", "Segundo texto", "Dos.", to=TranslationState.IN_REVIEW)
    return {"first": first, "second": second, "third": third}


def editions_of(html: str) -> str:
    match = re.search(r'<section aria-labelledby="editions-heading">.*?</section>', html, re.S)
    assert match is not None, "no editions on the page"
    # The links to the translators' desk are checked on their own: here, what each edition lacks.
    return text_of(match[0]).replace(" · Open on the translators' desk", "")


def test_editors_see_each_languages_completeness_and_what_is_missing(scene, client_as):
    editions = editions_of(client_as("editor").get(ISSUE).content.decode())
    assert "French: complete" in editions
    assert "Russian: 2 of 3 items; missing: item 3 Troisième texte — draft machine draft" in editions
    assert (
        "German: 0 of 3 items; missing: item 1 Premier texte — out of date: the original changed "
        "item 2 Deuxième texte — needed item 3 Troisième texte — needed"
    ) in editions
    assert "Spanish: 0 of 3 items; missing: item 1 Premier texte — needed item 2 Deuxième texte — in review" in editions
    assert "English: 0 of 3 items" in editions


def test_the_editor_goes_from_a_missing_item_to_its_contribution_and_its_translation(scene, client_as):
    html = client_as("editor").get(ISSUE).content.decode()
    assert f'<a href="/contributions/{scene["third"].pk}/" lang="fr" dir="auto">Troisième texte</a>' in html
    russian = scene["third"].translations.get(language="ru")
    assert f'<a href="/translations/{russian.pk}/">Open on the translators\' desk</a>' in html


def test_translators_see_the_progress_but_not_the_titles_of_an_unpublished_issue(world, issue, scene, client_as):
    html = client_as("translator").get(ISSUE).content.decode()
    editions = editions_of(html)
    assert "Russian: 2 of 3 items; missing: item 3 — draft machine draft" in editions
    assert "Troisième texte" not in html and "Premier texte" not in html
    publish(world, issue)
    editions = editions_of(client_as("translator").get(ISSUE).content.decode())
    assert "missing: item 3 Troisième texte — draft machine draft" in editions


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_b"])
def test_readers_never_see_the_editions_progress(world, issue, scene, client_as, role):
    before = client_as(role).get(ISSUE).content.decode()
    assert "editions-heading" not in before and "Complete editions" not in before
    publish(world, issue)
    html = client_as(role).get(ISSUE).content.decode()
    assert "editions-heading" not in html and "missing:" not in html and "machine draft" not in html
    # Only French (the originals' language) is complete; the reader is offered it.
    nav = re.search(r'<nav class="language-versions editions-complete".*?</nav>', html, re.S)
    assert nav is not None
    assert '<a href="?lang=fr" hreflang="fr" lang="fr" dir="ltr">Français</a>' in nav[0]
    assert "Русский" not in nav[0]


def test_readers_get_the_contents_in_their_language_where_it_is_approved(world, issue, scene, client_as):
    publish(world, issue)
    html = reading_in(client_as("anonymous"), "ru").get(ISSUE).content.decode()
    assert '<html lang="ru"' in html
    assert '/bulletins/bulletin/1/1/" lang="ru" dir="ltr" hreflang="ru">Первый текст</a>' in html
    assert '/bulletins/bulletin/1/2/" lang="ru" dir="ltr" hreflang="ru">Второй текст</a>' in html
    # The machine draft of the third is not a translation for readers: its original title stays, marked French.
    assert '/bulletins/bulletin/1/3/" lang="fr" dir="ltr">Troisième texte</a>' in html
    assert "ТРОИС" not in html


def test_a_language_asked_for_carries_into_the_items(world, issue, scene, client_as):
    publish(world, issue)
    html = client_as("anonymous").get(f"{ISSUE}?lang=ru").content.decode()
    assert '<html lang="en"' in html
    assert 'href="/bulletins/bulletin/1/2/?lang=ru" lang="ru" dir="ltr" hreflang="ru">Второй текст</a>' in html
    assert "Items not yet translated into Russian are listed in their original language." in html
    assert '>Troisième texte</a> <span class="muted">(French)</span>' in html


def test_a_complete_edition_is_linked_for_readers(world, issue, scene, client_as):
    third = scene["third"]
    translate(world, third, "ru", "Третий текст", "Три.")
    publish(world, issue)
    html = client_as("member").get(ISSUE).content.decode()
    assert '<a href="?lang=ru" hreflang="ru" lang="ru" dir="ltr">Русский</a>' in html
    in_russian = client_as("member").get(f"{ISSUE}?lang=ru").content.decode()
    assert '<strong aria-current="page" lang="ru" dir="ltr">Русский</strong>' in in_russian
    assert "Items not yet translated" not in in_russian


def test_an_unknown_language_asked_for_falls_back_to_the_readers(world, issue, scene, client_as):
    publish(world, issue)
    response = client_as("anonymous").get(ISSUE, {"lang": "<b>zz</b>"})
    assert response.status_code == 200
    page = response.content.decode().split('<main id="main">')[1]
    assert "This issue has no edition in the language asked for; here it is in yours." in page
    assert "<b>zz" not in page and "Premier texte" in page


def test_an_internal_bulletins_editions_are_for_members(world, internal, make_contribution, client_as):
    placed = make_contribution(State.PUBLISHED, periodical=internal, title="Entre nous", body="Texte.")
    translate(world, placed, "ru", "Между нами", "Текст.")
    assert client_as("anonymous").get("/bulletins/internal/1/?lang=ru").status_code == 302
    html = client_as("member").get("/bulletins/internal/1/?lang=ru").content.decode()
    assert ">Между нами</a>" in html


def test_publishing_tells_the_editor_which_editions_are_complete(world, issue, scene, client_as):
    services.set_issue_status(world.actor("editor"), issue, IssueStatus.ASSEMBLY)
    client = client_as("editor")
    response = client.post(f"{ISSUE}status/", {"status": "publish"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Issue No. 1 is published" in page
    assert "Complete editions: French. Still being translated: English, German, Russian, Spanish;" in page


def test_publishing_says_so_when_no_edition_is_complete(world, issue, make_contribution, client_as):
    make_contribution(State.PLACED, title="En français", issue=issue)
    make_contribution(State.PLACED, section="b", title="En español", language="es", issue=issue)
    services.set_issue_status(world.actor("editor"), issue, IssueStatus.ASSEMBLY)
    client = client_as("editor")
    page = client.get(client.post(f"{ISSUE}status/", {"status": "publish"})["Location"]).content.decode()
    assert "No edition is complete yet" in page


@pytest.mark.parametrize("count", [2, 12])
def test_the_issue_page_costs_the_same_whatever_the_items_and_translations(
    world, issue, make_contribution, client_as, django_assert_num_queries, count
):
    for index in range(count):
        placed = make_contribution(State.PLACED, section="ab"[index % 2], issue=issue, title=f"Texte {index}")
        translate(world, placed, "ru", f"Текст {index}", "Текст.")
        if index % 2:
            machine(placed, "de")
    publish(world, issue)
    # The page as before, plus the working languages, the items and all their translations in a language, plus the
    # publishing panel (the issue's editions and its active job).
    for role, queries in (("editor", 15), ("translator", 15), ("anonymous", 9)):
        client = reading_in(client_as(role), "ru")
        client.get(ISSUE)
        with django_assert_num_queries(queries):
            response = client.get(ISSUE)
        assert [row.translated for row in response.context["contents"]] == [True] * count
