"""Reading a section's dashboard (its distribution and exchange blocks) and the exchange pages writes nothing: a section
that is no subscriber yet is not made one by a GET, and the blocks still say what it receives and what it must answer.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from liaison.distribution import services
from liaison.distribution.models import Claim, Dispatch, Receipt, Subscriber, Subscription
from liaison.exchange import services as exchange
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import paper_issue

ClientAs = Callable[[str], Client]
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def rows() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Subscriber, Subscription, Dispatch, Receipt, Claim))


def writes_of(client: Client, url: str) -> tuple[list[str], str]:
    """The writing statements a GET of ``url`` ran, and the page."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    return found, response.content.decode()


@pytest.mark.parametrize("role", ["corr_a", "member", "editor"])
def test_the_dashboard_of_a_section_that_is_no_subscriber_writes_nothing(
    client_as: ClientAs, world: World, role: str
) -> None:
    assert not Subscriber.objects.filter(section=world.section_a).exists()
    client = client_as(role)
    client.get("/")  # the login's own writes (the session, the last login) are behind us
    written, page = writes_of(client, f"/sections/{world.section_a.slug}/dashboard/")
    assert written == []
    assert not Subscriber.objects.filter(section=world.section_a).exists()
    assert "Periodicals received" in page
    assert "The section receives no periodical through Liaison yet." in page


@pytest.fixture
def exchanging(world: World, paper: Periodical) -> Claim:
    """Section B's paper goes to section A (A is a subscriber through the partnership); section B itself receives
    nothing and is no subscriber. Section A claims No. 2."""
    corr_b, corr_a = world.actor("corr_b"), world.actor("corr_a")
    today = datetime.date.today()
    exchange.add_partner(corr_b, paper, world.section_a, started_on=today - datetime.timedelta(days=120), today=today)
    one = paper_issue(paper, 1, today - datetime.timedelta(days=90))
    two = paper_issue(paper, 2, today - datetime.timedelta(days=60))
    exchange.record_arrival(corr_a, world.section_a, one)
    return services.claim(
        corr_a, Subscriber.objects.get(section=world.section_a), [(Subscription.objects.get().pk, two.pk)]
    )


def test_the_dashboards_and_exchange_pages_of_both_sections_write_nothing(
    client_as: ClientAs, world: World, paper: Periodical, exchanging: Claim
) -> None:
    before = rows()
    assert not Subscriber.objects.filter(section=world.section_b).exists()
    pages = {
        "corr_a": [f"/sections/{world.section_a.slug}/dashboard/", f"/exchange/sections/{world.section_a.slug}/"],
        "corr_b": [
            f"/sections/{world.section_b.slug}/dashboard/",
            f"/exchange/sections/{world.section_b.slug}/",
            f"/exchange/papers/{paper.slug}/",
            "/distribution/claims/",
        ],
    }
    seen = {}
    for role, urls in pages.items():
        client = client_as(role)
        client.get("/")
        for url in urls:
            written, seen[url] = writes_of(client, url)
            assert written == [], url
    assert rows() == before
    assert not Subscriber.objects.filter(section=world.section_b).exists()
    # What the blocks say: A receives B's paper and claimed No. 2; B, no subscriber, must answer it.
    dashboard_a = seen[f"/sections/{world.section_a.slug}/dashboard/"]
    assert "Voz Beta" in dashboard_a and "Claimed from" in dashboard_a
    dashboard_b = seen[f"/sections/{world.section_b.slug}/dashboard/"]
    assert "The section receives no periodical through Liaison yet." in dashboard_b
    assert "asks again for" in dashboard_b and "Send them again" in dashboard_b
