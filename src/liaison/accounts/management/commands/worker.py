"""``liaison worker``: a Celery worker for Liaison's background work (publishing, sending, reminders), so an operator
starts it like every other command, with the same settings and environment."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def worker_argv(*, concurrency: int | None, queues: str, beat: bool, loglevel: str) -> list[str]:
    """The arguments of ``celery worker`` for these options (kept apart so they can be checked without Redis)."""
    argv = ["worker", f"--loglevel={loglevel}"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    if queues:
        argv += ["-Q", queues]
    if beat:
        # One beat per install: the periodic work (conference reminders, retries due) must not run twice.
        argv.append("--beat")
    return argv


class Command(BaseCommand):
    help = "Run a Celery worker (needs REDIS_URL). Run as many as you like, on any machine; run --beat in one only."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--concurrency", type=int, default=None, help="worker processes (default: one per core)")
        parser.add_argument("--queues", default="", help="comma-separated queues to take work from (default: all)")
        parser.add_argument("--beat", action="store_true", help="also run the periodic schedule (in one worker only)")
        parser.add_argument("--loglevel", default="INFO", help="DEBUG, INFO, WARNING or ERROR")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError(
                "REDIS_URL is not set: without it background work runs inside each command and page, and no worker "
                "is needed. Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run workers."
            )
        from liaison.celery import app

        app.worker_main(
            worker_argv(
                concurrency=options["concurrency"],
                queues=options["queues"],
                beat=options["beat"],
                loglevel=options["loglevel"],
            )
        )
