"""The federation's term base, and the terms a text uses, in Latin, Cyrillic and CJK scripts."""

from __future__ import annotations

import pytest

from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.translations import glossary
from liaison.translations.models import GlossaryConcept, GlossaryTerm


@pytest.fixture
def terms(world):
    editor = world.actor("editor")
    for concept, language, text in (
        ("general-strike", "en", "general strike"),
        ("general-strike", "fr", "grève générale"),
        ("general-strike", "ru", "всеобщая забастовка"),
        ("general-strike", "zh", "总罢工"),
        ("union", "en", "union"),
        ("union", "fr", "syndicat"),
        ("union", "ru", "профсоюз"),
        ("union", "zh", "工会"),
        ("union", "ja", "労働組合"),
    ):
        glossary.add_term(editor, concept=concept, language=language, text=text)


def _found(text, language, **kwargs):
    return [(o.term.text, o.found, o.count) for o in glossary.terms_in(text, language, **kwargs)]


def test_it_finds_terms_in_a_latin_text_ignoring_case(world, terms):
    text = "The Union called a General  Strike; the union's members voted."

    assert _found(text, "en") == [("union", "Union", 2), ("general strike", "General  Strike", 1)]


def test_it_matches_whole_words_only(world, terms):
    assert _found("Reunions and unionism are not unions.", "en") == []


def test_it_finds_terms_with_accents(world, terms):
    assert _found("Le Syndicat appelle à la GRÈVE GÉNÉRALE.", "fr") == [
        ("syndicat", "Syndicat", 1),
        ("grève générale", "GRÈVE GÉNÉRALE", 1),
    ]


def test_it_finds_terms_in_cyrillic(world, terms):
    text = "Профсоюз объявил Всеобщая забастовка. Профсоюзы других стран поддержали профсоюз."

    assert _found(text, "ru") == [("профсоюз", "Профсоюз", 2), ("всеобщая забастовка", "Всеобщая забастовка", 1)]


def test_it_finds_terms_in_chinese_and_japanese_without_word_breaks(world, terms):
    assert _found("工会宣布了总罢工，工会成员支持。", "zh") == [("工会", "工会", 2), ("总罢工", "总罢工", 1)]
    assert _found("日本の労働組合が声明を出した。", "ja") == [("労働組合", "労働組合", 1)]


def test_it_shows_the_terms_in_the_target_language(world, terms):
    [union] = glossary.terms_in("Our union grows.", "en", target="fr")

    assert union.concept.key == "union"
    assert [t.text for t in union.equivalents] == ["syndicat"]


def test_without_a_target_it_shows_every_other_language(world, terms):
    [union] = glossary.terms_in("Our union grows.", "en")

    assert [(t.language, t.text) for t in union.equivalents] == [
        ("fr", "syndicat"),
        ("ja", "労働組合"),
        ("ru", "профсоюз"),
        ("zh", "工会"),
    ]


def test_a_regional_language_uses_its_languages_terms(world, terms):
    assert _found("Un syndicat.", "fr-ca") == [("syndicat", "syndicat", 1)]


def test_terms_in_costs_two_queries(world, terms, django_assert_num_queries):
    with django_assert_num_queries(2):
        found = glossary.terms_in("A general strike by the union.", "en", target="ru")
        assert [[t.text for t in o.equivalents] for o in found] == [["всеобщая забастовка"], ["профсоюз"]]


def test_a_text_without_terms_finds_nothing(world, terms, django_assert_num_queries):
    assert glossary.terms_in("", "en") == []
    assert _found("Nothing here.", "en") == []


def test_a_translator_adds_terms_in_their_languages_only(world):
    translator = world.actor("translator")

    term = glossary.add_term(translator, concept="Solidarity", language="de", text=" Solidarität ", note="always")

    assert (term.concept.key, term.text, term.created_by) == ("solidarity", "Solidarität", world.users["translator"])
    with pytest.raises(NotAllowed):
        glossary.add_term(translator, concept="solidarity", language="ru", text="солидарность")


@pytest.mark.parametrize("role", ["corr_a", "member", "anonymous"])
def test_others_may_not_add_terms(world, role):
    with pytest.raises(NotAllowed):
        glossary.add_term(world.actor(role), concept="x", language="en", text="x")


def test_a_term_is_not_added_twice_whatever_its_case(world, terms):
    with pytest.raises(Conflict):
        glossary.add_term(world.actor("editor"), concept="union", language="ru", text="ПРОФСОЮЗ")

    assert GlossaryTerm.objects.filter(language="ru", concept__key="union").count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"concept": "x", "language": "xx", "text": "x"}, "language"),
        ({"concept": "x", "language": "en", "text": "  "}, "text"),
        ({"concept": "x", "language": "en", "text": "x" * 201}, "text"),
        ({"concept": "!!", "language": "en", "text": "x"}, "concept"),
    ],
)
def test_it_refuses_bad_input(world, fields, field):
    with pytest.raises(LiaisonError) as refused:
        glossary.add_term(world.actor("editor"), **fields)

    assert refused.value.field == field


def test_removing_the_last_term_removes_the_concept(world):
    editor = world.actor("editor")
    term = glossary.add_term(editor, concept="mandate", language="en", text="mandate")

    with pytest.raises(NotAllowed):
        glossary.remove_term(world.actor("member"), term)
    glossary.remove_term(editor, term)

    assert not GlossaryConcept.objects.filter(key="mandate").exists()
