"""The gap report: issues due against issues received, with each one's dispatch state, computed by the database in
one query whatever the number of subscribers, subscriptions and issues."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.distribution import services
from liaison.distribution.models import (
    Dispatch,
    DispatchState,
    Receipt,
    ReceiptHow,
    Subscriber,
    SubscriptionChannel,
    SubscriptionState,
)
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import data_queries, paper_issue, publish, reader, subscription

D = datetime.date


def set_state(subscription_id: int, number: int, state: str) -> None:
    assert Dispatch.objects.filter(subscription_id=subscription_id, issue__number=number).update(state=state) == 1


@pytest.fixture
def scene(world: World, bulletin: Periodical, paper: Periodical, section_a: Subscriber, org: Subscriber) -> dict:
    """Bulletin issues 1–6 in English (1 Feb … 1 Jul), 2 and 4 also in French; section B's paper issues 1–2.

    Section A: English by post since 1 Jan; French by email since 1 Mar; section B's paper since 1 Jan.
    The organisation: English by email from 15 Feb to 15 Apr. A reader: pending (nothing due)."""
    for n in range(1, 7):
        publish(bulletin, n, "en", D(2024, n + 1, 1))
    publish(bulletin, 2, "fr", D(2024, 3, 10))  # the French edition came out later than the English
    publish(bulletin, 4, "fr", D(2024, 5, 10))
    post = subscription(section_a, bulletin, "en", channel=SubscriptionChannel.POST, started_on=D(2024, 1, 1))
    french = subscription(section_a, bulletin, "fr", started_on=D(2024, 3, 1))
    exchange = subscription(section_a, paper, "es", channel=SubscriptionChannel.POST, started_on=D(2024, 1, 1))
    ended = subscription(org, bulletin, "en", started_on=D(2024, 2, 15), ended_on=D(2024, 4, 15))
    subscription(reader("pending@example.org"), bulletin, state=SubscriptionState.PENDING, started_on=None)  # type: ignore[arg-type]
    paper_issue(paper, 1, D(2024, 2, 20))
    paper_issue(paper, 2, D(2024, 4, 20))
    # Dispatches as publication made them (for subscriptions active then), then their fates.
    for edition in bulletin.issues.all():
        for e in edition.editions.all():
            services.create_dispatches(e)
    type(ended).objects.filter(pk=ended.pk).update(state=SubscriptionState.ENDED)  # it ended on 15 April
    set_state(post.pk, 1, DispatchState.POSTED)
    set_state(post.pk, 2, DispatchState.POSTED)
    set_state(post.pk, 3, DispatchState.BOUNCED)
    set_state(post.pk, 4, DispatchState.FAILED)
    set_state(post.pk, 5, DispatchState.SENDING)
    Dispatch.objects.filter(subscription=post, issue__number=6).delete()  # never dispatched (a paused spell)
    set_state(french.pk, 2, DispatchState.SENT)
    set_state(french.pk, 4, DispatchState.SENT)
    set_state(ended.pk, 3, DispatchState.CANCELLED)
    issue = {n: bulletin.issues.get(number=n) for n in range(1, 7)}
    Receipt.objects.create(subscriber=section_a, issue=issue[1], language="en", how=ReceiptHow.POST)
    Receipt.objects.create(subscriber=section_a, issue=issue[2], language="fr", how=ReceiptHow.LINK)
    Receipt.objects.create(
        subscriber=section_a, issue=paper.issues.get(number=1), language="es", how=ReceiptHow.BY_HAND
    )
    # A receipt for an issue never due (the organisation's English No. 5, after its end) counts for nothing.
    Receipt.objects.create(subscriber=org, issue=issue[5], language="en", how=ReceiptHow.BY_HAND)
    return {"post": post, "french": french, "exchange": exchange, "ended": ended}


def test_a_subscribers_gaps_issue_by_issue(scene: dict, section_a: Subscriber) -> None:
    rows = services.gaps(section_a)
    found = {(r.subscription_id, r.number): (r.status, r.day) for r in rows}
    post, french, exchange = scene["post"].pk, scene["french"].pk, scene["exchange"].pk
    assert found == {
        (post, 1): ("received", D(2024, 2, 1)),
        (post, 2): ("posted", D(2024, 3, 1)),  # posted, not recorded as arrived (the receipt is for the French)
        (post, 3): ("bounced", D(2024, 4, 1)),
        (post, 4): ("failed", D(2024, 5, 1)),
        (post, 5): ("sending", D(2024, 6, 1)),
        (post, 6): ("none", D(2024, 7, 1)),
        (french, 2): ("received", D(2024, 3, 10)),  # the French edition came out after the subscription began
        (french, 4): ("sent", D(2024, 5, 10)),
        (exchange, 1): ("received", D(2024, 2, 20)),
        (exchange, 2): ("none", D(2024, 4, 20)),
    }
    french_two = next(r for r in rows if r.subscription_id == french and r.number == 2)
    assert french_two.receipt_how == ReceiptHow.LINK and french_two.received_at is not None


def test_an_ended_subscription_owes_what_came_out_while_it_lasted(scene: dict, org: Subscriber) -> None:
    rows = services.gaps(org)
    assert [(r.number, r.status) for r in rows] == [(2, "pending"), (3, "cancelled")]  # 1 Mar, 1 Apr


def test_the_report_counts_for_every_subscription(scene: dict) -> None:
    report = {r.subscription_id: r for r in services.gaps_report()}
    post = report[scene["post"].pk]
    assert (post.expected, post.received, post.missing) == (6, 1, 5)
    counts = (post.waiting, post.failed, post.sent, post.posted, post.bounced, post.cancelled, post.not_dispatched)
    assert counts == (1, 1, 0, 1, 1, 0, 1)
    french = report[scene["french"].pk]
    assert (french.expected, french.received, french.sent, french.not_dispatched) == (2, 1, 1, 0)
    exchange = report[scene["exchange"].pk]
    assert (exchange.expected, exchange.received, exchange.not_dispatched) == (2, 1, 1)
    ended = report[scene["ended"].pk]
    assert (ended.expected, ended.received, ended.waiting, ended.cancelled) == (2, 0, 1, 1)
    assert ended.state == SubscriptionState.ENDED
    assert len(report) == 4  # not the pending one
    assert post.subscriber_label == "Section Alpha"


def test_the_report_agrees_with_the_issue_by_issue_view(scene: dict, section_a: Subscriber, org: Subscriber) -> None:
    for subscriber in (section_a, org):
        rows = services.gaps(subscriber)
        for summary in services.gaps_report([subscriber.pk]):
            mine = [r for r in rows if r.subscription_id == summary.subscription_id]
            assert summary.expected == len(mine)
            assert summary.received == sum(r.received for r in mine)
            assert summary.not_dispatched == sum(r.status == "none" for r in mine)


def test_only_missing_and_limit(scene: dict, section_a: Subscriber) -> None:
    Receipt.objects.create(
        subscriber=scene["french"].subscriber,
        issue=scene["french"].periodical.issues.get(number=4),
        language="fr",
        how=ReceiptHow.BY_HAND,
    )
    missing = services.gaps_report(only_missing=True)
    assert scene["french"].pk not in {r.subscription_id for r in missing}
    assert len(services.gaps_report(limit=2)) == 2
    assert services.gaps_report([]) == []


def test_one_query_whatever_the_size(world: World, bulletin: Periodical) -> None:
    def grow(n: int) -> None:
        for i in range(n):
            s = subscription(reader(f"r{Subscriber.objects.count()}-{i}@example.org"), bulletin)
            Receipt.objects.create(
                subscriber=s.subscriber, issue=bulletin.issues.get(number=1), language="en", how="by_hand"
            )

    publish(bulletin, 1)
    grow(2)
    with CaptureQueriesContext(connection) as small:
        services.gaps_report()
    for n in range(2, 8):
        services.create_dispatches(publish(bulletin, n))
    grow(10)
    with CaptureQueriesContext(connection) as large:
        report = services.gaps_report()
    assert len(data_queries(small)) == len(data_queries(large)) == 1
    assert len(report) == 12 and all(r.expected == 7 and r.received == 1 for r in report)
    subscriber = Subscriber.objects.last()
    assert subscriber is not None
    with CaptureQueriesContext(connection) as one:
        assert len(services.gaps(subscriber)) == 7
    assert len(data_queries(one)) == 1


def test_the_command_prints_the_report(scene: dict, section_a: Subscriber) -> None:
    out = StringIO()
    call_command("gaps", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("subscriber\tname")
    assert any(line.startswith(f"{section_a.pk}\tSection Alpha\tBulletin\ten\tpost") for line in lines)
    out = StringIO()
    call_command("gaps", "--subscriber", str(section_a.pk), "--missing", stdout=out)
    text = out.getvalue()
    assert text.startswith("Section Alpha (section)")
    assert "bounced" in text and "\t1\ten\t" not in text  # No. 1 was received
    with pytest.raises(CommandError, match="No subscriber"):
        call_command("gaps", "--subscriber", "999999")


def test_the_report_of_a_section(scene: dict, section_a: Subscriber, world: World) -> None:
    found = services.gaps_report(section=world.section_a.pk)
    assert {r.subscription_id for r in found} == {scene["post"].pk, scene["french"].pk, scene["exchange"].pk}
    assert found == services.gaps_report([section_a.pk])
    assert services.gaps_report(section=world.section_b.pk) == []
