"""The web renderer: an edition's cover and item pages in every script, with lang and dir, relative citations,
footnotes, backlinks, language links, the correction note, hostile text inert, and the same bytes every time.

These tests have no database: the renderer must not touch it (pytest-django refuses any query here)."""

from __future__ import annotations

import dataclasses
import posixpath
from html.parser import HTMLParser

import pytest

from liaison.publishing.edition import CitationTarget, EditionData
from liaison.publishing.renderers import Rendered, Unlinkable, web
from tests.publishing import samples

ALL = tuple(samples.TEXTS) + tuple(samples.HARD)


def n(script: str) -> int:
    """The position of the item written in ``script`` (or of that hard case) in the ``full`` edition."""
    return ALL.index(script) + 1


@dataclasses.dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


class Page(HTMLParser):
    """A page parsed into its elements (each with the text directly inside it), for assertions on structure."""

    def __init__(self, html: bytes) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.feed(html.decode("utf-8"))
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag not in ("meta", "link", "br", "hr", "img", "input"):
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e for e in self.elements if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def hrefs(self) -> list[str]:
        return [e.attrs["href"] for e in self.elements if "href" in e.attrs]

    def ids(self) -> set[str]:
        return {e.attrs["id"] for e in self.elements if "id" in e.attrs}


@pytest.fixture(scope="module")
def full() -> Rendered:
    """An English edition with an item in every script and every hard case."""
    return web.render(samples.edition("en", ALL))


def page(rendered: Rendered, path: str) -> Page:
    return Page(rendered.files[path])


def test_it_renders_a_cover_an_item_page_each_and_a_stylesheet(full: Rendered) -> None:
    assert set(full.files) == {"index.html", "style.css"} | {f"items/{n}.html" for n in range(1, len(ALL) + 1)}
    assert full.media_types["index.html"] == "text/html; charset=utf-8"
    assert full.media_types["style.css"] == "text/css; charset=utf-8"
    cover = page(full, "index.html")
    assert [e.attrs["href"] for e in cover.find("a") if e.attrs["href"].startswith("items/")] == [
        f"items/{n}.html" for n in range(1, len(ALL) + 1)
    ]
    text = full.files["index.html"].decode()
    for expected in ("International Federation of Labour Education Circles", "Bulletin No. 3", "March 20, 2030"):
        assert expected in text
    # Each entry of the contents: label, title, signature and section.
    assert "Bulletin No. 3, item 3" in text and "Рабочие порта" in text and "Иван" in text and "Русская секция" in text


def test_it_shows_every_script(full: Rendered) -> None:
    for position, script in enumerate(ALL, start=1):
        title, _body = samples.TEXTS.get(script) or samples.HARD[script]
        html = full.files[f"items/{position}.html"].decode()
        assert f"<h1>{title}</h1>" in html
    assert "Профсоюз докеров" in full.files[f"items/{n('ru')}.html"].decode()
    assert "码头工人工会" in full.files[f"items/{n('zh')}.html"].decode()
    assert "اجتمعت نقابة عمال الرصيف" in full.files[f"items/{n('ar')}.html"].decode()
    assert "Η ένωση των λιμενεργατών" in full.files[f"items/{n('el')}.html"].decode()


def test_it_marks_each_text_with_its_language_and_direction(full: Rendered) -> None:
    cover = page(full, "index.html")
    (html,) = cover.find("html")
    assert html.attrs == {"lang": "en", "dir": "ltr"}
    arabic = cover.find("a", href=f"items/{n('ar')}.html")[0]
    assert (arabic.attrs["lang"], arabic.attrs["dir"]) == ("ar", "rtl")
    item = page(full, f"items/{n('ar')}.html")
    (article,) = item.find("article")
    assert (article.attrs["lang"], article.attrs["dir"]) == ("ar", "rtl")
    # The interface's words around it stay in the edition's language and direction.
    assert item.find("p", **{"class": "label"})[0].attrs["dir"] == "ltr"
    (russian,) = page(full, f"items/{n('ru')}.html").find("article")
    assert (russian.attrs["lang"], russian.attrs["dir"]) == ("ru", "ltr")


