"""The sweep of due dispatches (``tasks.sweep``): what wakes a retry up without workers (``liaison dispatch --due``,
from cron) and, with workers, every few minutes from the beat. It sends what is due of every issue, leaves what is
not due yet, and two sweeps at once (or a sweep beside a worker) send each dispatch once."""

from __future__ import annotations

import datetime
import threading
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail as django_mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from liaison.distribution import sending, services, tasks
from liaison.distribution.models import Dispatch, DispatchState, SubscriptionChannel
from liaison.periodicals.models import Issue
from liaison.publishing.models import Edition
from tests.distribution.sending_helpers import SmtpServer, readers, smtp_server
from tests.publishing.fixtures_core import (
    assembled_issue,
    file_database,
    issue,
    publish,
    published,
    published_dir,
    renderers,
)

__all__ = ["issue", "published", "published_dir", "renderers", "smtp_server"]


def sweep_command() -> str:
    out = StringIO()
    call_command("dispatch", "--due", stdout=out, stderr=StringIO())
    return out.getvalue()


def quietly_dispatched(edition: Edition, n: int, prefix: str = "reader") -> list[Dispatch]:
    """``n`` readers of the edition's language with a dispatch each, not sent yet (as a failed publication's run
    or a stopped worker leaves them)."""
    readers(edition.issue.periodical, n, language=edition.language, prefix=prefix)
    with tasks.quiet():
        services.create_dispatches(edition)
    return list(Dispatch.objects.filter(issue=edition.issue, language=edition.language).order_by("pk"))


def sent_ids() -> list[str]:
    """The Message-IDs of the issues mailed (the outbox also holds the editorial notices of the publication)."""
    found = (m.message()["Message-ID"] for m in django_mail.outbox)
    return sorted(i for i in found if i.startswith("<dispatch-"))


def later(minutes: int = 30) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


@pytest.fixture
def two_issues(world: Any, issue: Issue, published: Edition) -> tuple[Edition, Edition]:
    """The French editions of two issues."""
    second = assembled_issue(world, issue.periodical)
    job = publish(world, second, "fr")
    assert job.state == "done", job.error
    assert job.edition is not None
    return published, job.edition


def test_the_sweep_sends_what_is_due_of_every_issue_and_leaves_what_is_not(two_issues: tuple[Edition, Edition]) -> None:
    first, second = two_issues
    one = quietly_dispatched(first, 3)
    with tasks.quiet():
        services.create_dispatches(second)  # the same three readers
    two = list(Dispatch.objects.filter(issue=second.issue).order_by("pk"))
    # A retry whose time has come, one whose time has not, and one of a stopped worker whose lease ran out.
    Dispatch.objects.filter(pk=one[0].pk).update(
        state=DispatchState.FAILED, attempts=1, next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    Dispatch.objects.filter(pk=one[1].pk).update(state=DispatchState.FAILED, attempts=1, next_attempt_at=later())
    Dispatch.objects.filter(pk=two[0].pk).update(
        state=DispatchState.SENDING, claimed_by="dead:1:x", lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )

    summary = tasks.sweep()

    assert (summary.sent, summary.failed, summary.recovered, summary.error) == (5, 0, 1, "")
    states = dict(Dispatch.objects.values_list("pk", "state"))
    assert states.pop(one[1].pk) == DispatchState.FAILED
    assert set(states.values()) == {DispatchState.SENT}
    expected = sorted(d.make_message_id() for d in [*one, *two] if d.pk != one[1].pk)
    assert sent_ids() == expected
    # Again: nothing is due, nothing is sent twice.
    assert tasks.sweep().done == 0 and sent_ids() == expected


def test_the_sweep_leaves_post_and_paused_subscriptions_alone(published: Edition) -> None:
    email_one, post, paused = quietly_dispatched(published, 3)
    post.subscription.channel = SubscriptionChannel.POST
    post.subscription.save(update_fields=["channel"])
    paused.subscription.state = "paused"
    paused.subscription.save(update_fields=["state"])
    assert tasks.sweep().sent == 1
    assert sent_ids() == [email_one.make_message_id()]
    assert Dispatch.objects.get(pk=post.pk).state == DispatchState.PENDING


def test_dispatch_due_prints_what_it_sent_failed_and_left(published: Edition, smtp_server: SmtpServer) -> None:
    dispatches = quietly_dispatched(published, 4)
    smtp_server.behaviour.rcpt["reader1@example.org"] = "451 4.7.1 greylisted"
    smtp_server.behaviour.rcpt["reader2@example.org"] = "550 5.1.1 unknown user"
    Dispatch.objects.filter(pk=dispatches[3].pk).update(next_attempt_at=later(90))

    output = sweep_command()

    assert "Due dispatches: 1 sent, 1 to be tried again, 1 bounced." in output
    assert "2 dispatches left; the next is due at" in output
    assert smtp_server.counts()[dispatches[0].make_message_id()] == 1
    # Run again at once: the retry's back-off has not passed, nothing goes.
    assert "Due dispatches: 0 sent, 0 to be tried again, 0 bounced." in sweep_command()
    assert len(smtp_server.received) == 1


def test_dispatch_due_says_when_nothing_is_left(published: Edition) -> None:
    quietly_dispatched(published, 2)
    output = sweep_command()
    assert "Due dispatches: 2 sent, 0 to be tried again, 0 bounced." in output
    assert "0 dispatches left." in output


def test_dispatch_due_says_what_it_took_over_from_a_stopped_run(published: Edition) -> None:
    (dispatch,) = quietly_dispatched(published, 1)
    Dispatch.objects.filter(pk=dispatch.pk).update(
        state=DispatchState.SENDING, claimed_by="dead:1:x", lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    output = sweep_command()
    assert "Due dispatches: 1 sent" in output
    assert "One dispatch was taken over from a run that stopped." in output


def test_dispatch_due_fails_clearly_when_the_mail_server_cannot_be_reached(published: Edition, settings: Any) -> None:
    quietly_dispatched(published, 2)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with pytest.raises(CommandError, match="The mail server cannot be reached") as failure:
        sweep_command()
    assert "still due: the next run sends it" in str(failure.value)
    assert set(Dispatch.objects.values_list("state", "attempts")) == {(DispatchState.PENDING, 0)}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bulletin", "1", "--due"), "--due sends what is due of every issue"),
        (("--due", "--language", "fr"), "--due sends what is due of every issue"),
        ((), "Name the periodical and the issue's number, or use --due."),
        (("bulletin",), "Name the periodical and the issue's number, or use --due."),
    ],
)
def test_dispatch_refuses_mixed_or_missing_arguments(published: Edition, args: tuple[str, ...], message: str) -> None:
    quietly_dispatched(published, 1)
    with pytest.raises(CommandError, match=message):
        call_command("dispatch", *args, stdout=StringIO(), stderr=StringIO())
    assert Dispatch.objects.get().state == DispatchState.PENDING


