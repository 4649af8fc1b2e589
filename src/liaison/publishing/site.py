"""The static site: the whole public archive as plain files, for any web server, a CDN or a disk (``export-site``).

It holds the site's index (the federation and its public periodicals), each public periodical's archive (its issues
per language, with every format), every published edition of a public periodical (its web pages, PDF and EPUB as
they were published and stored under ``PUBLISHED_DIR``, and the earlier versions of corrected editions), the Atom
feeds and the OPDS catalogue (``publishing.feeds``), and a sitemap. The layout is the one every part of Liaison uses,
described in ``renderers.web``; every link in a page is relative, so the folder works wherever it is put.

Internal (members') bulletins are never read here: only editions of public periodicals are selected. A citation of
an item the archive does not hold (an internal bulletin's, or one not published in that language) leads to a short
page saying so, never to a missing file.

The export is built in a folder beside the target and swapped in at once (an atomic exchange where the system has
one), so a web server serving the target never sees half an export; the same database and files give the same
bytes on every run.
"""

from __future__ import annotations

import ctypes
import datetime
import hashlib
import os
import posixpath
import re
import shutil
import tempfile
import urllib.parse
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import escape

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import formats
from django.utils import translation as i18n
from django.utils.translation import gettext as _

from liaison import languages as language_codes
from liaison.errors import LiaisonError
from liaison.federation.models import Federation
from liaison.federation.services import get_federation
from liaison.periodicals.models import Audience, Periodical
from liaison.publishing import feeds
from liaison.publishing import services as publishing
from liaison.publishing.edition import Incomplete
from liaison.publishing.models import Edition, EditionFile, EditionStatus, FileFormat
from liaison.publishing.renderers import web

# A file at the root of every export: only a folder holding it is replaced by a new export, so that a mistyped
# target (a home folder, the published files) is refused instead of swapped away.
MARKER = ".liaison-site"
EDITIONS = "editions"
DOWNLOADS = {FileFormat.PDF: "PDF", FileFormat.EPUB: "EPUB"}  # the order they are offered in
EDITION_PAGE = re.compile(r"^editions/([^/]+)/(\d+)/([^/]+)/(index\.html|items/\d+\.html)$")


@dataclass
class Site:
    """An export in memory: site path → bytes, and what the operator should know about it."""

    files: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    lastmod: dict[str, datetime.date] = field(default_factory=dict)  # for the sitemap
    editions: int = 0  # the current editions in it (earlier versions not counted)


@dataclass(frozen=True)
class Exported:
    directory: Path
    files: int
    editions: int
    warnings: list[str]


def export_site(directory: Path | str, *, base_url: str | None = None) -> Exported:
    """Write the public archive into ``directory``, replacing an earlier export there at once.

    ``base_url`` is the address the site will be read at, for the sitemap and the feeds (which need absolute
    addresses); ``SITE_URL`` when none is given. A folder that holds anything but an earlier export is refused."""
    target = Path(directory).expanduser().resolve()
    _check_target(target)
    if base_url:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise LiaisonError(
                _("“%(url)s” is not an address the site can be read at: give one like https://example.org/archive.")
                % {"url": base_url[:200]},
                field="base_url",
            )
    site = build_site(base_url=base_url)
    _write(target, site.files)
    return Exported(target, len(site.files), site.editions, site.warnings)


# Building -------------------------------------------------------------------------------------------------------


class Damaged(LiaisonError):
    """Published files are missing or changed on disk: an export without them would have broken links."""

    def __init__(self, files: list[str]) -> None:
        super().__init__(
            _("The archive is not exported, since these published files are missing or have changed and cannot be "
              "made again as they were: %(files)s. Write them again with “liaison publish PERIODICAL NUMBER "
              "--language LANGUAGE --rebuild”, or publish a correction. An earlier export is left as it was.")
            % {"files": "; ".join(files)}
        )  # fmt: skip
        self.files = files


@dataclass
class _Entry:
    """A published edition in the archive, with its earlier versions."""

    edition: Edition
    web: bool = False  # whether its web pages are in the export
    downloads: list[tuple[FileFormat, str, int]] = field(default_factory=list)  # format, file name, size
    earlier: list[Edition] = field(default_factory=list)


