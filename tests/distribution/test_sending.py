"""Sending dispatches to a real SMTP server (aiosmtpd, in a thread): batches over one connection, the message's
headers and parts, temporary and permanent failures, a dropped connection, and a run that resumes a dead one's
work — each message received once, except in the one window SMTP cannot close, which is pinned down here too."""

from __future__ import annotations

import dataclasses
import datetime
import email
import re
from email.message import Message
from typing import Any

import pytest
from django.core import mail as django_mail
from django.db.models import F
from django.test import Client
from django.utils import timezone

from liaison.distribution import links, sending, services
from liaison.distribution import mail as mail_module
from liaison.distribution.mail import RECEIPT, UNSUBSCRIBE, MailBuilder, Template, dispatch_message, stuffed
from liaison.distribution.models import (
    DISPATCH_TRANSITIONS,
    Bounce,
    BounceKind,
    Dispatch,
    DispatchState,
    Receipt,
    Subscription,
    SubscriptionChannel,
    SubscriptionState,
)
from liaison.periodicals.models import Issue
from liaison.publishing import storage
from liaison.publishing.edition import Incomplete
from liaison.publishing.models import Edition, EditionFile
from tests.distribution.sending_helpers import (
    NAMES,
    SmtpServer,
    dispatches_of,
    readers,
    smtp_server,
)
from tests.publishing.fixtures_core import issue, published, published_dir, renderers

__all__ = ["issue", "published", "published_dir", "renderers", "smtp_server"]


def make_dispatches(edition: Edition, n: int, **options: Any) -> list[Dispatch]:
    readers(edition.issue.periodical, n, language=edition.language, **options)
    services.create_dispatches(edition)
    return dispatches_of(edition.issue)


def unsigned(url: str) -> str:
    """A signed link without its time and signature (``…/receipt/12:``): the same whatever second it was made in."""
    return url.rsplit(":", 2)[0] + ":"


def parts(message: Message) -> dict[str, str]:
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return found


def test_it_sends_every_due_dispatch_once_in_batches_over_one_connection(
    published: Edition, smtp_server: SmtpServer
) -> None:
    dispatches = make_dispatches(published, 25)

    summary = sending.send_due(size=10)

    assert (summary.sent, summary.failed, summary.bounced, summary.error) == (25, 0, 0, "")
    assert smtp_server.handler.connections == 1
    counts = smtp_server.counts()
    assert sorted(counts) == sorted(d.make_message_id() for d in dispatches)
    assert set(counts.values()) == {1}
    for dispatch in dispatches_of(published.issue):
        assert dispatch.state == DispatchState.SENT
        assert dispatch.sent_at is not None
        assert (dispatch.attempts, dispatch.claimed_by, dispatch.lease_until) == (1, "", None)
        assert dispatch.message_id == dispatch.make_message_id()
    # A second run finds nothing to send.
    assert sending.send_due().sent == 0
    assert len(smtp_server.received) == 25


def test_each_message_goes_to_its_own_subscriber_only(published: Edition, smtp_server: SmtpServer) -> None:
    dispatches = make_dispatches(published, 3)
    sending.send_due()
    by_id = {r.message_id: r for r in smtp_server.received}
    for dispatch in dispatches:
        received = by_id[dispatch.make_message_id()]
        address = dispatch.subscription.subscriber.email
        assert received.recipients == [address]
        assert received.message["To"] == address


def test_the_message_id_is_the_dispatchs_whatever_the_attempt(published: Edition, smtp_server: SmtpServer) -> None:
    (dispatch,) = make_dispatches(published, 1)
    address = dispatch.subscription.subscriber.email
    smtp_server.behaviour.rcpt[address] = ["451 4.7.1 greylisted, come back later"]

    assert sending.send_due().failed == 1
    Dispatch.objects.filter(pk=dispatch.pk).update(next_attempt_at=timezone.now())
    assert sending.send_due().sent == 1

    (received,) = smtp_server.received
    assert received.message_id == dispatch.make_message_id() == f"<dispatch-{dispatch.pk}.0@127.0.0.1>"
    assert dispatch_message(dispatch).extra_headers["Message-ID"] == received.message_id
    # A back issue (a claim answered) is a new round: a new Message-ID.
    Dispatch.objects.filter(pk=dispatch.pk).update(resends=F("resends") + 1)
    dispatch.refresh_from_db()
    assert dispatch.make_message_id() == f"<dispatch-{dispatch.pk}.1@127.0.0.1>"


