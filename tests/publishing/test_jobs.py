"""Publishing jobs: progress, failures that leave nothing visible, crashes mid-way, retries, and the Celery task."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.periodicals.models import Issue, IssueStatus
from liaison.publishing import registry, services, storage, tasks
from liaison.publishing.models import Edition, EditionFile, EditionStatus, JobState, PublishJob
from tests.publishing.fixtures_core import (
    bulletin,
    issue,
    publish,
    published,
    published_dir,
    renderers,
)

__all__ = ["bulletin", "issue", "published", "published_dir", "renderers"]


class Crash(BaseException):
    """What a worker killed mid-job looks like from inside: the run stops there, and nothing runs after it."""


def crashing(data: Any) -> Any:
    raise Crash


def use(monkeypatch: pytest.MonkeyPatch, *chosen: tuple[str, str]) -> None:
    monkeypatch.setattr(registry, "RENDERERS", list(chosen))


WEB = ("web", "tests.publishing.fakes:web")
PDF = ("pdf", "tests.publishing.fakes:pdf")


def nothing_visible(client: Client, issue: Issue) -> None:
    """No published edition, no file served, no download link on the issue page."""
    assert not Edition.objects.filter(issue=issue, status__in=services.VISIBLE).exists()
    assert client.get("/editions/bulletin/1/fr/index.html").status_code == 404
    page = client.get("/bulletins/bulletin/1/").content.decode()
    assert "/editions/bulletin/1/fr/" not in page


def expire_leases(settings: Any) -> None:
    settings.PUBLISH_JOB_LEASE = -1


def leftovers(published_dir: Path) -> list[str]:
    return sorted(p.name for p in published_dir.rglob(".*"))


def test_it_reports_progress_step_by_step(world: Any, issue: Issue) -> None:
    job = services.request_publish(world.actor("editor"), issue, "fr")
    seen: list[tuple[int, int, str, str]] = []

    services.run_job(job.pk, on_progress=lambda j: seen.append((j.steps_done, j.steps_total, j.step, j.state)))

    done = [s[0] for s in seen]
    assert done == sorted(done) and seen[-1][:2] == (6, 6) and seen[-1][3] == JobState.DONE
    steps = [s[2] for s in seen]
    assert "Rendering: PDF" in steps and "Writing the files" in steps and steps[-1] == "Published"
    assert all(state == JobState.RUNNING for *_rest, state in seen[:-1])


def test_progress_is_visible_to_others_while_the_job_runs(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = services.request_publish(world.actor("editor"), issue, "fr")
    seen: list[tuple[str, int, str]] = []

    def watching(data: Any) -> Any:
        row = PublishJob.objects.get(pk=job.pk)
        seen.append((row.state, row.steps_done, row.step))
        from tests.publishing import fakes

        return fakes.pdf(data)

    monkeypatch.setattr("tests.publishing.fakes.watched", watching, raising=False)
    use(monkeypatch, WEB, ("pdf", "tests.publishing.fakes:watched"))
    services.run_job(job.pk)

    assert seen == [(JobState.RUNNING, 2, "Rendering: PDF")]


def test_a_failing_renderer_fails_the_job_and_leaves_nothing(
    world: Any, issue: Issue, published_dir: Path, monkeypatch: pytest.MonkeyPatch, client: Client
) -> None:
    use(monkeypatch, WEB, ("pdf", "tests.publishing.fakes:broken"))

    job = publish(world, issue, "fr")

    assert job.state == JobState.FAILED
    assert job.error == "Rendering: PDF failed: RendererBug: the renderer has a bug"
    assert job.finished_at is not None and job.runner == ""
    assert Edition.objects.get().status == EditionStatus.FAILED
    assert not EditionFile.objects.exists()
    assert not (published_dir / "bulletin/1/fr/v1").exists() and leftovers(published_dir) == []
    issue.refresh_from_db()
    assert issue.status == IssueStatus.ASSEMBLY
    nothing_visible(client, issue)


def test_a_failed_job_is_retried_and_reuses_its_version(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, WEB, ("pdf", "tests.publishing.fakes:broken"))
    failed = publish(world, issue, "fr")
    first_time = Edition.objects.get().published_at
    use(monkeypatch, WEB, PDF)  # the bug is fixed

    retried = services.retry_job(world.actor("editor"), failed)
    assert (retried.pk, retried.state) == (failed.pk, JobState.QUEUED)
    job = services.run_job(retried.pk)

    assert (job.state, job.attempts, job.error) == (JobState.DONE, 2, "")
    edition = Edition.objects.get()
    assert (edition.status, edition.version, edition.published_at) == (EditionStatus.PUBLISHED, 1, first_time)


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_a", "translator"])
def test_only_editors_retry(world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch, role: str) -> None:
    use(monkeypatch, ("pdf", "tests.publishing.fakes:broken"))
    failed = publish(world, issue, "fr")

    with pytest.raises(NotAllowed):
        services.retry_job(world.actor(role), failed)
    failed.refresh_from_db()
    assert failed.state == JobState.FAILED


def test_a_running_or_done_job_is_not_retried(world: Any, issue: Issue) -> None:
    editor = world.actor("editor")
    queued = services.request_publish(editor, issue, "fr")
    with pytest.raises(Conflict):
        services.retry_job(editor, queued)
    done = services.run_job(queued.pk)
    with pytest.raises(LiaisonError, match="done"):
        services.retry_job(editor, done)


@pytest.mark.parametrize("renderer", ["unsafe", "clashing"])
def test_a_renderer_writing_where_it_must_not_fails_the_job(
    world: Any, issue: Issue, published_dir: Path, monkeypatch: pytest.MonkeyPatch, renderer: str
) -> None:
    use(monkeypatch, WEB, ("pdf", f"tests.publishing.fakes:{renderer}"))

    job = publish(world, issue, "fr")

    assert job.state == JobState.FAILED
    assert ("outside the edition" if renderer == "unsafe" else "Two formats write the same file") in job.error
    assert not (published_dir / "bulletin/1/escape.html").exists()
    assert not any(published_dir.rglob("*.html"))


def test_a_crash_mid_way_leaves_nothing_visible_and_a_retry_publishes_once(
    world: Any, issue: Issue, published_dir: Path, monkeypatch: pytest.MonkeyPatch, settings: Any, client: Client
) -> None:
    monkeypatch.setattr("tests.publishing.fakes.crashing", crashing, raising=False)
    use(monkeypatch, WEB, ("pdf", "tests.publishing.fakes:crashing"))
    job = services.request_publish(world.actor("editor"), issue, "fr")
    with pytest.raises(Crash):
        services.run_job(job.pk)

    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.RUNNING, 1)
    building = Edition.objects.get()
    assert building.status == EditionStatus.BUILDING
    nothing_visible(client, issue)
    # While its lease runs, the crashed run might still be alive: nobody takes the job from it.
    use(monkeypatch, WEB, PDF)
    with pytest.raises(services.Busy):
        services.run_job(job.pk)

    expire_leases(settings)
    job = services.run_job(job.pk)

    assert (job.state, job.attempts) == (JobState.DONE, 2)
    edition = Edition.objects.get()
    assert (edition.pk, edition.version, edition.status) == (building.pk, 1, EditionStatus.PUBLISHED)
    assert edition.published_at == building.published_at
    assert leftovers(published_dir) == []
    assert client.get("/editions/bulletin/1/fr/index.html").status_code == 200


def test_a_crash_after_the_files_are_written_leaves_them_unseen(
    world: Any, issue: Issue, published_dir: Path, monkeypatch: pytest.MonkeyPatch, settings: Any, client: Client
) -> None:
    real = services._publish

    def crash_before_commit(*args: Any, **kwargs: Any) -> Any:
        raise Crash

    monkeypatch.setattr(services, "_publish", crash_before_commit)
    job = services.request_publish(world.actor("editor"), issue, "fr")
    with pytest.raises(Crash):
        services.run_job(job.pk)

    # The folder is complete on disk, but no reader can see it: the database says what is published.
    assert (published_dir / "bulletin/1/fr/v1/bulletin-1-fr.pdf").exists()
    nothing_visible(client, issue)

    monkeypatch.setattr(services, "_publish", real)
    expire_leases(settings)
    job = services.run_job(job.pk)

    assert job.state == JobState.DONE
    assert Edition.objects.filter(status=EditionStatus.PUBLISHED).count() == 1
    assert EditionFile.objects.count() == 6 and leftovers(published_dir) == []


def test_a_run_that_lost_its_lease_never_publishes(world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that was thought dead (its lease ran out and another run took the job) wakes up: it stops."""
    job = services.request_publish(world.actor("editor"), issue, "fr")

    def taken_over(data: Any) -> Any:
        PublishJob.objects.filter(pk=job.pk).update(runner="another-run", heartbeat=timezone.now())
        from tests.publishing import fakes

        return fakes.pdf(data)

    monkeypatch.setattr("tests.publishing.fakes.taken_over", taken_over, raising=False)
    use(monkeypatch, WEB, ("pdf", "tests.publishing.fakes:taken_over"))

    result = services.run_job(job.pk)

    assert (result.state, result.runner) == (JobState.RUNNING, "another-run")
    assert not Edition.objects.filter(status=EditionStatus.PUBLISHED).exists()
    assert not EditionFile.objects.exists()


