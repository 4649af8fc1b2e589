"""The EPUB 3 edition: one book per issue and language, packaged by ebooklib, valid for epubcheck.

The book holds a cover (an SVG drawn from the bulletin's name, number and date, and an XHTML page showing it), the
navigation document (which is also the contents page) with an NCX beside it for older readers, one XHTML file per
item, and a small style sheet. Item bodies are the editorial Markdown rendered by ``editorial.markdown`` (sanitized),
then parsed and rebuilt as namespaced XHTML with lxml, so that whatever the HTML looks like the files are well-formed:
footnotes become EPUB 3 notes, citations become links between the book's files (or plain labels for items outside
the issue), and anything that would point outside the book or at nothing (images above all) is turned into text.

ebooklib writes each zip entry with the current time, so the zip is rewritten with every date set to the edition's
``published_at`` and the entries in a fixed order: the same data gives the same bytes.
"""

from __future__ import annotations

import datetime
import io
import re
import textwrap
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import lxml.html
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from django.utils import translation as i18n
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ebooklib import epub
from lxml import etree

from liaison import languages
from liaison.editorial.markdown import CitationRef
from liaison.publishing import parsing
from liaison.publishing.edition import EditionData, ItemData
from liaison.publishing.renderers import Rendered, file_stem

MEDIA_TYPE = "application/epub+zip"

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
SVG_NS = "http://www.w3.org/2000/svg"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = f"{{{EPUB_NS}}}type"

STYLE_FILE = "style.css"
COVER_IMAGE = "cover.svg"
COVER_PAGE = "cover.xhtml"
NAV_FILE = "nav.xhtml"

# A run of this many characters without a space does not fit an e-reader's line: it gets break opportunities
# (<wbr/>, invisible and not copied) every BREAK_EVERY characters. Real words (even German compounds) stay whole.
LONG_WORD = 60
BREAK_EVERY = 20
# A table wider than this is set in small type (and the editor is told): an e-reader's screen is narrow.
WIDE_TABLE_COLUMNS = 8

# Characters XML 1.0 forbids (lxml refuses them): a stray control character in a text must not stop a publication.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
LONG_RUN = re.compile(rf"\S{{{LONG_WORD},}}")
# Ids that markdown-it's footnotes write (``fnref-i3-1:1`` for a second reference): a colon is not allowed in an id.
NOT_IN_ID = re.compile(r"[^A-Za-z0-9_.-]")

# Attributes an item's body may keep once in the book. ``data-epub-type`` is this module's own marker for
# ``epub:type`` (the HTML parser cannot hold a namespaced attribute); everything else is dropped.
KEPT_ATTRIBUTES = ("id", "href", "class", "title", "start", "lang", "dir", "role", "hidden")
EXTERNAL = re.compile(r"^(https?|mailto):", re.IGNORECASE)

STYLE = """\
body { margin: 0 1em; line-height: 1.45; }
h1 { font-size: 1.5em; line-height: 1.2; margin: 0.4em 0; }
h2 { font-size: 1.2em; }
p, li, td, th, h1, h2, h3, h4, h5, h6 { overflow-wrap: break-word; }
pre { white-space: pre-wrap; font-size: 0.85em; }
blockquote { margin: 1em 1.5em; font-style: italic; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #888; padding: 0.15em 0.4em; vertical-align: top; }
table.wide { font-size: 0.6em; }
div.table-wrap { overflow-x: auto; }
.item-label, .byline, .translation-note, .edition-note { font-size: 0.85em; color: #555; }
.image-missing { font-style: italic; }
.citation.outside { font-style: italic; }
aside.footnote { font-size: 0.85em; margin-top: 0.5em; }
div.footnotes { border-top: 1px solid #888; margin-top: 1.5em; }
section.cited-by { border-top: 1px solid #888; margin-top: 1.5em; font-size: 0.9em; }
.masthead { text-align: center; margin: 1em 0 2em 0; }
.cover { margin: 0; padding: 0; text-align: center; }
.cover img { max-width: 100%; max-height: 100%; }
nav#toc ol { list-style-type: none; padding: 0; }
nav#toc li { margin: 0.4em 0; }
"""


