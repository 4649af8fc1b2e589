"""The web edition: an issue's edition in one language as static HTML pages, a cover with its contents and one page
per item, with citations, footnotes, "cited by" backlinks and links to the edition in the other languages.

Every link is relative, so the same files work wherever they are put: served by Liaison, by any web server (at its
root or in a sub-folder), from a CDN, or opened from disk (``file://``). That works because every part of Liaison
puts editions at the same places, the site layout::

    index.html                                      the site: the federation, its public periodicals (export-site)
    style.css, sitemap.xml                          (export-site)
    editions/<slug>/index.html                      a periodical's archive: its issues per language, every format
    editions/<slug>/<number>/<lang>/index.html      an edition: cover and contents              ┐
    editions/<slug>/<number>/<lang>/items/<n>.html  an item                                     │ this renderer
    editions/<slug>/<number>/<lang>/style.css       the edition's stylesheet                    ┘
    editions/<slug>/<number>/<lang>/<slug>-<number>-<lang>.pdf, .epub    the other formats (``file_stem``)
    editions/<slug>/<number>/<lang>-v<version>/...  an earlier version, kept after a correction (export-site)
    feeds/<slug>/<lang>.atom, feeds/opds.xml        the feeds (``publishing.feeds``)

so that the edition in another language is ``../<lang>/index.html``, an item of another issue is
``../../<number>/<lang>/items/<position>.html`` from the cover (one more ``../`` from an item page), and an item of
another periodical is ``../../../<slug>/<number>/<lang>/items/<position>.html``: the pages never look above
``editions/``, so they work wherever that folder is served. Path segments are percent-encoded in links (slugs may be
written in any script); the files on disk carry the plain names.

The pages carry ``lang`` and ``dir`` on ``<html>`` (the edition's language) and on every text whose language differs
(an item, a name of unknown script is isolated in ``<bdi>``), use one small stylesheet of their own (no CDN, no
script, no inline style, which the site's Content-Security-Policy forbids), and show the interface's words in the
edition's language. Bodies are rendered by ``editorial.markdown`` (sanitized); a link a contributor wrote to a
relative address cannot lead anywhere in every place the edition is put, so it is shown as text, with a warning.

The links to the edition in the other languages are the one part of the pages that changes after publication: when
the issue comes out in another language, ``relink`` gives the published pages that link, exactly as a fresh render
would write it, without rendering anything else again (see "Language links" below).
"""

from __future__ import annotations

import datetime
import functools
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import nh3
from django.template.loader import render_to_string
from django.utils import formats
from django.utils import translation as i18n
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from liaison import languages as language_codes
from liaison.editorial import markdown
from liaison.editorial.markdown import CitationRef
from liaison.publishing import parsing
from liaison.publishing.edition import EditionData, ItemData
from liaison.publishing.renderers import Rendered, Unlinkable, file_stem, relinked_by

STYLESHEET = "style.css"
HTML = "text/html; charset=utf-8"
CSS = "text/css; charset=utf-8"
# The formats whose files sit beside the web pages, named ``file_stem(data) + "." + format``, in the order shown.
DOWNLOADS = {"pdf": "PDF", "epub": "EPUB"}


def edition_dir(periodical_slug: str, number: int, language: str, version: int | None = None) -> str:
    """Where an edition's files sit under ``editions/`` (a path on disk, not quoted); ``version`` for an earlier,
    superseded one, which sits beside the current one so that its relative links lead to the same places."""
    folder = language if version is None else f"{language}-v{version}"
    return f"{periodical_slug}/{number}/{folder}"


def quote(path: str) -> str:
    """A site path as it is written in a link: each segment percent-encoded, the slashes kept."""
    return urllib.parse.quote(path, safe="/")


def item_path(position: int) -> str:
    return f"items/{position}.html"