def test_the_beat_sweeps_every_few_minutes_without_retrying(published: Edition) -> None:
    entry = django_settings.CELERY_BEAT_SCHEDULE["distribution-sweep"]
    assert entry["task"] == tasks.sweep_dispatches.name == "liaison.distribution.tasks.sweep_dispatches"
    assert entry["schedule"] == tasks.SWEEP_SECONDS <= 10 * 60
    # A sweep still waiting in the queue when the next one is due is dropped rather than piling up.
    assert entry["options"]["expires"] < entry["schedule"]
    quietly_dispatched(published, 2)
    assert tasks.sweep_dispatches.apply().get()["sent"] == 2


# Two sweeps at once --------------------------------------------------------------------------------------------------


class SlowBackend(LocmemBackend):
    """The in-memory backend, a little slow, noting which thread sent each message: the two sweeps overlap."""

    senders: list[str] = []

    def send_messages(self, messages: Any) -> int:
        threading.Event().wait(0.005)
        SlowBackend.senders.extend(threading.current_thread().name for _ in messages)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_dispatch_once(published: Edition, settings: Any, tmp_path: Path) -> None:
    dispatches = quietly_dispatched(published, 40)
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    settings.DISTRIBUTION_BATCH_SIZE = 3
    SlowBackend.senders = []
    barrier = threading.Barrier(2)
    summaries: dict[str, Any] = {}

    def sweep(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            summaries[name] = tasks.sweep()
        except Exception as error:  # pragma: no cover - reported below
            summaries[name] = error
        finally:
            connection.close()

    with file_database(tmp_path):
        threads = [threading.Thread(target=sweep, args=(name,), name=name) for name in ("first", "second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert all(isinstance(s, sending.Summary) and not s.error for s in summaries.values()), summaries
    assert sent_ids() == sorted(d.make_message_id() for d in dispatches)  # every one, and each once
    assert sum(s.sent for s in summaries.values()) == 40
    assert set(SlowBackend.senders) == {"first", "second"}, "the sweeps did not overlap"
    assert set(Dispatch.objects.values_list("state", flat=True)) == {DispatchState.SENT}


@pytest.mark.django_db(transaction=True)
def test_a_sweep_beside_a_worker_run_sends_each_dispatch_once(
    published: Edition, settings: Any, tmp_path: Path
) -> None:
    """A worker's run for the edition (``send_dispatches``) and a cron sweep at the same moment."""
    dispatches = quietly_dispatched(published, 30)
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    settings.DISTRIBUTION_BATCH_SIZE = 2
    SlowBackend.senders = []
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def run(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            if name == "worker":
                results[name] = tasks.send_dispatches.run(published.pk)["sent"]
            else:
                results[name] = tasks.sweep().sent
        except Exception as error:  # pragma: no cover - reported below
            results[name] = error
        finally:
            connection.close()

    with file_database(tmp_path):
        threads = [threading.Thread(target=run, args=(name,), name=name) for name in ("worker", "cron")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert sum(results.values()) == 30, results
    assert sent_ids() == sorted(d.make_message_id() for d in dispatches)
    assert set(SlowBackend.senders) == {"worker", "cron"}, "the runs did not overlap"