def test_an_arabic_edition_is_right_to_left_throughout() -> None:
    rendered = web.render(samples.edition("ar", ("ar", "en")))
    for path in ("index.html", "items/1.html", "items/2.html"):
        (html,) = page(rendered, path).find("html")
        assert html.attrs == {"lang": "ar", "dir": "rtl"}
    (english,) = page(rendered, "items/2.html").find("article")
    assert (english.attrs["lang"], english.attrs["dir"]) == ("en", "ltr")
    # The stylesheet uses logical sides, so the same rules serve both directions.
    css = rendered.files["style.css"].decode()
    assert "inline-start" in css and "left" not in css and "right" not in css


def test_it_keeps_hostile_text_inert(full: Rendered) -> None:
    for path, content in full.files.items():
        if not path.endswith(".html"):
            continue
        parsed = Page(content)
        assert not parsed.find("script") and not parsed.find("img") and not parsed.find("iframe"), path
        assert not parsed.find("style"), path  # the site's Content-Security-Policy forbids inline styles
        for element in parsed.elements:
            for name, value in element.attrs.items():
                assert not name.startswith("on"), (path, element)
                assert name != "style", (path, element)
                assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:")), (path, element)
    hostile = full.files[f"items/{n('hostile')}.html"].decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile  # shown as text, not run
    assert '<span class="citation unknown">[[bulletin/9/9]]</span>' in hostile


def test_it_escapes_names_and_titles() -> None:
    data = samples.edition("en", ("en",))
    hostile = dataclasses.replace(
        data.items[0], title="<script>alert(1)</script>", section='"><b onclick=x>', signature="<i>me</i>"
    )
    rendered = web.render(dataclasses.replace(data, items=(hostile,), periodical="<em>P</em>"))
    for content in rendered.files.values():
        assert b"<script>" not in content and b"<b onclick" not in content and b"<em>P" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.files["items/1.html"].decode()


def test_it_gives_the_same_bytes_every_time() -> None:
    first = web.render(samples.edition("fr", ALL))
    second = web.render(samples.edition("fr", ALL))
    assert first.files == second.files
    assert list(first.files) == sorted(first.files)
    assert web.render(samples.big_edition(60)).files == web.render(samples.big_edition(60)).files


def test_it_links_citations_within_the_edition_and_to_other_issues(full: Rendered) -> None:
    english = page(full, "items/1.html")  # cites bulletin/3/2, in this issue
    (citation,) = english.find("a", **{"class": "citation"})
    assert citation.attrs["href"] == "2.html" and citation.text == "Bulletin No. 3, item 2"
    russian = page(full, f"items/{n('ru')}.html")  # cites bulletin/2/1, an earlier issue
    (earlier,) = russian.find("a", **{"class": "citation"})
    assert earlier.attrs["href"] == "../../../2/en/items/1.html"
    # From editions/bulletin/3/en/items/ that is editions/bulletin/2/en/items/1.html: the same language's edition.
    assert posixpath.normpath(posixpath.join("editions/bulletin/3/en/items", earlier.attrs["href"])) == (
        "editions/bulletin/2/en/items/1.html"
    )


def test_it_links_a_citation_of_another_periodical_from_the_root_of_the_editions() -> None:
    data = samples.edition("en", ("en",))
    item = dataclasses.replace(data.items[0], body="See [[circle-news/12/4]] and [[circle-news/12/5]].")
    target = CitationTarget("circle-news/12/4", "Circle News No. 12, item 4", "circle-news", 12, 4, "Title", False)
    rendered = web.render(dataclasses.replace(data, items=(item,), citations={"circle-news/12/4": target}))
    html = rendered.files["items/1.html"].decode()
    href = "../../../../circle-news/12/en/items/4.html"
    assert f'href="{href}"' in html
    resolved = posixpath.normpath(posixpath.join("editions/bulletin/3/en/items", href))
    assert resolved == "editions/circle-news/12/en/items/4.html"
    assert '<span class="citation unknown">[[circle-news/12/5]]</span>' in html  # an item the data does not know


def test_footnotes_link_within_their_page(full: Rendered) -> None:
    for position in range(1, len(ALL) + 1):
        parsed = page(full, f"items/{position}.html")
        fragments = [href[1:] for href in parsed.hrefs() if href.startswith("#")]
        assert set(fragments) <= parsed.ids(), position
    english = page(full, "items/1.html")
    assert english.find("li", id="fn-item-1-1", **{"class": "footnote-item"})
    assert english.find("a", href="#fn-item-1-1")


