"""Reading what a reader typed, and making texts safe to show: no database needed."""

from __future__ import annotations

import pytest
from django.utils.safestring import SafeString

from liaison.errors import LiaisonError
from liaison.search.backends import PostgresBackend, SQLiteBackend, config_for, stems
from liaison.search.query import MAX_CHARS, MAX_TERMS, parse
from liaison.search.text import START, STOP, highlight, plain_text, render_marked, snippet


def test_it_reads_words_in_any_script() -> None:
    query = parse("Grève générale, Забастовка! إضراب")
    assert query.terms == (("grève",), ("générale",), ("забастовка",), ("إضراب",))
    assert query.substrings == ()


def test_it_reads_a_phrase_between_double_quotes() -> None:
    query = parse('"general strike" union')
    assert query.terms == (("general", "strike"), ("union",))


def test_it_looks_for_chinese_as_substrings() -> None:
    query = parse("码头工人 strike 罢工")
    assert query.terms == (("strike",),)
    assert query.substrings == ("码头工人", "罢工")


def test_it_cuts_a_word_where_chinese_begins() -> None:
    assert parse("工会strike").terms == (("strike",),)
    assert parse("工会strike").substrings == ("工会",)


def test_it_ignores_operators_and_syntax() -> None:
    query = parse('strike AND (union OR "dock*") NEAR -fund: ^x')
    assert query.terms == (("strike",), ("union",), ("dock",), ("fund",), ("x",))


def test_it_keeps_each_word_once() -> None:
    assert parse("Strike strike STRIKE").terms == (("strike",),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type the words you are looking for."),
        ("   \t\n", "Type the words you are looking for."),
        ('" * : ^ ( ) - "', "Type words to search for"),
        ("AND OR NOT NEAR", "Type words to search for"),
        ("🙂 ★ ✊", "Type words to search for"),
        ("x" * (MAX_CHARS + 1), f"at most {MAX_CHARS} characters"),
        ("strike" * 2000, f"at most {MAX_CHARS} characters"),
        ("strike\x00", "NUL"),
        (" ".join(f"w{n}" for n in range(MAX_TERMS + 1)), f"at most {MAX_TERMS} words"),
    ],
)
def test_it_refuses_what_cannot_be_searched_for(text: str, message: str) -> None:
    with pytest.raises(LiaisonError) as refused:
        parse(text)
    assert message in str(refused.value.message)
    assert refused.value.field == "q"


def test_sqlite_queries_quote_every_word_and_add_stems_as_prefixes() -> None:
    match = SQLiteBackend()._match(parse('забастовки "general strike" of'))
    assert match.startswith('("забастовки"* OR "забастовк"*')
    assert match.endswith(' AND "general strike" AND "of"')


def test_postgres_queries_quote_every_lexeme() -> None:
    assert PostgresBackend()._tsquery(parse('strikes "general strike" of')) == (
        "'strikes':* & ('general' <-> 'strike') & 'of'"
    )


def test_stems_reach_other_forms_of_a_word() -> None:
    assert "забастовк" in stems("забастовки")
    assert "strike" in stems("strikes")
    assert "grev" in stems("grèves")
    assert stems("xyz") == ["xyz"]


def test_each_language_has_its_text_search_configuration() -> None:
    assert [config_for(code) for code in ("en", "fr", "de", "ru", "es", "pt-BR", "zh", "ar", "xx")] == [
        "english",
        "french",
        "german",
        "russian",
        "spanish",
        "portuguese",
        "simple",
        "simple",
        "simple",
    ]


def test_marked_text_is_escaped_except_for_the_marks() -> None:
    html = render_marked(f'<script>alert("x")</script> {START}grève{STOP} & <b>co</b>')
    assert isinstance(html, SafeString)
    assert html == '&lt;script&gt;alert("x")&lt;/script&gt; <mark>grève</mark> &amp; &lt;b&gt;co&lt;/b&gt;'


def test_a_stray_mark_does_no_harm() -> None:
    assert render_marked(f"a{STOP}b{START}c") == "abc"


def test_substrings_are_marked_beside_the_database_marks() -> None:
    assert (
        render_marked(f"码头工人罢工 {START}strike{STOP}", ["罢工"]) == "码头工人<mark>罢工</mark> <mark>strike</mark>"
    )


def test_a_snippet_is_a_window_around_the_first_word_found() -> None:
    text = "word " * 100 + "罢工 <b> " + "more " * 100
    html = snippet(text, ["罢工"], width=60)
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>罢工</mark> &lt;b&gt;" in html
    assert len(html) < 120


def test_a_title_is_highlighted_whole() -> None:
    assert highlight("Strike <now>", ["strike"]) == "<mark>Strike</mark> &lt;now&gt;"


def test_plain_text_is_the_words_a_reader_reads() -> None:
    source = (
        "# Title\n\nSome *emphasis*[^1] and <script>x</script> \ue000forged\ue001.\n\n- one\n- two\n\n[^1]: A note.\n"
    )
    text = plain_text(source)
    assert text.splitlines() == ["Title", "Some emphasis[1] and <script>x</script> forged.", "one", "two", "A note."]
    assert "↩" not in text


def test_plain_text_names_citations_by_their_labels() -> None:
    text = plain_text("As said in [[bulletin/1/2]] and [[other/9/9]].", lambda ref: ("#", "Bulletin No. 1, item 2"))
    assert text == "As said in Bulletin No. 1, item 2 and Bulletin No. 1, item 2."
    assert plain_text("See [[other/9/9]].", lambda ref: None) == "See [[other/9/9]]."
