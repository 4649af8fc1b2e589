"""Feeds of published editions: an Atom feed per periodical and language, and an OPDS catalogue for e-readers.

Both are built with Django's syndication framework from the ``Edition`` and ``EditionFile`` rows, never from the
live texts: a feed lists what was published, as it was published. Each entry lists the edition's items as its web
contents page does, from the contents kept with the edition when it was published (``Edition.contents``), so a feed
costs as many queries whatever the number of editions and items. Every address in them is absolute and built from
``SITE_URL`` (or the address the static site is exported for), every date is an edition's ``published_at`` (never
"now", even for an empty feed), and entries come in a fixed order, so the same editions give the same bytes: the
views answer exactly what ``atom_bytes`` and ``opds_bytes`` write into the static site.

The public feeds and the catalogue hold public periodicals only. A member reads an internal bulletin's feed at a
private address holding their feed token (``feed_tokens``); see ``feed_views`` for who is answered what.

Addresses follow the published site's layout (see ``renderers.web``), the same on the live site and in the static
export: an edition's files sit at ``editions/<slug>/<number>/<language>/`` (the web edition's contents at
``index.html``, the PDF and the EPUB beside it), a periodical's archive at ``editions/<slug>/index.html``, the feeds at
``feeds/<slug>/<language>.atom`` and the catalogue at ``feeds/opds.xml``. ``atom_bytes`` and ``opds_bytes`` take the
address the static site will be read at (``base``) when it is not ``SITE_URL``.

A private feed's links lead to the members' pages of the edition, which ask a reader to log in: the token opens the
feed, not the files.
"""

from __future__ import annotations

import datetime
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Enclosure, SyndicationFeed, rfc3339_date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from liaison import languages as language_codes
from liaison.federation.models import Federation
from liaison.periodicals.models import Audience, Periodical
from liaison.publishing.models import Edition, EditionFile, EditionStatus, FileFormat

OPDS_ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
OPDS_ACQUIRE = "http://opds-spec.org/acquisition"
DOWNLOADS = (FileFormat.EPUB, FileFormat.PDF)  # the formats a reader downloads, in the order e-readers prefer


# Addresses ----------------------------------------------------------------------------------------------------------


def site_base(base: str | None = None) -> str:
    """The absolute address the site is read at, without a trailing slash."""
    return (base if base is not None else settings.SITE_URL).rstrip("/")


def edition_url(slug: str, number: int, language: str, name: str = "index.html", *, base: str | None = None) -> str:
    """The absolute address of one of an edition's files (``name`` relative to the edition's folder)."""
    return f"{site_base(base)}/editions/{quote(slug)}/{number}/{quote(language)}/{quote(name)}"


def archive_url(slug: str, *, base: str | None = None) -> str:
    """A periodical's archive: its issues in every language (written by the static site's export)."""
    return f"{site_base(base)}/editions/{quote(slug)}/index.html"


def feed_path(slug: str, language: str) -> str:
    return f"/feeds/{quote(slug)}/{quote(language)}.atom"


def private_feed_path(token: str, slug: str, language: str) -> str:
    return f"/feeds/private/{quote(token)}/{quote(slug)}/{quote(language)}.atom"


OPDS_PATH = "/feeds/opds.xml"


def entry_id(slug: str, number: int, language: str) -> str:
    """An edition's id in feeds. Unlike ``EditionData.identifier`` it holds no version: a corrected edition is the
    same entry, updated, so feed readers replace the earlier version instead of showing the issue twice."""
    return f"urn:liaison:{slug}:{number}:{language}"


def _file_name(file: EditionFile) -> str:
    # The PDF and the EPUB sit at the top of the edition's folder, whichever version folder stores them.
    return posixpath.basename(file.path)


# What the feeds read ------------------------------------------------------------------------------------------------


def published_editions() -> QuerySet[Edition]:
    """Published editions (the latest version of each: earlier ones are ``superseded``) with their issue, their
    downloads (``downloads``) and the time their first version was published (``first_published_at``)."""
    first = (
        Edition.objects.filter(
            issue=OuterRef("issue"),
            language=OuterRef("language"),
            status__in=[EditionStatus.PUBLISHED, EditionStatus.SUPERSEDED],
        )
        .order_by("version")
        .values("published_at")[:1]
    )
    return (
        Edition.objects.filter(status=EditionStatus.PUBLISHED)
        .select_related("issue__periodical")
        .annotate(first_published_at=Subquery(first))
        .prefetch_related(
            Prefetch(
                "files",
                queryset=EditionFile.objects.filter(format__in=DOWNLOADS).order_by("format", "path"),
                to_attr="downloads",
            )
        )
    )


