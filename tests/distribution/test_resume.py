"""Resuming a subscription paused after repeated bounces: who may, what it changes (active again, bounces from
zero, held dispatches sent), what is refused, and the paused reader who subscribes again."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from liaison.distribution import services, tasks
from liaison.distribution.models import (
    Bounce,
    BounceKind,
    Dispatch,
    DispatchState,
    Subscriber,
    Subscription,
    SubscriptionChannel,
    SubscriptionState,
)
from liaison.distribution.signals import dispatches_created
from liaison.errors import Conflict, NotAllowed
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import data_queries, publish, reader, subscription

D = datetime.date
ClientAs = Callable[[str], Client]
REASON = "5 emails in a row could not be delivered; last answer: 550 Mailbox unavailable"


def pause(subscribed: Subscription, bounces: int = 2) -> Subscription:
    """Pause as the sender does: bounced dispatches with their bounces, then the transition (with its reason)."""
    for dispatch in Dispatch.objects.filter(subscription=subscribed).order_by("issue__number")[:bounces]:
        dispatch.state = DispatchState.BOUNCED
        dispatch.save()
        Bounce.objects.create(
            dispatch=dispatch, kind=BounceKind.PERMANENT, code=550, message=f"ящик недоступен — No. {dispatch.pk}"
        )
    Subscription.objects.filter(pk=subscribed.pk).update(bounce_count=5)
    return services.set_subscription_state(subscribed, SubscriptionState.PAUSED, REASON)


@pytest.fixture
def paused(world: World, bulletin: Periodical, section_a: Subscriber) -> Subscription:
    """Section A's English email subscription: issues 1–3 dispatched, 1–2 bounced, paused; No. 3 held (pending)."""
    section_a.email = "bureau@alpha.example.org"
    section_a.save()
    made = subscription(section_a, bulletin, channel=SubscriptionChannel.EMAIL, started_on=D(2024, 1, 1))
    for n in (1, 2, 3):
        services.create_dispatches(publish(bulletin, n, "en", D(2024, n + 1, 1)))
    return pause(made)


def state_of(subscribed: Subscription) -> tuple[str, int, str]:
    found = Subscription.objects.get(pk=subscribed.pk)
    return found.state, found.bounce_count, found.state_reason


# The service --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["corr_a", "editor"])
def test_it_resumes_and_sends_what_was_held(
    world: World, paused: Subscription, role: str, django_capture_on_commit_callbacks: Any
) -> None:
    signalled: list[dict[str, Any]] = []

    def heard(sender: Any, **kwargs: Any) -> None:
        signalled.append(kwargs)

    dispatches_created.connect(heard)
    try:
        with tasks.quiet(), django_capture_on_commit_callbacks(execute=True):
            resumed = services.resume_subscription(world.actor(role), paused)
    finally:
        dispatches_created.disconnect(heard)
    state, bounces, reason = state_of(paused)
    assert (resumed.state, state, bounces) == (SubscriptionState.ACTIVE, SubscriptionState.ACTIVE, 0)
    assert reason.startswith("resumed by") and world.actor(role).pseudonym in reason
    assert resumed.started_on == D(2024, 1, 1)  # the same subscription goes on: what was due stays due
    assert [(s["edition"], s["count"]) for s in signalled] == [(None, 1)]  # No. 3, held while paused


def test_the_person_themselves_resumes(world: World, bulletin: Periodical, member_sub: Subscriber) -> None:
    made = subscription(member_sub, bulletin)
    services.create_dispatches(publish(bulletin, 1))
    pause(made, bounces=1)
    assert services.resume_subscription(world.actor("member"), made).state == SubscriptionState.ACTIVE


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_b", "translator"])
def test_who_may_not_resume(world: World, paused: Subscription, role: str) -> None:
    before = state_of(paused)
    with pytest.raises(NotAllowed):
        services.resume_subscription(world.actor(role), paused)
    assert state_of(paused) == before


def test_only_a_paused_subscription_resumes(world: World, paused: Subscription) -> None:
    editor = world.actor("editor")
    services.resume_subscription(editor, paused)
    before = state_of(paused)
    with pytest.raises(Conflict, match="Only a paused subscription") as refused:
        services.resume_subscription(editor, Subscription.objects.get(pk=paused.pk))
    assert refused.value.field == "state"
    services.end_subscription(editor, Subscription.objects.get(pk=paused.pk))
    with pytest.raises(Conflict, match="ended"):
        services.resume_subscription(editor, Subscription.objects.get(pk=paused.pk))
    assert state_of(paused)[0] == SubscriptionState.ENDED and before[0] == SubscriptionState.ACTIVE


def test_a_paused_reader_who_subscribes_again_is_told_to_resume(
    world: World, bulletin: Periodical, django_capture_on_commit_callbacks: Any
) -> None:
    made = subscription(reader("ana@пример.рф"), bulletin, "ru")
    services.set_subscription_state(made, SubscriptionState.PAUSED, REASON)
    before = (Subscriber.objects.count(), Subscription.objects.count())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as refused:
        services.subscribe(world.actor("anonymous"), bulletin, email="ANA@пример.рф", language="ru", formats=["pdf"])
    message = str(refused.value)
    assert refused.value.field == "email"
    assert "paused" in message and "could not be delivered" in message and "resume" in message
    assert "secretariat" in message  # a reader without an account: whom to ask
    assert (Subscriber.objects.count(), Subscription.objects.count()) == before
    assert state_of(made)[0] == SubscriptionState.PAUSED and not mail.outbox