def test_a_passing_trouble_queues_the_job_again(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, published_dir: Path
) -> None:
    monkeypatch.setenv("LIAISON_TEST_FLAKY_MARK", str(tmp_path / "flaky"))
    use(monkeypatch, WEB, ("pdf", "tests.publishing.fakes:flaky"))
    job = services.request_publish(world.actor("editor"), issue, "fr")

    with pytest.raises(OSError, match="No space left"):
        services.run_job(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.QUEUED and "No space left on device" in job.error and "tried again" in job.error
    assert Edition.objects.get().status == EditionStatus.FAILED and leftovers(published_dir) == []
    job = services.run_job(job.pk)
    assert (job.state, job.attempts, job.error) == (JobState.DONE, 2, "")
    assert Edition.objects.get().status == EditionStatus.PUBLISHED


@pytest.fixture
def eager_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Celery runs a task's retries at once in-process only when its errors are not raised to the caller."""
    from liaison.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


def test_the_task_retries_a_passing_trouble(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, eager_retries: None
) -> None:
    monkeypatch.setenv("LIAISON_TEST_FLAKY_MARK", str(tmp_path / "flaky"))
    use(monkeypatch, WEB, ("pdf", "tests.publishing.fakes:flaky"))
    job = services.request_publish(world.actor("editor"), issue, "fr")

    result = tasks.publish_task.apply(args=(job.pk,))

    assert result.get() == JobState.DONE
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 2)