def test_it_lists_what_cites_an_item() -> None:
    rendered = web.render(samples.edition("fr", ("fr", "en", "ru")))
    item = page(rendered, "items/2.html")
    (section,) = item.find("section", **{"class": "backlinks"})
    assert "Cité par" in section.text  # in the edition's language
    assert item.find("a", href="1.html")
    assert not page(rendered, "items/3.html").find("section", **{"class": "backlinks"})


def test_it_links_the_previous_and_next_items(full: Rendered) -> None:
    first = page(full, "items/1.html")
    assert not first.find("a", rel="prev") and first.find("a", rel="next")[0].attrs["href"] == "2.html"
    last = page(full, f"items/{len(ALL)}.html")
    assert last.find("a", rel="prev")[0].attrs["href"] == f"{len(ALL) - 1}.html" and not last.find("a", rel="next")
    assert first.find("a", href="../index.html")


def test_it_links_the_edition_in_the_other_languages() -> None:
    rendered = web.render(dataclasses.replace(samples.edition("en", ("en", "ru")), other_languages=("ru", "en", "ar")))
    cover = page(rendered, "index.html")
    links = [
        (e.attrs["href"], e.attrs["lang"], e.attrs["dir"], e.text) for e in cover.find("a") if "hreflang" in e.attrs
    ]
    assert links == [("../ar/index.html", "ar", "rtl", "العربية"), ("../ru/index.html", "ru", "ltr", "Русский")]
    item = page(rendered, "items/2.html")
    assert [e.attrs["href"] for e in item.find("a") if "hreflang" in e.attrs] == [
        "../../ar/items/2.html",
        "../../ru/items/2.html",
    ]
    alone = dataclasses.replace(samples.edition("en", ("en",)), other_languages=())
    assert not page(web.render(alone), "index.html").find("nav", **{"class": "languages"})


def test_it_speaks_the_editions_language() -> None:
    rendered = web.render(samples.edition("fr", ("fr",)))
    cover = rendered.files["index.html"].decode()
    assert "20 mars 2030" in cover and "Sommaire" in cover


def test_it_says_who_translated_an_item_from_which_language() -> None:
    data = samples.edition("en", ("en", "fr"))
    translated = dataclasses.replace(data.items[1], translated=True, translator="Marta Lectora", original_language="ru")
    rendered = web.render(dataclasses.replace(data, items=(data.items[0], translated)))
    assert "Translated from Russian by Marta Lectora" in rendered.files["items/2.html"].decode()
    assert "Translated" not in rendered.files["items/1.html"].decode()


def test_a_corrected_edition_says_what_it_corrects() -> None:
    corrected = web.render(samples.edition("en", ("en",), version=2, correction="The date of the meeting was wrong."))
    cover = page(corrected, "index.html")
    (note,) = cover.find("aside", **{"class": "correction"})
    assert "version 2" in note.text and "The date of the meeting was wrong." in note.text
    assert not page(web.render(samples.edition("en", ("en",))), "index.html").find("aside")


def test_it_links_the_other_formats_it_is_told_of() -> None:
    rendered = web.render(samples.edition("fr", ("fr",)), formats_present=["web", "epub", "pdf"])
    cover = page(rendered, "index.html")
    assert [e.attrs["href"] for e in cover.find("a") if "download" in e.attrs] == [
        "bulletin-3-fr.pdf",
        "bulletin-3-fr.epub",
    ]
    assert not page(web.render(samples.edition("fr", ("fr",))), "index.html").find("section", **{"class": "downloads"})


def test_a_relative_link_written_in_a_text_is_shown_as_text_with_a_warning() -> None:
    data = samples.edition("en", ("image",))
    item = dataclasses.replace(
        data.items[0], body=data.items[0].body + "\n[notes](../notes.html) [site](https://example.org/) [top](#top)\n"
    )
    rendered = web.render(dataclasses.replace(data, items=(item,)))
    hrefs = page(rendered, "items/1.html").hrefs()
    assert "https://example.org/missing.png" in hrefs and "https://example.org/" in hrefs
    assert not {"nothing.png", "../notes.html", "#top"} & set(hrefs)
    html = rendered.files["items/1.html"].decode()
    assert ">notes</a>" in html  # the words stay
    assert len(rendered.warnings) == 3 and all("item 1" in w for w in rendered.warnings)
    assert any("“nothing.png”" in w for w in rendered.warnings)


