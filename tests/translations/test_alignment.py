"""The side-by-side editor: the original and the translation block by block, footnotes matched by label."""

from __future__ import annotations

from liaison.translations import services
from liaison.translations.structure import blocks, paragraphs

from .conftest import FRENCH, ORIGINAL


def test_it_aligns_every_block_of_a_faithful_translation():
    pairs = paragraphs(ORIGINAL, FRENCH)

    assert [(p.kind, p.label) for p in pairs] == [
        ("heading", ""),
        ("paragraph", ""),
        ("item", ""),
        ("item", ""),
        ("footnote", "1"),
    ]
    assert all(p.matched for p in pairs)
    assert pairs[0].original == "# Workers of the port"
    assert pairs[0].translation == "# Les travailleurs du port"
    assert pairs[3].translation == "- une caisse de grève"
    assert pairs[4].original == "[^1]: In the hall of the union, 12 March."
    assert pairs[4].translation == "[^1]: Dans la salle du syndicat, le 12 mars."


def test_an_untranslated_text_leaves_the_right_side_empty():
    pairs = paragraphs(ORIGINAL, "")

    assert len(pairs) == 5
    assert all(p.original and p.translation is None for p in pairs)


def test_an_extra_heading_does_not_shift_the_rows_after_it():
    extra = FRENCH.replace("- une assemblée", "## Nos demandes\n\n- une assemblée")

    pairs = paragraphs(ORIGINAL, extra)

    assert [(p.kind, p.original is not None, p.translation is not None) for p in pairs] == [
        ("heading", True, True),
        ("paragraph", True, True),
        ("heading", False, True),
        ("item", True, True),
        ("item", True, True),
        ("footnote", True, True),
    ]
    assert pairs[3].translation == "- une assemblée générale chaque mois"


def test_a_dropped_paragraph_leaves_a_gap_on_its_row():
    original = "First[^1].\n\nSecond, in 1921.\n\nThird.\n\n## End\n\n[^1]: N.\n"
    translated = "Premier[^1].\n\nTroisième.\n\n## Fin\n\n[^1]: N.\n"

    pairs = paragraphs(original, translated)

    assert [(p.original, p.translation) for p in pairs][:4] == [
        ("First[^1].", "Premier[^1]."),
        ("Second, in 1921.", None),
        ("Third.", "Troisième."),
        ("## End", "## Fin"),
    ]


def test_rewritten_blocks_in_the_same_place_still_face_each_other():
    pairs = paragraphs("In 1921.\n\nIn 1922.\n", "En mil neuf cent vingt et un.\n\nEn 1922.\n")

    assert [(p.original, p.translation) for p in pairs] == [
        ("In 1921.", "En mil neuf cent vingt et un."),
        ("In 1922.", "En 1922."),
    ]


def test_footnotes_match_by_label_not_by_order():
    original = "A[^a] b[^b].\n\n[^a]: Note A.\n[^b]: Note B.\n"
    translated = "A[^b] b[^a].\n\n[^b]: Note B fr.\n[^a]: Note A fr.\n"

    notes = [p for p in paragraphs(original, translated) if p.kind == "footnote"]

    assert [(p.label, p.original, p.translation) for p in notes] == [
        ("a", "[^a]: Note A.", "[^a]: Note A fr."),
        ("b", "[^b]: Note B.", "[^b]: Note B fr."),
    ]


def test_a_footnote_only_in_the_translation_is_shown_alone():
    notes = [p for p in paragraphs("A.\n", "A[^x].\n\n[^x]: Ajout.\n") if p.kind == "footnote"]

    assert [(p.label, p.original, p.translation) for p in notes] == [("x", None, "[^x]: Ajout.")]


def test_blocks_keep_their_markdown_and_nested_lists_stay_in_their_item():
    text = "> A quote\n> on two lines\n\n1. one\n   - nested\n2. two\n\n```\ncode\n```\n\n---\n"

    assert [(b.kind, b.text) for b in blocks(text)] == [
        ("quote", "> A quote\n> on two lines"),
        ("item", "1. one\n   - nested"),
        ("item", "2. two"),
        ("code", "```\ncode\n```"),
        ("rule", "---"),
    ]


def test_multiline_footnotes_keep_their_continuation():
    text = "A[^1].\n\n[^1]: First line\n    continued.\n"

    assert blocks(text)[-1].text == "[^1]: First line\n    continued."


def test_a_translation_is_shown_beside_its_original(world, make):
    french = make.translation(make.contribution())
    services.save_translation(world.actor("translator"), french, base_version=1, title="Titre", body=FRENCH)

    rows = services.side_by_side(french)

    assert [row.matched for row in rows] == [True] * 5
