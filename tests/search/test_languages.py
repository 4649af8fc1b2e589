"""Found in every language: stemming where the database has it, diacritics folded, Chinese by substring, Arabic."""

from __future__ import annotations

from typing import Any

import pytest

from liaison.periodicals.models import Periodical
from liaison.search import services
from tests.search.conftest import (
    ARABIC_TITLE,
    CHINESE_TITLE,
    ENGLISH_TITLE,
    FRENCH_TITLE,
    GERMAN_LETTER_TITLE,
    GERMAN_TITLE,
    RUSSIAN_TITLE,
    SPANISH_TITLE,
    Archive,
    find,
    published_issue,
)

# For each language, what a reader types and the titles it must find (an empty list: must find nothing).
CASES: dict[str, list[tuple[str, list[str]]]] = {
    # English: the word, its inflections (stems), a phrase.
    "english": [
        ("strike", [ENGLISH_TITLE]),
        ("strikes", [ENGLISH_TITLE]),
        ("striking", [ENGLISH_TITLE]),
        ("unions", [ENGLISH_TITLE]),
        ('"general strike"', [ENGLISH_TITLE]),
        ('"strike general"', []),
        ("strike fund", []),
    ],
    # French: with and without the accent, in capitals, the plural.
    "french": [
        ("grève", [FRENCH_TITLE]),
        ("greve", [FRENCH_TITLE]),
        ("GRÈVES", [FRENCH_TITLE]),
        ("syndicat", [FRENCH_TITLE]),
    ],
    # German: a compound is its own word; umlauts folded; a genitive.
    "german": [
        ("Streik", [GERMAN_TITLE]),
        ("Generalstreik", [GERMAN_TITLE]),
        ("Streiks", [GERMAN_TITLE]),
        ("Solidarität", [GERMAN_LETTER_TITLE]),
        ("solidaritat", [GERMAN_LETTER_TITLE]),
    ],
    # Russian: the nominative in the text, found from the genitive and the accusative (morphology), and a prefix.
    "russian": [
        ("забастовка", [RUSSIAN_TITLE]),
        ("забастовки", [RUSSIAN_TITLE]),
        ("забастовку", [RUSSIAN_TITLE]),
        ("забастовк", [RUSSIAN_TITLE]),
        ("ДОКЕРЫ", [RUSSIAN_TITLE]),
        ("забор", []),
    ],
    "spanish": [
        ("huelga", [SPANISH_TITLE]),
        ("huelgas", [SPANISH_TITLE]),
        ("estibadores", [SPANISH_TITLE]),
    ],
    # Chinese, written without spaces: found by substring, short or long, in the title or the text.
    "chinese": [
        ("罢工", [CHINESE_TITLE]),
        ("工会", [CHINESE_TITLE]),
        ("工人工会", [CHINESE_TITLE]),
        ("合同签订", [CHINESE_TITLE]),
        ("码头 声明", [CHINESE_TITLE]),
        ("罢工 strike", []),
        ("合同罢免", []),
    ],
    # Arabic: the words as written, with their article.
    "arabic": [
        ("الإضراب", [ARABIC_TITLE]),
        ("الميناء", [ARABIC_TITLE]),
        ("نقابة", [ARABIC_TITLE]),
        ("مطار", []),
    ],
}


@pytest.mark.parametrize("language", CASES)
def test_it_finds_each_language(world: Any, archive: Archive, language: str) -> None:
    anonymous = world.actor("anonymous")
    got = {words: sorted(find(anonymous, words)) for words, _ in CASES[language]}
    assert got == {words: sorted(found) for words, found in CASES[language]}


def test_one_word_finds_every_text_that_has_it(world: Any, archive: Archive) -> None:
    # "Havre" is in the French original and three of its translations (the Russian one says "Гавр").
    assert sorted(find(world.actor("anonymous"), "Havre")) == sorted(
        [FRENCH_TITLE, ENGLISH_TITLE, GERMAN_TITLE, SPANISH_TITLE]
    )


def test_the_title_weighs_more_than_the_text(world: Any, bulletin: Periodical, make_contribution: Any) -> None:
    published_issue(
        world,
        bulletin,
        make_contribution,
        [
            {"title": "Minutes", "body": "We spoke of solidarity, then of the fund, then of solidarity again."},
            {"title": "Solidarity", "body": "A fund for the port workers."},
            {"title": "Elsewhere", "body": "Nothing about it."},
        ],
    )
    assert find(world.actor("anonymous"), "solidarity") == ["Solidarity", "Minutes"]


def test_results_carry_their_language_and_direction(world: Any, archive: Archive) -> None:
    hits = services.search(world.actor("anonymous"), "نقابة").hits
    assert [(hit.document.language, hit.direction) for hit in hits] == [("ar", "rtl")]
    assert "<mark>نقابة</mark>" in hits[0].snippet
    assert hits[0].url.endswith(f"/bulletins/bulletin/1/{archive.items['arabic'].item.position}/?lang=ar")
    hits = services.search(world.actor("anonymous"), "забастовки").hits
    assert [(hit.document.language, hit.direction) for hit in hits] == [("ru", "ltr")]
    assert "<mark>забастовка</mark>" in hits[0].snippet
    assert hits[0].label == "Bulletin No. 1, item 1"
    assert hits[0].url.endswith("/bulletins/bulletin/1/1/?lang=ru")


def test_chinese_words_are_marked_in_titles_and_snippets(world: Any, archive: Archive) -> None:
    [hit] = services.search(world.actor("anonymous"), "罢工").hits
    assert hit.title == "码头工人<mark>罢工</mark>"
    assert hit.snippet.count("<mark>罢工</mark>") == 2
