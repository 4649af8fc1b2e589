"""Contributions' Markdown: whatever a text holds, the HTML a reader gets has no script, no event handler and no
``javascript:`` or ``data:`` URL; hostile shapes (deep nesting, huge or broken text) are refused with a message."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.editorial import markdown, services
from liaison.editorial.markdown import ALLOWED_TAGS, CitationRef, citations_in, render
from liaison.errors import LiaisonError
from tests.editorial.fixtures_core import bulletin, write

__all__ = ["bulletin"]


class Collect(HTMLParser):
    """Every tag and attribute of a fragment, with character references decoded as a browser would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


SAFE_URL = re.compile(r"^(https?:|mailto:|#|/|[^:/?#]*(?:[/?#]|$))", re.IGNORECASE)


def assert_safe(html: str) -> None:
    assert "<script" not in html.lower()
    parser = Collect()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert not name.lower().startswith("on"), (tag, name)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                url = "".join((value or "").split()).lower()
                assert not url.startswith(("javascript:", "data:", "vbscript:")), url
                assert SAFE_URL.match(url), url


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)" onclick="alert(2)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;avascript&colon;alert(1))",
    "[click](java\tscript:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](<javascript:alert(1)>)",
    "<javascript:alert(1)>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](DATA:image/svg+xml,<svg onload=alert(1)>)",
    "[x](vbscript:msgbox(1))",
    '[x](http://ok.example "title" onmouseover=alert(1))',
    "[ref]: javascript:alert(1)\n\n[ref]",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<iframe src=//evil.example></iframe>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<a href=x onfocus=alert(1) autofocus>",
    "`<script>` in code and ```\n<script>\n```",
    "Text[^1]\n\n[^1]: <script>alert(1)</script> [x](javascript:alert(1))",
    "| a | b |\n|---|---|\n| <script> | [x](javascript:1) |",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_neutralised(text: str) -> None:
    html = render(text)
    assert_safe(html)