def build_site(*, base_url: str | None = None) -> Site:
    """The export's files, in memory, in a fixed order; ``Damaged`` when a published file cannot be shown as it was.

    A few queries whatever the number of editions (plus the feeds', per periodical and language)."""
    base = (base_url if base_url else settings.SITE_URL).rstrip("/")
    federation = get_federation()
    site = Site()
    editions = list(
        Edition.objects.filter(
            issue__periodical__audience=Audience.PUBLIC,
            status__in=[EditionStatus.PUBLISHED, EditionStatus.SUPERSEDED],
        )
        .select_related("issue__periodical")
        .prefetch_related("files")
        .order_by("issue__periodical__slug", "issue__number", "language", "version")
    )
    current = {(e.issue_id, e.language): e for e in editions if e.status == EditionStatus.PUBLISHED}
    entries: dict[tuple[int, str], _Entry] = {key: _Entry(edition) for key, edition in current.items()}
    damaged: list[str] = []
    for edition in editions:
        # Belt and braces: the query already keeps internal bulletins out, and nothing else may let one in.
        if edition.issue.periodical.audience != Audience.PUBLIC:
            continue
        entry = entries.get((edition.issue_id, edition.language))
        if entry is None:
            continue  # an earlier version with no current one: nothing in the archive leads to it
        earlier = edition.status == EditionStatus.SUPERSEDED
        placed, lost = _edition_files(edition)
        if lost and earlier:
            # An earlier version cannot be made again (its texts were corrected since): shown whole or not at all.
            site.warnings.append(
                _("%(edition)s, an earlier version, is left out: %(files)s missing or changed since it was published.")
                % {"edition": edition, "files": ", ".join(f"“{f.path}”" for f in lost)}
            )
            continue
        if lost:
            damaged.extend(f"{edition}: “{f.path}”" for f in lost)
            continue
        _place(site, edition, placed, entry=None if earlier else entry)
        if earlier:
            entry.earlier.append(edition)
        else:
            entry.web = "index.html" in placed
            site.editions += 1
    if damaged:
        raise Damaged(damaged)

    periodicals = list(Periodical.objects.filter(audience=Audience.PUBLIC).order_by("name", "slug"))
    by_periodical: dict[int, list[_Entry]] = defaultdict(list)
    for entry in entries.values():
        by_periodical[entry.edition.issue.periodical_id].append(entry)
    with_feeds: dict[int, list[str]] = {}
    for periodical in periodicals:
        own = by_periodical.get(periodical.pk)
        if not own:
            continue
        languages = _ordered_languages({e.edition.language for e in own}, periodical, federation)
        with_feeds[periodical.pk] = languages
        for language in languages:
            site.files[f"feeds/{periodical.slug}/{language}.atom"] = feeds.atom_bytes(periodical, language, base=base)
        site.files[f"{EDITIONS}/{periodical.slug}/index.html"] = _archive_page(periodical, languages, own, federation)
    site.files[feeds.OPDS_PATH.lstrip("/")] = feeds.opds_bytes(base=base)
    site.files["index.html"] = _site_page(federation, periodicals, with_feeds)
    site.files["style.css"] = web.stylesheet()
    site.files["sitemap.xml"] = _sitemap(site, base)  # before the pages saying what is missing: not worth a visit
    _close_links(site)
    site.files[MARKER] = b"Written by `liaison export-site`: the whole folder is replaced by the next export.\n"
    site.files = dict(sorted(site.files.items()))
    return site


def _ordered_languages(codes: Iterable[str], periodical: Periodical, federation: Federation) -> list[str]:
    """The periodical's own language first, then the federation's working languages in its order, then the rest."""
    order = [periodical.language, *federation.working_languages]
    rank = {code: n for n, code in reversed(list(enumerate(order)))}
    return sorted(set(codes), key=lambda code: (rank.get(code, len(order)), code))


def _stored(file: EditionFile) -> bytes | None:
    """A stored file's bytes, or None when it is missing or no longer what was published."""
    relative = PurePosixPath(file.path)
    if relative.is_absolute() or ".." in relative.parts:
        return None
    try:
        content = (Path(settings.PUBLISHED_DIR) / relative).read_bytes()
    except OSError:
        return None
    return content if hashlib.sha256(content).hexdigest() == file.sha256 else None


def _web_root(files: list[EditionFile]) -> str | None:
    """The folder holding the web edition's cover: its pages are placed relative to it, so their links still work
    whichever folders the files are stored in."""
    covers = [f.path for f in files if f.format == FileFormat.WEB and posixpath.basename(f.path) == "index.html"]
    if not covers:
        return None
    return posixpath.dirname(min(covers, key=lambda path: (path.count("/"), path)))


def _site_name(file: EditionFile, root: str | None) -> str | None:
    """Where a stored file goes in the edition's folder of the site, or None for a file the site does not show."""
    if file.format in DOWNLOADS:
        return posixpath.basename(file.path)  # the web pages link them beside the cover
    if file.format != FileFormat.WEB or root is None:
        return None  # the email edition is sent, not read on the site
    relative = posixpath.relpath(file.path, root or ".")
    return None if relative.startswith("../") else relative


