"""``liaison export-site``: the public archive as a static site, with no broken link, nothing of an internal bulletin,
the same bytes on every run, swapped in whole, and a refusal to write over a folder that is not an earlier export.

Editions are published through the publishing services themselves (``request_publish`` and ``run_job``), with the
real web renderer and a small stand-in for the PDF, so the stored files are laid out exactly as in production."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import urllib.parse
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.accounts.models import User
from liaison.editorial.models import Citation, Contribution, Item, Revision, State
from liaison.federation.access import actor_for_user
from liaison.federation.models import Section
from liaison.periodicals.models import Audience, Frequency, Issue, IssueStatus, Periodical
from liaison.publishing import registry, services, site
from liaison.publishing.edition import EditionData
from liaison.publishing.models import Edition, EditionFile, EditionStatus, FileFormat
from liaison.publishing.renderers import Rendered, file_stem
from liaison.translations import services as translations
from tests.conftest import PROTECTED_STRINGS
from tests.editorial.translated import translate

BASE = "https://archive.example.org/federation"
SECRET = "Zebrafish-Strategy"  # in an internal bulletin only


def fake_pdf(data: EditionData) -> Rendered:
    """A stand-in for the PDF renderer (tested on its own): one small file per edition, named as the real one."""
    return Rendered(files={f"{file_stem(data)}.pdf": f"%PDF-1.7\n% {data.identifier}\n".encode()})


@pytest.fixture(autouse=True)
def _publishing(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PUBLISHED_DIR = tmp_path / "published"
    settings.SITE_URL = "https://liaison.example.org"
    monkeypatch.setattr(
        registry,
        "RENDERERS",
        [(FileFormat.WEB, "liaison.publishing.renderers.web"), (FileFormat.PDF, "tests.publishing.test_site:fake_pdf")],
    )


# Links ------------------------------------------------------------------------------------------------------------


class _Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def _parse(path: Path) -> _Parsed:
    parsed = _Parsed()
    parsed.feed(path.read_text("utf-8"))
    parsed.close()
    return parsed


def broken_links(root: Path) -> list[str]:
    """Every relative ``href`` or ``src`` of every page that does not lead to a file of the export (or to an id in
    it), and every link that would only work at a web server's root or on one machine."""
    broken = []
    pages = {path: _parse(path) for path in sorted(root.rglob("*.html"))}
    for path, parsed in pages.items():
        for link in parsed.links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            where = f"{path.relative_to(root)}: {link}"
            if parts.scheme or parts.netloc or parts.path.startswith("/"):
                broken.append(f"{where} (not relative)")
                continue
            target = (path.parent / urllib.parse.unquote(parts.path)).resolve() if parts.path else path
            if root.resolve() not in target.parents or not target.is_file():
                broken.append(where)
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if parts.fragment not in ids:
                    broken.append(f"{where} (no such id)")
    return broken


