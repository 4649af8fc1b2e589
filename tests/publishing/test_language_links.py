"""Language links: every current edition's web pages link every language the issue is published in, those published
after it included, in the very transaction that publishes them; only the web pages change (and only their language
links), archived versions never, and ``liaison publish`` relinks once after publishing several languages.

The real web renderer with the fake PDF and EPUB: the pages are the ones readers get, the rest is quick."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from liaison.periodicals.models import Issue, Periodical
from liaison.publishing import registry, services, storage, views
from liaison.publishing.models import Edition, EditionFile, EditionStatus, FileFormat, JobState
from liaison.publishing.renderers import web
from tests.publishing.fixtures_core import assembled_issue, bulletin, publish, published_dir

__all__ = ["bulletin", "published_dir"]

REAL_WEB = [
    (FileFormat.WEB, "liaison.publishing.renderers.web"),
    (FileFormat.PDF, "tests.publishing.fakes:pdf"),
    (FileFormat.EPUB, "tests.publishing.fakes:epub"),
]


@pytest.fixture
def real_web(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "RENDERERS", list(REAL_WEB))


@pytest.fixture
def issue(world: Any, bulletin: Periodical, published_dir: Path, real_web: None) -> Issue:
    """Three items, complete in English (the originals), French and Russian."""
    return assembled_issue(world, bulletin, items=3, languages=("fr", "ru"))


def out(world: Any, issue: Issue, language: str, correction: str = "") -> Edition:
    job = publish(world, issue, language, correction)
    assert job.state == JobState.DONE, job.error
    assert job.edition is not None
    return Edition.objects.select_related("issue__periodical").get(pk=job.edition.pk)


def again(edition: Edition) -> Edition:
    return Edition.objects.select_related("issue__periodical").get(pk=edition.pk)


def stored(edition: Edition) -> dict[str, bytes]:
    """The edition's files as its rows say, read from the disk, by name in its folder."""
    return {services.file_name(f): storage.absolute(f.path).read_bytes() for f in edition.files.all()}


def rows(edition: Edition) -> dict[str, tuple[str, str, int]]:
    return {services.file_name(f): (f.path, f.sha256, f.size) for f in edition.files.all()}


def fresh_web(edition: Edition) -> dict[str, bytes]:
    """The web pages a publication of the edition would write now, with the languages it links now."""
    renderers, _unavailable = registry.available()
    files, _warnings = services._render_all(services.data_for(edition), renderers)
    return {name: f.content for name, f in files.items() if f.format == FileFormat.WEB}


def language_links(page: bytes) -> list[str]:
    html = page.decode()
    nav = html[html.index("<!--languages-->") : html.index("<!--/languages-->")]
    return [part.split('"', 1)[0] for part in nav.split('href="')[1:]]


def test_an_edition_gains_a_link_to_each_language_published_after_it(world: Any, issue: Issue) -> None:
    english = out(world, issue, "en")
    assert language_links(stored(english)["index.html"]) == []
    before = rows(english)

    french = out(world, issue, "fr")

    english = again(english)
    pages = stored(english)
    assert english.other_languages == ["fr"]
    assert language_links(pages["index.html"]) == ["../fr/index.html"]
    assert language_links(pages["items/2.html"]) == ["../../fr/items/2.html"]
    assert '<link rel="alternate" hreflang="fr" href="../fr/index.html">' in pages["index.html"].decode()
    # Byte for byte what publishing English now, with French out, gives; and every row tells the truth.
    assert {name: pages[name] for name in fresh_web(english)} == fresh_web(english)
    for f in english.files.all():
        assert hashlib.sha256(storage.absolute(f.path).read_bytes()).hexdigest() == f.sha256
        assert f.size == storage.absolute(f.path).stat().st_size
    # Only the web pages changed; the PDF and the EPUB are the very files published (linked, not copied).
    after = rows(english)
    assert after.keys() == before.keys()
    for name, (path, sha, _size) in after.items():
        web_page = name.endswith(".html")
        assert (sha != before[name][1]) == web_page, name
        assert path == f"{services.folder_of(english)}/{name}"
    pdf = "bulletin-1-en.pdf"
    assert storage.absolute(after[pdf][0]).stat().st_ino == storage.absolute(before[pdf][0]).stat().st_ino
    assert after["style.css"][1] == before["style.css"][1]
    # French, published second, linked English from the start.
    assert language_links(stored(french)["index.html"]) == ["../en/index.html"]
    assert again(french).folder == ""


