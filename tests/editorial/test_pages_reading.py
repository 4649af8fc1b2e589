"""Reading a contribution in one's own language: who sees which language version, how the page says it is a
translation and links the original and the other languages, right-to-left scripts, hostile Markdown in a
translation, localized dates and numbers, and a query count that does not grow with the languages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats, translation

from liaison.editorial import services
from liaison.editorial.models import Contribution, State
from liaison.periodicals.models import IssueStatus
from liaison.translations import services as translation_services
from liaison.translations.models import TranslationState
from tests.editorial.test_pages_contribution import HOSTILE, assert_inert
from tests.editorial.translated import (
    ARABIC,
    ARABIC_TITLE,
    FRENCH,
    FRENCH_TITLE,
    RUSSIAN,
    RUSSIAN_TITLE,
    machine,
    text_of,
    translate,
)
from tests.helpers import interface

ITEM = "/bulletins/bulletin/1/2/"


def reading_in(client: Client, language: str) -> Client:
    """The client's interface language, as the switcher in the page header sets it."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def publish(world: Any, issue: Any) -> None:
    editor = world.actor("editor")
    services.set_issue_status(editor, issue, IssueStatus.ASSEMBLY)
    services.mark_published(editor, issue)


@pytest.fixture
def text(world: Any, issue: Any, make_contribution: Any) -> Contribution:
    """Item 2 of the published No. 1: a French text with a footnote, citing item 1."""
    make_contribution(State.PLACED, title="Le texte cité", body="Notre position.", issue=issue)
    placed = make_contribution(State.PLACED, title=FRENCH_TITLE, body=FRENCH, issue=issue)
    publish(world, issue)
    placed.refresh_from_db()
    return placed


@pytest.fixture
def russian(world: Any, text: Contribution) -> Any:
    return translate(world, text, "ru", RUSSIAN_TITLE, RUSSIAN)


# Who reads which version -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [ITEM, "contribution"])
def test_a_reader_of_russian_reads_the_approved_russian_translation(text, russian, client_as, url):
    url = f"/contributions/{text.pk}/" if url == "contribution" else url
    html = reading_in(client_as("anonymous"), "ru").get(url).content.decode()
    assert '<html lang="ru"' in html
    assert f'<h1 dir="auto" lang="ru">{RUSSIAN_TITLE}</h1>' in html
    assert '<div class="contribution-body" lang="ru" dir="ltr">' in html
    assert "Профсоюз докеров проголосовал за забастовку" in html
    assert "Le syndicat des dockers" not in html
    # The translation keeps its footnote and its citation, rendered as the original's are.
    assert re.search(r'<sup class="footnote-ref"><a href="#fn-c\d+-ru-1"', html)
    assert '<a class="citation" href="/bulletins/bulletin/1/1/"' in html
    # The original is one click away, named in its own language.
    assert '<a href="?lang=fr" hreflang="fr" lang="fr" dir="ltr">Français</a>' in html


def test_the_page_says_it_is_a_translation_and_links_the_original(text, russian, client_as):
    client = client_as("anonymous")
    html = client.get(f"{ITEM}?lang=ru").content.decode()
    assert "Translated from French. Read the original ( Français )" in text_of(html)
    assert '<a href="?lang=fr" hreflang="fr">Read the original' in html
    assert '<strong aria-current="page" lang="ru" dir="ltr">Русский</strong>' in html
    original = client.get(f"{ITEM}?lang=fr").content.decode()
    assert f'<h1 dir="auto" lang="fr">{FRENCH_TITLE}</h1>' in original
    assert "Le syndicat des dockers a voté la grève" in original and "Профсоюз" not in original
    assert "Translated from" not in original
    assert '<a href="?lang=ru" hreflang="ru" lang="ru" dir="ltr">Русский</a>' in original


def test_a_reader_whose_language_has_no_translation_reads_the_original_without_a_note(text, russian, client_as):
    html = reading_in(client_as("member"), "de").get(ITEM).content.decode()
    assert '<html lang="de"' in html
    assert '<div class="contribution-body" lang="fr" dir="ltr">' in html
    assert "Le syndicat des dockers" in html
    assert "translation-note" not in html and 'role="status"' not in html
    assert 'hreflang="ru" lang="ru"' in html  # the Russian version is offered all the same


