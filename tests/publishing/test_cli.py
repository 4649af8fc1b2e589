"""``liaison publish``: every complete language or those named, progress, warnings, where the files are, refusals."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from liaison.periodicals.models import Issue
from liaison.publishing import registry
from liaison.publishing.models import Edition, EditionStatus, JobState, PublishJob
from tests.publishing.fixtures_core import (
    bulletin,
    issue,
    published,
    published_dir,
    renderers,
)

__all__ = ["bulletin", "issue", "published", "published_dir", "renderers"]


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("publish", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_publishes_every_complete_language(world: Any, issue: Issue, published_dir: Path) -> None:
    out, _err = run("bulletin", "1")

    assert set(Edition.objects.values_list("language", "status")) == {
        ("en", EditionStatus.PUBLISHED),
        ("fr", EditionStatus.PUBLISHED),
    }
    assert "English: published, version 1." in out and "French: published, version 1." in out
    assert f"files in {published_dir / 'bulletin/1/fr/v1'}" in out
    assert "bulletin-1-fr.pdf" in out and "items/2.html" in out
    assert "warning: web: 2 items" in out
    # The operator acts for the secretariat: the jobs record no account.
    assert set(PublishJob.objects.values_list("requested_by", flat=True)) == {None}


def test_it_publishes_the_language_named(world: Any, issue: Issue) -> None:
    run("bulletin", "1", "--language", "FR")
    assert list(Edition.objects.values_list("language", flat=True)) == ["fr"]


def test_it_skips_what_is_published_already(world: Any, issue: Issue, published: Edition) -> None:
    out, _err = run("bulletin", "1")

    assert "French: already published" in out and "--correction" in out
    assert set(Edition.objects.values_list("language", "version")) == {("fr", 1), ("en", 1)}


def test_it_publishes_a_correction(world: Any, issue: Issue, published: Edition) -> None:
    out, _err = run("bulletin", "1", "--language", "fr", "--correction", "Item 2's title.")

    assert "French: published, version 2." in out
    published.refresh_from_db()
    assert published.status == EditionStatus.SUPERSEDED


def test_an_incomplete_language_is_refused_with_what_is_missing(world: Any, issue: Issue) -> None:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 edition"):
        call_command("publish", "bulletin", "1", "--language", "de", "--language", "fr", stdout=out, stderr=err)

    assert "The German edition is not complete" in err.getvalue()
    assert "  - item 1, “Report 1”" in err.getvalue() and "  - item 2, “Report 2”" in err.getvalue()
    # The complete language named beside it is published all the same.
    assert "French: published, version 1." in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nothing", "1"), "There is no bulletin “nothing”"),
        (("bulletin", "7"), "has no issue No. 7"),
        (("bulletin", "1", "--language", "xx-nonsense"), "is not a language code"),
    ],
)
def test_bad_input_is_refused_clearly(world: Any, issue: Issue, args: tuple[str, ...], message: str) -> None:
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("publish", *args, stdout=io.StringIO(), stderr=err)
    assert message in str(refused.value) + err.getvalue()
    assert not Edition.objects.exists()


def test_an_issue_without_a_complete_edition_is_refused(world: Any, issue: Issue) -> None:
    from liaison.editorial.models import Contribution
    from liaison.translations.models import Translation

    # Originals no longer in English, French translations sent back: nothing complete.
    Contribution.objects.update(language="pt")
    Translation.objects.filter(language="fr").update(state="in_review")
    with pytest.raises(CommandError, match=r"No edition of Bulletin No\. 1 is complete"):
        run("bulletin", "1")


def test_a_failed_job_makes_the_command_fail(world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "RENDERERS", [("pdf", "tests.publishing.fakes:broken")])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("publish", "bulletin", "1", "--language", "fr", stdout=io.StringIO(), stderr=err)
    assert "French: failed: Rendering: PDF failed: RendererBug" in err.getvalue()
    assert PublishJob.objects.get().state == JobState.FAILED


def test_it_rebuilds_lost_files(world: Any, issue: Issue, published: Edition, published_dir: Path) -> None:
    pdf = published_dir / "bulletin/1/fr/v1/bulletin-1-fr.pdf"
    before = pdf.read_bytes()
    shutil.rmtree(published_dir)

    out, _err = run("bulletin", "1", "--rebuild")

    assert "French v1: 6 files rebuilt, identical." in out
    assert pdf.read_bytes() == before


def test_a_rebuild_with_nothing_published_is_refused(world: Any, issue: Issue) -> None:
    with pytest.raises(CommandError, match="no published edition"):
        run("bulletin", "1", "--rebuild")


def test_it_waits_for_a_worker_when_there_is_one(
    world: Any, issue: Issue, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a worker the command sends the job and follows it; here a fake worker runs the job when it is sent."""
    from liaison.publishing import services, tasks
    from liaison.publishing.management.commands import publish as command

    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list[int] = []

    def worker(job_id: int) -> None:
        sent.append(job_id)
        services.run_job(job_id)

    monkeypatch.setattr(tasks.publish_task, "delay", worker)
    monkeypatch.setattr(command, "POLL_SECONDS", 0)

    out, _err = run("bulletin", "1", "--language", "fr")

    assert sent == [PublishJob.objects.get().pk]
    assert "French: published, version 1." in out


def test_it_gives_up_waiting_when_told_to(
    world: Any, issue: Issue, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liaison.publishing import tasks
    from liaison.publishing.management.commands import publish as command

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(tasks.publish_task, "delay", lambda job_id: None)  # no worker takes it
    monkeypatch.setattr(command, "POLL_SECONDS", 0.01)

    with pytest.raises(CommandError, match="still queued"):
        run("bulletin", "1", "--language", "fr", "--timeout", "0.1")
    assert PublishJob.objects.get().state == JobState.QUEUED