def parse_ref(ref: str) -> CitationRef | None:
    """``"bulletin/3/4"`` → its parts, or None for a reference of another shape."""
    slug, _sep, rest = ref.partition("/")
    number, _sep, position = rest.partition("/")
    if not (slug and number.isdigit() and position.isdigit()):
        return None
    return CitationRef(slug, int(number), int(position))


@dataclass(frozen=True)
class _Place:
    """Where a page of the edition sits: relative links are written from there."""

    data: EditionData
    in_items: bool  # an item page (``items/<n>.html``) rather than the cover

    @property
    def up(self) -> str:
        """From this page to the edition's folder."""
        return "../" if self.in_items else ""

    def link(self, ref: CitationRef) -> str:
        """The item ``ref`` in the edition's language: in this edition, another issue, or another periodical."""
        data = self.data
        if ref.periodical == data.periodical_slug and ref.issue == data.number:
            return f"{ref.item}.html" if self.in_items else item_path(ref.item)
        if ref.periodical == data.periodical_slug:
            return self.up + quote(f"../../{ref.issue}/{data.language}/{item_path(ref.item)}")
        return (
            self.up
            + "../../../"
            + quote(f"{edition_dir(ref.periodical, ref.issue, data.language)}/{item_path(ref.item)}")
        )


class _Body:
    """One item's body as HTML, with its citations resolved from the edition's data and relative links disarmed."""

    def __init__(self, place: _Place, item: ItemData) -> None:
        self.place = place
        self.item = item
        self.ours: set[str] = set()  # the links this renderer wrote (citations): the only relative ones allowed
        self.dropped: list[str] = []

    def resolve(self, ref: CitationRef) -> tuple[str, str] | None:
        target = self.place.data.citations.get(str(ref))
        if target is None:
            return None
        href = self.place.link(CitationRef(target.periodical, target.number, target.position))
        self.ours.add(href)
        return href, target.label

    def _keep(self, element: str, attribute: str, value: str) -> str | None:
        if element != "a" or attribute != "href":
            return value
        parts = urllib.parse.urlsplit(value)
        # Footnote anchors (named after the item, so unique on the page), the renderer's own citations, and links
        # to another site are kept; any other relative address depends on where the files are put.
        if parts.scheme or parts.netloc or value in self.ours or value.startswith(f"#fn-item-{self.item.position}-"):
            return value
        if value.startswith(f"#fnref-item-{self.item.position}-"):
            return value
        self.dropped.append(value)
        return None

    def html(self) -> SafeString:
        rendered = parsing.html(
            self.item.body, self.item.language, doc_id=f"item-{self.item.position}", resolve=self.resolve
        )
        cleaned = nh3.clean(
            rendered,
            tags=markdown.ALLOWED_TAGS,
            attributes=markdown.ALLOWED_ATTRIBUTES,
            url_schemes=markdown.URL_SCHEMES,
            link_rel="noopener noreferrer nofollow",
            strip_comments=True,
            attribute_filter=self._keep,
        )
        return mark_safe(cleaned)  # sanitized twice by nh3, with the editorial allow-list


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _language_name(code: str, in_language: str) -> str:
    return language_codes.display_name(code, in_language)


def _translation_note(data: EditionData, item: ItemData) -> str:
    original = _language_name(item.original_language, data.language)
    if item.translated and item.translator:
        return _("Translated from %(language)s by %(translator)s") % {
            "language": original,
            "translator": item.translator,
        }
    if item.translated:
        return _("Translated from %(language)s") % {"language": original}
    if language_codes.normalize(item.language) != language_codes.normalize(data.language):
        return _("Original text in %(language)s") % {"language": _language_name(item.language, data.language)}
    return ""


# Language links ---------------------------------------------------------------------------------------------------
#
# The links to the other languages are the one part of a page that depends on what else is published: an edition
# published before the others gains links to them later (``relink``), without being rendered again. So they are
# written as marked regions, ``<!--name-->…<!--/name-->``, rendered by ``_language_regions`` both when the page is
# rendered and when it is relinked: a relinked page is byte for byte the page a fresh render with the new languages
# gives. No text can pass for a marker: every text on the pages is escaped, and the sanitized bodies hold no comment
# (and no "<" even in an attribute). For good measure ``relink`` takes the last marker of each name: an item page's
# one region comes after the body, followed by nothing but the template's own markup.