@pytest.mark.parametrize("state", [TranslationState.DRAFT, TranslationState.IN_REVIEW])
def test_an_unapproved_translation_is_never_shown_to_a_reader(world, text, client_as, state):
    translate(world, text, "ru", RUSSIAN_TITLE, RUSSIAN, to=state)
    for role in ("anonymous", "member", "corr_b"):
        client = reading_in(client_as(role), "ru")
        for url in (ITEM, f"/contributions/{text.pk}/"):
            html = client.get(url).content.decode()
            assert "Профсоюз" not in html and RUSSIAN_TITLE not in html, (role, url)
            assert "Le syndicat des dockers" in html
    asked = client_as("anonymous").get(f"{ITEM}?lang=ru").content.decode()
    assert "This text has no approved translation into Russian yet: it is shown in its original language." in asked
    assert "Профсоюз" not in asked


def test_a_machine_draft_is_never_shown_to_a_reader_and_labelled_for_the_editors(text, client_as):
    draft = machine(text, "ru")
    shouted = draft.body.split("[^1]")[0]
    assert shouted.startswith("LE SYNDICAT")
    for role in ("anonymous", "corr_b"):
        html = client_as(role).get(f"{ITEM}?lang=ru").content.decode()
        assert shouted not in html and "machine draft" not in html and "Translations" not in html
    # The editors, the translators and the text's own section see where each translation stands.
    for role, url in (
        ("editor", f"/contributions/{text.pk}/"),
        ("editor", ITEM),
        ("translator", ITEM),
        ("member", ITEM),
    ):
        html = client_as(role).get(url).content.decode()
        assert shouted not in html  # the team reads it on the translators' desk, not as the bulletin's text
        row = re.search(r"<tr>\s*<th scope=\"row\">Russian</th>.*?</tr>", html, re.S)
        assert row is not None, (role, url)
        assert '<span class="badge machine">machine draft</span>' in row[0]
        assert "Draft" in row[0]
        # The editors and translators go from here to the translators' desk; the section only reads the state.
        desk = f'<a href="/translations/{draft.pk}/">' in row[0]
        assert desk == (role != "member"), role


def test_a_stale_translation_goes_back_to_the_original_until_it_is_approved_again(
    world, issue, make_contribution, client_as
):
    make_contribution(State.PLACED, title="Le texte cité", body="Notre position.", issue=issue)
    placed = make_contribution(State.PLACED, title=FRENCH_TITLE, body=FRENCH, issue=issue)
    translate(world, placed, "ru", RUSSIAN_TITLE, RUSSIAN)
    url = f"/contributions/{placed.pk}/"
    assert RUSSIAN_TITLE in reading_in(client_as("corr_a"), "ru").get(url).content.decode()
    services.save_contribution(
        world.actor("editor"),
        placed,
        base_version=placed.version,
        title=FRENCH_TITLE,
        language="fr",
        kind="report",
        body=FRENCH + "\nUne correction tardive.\n",
    )
    translation_services.mark_stale(placed)
    html = reading_in(client_as("corr_a"), "ru").get(url).content.decode()
    assert RUSSIAN_TITLE not in html.split('id="translations-heading"')[0]
    assert "Une correction tardive." in html
    row = re.search(
        r"<th scope=\"row\">[^<]*</th>\s*<td><span class=\"badge translation-approved\">.*?</tr>", html, re.S
    )
    assert row is not None and interface("ru", "out of date: the original changed") in row[0]


def test_an_internal_bulletins_translation_is_read_by_members_only(world, internal, make_contribution, client_as):
    placed = make_contribution(State.PUBLISHED, periodical=internal, title=FRENCH_TITLE, body="Entre nous.")
    translate(world, placed, "ru", RUSSIAN_TITLE, "Между нами.")
    url = "/bulletins/internal/1/1/"
    assert client_as("anonymous").get(f"{url}?lang=ru").status_code == 302
    assert client_as("anonymous").get(f"/contributions/{placed.pk}/?lang=ru").status_code == 302
    html = client_as("member").get(f"{url}?lang=ru").content.decode()
    assert "Между нами." in html and RUSSIAN_TITLE in html


def test_a_section_still_writing_has_no_translation_to_show(make_contribution, client_as):
    draft = make_contribution(State.DRAFT, title="Brouillon", body="Pas encore.")
    assert client_as("anonymous").get(f"/contributions/{draft.pk}/?lang=ru").status_code == 302
    assert client_as("corr_b").get(f"/contributions/{draft.pk}/?lang=ru").status_code == 403
    html = client_as("corr_a").get(f"/contributions/{draft.pk}/?lang=ru").content.decode()
    assert "Pas encore." in html and "Translations" not in html