def _downloads(edition: Edition) -> list[EditionFile]:
    files: list[EditionFile] = getattr(edition, "downloads", None) or []
    order: dict[str, int] = {str(fmt): n for n, fmt in enumerate(DOWNLOADS)}
    return sorted(files, key=lambda f: (order.get(f.format, len(order)), f.path))


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)


def _edition_title(edition: Edition) -> str:
    """The issue's name in the edition's language, marked when the edition is a correction."""
    with translation.override(edition.language):
        title = str(edition.issue)
        if edition.version > 1:
            title = _("%(title)s (corrected edition, version %(version)d)") % {
                "title": title,
                "version": edition.version,
            }
    return title


def _web_url(edition: Edition, base: str) -> str:
    return edition_url(edition.issue.periodical.slug, edition.issue.number, edition.language, base=base)


def _download_url(edition: Edition, file: EditionFile, base: str) -> str:
    return edition_url(
        edition.issue.periodical.slug, edition.issue.number, edition.language, _file_name(file), base=base
    )


@dataclass(frozen=True)
class _Entry:
    """An item of an edition's contents, as published (``Edition.contents``, see ``edition.contents_of``)."""

    position: int
    label: str
    kind: str
    title: str
    language: str
    direction: str
    signature: str
    section: str

    @property
    def byline(self) -> str:
        """Who signs it, as the web contents page shows it: the section alone when the section signs."""
        if self.signature and self.signature != self.section:
            return f"{self.signature}, {self.section}"
        return self.section


def _contents(edition: Edition) -> list[_Entry]:
    """The edition's items as it was published; none for an edition published before they were kept."""
    entries = []
    for entry in edition.contents or []:
        try:
            entries.append(
                _Entry(
                    position=int(entry["position"]),
                    label=str(entry.get("label", "")),
                    kind=str(entry.get("kind", "")),
                    title=str(entry.get("title", "")),
                    language=str(entry.get("language") or edition.language),
                    direction=str(entry.get("direction") or language_codes.direction(edition.language)),
                    signature=str(entry.get("signature", "")),
                    section=str(entry.get("section", "")),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue  # a malformed entry is left out rather than failing the whole feed
    return entries


def _item_url(edition: Edition, entry: _Entry, base: str) -> str:
    return edition_url(
        edition.issue.periodical.slug,
        edition.issue.number,
        edition.language,
        f"items/{entry.position}.html",
        base=base,
    )


def _contents_html(edition: Edition, base: str) -> SafeString | None:
    """The contents as the web edition's cover lists them: label and kind, the title linking to the item's page
    (marked with the language and direction it is written in), and the byline. Every text escaped."""
    entries = _contents(edition)
    if not entries:
        return None
    rows = format_html_join(
        "\n",
        '<li><p>{} · {}</p><p><a href="{}" lang="{}" dir="{}">{}</a></p><p>{}</p></li>',
        ((e.label, e.kind, _item_url(edition, e, base), e.language, e.direction, e.title, e.byline) for e in entries),
    )
    return format_html('<h2>{}</h2>\n<ol class="contents">\n{}\n</ol>', _("Contents"), rows)


def _contents_text(edition: Edition) -> str:
    """The contents as plain text, a line an item: for the OPDS catalogue's summary, which is text."""
    return "\n".join(f"{e.position}. {e.title} — {e.byline}" for e in _contents(edition))


def _summary(edition: Edition, base: str) -> str:
    """The entry's HTML summary, in the edition's language: the correction it makes, what it holds (its items, each
    linking to its page), and where to read it."""
    with translation.override(edition.language):
        parts = []
        if edition.version > 1:
            parts.append(
                format_html(
                    "<p>{}</p>",
                    _("This corrected edition replaces version %(previous)d. Correction: %(correction)s")
                    % {"previous": edition.version - 1, "correction": edition.correction or _("not described")},
                )
            )
        contents = _contents_html(edition, base)
        if contents is not None:
            parts.append(contents)
        links = [format_html('<a href="{}">{}</a>', _web_url(edition, base), _("Read it on the web"))]
        links += [
            format_html(
                '<a href="{}" type="{}">{}</a> ({})',
                _download_url(edition, file, base),
                file.media_type,
                file.get_format_display(),
                filesizeformat(file.size),
            )
            for file in _downloads(edition)
        ]
        parts.append(format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((link,) for link in links))))
    return "".join(parts)


