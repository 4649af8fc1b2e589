"""The email edition: its HTML and text parts, their links, what they must never hold, and the message built from
them."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail

from liaison.publishing.renderers import email, web
from tests.publishing.samples import edition

SITE = "https://liaison.example.org"
EDITION = f"{SITE}/editions/bulletin/3/en/"


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = SITE


class Tags(HTMLParser):
    """Every start tag with its attributes, to check what the HTML part holds."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def parts(data: Any = None) -> tuple[str, str]:
    files = email.render(data or edition("en")).files
    return files["bulletin-3-en.email.html"].decode(), files["bulletin-3-en.email.txt"].decode()


def test_it_renders_an_html_part_and_a_text_part() -> None:
    rendered = email.render(edition("en"))

    assert sorted(rendered.files) == ["bulletin-3-en.email.html", "bulletin-3-en.email.txt"]
    assert rendered.media_types == {
        "bulletin-3-en.email.html": "text/html; charset=utf-8",
        "bulletin-3-en.email.txt": "text/plain; charset=utf-8",
    }
    assert rendered.warnings == []


def test_both_parts_hold_every_item_with_its_section_and_an_excerpt() -> None:
    html, text = parts()

    for part in (html, text):
        for title in ("Workers of the port", "Рабочие порта", "港口工人", "عمال الميناء"):
            assert title in part
        assert "Русская секция" in part
        assert "The dockers" in part  # the excerpt
        assert "In the hall of the union" not in part  # footnotes are not excerpted
    assert "1. Workers of the port\n   Section française · Jean Rives · report\n   The dockers' union" in text


def test_every_link_is_absolute_and_leads_to_the_edition() -> None:
    data = edition("en")
    html, text = parts(data)

    hrefs = [attrs["href"] for tag, attrs in tags(html) if tag == "a"]
    assert hrefs and all(href and href.startswith(EDITION) for href in hrefs)
    expected = {EDITION + "index.html", EDITION + "bulletin-3-en.pdf", EDITION + "bulletin-3-en.epub"}
    expected |= {EDITION + f"items/{item.position}.html" for item in data.items}
    assert set(hrefs) == expected
    for url in expected:
        assert url in text


def test_its_links_are_where_the_web_edition_puts_its_pages() -> None:
    data = edition("en")
    pages = set(web.render(data).files)

    html, _text = parts(data)

    linked = {attrs["href"] for tag, attrs in tags(html) if tag == "a"}
    pages_linked = {href.removeprefix(EDITION) for href in linked if href and href.endswith(".html")}
    assert pages_linked and pages_linked <= pages


def test_it_links_only_to_the_formats_present() -> None:
    html = email.render(edition("en"), formats_present=("pdf",)).files["bulletin-3-en.email.html"].decode()

    assert "bulletin-3-en.pdf" in html
    assert "bulletin-3-en.epub" not in html


def test_it_fetches_nothing_when_opened() -> None:
    html, _text = parts(edition("en", ("en", "image", "hostile")))

    found = tags(html)
    assert not [tag for tag, _attrs in found if tag in {"img", "script", "link", "iframe", "object", "style"}]
    assert not [attrs for _tag, attrs in found if "src" in attrs or "background" in attrs]
    assert "url(" not in html  # no stylesheet fetching a background or a font
    assert "<img" not in html and "<script" not in html


def test_hostile_text_stays_inert() -> None:
    html, text = parts(edition("en", ("hostile",)))

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not any(
        (name.startswith("on") or (value or "").startswith("javascript:"))
        for _tag, attrs in tags(html)
        for name, value in attrs.items()
    )
    assert "javascript:" not in html.replace("[x](javascript:alert(2))", "")  # only as visible text
    assert "<script>alert(1)</script>" in text  # plain text: shown, never run


def test_it_is_written_right_to_left_in_arabic() -> None:
    data = edition("ar", ("ar", "en"))

    html = email.render(data).files["bulletin-3-ar.email.html"].decode()

    assert '<html lang="ar" dir="rtl">' in html
    # An English item in the Arabic edition is marked as such.
    assert [attrs.get("dir") for tag, attrs in tags(html) if tag == "h3" and attrs.get("lang") == "en"] == ["ltr"]


def test_an_arabic_item_in_another_edition_keeps_its_direction() -> None:
    html, _text = parts(edition("en", ("en", "ar")))

    assert '<html lang="en" dir="ltr">' in html
    assert [attrs["dir"] for tag, attrs in tags(html) if tag in {"h3", "p"} and attrs.get("lang") == "ar"] == [
        "rtl",
        "rtl",
    ]


def test_its_words_are_in_the_editions_language() -> None:
    html = email.render(edition("fr", ("fr",))).files["bulletin-3-fr.email.html"].decode()

    assert '<html lang="fr" dir="ltr">' in html
    assert "20 mars 2030" in html


def test_excerpts_are_short_and_cut_after_a_word() -> None:
    data = edition("en", ("unbreakable", "table"))
    words = dataclasses.replace(data.items[0], body="word " * 200)

    unbreakable = email.excerpt(data.items[0], data)
    cut = email.excerpt(words, data)

    assert len(unbreakable) == email.EXCERPT_CHARS + 1 and unbreakable.endswith("…")
    assert cut.endswith("word…") and len(cut) <= email.EXCERPT_CHARS + 1
    assert email.excerpt(data.items[1], data) == ""  # a table is not excerpted


def test_a_corrected_edition_says_so() -> None:
    data = edition("en", ("en",), version=2, correction="The date of the assembly was wrong.")

    html, text = parts(data)

    assert email.subject(data) == "Bulletin No. 3 (corrected edition)"
    for part in (html, text):
        assert "Corrected edition (version 2)" in part
        assert "The date of the assembly was wrong." in part


def test_an_internal_bulletin_tells_its_readers_to_log_in() -> None:
    html, text = parts(edition("en", ("en",), public=False))

    assert "the links ask you to log in" in html
    assert "the links ask you to log in" in text
    assert "the links ask you to log in" not in parts(edition("en", ("en",)))[0]


def test_its_bytes_are_the_same_every_time() -> None:
    assert email.render(edition("en")).files == email.render(edition("en")).files


def test_it_builds_the_message_from_the_published_files(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    files = email.render(edition("ar", ("ar", "en"))).files

    message = email.message_from_files(files, to=["reader@example.org"], from_email="bulletin@example.org")
    message.send()

    (sent,) = mail.outbox
    assert sent.subject == "Bulletin No. 3"
    assert sent.to == ["reader@example.org"]
    assert sent.body == files["bulletin-3-ar.email.txt"].decode()
    assert sent.alternatives[0][0] == files["bulletin-3-ar.email.html"].decode()  # type: ignore[attr-defined]
    assert sent.alternatives[0][1] == "text/html"  # type: ignore[attr-defined]
    assert sent.extra_headers["Content-Language"] == "ar"
    raw = sent.message().as_bytes()
    assert b"multipart/alternative" in raw and b"text/plain" in raw and b"text/html" in raw


def test_the_message_for_an_edition_is_the_same_as_from_its_files() -> None:
    data = edition("en", version=2, correction="Fixed.")

    message = email.edition_message(data, to=["reader@example.org"])

    assert message.subject == "Bulletin No. 3 (corrected edition)"
    assert message.body == email.render(data).files["bulletin-3-en.email.txt"].decode()


def test_a_message_needs_both_parts() -> None:
    files = email.render(edition("en")).files
    del files["bulletin-3-en.email.txt"]

    with pytest.raises(ValueError):
        email.message_from_files(files, to=["reader@example.org"])
