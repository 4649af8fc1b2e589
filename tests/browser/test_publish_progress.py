"""Publishing an edition in a browser: the editor clicks Publish on the issue page and follows the job live (the
panel polls the job's status with HTMX) until the downloads appear, without reloading; a job that fails shows its
error and a button to try again, which works.

How the job runs here: in-process (``CELERY_TASK_ALWAYS_EAGER``: on a one-machine install, and in the other tests, the
request that asks runs the job before it answers), but on a thread of its own, as a worker would, so that the page gets
its answer while the job runs. The PDF renderer is held at a gate the test opens: the running state is then seen for
certain, not by luck of timing, and the published state can only come from the polling that follows. The renderers
are the publishing tests' fakes (web, EPUB) around the held PDF: the test is about the page, not the formats.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.db.backends.signals import connection_created
from playwright.sync_api import Page, expect

from liaison.periodicals.models import Issue, Periodical
from liaison.publishing import registry, tasks
from liaison.publishing.edition import EditionData
from liaison.publishing.models import EditionStatus, JobState, PublishJob
from liaison.publishing.renderers import Rendered
from tests.browser.test_editorial_path import _give_second_factor, _log_in
from tests.publishing import fakes
from tests.publishing.fixtures_core import assembled_issue

# Long enough for a poll (every two seconds) and its answer on a busy machine.
LIVE = 15_000
FONT_TROUBLE = "no font covers this script"


class Gate:
    """Where the held PDF renderer waits: ``reached`` once a run is inside it, ``opened`` by the test. The run then
    fails if the test asked it to (``fail``), else renders the PDF."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.opened = threading.Event()
        self.fail = False

    def close(self) -> None:
        self.reached.clear()
        self.opened.clear()

    def wait_for_a_run(self) -> None:
        assert self.reached.wait(timeout=LIVE / 1000), "the job never reached the PDF"


GATE = Gate()


def held_pdf(data: EditionData) -> Rendered:
    GATE.reached.set()
    if not GATE.opened.wait(timeout=60):
        raise TimeoutError("the test never opened the gate")
    if GATE.fail:
        GATE.fail = False
        raise RuntimeError(FONT_TROUBLE)
    return fakes.pdf(data)


