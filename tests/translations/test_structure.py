"""The structure check: a translation keeps the original's footnotes, citations, headings and lists."""

from __future__ import annotations

import pytest

from liaison.translations import services
from liaison.translations.models import TranslationState
from liaison.translations.structure import check_structure

from .conftest import FRENCH, ORIGINAL


def _codes(original, translated):
    return [problem.code for problem in check_structure(original, translated)]


def test_a_faithful_translation_has_no_problem():
    assert check_structure(ORIGINAL, FRENCH) == []


def test_it_finds_a_dropped_footnote():
    dropped = FRENCH.replace("lundi[^1]", "lundi").replace("[^1]: Dans la salle du syndicat, le 12 mars.\n", "")

    problems = check_structure(ORIGINAL, dropped)

    assert [p.code for p in problems] == ["footnote_missing"]
    assert "[^1]" in problems[0].message


def test_it_finds_a_footnote_text_dropped_while_its_reference_stays():
    assert _codes(ORIGINAL, FRENCH.replace("[^1]: Dans la salle", "Dans la salle")) == ["footnote_missing"]


def test_it_finds_a_renamed_footnote():
    renamed = FRENCH.replace("[^1]", "[^note]")

    assert _codes(ORIGINAL, renamed) == ["footnote_missing", "footnote_extra"]


def test_it_finds_a_footnote_referred_to_fewer_times():
    original = "One[^a] and again[^a].\n\n[^a]: Note.\n"

    assert _codes(original, "Un[^a] et encore.\n\n[^a]: Note.\n") == ["footnote_count"]


def test_it_finds_an_extra_unreferenced_footnote_text():
    assert _codes(ORIGINAL, FRENCH + "\n[^2]: Une note de plus.\n") == ["footnote_text_extra"]


def test_it_finds_a_changed_citation():
    changed = FRENCH.replace("[[bulletin/1/1]]", "[[bulletin/1/2]]")

    problems = check_structure(ORIGINAL, changed)

    assert [p.code for p in problems] == ["citation_missing", "citation_extra"]
    assert "[[bulletin/1/1]]" in problems[0].message
    assert "[[bulletin/1/2]]" in problems[1].message


def test_a_citation_inside_code_is_not_a_citation():
    original = "See [[bulletin/1/1]].\n"

    assert _codes(original, "Voir `[[bulletin/1/1]]`.\n") == ["citation_missing"]


def test_it_finds_an_extra_heading():
    problems = check_structure(ORIGINAL, FRENCH.replace("- une assemblée", "## Nos demandes\n\n- une assemblée"))

    assert [p.code for p in problems] == ["headings"]
    assert "1" in problems[0].message and "2" in problems[0].message


def test_it_finds_list_items_merged():
    merged = FRENCH.replace("- une assemblée générale chaque mois\n- une caisse", "- une assemblée et une caisse")

    assert _codes(ORIGINAL, merged) == ["list_items"]


def test_it_finds_a_list_turned_into_prose():
    prose = FRENCH.replace(
        "- une assemblée générale chaque mois\n- une caisse de grève", "Une assemblée et une caisse."
    )

    assert _codes(ORIGINAL, prose) == ["lists", "list_items"]


def test_it_counts_inline_footnotes():
    assert _codes("Text^[a note].", "Texte.") == ["inline_footnotes"]


def test_empty_texts_have_no_problems():
    assert check_structure("", "") == []


def _in_review(world, make, body):
    french = make.translation(make.contribution())
    translator = world.actor("translator")
    services.save_translation(translator, french, base_version=1, title="Titre", body=body)
    services.transition(translator, french, TranslationState.IN_REVIEW)
    return french


def test_approval_is_refused_while_problems_exist_without_a_reason(world, make):
    french = _in_review(world, make, FRENCH.replace("[[bulletin/1/1]]", "le bulletin no 1"))

    with pytest.raises(services.StructureProblems) as refused:
        services.transition(world.actor("editor"), french, TranslationState.APPROVED)

    assert refused.value.field == "reason"
    assert [p.code for p in refused.value.problems] == ["citation_missing"]
    assert "[[bulletin/1/1]]" in str(refused.value)
    french.refresh_from_db()
    assert (french.state, french.override_reason) == (TranslationState.IN_REVIEW, "")


def test_approval_with_a_recorded_reason_is_accepted(world, make):
    french = _in_review(world, make, FRENCH.replace("[[bulletin/1/1]]", "le bulletin no 1"))

    event = services.transition(
        world.actor("editor"), french, TranslationState.APPROVED, reason="The French edition cites by name."
    )

    assert french.state == TranslationState.APPROVED
    assert french.override_reason == "The French edition cites by name."
    assert event.note == "The French edition cites by name."


def test_a_reason_given_when_nothing_differs_is_not_an_override(world, make):
    french = _in_review(world, make, FRENCH)

    services.transition(world.actor("editor"), french, TranslationState.APPROVED, reason="Fine.")

    assert french.override_reason == ""
