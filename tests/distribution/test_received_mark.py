"""``Dispatch.received`` follows the receipts, however they and the dispatches are made or deleted: the gap report
counts what is missing from that mark alone, so a stale mark would be a wrong report. Also the report against the
issue-by-issue view after a random history of dispatches, states and receipts."""

from __future__ import annotations

import datetime
import importlib
import random

from django.db import connection

from liaison.distribution import services
from liaison.distribution.models import (
    Dispatch,
    DispatchState,
    Receipt,
    ReceiptHow,
    Subscriber,
    SubscriptionChannel,
)
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import publish, reader, subscription

D = datetime.date
migration = importlib.import_module("liaison.distribution.migrations.0003_dispatch_received")


def marks() -> dict[int, bool]:
    return dict(Dispatch.objects.values_list("pk", "received"))


def test_a_receipt_marks_the_subscribers_dispatches_of_that_issue_and_language_only(
    world: World, bulletin: Periodical, section_a: Subscriber
) -> None:
    email = subscription(section_a, bulletin, "en")
    post = subscription(section_a, bulletin, "en", channel=SubscriptionChannel.POST)
    french = subscription(section_a, bulletin, "fr")
    other = subscription(reader("other@example.org"), bulletin, "en")
    one, two, one_fr = publish(bulletin, 1), publish(bulletin, 2), publish(bulletin, 1, "fr")
    for edition in (one, two, one_fr):
        services.create_dispatches(edition)
    services.record_receipt(world.actor("corr_a"), section_a, one.issue, "en")
    received = set(Dispatch.objects.filter(received=True).values_list("subscription_id", "issue_id", "language"))
    # Both of the section's English subscriptions got No. 1: one receipt says it arrived.
    assert received == {(email.pk, one.issue_id, "en"), (post.pk, one.issue_id, "en")}
    assert not Dispatch.objects.filter(subscription__in=[french, other], received=True).exists()


def test_a_dispatch_made_after_the_receipt_is_born_received(
    world: World, bulletin: Periodical, section_a: Subscriber
) -> None:
    edition = publish(bulletin, 1)
    Receipt.objects.create(subscriber=section_a, issue=edition.issue, language="en", how=ReceiptHow.BY_HAND)
    email = subscription(section_a, bulletin, "en")
    services.create_dispatches(edition)  # the INSERT … SELECT path
    assert Dispatch.objects.get(subscription=email).received
    post = subscription(section_a, bulletin, "en", channel=SubscriptionChannel.POST)
    made = Dispatch.objects.create(subscription=post, issue=edition.issue, language="en")  # the ORM path
    made.refresh_from_db()
    assert made.received
    stranger = Dispatch.objects.create(
        subscription=subscription(reader("x@example.org"), bulletin, "en"), issue=edition.issue, language="en"
    )
    stranger.refresh_from_db()
    assert not stranger.received


def test_a_deleted_receipt_unmarks(world: World, bulletin: Periodical, section_a: Subscriber) -> None:
    edition = publish(bulletin, 1)
    subscription(section_a, bulletin, "en")
    services.create_dispatches(edition)
    receipt = Receipt.objects.create(subscriber=section_a, issue=edition.issue, language="en", how=ReceiptHow.POST)
    assert set(marks().values()) == {True}
    receipt.delete()
    assert set(marks().values()) == {False}


def test_the_migration_marks_what_the_receipts_say(world: World, bulletin: Periodical, section_a: Subscriber) -> None:
    editions = [publish(bulletin, n) for n in (1, 2, 3)]
    subscription(section_a, bulletin, "en")
    subscription(reader("r@example.org"), bulletin, "en")
    for edition in editions:
        services.create_dispatches(edition)
    for edition in editions[:2]:
        Receipt.objects.create(subscriber=section_a, issue=edition.issue, language="en", how=ReceiptHow.POST)
    expected = marks()
    Dispatch.objects.update(received=False)  # as the table was before the column
    with connection.cursor() as cursor:
        cursor.execute(migration.MARK_RECEIVED)
    assert marks() == expected
    assert sum(expected.values()) == 2


def test_the_report_agrees_with_the_issue_by_issue_view_after_a_random_history(
    world: World, bulletin: Periodical
) -> None:
    rng = random.Random(20261125)
    subscribers = [reader(f"reader{n}@example.org") for n in range(6)]
    for n, subscriber in enumerate(subscribers):
        subscription(subscriber, bulletin, "en", started_on=D(2024, 1 + n % 3, 1))
        if n % 2:
            subscription(subscriber, bulletin, "en", channel=SubscriptionChannel.POST)
    editions = [publish(bulletin, n) for n in range(1, 9)]
    states = [s.value for s in DispatchState]
    for step, edition in enumerate(editions):
        services.create_dispatches(edition)
        for dispatch in Dispatch.objects.filter(issue=edition.issue):
            if rng.random() < 0.3:
                Dispatch.objects.filter(pk=dispatch.pk).update(state=rng.choice(states))
            elif rng.random() < 0.1:
                dispatch.delete()  # never dispatched (a paused spell)
        for subscriber in subscribers:
            issue = editions[rng.randrange(step + 1)].issue
            if rng.random() < 0.4 and not Receipt.objects.filter(subscriber=subscriber, issue=issue).exists():
                Receipt.objects.create(subscriber=subscriber, issue=issue, language="en", how=ReceiptHow.BY_HAND)
        if step % 3 == 2:
            Receipt.objects.filter(pk__in=Receipt.objects.order_by("?").values("pk")[:1]).delete()
    report = services.gaps_report()
    assert report
    for summary in report:
        rows = [r for r in services.gaps(summary.subscriber_id) if r.subscription_id == summary.subscription_id]
        unreceived = [r for r in rows if not r.received]
        assert summary.expected == len(rows)
        assert summary.received == sum(r.received for r in rows)
        by_state = {
            "waiting": ("pending", "sending"),
            "failed": ("failed",),
            "sent": ("sent",),
            "posted": ("posted",),
            "bounced": ("bounced",),
            "cancelled": ("cancelled",),
        }
        for name, values in by_state.items():
            assert getattr(summary, name) == sum(r.dispatch_state in values for r in unreceived), name
        assert summary.not_dispatched == sum(r.dispatch_state is None for r in unreceived)
