"""Start a real Celery worker, or the ``liaison`` command, set up for the worker tests (``test_worker.py``).

    python -m tests.publishing.celery_boot worker
    python -m tests.publishing.celery_boot liaison publish bulletin 1 --language fr

Both read from the environment: the database (``DATABASE_URL``), Redis (``REDIS_URL``) and ``PUBLISHED_DIR`` as
Liaison does, plus what only the tests set: the renderers (``LIAISON_TEST_RENDERERS``, ``format=module:function``
pairs, comma separated), a queue of the test's own (``LIAISON_TEST_QUEUE``, so that no other worker on the same Redis
takes the job), a short job lease (``LIAISON_TEST_LEASE`` seconds) and a short redelivery delay for a message whose
worker died (``LIAISON_TEST_VISIBILITY`` seconds; Redis's default is an hour).
"""

from __future__ import annotations

import os
import sys
from typing import Any


def configure() -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()
    from django.conf import settings

    from liaison.celery import app
    from liaison.publishing import registry

    settings.PUBLISH_JOB_LEASE = float(os.environ.get("LIAISON_TEST_LEASE", "600"))
    pairs = [pair.split("=", 1) for pair in os.environ.get("LIAISON_TEST_RENDERERS", "").split(",") if pair]
    if pairs:
        registry.RENDERERS[:] = [(fmt, name) for fmt, name in pairs]
    visibility = float(os.environ.get("LIAISON_TEST_VISIBILITY", "3600"))
    app.conf.task_default_queue = os.environ["LIAISON_TEST_QUEUE"]
    app.conf.broker_transport_options = {
        "visibility_timeout": visibility,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    return app


def main() -> None:
    mode, *rest = sys.argv[1:]
    app = configure()
    if mode == "worker":
        app.worker_main(
            [
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                os.environ["LIAISON_TEST_QUEUE"],
                "-n",
                f"test-{os.getpid()}@%h",
            ]
        )
    elif mode == "liaison":
        from django.core.management import execute_from_command_line

        execute_from_command_line(["liaison", *rest])
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
