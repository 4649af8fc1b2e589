"""The demo's distribution: subscribers of every kind in the five working languages and three channels, issue No. 1
dispatched by publishing it (its emails written by the file email backend), receipts, gaps and an open claim.

Loaded once for the module, in a transaction rolled back after its tests, step by step as ``liaison demo --publish``
does it. Nothing in that transaction is ever committed, so the callbacks that wait for a commit (the confirmation
email, ``edition_published``, ``dispatches_created``) are run where a commit would have run them: this is what shows
that publishing alone makes the dispatches and sends the emails."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from liaison.demo import conference
from liaison.demo import distribution as demo_distribution
from liaison.distribution import access, services
from liaison.distribution.models import (
    Claim,
    ClaimState,
    Dispatch,
    DispatchKind,
    DispatchState,
    Receipt,
    ReceiptHow,
    Subscriber,
    SubscriberKind,
    Subscription,
    SubscriptionChannel,
    SubscriptionState,
)
from liaison.errors import Conflict
from liaison.federation.access import actor_for_user
from liaison.federation.models import Person
from liaison.periodicals.models import Issue
from liaison.publishing.models import Edition, EditionStatus

pytestmark = pytest.mark.django_db

FIVE = {"en", "fr", "de", "es", "ru"}
PUBLISHED_IN = {"en", "fr", "de", "es"}  # the Russian edition of No. 1 is not complete


@dataclass(frozen=True)
class Loaded:
    mail: Path
    dispatches_before_publishing: int
    dispatches_by_publishing: int
    distributed: demo_distribution.Distributed | None


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Loaded]:
    published = tmp_path_factory.mktemp("published")
    mail = tmp_path_factory.mktemp("mail")
    backend = "django.core.mail.backends.filebased.EmailBackend"
    with (
        django_db_blocker.unblock(),
        override_settings(PUBLISHED_DIR=published, EMAIL_BACKEND=backend, EMAIL_FILE_PATH=str(mail)),
        transaction.atomic(),
    ):
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("demo", stdout=StringIO(), stderr=StringIO())
        before = Dispatch.objects.count()
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("publish", "bulletin", "1", stdout=StringIO(), stderr=StringIO())
        by_publishing = Dispatch.objects.count()
        with transaction.atomic():
            conference.endorse_published()
            distributed = demo_distribution.after_publish()
        yield Loaded(mail, before, by_publishing, distributed)
        transaction.set_rollback(True)


def _issue() -> Issue:
    return Issue.objects.get(periodical__slug="bulletin", number=1)


def _subscriber(label: str) -> Subscriber:
    """A section by name, the organisation by name, a reader by address, a person by login."""
    found = (
        Subscriber.objects.filter(section__name=label).first()
        or Subscriber.objects.filter(kind=SubscriberKind.ORGANISATION, name=label).first()
        or Subscriber.objects.filter(person__user__username=label).first()
    )
    return found or Subscriber.objects.get(kind=SubscriberKind.PERSON, email_hash=services.email_hash(label))


def _bulletin_subscriptions() -> list[Subscription]:
    return list(Subscription.objects.filter(periodical__slug="bulletin").select_related("subscriber"))


def _messages(mail: Path) -> list[email.message.EmailMessage]:
    """Every message the file backend wrote (it may write several to one file, one after the other)."""
    found = []
    for path in sorted(mail.iterdir()):
        for chunk in path.read_bytes().split(b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk.lstrip(b"\n"), policy=email.policy.default)
                assert isinstance(message, email.message.EmailMessage)
                found.append(message)
    return found


# Subscribers -------------------------------------------------------------------------------------------------------


def test_subscribers_of_every_kind_in_the_five_languages_and_three_channels(demo: Loaded) -> None:
    subscriptions = _bulletin_subscriptions()
    assert {s.language for s in subscriptions} == FIVE
    assert {s.channel for s in subscriptions} == set(SubscriptionChannel.values)
    assert {s.subscriber.kind for s in subscriptions} == set(SubscriberKind.values)
    assert {f for s in subscriptions for f in s.formats} == {"web", "pdf", "epub", "email"}
    # Sections in Latin, Cyrillic and CJK scripts, each active since a day past.
    for name, channel in (("Русская секция", "post"), ("日本支部", "feed"), ("Section belge", "email")):
        [subscription] = [s for s in subscriptions if s.subscriber.section and s.subscriber.section.name == name]
        assert subscription.channel == channel and subscription.state == SubscriptionState.ACTIVE
        assert subscription.started_on is not None and subscription.started_on < timezone.localdate()
        assert subscription.created.date() == subscription.started_on  # made that day: the clock set back
    # The French section's own correspondent added its subscription; the secretariat the others.
    french = Subscription.objects.get(subscriber=_subscriber("Section française"), periodical__slug="bulletin")
    assert french.created_by is not None and french.created_by.username == "correspondent"
    archive = _subscriber(demo_distribution.ORGANISATION)
    assert archive.postal_address and archive.subscriptions.get().channel == SubscriptionChannel.POST


def test_readers_subscribed_themselves_and_confirmed_by_the_link(demo: Loaded) -> None:
    reader = Subscription.objects.get(subscriber=_subscriber(demo_distribution.READER))
    member = Subscription.objects.get(subscriber=_subscriber("member"))
    for subscription in (reader, member):
        assert subscription.state == SubscriptionState.ACTIVE
        assert subscription.confirmed_at is not None and subscription.confirmation_sent_at is not None
        assert subscription.confirmed_at > subscription.confirmation_sent_at
        assert subscription.created_by is None or subscription.created_by.username == "member"
    # Subscribing with their own account's address linked "member" to the subscription: it is on their page.
    person = Person.objects.get(user__username="member")
    assert member.subscriber.person == person
    assert access.can_act_for_subscriber(actor_for_user(person.user), member.subscriber)
    assert reader.subscriber.person is None and reader.subscriber.display_name != demo_distribution.READER


def test_a_reader_has_not_confirmed_yet_and_was_mailed_the_link(demo: Loaded) -> None:
    pending = Subscription.objects.get(subscriber=_subscriber(demo_distribution.PENDING_READER))
    assert pending.state == SubscriptionState.PENDING and pending.language == "ru"
    assert pending.started_on is None and pending.confirmed_at is None
    assert not Dispatch.objects.filter(subscription=pending).exists()
    [confirmation] = [m for m in _messages(demo.mail) if m["To"] == demo_distribution.PENDING_READER]
    body = confirmation.get_body(("plain",))
    assert body is not None and "/distribution/confirm/" in body.get_content()


# Issue No. 1 dispatched --------------------------------------------------------------------------------------------


def test_loading_without_publishing_dispatches_nothing(demo: Loaded) -> None:
    assert demo.dispatches_before_publishing == 0


def test_publishing_issue_one_made_one_dispatch_per_email_and_post_subscription(demo: Loaded) -> None:
    issue = _issue()
    assert (
        set(Edition.objects.filter(issue=issue, status=EditionStatus.PUBLISHED).values_list("language", flat=True))
        == PUBLISHED_IN
    )
    # Publishing made them (its signals); the demo made none afterwards.
    assert demo.distributed is not None and demo.distributed.made_here == 0
    expected = {
        s.pk
        for s in _bulletin_subscriptions()
        if s.state == SubscriptionState.ACTIVE and s.channel != SubscriptionChannel.FEED and s.language in PUBLISHED_IN
    }
    dispatches = list(Dispatch.objects.filter(issue=issue))
    assert demo.dispatches_by_publishing == len(dispatches) == len(expected) == 8
    assert {d.subscription_id for d in dispatches} == expected
    assert all(d.kind == DispatchKind.REGULAR and d.edition is not None for d in dispatches)
    # Nothing in Russian (no edition yet), nothing for a feed.
    assert not Dispatch.objects.filter(language="ru").exists()
    assert not Dispatch.objects.filter(subscription__channel=SubscriptionChannel.FEED).exists()


def test_every_email_dispatch_was_sent_to_the_file_backend(demo: Loaded) -> None:
    emails = list(
        Dispatch.objects.filter(issue=_issue(), subscription__channel=SubscriptionChannel.EMAIL).select_related(
            "subscription__subscriber"
        )
    )
    assert len(emails) == 4
    assert {d.state for d in emails} == {DispatchState.SENT}
    assert all(d.sent_at is not None and d.message_id for d in emails)
    messages = {m["Message-ID"]: m for m in _messages(demo.mail) if m["Message-ID"]}
    for dispatch in emails:
        message = messages[dispatch.message_id]
        assert message["To"] == dispatch.subscription.subscriber.email
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/distribution/unsubscribe/" in message["List-Unsubscribe"]
        assert message["Content-Language"] == dispatch.language
    assert demo.distributed is not None
    assert (demo.distributed.sent, demo.distributed.to_send) == (4, 0)


def test_three_copies_posted_and_one_waiting(demo: Loaded) -> None:
    posts = {
        d.subscription.subscriber.display_name: d
        for d in Dispatch.objects.filter(issue=_issue(), subscription__channel=SubscriptionChannel.POST).select_related(
            "subscription__subscriber__section", "posted_by"
        )
    }
    assert set(posts) == {
        "Section française",
        "Deutsche Sektion",
        demo_distribution.WAITING_SECTION,
        "Workers' Education Archive",
    }
    waiting = posts.pop(demo_distribution.WAITING_SECTION)
    assert waiting.state == DispatchState.PENDING and waiting.sent_at is None
    for dispatch in posts.values():
        assert dispatch.state == DispatchState.POSTED and dispatch.sent_at is not None
        assert dispatch.posted_by is not None and dispatch.posted_by.username == "editor"
    assert demo.distributed is not None
    assert (demo.distributed.posted, demo.distributed.to_post) == (3, 1)


# Receipts, gaps, the claim -----------------------------------------------------------------------------------------


def test_receipts_by_link_and_by_hand(demo: Loaded) -> None:
    receipts = {
        (r.subscriber.display_name if r.subscriber.kind != SubscriberKind.PERSON else "reader", r.how): r
        for r in Receipt.objects.filter(issue=_issue()).select_related("subscriber__section", "recorded_by", "dispatch")
    }
    assert set(receipts) == {
        ("Section belge", ReceiptHow.LINK),
        ("reader", ReceiptHow.LINK),
        ("Section française", ReceiptHow.POST),
        (demo_distribution.ORGANISATION, ReceiptHow.POST),
    }
    for receipt in receipts.values():
        # Every receipt names the dispatch it acknowledges; those by hand, who recorded them.
        assert receipt.dispatch is not None and receipt.dispatch.issue_id == receipt.issue_id
        assert (receipt.recorded_by is None) == (receipt.how == ReceiptHow.LINK)
    by_correspondent = receipts[("Section française", ReceiptHow.POST)].recorded_by
    assert by_correspondent is not None and by_correspondent.username == "correspondent"
    assert demo.distributed is not None and demo.distributed.receipts == 4


def test_the_gap_report_shows_the_two_missing_copies(demo: Loaded) -> None:
    issue = _issue()
    report = {
        (s.subscriber_label or "reader", s.channel): s
        for s in services.gaps_report()
        if s.periodical_name == issue.periodical.name
    }
    waiting = report[(demo_distribution.WAITING_SECTION, "post")]
    assert (waiting.expected, waiting.received, waiting.missing, waiting.waiting) == (1, 0, 1, 1)
    member = report[("Karl Leser", "email")]
    assert (member.expected, member.received, member.missing, member.sent) == (1, 0, 1, 1)
    for received in ("Section belge", "Section française", demo_distribution.ORGANISATION, "reader"):
        assert report[next(k for k in report if k[0] == received)].missing == 0
    # Russian is not out: nothing is owed to the Russian section; the pending reader has no line at all.
    russian = report[("Русская секция", "post")]
    assert (russian.expected, russian.missing) == (0, 0)
    pending = _subscriber(demo_distribution.PENDING_READER)
    assert all(s.subscriber_id != pending.pk for s in services.gaps_report())
    # Only the gaps: the subscriptions with a missing issue.
    missing = {s.subscriber_label for s in services.gaps_report(only_missing=True)}
    assert {demo_distribution.WAITING_SECTION, "Karl Leser"} <= missing
    assert not missing & {"Section belge", demo_distribution.ORGANISATION}


def test_the_gaps_of_one_subscriber_issue_by_issue(demo: Loaded) -> None:
    [row] = services.gaps(_subscriber(demo_distribution.WAITING_SECTION))
    assert (row.number, row.channel, row.status, row.claim_state) == (1, "post", DispatchState.PENDING, None)
    assert row.claimable
    [row] = services.gaps(_subscriber("member"))
    assert (row.number, row.status, row.claim_state, row.claimable) == (1, DispatchState.SENT, ClaimState.OPEN, False)


def test_an_open_claim_by_the_member_for_issue_one(demo: Loaded) -> None:
    member = Person.objects.select_related("user").get(user__username="member")
    claim = Claim.objects.get(periodical__slug="bulletin")
    assert claim.state == ClaimState.OPEN and claim.note == demo_distribution.CLAIM_NOTE
    assert claim.subscriber.person == member and claim.claimed_by == member.user
    [item] = claim.items.select_related("subscription")
    assert item.issue == _issue() and item.language == "de" and item.dispatch is None
    # The secretariat sees it among the open claims, and the claimant theirs; another section's correspondent not.
    editor = actor_for_user(Person.objects.get(user__username="editor").user)
    open_claims = Claim.objects.filter(access.claim_filter(editor), state=ClaimState.OPEN)
    assert open_claims.get(periodical__slug="bulletin") == claim
    assert (
        Claim.objects.filter(access.claim_filter(actor_for_user(member.user)), periodical__slug="bulletin").get()
        == claim
    )
    corresponsal = actor_for_user(Person.objects.get(user__username="corresponsal").user)
    assert not Claim.objects.filter(access.claim_filter(corresponsal), periodical__slug="bulletin").exists()
    # Claiming it again is refused while the claim waits for an answer.
    with pytest.raises(Conflict, match="already claimed"):
        services.claim(actor_for_user(member.user), claim.subscriber, [(item.subscription_id, item.issue_id)])


def test_answering_the_claim_sends_the_issue_again_as_a_back_issue(demo: Loaded) -> None:
    editor = actor_for_user(Person.objects.get(user__username="editor").user)
    claim = services.answer_claim(editor, Claim.objects.get(periodical__slug="bulletin"))
    assert claim.state == ClaimState.ANSWERED
    dispatch = claim.items.get().dispatch
    assert dispatch is not None
    assert (dispatch.state, dispatch.kind, dispatch.resends) == (DispatchState.PENDING, DispatchKind.BACK_ISSUE, 1)


def test_the_member_sees_the_claim_on_their_gaps_page(demo: Loaded, client: Client) -> None:
    member = Subscriber.objects.get(person__user__username="member")
    assert demo_distribution.member_subscriber_id() == member.pk
    url = reverse("distribution:gaps", args=[member.pk])
    client.force_login(Person.objects.get(user__username="member").user)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="claims-heading"' in page and f"<strong>{ClaimState.OPEN.label}</strong>" in page
    # Another section's correspondent is not shown it.
    client.force_login(Person.objects.get(user__username="corresponsal").user)
    assert client.get(url).status_code == 404


def test_after_publish_again_changes_nothing(demo: Loaded) -> None:
    counts = (Dispatch.objects.count(), Receipt.objects.count(), Claim.objects.count())
    again = demo_distribution.after_publish()
    assert again is not None and again.made_here == 0
    assert again == demo.distributed
    assert (Dispatch.objects.count(), Receipt.objects.count(), Claim.objects.count()) == counts
