"""The EPUB 3 renderer: valid for epubcheck in every script, byte-identical on rebuild, navigable, with EPUB notes,
citations between the book's files, right-to-left Arabic, hard texts degraded with a warning, hostile text inert."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from liaison.publishing.renderers import Rendered, epub
from tests.helpers import need
from tests.publishing import samples

NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "svg": "http://www.w3.org/2000/svg",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
ALL = tuple(samples.TEXTS) + tuple(samples.HARD)


def _entries(rendered: Rendered) -> dict[str, bytes]:
    (content,) = rendered.files.values()
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return {name: book.read(name) for name in book.namelist()}


def _xml(content: bytes) -> etree._Element:
    return etree.fromstring(content)


def _page(rendered: Rendered, name: str) -> etree._Element:
    return _xml(_entries(rendered)[f"EPUB/{name}"])


def _text(element: etree._Element) -> str:
    return "".join(element.itertext())


@pytest.fixture(scope="module")
def full() -> Rendered:
    """An English edition with an item in every script and every hard case."""
    return epub.render(samples.edition("en", ALL))


# epubcheck, the judge: one run per book (a few seconds of Java each), two at a time, once per test session.

EDITIONS = {
    "every-script-and-hard-case": lambda: samples.edition("en", ALL),
    "arabic": lambda: samples.edition("ar", ("ar", "en", "zh", "hostile", "image", "unbreakable")),
    "chinese-corrected": lambda: samples.edition("zh", ("zh", "ru", "el", "ar"), version=2, correction="A date."),
    "french": lambda: samples.edition("fr", ("fr", "en", "ar", "table")),
}


def _epubcheck() -> list[str] | None:
    found = shutil.which("epubcheck")
    if found is None:
        return None
    real = os.path.realpath(found)
    # Debian's epubcheck is the jar itself, meant to run through binfmt_misc, which a container usually lacks.
    if real.endswith(".jar"):
        # The quick compiler alone: a short run spends its time starting up, and this halves it.
        return ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", real] if shutil.which("java") else None
    return [found]


@pytest.fixture(scope="module")
def epubcheck_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    command = _epubcheck()
    need(command is not None, "epubcheck is not installed (Debian package epubcheck, which needs Java)")
    assert command is not None
    folder = tmp_path_factory.mktemp("epubcheck")
    paths = {}
    for name, build in EDITIONS.items():
        path = folder / f"{name}.epub"
        (content,) = epub.render(build()).files.values()
        path.write_bytes(content)
        paths[name] = path

    def check(path: Path) -> tuple[int, str]:
        done = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=300, check=False)
        return done.returncode, done.stdout + done.stderr

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(paths, pool.map(check, paths.values()), strict=True))


@pytest.mark.xdist_group("epubcheck")
@pytest.mark.parametrize("name", list(EDITIONS))
def test_epubcheck_finds_no_error_and_no_warning(epubcheck_reports: dict[str, tuple[int, str]], name: str) -> None:
    returncode, report = epubcheck_reports[name]
    assert returncode == 0, report
    assert re.search(r"Messages: 0 fatals / 0 errors / 0 warnings", report), report


# The package


def test_it_writes_one_epub_named_after_the_edition(full: Rendered) -> None:
    assert list(full.files) == ["bulletin-3-en.epub"]
    assert full.media_types == {"bulletin-3-en.epub": "application/epub+zip"}


def test_it_gives_the_same_bytes_for_the_same_data() -> None:
    first = epub.render(samples.edition("en", ALL))
    second = epub.render(samples.edition("en", ALL))
    assert first.files == second.files
    assert first.warnings == second.warnings


def test_it_gives_the_same_bytes_in_another_process() -> None:
    # Another hash seed orders sets differently: any set iterated while writing would show here.
    script = (
        "import django, sys; django.setup()\n"
        "from liaison.publishing.renderers import epub\n"
        "from tests.publishing import samples\n"
        "from tests.publishing.test_epub import ALL\n"
        "(content,) = epub.render(samples.edition('en', ALL)).files.values()\n"
        "sys.stdout.buffer.write(content)\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "DJANGO_SETTINGS_MODULE": "liaison.settings"}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, cwd=root, check=True)
    (content,) = epub.render(samples.edition("en", ALL)).files.values()
    assert done.stdout == content


def test_every_entry_is_dated_at_publication_and_mimetype_comes_first_uncompressed(full: Rendered) -> None:
    (content,) = full.files.values()
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        infos = book.infolist()
        assert infos[0].filename == "mimetype"
        assert infos[0].compress_type == zipfile.ZIP_STORED
        assert book.read("mimetype") == b"application/epub+zip"
        assert {info.date_time for info in infos} == {(2030, 3, 20, 12, 0, 0)}
        assert [info.filename for info in infos[1:]] == sorted(info.filename for info in infos[1:])
    opf = _page(full, "content.opf")
    assert opf.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=NS) == ["2030-03-20T12:00:00Z"]


def test_a_naive_publication_time_is_taken_as_utc() -> None:
    data = samples.edition("en", ("en",))
    naive = dataclasses.replace(data, published_at=data.published_at.replace(tzinfo=None))
    assert epub.render(naive).files == epub.render(data).files


def test_another_publication_time_changes_the_dates_and_nothing_else() -> None:
    data = samples.edition("en", ("en", "fr"))
    later = dataclasses.replace(data, published_at=data.published_at.replace(year=2031))
    first, second = _entries(epub.render(data)), _entries(epub.render(later))
    assert first["EPUB/content.opf"] != second["EPUB/content.opf"]
    assert {name for name in first if first[name] != second[name]} == {"EPUB/content.opf"}


def test_the_metadata_names_the_edition(full: Rendered) -> None:
    opf = _page(full, "content.opf")
    data = samples.edition("en", ALL)

    def dc(name: str) -> list[str]:
        return [str(value) for value in opf.xpath(f"//dc:{name}/text()", namespaces=NS)]

    assert dc("identifier") == [data.identifier]
    assert opf.get("unique-identifier") == opf.xpath("//dc:identifier/@id", namespaces=NS)[0]
    assert dc("title") == ["Bulletin No. 3"]
    assert dc("language")[0] == "en"
    assert set(dc("language")) == {"en", "fr", "ru", "el", "zh", "ar"}
    assert dc("publisher") == ["International Federation of Labour Education Circles"]
    assert dc("date") == ["2030-03-20"]
    assert opf.xpath("//opf:meta[@property='belongs-to-collection']/text()", namespaces=NS) == ["Bulletin"]
    assert opf.xpath("//opf:meta[@property='group-position']/text()", namespaces=NS) == ["3"]
    assert not opf.xpath("//opf:meta[@name='generator']", namespaces=NS)


def test_a_corrected_edition_says_what_it_corrects() -> None:
    rendered = epub.render(samples.edition("en", ("en",), version=2, correction="The date of the meeting."))
    opf = _page(rendered, "content.opf")
    assert opf.xpath("//dc:identifier/text()", namespaces=NS) == ["urn:liaison:bulletin:3:en:v2"]
    assert "The date of the meeting." in opf.xpath("//dc:description/text()", namespaces=NS)[0]
    assert "The date of the meeting." in _text(_page(rendered, "nav.xhtml"))
    assert "version 2" in _text(_page(rendered, "cover.svg"))


def test_the_cover_shows_the_bulletin_its_number_and_date(full: Rendered) -> None:
    opf = _page(full, "content.opf")
    (cover,) = opf.xpath("//opf:item[@properties='cover-image']", namespaces=NS)
    assert (cover.get("href"), cover.get("media-type")) == ("cover.svg", "image/svg+xml")
    words = _text(_page(full, "cover.svg"))
    assert "Bulletin" in words and "No. 3" in words and "March 20, 2030" in words
    page = _page(full, "cover.xhtml")
    assert page.xpath("//x:img/@src", namespaces=NS) == ["cover.svg"]
    assert opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)[0] == "cover"


# Navigation


def test_the_navigation_lists_every_item_in_order(full: Rendered) -> None:
    nav = _page(full, "nav.xhtml")
    (toc,) = nav.xpath("//x:nav[@epub:type='toc']", namespaces=NS)
    links = toc.xpath(".//x:li/x:a", namespaces=NS)
    items = samples.edition("en", ALL).items
    assert [link.get("href") for link in links] == [f"item-{item.position}.xhtml" for item in items]
    assert [_text(link) for link in links] == [item.title for item in items]
    opf = _page(full, "content.opf")
    assert opf.xpath("//opf:item[@properties='nav']/@href", namespaces=NS) == ["nav.xhtml"]
    spine = opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)
    assert spine == ["cover", "nav", *[f"item-{item.position}" for item in items]]
    ncx = _page(full, "toc.ncx")
    assert ncx.xpath("//ncx:navPoint/ncx:content/@src", namespaces=NS) == [link.get("href") for link in links]
    assert ncx.xpath("//ncx:navPoint/ncx:navLabel/ncx:text/text()", namespaces=NS) == [item.title for item in items]


def test_each_title_in_the_navigation_carries_its_language(full: Rendered) -> None:
    nav = _page(full, "nav.xhtml")
    (arabic,) = nav.xpath("//x:nav[@epub:type='toc']//x:span[@lang='ar']", namespaces=NS)
    assert arabic.get("dir") == "rtl"
    assert arabic.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    (chinese,) = nav.xpath("//x:nav[@epub:type='toc']//x:span[@lang='zh']", namespaces=NS)
    assert _text(chinese) == "港口工人"


# Items


def test_footnotes_are_epub_notes(full: Rendered) -> None:
    page = _page(full, "item-1.xhtml")
    (reference,) = page.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    target = reference.get("href")
    assert target.startswith("#")
    (note,) = page.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
    assert note.get("id") == target[1:]
    assert "In the hall of the union, 12 March." in _text(note)
    assert note.xpath(".//x:a[@role='doc-backlink']/@href", namespaces=NS) == [f"#{reference.get('id')}"]
    assert not page.xpath("//x:section[contains(@class, 'footnotes')]", namespaces=NS)


def test_every_note_reference_finds_its_note_in_the_same_file(full: Rendered) -> None:
    checked = 0
    for name, content in _entries(full).items():
        if not name.endswith(".xhtml"):
            continue
        page = _xml(content)
        notes = set(page.xpath("//x:aside[@epub:type='footnote']/@id", namespaces=NS))
        for href in page.xpath("//x:a[@epub:type='noteref']/@href", namespaces=NS):
            assert href[1:] in notes, (name, href)
            checked += 1
    assert checked == 5  # en, fr, ru, zh and ar each have one note


def test_repeated_references_to_one_note_keep_valid_ids() -> None:
    data = samples.edition("en", ("en",))
    text = "One[^a], again[^a].\n\n[^a]: The note.\n"
    rendered = epub.render(dataclasses.replace(data, items=(dataclasses.replace(data.items[0], body=text),)))
    page = _page(rendered, "item-1.xhtml")
    ids = page.xpath("//@id")
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", value) for value in ids)
    backlinks = page.xpath("//x:aside//x:a[@role='doc-backlink']/@href", namespaces=NS)
    assert len(backlinks) == 2 and all(href[1:] in ids for href in backlinks)


def test_citations_link_items_of_the_edition_and_name_other_issues(full: Rendered) -> None:
    first = _page(full, "item-1.xhtml")
    assert first.xpath("//x:div[@class='body']//x:a[@class='citation']/@href", namespaces=NS) == ["item-2.xhtml"]
    russian = _page(full, "item-2.xhtml")
    (outside,) = russian.xpath("//x:div[@class='body']//x:span[contains(@class, 'citation')]", namespaces=NS)
    assert _text(outside) == "Bulletin No. 2, item 1"
    assert not russian.xpath("//x:div[@class='body']//x:a[@class='citation']", namespaces=NS)


def test_cited_by_links_back_to_the_citing_item(full: Rendered) -> None:
    page = _page(full, "item-2.xhtml")
    (section,) = page.xpath("//x:section[@class='cited-by']", namespaces=NS)
    assert "Cited by" in _text(section)
    assert section.xpath(".//x:a/@href", namespaces=NS) == ["item-1.xhtml"]
    assert not _page(full, "item-3.xhtml").xpath("//x:section[@class='cited-by']", namespaces=NS)


def test_arabic_text_is_right_to_left_in_any_edition(full: Rendered) -> None:
    page = _page(full, "item-4.xhtml")
    assert page.get("lang") == "en" and page.get("dir") == "ltr"  # the interface is the edition's
    (body,) = page.xpath("//x:div[@class='body']", namespaces=NS)
    assert (body.get("lang"), body.get("dir")) == ("ar", "rtl")
    (title,) = page.xpath("//x:h1", namespaces=NS)
    assert (title.get("lang"), title.get("dir")) == ("ar", "rtl")
    (notes,) = page.xpath("//x:div[@class='footnotes']", namespaces=NS)
    assert notes.get("dir") == "rtl"


def test_an_arabic_edition_reads_right_to_left() -> None:
    rendered = epub.render(samples.edition("ar", ("ar", "en")))
    entries = _entries(rendered)
    for name in ("EPUB/nav.xhtml", "EPUB/cover.xhtml", "EPUB/item-1.xhtml", "EPUB/item-2.xhtml"):
        root = _xml(entries[name])
        assert (root.get("lang"), root.get("dir")) == ("ar", "rtl"), name
    opf = _xml(entries["EPUB/content.opf"])
    assert opf.xpath("//opf:spine/@page-progression-direction", namespaces=NS) == ["rtl"]
    english = _xml(entries["EPUB/item-2.xhtml"]).xpath("//x:div[@class='body']", namespaces=NS)[0]
    assert english.get("dir") == "ltr"
    assert set(_xml(entries["EPUB/cover.svg"]).xpath("//svg:text/@direction", namespaces=NS)) == {"rtl"}


def test_interface_strings_are_in_the_editions_language() -> None:
    rendered = epub.render(samples.edition("fr", ("en", "fr")))
    assert "Cité par" in _text(_page(rendered, "item-2.xhtml"))
    assert "N°\xa03" in _text(_page(rendered, "cover.svg"))


def test_a_translation_names_its_language_and_translator() -> None:
    data = samples.edition("en", ("en", "fr"))
    translated = dataclasses.replace(data.items[0], translated=True, translator="سلمى", original_language="ru")
    anonymous = dataclasses.replace(data.items[1], translated=True, translator="", original_language="de")
    rendered = epub.render(dataclasses.replace(data, items=(translated, anonymous)))
    (note,) = _page(rendered, "item-1.xhtml").xpath("//x:p[@class='translation-note']", namespaces=NS)
    assert _text(note) == "Translated from Russian by سلمى."
    assert note.xpath("x:span[@dir='auto']/text()", namespaces=NS) == ["سلمى"]
    (note,) = _page(rendered, "item-2.xhtml").xpath("//x:p[@class='translation-note']", namespaces=NS)
    assert _text(note) == "Translated from German."


# Hard and hostile texts


def _attributes(root: etree._Element) -> Iterator[tuple[str, str]]:
    for element in root.iter():
        if isinstance(element.tag, str):
            yield from element.attrib.items()


def test_hostile_text_is_inert_in_every_file(full: Rendered) -> None:
    for name, content in _entries(full).items():
        if name == "mimetype" or name.endswith(".css"):
            continue
        root = _xml(content)
        tags = {etree.QName(element).localname for element in root.iter() if isinstance(element.tag, str)}
        assert not tags & {"script", "iframe", "object", "embed", "form", "style"}, name
        assert "img" not in tags or name == "EPUB/cover.xhtml", name  # the cover page shows the book's own cover
        for attribute, value in _attributes(root):
            assert not etree.QName(attribute).localname.lower().startswith("on"), (name, attribute)
            assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:")), (name, value)
    # Nothing is lost: the hostile source is shown to the reader as text.
    words = _text(_page(full, "item-10.xhtml"))
    assert "<script>alert(1)</script>" in words and "<img src=x onerror=alert(3)>" in words


def test_a_missing_image_becomes_its_description_with_a_warning(full: Rendered) -> None:
    page = _page(full, "item-9.xhtml")
    assert not page.xpath("//x:img", namespaces=NS)
    assert not [href for href in page.xpath("//@href") if "png" in href]
    descriptions = page.xpath("//x:span[@class='image-missing']", namespaces=NS)
    assert ["the poster" in _text(d) for d in descriptions] == [True, False]
    assert "nothing.png" in _text(descriptions[1])
    image_warnings = [w for w in full.warnings if "image" in w]
    assert len(image_warnings) == 2
    assert "https://example.org/missing.png" in image_warnings[0] and "Item 9" in image_warnings[0]
    assert all(not name.endswith(".png") for name in _entries(full))


def test_it_never_reaches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the EPUB renderer tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    rendered = epub.render(samples.edition("en", ("image",)))
    assert rendered.warnings


def test_an_overlong_word_gets_break_opportunities_and_loses_nothing(full: Rendered) -> None:
    page = _page(full, "item-7.xhtml")
    (body,) = page.xpath("//x:div[@class='body']", namespaces=NS)
    assert len(body.xpath(".//x:wbr", namespaces=NS)) > 40
    assert _text(body).strip() == samples.HARD["unbreakable"][1].strip()
    assert any("Item 7" in w and "1050 characters" in w for w in full.warnings)


def test_a_wide_table_is_kept_whole_in_small_type(full: Rendered) -> None:
    page = _page(full, "item-8.xhtml")
    (table,) = page.xpath("//x:table", namespaces=NS)
    assert table.get("class") == "wide"
    assert len(table.xpath(".//x:tbody/x:tr", namespaces=NS)) == 300
    assert any("Item 8" in w and "40 columns" in w for w in full.warnings)
    small = epub.render(samples.edition("en", ("fr",)))
    assert _page(small, "item-1.xhtml").xpath("//x:table/@class", namespaces=NS) == []
    assert small.warnings == []


def test_links_that_lead_nowhere_in_the_book_become_text() -> None:
    data = samples.edition("en", ("en",))
    text = "See [the minutes](minutes.html), [above](#nowhere) and [our site](https://example.org/a).\n"
    rendered = epub.render(dataclasses.replace(data, items=(dataclasses.replace(data.items[0], body=text),)))
    page = _page(rendered, "item-1.xhtml")
    (body,) = page.xpath("//x:div[@class='body']", namespaces=NS)
    assert body.xpath(".//x:a/@href", namespaces=NS) == ["https://example.org/a"]
    assert _text(body).strip() == "See the minutes, above and our site."
    assert len(rendered.warnings) == 1 and "minutes.html" in rendered.warnings[0]


def test_characters_xml_forbids_do_not_stop_the_publication() -> None:
    data = samples.edition("en", ("en",))
    item = dataclasses.replace(data.items[0], title="Bad\x0btitle", body="A bell\x07 and a form feed\x0c.\n")
    rendered = epub.render(dataclasses.replace(data, items=(item,)))
    page = _page(rendered, "item-1.xhtml")
    assert "bell" in _text(page) and "form feed" in _text(page)
    assert "title" in _text(page.xpath("//x:h1", namespaces=NS)[0])


def test_an_edition_without_items_still_has_a_navigation_list() -> None:
    # edition_data never gives one (an issue without items has no edition), but an empty <ol> would be invalid.
    rendered = epub.render(dataclasses.replace(samples.edition("en", ("en",)), items=()))
    nav = _page(rendered, "nav.xhtml")
    assert nav.xpath("//x:nav[@epub:type='toc']//x:a/@href", namespaces=NS) == ["cover.xhtml"]


def test_the_book_grows_with_its_items() -> None:
    small = _entries(epub.render(samples.big_edition(20)))
    large = _entries(epub.render(samples.big_edition(200)))
    assert sum(name.startswith("EPUB/item-") for name in small) == 20
    assert sum(name.startswith("EPUB/item-") for name in large) == 200