class _SiteRequest(HttpRequest):
    """What the syndication framework reads of a request, for a feed built with none at hand (the static site's
    export). Every address in these feeds is absolute already, so the host it reports is never used in them."""

    def __init__(self, base: str) -> None:
        super().__init__()
        parts = urlsplit(base)
        self._host = parts.netloc or "localhost"
        self._secure = parts.scheme == "https"
        self.path = parts.path or "/"

    def get_host(self) -> str:
        return self._host

    def is_secure(self) -> bool:
        return self._secure


# The Atom feed of a periodical in one language ----------------------------------------------------------------------


@dataclass(frozen=True)
class FeedSource:
    """Everything one feed shows, looked up beforehand (by the view, which checks who may read it, or by
    ``atom_bytes``): the feed class itself reads nothing from the database."""

    periodical: Periodical
    language: str
    editions: Sequence[Edition]
    federation: Federation
    base: str  # the site's absolute address
    path: str  # the feed's own address under ``base`` (a private feed's holds its token)


class EditionFeedGenerator(Atom1Feed):
    def latest_post_date(self) -> datetime.datetime:
        # Django answers "now" for a feed without entries, which would change the bytes at every request.
        if not self.items:
            return self.feed["quiet_since"]
        return super().latest_post_date()


class _SiteFeed(Feed):
    """A feed whose addresses are built on ``base``, the site's absolute address: one instance per feed built,
    because the item hooks receive the edition alone and need it."""

    def __init__(self, base: str) -> None:
        self.base = base


class EditionFeed(_SiteFeed):
    """One entry per published edition, the newest issue first; enclosures are its PDF and EPUB."""

    feed_type = EditionFeedGenerator

    def get_object(self, request: HttpRequest, source: FeedSource) -> FeedSource:
        return source

    def get_feed(self, obj: FeedSource, request: HttpRequest) -> SyndicationFeed:
        # The feed's own words ("corrected edition"...) in its language, whatever the visitor's interface language.
        with translation.override(obj.language):
            return super().get_feed(obj, request)

    def feed_extra_kwargs(self, obj: FeedSource) -> dict[str, Any]:
        return {"quiet_since": _midnight(obj.federation.founded)}

    def title(self, obj: FeedSource) -> str:
        return _("%(periodical)s, %(language)s edition") % {
            "periodical": obj.periodical.name,
            "language": language_codes.display_name(obj.language, obj.language),
        }

    def subtitle(self, obj: FeedSource) -> str:
        return _("Every published issue of %(periodical)s in this language, from %(federation)s.") % {
            "periodical": obj.periodical.name,
            "federation": obj.federation.name,
        }

    def link(self, obj: FeedSource) -> str:
        return archive_url(obj.periodical.slug, base=obj.base)

    def feed_url(self, obj: FeedSource) -> str:
        return obj.base + obj.path

    def feed_guid(self, obj: FeedSource) -> str:
        return f"urn:liaison:{obj.periodical.slug}:{obj.language}"

    def author_name(self, obj: FeedSource) -> str:
        return obj.federation.name

    def items(self, obj: FeedSource) -> Sequence[Edition]:
        return obj.editions

    def item_title(self, item: Edition) -> str:
        return _edition_title(item)

    def item_description(self, item: Edition) -> str:
        return _summary(item, self.base)

    def item_link(self, item: Edition) -> str:
        return _web_url(item, self.base)

    def item_guid(self, item: Edition) -> str:
        return entry_id(item.issue.periodical.slug, item.issue.number, item.language)

    def item_pubdate(self, item: Edition) -> datetime.datetime:
        return getattr(item, "first_published_at", None) or item.published_at

    def item_updateddate(self, item: Edition) -> datetime.datetime:
        return item.published_at

    def item_enclosures(self, item: Edition) -> list[Enclosure]:
        return [
            Enclosure(url=_download_url(item, file, self.base), length=str(file.size), mime_type=file.media_type)
            for file in _downloads(item)
        ]