@pytest.fixture
def held_renderers(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> Iterator[Gate]:
    settings.PUBLISHED_DIR = tmp_path / "published"
    monkeypatch.setattr(
        registry,
        "RENDERERS",
        [
            ("web", "tests.publishing.fakes:web"),
            ("pdf", f"{__name__}:held_pdf"),
            ("epub", "tests.publishing.fakes:epub"),
        ],
    )
    GATE.close()
    GATE.fail = False
    yield GATE
    GATE.opened.set()  # never leave a job waiting behind the test


def _reads_take_no_lock(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch, settings: Any, live_server: Any) -> Iterator[list[threading.Thread]]:
    """``tasks.enqueue`` (the in-process run) on a thread of its own, as a worker would take the job.

    With SQLite, the test database is in memory, shared by the connections of the live server's threads, the job's
    thread and the test's own. SQLite locks each table there for a reader until it is done, and a writer meeting
    such a lock fails at once ("database table is locked") instead of waiting: a poll that reads the job while the
    job saves its progress would fail it, now and then. The test's connections read without taking locks
    (``read_uncommitted``, which only applies to such a shared in-memory database), so the job's progress is seen
    as it is written; the job's thread is the only writer meanwhile."""
    settings.CELERY_TASK_ALWAYS_EAGER = True  # in-process, whatever the environment says about a broker
    connection_created.connect(_reads_take_no_lock, dispatch_uid=__name__)
    main = connections["default"]
    if main.vendor == "sqlite" and main.connection is not None:
        _reads_take_no_lock(None, main)
    run_here = tasks.enqueue
    threads: list[threading.Thread] = []

    def enqueue(job_id: int) -> None:
        def run() -> None:
            try:
                run_here(job_id)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run, name=f"publish-job-{job_id}", daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(tasks, "enqueue", enqueue)
    yield threads
    GATE.opened.set()
    for thread in threads:
        thread.join(timeout=30)
    connection_created.disconnect(dispatch_uid=__name__)
    if main.vendor == "sqlite" and main.connection is not None:
        with main.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 0")
    assert not any(thread.is_alive() for thread in threads), "a publishing job is still running"


def _jobs_end(threads: list[threading.Thread]) -> None:
    """Wait for the job's thread (its last receivers run after the page sees the edition) before reading."""
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "the publishing job never ended"


def _issue_page(world: Any, page: Page, base: str) -> Issue:
    """An assembled issue whose French edition is complete, open on the editor's screen."""
    bulletin = Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")
    issue = assembled_issue(world, bulletin)
    _log_in(page, base, "editor", "/bulletins/bulletin/1/")
    _give_second_factor(page, world.devices["editor"])
    expect(page.get_by_role("heading", name="Published editions")).to_be_visible()
    # Anything the page remembers is lost if it reloads or navigates: the proof that what follows is live.
    page.evaluate("window.liaisonNotReloaded = true")
    return issue


def _still_the_same_page(page: Page) -> None:
    assert page.evaluate("window.liaisonNotReloaded") is True, "the page was reloaded"


def _sees_the_job_running(page: Page, gate: Gate) -> None:
    """The job is held inside the PDF: the panel shows it running, with its step and progress, and no download."""
    gate.wait_for_a_run()
    job = page.locator("#job-fr")
    expect(job.get_by_role("status")).to_contain_text("PDF", timeout=LIVE)  # "Rendering: PDF", by a poll
    expect(job.locator("progress")).to_have_attribute("value", re.compile(r"^[1-9]\d*$"))
    expect(job).to_contain_text(re.compile(r"\b[1-9]\d?%"))
    expect(page.locator("#edition-fr .downloads")).to_have_count(0)


def _sees_the_edition_published(page: Page) -> None:
    edition = page.locator("#edition-fr")
    expect(edition.locator(".downloads")).to_be_visible(timeout=LIVE)
    expect(edition).to_contain_text("Version 1")
    for label in ("Read online", "PDF", "EPUB"):
        expect(edition.locator(".downloads").get_by_role("link", name=label)).to_be_visible()
    expect(edition.locator("progress")).to_have_count(0)


def test_the_editor_follows_a_publication_live_until_the_downloads_appear(
    live_server: Any, world: Any, page: Page, held_renderers: Gate, worker: list[threading.Thread]
) -> None:
    base = live_server.url
    issue = _issue_page(world, page, base)

    page.get_by_role("button", name="Publish the French edition").click()
    _sees_the_job_running(page, held_renderers)
    running = PublishJob.objects.get(issue=issue, language="fr")
    assert running.state == JobState.RUNNING and 0 < running.steps_done < running.steps_total

    held_renderers.opened.set()
    _sees_the_edition_published(page)
    _still_the_same_page(page)
    _jobs_end(worker)
    job = PublishJob.objects.get(issue=issue, language="fr")
    assert job.state == JobState.DONE and job.edition is not None and job.edition.status == EditionStatus.PUBLISHED

    # The links lead to the files, for the editor's session.
    pdf = page.locator("#edition-fr .downloads").get_by_role("link", name="PDF").get_attribute("href")
    assert pdf is not None
    response = page.request.get(f"{base}{pdf}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_a_failed_job_shows_its_error_and_trying_again_publishes(
    live_server: Any, world: Any, page: Page, held_renderers: Gate, worker: list[threading.Thread]
) -> None:
    base = live_server.url
    issue = _issue_page(world, page, base)

    page.get_by_role("button", name="Publish the French edition").click()
    _sees_the_job_running(page, held_renderers)
    held_renderers.fail = True
    held_renderers.opened.set()

    # The failure arrives by the polling: its error, and a way to try again.
    edition = page.locator("#edition-fr")
    expect(edition.get_by_role("alert")).to_contain_text("Publishing failed after 1 attempt", timeout=LIVE)
    expect(edition.get_by_role("alert")).to_contain_text(FONT_TROUBLE)
    expect(edition.locator("progress")).to_have_count(0)
    expect(edition.locator(".downloads")).to_have_count(0)
    _still_the_same_page(page)
    _jobs_end(worker)
    assert PublishJob.objects.get(issue=issue, language="fr").state == JobState.FAILED
    assert not issue.editions.filter(status=EditionStatus.PUBLISHED).exists()

    # Trying again runs the same job once more, live as well, and this time it publishes.
    held_renderers.close()
    edition.get_by_role("button", name="Try again").click()
    _sees_the_job_running(page, held_renderers)
    expect(edition.get_by_role("alert")).to_have_count(0)
    held_renderers.opened.set()
    _sees_the_edition_published(page)
    expect(edition.get_by_role("button", name="Try again")).to_have_count(0)
    _still_the_same_page(page)
    _jobs_end(worker)
    job = PublishJob.objects.get(issue=issue, language="fr")
    assert (job.state, job.attempts) == (JobState.DONE, 2)