def test_the_task_gives_up_after_its_retries(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch, eager_retries: None
) -> None:
    def disk_full(data: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tests.publishing.fakes.disk_full", disk_full, raising=False)
    use(monkeypatch, WEB, ("pdf", "tests.publishing.fakes:disk_full"))
    job = services.request_publish(world.actor("editor"), issue, "fr")

    assert tasks.publish_task.apply(args=(job.pk,)).get() == "failed"

    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.attempts == tasks.MAX_RETRIES + 1
    assert job.error.startswith("Gave up after 6 attempts") and "No space left" in job.error
    # An editor may try again once the disk has room.
    assert services.may_retry(job)


def test_the_task_of_a_job_done_already_does_nothing(world: Any, issue: Issue, published: Edition) -> None:
    job = PublishJob.objects.get()
    assert tasks.publish_task.apply(args=(job.pk,)).get() == JobState.DONE
    job.refresh_from_db()
    assert job.attempts == 1 and Edition.objects.count() == 1


def test_without_a_worker_a_started_job_runs_when_the_transaction_commits(
    world: Any, issue: Issue, django_capture_on_commit_callbacks: Any
) -> None:
    job = services.request_publish(world.actor("editor"), issue, "fr")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.start(job)
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and len(callbacks) == 1

    callbacks[0]()

    job.refresh_from_db()
    assert job.state == JobState.DONE


def test_with_a_worker_a_started_job_is_sent_to_it(
    world: Any, issue: Issue, settings: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list[int] = []
    monkeypatch.setattr(tasks.publish_task, "delay", lambda job_id: sent.append(job_id))
    job = services.request_publish(world.actor("editor"), issue, "fr")

    with django_capture_on_commit_callbacks(execute=True):
        tasks.start(job)

    assert sent == [job.pk]
    job.refresh_from_db()
    assert job.state == JobState.QUEUED


def test_a_job_nobody_took_becomes_retryable(world: Any, issue: Issue) -> None:
    job = services.request_publish(world.actor("editor"), issue, "fr")
    assert not services.may_retry(job)

    later = timezone.now() + services.lease() + datetime.timedelta(seconds=1)
    assert services.is_stale(job, now=later)
    PublishJob.objects.filter(pk=job.pk).update(created=timezone.now() - services.lease() * 2)
    job.refresh_from_db()
    assert services.may_retry(job)
    assert services.retry_job(world.actor("editor"), job).state == JobState.QUEUED


def test_storage_refuses_names_outside_the_edition() -> None:
    for name in ("../x", "/etc/passwd", "a/../../b", ".hidden", "a\\b", ""):
        with pytest.raises(storage.UnsafePath):
            storage.check_name(name)
    assert storage.check_name("items/1.html") == "items/1.html"