def test_the_message_offers_one_click_unsubscribe_as_rfc_8058_asks(published: Edition, smtp_server: SmtpServer) -> None:
    (dispatch,) = make_dispatches(published, 1)
    sending.send_due()
    message = smtp_server.received[0].message

    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # A long header may be folded (RFC 5322); unfolded, it is the one-click address in angle brackets.
    target = " ".join(message["List-Unsubscribe"].split())
    assert target == f"<{links.one_click_url(dispatch.subscription)}>"
    assert target.startswith("<http") and target.endswith(">")
    assert message["List-Id"] == "<bulletin.127.0.0.1>"
    assert message["Content-Language"] == "fr"
    # The one-click POST a mail client makes ends the subscription, without a page in between.
    response = Client().post(target[1:-1].removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code in (200, 204)
    dispatch.subscription.refresh_from_db()
    assert dispatch.subscription.state == SubscriptionState.ENDED


def test_the_message_has_both_parts_the_asked_formats_a_receipt_link_and_nothing_remote(
    published: Edition, smtp_server: SmtpServer
) -> None:
    (dispatch,) = make_dispatches(published, 1, formats=["pdf"])
    sending.send_due()
    message = smtp_server.received[0].message

    assert message.get_content_type() == "multipart/alternative"
    found = parts(message)
    html, text = found["text/html"], found["text/plain"]
    receipt = links.receipt_url(dispatch)
    unsubscribe = links.unsubscribe_url(dispatch.subscription)
    for body in (html, text):
        assert unsigned(receipt) in body
        assert unsigned(unsubscribe) in body
        assert RECEIPT not in body and UNSUBSCRIBE not in body
        assert "Rapport 1" in body  # the French edition's contents
        assert "bulletin-1-fr.pdf" in body  # the format asked for
        assert "bulletin-1-fr.epub" not in body  # published, but not asked for
    assert "<img" not in html.lower() and "src=" not in html.lower()
    assert 'lang="fr"' in html
    # The receipt link records a receipt (and only the link: nothing is ever inferred from an open).
    assert not Receipt.objects.exists()
    path = receipt.removeprefix("http://127.0.0.1:8000")
    Client().post(path)
    Client().get(path)
    assert Receipt.objects.filter(issue=published.issue, language="fr").count() == 1


def test_the_footer_speaks_the_subscriptions_language(published: Edition) -> None:
    (dispatch,) = make_dispatches(published, 1)
    for language in ("fr", "ru"):
        Subscription.objects.filter(pk=dispatch.subscription_id).update(language=language)
        message = dispatch_message(dispatch).message()
        html = parts(message)["text/html"]
        assert f'<div lang="{language}"' in html


def test_subscribers_names_in_any_script_reach_the_server(published: Edition, smtp_server: SmtpServer) -> None:
    subscriptions = readers(published.issue.periodical, len(NAMES), language="fr")
    for subscription, name in zip(subscriptions, NAMES, strict=True):
        subscriber = subscription.subscriber
        subscriber.name = name
        subscriber.save()
    services.create_dispatches(published)
    assert sending.send_due().sent == len(NAMES)
    assert set(smtp_server.counts().values()) == {1}


def test_a_temporary_failure_is_tried_again_after_a_back_off(published: Edition, smtp_server: SmtpServer) -> None:
    first, _second = make_dispatches(published, 2)
    address = first.subscription.subscriber.email
    smtp_server.behaviour.rcpt[address] = ["451 4.7.1 greylisted", "452 4.2.2 mailbox full"]
    before = timezone.now()

    summary = sending.send_due()

    assert (summary.sent, summary.failed) == (1, 1)
    first.refresh_from_db()
    assert (first.state, first.attempts) == (DispatchState.FAILED, 1)
    assert first.next_attempt_at is not None
    assert first.next_attempt_at >= before + datetime.timedelta(seconds=60)
    assert "451" in first.last_error
    bounce = Bounce.objects.get(dispatch=first)
    assert (bounce.kind, bounce.code) == (BounceKind.TEMPORARY, 451)
    # Not due yet: a run now leaves it alone.
    assert sending.send_due().failed == 0

    Dispatch.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    assert sending.send_due().failed == 1
    first.refresh_from_db()
    assert first.attempts == 2
    assert first.next_attempt_at is not None
    assert first.next_attempt_at >= timezone.now() + datetime.timedelta(seconds=200)  # 4 minutes after the second

    Dispatch.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    assert sending.send_due().sent == 1
    first.refresh_from_db()
    assert (first.state, first.attempts) == (DispatchState.SENT, 3)
    assert set(smtp_server.counts().values()) == {1}
    assert len(smtp_server.received) == 2


def test_the_back_off_grows_to_a_ceiling() -> None:
    delays = [sending.retry_delay(n).total_seconds() for n in range(1, 9)]
    assert delays[:4] == [60, 240, 960, 3840]
    assert delays[-1] == 6 * 3600
    assert delays == sorted(delays)


def test_a_dispatch_that_keeps_failing_is_given_up_as_bounced(
    published: Edition, smtp_server: SmtpServer, settings: Any
) -> None:
    settings.DISTRIBUTION_MAX_ATTEMPTS = 3
    (dispatch,) = make_dispatches(published, 1)
    smtp_server.behaviour.rcpt[dispatch.subscription.subscriber.email] = "450 4.2.1 try later"
    for _attempt in range(3):
        Dispatch.objects.filter(pk=dispatch.pk).update(next_attempt_at=timezone.now())
        sending.send_due()
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.attempts) == (DispatchState.BOUNCED, 3)
    assert "Gave up after 3 attempts" in dispatch.last_error
    assert Bounce.objects.filter(dispatch=dispatch, kind=BounceKind.TEMPORARY).count() == 2
    assert Bounce.objects.filter(dispatch=dispatch, kind=BounceKind.PERMANENT).count() == 1
    assert smtp_server.received == []