def _edition_files(edition: Edition) -> tuple[dict[str, tuple[EditionFile, bytes]], list[EditionFile]]:
    """An edition's files as the site shows them (name in the edition's folder → row and bytes), exactly as
    published, and the files that are not: missing or changed on disk, and not made again identical."""
    files = sorted(edition.files.all(), key=lambda f: f.path)
    root = _web_root(files)
    placed: dict[str, tuple[EditionFile, bytes]] = {}
    lost: dict[str, EditionFile] = {}
    for file in files:
        name = _site_name(file, root)
        if name is None:
            continue
        content = _stored(file)
        if content is None:
            lost[name] = file
        else:
            placed[name] = (file, content)
    if lost:
        for name, found in _made_again(edition, files, lost).items():
            placed[name] = found
            del lost[name]
    return placed, list(lost.values())


def _made_again(
    edition: Edition, files: list[EditionFile], lost: dict[str, EditionFile]
) -> dict[str, tuple[EditionFile, bytes]]:
    """Lost web pages rendered again from the database: those that come out as the very bytes published."""
    web_lost = {name: file for name, file in lost.items() if file.format == FileFormat.WEB}
    if not web_lost:
        return {}
    try:
        data = publishing.data_for(edition)
    except Incomplete:
        return {}
    # The publication told the web renderer which formats it made, so that its cover links them.
    rendered = web.render(data, formats_present=sorted({f.format for f in files}))
    found = {}
    for name, file in web_lost.items():
        content = rendered.files.get(name)
        if content is not None and hashlib.sha256(content).hexdigest() == file.sha256:
            found[name] = (file, content)
    return found


def _place(site: Site, edition: Edition, placed: dict[str, tuple[EditionFile, bytes]], entry: _Entry | None) -> None:
    """Put an edition's files in its folder of the site: the current version's, or an earlier one's beside it."""
    issue = edition.issue
    version = None if entry is not None else edition.version
    folder = f"{EDITIONS}/{web.edition_dir(issue.periodical.slug, issue.number, edition.language, version)}"
    for name, (file, content) in sorted(placed.items()):
        site.files[f"{folder}/{name}"] = content
        site.lastmod[f"{folder}/{name}"] = edition.published_at.date()
        if entry is not None and file.format in DOWNLOADS:
            entry.downloads.append((FileFormat(file.format), name, len(content)))
    if entry is not None:
        order = list(DOWNLOADS)
        entry.downloads.sort(key=lambda d: (order.index(d[0]), d[1]))


# Pages ------------------------------------------------------------------------------------------------------------


def _issue_date(edition: Edition) -> datetime.date:
    # The date the edition shows on its cover (``edition_data``): the issue's, else the day it was published.
    return edition.issue.planned_date or edition.published_at.date()


def _archive_rows(entries: list[_Entry], language: str) -> list[dict[str, object]]:
    rows = []
    for entry in sorted(entries, key=lambda e: -e.edition.issue.number):
        edition = entry.edition
        if edition.language != language:
            continue
        issue = edition.issue
        folder = web.quote(f"{issue.number}/{edition.language}")
        rows.append(
            {
                "number": issue.number,
                "title": str(issue),
                "href": f"{folder}/index.html" if entry.web else "",
                "date": formats.date_format(_issue_date(edition), "DATE_FORMAT"),
                "iso_date": _issue_date(edition).isoformat(),
                "version": edition.version,
                "correction": edition.correction,
                "downloads": [
                    {"label": DOWNLOADS[fmt], "href": f"{folder}/{web.quote(name)}", "size": filesizeformat(size)}
                    for fmt, name, size in entry.downloads
                ],
                "earlier": [
                    {
                        "version": old.version,
                        "href": web.quote(f"{issue.number}/{old.language}-v{old.version}") + "/index.html",
                    }
                    for old in entry.earlier
                ],
            }
        )
    return rows


def _archive_page(periodical: Periodical, languages: list[str], entries: list[_Entry], federation: Federation) -> bytes:
    sections = []
    for language in languages:
        with i18n.override(language):
            sections.append(
                {
                    "code": language,
                    "direction": language_codes.direction(language),
                    "name": language_codes.display_name(language, language),
                    "feed": web.quote(f"../../feeds/{periodical.slug}/{language}.atom"),
                    "rows": _archive_rows(entries, language),
                }
            )
    return _page(
        "publishing/web/archive.html",
        {"periodical": periodical, "federation": federation, "sections": sections, "root": "../../"},
    )


