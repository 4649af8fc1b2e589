"""Dispatches: publishing an edition makes one per matching active subscription, once, whatever runs it again."""

from __future__ import annotations

import datetime
from typing import Any

from liaison.distribution import services
from liaison.distribution.models import (
    Dispatch,
    DispatchKind,
    DispatchState,
    Subscriber,
    SubscriptionChannel,
    SubscriptionState,
)
from liaison.distribution.signals import dispatches_created
from liaison.periodicals.models import Issue, Periodical
from liaison.publishing.models import EditionStatus
from liaison.publishing.signals import edition_published
from tests.conftest import World
from tests.distribution.conftest import START, publish, reader, subscription
from tests.publishing.fixtures_core import issue, published_dir, renderers  # noqa: F401 - fixtures
from tests.publishing.fixtures_core import publish as run_publish


def rows() -> set[tuple[int, int, str, str, str]]:
    return set(Dispatch.objects.values_list("subscription_id", "issue__number", "language", "state", "kind"))


def test_it_makes_one_dispatch_per_matching_subscription(
    world: World, bulletin: Periodical, section_a: Subscriber, org: Subscriber, internal: Periodical
) -> None:
    wanted = [
        subscription(section_a, bulletin, "en", channel=SubscriptionChannel.POST),
        subscription(org, bulletin, "en"),
        subscription(reader("ivan@пример.рф", "ru"), bulletin, "en"),
    ]
    # Not these: another language, a feed, pending, paused, ended, started after the issue, another periodical.
    subscription(org, bulletin, "fr")
    subscription(section_a, bulletin, "en", channel=SubscriptionChannel.FEED)
    subscription(reader("pending@example.org"), bulletin, state=SubscriptionState.PENDING, started_on=None)  # type: ignore[arg-type]
    subscription(reader("paused@example.org"), bulletin, state=SubscriptionState.PAUSED)
    subscription(reader("ended@example.org"), bulletin, state=SubscriptionState.ENDED, ended_on=START)
    subscription(reader("late@example.org"), bulletin, started_on=datetime.date(2024, 3, 1))
    subscription(reader("other@example.org"), internal)
    edition = publish(bulletin, 1, "en", datetime.date(2024, 2, 1))
    assert services.create_dispatches(edition) == 3
    assert {d.subscription_id for d in Dispatch.objects.all()} == {s.pk for s in wanted}
    dispatch = Dispatch.objects.first()
    assert dispatch is not None
    assert (dispatch.state, dispatch.kind, dispatch.edition_id, dispatch.attempts) == (
        DispatchState.PENDING,
        DispatchKind.REGULAR,
        edition.pk,
        0,
    )
    assert dispatch.next_attempt_at is not None and dispatch.message_id == ""


def test_it_is_idempotent(world: World, bulletin: Periodical, section_a: Subscriber, org: Subscriber) -> None:
    subscription(section_a, bulletin)
    edition = publish(bulletin, 1)
    assert services.create_dispatches(edition) == 1
    before = rows()
    assert services.create_dispatches(edition) == 0
    assert rows() == before
    # A new subscriber, then a correction (version 2): only the new one gets a dispatch, nobody a second one.
    subscription(org, bulletin)
    edition.status = EditionStatus.SUPERSEDED
    edition.save()
    correction = publish(bulletin, 1, version=2)
    assert services.create_dispatches(correction) == 1
    assert services.create_dispatches(correction) == 0
    assert Dispatch.objects.count() == 2


def test_an_edition_not_published_makes_nothing(world: World, bulletin: Periodical, section_a: Subscriber) -> None:
    subscription(section_a, bulletin)
    assert services.create_dispatches(publish(bulletin, 1, status=EditionStatus.BUILDING)) == 0
    assert not Dispatch.objects.exists()


def test_the_signal_makes_them_and_tells_the_sender(
    world: World, bulletin: Periodical, section_a: Subscriber, django_capture_on_commit_callbacks: Any
) -> None:
    subscription(section_a, bulletin)
    heard: list[dict[str, Any]] = []

    def listen(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    dispatches_created.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            edition = publish(bulletin, 1)
            edition_published.send(sender=type(edition), edition=edition)
            edition_published.send(sender=type(edition), edition=edition)
    finally:
        dispatches_created.disconnect(listen)
    assert Dispatch.objects.count() == 1
    assert [(h["edition"], h["count"]) for h in heard] == [(edition, 1)]


def test_publishing_an_edition_dispatches_it(
    world: World,
    bulletin: Periodical,
    issue: Issue,  # noqa: F811 - the fixture
    section_a: Subscriber,
    org: Subscriber,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Through the real publishing job: the edition becomes visible, then (on commit) its dispatches are made."""
    french = subscription(section_a, bulletin, "fr", started_on=datetime.date(2020, 1, 1))
    subscription(org, bulletin, "en", started_on=datetime.date(2020, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        job = run_publish(world, issue, "fr")
    assert job.state == "done", job.error
    assert list(Dispatch.objects.values_list("subscription_id", "language", "edition_id")) == [
        (french.pk, "fr", job.edition_id)
    ]


def test_unicode_everywhere(world: World, bulletin: Periodical) -> None:
    names = ["Союз печатников", "印刷工会", "نقابة الطباعة"]
    subscribers = [
        Subscriber.objects.create(kind="organisation", name=n, email=f"o{i}@example.org") for i, n in enumerate(names)
    ]
    for s in subscribers:
        subscription(s, bulletin, "ru")
    Periodical.objects.filter(pk=bulletin.pk).update(name="Бюллетень 通报 نشرة")
    assert services.create_dispatches(publish(bulletin, 1, "ru")) == 3
    report = services.gaps_report()
    assert {r.subscriber_label for r in report} == set(names)
    assert {r.periodical_name for r in report} == {"Бюллетень 通报 نشرة"}


def test_post_dispatches_are_marked_posted_by_who_sends_them(
    world: World, bulletin: Periodical, paper: Periodical, section_a: Subscriber, org: Subscriber
) -> None:
    import pytest

    from liaison.errors import Conflict, LiaisonError, NotAllowed

    by_post = subscription(section_a, bulletin, channel=SubscriptionChannel.POST)
    by_email = subscription(org, bulletin)
    services.create_dispatches(publish(bulletin, 1))
    post = Dispatch.objects.get(subscription=by_post)
    email = Dispatch.objects.get(subscription=by_email)
    with pytest.raises(NotAllowed):
        services.mark_posted(world.actor("corr_a"), [post])
    with pytest.raises(LiaisonError, match="by post"):
        services.mark_posted(world.actor("editor"), [post, email])
    post.refresh_from_db()
    assert post.state == DispatchState.PENDING  # all or nothing
    assert services.mark_posted(world.actor("editor"), [post]) == 1
    post.refresh_from_db()
    assert post.state == DispatchState.POSTED and post.sent_at is not None
    assert post.posted_by == world.users["editor"]
    with pytest.raises(Conflict):
        services.mark_posted(world.actor("editor"), [post])
