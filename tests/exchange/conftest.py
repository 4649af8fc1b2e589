"""Fixtures of the exchange tests: section A's monthly paper, exchanged with section B; a fixed "today".

``today`` is the local date every service and page of the exchange takes as the present (``schedule.today`` is
replaced), so that late and missing flags do not depend on the day the tests run. ``register`` registers an issue
of a paper through the real service, as section A's correspondent by default.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from liaison.distribution.models import Subscription
from liaison.exchange import schedule, services
from liaison.federation.access import Actor
from liaison.federation.models import Section, SectionStatus
from liaison.periodicals.models import Frequency, Issue, Periodical

TODAY = datetime.date(2025, 5, 20)
# The partnership of B with A's paper began on New Year's Day.
SINCE = datetime.date(2025, 1, 1)
D = datetime.date

# The smallest file PDF readers open: a header, one empty page, a cross-reference table and the end marker.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    monkeypatch.setattr(schedule, "today", lambda now=None: TODAY if now is None else _real_today(now))
    return TODAY


_real_today = schedule.today


@pytest.fixture
def paper(world: Any) -> Periodical:
    return Periodical.objects.create(
        name="La Voix d'Alpha", slug="voix", section=world.section_a, language="fr", frequency=Frequency.MONTHLY
    )


@pytest.fixture
def partnership(world: Any, paper: Periodical) -> Subscription:
    """Section B receives section A's paper since ``SINCE``."""
    made = services.add_partner(world.actor("corr_a"), paper, world.section_b, started_on=SINCE, today=TODAY)
    return made.subscription


@pytest.fixture
def register(world: Any, paper: Periodical) -> Callable[..., Issue]:
    def make(
        number: int, day: datetime.date, *, of: Periodical | None = None, role: str = "corr_a", **kw: Any
    ) -> Issue:
        return services.register_issue(world.actor(role), of or paper, number=number, date=day, today=TODAY, **kw)

    return make


@pytest.fixture
def arrive(world: Any) -> Callable[..., Any]:
    """Section B's correspondent records that an issue arrived."""

    def record(issue: Issue, *, role: str = "corr_b") -> Any:
        return services.record_arrival(world.actor(role), world.section_b, issue)

    return record


def grow(world: Any, paper: Periodical, size: int) -> None:
    """``size`` more partners of A's paper, each publishing a paper B receives (three issues, one arrived); ``size``
    more issues of A's paper, every other one arrived at B, and a claim for one that did not."""
    corr_a, corr_b = world.actor("corr_a"), world.actor("corr_b")
    start = Section.objects.count()
    for index in range(start, start + size):
        other = Section.objects.create(
            name=f"Partner {index}", slug=f"p{index}", country="DE", region=world.europe, status=SectionStatus.ADHERING
        )
        services.add_partner(corr_a, paper, other, started_on=D(2025, 1, 1), today=TODAY)
        their_paper = Periodical.objects.create(
            name=f"Paper {index}", slug=f"paper-{index}", section=other, language="de", frequency="weekly"
        )
        publisher = Actor(user=world.users["corr_a"], correspondent_of=frozenset({other.pk}))
        services.add_partner(publisher, their_paper, world.section_b, started_on=D(2025, 1, 1), today=TODAY)
        for number in range(1, 4):
            issue = services.register_issue(publisher, their_paper, number=number, date=D(2025, number, 3), today=TODAY)
            if number == 1:
                services.record_arrival(corr_b, world.section_b, issue)
    last = paper.issues.count()
    for number in range(last + 1, last + size + 2):
        issue = services.register_issue(
            corr_a, paper, number=number, date=D(2025, 1, 1) + datetime.timedelta(number), today=TODAY
        )
        if number % 2:
            services.record_arrival(corr_b, world.section_b, issue)
    unclaimed = [i for i in paper.issues.all() if not i.receipts.exists() and not i.claim_items.exists()][:1]
    if unclaimed:
        services.claim_missing(corr_b, world.section_b, paper, unclaimed)