def feed_response(source: FeedSource, request: HttpRequest) -> HttpResponse:
    """The feed as an HTTP response (with ``Last-Modified``), through the framework's own ``Feed.__call__``."""
    return EditionFeed(source.base)(request, source=source)


def editions_of(periodical: Periodical, language: str) -> list[Edition]:
    return list(
        published_editions().filter(issue__periodical=periodical, language=language).order_by("-issue__number", "pk")
    )


def feed_language_exists(
    periodical: Periodical, language: str, federation: Federation, editions: Sequence[Edition]
) -> bool:
    """A feed exists in the federation's working languages (subscribe before the first edition) and in any language
    something was published in; any other code is answered as missing."""
    return bool(editions) or language in federation.working_languages or language == periodical.language


def atom_bytes(periodical: Periodical, language: str, *, base: str | None = None) -> bytes:
    """The public Atom feed of ``periodical`` in ``language``, as the view serves it at ``feed_path``: for the static
    site. An internal periodical has no public feed: asking for one is a programming error."""
    if periodical.audience != Audience.PUBLIC:
        raise ValueError(f"{periodical.slug} is not public: its feed is only served privately.")
    source = FeedSource(
        periodical=periodical,
        language=language,
        editions=editions_of(periodical, language),
        federation=Federation.objects.get(),
        base=site_base(base),
        path=feed_path(periodical.slug, language),
    )
    return EditionFeed(source.base).get_feed(source, _SiteRequest(source.base)).writeString("utf-8").encode()


# The OPDS catalogue -------------------------------------------------------------------------------------------------


class CatalogueGenerator(Atom1Feed):
    """An OPDS 1.2 acquisition feed: Atom with Dublin Core terms, and acquisition links to each edition's files."""

    content_type = f"{OPDS_ACQUISITION};charset=utf-8"

    def root_attributes(self) -> dict[str, str]:
        return {
            "xmlns": self.ns,
            "xmlns:dc": "http://purl.org/dc/terms/",
            "xmlns:opds": "http://opds-spec.org/2010/catalog",
            "xml:lang": self.feed["language"],
        }

    def latest_post_date(self) -> datetime.datetime:
        if not self.items:
            return self.feed["quiet_since"]
        return super().latest_post_date()

    def add_root_elements(self, handler: Any) -> None:
        handler.addQuickElement("id", self.feed["id"])
        handler.addQuickElement("title", self.feed["title"])
        handler.addQuickElement("subtitle", self.feed["subtitle"])
        handler.addQuickElement("updated", rfc3339_date(self.latest_post_date()))
        handler.startElement("author", {})
        handler.addQuickElement("name", self.feed["author_name"])
        handler.addQuickElement("uri", self.feed["link"])
        handler.endElement("author")
        # The catalogue is its own root: e-readers go back to "start" from anywhere in it.
        for rel in ("self", "start"):
            handler.addQuickElement("link", "", {"rel": rel, "href": self.feed["feed_url"], "type": OPDS_ACQUISITION})
        handler.addQuickElement("link", "", {"rel": "alternate", "href": self.feed["link"], "type": "text/html"})

    def item_attributes(self, item: dict[str, Any]) -> dict[str, str]:
        return {"xml:lang": item["language"]}

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        handler.addQuickElement("id", item["unique_id"])
        handler.addQuickElement("title", item["title"])
        handler.startElement("author", {})
        handler.addQuickElement("name", item["author_name"])
        handler.endElement("author")
        handler.addQuickElement("published", rfc3339_date(item["pubdate"]))
        handler.addQuickElement("updated", rfc3339_date(item["updateddate"]))
        handler.addQuickElement("dc:language", item["language"])
        handler.addQuickElement("dc:issued", item["issued"])
        handler.addQuickElement("dc:identifier", item["identifier"])
        handler.addQuickElement("dc:publisher", self.feed["author_name"])
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})
        handler.addQuickElement(
            "link", "", {"rel": "alternate", "href": item["link"], "type": "text/html", "hreflang": item["language"]}
        )
        for enclosure in item["enclosures"]:
            handler.addQuickElement(
                "link",
                "",
                {"rel": OPDS_ACQUIRE, "href": enclosure.url, "type": enclosure.mime_type, "length": enclosure.length},
            )