def everything(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_link_checker_finds_what_is_broken(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text('<p id="here">b</p>')
    (tmp_path / "a.html").write_text(
        '<a href="sub/b.html#here">ok</a> <a href="https://example.org/x">ok</a> <a href="#top" id="top">ok</a>'
        '<a href="missing.html">1</a> <a href="sub/b.html#nowhere">2</a> <a href="/sub/b.html">3</a>'
        '<a href="file:///etc/passwd">4</a> <link href="../outside.css"> <a href="sub/">6</a>'
    )
    assert len(broken_links(tmp_path)) == 6


# Publishing -------------------------------------------------------------------------------------------------------


def editor() -> Any:
    return actor_for_user(User.objects.filter(person__roles__kind="secretariat").order_by("pk").first())


def publish(issue: Issue, language: str, correction: str = "") -> Edition:
    job = services.request_publish(editor(), issue, language, correction)
    job = services.run_job(job.pk)
    assert job.state == "done", job.error
    assert job.edition is not None
    return job.edition


@dataclasses.dataclass
class Archive:
    bulletin: Periodical
    internal: Periodical
    first: Issue
    second: Issue
    secret: Issue


def _contribution(section: Section, issue: Issue, title: str, body: str, language: str, by: User) -> Item:
    contribution = Contribution.objects.create(
        section=section,
        periodical=issue.periodical,
        target_issue=issue,
        title=title,
        language=language,
        body=body,
        state=State.PLACED,
        created_by=by,
    )
    Revision.objects.create(contribution=contribution, number=1, title=title, body=body, language=language)
    item = Item.objects.create(issue=issue, contribution=contribution, position=issue.items.count() + 1)
    translations.ensure_translations(contribution)
    return item


@pytest.fixture
def archive(world: Any) -> Archive:
    """A public bulletin with two issues (No. 1 in French only, No. 2 in English citing No. 1 and an internal item),
    and an internal bulletin published too, whose words must never reach the export."""
    bulletin = Periodical.objects.create(
        name="Bulletin", slug="bulletin", language="en", frequency=Frequency.MONTHLY, audience=Audience.PUBLIC
    )
    internal = Periodical.objects.create(
        name="Internal Bulletin", slug="internal", language="en", frequency=Frequency.MONTHLY, audience=Audience.MEMBERS
    )
    Periodical.objects.create(name="Section Paper", slug="paper", language="fr", frequency=Frequency.MONTHLY,
                              section=world.section_a)  # fmt: skip
    first, second = (
        Issue.objects.create(periodical=bulletin, number=n, planned_date=datetime.date(2030, n, 1), status="assembly")
        for n in (1, 2)
    )
    secret = Issue.objects.create(
        periodical=internal, number=1, planned_date=datetime.date(2030, 1, 15), status=IssueStatus.ASSEMBLY
    )
    author = world.users["corr_a"]
    _contribution(world.section_a, first, "Les cercles du soir", "Un cercle à Lyon[^1].\n\n[^1]: Depuis 2029.\n",
                  "fr", author)  # fmt: skip
    hidden = _contribution(world.section_a, secret, f"The {SECRET}", f"Only for members: the {SECRET}.\n", "en", author)
    citing = _contribution(
        world.section_b,
        second,
        "Evening circles, a year on",
        "As [[bulletin/1/1]] told, and as [[internal/1/1]] discussed.\n",
        "en",
        world.users["corr_b"],
    )
    for target in (first.items.get(), hidden):
        Citation.objects.create(source=citing.contribution, target=target)
    publish(secret, "en")
    publish(first, "fr")
    publish(second, "en")
    return Archive(bulletin, internal, first, second, secret)


def export(target: Path, *args: str) -> str:
    out = StringIO()
    call_command("export_site", str(target), "--base-url", BASE, *args, stdout=out, stderr=out)
    return out.getvalue()


# The archive ------------------------------------------------------------------------------------------------------


def test_it_exports_the_public_archive(archive: Archive, tmp_path: Path) -> None:
    output = export(tmp_path / "site")
    root = tmp_path / "site"
    assert "Exported 2 edition(s)" in output
    files = everything(root)
    for path in (
        "index.html",
        "style.css",
        "sitemap.xml",
        "feeds/opds.xml",
        "feeds/bulletin/en.atom",
        "feeds/bulletin/fr.atom",
        "editions/bulletin/index.html",
        "editions/bulletin/1/fr/index.html",
        "editions/bulletin/1/fr/items/1.html",
        "editions/bulletin/1/fr/style.css",
        "editions/bulletin/1/fr/bulletin-1-fr.pdf",
        "editions/bulletin/2/en/index.html",
        "editions/bulletin/2/en/items/1.html",
        "editions/bulletin/2/en/bulletin-2-en.pdf",
    ):
        assert path in files, path
    # The editions are the very files published.
    for row in EditionFile.objects.filter(edition__issue__periodical=archive.bulletin):
        name = row.path.split("/v1/", 1)[1]
        folder = f"editions/bulletin/{row.edition.issue.number}/{row.edition.language}"
        assert hashlib.sha256(files[f"{folder}/{name}"]).hexdigest() == row.sha256
    index = files["index.html"].decode()
    assert "Test Federation" in index and 'href="editions/bulletin/index.html"' in index
    assert "Section Paper" in index  # a public periodical with nothing here yet is named, not linked
    archive_page = files["editions/bulletin/index.html"].decode()
    assert 'href="2/en/index.html"' in archive_page and 'href="1/fr/index.html"' in archive_page
    assert 'href="2/en/bulletin-2-en.pdf"' in archive_page and 'href="../../feeds/bulletin/fr.atom"' in archive_page
    assert '<section id="fr" lang="fr" dir="ltr"' in archive_page


def test_it_has_no_broken_link(archive: Archive, tmp_path: Path) -> None:
    export(tmp_path / "site")
    assert broken_links(tmp_path / "site") == []


def test_a_citation_of_an_item_not_in_the_archive_leads_to_a_page_saying_so(archive: Archive, tmp_path: Path) -> None:
    export(tmp_path / "site")
    root = tmp_path / "site"
    item = (root / "editions/bulletin/2/en/items/1.html").read_text()
    assert 'href="../../../1/en/items/1.html"' in item and 'href="../../../../internal/1/en/items/1.html"' in item
    # No. 1 is published in French only: its English page says so and leads to the French one.
    missing = (root / "editions/bulletin/1/en/items/1.html").read_text()
    assert "not hold this text in this language" in missing and 'href="../../fr/items/1.html"' in missing
    # The internal item's place says only that the archive does not hold it.
    internal = (root / "editions/internal/1/en/items/1.html").read_text()
    assert "not hold this text" in internal and SECRET not in internal
    assert "editions/bulletin/1/en/items/1.html" not in (root / "sitemap.xml").read_text()


def test_it_never_exports_an_internal_bulletin(archive: Archive, tmp_path: Path) -> None:
    assert Edition.objects.filter(issue=archive.secret, status=EditionStatus.PUBLISHED).exists()
    export(tmp_path / "site")
    files = everything(tmp_path / "site")
    for path, content in files.items():
        assert SECRET.encode() not in content, path
        if path != "editions/bulletin/2/en/items/1.html":  # whose author cites "Internal Bulletin No. 1, item 1"
            assert b"Internal Bulletin" not in content, path
        for protected in PROTECTED_STRINGS:
            assert protected.encode() not in content, (path, protected)
    assert not any(path.startswith(("feeds/internal", "editions/internal/index")) for path in files)
    assert [path for path in files if path.startswith("editions/internal/")] == ["editions/internal/1/en/items/1.html"]


def test_an_internal_item_citing_a_public_one_stays_out(archive: Archive, tmp_path: Path, world: Any) -> None:
    third = Issue.objects.create(periodical=archive.bulletin, number=3, status=IssueStatus.ASSEMBLY)
    cited = _contribution(world.section_a, third, "Open letter", "A letter.\n", "en", world.users["corr_a"])
    secret_two = Issue.objects.create(periodical=archive.internal, number=2, status=IssueStatus.ASSEMBLY)
    citing = _contribution(world.section_a, secret_two, f"Reply on the {SECRET}", "[[bulletin/3/1]]\n", "en",
                           world.users["corr_a"])  # fmt: skip
    Citation.objects.create(source=citing.contribution, target=cited)
    publish(third, "en")
    export(tmp_path / "site")
    for path, content in everything(tmp_path / "site").items():
        assert SECRET.encode() not in content, path


def test_the_sitemap_lists_every_page_at_the_sites_address(archive: Archive, tmp_path: Path) -> None:
    export(tmp_path / "site")
    root = tmp_path / "site"
    sitemap = ET.fromstring((root / "sitemap.xml").read_bytes())  # noqa: S314 - Liaison's own output, under test
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text or "" for loc in sitemap.findall("s:url/s:loc", ns)]
    assert all(loc.startswith(f"{BASE}/") for loc in locations)
    listed = {urllib.parse.unquote(loc.removeprefix(f"{BASE}/")) for loc in locations}
    assert "index.html" in listed and "editions/bulletin/2/en/items/1.html" in listed
    assert all((root / path).is_file() for path in listed)


def test_the_feeds_are_the_feeds_modules(archive: Archive, tmp_path: Path) -> None:
    from liaison.publishing import feeds

    export(tmp_path / "site")
    root = tmp_path / "site"
    assert (root / "feeds/bulletin/en.atom").read_bytes() == feeds.atom_bytes(archive.bulletin, "en", base=BASE)
    assert (root / "feeds/opds.xml").read_bytes() == feeds.opds_bytes(base=BASE)
    assert f"{BASE}/editions/bulletin/2/en/".encode() in (root / "feeds/bulletin/en.atom").read_bytes()


def test_it_reads_the_database_in_as_many_queries_whatever_the_number_of_editions(archive: Archive, world: Any) -> None:
    with CaptureQueriesContext(connection) as before:
        site.build_site(base_url=BASE)
    third = Issue.objects.create(periodical=archive.bulletin, number=3, status=IssueStatus.ASSEMBLY)
    _contribution(world.section_a, third, "More news", "Text.\n", "en", world.users["corr_a"])
    publish(third, "en")
    with CaptureQueriesContext(connection) as after:
        built = site.build_site(base_url=BASE)
    assert "editions/bulletin/3/en/index.html" in built.files
    assert len(after) == len(before)


# Writing ----------------------------------------------------------------------------------------------------------


def test_running_it_again_gives_the_same_bytes(archive: Archive, tmp_path: Path) -> None:
    export(tmp_path / "one")
    export(tmp_path / "two")
    assert everything(tmp_path / "one") == everything(tmp_path / "two")


def test_it_replaces_an_earlier_export_whole(archive: Archive, tmp_path: Path) -> None:
    root = tmp_path / "site"
    export(root)
    first = everything(root)
    (root / "editions" / "stale.html").write_text("left from an older export")
    export(root)
    assert everything(root) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["published", "site"]  # nothing left beside it


def test_a_failed_export_leaves_the_earlier_one_as_it_was(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "site"
    export(root)
    before = everything(root)

    def broken(building: Path, target: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(site, "_swap", broken)
    with pytest.raises(OSError, match="disk full"):
        export(root)
    assert everything(root) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["published", "site"]


def test_it_works_where_folders_cannot_be_exchanged(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "site"
    export(root)
    first = everything(root)
    monkeypatch.setattr(site, "_exchange", lambda first, second: False)
    export(root)
    assert everything(root) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["published", "site"]


def test_it_refuses_a_folder_that_is_not_an_export(archive: Archive, tmp_path: Path, settings: Any) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.txt").write_text("years of work")
    with pytest.raises(CommandError, match="not empty and holds no earlier export"):
        export(home)
    assert everything(home) == {"thesis.txt": b"years of work"}
    with pytest.raises(CommandError, match="published files"):
        export(Path(settings.PUBLISHED_DIR) / "site")
    with pytest.raises(CommandError, match="published files"):
        export(tmp_path)
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(CommandError, match="is a file"):
        export(tmp_path / "a-file")


def test_it_refuses_an_address_that_is_not_a_web_address(archive: Archive, tmp_path: Path) -> None:
    for bad in ("archive.example.org", "javascript:alert(1)//x", "ftp://example.org/", "https://example.org/?a=1"):
        out = StringIO()
        with pytest.raises(CommandError, match="is not an address the site can be read at"):
            call_command("export_site", str(tmp_path / "site"), "--base-url", bad, stdout=out)
    assert not (tmp_path / "site").exists()


def test_it_says_when_there_is_no_federation(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No federation is set up yet"):
        export(tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_it_writes_into_an_empty_or_new_folder(archive: Archive, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    export(tmp_path / "empty")
    export(tmp_path / "new" / "deeper")
    assert everything(tmp_path / "empty") == everything(tmp_path / "new" / "deeper")
    assert (tmp_path / "empty").stat().st_mode & 0o755 == 0o755  # readable by the web server


def test_an_edition_links_the_languages_published_after_it(archive: Archive, tmp_path: Path, world: Any) -> None:
    """No. 1 was published in French; its English edition comes later, after a correction of the French one: the
    current French pages link the English ones, the archived French version is left as it was published."""
    publish(archive.first, "fr", correction="A date was wrong.")
    earlier = Edition.objects.get(issue=archive.first, language="fr", version=1)
    earlier_files = {f.path: f.sha256 for f in earlier.files.all()}
    contribution = archive.first.items.get().contribution
    translate(world, contribution, "en", "Evening circles", "A circle in Lyon[^1].\n\n[^1]: Since 2029.\n")
    publish(archive.first, "en")
    french = Edition.objects.get(issue=archive.first, language="fr", status=EditionStatus.PUBLISHED)
    assert french.other_languages == ["en"]
    # Lost relinked pages are made again too, from the languages they link now.
    Path(tmp_path / "published" / french.files.get(path__endswith="/items/1.html").path).unlink()

    export(tmp_path / "site")

    root = tmp_path / "site"
    assert broken_links(root) == []
    french_item = (root / "editions/bulletin/1/fr/items/1.html").read_text()
    assert 'href="../../en/items/1.html"' in french_item
    assert 'hreflang="en"' in (root / "editions/bulletin/1/fr/index.html").read_text()
    english_item = (root / "editions/bulletin/1/en/items/1.html").read_text()
    assert "Evening circles" in english_item and 'href="../../fr/items/1.html"' in english_item
    assert 'href="../../en/' not in (root / "editions/bulletin/1/fr-v1/items/1.html").read_text()
    assert {f.path: f.sha256 for f in Edition.objects.get(pk=earlier.pk).files.all()} == earlier_files
    for row in french.files.filter(format=FileFormat.WEB):
        name = services.file_name(row)
        assert hashlib.sha256((root / "editions/bulletin/1/fr" / name).read_bytes()).hexdigest() == row.sha256


# Versions and lost files ------------------------------------------------------------------------------------------


def test_a_corrected_edition_keeps_its_earlier_version(archive: Archive, tmp_path: Path) -> None:
    publish(archive.second, "en", correction="The date of the meeting was wrong.")
    assert "Exported 2 edition(s)" in export(tmp_path / "site")
    root = tmp_path / "site"
    cover = (root / "editions/bulletin/2/en/index.html").read_text()
    assert "The date of the meeting was wrong." in cover and "version 2" in cover
    earlier = (root / "editions/bulletin/2/en-v1/index.html").read_text()
    assert "The date of the meeting was wrong." not in earlier
    archive_page = (root / "editions/bulletin/index.html").read_text()
    assert 'href="2/en-v1/index.html"' in archive_page
    assert broken_links(root) == []


def test_lost_web_pages_are_made_again_when_they_come_out_the_same(archive: Archive, tmp_path: Path) -> None:
    edition = Edition.objects.get(issue=archive.second, language="en", status=EditionStatus.PUBLISHED)
    cover = edition.files.get(path__endswith="/index.html")
    published = Path(tmp_path / "published" / cover.path)
    original = published.read_bytes()
    published.unlink()
    export(tmp_path / "site")
    assert (tmp_path / "site/editions/bulletin/2/en/index.html").read_bytes() == original


def test_it_refuses_to_export_files_changed_since_publication(archive: Archive, tmp_path: Path) -> None:
    root = tmp_path / "site"
    export(root)
    before = everything(root)
    edition = Edition.objects.get(issue=archive.second, language="en", status=EditionStatus.PUBLISHED)
    pdf = edition.files.get(format=FileFormat.PDF)
    (tmp_path / "published" / pdf.path).write_bytes(b"%PDF tampered")
    with pytest.raises(CommandError, match="are missing or have changed") as refused:
        export(root)
    assert pdf.path in str(refused.value) and "--rebuild" in str(refused.value)
    assert everything(root) == before  # the earlier export is still served


def test_an_earlier_version_that_cannot_be_shown_whole_is_left_out(archive: Archive, tmp_path: Path) -> None:
    first = Edition.objects.get(issue=archive.second, language="en")
    publish(archive.second, "en", correction="A name was misspelt.")
    pdf = first.files.get(format=FileFormat.PDF)
    (tmp_path / "published" / pdf.path).unlink()  # and a PDF is never made again by the export
    output = export(tmp_path / "site")
    root = tmp_path / "site"
    assert "Exported 2 edition(s)" in output
    assert "an earlier version, is left out" in output and pdf.path in output
    assert not (root / "editions/bulletin/2/en-v1").exists()
    assert "en-v1" not in (root / "editions/bulletin/index.html").read_text()
    assert (root / "editions/bulletin/2/en/index.html").is_file()
    assert broken_links(root) == []


# The demo ---------------------------------------------------------------------------------------------------------


def test_the_demo_archive_exports_with_no_broken_link(db: None, tmp_path: Path) -> None:
    call_command("demo", stdout=StringIO())
    issue = Issue.objects.get(periodical__slug="bulletin", number=1)
    for language in ("en", "fr", "de", "es"):
        publish(issue, language)
    internal = Periodical.objects.get(slug="internal")
    secret = Issue.objects.create(periodical=internal, number=1, status=IssueStatus.ASSEMBLY)
    author = User.objects.get(username="correspondent")
    _contribution(Section.objects.order_by("pk")[0], secret, SECRET, f"The {SECRET}.\n", "en", author)
    publish(secret, "en")
    export(tmp_path / "site")
    root = tmp_path / "site"
    assert broken_links(root) == []
    files = everything(root)
    assert all(SECRET.encode() not in content for content in files.values())
    assert not any("internal" in path for path in files)
    pages = [path for path in files if path.startswith("editions/bulletin/1/")]
    assert {path.split("/")[3] for path in pages} == {"en", "fr", "de", "es"}
    for language in ("en", "fr", "de", "es"):
        assert f"editions/bulletin/1/{language}/items/6.html" in files
    # The French edition's pages are in French, and lead to the editions published before it.
    french = files["editions/bulletin/1/fr/index.html"].decode()
    assert '<html lang="fr" dir="ltr">' in french and 'href="../en/index.html"' in french
    export(tmp_path / "again")
    assert everything(tmp_path / "again") == files