def test_raw_html_is_shown_as_text() -> None:
    assert render("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


fragments = st.sampled_from(
    [
        "<script>",
        "</script>",
        "<scr",
        "ipt>",
        "javascript:",
        "JaVaScRiPt:",
        "&#106;",
        "&#x6a;",
        "&#0000106",
        "avascript:",
        "data:",
        "DaTa:text/html,",
        " onerror=",
        " onclick=",
        "<img src=x",
        "<a href=",
        "[",
        "]",
        "(",
        ")",
        "![",
        "<",
        ">",
        '"',
        "'",
        "`",
        "\n",
        "\n\n",
        "- ",
        "> ",
        "1. ",
        "[^1]",
        "[^1]: ",
        "[[bulletin/1/1]]",
        "*",
        "_",
        "#",
        "|",
        "\\",
        "\x00",
        "\t",
        "http://x.example/",
        "mailto:",
        "&",
        ";",
        ":",
    ]
)
hostile_text = st.lists(st.one_of(fragments, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(hostile_text)
def test_no_text_renders_unsafe_html(text: str) -> None:
    html = render(text, doc_id="c1", resolve=lambda ref: ("/x/", "Bulletin No. 1, item 1"))
    assert_safe(html)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_renders_without_error(text: str) -> None:
    assert_safe(render(text))
    citations_in(text)
    markdown.estimate_pages(text)
    markdown.too_deep(text)


@pytest.mark.parametrize("opening", ["- ", "> ", "1. ", "* > "])
def test_ten_thousand_levels_of_nesting_render_and_are_refused_on_save(world: Any, bulletin: Any, opening: str) -> None:
    text = opening * 10_000 + "deep"
    html = render(text)
    assert len(html) < 10_000
    assert markdown.too_deep(text)
    with pytest.raises(LiaisonError, match="nested too deeply") as refused:
        write(world, bulletin, body=text)
    assert refused.value.field == "body"


def test_ordinary_nesting_is_fine(world: Any, bulletin: Any) -> None:
    text = "\n".join("  " * level + "- item" for level in range(8)) + "\n\n> > > a quote in a quote"
    assert not markdown.too_deep(text)
    write(world, bulletin, body=text)


def test_deep_inline_nesting_renders() -> None:
    assert_safe(render("[" * 10_000 + "x" + "](u)" * 10_000))
    assert_safe(render("*" * 10_000 + "x" + "*" * 10_000))


def test_a_two_megabyte_body_is_refused_with_a_clear_message(world: Any, bulletin: Any) -> None:
    with pytest.raises(
        LiaisonError, match=r"2,000,000 characters, where a contribution has at most 200,000"
    ) as refused:
        write(world, bulletin, body="a" * 2_000_000)
    assert refused.value.field == "body"


def test_a_nul_character_is_refused(world: Any, bulletin: Any) -> None:
    with pytest.raises(LiaisonError, match="NUL"):
        write(world, bulletin, body="before\x00after")
    with pytest.raises(LiaisonError, match="title"):
        write(world, bulletin, title="a\x00b")
    assert "\x00" not in render("before\x00after")


def test_broken_unicode_is_refused_and_never_breaks_rendering(world: Any, bulletin: Any) -> None:
    with pytest.raises(LiaisonError, match="broken Unicode"):
        write(world, bulletin, body="half a pair: \ud800")
    assert_safe(render("half a pair: \ud800"))


def test_an_upload_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(LiaisonError, match="not UTF-8 text \\(byte 4"):
        services.text_from_upload(b"caf\xc3 au lait")
    assert services.text_from_upload("\ufeffcafé".encode()) == "café"
    with pytest.raises(LiaisonError, match="too large"):
        services.text_from_upload(b"a" * (markdown.MAX_BODY_CHARS * 4 + 1))


def test_empty_texts_and_titles_are_refused(world: Any, bulletin: Any) -> None:
    with pytest.raises(LiaisonError, match="empty"):
        write(world, bulletin, body=" \n\t ")
    with pytest.raises(LiaisonError, match="title"):
        write(world, bulletin, title="   ")
    with pytest.raises(LiaisonError, match="language"):
        services.create_contribution(
            world.actor("corr_a"),
            section=world.section_a,
            periodical=bulletin,
            title="T",
            language="klingon",
            kind="report",
            body="x",
        )


def test_citations_inside_code_are_not_citations() -> None:
    text = "See [[bulletin/1/2]], not `[[bulletin/9/9]]`.\n\n```\n[[bulletin/8/8]]\n```\n\n    [[bulletin/7/7]]\n"
    assert citations_in(text) == [CitationRef("bulletin", 1, 2)]
    html = render(text)
    assert "<code>[[bulletin/9/9]]</code>" in html


def test_citations_are_listed_once_in_order() -> None:
    assert citations_in("[[b/2/1]] [[a/1/1]] [[b/2/1]] *[[c/3/3]]*") == [
        CitationRef("b", 2, 1),
        CitationRef("a", 1, 1),
        CitationRef("c", 3, 3),
    ]


def test_footnote_ids_are_prefixed_per_document() -> None:
    text = "Claim.[^1]\n\n[^1]: The source."
    first, second = render(text, doc_id="c1"), render(text, doc_id="c2")
    ids = re.compile(r'id="([^"]+)"')
    assert set(ids.findall(first)) == {"fnref-c1-1", "fn-c1-1"}
    assert set(ids.findall(second)) == {"fnref-c2-1", "fn-c2-1"}
    assert 'href="#fn-c1-1"' in first and 'href="#fnref-c1-1"' in first


def test_images_become_links() -> None:
    html = render("![The poster](https://example.org/poster.png)")
    assert "<img" not in html
    assert '<a class="image-link" href="https://example.org/poster.png"' in html and "The poster" in html


def test_pages_are_estimated_to_the_quarter() -> None:
    assert markdown.estimate_pages("one") == markdown.Decimal("0.25")
    assert markdown.estimate_pages(" ".join(["w"] * 500)) == 1
    assert markdown.estimate_pages(" ".join(["w"] * 501)) == markdown.Decimal("1.25")


def test_texts_without_spaces_are_estimated_by_their_characters() -> None:
    assert markdown.estimate_pages("学" * 1000) == 1
    assert markdown.estimate_pages("学" * 1002) == markdown.Decimal("1.25")
