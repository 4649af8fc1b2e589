"""A real Celery worker, fed through Redis, sending 200 dispatches to a real SMTP server (aiosmtpd, in this process),
killed with SIGKILL in the middle of a batch; a second worker finishes the work. The server must have received every
message exactly once, and every dispatch must be recorded ``sent``.

Where the kill lands is chosen, not left to chance: the server holds the RCPT of the 51st message until the test
has killed the worker, so the worker dies with a batch half sent, its 51st message begun and not handed over. (A
kill in the few milliseconds between the server's 250 and the worker's commit is the window SMTP cannot close;
``test_sending`` pins down what happens then.) The worker, the ``liaison dispatch`` command that queued the work and
follows it, and the second worker are processes of their own (``worker_boot``), on the test database made visible
to them (``file_database``).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_client
from django.conf import settings

from liaison.distribution.models import Dispatch, DispatchState
from liaison.periodicals.models import Issue
from tests.distribution.sending_helpers import Behaviour, SmtpServer, readers, wait_until
from tests.helpers import Processes, need, reachable
from tests.publishing.fixtures_core import file_database, issue, publish, published_dir, renderers
from tests.publishing.test_worker import in_a_thread

__all__ = ["issue", "published_dir", "renderers"]

pytestmark = [pytest.mark.xdist_group("celery"), pytest.mark.django_db(transaction=True)]

PROJECT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/13"
SUBSCRIBERS = 200
KILL_AFTER = 50


@pytest.fixture
def redis() -> str:
    need(reachable("127.0.0.1", 6379), "the worker tests need a Redis server at 127.0.0.1:6379")
    return REDIS


@pytest.fixture
def processes(redis: str, published_dir: Path, tmp_path: Path) -> Iterator[Any]:
    made: list[Processes] = []

    def make(database_url: str, **extra: str) -> Processes:
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis,
            "PUBLISHED_DIR": str(published_dir),
            "SECRET_KEY": settings.SECRET_KEY,
            "ENCRYPTION_KEYS": ",".join(settings.ENCRYPTION_KEYS),
            "LIAISON_VAR_DIR": str(tmp_path / "var"),
            "LIAISON_TEST_QUEUE": f"dispatch-test-{uuid.uuid4().hex}",
            "LOG_LEVEL": "INFO",
            **extra,
        }
        made.append(Processes(environment, tmp_path, "tests.distribution.worker_boot"))
        return made[-1]

    yield make
    for group in made:
        group.end()
    broker = redis_client.Redis.from_url(redis)
    for group in made:
        keys = list(broker.scan_iter(match=f"*{group.environment['LIAISON_TEST_QUEUE']}*"))
        if keys:
            broker.delete(*keys)
    broker.close()


def states() -> dict[str, int]:
    counted: dict[str, int] = {}
    for state in Dispatch.objects.values_list("state", flat=True):
        counted[state] = counted.get(state, 0) + 1
    return counted


def test_a_worker_killed_mid_batch_leaves_every_dispatch_sent_exactly_once(
    world: Any, issue: Issue, processes: Any, tmp_path: Path
) -> None:
    job = publish(world, issue, "fr")
    assert job.state == "done", job.error
    readers(issue.periodical, SUBSCRIBERS, language="fr")

    reached, released = threading.Event(), threading.Event()

    def hold(received: int) -> None:
        # The first RCPT once KILL_AFTER messages are in: the worker waits for the answer until it is killed.
        if received >= KILL_AFTER and not released.is_set():
            reached.set()
            released.wait(60)

    # A little slow, as a real server is: the kill finds the worker in the middle of its work.
    behaviour = Behaviour(rcpt_delay=0.02, before_rcpt=hold)
    with SmtpServer(behaviour) as server, file_database(tmp_path) as url:
        group = processes(
            url,
            EMAIL_URL=server.url(),
            LIAISON_TEST_LEASE="3",
            LIAISON_TEST_BATCH="40",
            LIAISON_TEST_VISIBILITY="3",
        )
        first = group.start("worker-1", "worker")
        command = group.start("command", "liaison", "dispatch", "bulletin", "1", "--timeout", "150")
        assert reached.wait(120), group.logs_of("command", "worker-1")

        group.kill(first)  # SIGKILL in the middle of a batch: no chance to clean up or to give its task back
        released.set()
        at_kill = in_a_thread(states)
        assert at_kill[DispatchState.SENT] == KILL_AFTER
        # The second batch (of 40) was half sent: its other half is still the dead worker's.
        assert at_kill[DispatchState.SENDING] == 2 * 40 - KILL_AFTER
        assert at_kill[DispatchState.PENDING] == SUBSCRIBERS - 2 * 40
        assert len(server.received) == KILL_AFTER

        group.start("worker-2", "worker")
        assert command.wait(timeout=150) == 0, group.logs_of("command", "worker-1", "worker-2")
        wait_until(lambda: len(server.received) >= SUBSCRIBERS, 10, "the last messages")

    counts = server.counts()
    assert len(counts) == SUBSCRIBERS
    duplicates = {message_id: n for message_id, n in counts.items() if n != 1}
    assert duplicates == {}
    dispatches = list(Dispatch.objects.all())
    assert {d.state for d in dispatches} == {DispatchState.SENT}
    assert sorted(counts) == sorted(d.make_message_id() for d in dispatches)
    # The dead worker's message in flight had not been handed over: it was sent again without any doubt.
    assert not [d for d in dispatches if d.last_error]
    output = group.log("command")
    assert f"French by email: {SUBSCRIBERS} sent, 0 to be tried again, 0 bounced, 0 waiting." in output
    # The broker gave the killed worker's task to the next worker, which took over the dead batch.
    worker_2 = group.log("worker-2")
    assert "Task liaison.distribution.tasks.send_dispatches" in worker_2
    assert "Recovered 30 dispatches of a stopped worker (0 of them possibly delivered already" in worker_2
