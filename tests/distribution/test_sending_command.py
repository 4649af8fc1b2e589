"""``liaison dispatch`` and the sending tasks: dispatches made once and sent once, the summary, the refusals, and the
task started by new dispatches (in-process here; on a real worker in ``test_worker_kill``)."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core import mail as django_mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from liaison.distribution import sending, services, tasks
from liaison.distribution.models import Dispatch, DispatchState, SubscriptionChannel
from liaison.periodicals.models import Issue, IssueStatus
from liaison.publishing.models import Edition
from tests.distribution.conftest import reader, subscription
from tests.distribution.sending_helpers import SmtpServer, readers, smtp_server
from tests.publishing.fixtures_core import issue, published, published_dir, renderers

__all__ = ["issue", "published", "published_dir", "renderers", "smtp_server"]


def run(*args: str) -> str:
    out = StringIO()
    call_command("dispatch", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def subscribed(published: Edition) -> Edition:
    """Three email readers of the French edition, in three scripts, and a library that receives it by post."""
    periodical = published.issue.periodical
    for address in ("anna@example.org", "wang@example.org", "fatima@example.org"):
        subscription(reader(address, "fr"), periodical, "fr")
    library = reader("library@example.org", "fr")
    library.postal_address = "Библиотека\n1 Rue des Archives\n75003 Paris"
    library.save()
    subscription(library, periodical, "fr", channel=SubscriptionChannel.POST, formats=[])
    return published


def test_it_makes_the_missing_dispatches_sends_them_and_sums_up(subscribed: Edition) -> None:
    output = run("bulletin", "1")

    assert "French: 4 new dispatches." in output
    assert "French by email: 3 sent, 0 to be tried again, 0 bounced, 0 waiting." in output
    assert "French by post: 1 to post, 0 posted." in output
    assert "http://127.0.0.1:8000/distribution/post/bulletin/1/" in output
    assert len(django_mail.outbox) == 3
    assert Dispatch.objects.filter(state=DispatchState.SENT).count() == 3
    assert Dispatch.objects.filter(state=DispatchState.PENDING, subscription__channel="post").count() == 1


def test_running_it_again_sends_nothing_twice(subscribed: Edition) -> None:
    run("bulletin", "1")
    output = run("bulletin", "1", "--language", "fr")
    assert "French: 0 new dispatches." in output
    assert "French by email: 3 sent" in output
    assert len(django_mail.outbox) == 3


def test_it_reports_retries_and_bounces(subscribed: Edition, smtp_server: SmtpServer) -> None:
    smtp_server.behaviour.rcpt["wang@example.org"] = "451 4.7.1 greylisted"
    smtp_server.behaviour.rcpt["fatima@example.org"] = "550 5.1.1 unknown user"

    output = run("bulletin", "1")

    assert "French by email: 1 sent, 1 to be tried again, 1 bounced, 0 waiting." in output
    assert "next attempt:" in output
    assert len(smtp_server.received) == 1


def test_an_unreachable_server_fails_the_command_and_keeps_everything_due(subscribed: Edition, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with pytest.raises(CommandError, match="Sending stopped: The mail server cannot be reached"):
        run("bulletin", "1")
    assert Dispatch.objects.filter(state=DispatchState.PENDING).count() == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nothing", "1"), "There is no periodical “nothing”."),
        (("bulletin", "9"), "Bulletin has no issue No. 9."),
        (("bulletin", "1", "--language", "en"), "Bulletin No. 1 has no published edition in: English."),
    ],
)
def test_it_refuses_what_does_not_exist(subscribed: Edition, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError) as refused:
        run(*args)
    assert str(refused.value) == message
    assert not Dispatch.objects.exists()
    assert django_mail.outbox == []


def test_it_refuses_an_issue_with_no_edition_out(world: Any, issue: Issue) -> None:
    with pytest.raises(CommandError, match="has no published edition: publish it first"):
        run("bulletin", "1")


# The tasks -------------------------------------------------------------------------------------------------------


def test_new_dispatches_are_sent_once_their_transaction_commits(
    published: Edition, django_capture_on_commit_callbacks: Any
) -> None:
    readers(published.issue.periodical, 3)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_dispatches(published)
        assert django_mail.outbox == []  # nothing goes before the commit
    assert len(django_mail.outbox) == 3
    assert Dispatch.objects.filter(state=DispatchState.SENT).count() == 3


def test_dispatches_made_quietly_are_left_to_the_caller(
    published: Edition, django_capture_on_commit_callbacks: Any
) -> None:
    readers(published.issue.periodical, 2)
    with tasks.quiet(), django_capture_on_commit_callbacks(execute=True):
        services.create_dispatches(published)
    assert django_mail.outbox == []
    assert tasks.send_dispatches.apply(args=(published.pk,)).get()["sent"] == 2


class Queue:
    """What the worker mode hands to the broker, recorded instead."""

    def __init__(self) -> None:
        self.delayed: list[tuple[Any, ...]] = []
        self.scheduled: list[tuple[tuple[Any, ...], datetime.datetime]] = []

    def delay(self, *args: Any) -> None:
        self.delayed.append(args)

    def apply_async(self, args: tuple[Any, ...], eta: datetime.datetime) -> None:
        self.scheduled.append((args, eta))


@pytest.fixture
def queue(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Queue:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    recorded = Queue()
    monkeypatch.setattr(tasks.send_dispatches, "delay", recorded.delay)
    monkeypatch.setattr(tasks.send_dispatches, "apply_async", recorded.apply_async)
    return recorded


def test_with_workers_new_dispatches_go_to_the_queue(
    published: Edition, queue: Queue, django_capture_on_commit_callbacks: Any
) -> None:
    readers(published.issue.periodical, 2)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_dispatches(published)
    assert queue.delayed == [(published.pk,)]
    assert django_mail.outbox == []


def test_a_run_that_leaves_retries_schedules_the_next_run_for_then(
    published: Edition, queue: Queue, smtp_server: SmtpServer
) -> None:
    (first, _second) = readers(published.issue.periodical, 2)
    smtp_server.behaviour.rcpt[first.subscriber.email] = "451 4.7.1 greylisted"
    with tasks.quiet():
        services.create_dispatches(published)

    result = tasks.send_dispatches.run(published.pk)

    assert (result["sent"], result["failed"]) == (1, 1)
    ((args, eta),) = queue.scheduled
    retry = Dispatch.objects.get(state=DispatchState.FAILED).next_attempt_at
    assert args == (published.pk,)
    assert retry is not None and retry < eta <= retry + datetime.timedelta(seconds=2)


def test_a_run_that_leaves_nothing_schedules_nothing(published: Edition, queue: Queue) -> None:
    readers(published.issue.periodical, 2)
    with tasks.quiet():
        services.create_dispatches(published)
    assert tasks.send_dispatches.run(published.pk)["sent"] == 2
    assert queue.scheduled == []


def test_a_far_retry_is_looked_at_again_within_the_brokers_patience(published: Edition, queue: Queue) -> None:
    readers(published.issue.periodical, 1)
    with tasks.quiet():
        services.create_dispatches(published)
    Dispatch.objects.update(state=DispatchState.FAILED, next_attempt_at=timezone.now() + datetime.timedelta(hours=5))
    tasks.send_dispatches.run(published.pk)
    ((_args, eta),) = queue.scheduled
    assert eta <= timezone.now() + tasks.MAX_WAKE


def test_a_run_for_every_edition_sends_all_that_is_due(world: Any, published: Edition) -> None:
    readers(published.issue.periodical, 2)
    with tasks.quiet():
        services.create_dispatches(published)
    assert tasks.send_dispatches.run(None)["sent"] == 2
    assert sending.outstanding(sending.Scope()) == 0
    assert Issue.objects.get(pk=published.issue_id).status == IssueStatus.PUBLISHED


def test_with_workers_it_queues_the_sending_and_can_return_at_once(subscribed: Edition, queue: Queue) -> None:
    output = run("bulletin", "1", "--no-wait")
    assert "French: 4 new dispatches." in output
    assert "Sending is queued: the workers send it." in output
    assert queue.delayed == [(subscribed.pk,)]
    assert django_mail.outbox == []


def test_with_workers_it_follows_them_until_its_patience_runs_out(subscribed: Edition, queue: Queue) -> None:
    with pytest.raises(CommandError, match=r"3 dispatches are still on their way after 0 seconds; the workers go on\."):
        run("bulletin", "1", "--timeout", "0.2")
    assert queue.delayed == [(subscribed.pk,)]