LANGUAGE_LINKS = "language-links"  # the cover's <link rel="alternate" hreflang> in <head>
LANGUAGE_NAV = "languages"  # the "Other languages" navigation, on every page
ITEM_PAGE = re.compile(r"^items/([0-9]+)\.html$")
# Where the page a language link leads to goes, in the regions rendered once for every page of a kind.
PAGE_SLOT = "@@page@@"


def _languages(language: str, others: tuple[str, ...], cover: bool) -> list[dict[str, str]]:
    """Links to the edition in each other language: from the cover to its cover, or from an item to the same item
    there (``PAGE_SLOT`` in place of the page)."""
    up = "" if cover else "../"
    return [
        {
            "code": code,
            "direction": language_codes.direction(code),
            "name": _language_name(code, code),  # each language named in itself, for the readers who want it
            "href": up + quote(f"../{code}/") + PAGE_SLOT,
        }
        for code in others
    ]


def _region(name: str, template: str, languages: list[dict[str, str]]) -> str:
    html = render_to_string(template, {"languages": languages}).rstrip("\n")
    return f"<!--{name}-->{html}<!--/{name}-->"


@functools.lru_cache(maxsize=256)
def _regions_of_kind(
    language: str, others: tuple[str, ...], cover: bool, interface: str | None
) -> tuple[tuple[str, str], ...]:
    """The language regions of every cover (or every item page) of an edition, with ``PAGE_SLOT`` for the page:
    the templates are rendered once for an edition's two hundred pages, not once a page. ``interface`` is the
    language active (the words of the navigation), part of what the regions depend on."""
    languages = _languages(language, others, cover)
    regions = []
    if cover:
        regions.append((LANGUAGE_LINKS, _region(LANGUAGE_LINKS, "publishing/web/_alternates.html", languages)))
    regions.append((LANGUAGE_NAV, _region(LANGUAGE_NAV, "publishing/web/_languages.html", languages)))
    return tuple(regions)


def _language_regions(language: str, others: Iterable[str], position: int | None) -> dict[str, str]:
    """A page's language regions by name, in the page's order: the cover's (``position`` None) links in ``<head>``
    and navigation, an item's navigation. In the edition's language (the caller's ``override``)."""
    page = quote("index.html" if position is None else item_path(position))
    kind = _regions_of_kind(language, tuple(sorted(set(others) - {language})), position is None, i18n.get_language())
    return {name: html.replace(PAGE_SLOT, page) for name, html in kind}


def _page_position(name: str) -> int | None:
    """The item a page shows (None for the cover); ``Unlinkable`` for a file that is no page of the edition."""
    if name == "index.html":
        return None
    match = ITEM_PAGE.match(name)
    if match is None:
        raise Unlinkable(name)
    return int(match.group(1))


def relink(
    pages: Mapping[str, bytes], *, language: str, before: Iterable[str], after: Iterable[str]
) -> dict[str, bytes]:
    """The edition's pages (``index.html``, ``items/<n>.html``; other files are left out of the answer) with their
    language links changed from the languages ``before`` to those ``after``: exactly the pages ``render`` gives
    with ``other_languages=after`` for the same edition, without rendering (nor parsing) anything else again.

    ``Unlinkable`` when a page does not hold the regions ``render`` writes for ``before`` (a page of another
    renderer, of an older version of this one, or changed since), which is then left as it is."""
    before, after = sorted(set(before) - {language}), sorted(set(after) - {language})
    if before == after:
        return {}
    changed: dict[str, bytes] = {}
    with i18n.override(language):
        for name, content in sorted(pages.items()):
            if not name.endswith(".html"):
                continue
            position = _page_position(name)
            new = _language_regions(language, after, position)
            text = content.decode("utf-8")
            for region, old in _language_regions(language, before, position).items():
                start = text.rfind(f"<!--{region}-->")
                if start < 0 or not text.startswith(old, start):
                    raise Unlinkable(name)
                text = text[:start] + new[region] + text[start + len(old) :]
            changed[name] = text.encode("utf-8")
    return changed