def _site_page(federation: Federation, periodicals: list[Periodical], with_feeds: dict[int, list[str]]) -> bytes:
    listed = [
        {
            "periodical": periodical,
            "href": web.quote(f"{EDITIONS}/{periodical.slug}") + "/index.html" if periodical.pk in with_feeds else "",
            "languages": [
                {"code": code, "name": language_codes.display_name(code, code)}
                for code in with_feeds.get(periodical.pk, [])
            ],
        }
        for periodical in periodicals
    ]
    return _page(
        "publishing/web/site.html",
        {"federation": federation, "periodicals": listed, "opds": feeds.OPDS_PATH.lstrip("/"), "root": ""},
    )


def _page(template: str, context: dict[str, object], language: str | None = None) -> bytes:
    code = language or settings.LANGUAGE_CODE
    with i18n.override(code):
        context = {
            "page_language": code,
            "page_direction": language_codes.direction(code),
            "stylesheet": f"{context['root']}style.css",
            **context,
        }
        return render_to_string(template, context).encode("utf-8")


# Links ------------------------------------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend(value for name, value in attrs if name in ("href", "src") and value)


def relative_links(page: str, html: bytes) -> list[str]:
    """The site paths the relative links of ``page`` lead to (without their fragments), in order."""
    parser = _Links()
    parser.feed(html.decode("utf-8", "replace"))
    targets = []
    for href in parser.found:
        parts = urllib.parse.urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        path = urllib.parse.unquote(parts.path)
        targets.append(posixpath.normpath(posixpath.join(posixpath.dirname(page), path)))
    return targets


def _close_links(site: Site) -> None:
    """Give every link to an edition page the archive does not hold a page saying so, and report any other."""
    missing: dict[str, str] = {}
    for page, content in list(site.files.items()):
        if not page.endswith(".html"):
            continue
        for target in relative_links(page, content):
            if target not in site.files and target not in missing:
                missing[target] = page
    held: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # (slug, number, page) → languages held
    for path in site.files:
        if match := EDITION_PAGE.match(path):
            slug, number, language, page_name = match.groups()
            held[(slug, number, page_name)].append(language)
    for target, page in sorted(missing.items()):
        match = EDITION_PAGE.match(target)
        if match is None:
            site.warnings.append(
                _("%(page)s links to “%(target)s”, which is not in the site.") % {"page": page, "target": target}
            )
            continue
        site.files[target] = _missing_page(target, match, held)


def _missing_page(target: str, match: re.Match[str], held: dict[tuple[str, str, str], list[str]]) -> bytes:
    """A page where the archive lacks an edition's page: it says so, and where the same page can be read."""
    slug, number, language, page = match.groups()
    root = "../" * target.count("/")
    elsewhere = [
        {
            "href": web.quote(
                posixpath.relpath(f"{EDITIONS}/{slug}/{number}/{code}/{page}", posixpath.dirname(target))
            ),
            "code": code,
            "direction": language_codes.direction(code),
            "name": language_codes.display_name(code, code),
        }
        for code in sorted(held.get((slug, number, page), []))
        if code != language and "-v" not in code  # the current editions, not earlier versions
    ]
    code = language if language_codes.is_valid(language) else settings.LANGUAGE_CODE
    return _page("publishing/web/missing.html", {"elsewhere": elsewhere, "root": root}, language=code)


def _sitemap(site: Site, base: str) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in sorted(site.files):
        if not path.endswith(".html"):
            continue
        lines.append(f"<url><loc>{escape(f'{base}/{web.quote(path)}')}</loc>")
        if path in site.lastmod:
            lines.append(f"<lastmod>{site.lastmod[path].isoformat()}</lastmod>")
        lines.append("</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


# Writing ----------------------------------------------------------------------------------------------------------


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise LiaisonError(_("%(path)s is a file, not a folder.") % {"path": target}, field="directory")
    published = Path(settings.PUBLISHED_DIR).resolve()
    if target == published or published in target.parents or target in published.parents:
        raise LiaisonError(
            _("%(path)s holds or is inside the published files (%(published)s): choose a folder of its own.")
            % {"path": target, "published": published},
            field="directory",
        )
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise LiaisonError(
            _("%(path)s is not empty and holds no earlier export: choose an empty or a new folder.") % {"path": target},
            field="directory",
        )


def _write(target: Path, files: dict[str, bytes]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        building.chmod(0o755)  # mkdtemp makes it private; the web server reads it once it is swapped in
        for path, content in files.items():
            destination = building / path
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(content)
        _swap(building, target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux's ``renameat2``); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    return renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0


def _swap(building: Path, target: Path) -> None:
    """Put the new export in place of the old one; a reader sees either the old one whole or the new one whole."""
    if not target.exists():
        building.rename(target)
        return
    if _exchange(building, target):
        shutil.rmtree(building)  # it now holds the earlier export
        return
    # Two renames: for an instant the folder is missing (a "not found"), never half written.
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    target.rename(old)
    building.rename(target)
    shutil.rmtree(old)