def reopen(dispatch: Dispatch) -> None:
    """What a claim's answer does to a dispatch that is over: due again, for a new round."""
    Dispatch.objects.filter(pk=dispatch.pk).update(
        state=DispatchState.PENDING, resends=F("resends") + 1, attempts=0, next_attempt_at=timezone.now()
    )


def test_a_permanent_failure_is_a_bounce_and_three_in_a_row_pause_the_subscription(
    published: Edition, smtp_server: SmtpServer
) -> None:
    dispatch, other = make_dispatches(published, 2)
    address = dispatch.subscription.subscriber.email
    smtp_server.behaviour.rcpt[address] = "550 5.1.1 no such user here"

    summary = sending.send_due()
    assert (summary.sent, summary.bounced, summary.paused) == (1, 1, 0)
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.attempts) == (DispatchState.BOUNCED, 1)
    bounce = Bounce.objects.get(dispatch=dispatch)
    assert (bounce.kind, bounce.code) == (BounceKind.PERMANENT, 550)
    assert "no such user" in bounce.message
    subscription = Subscription.objects.get(pk=dispatch.subscription_id)
    assert (subscription.state, subscription.bounce_count) == (SubscriptionState.ACTIVE, 1)

    reopen(dispatch)
    sending.send_due()
    reopen(dispatch)
    summary = sending.send_due()
    assert (summary.bounced, summary.paused) == (1, 1)
    subscription.refresh_from_db()
    assert (subscription.state, subscription.bounce_count) == (SubscriptionState.PAUSED, 3)
    assert "550" in subscription.state_reason
    # A paused subscription's dispatches wait: nothing more goes to an address known to bounce.
    reopen(dispatch)
    assert sending.send_due().done == 0
    dispatch.refresh_from_db()
    assert dispatch.state == DispatchState.PENDING
    other.refresh_from_db()
    assert other.state == DispatchState.SENT
    assert len(smtp_server.received) == 1