@dataclass
class _Notes:
    """The warnings for the editor: formatted after the book is built, in the editor's language, not the book's."""

    entries: list[tuple[Promise, dict[str, Any]]] = field(default_factory=list)

    def add(self, message: Promise, **params: Any) -> None:
        self.entries.append((message, params))

    def texts(self) -> list[str]:
        return [str(message) % params for message, params in self.entries]


def render(data: EditionData) -> Rendered:
    """The edition as one EPUB 3 file, ``bulletin-3-fr.epub``; the same data gives the same bytes."""
    notes = _Notes()
    with i18n.override(data.language):
        book = _book(data, notes)
    raw = io.BytesIO()
    epub.write_epub(
        raw,
        book,
        {
            "mtime": _utc(data.published_at),
            "epub3_landmark": False,  # the navigation document is this module's own, with its landmarks
            "epub3_pages": False,
            "play_order": {"enabled": True, "start_from": 1},
            "package_direction": data.direction == "rtl",
            "raise_exceptions": True,
        },
    )
    name = f"{file_stem(data)}.epub"
    return Rendered(
        files={name: reproducible_zip(raw.getvalue(), data.published_at)},
        warnings=notes.texts(),
        media_types={name: MEDIA_TYPE},
    )


def _utc(moment: datetime.datetime) -> datetime.datetime:
    # A naive time is taken as UTC: read as the machine's local time, it would give each machine its own bytes.
    return moment.astimezone(datetime.UTC) if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


class _Document(epub.EpubHtml):
    """An XHTML file this module wrote whole: ebooklib would otherwise re-parse it as HTML and lose the epub: names."""

    def __init__(self, uid: str, file_name: str, title: str, content: bytes, properties: Iterable[str] = ()) -> None:
        super().__init__(uid=uid, file_name=file_name, title=title, media_type="application/xhtml+xml")
        self.content = content
        self.properties = list(properties)

    def get_content(self, default: bytes | None = None) -> bytes:
        return bytes(self.content)


def _book(data: EditionData, notes: _Notes) -> epub.EpubBook:
    edition = _Edition(data, notes)
    book = epub.EpubBook()
    # ebooklib names itself in a generator <meta> with its version: an upgrade alone would change the bytes.
    book.metadata.get(epub.NAMESPACES["OPF"], {}).pop("generator", None)
    book.set_identifier(_clean(data.identifier))
    book.set_title(_clean(data.title))
    book.set_language(data.language)
    for code in sorted({item.language for item in data.items} - {data.language}):
        book.add_metadata("DC", "language", code)
    book.set_direction(data.direction)
    book.add_metadata("DC", "publisher", _clean(data.federation))
    book.add_metadata("DC", "creator", _clean(data.federation), {"id": "creator"})
    book.add_metadata("DC", "date", data.date.isoformat())
    if data.version > 1:
        book.add_metadata("DC", "description", _clean(_correction_note(data)))
    book.add_metadata(None, "meta", _clean(data.periodical), {"property": "belongs-to-collection", "id": "periodical"})
    book.add_metadata(None, "meta", "series", {"refines": "#periodical", "property": "collection-type"})
    book.add_metadata(None, "meta", str(data.number), {"refines": "#periodical", "property": "group-position"})

    book.add_item(epub.EpubItem(uid="style", file_name=STYLE_FILE, media_type="text/css", content=STYLE.encode()))
    book.set_cover(COVER_IMAGE, _cover_svg(data), create_page=False)
    cover = _Document("cover", COVER_PAGE, _("Cover"), _cover_page(data))
    documents = [
        _Document(_item_id(item), _item_file(item), _clean(item.title or item.label), _item_page(edition, item))
        for item in data.items
    ]
    nav = _Document("nav", NAV_FILE, _("Contents"), _nav_page(data), properties=["nav"])
    for document in (cover, nav, *documents):
        book.add_item(document)
    book.add_item(epub.EpubNcx())
    book.toc = documents or [cover]
    book.spine = [cover, nav, *documents]
    book.guide = [
        {"type": "cover", "href": COVER_PAGE, "title": _("Cover")},
        {"type": "toc", "href": NAV_FILE, "title": _("Contents")},
    ]
    return book


