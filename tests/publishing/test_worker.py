"""A real Celery worker, fed through Redis, publishing an edition end to end; and a worker killed mid-job, whose job
is delivered again to the next worker and published once.

The worker and the command run as processes of their own (``celery_boot``) against the test database, made visible
to them by ``file_database``; they use the fake renderers, so these tests are about the queue, not the formats.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis as redis_client
from django.conf import settings
from django.db import connection

from liaison.periodicals.models import Issue
from liaison.publishing.models import Edition, EditionFile, EditionStatus, JobState, PublishJob
from tests.helpers import Processes, need, reachable
from tests.publishing.fixtures_core import (
    bulletin,
    file_database,
    issue,
    published_dir,
    renderers,
)

__all__ = ["bulletin", "issue", "published_dir", "renderers"]

pytestmark = [pytest.mark.xdist_group("celery"), pytest.mark.django_db(transaction=True)]

PROJECT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/13"
T = TypeVar("T")


@pytest.fixture
def redis() -> str:
    need(reachable("127.0.0.1", 6379), "the worker tests need a Redis server at 127.0.0.1:6379")
    return REDIS


def in_a_thread(work: Callable[[], T]) -> T:
    """Read the database as the other processes see it: a thread opens its own connection, to the shared file."""
    result: list[T] = []

    def run() -> None:
        try:
            result.append(work())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    return result[0]


@pytest.fixture
def processes(redis: str, published_dir: Path, tmp_path: Path) -> Iterator[Any]:
    def make(database_url: str, **extra: str) -> Processes:
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis,
            "PUBLISHED_DIR": str(published_dir),
            "SECRET_KEY": settings.SECRET_KEY,
            "ENCRYPTION_KEYS": ",".join(settings.ENCRYPTION_KEYS),
            "LIAISON_VAR_DIR": str(tmp_path / "var"),
            "LIAISON_TEST_QUEUE": f"publish-test-{uuid.uuid4().hex}",
            "LOG_LEVEL": "INFO",
            **extra,
        }
        made.append(Processes(environment, tmp_path, "tests.publishing.celery_boot"))
        return made[-1]

    made: list[Processes] = []
    yield make
    for group in made:
        group.end()
    # What the broker kept about the test's own queue (bindings, messages): nothing is left behind in Redis.
    broker = redis_client.Redis.from_url(redis)
    for group in made:
        queue = group.environment["LIAISON_TEST_QUEUE"]
        keys = list(broker.scan_iter(match=f"*{queue}*"))
        if keys:
            broker.delete(*keys)
    broker.close()


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds}s for {what}")


def check_files(published_dir: Path) -> None:
    rows = list(EditionFile.objects.all())
    assert rows
    for row in rows:
        assert hashlib.sha256((published_dir / row.path).read_bytes()).hexdigest() == row.sha256
    assert not list(published_dir.rglob(".*")), "temporary folders left behind"


def test_a_worker_publishes_an_edition_the_command_asked_for(
    world: Any, issue: Issue, processes: Any, published_dir: Path, tmp_path: Path
) -> None:
    with file_database(tmp_path) as url:
        group = processes(url, LIAISON_TEST_RENDERERS="web=tests.publishing.fakes:web,pdf=tests.publishing.fakes:pdf")
        group.start("worker", "worker")
        command = group.start("command", "liaison", "publish", "bulletin", "1", "--language", "fr", "--timeout", "60")
        assert command.wait(timeout=90) == 0, group.log("command") + group.log("worker")

    output = group.log("command")
    assert "French: published, version 1." in output
    assert "Task liaison.publishing.tasks.publish_task" in group.log("worker")
    job = PublishJob.objects.get()
    assert (job.state, job.attempts) == (JobState.DONE, 1)
    assert Edition.objects.get().status == EditionStatus.PUBLISHED
    check_files(published_dir)


def test_a_job_whose_worker_is_killed_is_finished_by_the_next_worker_once(
    world: Any, issue: Issue, processes: Any, published_dir: Path, tmp_path: Path
) -> None:
    started, block = tmp_path / "started", tmp_path / "block"
    block.write_text("hold the PDF")
    with file_database(tmp_path) as url:
        group = processes(
            url,
            LIAISON_TEST_RENDERERS="web=tests.publishing.fakes:web,pdf=tests.publishing.fakes:slow",
            LIAISON_TEST_STARTED=str(started),
            LIAISON_TEST_BLOCK=str(block),
            LIAISON_TEST_LEASE="2",
            LIAISON_TEST_VISIBILITY="3",
        )
        first = group.start("worker-1", "worker")
        command = group.start("command", "liaison", "publish", "bulletin", "1", "--language", "fr", "--timeout", "90")
        wait_for(started.exists, 60, "the first worker to start rendering\n" + group.log("worker-1"))

        group.kill(first)  # SIGKILL, mid-job: no chance to clean up or to give the message back
        block.unlink()
        job = in_a_thread(lambda: PublishJob.objects.get())
        assert (job.state, job.attempts) == (JobState.RUNNING, 1)
        assert in_a_thread(lambda: Edition.objects.get().status) == EditionStatus.BUILDING

        group.start("worker-2", "worker")
        assert command.wait(timeout=90) == 0, group.log("command") + group.log("worker-2")

    assert "French: published, version 1." in group.log("command")
    # The broker gave the killed worker's message to the next one: nobody had to ask again.
    assert "Task liaison.publishing.tasks.publish_task" in group.log("worker-2")
    job = PublishJob.objects.get()
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    edition = Edition.objects.get()
    assert (edition.status, edition.version) == (EditionStatus.PUBLISHED, 1)
    check_files(published_dir)