def test_a_signed_in_paused_person_is_sent_to_their_subscriptions(
    world: World, bulletin: Periodical, member_sub: Subscriber
) -> None:
    made = subscription(member_sub, bulletin)
    services.set_subscription_state(made, SubscriptionState.PAUSED, REASON)
    with pytest.raises(Conflict, match="“My subscriptions”"):
        services.subscribe(world.actor("member"), bulletin, email=member_sub.email, language="en", formats=["pdf"])


def test_the_subscribe_page_says_so(client_as: ClientAs, world: World, bulletin: Periodical) -> None:
    made = subscription(reader("ana@example.org"), bulletin)
    services.set_subscription_state(made, SubscriptionState.PAUSED, REASON)
    page = client_as("anonymous").post(
        "/distribution/subscribe/bulletin/", {"email": "ana@example.org", "language": "en", "formats": ["pdf"]}
    )
    assert page.status_code == 200
    assert "the subscription is paused" in page.content.decode()
    assert Subscription.objects.count() == 1


# The pages ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member", 403), ("corr_a", 302), ("corr_b", 404), ("translator", 404), ("editor", 302)],
)
def test_resuming_from_a_page(client_as: ClientAs, paused: Subscription, role: str, status: int) -> None:
    with tasks.quiet():
        answer = client_as(role).post(
            f"/distribution/subscriptions/{paused.pk}/resume/", {"next": "/distribution/mine/"}
        )
    assert answer.status_code == status
    assert (state_of(paused)[0] == SubscriptionState.ACTIVE) == (role in ("corr_a", "editor"))
    if role in ("corr_a", "editor"):
        assert answer["Location"] == "/distribution/mine/"


def test_resuming_goes_back_only_to_this_site(client_as: ClientAs, paused: Subscription) -> None:
    with tasks.quiet():
        answer = client_as("corr_a").post(
            f"/distribution/subscriptions/{paused.pk}/resume/", {"next": "https://evil.example/"}
        )
    assert answer["Location"] == "/distribution/mine/"


def test_resuming_an_active_one_says_why_not(client_as: ClientAs, paused: Subscription) -> None:
    client = client_as("corr_a")
    with tasks.quiet():
        client.post(f"/distribution/subscriptions/{paused.pk}/resume/")
    page = client.post(f"/distribution/subscriptions/{paused.pk}/resume/", follow=True)
    assert "Only a paused subscription can be resumed" in page.content.decode()
    assert state_of(paused)[0] == SubscriptionState.ACTIVE


def test_resuming_is_a_post(client_as: ClientAs, paused: Subscription) -> None:
    assert client_as("corr_a").get(f"/distribution/subscriptions/{paused.pk}/resume/").status_code == 405


@pytest.mark.parametrize(
    ("role", "url", "button"),
    [
        ("member", "/distribution/mine/", False),
        ("corr_a", "/distribution/mine/", True),
        ("member", "/distribution/subscribers/{pk}/", False),
        ("corr_a", "/distribution/subscribers/{pk}/", True),
        ("editor", "/distribution/subscribers/{pk}/", True),
        ("member", "/sections/{slug}/dashboard/", False),
        ("corr_a", "/sections/{slug}/dashboard/", True),
        ("editor", "/sections/{slug}/dashboard/", True),
    ],
)
def test_the_pause_shows_why_with_the_button_for_who_may(
    client_as: ClientAs, world: World, paused: Subscription, role: str, url: str, button: bool
) -> None:
    page = client_as(role).get(url.format(pk=paused.subscriber_id, slug=world.section_a.slug))
    assert page.status_code == 200
    content = page.content.decode()
    assert REASON in content
    assert "ящик недоступен" in content and "<code>550</code>" in content  # the last bounces: code and message
    assert (f"/distribution/subscriptions/{paused.pk}/resume/" in content) == button


def test_the_pages_show_the_last_three_bounces_in_a_constant_number_of_queries(
    client_as: ClientAs, world: World, bulletin: Periodical, section_a: Subscriber, paused: Subscription
) -> None:
    client = client_as("corr_a")
    urls = [
        "/distribution/mine/",
        f"/distribution/subscribers/{section_a.pk}/",
        f"/sections/{world.section_a.slug}/dashboard/",
    ]
    for url in urls:
        client.get(url)
    small = {}
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        small[url] = len(data_queries(captured))
    # More paused subscriptions, each with more bounces than are shown.
    for language in ("fr", "de"):
        more = subscription(section_a, bulletin, language, started_on=D(2024, 1, 1))
        for n in (1, 2, 3, 4):
            services.create_dispatches(publish(bulletin, n, language, D(2024, 6, n)))
        pause(more, bounces=4)
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        assert len(data_queries(captured)) == small[url], url
        assert page.content.decode().count("ящик недоступен") == 3 + 3 + 2
