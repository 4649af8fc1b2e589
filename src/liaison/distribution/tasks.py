"""Sending in the background: ``send_dispatches`` sends what is due, on a Celery worker or here and now.

New dispatches (an edition published, a claim answered) start it once they are committed (``dispatches_created``).
With ``REDIS_URL`` set, a worker takes it; without, it runs in-process at once (a one-machine install has no worker;
dispatches that fail there are tried again by the next run that covers them).

``sweep`` sends everything due of every issue: the retries whose time has come, what a stopped worker left once its
lease ran out, what a run could not send because the mail server was down. Nothing else wakes those up without
workers, so cron runs it (``liaison dispatch --due``); with workers the beat runs it too (``sweep_dispatches``, every
``SWEEP_SECONDS``), a net under the runs that ``wake_later`` schedules, which a broker can lose.

Delivery of the task is at-least-once (``acks_late``, ``reject_on_worker_lost``): a worker killed mid-run leaves the
task to be delivered to another worker, whose run recovers the dead worker's batch once its lease has run out
(``sending.recover_expired``). Any number of runs may overlap: each claims its own batches. A run that ends with
retries or another worker's leases still ahead schedules one more run for then, so nothing waits for a human.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import logging
from collections.abc import Iterator
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from liaison.distribution import sending
from liaison.distribution.signals import dispatches_created

logger = logging.getLogger(__name__)

# A broker holds a delayed task unacknowledged; Redis gives it to another worker after its visibility timeout (an
# hour by default). Runs are scheduled at most this far ahead, and schedule the next one when they find nothing.
MAX_WAKE = datetime.timedelta(minutes=50)
UNREACHABLE_RETRIES = 10
# How often the beat sweeps (``CELERY_BEAT_SCHEDULE``): the first retry's back-off is a minute, so a retry waits at
# most this long past its time when no scheduled run took it.
SWEEP_SECONDS = 5 * 60

_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("liaison_distribution_quiet", default=False)


def in_process() -> bool:
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True))


def _backoff(retries: int) -> int:
    return min(30 * 2**retries, 1800)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=UNREACHABLE_RETRIES)
def send_dispatches(self: Any, edition_id: int | None = None) -> dict[str, Any]:
    """Send the due email dispatches of the edition (all of them with None) until none is due; returns what was
    done (``sending.Summary``)."""
    scope = sending.for_edition(edition_id)
    summary = sending.send_due(scope)
    logger.info("Dispatches sent (edition %s): %s", edition_id, summary.as_dict())
    if summary.error and not in_process():
        if self.request.retries < self.max_retries:
            raise self.retry(countdown=_backoff(self.request.retries))
        logger.error("Giving up sending for now (edition %s): %s", edition_id, summary.error)
    wake_later(edition_id, scope)
    return summary.as_dict()


def sweep(on_progress: sending.ProgressCallback | None = None) -> sending.Summary:
    """Send every email dispatch that is due, of every issue, here and now; returns what was done. Safe beside any
    number of workers and of other sweeps: each run claims batches of its own (``sending.claim_batch``), so a
    dispatch is sent by one of them only."""
    summary = sending.send_due(sending.Scope(), on_progress=on_progress)
    if summary.error:
        logger.warning("The sweep of due dispatches stopped: %s", summary.error)
    elif summary.done or summary.recovered:
        logger.info("Due dispatches swept: %s", summary.as_dict())
    return summary


@shared_task(acks_late=True)
def sweep_dispatches() -> dict[str, Any]:
    """``sweep`` on a worker, started by the beat. It does not retry (the next sweep comes in a few minutes) and
    schedules nothing: the beat is its schedule."""
    return sweep().as_dict()


def wake_later(edition_id: int | None, scope: sending.Scope) -> None:
    """Schedule the run that will take the retries and the leases still ahead (with a worker only)."""
    if in_process():
        return
    when = sending.next_wake(scope)
    if when is None:
        return
    now = timezone.now()
    when = min(max(when, now) + datetime.timedelta(seconds=1), now + MAX_WAKE)
    send_dispatches.apply_async((edition_id,), eta=when)


def enqueue(edition_id: int | None) -> None:
    """Send the edition's dispatches: on a worker, or here and now when there is none."""
    if not in_process():
        send_dispatches.delay(edition_id)
        return
    summary = sending.send_due(sending.for_edition(edition_id))
    if summary.error:
        logger.warning("Sending stopped (edition %s): %s", edition_id, summary.error)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Dispatches made inside this block are not sent by themselves: the caller sends them (``liaison dispatch``,
    which shows the progress)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


@receiver(dispatches_created)
def send_new_dispatches(sender: Any, edition: Any = None, **kwargs: Any) -> None:
    if _quiet.get():
        return
    edition_id = getattr(edition, "pk", None)
    # The signal comes after the commit that made the dispatches; on_commit keeps it so if that ever changes.
    # robust: a mail server that is down must not turn a publication into an error page.
    transaction.on_commit(lambda: enqueue(edition_id), robust=True)
