"""Markdown → Typst markup: what each construct becomes, and that no text can become Typst code.

The markup is checked by Typst itself: ``typst.query`` compiles it inside ``#metadata[...]`` and returns the content
tree as JSON, so a test sees exactly the elements Typst made of it (an equation, a reference, a set rule...)."""

from __future__ import annotations

import json
import re
import string
from typing import Any

import pytest
import typst
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.editorial.markdown import CitationRef
from liaison.publishing import typst_markup
from liaison.publishing.typst_markup import Citation, convert, escape
from tests.publishing.samples import HARD, TEXTS

# What the converter makes. Anything else in the tree (an equation from "$", a reference from "@", a label from
# "<x>", a set rule, a function call) came from a contributor's text: an injection.
SAFE = {
    "sequence", "text", "symbol", "space", "parbreak", "linebreak", "smartquote", "strong", "emph", "strike", "raw",
    "link", "footnote", "list", "enum", "item", "quote", "heading", "table", "header", "cell", "line", "block",
}  # fmt: skip


# What an escaped text may become: text, and escaped characters (Typst's "symbol").
PLAIN = {"sequence", "text", "symbol", "space", "smartquote"}


# Typst's own fonts only: looking through the system's for every query would take most of the time.
FONTS = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True)


def tree(markup: str) -> Any:
    source = f"#metadata[{markup}] <out>\n#heading[Target]<item-bulletin-3-1>\n"
    return json.loads(
        typst.query(source.encode(), "<out>", field="value", one=True, font_paths=FONTS, ignore_system_fonts=True)
    )


def nodes(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "func" in node:
            found.append(node)
        for value in node.values():
            found.extend(nodes(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(nodes(value))
    return found


def text_of(node: Any) -> str:
    """The text a reader sees, in order (footnotes included where they are called)."""
    if isinstance(node, list):
        return "".join(text_of(n) for n in node)
    if not isinstance(node, dict):
        return ""
    func = node.get("func")
    if func in ("text", "symbol"):
        return str(node["text"])
    if func == "raw":
        return str(node["text"])
    if func == "space":
        return " "
    if func == "smartquote":
        return '"' if node.get("double", True) else "'"
    if func == "parbreak":
        return "\n\n"
    return "".join(text_of(node[key]) for key in ("body", "children", "child") if key in node)


def funcs(markup: str) -> set[str]:
    return {n["func"] for n in nodes(tree(markup))}


def resolve(ref: CitationRef) -> Citation | None:
    return {
        "bulletin/3/1": Citation("Bulletin No. 3, item 1", "item-bulletin-3-1"),
        "bulletin/2/1": Citation("Bulletin No. 2, item 1"),
    }.get(str(ref))


def converted(text: str) -> typst_markup.Converted:
    return convert(text, anchor="bulletin/3/2", resolve=resolve)


HOSTILE = [
    "#set page(width: 1pt)",
    '#import "@preview/x:0.1.0": *',
    '#read("/etc/passwd")',
    "$ x^2 $",
    "@label and <label>",
    "= Heading",
    "- item",
    "+ item",
    "1. item",
    "/ Term: description",
    "// comment",
    "/* comment */ after",
    "`raw` ```block```",
    "*strong* _emph_",
    "[content] ]] [[",
    "\\ backslash \\u{41}",
    "a -- b --- c ... d ~ e -? f",
    "https://example.org/x",
    "\"quotes\" and 'apostrophes'",
    "#emph[x].field and #emph[x](call)",
    "#{ 1 + 1 } #(1 + 1) #let x = 1",
    "mid#set text(red)word",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_it_escapes_every_character_typst_reads_as_markup(text: str) -> None:
    result = tree(escape(text))

    assert {n["func"] for n in nodes(result)} <= PLAIN
    assert text_of(result) == text


def squeeze(text: str) -> str:
    """Text as typeset: Typst joins runs of spaces into one, and a paragraph's ends are trimmed."""
    return re.sub(" +", " ", text).strip(" ")


_BREAKS = str.maketrans({c: " " for c in "\n\t\r\x0b\x0c\x85\u2028\u2029"})


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(string.printable + "é中بΩж\u00a0\u2028\u2029\x00\x85«»—…"), max_size=40))
def test_no_text_is_read_as_anything_but_text(text: str) -> None:
    result = tree(escape(text))

    assert {n["func"] for n in nodes(result)} <= PLAIN
    # Line breaks are shown as a space, control characters as U+FFFD.
    expected = "".join("\ufffd" if ord(c) < 32 and c not in "\n\t\r\x0b\x0c" else c for c in text.translate(_BREAKS))
    assert squeeze(text_of(result)) == squeeze(expected)


def test_it_keeps_the_hostile_sample_as_text() -> None:
    result = converted(HARD["hostile"][1])
    found = nodes(tree(result.markup))

    assert {n["func"] for n in found} <= SAFE
    assert not [n for n in found if "label" in n]
    shown = text_of(tree(result.markup))
    for part in ("<script>alert(1)</script>", "#set page(width: 1pt)", "$ math $", "@label <label>", '"quotes"'):
        assert part in shown
    assert "[[bulletin/9/9]]" in shown  # an unknown citation stays as written
    assert [n["text"] for n in found if n["func"] == "raw"] == ["code"]
    assert not [n for n in found if n["func"] == "link"]  # javascript: is not a link


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("#$*_@<>[]\\`=-+/~\"'.():;|!^{}1a \n"), max_size=60))
def test_no_markdown_becomes_typst_code(text: str) -> None:
    found = nodes(tree(converted(text).markup))

    assert {n["func"] for n in found} <= SAFE | {"styled"}
    assert all(n["child"]["func"] == "table" for n in found if n["func"] == "styled")
    assert all(n["func"] == "footnote" and n["label"].startswith("<fn-") for n in found if "label" in n)


