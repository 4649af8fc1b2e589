"""Publishing's services: who may publish, what is refused, one job per edition, corrections, and reproducible files."""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from liaison.editorial.models import Contribution, State
from liaison.errors import LiaisonError, NotAllowed
from liaison.periodicals.models import Issue, IssueStatus
from liaison.publishing import registry, services
from liaison.publishing.edition import Incomplete
from liaison.publishing.models import Edition, EditionFile, EditionStatus, JobState, PublishJob
from tests.conftest import ROLES
from tests.editorial.translated import translate
from tests.publishing.fixtures_core import (
    FRENCH,
    assembled_issue,
    bulletin,
    file_database,
    issue,
    publish,
    published,
    published_dir,
    renderers,
)

__all__ = ["bulletin", "issue", "published", "published_dir", "renderers"]


def files_on_disk(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_it_publishes_an_edition(world: Any, issue: Issue, published_dir: Path) -> None:
    job = publish(world, issue, "fr")

    assert job.state == JobState.DONE and job.error == ""
    assert (job.steps_done, job.steps_total) == (6, 6)
    assert job.attempts == 1
    edition = Edition.objects.get(issue=issue, language="fr")
    assert (edition.status, edition.version, job.edition_id) == (EditionStatus.PUBLISHED, 1, edition.pk)
    rows = {f.path: f for f in edition.files.all()}
    assert set(rows) == {
        "bulletin/1/fr/v1/index.html",
        "bulletin/1/fr/v1/style.css",
        "bulletin/1/fr/v1/items/1.html",
        "bulletin/1/fr/v1/items/2.html",
        "bulletin/1/fr/v1/bulletin-1-fr.pdf",
        "bulletin/1/fr/v1/bulletin-1-fr.epub",
    }
    for path, row in rows.items():
        content = (published_dir / path).read_bytes()
        assert (row.size, row.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert rows["bulletin/1/fr/v1/bulletin-1-fr.epub"].media_type == "application/epub+zip"
    assert rows["bulletin/1/fr/v1/index.html"].format == "web"
    # Nothing but the edition's folder: no temporary folder left beside it.
    assert sorted(p.name for p in (published_dir / "bulletin/1/fr").iterdir()) == ["v1"]
    # The French texts, not the English originals.
    assert "Rapport 1" in (published_dir / "bulletin/1/fr/v1/index.html").read_text()


def test_the_edition_keeps_its_contents_as_published_for_the_feeds(world: Any, issue: Issue) -> None:
    edition = publish(world, issue, "fr").edition
    assert edition is not None
    contents = Edition.objects.get(pk=edition.pk).contents
    assert [(c["position"], c["title"], c["language"], c["section"]) for c in contents] == [
        (1, "Rapport 1", "fr", world.section_a.name),
        (2, "Rapport 2", "fr", world.section_a.name),
    ]
    assert contents[0]["label"].startswith("Bulletin n°")  # in the edition's language
    # A text edited since is not what was published: the feed lists the published title.
    translate(world, Contribution.objects.get(item__issue=issue, item__position=1), "fr", "Rapport révisé", FRENCH)
    assert services.data_for(edition).items[0].title == "Rapport révisé"
    feed = Client().get("/feeds/bulletin/fr.atom").content.decode()
    assert "Rapport 1" in feed and "Rapport révisé" not in feed


def test_it_publishes_the_issue_with_its_first_edition(world: Any, issue: Issue) -> None:
    publish(world, issue, "fr")

    issue.refresh_from_db()
    assert issue.status == IssueStatus.PUBLISHED and issue.published_at is not None
    states = set(Contribution.objects.filter(item__issue=issue).values_list("state", flat=True))
    assert states == {State.PUBLISHED}
    # The second language publishes into the published issue.
    assert publish(world, issue, "en").state == JobState.DONE
    assert set(Edition.objects.filter(issue=issue).values_list("language", "status")) == {
        ("fr", EditionStatus.PUBLISHED),
        ("en", EditionStatus.PUBLISHED),
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_editors_publish(world: Any, issue: Issue, role: str) -> None:
    actor = world.actor(role)
    if role == "editor":
        assert services.request_publish(actor, issue, "fr").state == JobState.QUEUED
        return
    with pytest.raises(NotAllowed):
        services.request_publish(actor, issue, "fr")
    assert not PublishJob.objects.exists()


def test_the_section_holding_the_editorial_role_publishes(world: Any, issue: Issue) -> None:
    import datetime

    from liaison.federation.models import EditorialDelegation

    EditorialDelegation.objects.create(section=world.section_a, start=datetime.date(2020, 1, 1))
    assert services.request_publish(world.actor("corr_a"), issue, "fr").state == JobState.QUEUED
    with pytest.raises(NotAllowed):
        services.request_publish(world.actor("corr_b"), issue, "en")


def test_it_refuses_an_incomplete_edition_with_what_is_missing(world: Any, issue: Issue) -> None:
    with pytest.raises(Incomplete) as refused:
        services.request_publish(world.actor("editor"), issue, "de")

    assert len(refused.value.missing) == 2
    assert "Report 1" in refused.value.missing[0] and "Report 2" in refused.value.missing[1]
    assert "German" in str(refused.value) and "Report 2" in str(refused.value)
    assert not PublishJob.objects.exists() and not Edition.objects.exists()


def test_it_refuses_an_edition_that_became_incomplete_before_its_job_ran(world: Any, issue: Issue) -> None:
    job = services.request_publish(world.actor("editor"), issue, "fr")
    first = Contribution.objects.get(item__issue=issue, item__position=1)
    translate(world, first, "fr", "Rapport 1", "Un texte revu.", to="in_review")

    job = services.run_job(job.pk)

    assert job.state == JobState.FAILED and "Report 1" in job.error
    assert not Edition.objects.filter(status=EditionStatus.PUBLISHED).exists()


def test_a_jobs_texts_are_in_the_language_of_the_editor_who_asked(world: Any, issue: Issue) -> None:
    editor = world.users["editor"]
    editor.language = "fr"
    editor.save()
    job = services.request_publish(world.actor("editor"), issue, "fr")
    first = Contribution.objects.get(item__issue=issue, item__position=1)
    translate(world, first, "fr", "Rapport 1", "Un texte revu.", to="in_review")

    job = services.run_job(job.pk)

    assert "n’est pas complète" in job.error and "Report 1" in job.error


def test_it_refuses_an_issue_not_yet_assembled(world: Any, bulletin: Any, published_dir: Path, renderers: Any) -> None:
    planned = assembled_issue(world, bulletin, assemble=False)

    with pytest.raises(LiaisonError, match="not assembled"):
        services.request_publish(world.actor("editor"), planned, "en")
    assert not PublishJob.objects.exists()


def test_it_refuses_what_is_not_a_language(world: Any, issue: Issue) -> None:
    with pytest.raises(LiaisonError) as refused:
        services.request_publish(world.actor("editor"), issue, "english<script>")
    assert refused.value.field == "language"


def test_a_second_request_joins_the_active_job(world: Any, issue: Issue) -> None:
    editor = world.actor("editor")
    first = services.request_publish(editor, issue, "fr")
    second = services.request_publish(editor, issue, "fr")
    other = services.request_publish(editor, issue, "en")

    assert second.pk == first.pk and other.pk != first.pk
    assert PublishJob.objects.filter(language="fr").count() == 1


def test_a_request_racing_past_the_lock_still_joins_the_active_job(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job made meanwhile by another session: the database's constraint refuses a second, and the first is
    returned."""
    editor = world.actor("editor")
    first = services.request_publish(editor, issue, "fr")
    real = services.active_job
    calls = []

    def blind_once(issue: Issue, language: str) -> PublishJob | None:
        calls.append(language)
        return None if len(calls) == 1 else real(issue, language)

    monkeypatch.setattr(services, "active_job", blind_once)
    assert services.request_publish(editor, issue, "fr").pk == first.pk
    assert PublishJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_make_one_job(
    world: Any, bulletin: Any, published_dir: Path, renderers: Any, tmp_path: Path
) -> None:
    issue = assembled_issue(world, bulletin)
    editor = world.actor("editor")
    barrier = threading.Barrier(4)
    found: list[int] = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            barrier.wait()
            found.append(services.request_publish(editor, issue, "fr").pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    with file_database(tmp_path):
        threads = [threading.Thread(target=ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert not errors
    assert len(found) == 4 and len(set(found)) == 1
    assert PublishJob.objects.count() == 1


def test_a_republication_needs_a_correction_note(world: Any, issue: Issue, published: Edition) -> None:
    with pytest.raises(LiaisonError) as refused:
        services.request_publish(world.actor("editor"), issue, "fr", correction="   ")
    assert refused.value.field == "correction"
    assert PublishJob.objects.count() == 1


def test_a_first_publication_has_nothing_to_correct(world: Any, issue: Issue) -> None:
    with pytest.raises(LiaisonError) as refused:
        services.request_publish(world.actor("editor"), issue, "fr", correction="Typo")
    assert refused.value.field == "correction"


def test_a_correction_publishes_version_two_and_keeps_version_one(
    world: Any, issue: Issue, published: Edition, published_dir: Path
) -> None:
    first_files = files_on_disk(published_dir / "bulletin/1/fr/v1")

    job = publish(world, issue, "fr", correction="  The date of the meeting was wrong.  ")

    assert job.state == JobState.DONE
    published.refresh_from_db()
    second = job.edition
    assert second is not None
    assert (published.status, published.version) == (EditionStatus.SUPERSEDED, 1)
    assert (second.status, second.version, second.correction) == (
        EditionStatus.PUBLISHED,
        2,
        "The date of the meeting was wrong.",
    )
    assert second.published_at >= published.published_at
    # Version 1 is kept whole, as it was; version 2 has its own folder.
    assert files_on_disk(published_dir / "bulletin/1/fr/v1") == first_files
    assert (published_dir / "bulletin/1/fr/v2/bulletin-1-fr.pdf").exists()
    assert published.files.count() == 6 and second.files.count() == 6
    assert "The date of the meeting was wrong." in (published_dir / "bulletin/1/fr/v2/index.html").read_text()


def test_running_a_done_job_again_changes_nothing(world: Any, issue: Issue, published: Edition) -> None:
    job = PublishJob.objects.get()
    again = services.run_job(job.pk)

    assert again.state == JobState.DONE and again.attempts == 1
    assert Edition.objects.count() == 1 and EditionFile.objects.count() == 6


def test_a_rebuild_gives_the_same_bytes(world: Any, issue: Issue, published: Edition, published_dir: Path) -> None:
    before = files_on_disk(published_dir)
    shutil.rmtree(published_dir)

    written = services.rebuild_edition(published)

    assert sorted(written) == sorted(before)
    assert files_on_disk(published_dir) == before
    for row in published.files.all():
        assert hashlib.sha256((published_dir / row.path).read_bytes()).hexdigest() == row.sha256


def test_the_real_renderers_rebuild_the_same_bytes(world: Any, bulletin: Any, published_dir: Path) -> None:
    """The same with every renderer Liaison has (web pages, PDF, EPUB, email): the files are reproducible."""
    issue = assembled_issue(world, bulletin)
    job = publish(world, issue, "fr")
    assert job.state == JobState.DONE, job.error
    assert job.edition is not None
    before = files_on_disk(published_dir)
    assert any(name.endswith(".pdf") for name in before) and any(name.endswith(".epub") for name in before)
    shutil.rmtree(published_dir)

    services.rebuild_edition(job.edition)

    assert files_on_disk(published_dir) == before


def test_a_rebuild_that_would_change_the_edition_is_refused(
    world: Any, issue: Issue, published: Edition, published_dir: Path
) -> None:
    before = files_on_disk(published_dir)
    # The section's name changed since: the edition as published can no longer be made again.
    world.section_a.name = "Section Alpha, renamed"
    world.section_a.save()

    with pytest.raises(services.NotReproduced) as refused:
        services.rebuild_edition(published)

    assert "bulletin/1/fr/v1/bulletin-1-fr.pdf" in refused.value.paths
    assert "publish a correction instead" in str(refused.value)
    assert files_on_disk(published_dir) == before


def test_editions_link_the_languages_published_before_them(world: Any, issue: Issue) -> None:
    english = publish(world, issue, "en").edition
    french = publish(world, issue, "fr").edition
    assert english is not None and french is not None

    # The fake web pages cannot be given the languages published after them (the real ones can: see
    # test_language_links), so English keeps the links it was rendered with, and its rebuilds the same bytes.
    assert services.data_for(english).other_languages == ()
    assert services.data_for(french).other_languages == ("en",)


def test_a_format_not_available_yet_is_left_out_with_a_warning(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        registry,
        "RENDERERS",
        [("web", "tests.publishing.fakes:web"), ("email", "liaison.publishing.renderers.not_written_yet")],
    )

    job = publish(world, issue, "fr")

    assert job.state == JobState.DONE
    assert any("not available" in w and "email" in w.lower() for w in job.warnings)
    assert job.edition is not None
    assert set(job.edition.files.values_list("format", flat=True)) == {"web"}
    assert job.edition.warnings == job.warnings


def test_a_format_whose_library_is_missing_is_left_out_with_a_warning(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        registry, "RENDERERS", [("web", "tests.publishing.fakes:web"), ("pdf", "tests.publishing.needs_nothing")]
    )
    found, warnings = registry.available()
    assert [r.format for r in found] == ["web"]
    assert len(warnings) == 1 and "PDF" in warnings[0]


def test_without_any_renderer_nothing_is_published(world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "RENDERERS", [("pdf", "liaison.publishing.renderers.not_written_yet")])

    job = publish(world, issue, "fr")

    assert job.state == JobState.FAILED and "none of the renderers" in job.error
    assert not Edition.objects.filter(status=EditionStatus.PUBLISHED).exists()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.ASSEMBLY


def test_the_renderers_warnings_reach_the_job_and_the_edition(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        registry, "RENDERERS", [("web", "tests.publishing.fakes:web"), ("pdf", "tests.publishing.fakes:warning_pdf")]
    )

    job = publish(world, issue, "fr")

    assert job.state == JobState.DONE
    assert job.warnings == ["web: 2 items", "PDF: item 1 has a word too long for the line; it was broken."]
    assert job.edition is not None and job.edition.warnings == job.warnings


def test_the_main_file_of_each_format(world: Any, issue: Issue, published: Edition) -> None:
    names = [(f.format, services.file_name(f)) for f in services.main_files(published)]
    assert names == [("web", "index.html"), ("pdf", "bulletin-1-fr.pdf"), ("epub", "bulletin-1-fr.epub")]