def test_a_delivery_between_bounces_starts_the_count_again(published: Edition, smtp_server: SmtpServer) -> None:
    (dispatch,) = make_dispatches(published, 1)
    address = dispatch.subscription.subscriber.email
    smtp_server.behaviour.rcpt[address] = ["550 5.2.1 mailbox disabled", "550 5.2.1 mailbox disabled"]
    sending.send_due()
    reopen(dispatch)
    sending.send_due()
    assert Subscription.objects.get(pk=dispatch.subscription_id).bounce_count == 2
    reopen(dispatch)
    assert sending.send_due().sent == 1
    subscription = Subscription.objects.get(pk=dispatch.subscription_id)
    assert (subscription.state, subscription.bounce_count) == (SubscriptionState.ACTIVE, 0)


def test_a_dropped_connection_is_opened_again_and_nothing_accepted_is_sent_twice(
    published: Edition, smtp_server: SmtpServer
) -> None:
    dispatches = make_dispatches(published, 12)
    # The server hangs up at the third message of every connection, before taking it.
    smtp_server.behaviour.drop_at_message = 3

    summary = sending.send_due(size=12)

    assert (summary.sent, summary.failed, summary.error) == (12, 0, "")
    assert summary.reconnects >= 5
    assert summary.uncertain == 0
    assert smtp_server.handler.connections >= 6
    counts = smtp_server.counts()
    assert sorted(counts) == sorted(d.make_message_id() for d in dispatches)
    assert set(counts.values()) == {1}


def test_a_connection_dropped_after_the_server_took_the_data_sends_it_again_and_says_so(
    published: Edition, smtp_server: SmtpServer
) -> None:
    """The window SMTP cannot close (RFC 1047): the server has the message, the sender never heard. Liaison sends
    it again with the same Message-ID rather than risk it never arriving, and notes it on the dispatch."""
    first, second, third = make_dispatches(published, 3)
    smtp_server.behaviour.drop_after_data.add(second.subscription.subscriber.email)

    summary = sending.send_due()

    assert (summary.sent, summary.uncertain, summary.reconnects) == (3, 1, 1)
    counts = smtp_server.counts()
    assert counts[first.make_message_id()] == 1
    assert counts[second.make_message_id()] == 2  # the duplicate: same Message-ID, so a mailbox can drop it
    assert counts[third.make_message_id()] == 1
    second.refresh_from_db()
    assert second.state == DispatchState.SENT
    assert "may arrive twice" in second.last_error


def test_an_unreachable_server_leaves_the_dispatches_due_with_no_attempt_counted(
    published: Edition, settings: Any
) -> None:
    dispatches = make_dispatches(published, 3)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nobody listens there

    summary = sending.send_due()

    assert summary.sent == 0
    assert "cannot be reached" in summary.error
    assert summary.released == 3
    for dispatch in dispatches_of(published.issue):
        assert (dispatch.state, dispatch.attempts, dispatch.claimed_by) == (DispatchState.PENDING, 0, "")
        assert dispatch.next_attempt_at is not None and dispatch.next_attempt_at > timezone.now()
    assert len(dispatches) == 3


def test_a_refused_sender_stops_the_run_without_bouncing_anyone(published: Edition, smtp_server: SmtpServer) -> None:
    make_dispatches(published, 3)
    smtp_server.behaviour.mail_answer = "550 5.7.1 sender address rejected"

    summary = sending.send_due()

    assert "refuses the sender" in summary.error
    assert (summary.sent, summary.bounced, summary.failed, summary.released) == (0, 0, 1, 2)
    assert not Bounce.objects.filter(kind=BounceKind.PERMANENT).exists()
    assert not Subscription.objects.filter(bounce_count__gt=0).exists()


def test_a_dead_workers_batch_is_taken_over_and_what_it_handed_over_is_sent_again_and_noted(
    published: Edition, smtp_server: SmtpServer
) -> None:
    dispatches = make_dispatches(published, 4)
    # A worker claimed the four, handed the first to the server, and died: its lease ran out.
    token = sending.new_token()
    assert sending.claim_batch(sending.Scope(), token) == [d.pk for d in dispatches]
    Dispatch.objects.filter(pk=dispatches[0].pk).update(message_id=dispatches[0].make_message_id())
    Dispatch.objects.filter(claimed_by=token).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))

    summary = sending.send_due()

    assert (summary.recovered, summary.uncertain, summary.sent) == (4, 1, 4)
    assert set(smtp_server.counts().values()) == {1}
    rows = dispatches_of(published.issue)
    assert {row.state for row in rows} == {DispatchState.SENT}
    assert "may arrive twice" in rows[0].last_error
    assert rows[0].attempts == 2  # the attempt that was cut short counts
    assert [row.last_error for row in rows[1:]] == ["", "", ""]
    assert [row.attempts for row in rows[1:]] == [1, 1, 1]


