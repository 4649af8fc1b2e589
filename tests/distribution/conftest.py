"""Fixtures of the distribution tests: a public and an internal bulletin, a section's paper, editions published on
given days, and subscribers of every kind with active subscriptions.

``publish(periodical, number, language, day)`` records an edition as the publish job leaves it (published, on that
day at noon in ``TIME_ZONE``) without rendering anything; ``subscription(subscriber, periodical, ...)`` makes an
active subscription started on a given day, through the model (the services are what the tests exercise).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from liaison.distribution import services
from liaison.distribution.models import (
    Subscriber,
    SubscriberKind,
    Subscription,
    SubscriptionChannel,
    SubscriptionState,
)
from liaison.periodicals.models import Audience, Frequency, Issue, IssueStatus, Periodical
from liaison.publishing.models import Edition, EditionStatus
from tests.api.conftest import api_as, tokens  # noqa: F401 - the API's fixtures, shared
from tests.conftest import World

API = "/api/v1"
START = datetime.date(2024, 1, 1)


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)), timezone.get_default_timezone())


def publish(
    periodical: Periodical,
    number: int,
    language: str = "en",
    day: datetime.date | None = None,
    *,
    version: int = 1,
    status: str = EditionStatus.PUBLISHED,
) -> Edition:
    day = day or START + datetime.timedelta(days=30 * number)
    issue, _created = Issue.objects.get_or_create(
        periodical=periodical,
        number=number,
        defaults={"status": IssueStatus.PUBLISHED, "published_at": noon(day), "title": f"Issue {number}"},
    )
    return Edition.objects.create(
        issue=issue, language=language, version=version, status=status, published_at=noon(day)
    )


def paper_issue(periodical: Periodical, number: int, day: datetime.date) -> Issue:
    """An issue of a section's paper, registered as published on ``day``."""
    return Issue.objects.create(
        periodical=periodical, number=number, status=IssueStatus.PUBLISHED, published_at=noon(day)
    )


def subscription(
    subscriber: Subscriber,
    periodical: Periodical,
    language: str = "en",
    *,
    channel: str = SubscriptionChannel.EMAIL,
    started_on: datetime.date = START,
    ended_on: datetime.date | None = None,
    state: str = SubscriptionState.ACTIVE,
    formats: list[str] | None = None,
) -> Subscription:
    return Subscription.objects.create(
        subscriber=subscriber,
        periodical=periodical,
        language=language,
        channel=channel,
        state=state,
        started_on=started_on,
        ended_on=ended_on,
        formats=formats if formats is not None else ["pdf"],
    )


def reader(email: str, language: str = "en") -> Subscriber:
    return Subscriber.objects.create(kind=SubscriberKind.PERSON, email=email, language=language)


@pytest.fixture
def bulletin(world: World) -> Periodical:
    return Periodical.objects.create(
        name="Bulletin", slug="bulletin", language="en", frequency=Frequency.MONTHLY, audience=Audience.PUBLIC
    )


@pytest.fixture
def internal(world: World) -> Periodical:
    return Periodical.objects.create(
        name="Internal Bulletin", slug="internal", language="en", frequency=Frequency.MONTHLY, audience=Audience.MEMBERS
    )


@pytest.fixture
def paper(world: World) -> Periodical:
    """Section B's own paper, in Spanish."""
    return Periodical.objects.create(
        name="Voz Beta", slug="voz-beta", language="es", frequency=Frequency.MONTHLY, section=world.section_b
    )


@pytest.fixture
def section_a(world: World) -> Subscriber:
    return services.subscriber_for_section(world.section_a)


@pytest.fixture
def section_b(world: World) -> Subscriber:
    return services.subscriber_for_section(world.section_b)


@pytest.fixture
def member_sub(world: World) -> Subscriber:
    """The member of section A as a subscriber (linked to their person)."""
    return services.subscriber_for_person(world.people["member"])


@pytest.fixture
def org(world: World) -> Subscriber:
    return Subscriber.objects.create(
        kind=SubscriberKind.ORGANISATION, name="Библиотека 図書館 مكتبة", email="library@example.org", language="ru"
    )


def data_queries(captured: Any) -> list[str]:
    """The queries that read or write data: not the savepoints, nor the settings PostgreSQL's reports make for
    their transaction (``set_config``)."""
    found = [q["sql"] for q in captured.captured_queries]
    skipped = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "SELECT SET_CONFIG(")
    return [q for q in found if not q.lstrip().upper().startswith(skipped)]


def post_json(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", data, content_type="application/json")
