"""``liaison worker``: refuses clearly without Redis, and starts a real worker that answers a ping with it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from liaison.accounts.management.commands.worker import worker_argv
from tests.helpers import need, reachable


def test_the_arguments_follow_the_options() -> None:
    assert worker_argv(concurrency=None, queues="", beat=False, loglevel="INFO") == ["worker", "--loglevel=INFO"]
    assert worker_argv(concurrency=2, queues="mail,publish", beat=True, loglevel="DEBUG") == [
        "worker",
        "--loglevel=DEBUG",
        "--concurrency=2",
        "-Q",
        "mail,publish",
        "--beat",
    ]


@override_settings(REDIS_URL="")
def test_without_redis_the_command_says_why_no_worker_is_needed() -> None:
    with pytest.raises(CommandError, match="REDIS_URL is not set"):
        call_command("worker")


def test_a_worker_started_by_the_command_answers() -> None:
    need(reachable("127.0.0.1", 6379), "no Redis on 127.0.0.1:6379")
    queue = f"worker-command-{os.getpid()}-{time.monotonic_ns()}"
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/0"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "liaison", "worker", "--concurrency=1", f"--queues={queue}", "--loglevel=WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from celery import Celery

        client = Celery(broker="redis://127.0.0.1:6379/0")
        # Other workers may share this Redis: ours is the one taking work from the test's own queue.
        ours = False
        deadline = time.monotonic() + 60
        while not ours and time.monotonic() < deadline and worker.poll() is None:
            queues = client.control.inspect(timeout=1.0).active_queues() or {}
            ours = any(q["name"] == queue for taken in queues.values() for q in taken)
        assert worker.poll() is None, "the worker exited"
        assert ours, "no worker took work from the test's queue within a minute"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