def test_every_language_links_every_other_one_published(world: Any, issue: Issue) -> None:
    for code in ("ru", "en", "fr"):
        out(world, issue, code)

    for edition in Edition.objects.select_related("issue__periodical").filter(issue=issue):
        others = sorted({"en", "fr", "ru"} - {edition.language})
        assert edition.other_languages == others
        pages = stored(edition)
        assert language_links(pages["items/3.html"]) == [f"../../{code}/items/3.html" for code in others]
        assert {name: pages[name] for name in fresh_web(edition)} == fresh_web(edition)


def test_the_replaced_folder_is_removed_once_the_publication_commits(
    world: Any, issue: Issue, published_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    english = out(world, issue, "en")
    first_folder = services.folder_of(english)

    with django_capture_on_commit_callbacks(execute=True):
        out(world, issue, "fr")

    english = again(english)
    assert not storage.absolute(first_folder).exists()
    assert storage.absolute(services.folder_of(english)).is_dir()
    # Nothing else is left beside them: no temporary folder, no second copy.
    assert sorted(p.name for p in (published_dir / "bulletin/1/en").iterdir()) == [
        services.folder_of(english).rsplit("/", 1)[1]
    ]


def test_a_rebuild_gives_the_relinked_pages_again(world: Any, issue: Issue, published_dir: Path) -> None:
    english = out(world, issue, "en")
    out(world, issue, "fr")
    english = again(english)
    before = stored(english)
    shutil.rmtree(published_dir)

    services.rebuild_edition(english)

    assert stored(english) == before


def test_the_pages_are_served_with_their_new_links(world: Any, issue: Issue, client: Client) -> None:
    out(world, issue, "en")
    etag = client.get("/editions/bulletin/1/en/items/1.html")["ETag"]

    out(world, issue, "fr")

    response = client.get("/editions/bulletin/1/en/items/1.html")
    page = b"".join(response.streaming_content)
    assert response["ETag"] != etag
    assert language_links(page) == ["../../fr/items/1.html"]
    assert client.get("/editions/bulletin/1/en/bulletin-1-en.pdf").status_code == 200


def test_a_reader_who_found_the_files_just_before_they_moved_still_gets_them(
    world: Any, issue: Issue, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    out(world, issue, "en")
    stale = EditionFile.objects.get(path="bulletin/1/en/v1/index.html")
    out(world, issue, "fr")
    shutil.rmtree(storage.absolute("bulletin/1/en/v1"))  # as once the relink committed
    real = views._file
    calls = []

    def first_stale(*args: Any) -> EditionFile:
        calls.append(args)
        return stale if len(calls) == 1 else real(*args)

    monkeypatch.setattr(views, "_file", first_stale)

    response = client.get("/editions/bulletin/1/en/index.html")

    assert response.status_code == 200 and len(calls) == 2
    assert language_links(b"".join(response.streaming_content)) == ["../fr/index.html"]


def test_a_correction_needs_no_relink_and_archived_versions_stay_as_they_were(
    world: Any, issue: Issue, published_dir: Path
) -> None:
    english_v1 = out(world, issue, "en")
    archived = rows(english_v1)
    archived_bytes = stored(english_v1)
    english_v2 = out(world, issue, "en", correction="A name was misspelt.")

    french = out(world, issue, "fr")

    english_v1, english_v2 = again(english_v1), again(english_v2)
    assert english_v1.status == EditionStatus.SUPERSEDED
    assert rows(english_v1) == archived and stored(english_v1) == archived_bytes
    assert english_v1.other_languages == [] and english_v1.folder == ""
    assert english_v2.other_languages == ["fr"]
    assert language_links(stored(english_v2)["index.html"]) == ["../fr/index.html"]
    # Correcting French changes nothing of English, which links French already.
    linked = rows(english_v2)
    french_v2 = out(world, issue, "fr", correction="A date was wrong.")
    assert rows(again(english_v2)) == linked
    assert again(french).status == EditionStatus.SUPERSEDED and french_v2.other_languages == ["en"]


def test_an_edition_being_published_gains_the_languages_published_while_it_was_built(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    out(world, issue, "en")
    # Russian is prepared as if English were not out yet (published by another worker meanwhile).
    monkeypatch.setattr(services, "_other_languages", lambda edition, coming=(): [])

    russian = out(world, issue, "ru")

    assert russian.other_languages == ["en"]
    assert language_links(stored(russian)["index.html"]) == ["../en/index.html"]
    assert {name: stored(russian)[name] for name in fresh_web(russian)} == fresh_web(russian)


def test_pages_changed_on_disk_are_left_as_they_are_with_a_warning(world: Any, issue: Issue) -> None:
    english = out(world, issue, "en")
    cover = storage.absolute(f"{services.folder_of(english)}/items/1.html")
    cover.write_bytes(cover.read_bytes().replace(b"Report", b"Rapport"))
    before = rows(english)

    job = publish(world, issue, "fr")

    assert job.state == JobState.DONE
    assert any(
        "The English edition's web pages keep the language links they had" in w and "items/1.html" in w
        for w in job.warnings
    )
    english = again(english)
    assert rows(english) == before and english.other_languages == []


def test_a_publication_that_does_not_commit_leaves_the_other_editions_as_they_were(
    world: Any, issue: Issue, published_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    english = out(world, issue, "en")
    before = rows(english)
    real = services._relink_current

    def then_fail(*args: Any) -> None:
        real(*args)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_relink_current", then_fail)

    job = publish(world, issue, "fr")

    assert job.state == JobState.FAILED
    english = again(english)
    assert rows(english) == before and english.other_languages == [] and english.folder == ""
    assert sorted(p.name for p in (published_dir / "bulletin/1/en").iterdir()) == ["v1"]


def test_a_web_renderer_that_cannot_relink_keeps_its_links(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "RENDERERS", [("web", "tests.publishing.fakes:web")])
    english = out(world, issue, "en")
    before = rows(english)

    out(world, issue, "fr")

    english = again(english)
    assert rows(english) == before and english.other_languages == []


def run_command(*args: str) -> str:
    output = io.StringIO()
    call_command("publish", *args, stdout=output, stderr=io.StringIO())
    return output.getvalue()


def test_publishing_every_language_in_one_go_links_them_all_from_the_start_and_rewrites_nothing(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    relinked: list[str] = []
    real = services._relink_edition

    def spy(edition: Edition, *args: Any) -> None:
        relinked.append(edition.language)
        real(edition, *args)

    monkeypatch.setattr(services, "_relink_edition", spy)

    output = run_command("bulletin", str(issue.number))

    # Each edition links the languages to come as it is published: when they all came out, no page is rewritten
    # (not English after French, then English and French again after Russian; nor any at the end).
    assert relinked == []
    assert "now link every language published" not in output
    for edition in Edition.objects.select_related("issue__periodical").filter(issue=issue):
        assert edition.other_languages == sorted({"en", "fr", "ru"} - {edition.language})
        assert {name: stored(edition)[name] for name in fresh_web(edition)} == fresh_web(edition)


def test_running_the_command_again_mends_links_left_out(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    english = out(world, issue, "en")
    monkeypatch.setattr(services, "_relink_current", lambda *args: None)  # a run interrupted before relinking
    out(world, issue, "fr")
    out(world, issue, "ru")
    monkeypatch.undo()
    monkeypatch.setattr(registry, "RENDERERS", list(REAL_WEB))
    assert again(english).other_languages == []

    output = run_command("bulletin", str(issue.number))

    assert "Every complete edition is published already." in output
    assert again(english).other_languages == ["fr", "ru"]
    assert {e.language: e.other_languages for e in Edition.objects.filter(issue=issue)} == {
        "en": ["fr", "ru"],
        "fr": ["en", "ru"],
        "ru": ["en", "fr"],
    }


def test_linking_costs_as_many_queries_whatever_the_items(
    world: Any, bulletin: Periodical, published_dir: Path, real_web: None, django_assert_max_num_queries: Any
) -> None:
    counts = []
    for items in (2, 6):
        issue = assembled_issue(world, bulletin, items=items, languages=("fr",))
        out(world, issue, "en")
        out(world, issue, "fr")
        services.relink_issue(issue)  # nothing to do
        with django_assert_max_num_queries(100) as captured:
            Edition.objects.filter(issue=issue, language="en").update(other_languages=[])
            services.relink_issue(issue)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_a_missing_file_is_left_as_it_is_with_a_warning(world: Any, issue: Issue) -> None:
    english = out(world, issue, "en")
    os.remove(storage.absolute(f"{services.folder_of(english)}/bulletin-1-en.pdf"))
    before = rows(english)

    relinked = services.relink_issue(issue)
    assert relinked.editions == []
    job = publish(world, issue, "fr")

    assert job.state == JobState.DONE
    assert any("The English edition's web pages keep the language links they had" in w for w in job.warnings)
    assert rows(again(english)) == before
    assert not [p for p in storage.absolute("bulletin/1/en").iterdir() if p.name != "v1"]


def test_the_registry_finds_how_the_web_pages_are_relinked() -> None:
    # Relinking itself is tested with the renderer (test_web).
    renderers, _unavailable = registry.available()
    assert services._relinker(renderers) is web.relink


def test_where_the_disk_cannot_link_the_other_files_are_copied(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    english = out(world, issue, "en")
    pdf = stored(english)["bulletin-1-en.pdf"]

    def cannot(*args: Any) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", cannot)
    out(world, issue, "fr")

    english = again(english)
    assert english.other_languages == ["fr"]
    assert stored(english)["bulletin-1-en.pdf"] == pdf
    row = english.files.get(format=FileFormat.PDF)
    assert row.sha256 == hashlib.sha256(pdf).hexdigest() and row.size == len(pdf)


def test_what_a_killed_relink_left_on_disk_is_removed_by_the_next(
    world: Any, issue: Issue, published_dir: Path
) -> None:
    out(world, issue, "en")
    folder = published_dir / "bulletin/1/en"
    (folder / "v1.0123456789ab" / "items").mkdir(parents=True)  # written, never recorded
    (folder / ".v1.0123456789ab.f00.tmp").mkdir()  # being written
    (folder / "v10").mkdir()  # another version's, not a relink's

    out(world, issue, "fr")

    english = Edition.objects.select_related("issue__periodical").get(issue=issue, language="en")
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted(["v1", "v10", services.folder_of(english).rsplit("/", 1)[1]])


def test_a_language_announced_but_not_published_loses_its_link_at_the_end(world: Any, issue: Issue) -> None:
    # As ``liaison publish`` does: English published first, naming French as coming, and French then fails.
    job = services.request_publish(world.actor("editor"), issue, "en")
    job = services.run_job(job.pk, link_languages=False, coming=["fr"])
    assert job.state == JobState.DONE, job.error
    english = again(job.edition)
    assert english.other_languages == ["fr"]
    assert language_links(stored(english)["index.html"])  # the French link, for now

    relinked = services.relink_issue(issue)

    english = again(english)
    assert [e.language for e in relinked.editions] == ["en"]
    assert english.other_languages == []
    assert {name: stored(english)[name] for name in fresh_web(english)} == fresh_web(english)
    assert language_links(stored(english)["index.html"]) == []