# Scripts, hostile text, formats ------------------------------------------------------------------------------------


def test_a_right_to_left_translation_is_marked_rtl(world, text, client_as):
    world.federation.working_languages = [*world.federation.working_languages, "ar"]
    world.federation.save()
    translate(world, text, "ar", ARABIC_TITLE, ARABIC)
    html = client_as("anonymous").get(f"{ITEM}?lang=ar").content.decode()
    assert '<div class="contribution-body" lang="ar" dir="rtl">' in html
    assert f'<h1 dir="auto" lang="ar">{ARABIC_TITLE}</h1>' in html
    assert "صوتت نقابة عمال الميناء" in html
    assert '<strong aria-current="page" lang="ar" dir="rtl">العربية</strong>' in html
    # Read in French, the same page offers Arabic as a right-to-left link.
    original = client_as("anonymous").get(ITEM).content.decode()
    assert '<a href="?lang=ar" hreflang="ar" lang="ar" dir="rtl">العربية</a>' in original


def test_a_right_to_left_original_keeps_its_direction_as_the_original(world, issue, make_contribution, client_as):
    make_contribution(State.PLACED, title="Le texte cité", body="Notre position.", issue=issue)
    placed = make_contribution(State.PLACED, title=ARABIC_TITLE, body=ARABIC, language="ar", issue=issue)
    translate(world, placed, "fr", FRENCH_TITLE, FRENCH)
    html = reading_in(client_as("corr_a"), "fr").get(f"/contributions/{placed.pk}/").content.decode()
    assert '<div class="contribution-body" lang="fr" dir="ltr">' in html
    assert '<a href="?lang=ar" hreflang="ar">' in html
    assert '<span lang="ar" dir="rtl">العربية</span>' in html


def test_hostile_markdown_in_a_translation_is_rendered_inert(world, text, client_as):
    translate(world, text, "ru", "<script>alert(1)</script>", HOSTILE, reason="The test's hostile text.")
    response = client_as("anonymous").get(f"{ITEM}?lang=ru")
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title, shown as the text it is
    assert 'class="contribution-body" lang="ru"' in html
    assert_inert(html)


def test_dates_and_numbers_follow_the_readers_language(world, text, russian, client_as):
    html = reading_in(client_as("corr_a"), "ru").get(f"/contributions/{text.pk}/").content.decode()
    with translation.override("ru"):
        approved = formats.date_format(russian.approved_at, "DATE_FORMAT")
    with translation.override("en"):
        assert formats.date_format(russian.approved_at, "DATE_FORMAT") != approved
    assert f'">{approved}</time>' in html
    assert "<dd>0,25</dd>" in html  # the estimated pages, with a decimal comma
    english = reading_in(client_as("corr_a"), "en").get(f"/contributions/{text.pk}/").content.decode()
    assert "<dd>0.25</dd>" in english


@pytest.mark.parametrize("asked", ["xx", "<script>alert(1)</script>", "r" * 200, "ru-RU"])
def test_a_language_asked_for_in_the_url_is_never_echoed_back(text, russian, client_as, asked):
    response = client_as("anonymous").get(ITEM, {"lang": asked})
    assert response.status_code == 200
    # The page itself (the header's language switcher carries the whole address back, escaped, to return to it).
    html = response.content.decode().split('<main id="main">')[1]
    if asked == "ru-RU":  # a regional variant reads the language's translation
        assert RUSSIAN_TITLE in html
        return
    assert "This text has no version in the language asked for: it is shown in its original language." in html
    assert "<script>alert(1)" not in html and "r" * 20 not in html
    assert FRENCH_TITLE in html


# Queries -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("languages", [["ru"], ["ru", "de", "en", "es"]])
def test_the_reading_pages_cost_the_same_whatever_the_languages(
    world, text, client_as, django_assert_num_queries, languages
):
    for code in languages:
        translate(world, text, code, f"{FRENCH_TITLE} [{code}]", FRENCH)
    # The federation (for the header), the text, its translations (one query for all), the item it cites, and on
    # the item's page its bulletin and who cites it.
    for url, queries in ((f"{ITEM}?lang=ru", 6), (f"/contributions/{text.pk}/?lang=ru", 5)):
        client = client_as("anonymous")
        client.get(url)
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert len(response.context["reading"].versions) == len(languages) + 1