def reproducible_zip(raw: bytes, published_at: datetime.datetime) -> bytes:
    """The zip rewritten with every entry dated ``published_at`` and in a fixed order, "mimetype" first and stored
    (the EPUB container requires it), so that its bytes depend on its contents alone."""
    moment = _utc(published_at)
    # A zip cannot date anything before 1980.
    stamp = max(
        (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second), (1980, 1, 1, 0, 0, 0)
    )
    with zipfile.ZipFile(io.BytesIO(raw)) as source:
        contents = {name: source.read(name) for name in source.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in ["mimetype", *sorted(name for name in contents if name != "mimetype")]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # the default depends on the platform that writes the file
            info.external_attr = 0o100644 << 16
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                target.writestr(info, contents[name])
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(info, contents[name], compresslevel=9)
    return out.getvalue()


# The pages


def _item_id(item: ItemData) -> str:
    return f"item-{item.position}"


def _item_file(item: ItemData) -> str:
    return f"item-{item.position}.xhtml"


def _clean(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def _date(data: EditionData) -> str:
    try:
        locale = Locale.parse(data.language, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        locale = Locale("en")
    return format_date(data.date, "long", locale=locale)


def _correction_note(data: EditionData) -> str:
    if data.correction:
        return _("Corrected edition (version %(version)s): %(correction)s") % {
            "version": data.version,
            "correction": data.correction,
        }
    return _("Corrected edition (version %(version)s).") % {"version": data.version}


def _element(parent: etree._Element, tag: str, text: str = "", **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{XHTML_NS}}}{tag}")
    for name, value in attributes.items():
        element.set(_attribute_name(name), _clean(value))
    if text:
        element.text = _clean(text)
    return element


def _attribute_name(name: str) -> str:
    if name == "epub_type":
        return EPUB_TYPE
    if name == "xml_lang":
        return XML_LANG
    return name.rstrip("_").replace("_", "-")


def _language(element: etree._Element, code: str, direction: str) -> None:
    element.set("lang", code)
    element.set(XML_LANG, code)
    element.set("dir", direction)


def _page(data: EditionData, title: str) -> tuple[etree._Element, etree._Element]:
    """A new XHTML document in the edition's language: (root, body)."""
    root = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    _language(root, data.language, data.direction)
    head = _element(root, "head")
    _element(head, "meta", charset="utf-8")
    _element(head, "title", title or data.title)
    _element(head, "link", rel="stylesheet", type="text/css", href=STYLE_FILE)
    return root, _element(root, "body")


def _serialize(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>"))


def _cover_svg(data: EditionData) -> bytes:
    svg = etree.Element(
        f"{{{SVG_NS}}}svg", nsmap={None: SVG_NS}, version="1.1", viewBox="0 0 600 800", width="600", height="800"
    )
    svg.set(XML_LANG, data.language)
    etree.SubElement(svg, f"{{{SVG_NS}}}title").text = _clean(f"{data.title} · {_date(data)}")
    etree.SubElement(svg, f"{{{SVG_NS}}}rect", width="600", height="800", fill="#f6f3ec")
    etree.SubElement(
        svg, f"{{{SVG_NS}}}rect", x="30", y="30", width="540", height="740", fill="none", stroke="#8b1e1e",
        **{"stroke-width": "4"},
    )  # fmt: skip
    lines: list[tuple[str, int, int]] = []  # text, font size, y
    y = 110
    for line in textwrap.wrap(data.federation, 40)[:3]:
        lines.append((line, 22, y))
        y += 32
    y = 330
    for line in textwrap.wrap(data.periodical, 16)[:3]:
        lines.append((line, 60, y))
        y += 72
    lines.append((_("No. %(number)s") % {"number": data.number}, 44, y + 20))
    lines.append((_date(data), 26, y + 90))
    if data.version > 1:
        lines.append((_("Corrected edition (version %(version)s).") % {"version": data.version}, 20, 720))
    for text, size, line_y in lines:
        element = etree.SubElement(
            svg, f"{{{SVG_NS}}}text", x="300", y=str(line_y), fill="#222", **{
                "text-anchor": "middle", "font-family": "serif", "font-size": str(size), "direction": data.direction,
            },
        )  # fmt: skip
        element.text = _clean(text)
    return bytes(etree.tostring(svg, xml_declaration=True, encoding="utf-8"))


def _cover_page(data: EditionData) -> bytes:
    root, body = _page(data, _("Cover"))
    body.set(EPUB_TYPE, "cover")
    section = _element(body, "section", class_="cover", epub_type="cover")
    _element(section, "img", src=COVER_IMAGE, alt=f"{data.title} · {_date(data)}")
    return _serialize(root)


def _nav_page(data: EditionData) -> bytes:
    root, body = _page(data, _("Contents"))
    masthead = _element(body, "header", class_="masthead")
    _element(masthead, "p", data.federation, class_="edition-note", dir="auto")
    _element(masthead, "h1", data.title)
    _element(masthead, "p", _date(data), class_="edition-note")
    if data.version > 1:
        _element(masthead, "p", _correction_note(data), class_="edition-note correction")
    toc = _element(body, "nav", id="toc", role="doc-toc", epub_type="toc")
    _element(toc, "h2", _("Contents"))
    entries = _element(toc, "ol")
    for item in data.items:
        entry = _element(_element(entries, "li"), "a", href=_item_file(item))
        _element(
            entry, "span", item.title or item.label, lang=item.language, xml_lang=item.language, dir=item.direction
        )
    if not data.items:
        # A list in the navigation document may not be empty: an edition without items lists its cover.
        _element(_element(entries, "li"), "a", _("Cover"), href=COVER_PAGE)
    landmarks = _element(body, "nav", id="landmarks", epub_type="landmarks", hidden="hidden")
    _element(landmarks, "h2", _("Landmarks"))
    marks = _element(landmarks, "ol")
    _element(_element(marks, "li"), "a", _("Cover"), href=COVER_PAGE, epub_type="cover")
    _element(_element(marks, "li"), "a", _("Contents"), href=f"{NAV_FILE}#toc", epub_type="toc")
    if data.items:
        first = data.items[0]
        _element(_element(marks, "li"), "a", first.title or first.label, href=_item_file(first), epub_type="bodymatter")
    return _serialize(root)


def _item_page(edition: _Edition, item: ItemData) -> bytes:
    data = edition.data
    root, body = _page(data, item.title)
    article = _element(body, "article", id=_item_id(item), class_="item")
    header = _element(article, "header")
    _element(header, "p", item.label, class_="item-label")
    title = _element(header, "h1", item.title or item.label)
    _language(title, item.language, item.direction)
    byline = _element(header, "p", class_="byline")
    parts = [item.signature] + ([item.section] if item.section != item.signature else []) + [item.kind_label]
    for n, part in enumerate(parts):
        span = _element(byline, "span", part, dir="auto")  # names written in any script
        if n < len(parts) - 1:
            span.tail = " · "
    if item.translated:
        note = _element(header, "p", class_="translation-note")
        language = languages.display_name(item.original_language, data.language)
        if item.translator:
            _sentence(note, _("Translated from %(language)s by %(translator)s."), language, item.translator)
        else:
            note.text = _clean(_("Translated from %(language)s.") % {"language": language})
    text = _element(article, "div", class_="body")
    _language(text, item.language, item.direction)
    footnotes = _body(text, edition, item)
    if footnotes is not None:
        _language(footnotes, item.language, item.direction)
        article.append(footnotes)
    if item.backlinks:
        cited = _element(article, "section", class_="cited-by")
        _element(cited, "h2", _("Cited by"))
        entries = _element(cited, "ul")
        for backlink in item.backlinks:
            entry = _element(entries, "li")
            source = edition.files.get(backlink.ref)
            if source is not None:
                label = _element(entry, "a", backlink.label, href=source, class_="citation")
            else:
                label = _element(entry, "span", backlink.label, class_="citation outside")
            label.tail = ": "
            _element(entry, "span", backlink.title, dir="auto")
    return _serialize(root)


def _sentence(parent: etree._Element, template: str, language: str, name: str) -> None:
    """The translation note, with the translator's name isolated (dir="auto"): a name in another script must not
    reorder the sentence around it."""
    marker = "\ue000"
    before, _marker, after = (template % {"language": language, "translator": marker}).partition(marker)
    parent.text = _clean(before)
    span = _element(parent, "span", name, dir="auto")
    span.tail = _clean(after)


# An item's body: sanitized HTML, tidied for the book, rebuilt as XHTML


class _Edition:
    """What every page of the book needs: the data, the warnings, and each item's file by its citation key."""

    def __init__(self, data: EditionData, notes: _Notes) -> None:
        self.data = data
        self.notes = notes
        self.files = {item.ref: _item_file(item) for item in data.items}
        self.file_names = frozenset(self.files.values())
        self.labels = {item.ref: item.label for item in data.items}

    def resolve(self, ref: CitationRef) -> tuple[str, str] | None:
        key = str(ref)
        target = self.data.citations.get(key)
        if key in self.files:
            return self.files[key], target.label if target else self.labels[key]
        if target is None:
            return None
        # An item of another issue is not in this book: its label is shown as text (see ``_tidy``).
        return "#", target.label


def _body(parent: etree._Element, edition: _Edition, item: ItemData) -> etree._Element | None:
    """Fills ``parent`` with the item's body; returns the footnotes (a <div> of <aside>s), or None."""
    html = parsing.html(_clean(item.body), item.language, doc_id=f"i{item.position}", resolve=edition.resolve)
    fragment = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    footnotes = _tidy(fragment, edition.file_names, item, edition.notes)
    _copy_children(fragment, parent)
    if footnotes is None:
        return None
    holder = etree.Element(f"{{{XHTML_NS}}}div")
    holder.set("class", "footnotes")
    _copy_children(footnotes, holder)
    return holder


def _tidy(fragment: Any, files: frozenset[str], item: ItemData, notes: _Notes) -> Any:
    """Makes the sanitized HTML fit for the book; returns the footnotes taken out of it, as a <div> of <aside>s."""
    where = {"position": item.position, "title": item.title}
    for element in fragment.iter():
        if element.get("id"):
            element.set("id", NOT_IN_ID.sub("-", element.get("id")))
    ids = {element.get("id") for element in fragment.iter() if element.get("id")}

    for link in list(fragment.iter("a")):
        classes = (link.get("class") or "").split()
        href = link.get("href") or ""
        link.attrib.pop("rel", None)
        if "image-link" in classes:
            # The image is never fetched (a remote server would decide what the book shows): its description stays.
            alt = link.text_content().strip() or href
            notes.add(
                gettext_lazy('Item %(position)s ("%(title)s"): the image "%(image)s" is not in the book; its '
                             "description is shown instead."),
                **where, image=href,
            )  # fmt: skip
            _replace(link, "span", _("[image: %(description)s]") % {"description": alt}, "image-missing")
        elif "citation" in classes:
            if href not in files:
                _replace(link, "span", link.text_content(), "citation outside")
        elif href.startswith("#"):
            target = NOT_IN_ID.sub("-", href[1:])
            if target in ids:
                link.set("href", f"#{target}")
            else:
                _unwrap(link)
        elif not EXTERNAL.match(href):
            # A relative link would point at a file the book does not have.
            notes.add(
                gettext_lazy('Item %(position)s ("%(title)s"): the link to "%(link)s" leads nowhere in the book; it '
                             "is shown as text."),
                **where, link=href,
            )  # fmt: skip
            _unwrap(link)

    for reference in fragment.find_class("footnote-ref"):
        for link in reference.iter("a"):
            link.set("data-epub-type", "noteref")
            link.set("role", "doc-noteref")
    for backlink in fragment.find_class("footnote-backref"):
        backlink.set("role", "doc-backlink")
    for rule in fragment.find_class("footnotes-sep"):
        rule.drop_tree()
    footnotes = None
    for section in fragment.find_class("footnotes"):
        if footnotes is None:
            footnotes = lxml.html.Element("div")
        for number, entry in enumerate(section.find_class("footnote-item"), start=1):
            aside = lxml.html.Element("aside")
            aside.set("id", entry.get("id") or "")
            aside.set("class", "footnote")
            aside.set("data-epub-type", "footnote")
            aside.set("role", "doc-footnote")
            mark = lxml.html.Element("span")
            mark.set("class", "note-number")
            mark.text = f"{number}. "
            aside.append(mark)
            mark.tail = entry.text
            for child in list(entry):
                aside.append(child)
            # The number runs into the note's first paragraph rather than standing alone above it.
            first = aside[1] if len(aside) > 1 else None
            if first is not None and first.tag == "p" and not (mark.tail or "").strip():
                aside.remove(mark)
                mark.tail = first.text
                first.text = None
                first.insert(0, mark)
            footnotes.append(aside)
        section.drop_tree()

    for table in list(fragment.iter("table")):
        columns = max((len(row) for row in table.iter("tr")), default=0)
        if columns > WIDE_TABLE_COLUMNS:
            table.set("class", "wide")
            notes.add(
                gettext_lazy('Item %(position)s ("%(title)s"): a table of %(columns)s columns is too wide for an '
                             "e-reader's screen; it is set in small type."),
                **where, columns=columns,
            )  # fmt: skip
        wrapper = lxml.html.Element("div")
        wrapper.set("class", "table-wrap")
        table.addprevious(wrapper)
        wrapper.tail, table.tail = table.tail, None
        wrapper.append(table)

    longest = _break_long_words(fragment)
    if footnotes is not None:
        longest = max(longest, _break_long_words(footnotes))
    if longest:
        notes.add(
            gettext_lazy('Item %(position)s ("%(title)s"): a word of %(length)s characters cannot fit a line; it '
                         "is broken where needed."),
            **where, length=longest,
        )  # fmt: skip
    return footnotes


def _replace(element: Any, tag: str, text: str, css_class: str) -> None:
    replacement = lxml.html.Element(tag)
    replacement.set("class", css_class)
    replacement.text = text
    replacement.tail = element.tail
    element.getparent().replace(element, replacement)


def _unwrap(element: Any) -> None:  # the link goes, its text stays
    element.drop_tag()


def _break_long_words(root: Any) -> int:
    """Puts a <wbr/> every BREAK_EVERY characters into each run of LONG_WORD characters or more; returns the length
    of the longest such run (0: none)."""
    longest = 0

    def pieces(text: str) -> list[str]:
        nonlocal longest
        out: list[str] = []
        start = 0
        for match in LONG_RUN.finditer(text):
            longest = max(longest, len(match[0]))
            cut = match.start() + BREAK_EVERY
            while cut < match.end():
                out.append(text[start:cut])
                start = cut
                cut += BREAK_EVERY
        out.append(text[start:])
        return out

    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.text:
            first, *rest = pieces(element.text)
            element.text = first
            for index, piece in enumerate(rest):
                breaker = lxml.html.Element("wbr")
                breaker.tail = piece
                element.insert(index, breaker)
        if element is not root and element.tail:
            first, *rest = pieces(element.tail)
            element.tail = first
            anchor = element
            for piece in rest:
                breaker = lxml.html.Element("wbr")
                breaker.tail = piece
                anchor.addnext(breaker)
                anchor = breaker
    return longest


def _copy_children(source: Any, target: etree._Element) -> None:
    """Rebuilds ``source``'s content (HTML elements without a namespace) under ``target`` as XHTML elements."""
    target.text = _clean(source.text or "") or None
    for child in source:
        if not isinstance(child.tag, str):  # a comment or processing instruction: nh3 strips them, never kept
            continue
        element = etree.SubElement(target, f"{{{XHTML_NS}}}{child.tag}")
        for name in KEPT_ATTRIBUTES:
            value = child.get(name)
            if value is not None:
                element.set(name, _clean(value))
        if child.get("data-epub-type"):
            element.set(EPUB_TYPE, child.get("data-epub-type"))
        _copy_children(child, element)
        element.tail = _clean(child.tail or "") or None