def _common(data: EditionData, place: _Place, position: int | None = None) -> dict[str, object]:
    regions = _language_regions(data.language, data.other_languages, position)
    return {
        "data": data,
        "page_language": data.language,
        "page_direction": data.direction,
        "date": _date(data.date),
        "iso_date": data.date.isoformat(),
        "stylesheet": place.up + STYLESHEET,
        "cover": place.up + "index.html",
        "archive": place.up + "../../index.html",
        "language_links": mark_safe(regions.get(LANGUAGE_LINKS, "")),  # rendered by templates, escaped there
        "language_nav": mark_safe(regions[LANGUAGE_NAV]),
    }


def _cover(data: EditionData, formats_present: Iterable[str]) -> str:
    place = _Place(data, in_items=False)
    stem = file_stem(data)
    present = set(formats_present)
    downloads = [{"label": label, "href": quote(f"{stem}.{fmt}")} for fmt, label in DOWNLOADS.items() if fmt in present]
    contents = [
        {"item": item, "href": item_path(item.position), "signed_apart": item.signature != item.section}
        for item in data.items
    ]
    context = _common(data, place) | {"contents": contents, "downloads": downloads}
    return render_to_string("publishing/web/edition.html", context)


def _item_page(data: EditionData, index: int) -> tuple[str, list[str]]:
    place = _Place(data, in_items=True)
    item = data.items[index]
    body = _Body(place, item)
    html = body.html()
    backlinks = []
    for backlink in item.backlinks:
        ref = parse_ref(backlink.ref)
        backlinks.append({"backlink": backlink, "href": place.link(ref) if ref else ""})
    previous = data.items[index - 1] if index > 0 else None
    following = data.items[index + 1] if index + 1 < len(data.items) else None
    context = _common(data, place, item.position) | {
        "item": item,
        "body": html,
        "signed_apart": item.signature != item.section,
        "translation_note": _translation_note(data, item),
        "backlinks": backlinks,
        "previous": previous,
        "previous_href": f"{previous.position}.html" if previous else "",
        "next": following,
        "next_href": f"{following.position}.html" if following else "",
    }
    warnings = [
        _("Web edition, item %(position)s: the link “%(href)s” leads nowhere once the edition is published; it is "
          "shown as text.") % {"position": item.position, "href": href}
        for href in body.dropped
    ]  # fmt: skip
    return render_to_string("publishing/web/item.html", context), warnings


def stylesheet() -> bytes:
    """The stylesheet every page of the edition and of the static site uses."""
    return render_to_string("publishing/web/style.css").encode("utf-8")


@relinked_by(relink)
def render(data: EditionData, *, formats_present: Iterable[str] = ()) -> Rendered:
    """The edition's web pages: ``index.html``, ``items/<position>.html`` and ``style.css``.

    ``formats_present`` names the other formats published beside the pages (``"pdf"``, ``"epub"``), linked from the
    cover as ``<file_stem>.pdf`` and so on; none by default, since the pages may be rendered before or without them.
    """
    files: dict[str, bytes] = {}
    warnings: list[str] = []
    with i18n.override(data.language):
        files["index.html"] = _cover(data, formats_present).encode("utf-8")
        for index, item in enumerate(data.items):
            page, item_warnings = _item_page(data, index)
            files[item_path(item.position)] = page.encode("utf-8")
            warnings.extend(item_warnings)
    files[STYLESHEET] = stylesheet()
    media_types = {path: CSS if path.endswith(".css") else HTML for path in files}
    return Rendered(files=dict(sorted(files.items())), warnings=warnings, media_types=media_types)