@dataclass(frozen=True)
class CatalogueSource:
    editions: Sequence[Edition]
    federation: Federation
    base: str


class Catalogue(_SiteFeed):
    """Every public edition, the most recently published first, each with links to download its EPUB and PDF."""

    feed_type = CatalogueGenerator

    def get_object(self, request: HttpRequest, source: CatalogueSource) -> CatalogueSource:
        return source

    def get_feed(self, obj: CatalogueSource, request: HttpRequest) -> SyndicationFeed:
        # The catalogue's own words in the site's default language: its bytes must not depend on who asks.
        with translation.override(settings.LANGUAGE_CODE):
            return super().get_feed(obj, request)

    def feed_extra_kwargs(self, obj: CatalogueSource) -> dict[str, Any]:
        return {"quiet_since": _midnight(obj.federation.founded)}

    def title(self, obj: CatalogueSource) -> str:
        return _("%(federation)s: the bulletins' editions") % {"federation": obj.federation.name}

    def subtitle(self, obj: CatalogueSource) -> str:
        return _("Every public edition, in every language, as EPUB and PDF.")

    def link(self, obj: CatalogueSource) -> str:
        return obj.base + "/"

    def feed_url(self, obj: CatalogueSource) -> str:
        return obj.base + OPDS_PATH

    def feed_guid(self, obj: CatalogueSource) -> str:
        return "urn:liaison:opds"

    def author_name(self, obj: CatalogueSource) -> str:
        return obj.federation.name

    def items(self, obj: CatalogueSource) -> Sequence[Edition]:
        return obj.editions

    def item_title(self, item: Edition) -> str:
        return _edition_title(item)

    def item_description(self, item: Edition) -> str:
        """Plain text (an e-reader shows it as the book's description): the correction, then the contents."""
        parts = []
        with translation.override(item.language):
            if item.version > 1:
                parts.append(
                    _("Corrected edition (version %(version)d): %(correction)s")
                    % {"version": item.version, "correction": item.correction or _("not described")}
                )
            contents = _contents_text(item)
            if contents:
                parts.append(_("Contents:") + "\n" + contents)
        return "\n\n".join(parts)

    def item_link(self, item: Edition) -> str:
        return _web_url(item, self.base)

    def item_guid(self, item: Edition) -> str:
        return entry_id(item.issue.periodical.slug, item.issue.number, item.language)

    def item_author_name(self, item: Edition) -> str:
        return item.issue.periodical.name

    def item_pubdate(self, item: Edition) -> datetime.datetime:
        return getattr(item, "first_published_at", None) or item.published_at

    def item_updateddate(self, item: Edition) -> datetime.datetime:
        return item.published_at

    def item_enclosures(self, item: Edition) -> list[Enclosure]:
        return [
            Enclosure(url=_download_url(item, file, self.base), length=str(file.size), mime_type=file.media_type)
            for file in _downloads(item)
        ]

    def item_extra_kwargs(self, item: Edition) -> dict[str, Any]:
        issue = item.issue
        issued = issue.planned_date or item.published_at.date()
        return {
            "language": item.language,
            "issued": issued.isoformat(),
            # The EPUB's own identifier (``EditionData.identifier``), which names the version.
            "identifier": f"urn:liaison:{issue.periodical.slug}:{issue.number}:{item.language}:v{item.version}",
        }


def public_editions() -> list[Edition]:
    return list(
        published_editions()
        .filter(issue__periodical__audience=Audience.PUBLIC)
        .order_by("-published_at", "issue__periodical__slug", "-issue__number", "language", "pk")
    )


def catalogue_source(*, federation: Federation | None = None, base: str | None = None) -> CatalogueSource:
    return CatalogueSource(
        editions=public_editions(), federation=federation or Federation.objects.get(), base=site_base(base)
    )


def catalogue_response(source: CatalogueSource, request: HttpRequest) -> HttpResponse:
    return Catalogue(source.base)(request, source=source)


def opds_bytes(*, base: str | None = None) -> bytes:
    """The OPDS catalogue as the view serves it at ``OPDS_PATH``: for the static site."""
    source = catalogue_source(base=base)
    return Catalogue(source.base).get_feed(source, _SiteRequest(source.base)).writeString("utf-8").encode()
