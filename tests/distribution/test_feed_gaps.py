"""A subscription by feed in the gaps: the reader fetches the feed, Liaison sends nothing and cannot know what
arrived, so its issues are listed as "by feed, not tracked" and counted apart, never as expected or missing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from liaison.distribution import services
from liaison.distribution.models import Dispatch, Subscriber, Subscription, SubscriptionChannel
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import API, data_queries, publish, subscription

D = datetime.date


@pytest.fixture
def feeds(world: World, bulletin: Periodical, section_a: Subscriber) -> dict[str, Subscription]:
    """Section A reads the bulletin in English by feed and receives it in French by post; issues 1–3 are out in
    both languages."""
    by_feed = subscription(section_a, bulletin, "en", channel=SubscriptionChannel.FEED, started_on=D(2024, 1, 1))
    by_post = subscription(section_a, bulletin, "fr", channel=SubscriptionChannel.POST, started_on=D(2024, 1, 1))
    for n in (1, 2, 3):
        for language in ("en", "fr"):
            services.create_dispatches(publish(bulletin, n, language, D(2024, n + 1, 1)))
    return {"feed": by_feed, "post": by_post}


def test_nothing_is_dispatched_to_a_feed(feeds: dict[str, Subscription]) -> None:
    assert not Dispatch.objects.filter(subscription=feeds["feed"]).exists()
    assert Dispatch.objects.filter(subscription=feeds["post"]).count() == 3


def test_issue_by_issue_a_feeds_issues_are_not_missing(feeds: dict[str, Subscription], section_a: Subscriber) -> None:
    rows = [r for r in services.gaps(section_a) if r.subscription_id == feeds["feed"].pk]
    assert [(r.number, r.tracked, r.missing, r.claimable, r.status) for r in rows] == [
        (1, False, False, False, "feed"),
        (2, False, False, False, "feed"),
        (3, False, False, False, "feed"),
    ]
    post = [r for r in services.gaps(section_a) if r.subscription_id == feeds["post"].pk]
    assert all(r.tracked and r.missing for r in post)


def test_the_report_counts_a_feed_apart(feeds: dict[str, Subscription]) -> None:
    report = {r.subscription_id: r for r in services.gaps_report()}
    feed, post = report[feeds["feed"].pk], report[feeds["post"].pk]
    assert (feed.expected, feed.received, feed.missing, feed.not_dispatched, feed.by_feed) == (0, 0, 0, 0, 3)
    assert (post.expected, post.missing, post.waiting, post.by_feed) == (3, 3, 3, 0)
    assert {r.subscription_id for r in services.gaps_report(only_missing=True)} == {feeds["post"].pk}


def test_a_receipt_does_not_make_a_feed_count(
    feeds: dict[str, Subscription], world: World, bulletin: Periodical, section_a: Subscriber
) -> None:
    services.record_receipt(world.actor("corr_a"), section_a, bulletin.issues.get(number=1), "en")
    feed = next(r for r in services.gaps_report() if r.subscription_id == feeds["feed"].pk)
    assert (feed.expected, feed.received, feed.missing, feed.by_feed) == (0, 0, 0, 3)


def test_the_report_stays_one_query(feeds: dict[str, Subscription], bulletin: Periodical) -> None:
    with CaptureQueriesContext(connection) as captured:
        services.gaps_report()
    assert len(data_queries(captured)) == 1


def test_the_command_prints_the_feed_column(feeds: dict[str, Subscription], section_a: Subscriber) -> None:
    out = StringIO()
    call_command("gaps", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("\tnot_dispatched\tby_feed")
    feed_line = next(line for line in lines[1:] if "\tfeed\t" in line)
    assert feed_line.split("\t")[6:9] == ["0", "0", "0"] and feed_line.endswith("\t3")
    out = StringIO()
    call_command("gaps", "--subscriber", str(section_a.pk), "--missing", stdout=out)
    assert "\tfeed\t" not in out.getvalue()


def test_the_pages_say_not_tracked(
    client_as: Callable[[str], Client], feeds: dict[str, Subscription], world: World, section_a: Subscriber
) -> None:
    gaps = client_as("corr_a").get(f"/distribution/subscribers/{section_a.pk}/gaps/").content.decode()
    assert "by feed, not tracked" in gaps and "3 issues not recorded as received" in gaps
    dashboard = client_as("corr_a").get(f"/sections/{world.section_a.slug}/dashboard/").content.decode()
    assert "3 issues in the feed, not tracked" in dashboard and "3 issues not recorded as received" in dashboard


def test_the_api_says_not_tracked(
    api_as: Callable[[str], Client], feeds: dict[str, Subscription], section_a: Subscriber
) -> None:
    rows = api_as("corr_a").get(f"{API}/distribution/subscribers/{section_a.pk}/gaps").json()
    feed = [r for r in rows if r["channel"] == "feed"]
    assert len(feed) == 3 and all(not r["tracked"] and not r["missing"] and r["dispatch"] is None for r in feed)
    report = api_as("editor").get(f"{API}/distribution/gaps").json()
    line = next(r for r in report if r["subscription"] == feeds["feed"].pk)
    assert (line["expected"], line["missing"], line["by_feed"]) == (0, 0, 3)