def test_text_right_after_emphasis_does_not_continue_it() -> None:
    # "#emph[x].field" would read a field and "#emph[x](call)" call a function: the "." and "(" are escaped too.
    markup = converted("*x*.field, *y*(call), **z**[c], `r`.x and *w*;").markup

    assert funcs(markup) <= PLAIN | {"emph", "strong", "raw"}
    assert text_of(tree(markup)) == "x.field, y(call), z[c], r.x and w;"


def test_it_converts_paragraphs_emphasis_and_lists() -> None:
    markup = converted("*a* **b** ~~c~~ `d`\nsoft\\\nhard\n\n- one\n- two\n\n3. three\n4. four\n\n> quoted\n").markup
    found = nodes(tree(markup))
    kinds = [n["func"] for n in found]

    assert {"emph", "strong", "strike", "raw", "linebreak", "list", "enum", "quote"} <= set(kinds)
    assert [n["start"] for n in found if n["func"] == "enum"] == [3]
    assert all(n["tight"] for n in found if n["func"] in ("list", "enum"))
    assert text_of(tree(markup)).startswith("a b c d soft")


def test_its_headings_stay_below_the_items_title_and_out_of_the_contents() -> None:
    found = [n for n in nodes(tree(converted("# One\n\n## Two\n").markup)) if n["func"] == "heading"]

    assert [(n["level"], n["outlined"], n["bookmarked"]) for n in found] == [(2, False, False), (3, False, False)]


def test_footnotes_are_real_footnotes_with_their_text() -> None:
    markup = converted("Said[^a] and said again[^a], noted^[inline *note*].\n\n[^a]: The *note*.\n").markup
    found = [n for n in nodes(tree(markup)) if n["func"] == "footnote"]

    first, again, inline = found
    assert text_of(first["body"]).strip("\u2066\u2069") == "The note."
    assert first["label"] == "<fn-bulletin-3-2-0>"
    assert again["body"] == "<fn-bulletin-3-2-0>"  # the same note, numbered once
    assert "inline note" in text_of(inline["body"])
    assert text_of(tree(markup)).startswith("Said")


def test_a_note_first_called_where_it_cannot_be_shown_is_shown_at_its_next_call() -> None:
    markup = converted("![poster[^1]](x.png) and later[^1] and again[^1].\n\n[^1]: The note.\n").markup
    found = [n for n in nodes(tree(markup)) if n["func"] == "footnote"]

    first, again = found
    assert text_of(first["body"]).strip("\u2066\u2069") == "The note."
    assert again["body"] == "<fn-bulletin-3-2-0>"


def test_footnotes_of_two_texts_do_not_clash() -> None:
    one = convert("A[^1]\n\n[^1]: one\n", anchor="bulletin/3/1").markup
    two = convert("B[^1]\n\n[^1]: two\n", anchor="bulletin/3/2").markup

    pdf = typst.compile(f"{one}\n\n{two}\n".encode(), font_paths=FONTS, ignore_system_fonts=True)

    assert pdf.startswith(b"%PDF")


def test_a_footnote_in_a_right_to_left_text_keeps_its_direction() -> None:
    markup = convert("نص[^1]\n\n[^1]: ملاحظة.\n", anchor="x", direction="rtl").markup
    note = next(n for n in nodes(tree(markup)) if n["func"] == "footnote")

    assert text_of(note["body"]) == "\u2067ملاحظة.\u2069"