def test_hard_texts_render_without_failing(full: Rendered) -> None:
    table = full.files[f"items/{n('table')}.html"].decode()
    assert table.count("<tr>") == 301
    word = full.files[f"items/{n('unbreakable')}.html"].decode()
    assert "Arbeiterbildungsvereinsvorsitzender" * 30 in word
    # The browser breaks the word and scrolls the table: the stylesheet says so.
    css = full.files["style.css"].decode()
    assert "overflow-wrap: anywhere" in css and "overflow-x: auto" in css


def test_it_needs_nothing_from_elsewhere(full: Rendered) -> None:
    for path, content in full.files.items():
        if path.endswith(".html"):
            parsed = Page(content)
            (stylesheet,) = parsed.find("link", rel="stylesheet")
            assert stylesheet.attrs["href"] == ("style.css" if path == "index.html" else "../style.css")
    assert b"http" not in full.files["style.css"] and b"@import" not in full.files["style.css"]


def test_an_empty_edition_still_has_a_cover() -> None:
    data: EditionData = dataclasses.replace(samples.edition("en", ("en",)), items=(), citations={})
    rendered = web.render(data)
    assert set(rendered.files) == {"index.html", "style.css"}
    assert "This edition has no items." in rendered.files["index.html"].decode()


# Relinking: the language links of pages already published ------------------------------------------------------

TRANSITIONS = [((), ("fr",)), (("fr",), ("fr", "ru", "zh")), (("fr", "ru"), ("ru",)), (("ar", "fr"), ())]


@pytest.mark.parametrize(("before", "after"), TRANSITIONS)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_relinked_pages_are_the_pages_a_fresh_render_gives(
    language: str, before: tuple[str, ...], after: tuple[str, ...]
) -> None:
    data = samples.edition(language, ALL)
    published = web.render(dataclasses.replace(data, other_languages=before), formats_present=["pdf"])
    fresh = web.render(dataclasses.replace(data, other_languages=after), formats_present=["pdf"])

    changed = web.relink(published.files, language=language, before=before, after=after)

    assert set(changed) == {name for name in published.files if name.endswith(".html")}
    assert {**published.files, **changed} == fresh.files


def test_relinking_to_the_same_languages_changes_nothing() -> None:
    published = web.render(samples.edition("en", ("en", "fr")))
    assert web.relink(published.files, language="en", before=("ru", "fr", "en"), after=("fr", "ru")) == {}


def test_relinking_a_page_rendered_with_other_languages_is_refused() -> None:
    published = web.render(dataclasses.replace(samples.edition("en", ("en", "fr")), other_languages=("fr",)))
    with pytest.raises(Unlinkable) as refused:
        web.relink(published.files, language="en", before=("ru",), after=("fr", "ru"))
    assert str(refused.value) == "index.html"
    # A page that is not one of the edition's, or not this renderer's, is refused too.
    with pytest.raises(Unlinkable):
        web.relink({"notes.html": b"<p>hi</p>"}, language="en", before=(), after=("fr",))
    with pytest.raises(Unlinkable):
        web.relink({"index.html": b"<p>hi</p>"}, language="en", before=(), after=("fr",))


def test_a_text_cannot_pass_for_the_language_links() -> None:
    """The markers of the language regions cannot come from a text; the region after the body is the one relinked."""
    data = samples.edition("en", ("en",))
    marker = "<!--languages--><!--/languages-->"
    hostile = dataclasses.replace(
        data.items[0],
        title=marker,
        body=f'[x](https://example.org/ "{marker}") <span title="{marker}">{marker}</span>\n\n```\n{marker}\n```\n',
    )
    data = dataclasses.replace(data, items=(hostile,), other_languages=())
    published = web.render(data)
    pages = [content for name, content in published.files.items() if name.endswith(".html")]
    assert all(content.count(b"<!--languages-->") == 1 for content in pages)

    changed = web.relink(published.files, language="en", before=(), after=("fr",))

    assert {**published.files, **changed} == web.render(dataclasses.replace(data, other_languages=("fr",))).files