def test_a_live_workers_batch_is_left_alone(published: Edition, smtp_server: SmtpServer) -> None:
    make_dispatches(published, 3)
    token = sending.new_token()
    claimed = sending.claim_batch(sending.Scope(), token, size=2)

    summary = sending.send_due()

    assert (summary.recovered, summary.sent) == (0, 1)
    assert Dispatch.objects.filter(pk__in=claimed, state=DispatchState.SENDING, claimed_by=token).count() == 2
    assert sending.outstanding(sending.Scope()) == 2
    assert sending.next_wake(sending.Scope()) == Dispatch.objects.get(pk=claimed[0]).lease_until


def test_a_run_that_lost_its_lease_stops_before_handing_anything_over(
    published: Edition, smtp_server: SmtpServer
) -> None:
    make_dispatches(published, 3)
    token = sending.new_token()
    sending.claim_batch(sending.Scope(), token)
    # Another worker took the batch over meanwhile (this one stalled past its lease).
    Dispatch.objects.filter(claimed_by=token).update(claimed_by="another")
    summary = sending.Summary()
    transport = sending.Transport()
    try:
        transport.open()
        sending.send_batch(token, transport, MailBuilder(), summary)
    finally:
        transport.close()
    assert summary.done == 0
    assert smtp_server.received == []
    assert set(Dispatch.objects.values_list("message_id", flat=True)) == {""}


def test_two_claims_never_share_a_dispatch(published: Edition) -> None:
    dispatches = make_dispatches(published, 5)
    first = sending.claim_batch(sending.Scope(), "first", size=3)
    second = sending.claim_batch(sending.Scope(), "second", size=3)
    third = sending.claim_batch(sending.Scope(), "third", size=3)
    assert len(first) == 3 and len(second) == 2 and third == []
    assert sorted(first + second) == [d.pk for d in dispatches]


def test_only_due_email_dispatches_with_an_edition_are_claimed(published: Edition) -> None:
    email, later, post, paused, cancelled = make_dispatches(published, 5)
    Dispatch.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + datetime.timedelta(hours=1))
    Subscription.objects.filter(pk=post.subscription_id).update(channel=SubscriptionChannel.POST)
    Subscription.objects.filter(pk=paused.subscription_id).update(state=SubscriptionState.PAUSED)
    Dispatch.objects.filter(pk=cancelled.pk).update(state=DispatchState.CANCELLED)
    assert sending.claim_batch(sending.Scope(), "t") == [email.pk]
    assert sending.claim_batch(sending.Scope(issue_id=published.issue_id + 1), "u") == []


def test_a_scope_sends_only_its_issue_and_language(published: Edition, issue: Issue, smtp_server: SmtpServer) -> None:
    make_dispatches(published, 2)
    assert sending.send_due(sending.Scope(issue_id=issue.pk, language="en")).sent == 0
    assert sending.send_due(sending.for_edition(published.pk)).sent == 2


def test_every_state_change_of_the_sender_is_in_the_transition_table() -> None:
    made = {
        (DispatchState.PENDING, DispatchState.SENDING),  # claim
        (DispatchState.FAILED, DispatchState.SENDING),  # claim of a retry
        (DispatchState.SENDING, DispatchState.SENT),
        (DispatchState.SENDING, DispatchState.FAILED),
        (DispatchState.SENDING, DispatchState.BOUNCED),
        (DispatchState.SENDING, DispatchState.PENDING),  # a dead worker's, or released
    }
    for old, new in made:
        assert new in DISPATCH_TRANSITIONS[old]


def test_the_in_process_backend_gets_the_same_messages(published: Edition) -> None:
    make_dispatches(published, 2)
    assert sending.send_due().sent == 2
    assert len(django_mail.outbox) == 2
    message = django_mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("n", [2, 8])
