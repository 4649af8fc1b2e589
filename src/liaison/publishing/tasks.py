"""Publishing in the background: ``publish_task`` runs a job on a Celery worker and tries again on passing trouble.

``start(job)`` hands a job over once the transaction that made it commits (a worker must find the row). With
``REDIS_URL`` set, a worker takes it; without (``CELERY_TASK_ALWAYS_EAGER``) it runs at once, in-process, once: a
one-machine install has no worker to wait for, and an editor would rather see a failure now than after retries.

Delivery is at-least-once (``acks_late``, ``reject_on_worker_lost``): a worker killed mid-job leaves its message to be
delivered again, and ``services.run_job`` makes a second delivery harmless. It is not at-most-once either, so every
outcome below leaves the job in a state the next delivery understands.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction

from liaison.publishing import services
from liaison.publishing.models import PublishJob

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
# Another worker holds the job: ask again once its lease may have run out, as long as it may take to run out.
BUSY_RETRIES = 20


def _backoff(retries: int) -> int:
    return min(30 * 2**retries, 900)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def publish_task(self: Any, job_id: int) -> str:
    """``services.run_job`` on a worker; returns the job's final state ("done", "failed") or "busy"."""
    try:
        job = services.run_job(job_id)
    except services.Busy as error:
        if self.request.retries >= BUSY_RETRIES:
            return "busy"
        raise self.retry(
            exc=error, countdown=int(services.lease().total_seconds()) + 1, max_retries=BUSY_RETRIES
        ) from error
    except services.TRANSIENT as error:
        if self.request.retries >= self.max_retries:
            services.give_up(job_id, error)
            return "failed"
        logger.warning("Publishing job %s will be tried again: %s", job_id, error)
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error
    return str(job.state)


def in_process() -> bool:
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True))


def enqueue(job_id: int) -> None:
    """Hand the job to a worker, or run it here and now when there is none."""
    if not in_process():
        publish_task.delay(job_id)
        return
    try:
        services.run_job(job_id)
    except services.Busy:
        pass  # someone is running it: their run finishes it
    except services.TRANSIENT as error:
        services.give_up(job_id, error)


def start(job: PublishJob) -> None:
    """Start ``job`` once the current transaction commits (at once outside one)."""
    job_id = job.pk
    transaction.on_commit(lambda: enqueue(job_id))