def test_citations_link_within_the_edition_and_name_other_issues() -> None:
    markup = converted("See [[bulletin/3/1]], [[bulletin/2/1]] and [[bulletin/9/9]].").markup
    found = nodes(tree(markup))

    links = [n for n in found if n["func"] == "link"]
    assert [(n["dest"], text_of(n["body"])) for n in links] == [("<item-bulletin-3-1>", "Bulletin No. 3, item 1")]
    assert text_of(tree(markup)) == "See Bulletin No. 3, item 1, Bulletin No. 2, item 1 and [[bulletin/9/9]]."


def test_only_web_and_mail_links_are_links() -> None:
    markup = converted(
        "[web](https://example.org/a?b=1) [mail](mailto:x@example.org) [js](javascript:alert(1)) [p](/x)"
    )
    found = [n for n in nodes(tree(markup.markup)) if n["func"] == "link"]

    assert [n["dest"] for n in found] == ["https://example.org/a?b=1", "mailto:x@example.org"]
    assert "js" in text_of(tree(markup.markup)) and "p" in text_of(tree(markup.markup))


def test_an_image_is_never_fetched_but_described() -> None:
    result = converted(HARD["image"][1])

    assert "image(" not in result.markup
    assert "[Image: the poster]" in text_of(tree(result.markup))
    assert "[Image: nothing.png]" in text_of(tree(result.markup))  # no description: its address
    assert [str(n) for n in result.notices] == [
        'the image "https://example.org/missing.png" is not included; its description is shown instead.',
        'the image "nothing.png" is not included; its description is shown instead.',
    ]


def test_an_overlong_word_gets_break_opportunities() -> None:
    result = converted(HARD["unbreakable"][1])

    shown = text_of(tree(result.markup))
    assert shown.replace(typst_markup.ZERO_WIDTH_SPACE, "") == HARD["unbreakable"][1].strip()
    assert all(len(piece) <= typst_markup.BREAK_EVERY for piece in shown.split(typst_markup.ZERO_WIDTH_SPACE)[1:-1])
    assert [str(n) for n in result.notices] == [
        "a word of 1050 characters is longer than a line; it was broken to fit."
    ]


def test_real_words_and_chinese_are_left_whole() -> None:
    text = "Donaudampfschifffahrtsgesellschaftskapitän " + TEXTS["zh"][1].split("[^1]")[0] * 4

    result = converted(text)

    assert typst_markup.ZERO_WIDTH_SPACE not in result.markup
    assert result.notices == []


def test_a_table_is_a_table() -> None:
    result = converted(TEXTS["fr"][1])
    table = next(n for n in nodes(tree(result.markup)) if n["func"] == "table")

    assert len(table["columns"]) == 2
    assert [text_of(c) for c in table["children"][0]["children"]] == ["Mois", "Cotisation"]
    assert [text_of(c) for c in table["children"][1:]] == ["mars", "2 €"]
    assert result.notices == []


def test_a_wide_table_is_set_small() -> None:
    header = "| " + " | ".join(f"h{n}" for n in range(9)) + " |\n|" + " --- |" * 9 + "\n"
    result = converted(header + "| " + " | ".join(f"v{n}" for n in range(9)) + " |\n")
    styled = next(n for n in nodes(tree(result.markup)) if n["func"] == "styled")

    assert styled["child"]["func"] == "table"
    assert [str(n) for n in result.notices] == ["a table of 9 columns is set in small type to fit the page."]


def test_a_table_too_wide_for_the_page_becomes_one_paragraph_per_row() -> None:
    result = converted(HARD["table"][1])
    content = tree(result.markup)

    assert "table" not in {n["func"] for n in nodes(content)}
    shown = text_of(content)
    assert "c0:\u00a0r0c0" in shown and "c39:\u00a0r299c39" in shown  # nothing is lost
    assert [str(n) for n in result.notices] == [
        "a table of 40 columns is too wide for the page; each of its rows is shown as a paragraph instead."
    ]


def test_code_keeps_its_backslashes_and_quotes() -> None:
    text = '```\nprint("a\\\\b") # not a comment\n```\n'

    found = [n for n in nodes(tree(converted(text).markup)) if n["func"] == "raw"]

    assert [n["text"] for n in found] == ['print("a\\\\b") # not a comment']
    assert found[0]["block"] is True


def test_string_literals_escape_quotes_backslashes_and_controls() -> None:
    value = 'a"b\\c\nd\te\x01 #x $y$'
    source = f"#metadata({typst_markup.string(value)}) <v>".encode()

    shown = typst.query(source, "<v>", field="value", one=True, font_paths=FONTS, ignore_system_fonts=True)

    assert json.loads(shown) == value