def test_a_batch_costs_the_same_queries_whatever_its_size(
    published: Edition, smtp_server: SmtpServer, n: int, django_assert_max_num_queries: Any
) -> None:
    make_dispatches(published, n)
    token = sending.new_token()
    sending.claim_batch(sending.Scope(), token)
    builder = MailBuilder()
    transport = sending.Transport()
    transport.open()
    # The edition is rendered once (warm it up: its queries do not grow with the batch either).
    first = Dispatch.objects.select_related("subscription__subscriber", "subscription__periodical").first()
    assert first is not None
    builder.message(first, published)
    # Per message: the hand-off and the "sent" commit (2 writes); per batch: its rows and editions (3 reads).
    with django_assert_max_num_queries(3 + 2 * n):
        sending.send_batch(token, transport, builder, sending.Summary())
    transport.close()
    assert len(smtp_server.received) == n


def normalized(data: bytes) -> bytes:
    """A message without what differs between two serializations of it: the MIME boundary and the Date."""
    text = re.sub(rb"={15}\d+==", b"BOUNDARY", data)
    return re.sub(rb"\r\nDate: [^\r]*", b"\r\nDate: D", text)


def test_the_fast_path_writes_the_very_bytes_of_the_composed_message(
    published: Edition, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both signed in the same second, so that their links are the same.
    monkeypatch.setattr("django.core.signing.time.time", lambda: 1_900_000_000.0)
    dispatches = make_dispatches(published, 3, formats=["pdf", "epub"])
    builder = MailBuilder()
    for dispatch in Dispatch.objects.select_related("subscription__subscriber", "subscription__periodical").filter(
        pk__in=[d.pk for d in dispatches]
    ):
        fast = builder.outgoing(dispatch, published)
        composed = builder.message(dispatch, published).message().as_bytes(linesep="\r\n")
        assert fast.stuffed
        assert normalized(fast.data) == normalized(stuffed(composed))
        assert fast.recipients == [dispatch.subscription.subscriber.email]
        assert fast.sender == "liaison@localhost"  # the envelope's: no display name
        assert (dispatch.subscription.subscriber.email.encode() + b"\r\n") in fast.data


def test_a_message_the_template_cannot_hold_is_composed_whole(published: Edition) -> None:
    (dispatch,) = make_dispatches(published, 1)
    builder = MailBuilder()
    mail = builder.mail_for(dispatch, published)
    # A line longer than SMTP allows makes the part quoted-printable, which may cut a stand-in in two.
    long = dataclasses.replace(mail, text=mail.text + "x" * 1200 + "\n")
    assert Template.of(mail) is not None
    assert Template.of(long) is None
    builder._renderings = {key: long for key in builder._renderings}
    message = email.message_from_bytes(builder.outgoing(dispatch, published).data)
    text = parts(message)["text/plain"]
    assert unsigned(links.receipt_url(dispatch)) in text
    assert RECEIPT not in text


def test_an_address_no_envelope_can_hold_bounces_at_once(published: Edition, smtp_server: SmtpServer) -> None:
    (dispatch,) = make_dispatches(published, 1)
    subscriber = dispatch.subscription.subscriber
    subscriber.email = "two@example.org, three@example.org"
    subscriber.save()
    summary = sending.send_due()
    assert (summary.bounced, summary.sent) == (1, 0)
    dispatch.refresh_from_db()
    assert dispatch.state == DispatchState.BOUNCED
    assert smtp_server.received == []


def test_an_edition_that_can_no_longer_be_rendered_goes_out_as_its_email_was_published(
    published: Edition, monkeypatch: pytest.MonkeyPatch, smtp_server: SmtpServer
) -> None:
    (dispatch,) = make_dispatches(published, 1)
    # The email edition's files as the publication wrote them (the fake renderers of these tests write none).
    from liaison.publishing import services as publishing
    from liaison.publishing.renderers import email as email_edition

    rendered = email_edition.render(publishing.data_for(published))
    for name, content in rendered.files.items():
        path = f"bulletin/1/fr/v1/{name}"
        target = storage.absolute(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        EditionFile.objects.create(
            edition=published, format="email", path=path, media_type="text/plain", size=len(content), sha256=""
        )

    def incomplete(edition: Edition) -> None:
        raise Incomplete("The French edition is not complete: item 1.", ["item 1"])

    monkeypatch.setattr(publishing, "data_for", incomplete)
    assert sending.send_due().sent == 1
    text = parts(smtp_server.received[0].message)["text/plain"]
    assert "Rapport 1" in text
    assert unsigned(links.receipt_url(dispatch)) in text


def test_a_message_that_cannot_be_built_waits_without_bouncing(
    published: Edition, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DISTRIBUTION_MAX_ATTEMPTS = 2
    (dispatch,) = make_dispatches(published, 1)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the template is broken")

    monkeypatch.setattr(mail_module, "render_edition_mail", broken)
    for _attempt in range(3):
        Dispatch.objects.filter(pk=dispatch.pk).update(next_attempt_at=timezone.now())
        assert sending.send_due().failed == 1
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.attempts) == (DispatchState.FAILED, 3)
    assert "the template is broken" in dispatch.last_error
    assert not Bounce.objects.exists()
    assert Subscription.objects.get(pk=dispatch.subscription_id).bounce_count == 0


def test_a_line_that_starts_with_a_dot_arrives_whole(published: Edition, smtp_server: SmtpServer) -> None:
    (dispatch,) = make_dispatches(published, 1)
    builder = MailBuilder()
    mail = builder.mail_for(dispatch, published)
    builder._renderings = {
        key: dataclasses.replace(mail, text=".sig\n..two\n" + mail.text) for key in builder._renderings
    }
    summary = sending.Summary()
    token = sending.new_token()
    sending.claim_batch(sending.Scope(), token)
    transport = sending.Transport()
    transport.open()
    sending.send_batch(token, transport, builder, summary)
    transport.close()
    assert summary.sent == 1
    assert parts(smtp_server.received[0].message)["text/plain"].startswith(".sig\r\n..two\r\n")


class RecordingTransport(sending.Transport):
    """A transport over the in-process backend that notes, at the moment each message's recipients would go out,
    which of the batch's dispatches are recorded ``sent``; ``fail_at`` makes that message's sending raise."""

    def __init__(self, fail_at: int | None = None) -> None:
        super().__init__(django_mail.get_connection("django.core.mail.backends.locmem.EmailBackend"))
        self.seen: list[set[int]] = []
        self.fail_at = fail_at

    def send(self, message: Any, hand: Any, settle: Any = None) -> None:
        if settle is not None:
            settle()
        self.seen.append(set(Dispatch.objects.filter(state=DispatchState.SENT).values_list("pk", flat=True)))
        if self.fail_at == len(self.seen):
            raise RuntimeError("the worker stops here")
        hand()
        self.backend.send_messages([message])


def test_each_message_is_recorded_sent_before_the_next_ones_recipients_go_out(published: Edition) -> None:
    dispatches = make_dispatches(published, 4)
    token = sending.new_token()
    sending.claim_batch(sending.Scope(), token)
    transport = RecordingTransport()
    summary = sending.Summary()
    sending.send_batch(token, transport, MailBuilder(), summary)
    ids = sorted(d.pk for d in dispatches)
    # The n-th message goes out once the n - 1 before it are recorded, and the last is recorded when the batch ends.
    assert transport.seen == [set(ids[:n]) for n in range(4)]
    assert summary.sent == 4
    assert set(Dispatch.objects.values_list("state", flat=True)) == {DispatchState.SENT}


def test_a_batch_stopped_by_an_error_still_records_what_the_server_took(published: Edition) -> None:
    dispatches = make_dispatches(published, 4)
    token = sending.new_token()
    sending.claim_batch(sending.Scope(), token)
    with pytest.raises(RuntimeError):
        sending.send_batch(token, RecordingTransport(fail_at=3), MailBuilder(), sending.Summary())
    ids = sorted(d.pk for d in dispatches)
    states = dict(Dispatch.objects.values_list("pk", "state"))
    # The two the server took are recorded; the third never reached its recipients; the fourth was not tried.
    assert [states[pk] for pk in ids] == ["sent", "sent", "sending", "sending"]
    assert len(django_mail.outbox) == 2
