"""Start a real Celery worker, or the ``liaison`` command, for the sending worker test (``test_worker_kill.py``):
publishing's ``celery_boot`` (database, Redis, a queue of the test's own, a short redelivery delay), plus the
sender's knobs from the environment: its lease (``LIAISON_TEST_LEASE`` seconds) and its batch size
(``LIAISON_TEST_BATCH``).

    python -m tests.distribution.worker_boot worker
    python -m tests.distribution.worker_boot liaison dispatch bulletin 1
"""

from __future__ import annotations

import os
from typing import Any

from tests.publishing import celery_boot

_configure = celery_boot.configure


def configure() -> Any:
    app = _configure()
    from django.conf import settings

    settings.DISTRIBUTION_LEASE = float(os.environ.get("LIAISON_TEST_LEASE", "300"))
    settings.DISTRIBUTION_BATCH_SIZE = int(os.environ.get("LIAISON_TEST_BATCH", "100"))
    return app


celery_boot.configure = configure

if __name__ == "__main__":
    celery_boot.main()
