"""Gaps: for each subscription, the issues that were due against those received, with the dispatch state of each.

Everything is computed by the database, in one query per report, so that the report for all subscribers scales to
millions of dispatches (see ``bench/``): no row is looped over in Python except the rows of the answer.

**Due.** An issue of a bulletin is due in a language once an edition in that language was published (or published
and later corrected); its day is the local day (``TIME_ZONE``) of the first such edition. An issue of a section's
paper is due in the paper's language once the issue is published (``Issue.published_at``). It is due to a
subscription that had started by that day (``started_on <= day``) and had not ended before it (``day <= ended_on``:
the day a subscription ends still counts, as its dispatches were made while it was active). A pending subscription
(never confirmed) is owed nothing.

**Received.** A ``Receipt`` for the subscriber, issue and language: what someone said, never what was guessed.
Each dispatch carries a copy of that fact (``Dispatch.received``, kept by ``receivers``) so that the report for all
subscribers counts the dispatches of what has not arrived without matching them against the receipts.

**Feeds.** A subscription by feed is read by the subscriber's feed reader: Liaison sends nothing and cannot know
what arrived, so its issues are listed (``GapRow.tracked`` false) but never counted missing, and the report counts
them apart (``GapSummary.by_feed``), not as expected.

The per-subscription counts of dispatch states rest on one invariant held by the services: a dispatch exists only
for an issue that is due to its subscription (``create_dispatches`` makes them for active subscriptions whose start
is on or before the issue's day; a claim only for due issues). "Not dispatched" is therefore what remains of the
due issues once the received ones and the dispatched ones are counted.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from liaison.distribution.models import (
    Claim,
    ClaimItem,
    Dispatch,
    Receipt,
    Subscriber,
    Subscription,
    SubscriptionChannel,
)
from liaison.federation.models import Person, Section
from liaison.periodicals.models import Issue, IssueStatus, Periodical
from liaison.publishing.models import Edition, EditionStatus

VISIBLE_EDITIONS = (EditionStatus.PUBLISHED, EditionStatus.SUPERSEDED)
# The channel by which nothing is sent: the reader fetches the feed, and Liaison cannot know what arrived.
FEED = SubscriptionChannel.FEED.value


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _local_day(sql: str) -> tuple[str, list[Any]]:
    """SQL for the local day (``TIME_ZONE``) of a timestamp expression, as Django's ``TruncDate`` writes it."""
    day_sql, params = connection.ops.datetime_cast_date_sql(sql, (), timezone.get_default_timezone_name())
    return day_sql, list(params)


def local_day(moment: datetime.datetime) -> datetime.date:
    """The same day as ``_local_day``, in Python."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def due_sql() -> tuple[str, list[Any]]:
    """A query of every (issue, periodical, language, day) due: small (issues × languages), computed once."""
    first_edition, p1 = _local_day("MIN(e.published_at)")
    issue_day, p2 = _local_day("i.published_at")
    statuses = ", ".join(f"'{s}'" for s in VISIBLE_EDITIONS)
    sql = f"""
        SELECT e.issue_id AS issue_id, i.periodical_id AS periodical_id, e.language AS language, {first_edition} AS day
        FROM {_table(Edition)} e
        JOIN {_table(Issue)} i ON i.id = e.issue_id
        JOIN {_table(Periodical)} p ON p.id = i.periodical_id
        WHERE e.status IN ({statuses}) AND p.section_id IS NULL
        GROUP BY e.issue_id, i.periodical_id, e.language
        UNION ALL
        SELECT i.id, i.periodical_id, p.language, {issue_day}
        FROM {_table(Issue)} i
        JOIN {_table(Periodical)} p ON p.id = i.periodical_id
        WHERE p.section_id IS NOT NULL AND i.status = '{IssueStatus.PUBLISHED}' AND i.published_at IS NOT NULL
    """  # noqa: S608 - only table names and constants are interpolated
    return sql, p1 + p2


# The join of a subscription ``s`` with what is due to it (``d``, from ``due_sql``).
DUE_JOIN = """
    d.periodical_id = s.periodical_id AND d.language = s.language
    AND d.day >= s.started_on AND (s.ended_on IS NULL OR d.day <= s.ended_on)
"""


def _date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return parse_date(str(value)[:10])


def _datetime(value: Any) -> datetime.datetime | None:
    """A timestamp from a raw query, aware: SQLite gives text or a naive UTC value, PostgreSQL an aware one."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = parse_datetime(str(value))
        if value is None:
            return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value


def _fetch(sql: str, params: Sequence[Any], *, heavy: bool = False) -> list[tuple[Any, ...]]:
    if not heavy or connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # A report over millions of rows: PostgreSQL's JIT would spend seconds compiling what runs in one, and the
    # receipts' counts are sorted and hashed in memory rather than on disk with more than the default ``work_mem``
    # (its planner cannot foresee their number). Both only for this transaction, set in one statement.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('jit', 'off', true), set_config('work_mem', '256MB', true)")
        cursor.execute(sql, params)
        return cursor.fetchall()


# One subscriber, issue by issue -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapRow:
    """One issue due to one subscription: received or not, and what became of its dispatch."""

    subscription_id: int
    periodical_id: int
    periodical_name: str
    periodical_slug: str
    language: str
    channel: str
    subscription_state: str
    issue_id: int
    number: int
    title: str
    day: datetime.date | None
    dispatch_id: int | None
    dispatch_state: str | None
    dispatch_kind: str | None
    resends: int
    sent_at: datetime.datetime | None
    receipt_how: str | None
    received_at: datetime.datetime | None
    claim_state: str | None  # the state of the latest claim for this issue by this subscription

    @property
    def received(self) -> bool:
        return self.receipt_how is not None

    @property
    def tracked(self) -> bool:
        """Whether Liaison can know if it arrived: not for a feed, which the reader fetches and nothing is sent."""
        return self.channel != FEED

    @property
    def missing(self) -> bool:
        return self.tracked and not self.received

    @property
    def claimable(self) -> bool:
        """Missing (by a channel that sends) and not already claimed and waiting for an answer."""
        return self.missing and self.claim_state != "open"

    @property
    def status(self) -> str:
        """One word for the page: received, ``feed`` (not tracked), or the dispatch's state, or ``none`` when
        nothing was dispatched."""
        if self.received:
            return "received"
        if not self.tracked:
            return FEED
        return self.dispatch_state or "none"


def gaps(subscriber: Subscriber | int) -> list[GapRow]:
    """Every issue due to the subscriber's subscriptions, received or not, with its dispatch state: one query."""
    subscriber_id = subscriber if isinstance(subscriber, int) else subscriber.pk
    due, params = due_sql()
    sql = f"""
        WITH due AS ({due})
        SELECT s.id, p.id, p.name, p.slug, s.language, s.channel, s.state,
               i.id, i.number, i.title, d.day,
               x.id, x.state, x.kind, x.resends, x.sent_at,
               r.how, r.recorded_at,
               (SELECT c.state FROM {_table(ClaimItem)} ci JOIN {_table(Claim)} c ON c.id = ci.claim_id
                WHERE ci.subscription_id = s.id AND ci.issue_id = i.id AND ci.language = s.language
                ORDER BY c.created DESC, c.id DESC LIMIT 1)
        FROM {_table(Subscription)} s
        JOIN {_table(Periodical)} p ON p.id = s.periodical_id
        JOIN due d ON {DUE_JOIN}
        JOIN {_table(Issue)} i ON i.id = d.issue_id
        LEFT JOIN {_table(Dispatch)} x
            ON x.subscription_id = s.id AND x.issue_id = d.issue_id AND x.language = s.language
        LEFT JOIN {_table(Receipt)} r
            ON r.subscriber_id = s.subscriber_id AND r.issue_id = d.issue_id AND r.language = s.language
        WHERE s.subscriber_id = %s AND s.started_on IS NOT NULL
        ORDER BY p.name, p.id, s.language, s.channel, s.id, i.number
    """  # noqa: S608 - only table names and constants are interpolated
    return [
        GapRow(
            subscription_id=row[0],
            periodical_id=row[1],
            periodical_name=row[2],
            periodical_slug=row[3],
            language=row[4],
            channel=row[5],
            subscription_state=row[6],
            issue_id=row[7],
            number=row[8],
            title=row[9],
            day=_date(row[10]),
            dispatch_id=row[11],
            dispatch_state=row[12],
            dispatch_kind=row[13],
            resends=row[14] or 0,
            sent_at=_datetime(row[15]),
            receipt_how=row[16],
            received_at=_datetime(row[17]),
            claim_state=row[18],
        )
        for row in _fetch(sql, [*params, subscriber_id])
    ]


# Every subscriber, subscription by subscription ------------------------------------------------------------------


@dataclass(frozen=True)
class GapSummary:
    """The counts of one subscription: due, received, and the missing ones by what became of their dispatch."""

    subscription_id: int
    subscriber_id: int
    subscriber_kind: str
    subscriber_label: str  # section name, pseudonym or organisation name; empty for a reader known by address only
    periodical_id: int
    periodical_name: str
    language: str
    channel: str
    state: str
    expected: int  # 0 for a feed: nothing is sent, nothing can be missed (see ``by_feed``)
    received: int
    waiting: int  # pending or being sent
    failed: int  # temporary failure, to be retried
    sent: int  # sent (or posted) but not acknowledged
    posted: int
    bounced: int
    cancelled: int
    not_dispatched: int
    by_feed: int  # a feed's issues due: available in the feed, not tracked (0 for any other channel)

    @property
    def missing(self) -> int:
        return self.expected - self.received

    @property
    def sent_unconfirmed(self) -> int:
        return self.sent + self.posted


def gaps_report(
    subscribers: Iterable[int] | None = None,
    *,
    section: int | None = None,
    only_missing: bool = False,
    limit: int | None = None,
) -> list[GapSummary]:
    """The gap counts of every started subscription (of ``subscribers``, or of the ``section`` as a subscriber, when
    given): one query.

    Shaped for millions of dispatches (see ``bench/``): the due issues are counted once per distinct window
    (periodical, language, start, end), not once per subscription; the received ones from the receipts, each matched
    to its subscriptions and issue by hashing; and what became of the rest in one pass over the dispatches not
    received (``Dispatch.received``, the ``dispatch_unreceived`` partial index: an index-only scan, counted by
    subscription and state), which PostgreSQL spreads over its parallel workers. No dispatch is matched against
    the receipts here: the mark says it. ``only_missing`` keeps subscriptions with a gap. A feed subscription
    counts its due issues in ``by_feed`` only: none is expected, received or missing."""
    due, due_params = due_sql()
    ids = None if subscribers is None else sorted(set(subscribers))
    if ids == []:
        return []
    where_s = "s.started_on IS NOT NULL"
    where_params: list[Any] = []
    if ids is not None:
        where_s += f" AND s.subscriber_id IN ({', '.join(['%s'] * len(ids))})"
        where_params = list(ids)
    if section is not None:
        where_s += f" AND s.subscriber_id IN (SELECT id FROM {_table(Subscriber)} WHERE section_id = %s)"  # noqa: S608
        where_params.append(section)
    scope, scope_params = "", []
    if ids is not None or section is not None:
        scope = f"AND x.subscription_id IN (SELECT s.id FROM {_table(Subscription)} s WHERE {where_s})"  # noqa: S608
        scope_params = list(where_params)
    never = connection.ops.adapt_datefield_value(datetime.date.max)

    states = {
        "waiting": ("pending", "sending"),
        "failed": ("failed",),
        "sent": ("sent",),
        "posted": ("posted",),
        "bounced": ("bounced",),
        "cancelled": ("cancelled",),
    }

    def sums() -> str:
        """The counts of each group of states from ``by_state`` (a few rows per subscription): comparing the state
        of every one of millions of dispatches against each group costs far more than counting them once by
        state."""
        columns = []
        for name, values in states.items():
            listed = ", ".join(f"'{v}'" for v in values)
            columns.append(f"CAST(SUM(CASE WHEN t.state IN ({listed}) THEN t.n ELSE 0 END) AS BIGINT) AS {name}")
        return ", ".join([*columns, "CAST(SUM(t.n) AS BIGINT) AS total"])

    # The receipts are matched to their issues first, then to the subscriptions, both by hashing. Left to itself,
    # PostgreSQL would pair every subscription with every issue due to it first (it cannot tell that a join on a
    # range of days gives millions of rows, and guesses a few hundred) and look the receipts up one by one: forty
    # seconds at ten million dispatches instead of one. "OFFSET 0" keeps that subquery whole, unflattened.
    fence = "OFFSET 0" if connection.vendor == "postgresql" else ""
    unreceived = {name: f"COALESCE(u.{name}, 0)" for name in [*states, "total"]}
    missing_sql = "COALESCE(ex.n, 0) - COALESCE(rc.n, 0)"
    # A feed is fetched by the reader: nothing was sent, nothing can be known missing. Its due issues are counted
    # apart (``by_feed``), and none as expected, received or missing.
    feed = f"s.channel = '{FEED}'"
    sql = f"""
        WITH due AS ({due}),
        windows AS (
            SELECT DISTINCT s.periodical_id, s.language, s.started_on, COALESCE(s.ended_on, %s) AS ended_on
            FROM {_table(Subscription)} s
            WHERE {where_s}
        ),
        expected AS (
            SELECT w.periodical_id, w.language, w.started_on, w.ended_on, COUNT(*) AS n
            FROM windows w JOIN due d
                ON d.periodical_id = w.periodical_id AND d.language = w.language
                AND d.day >= w.started_on AND d.day <= w.ended_on
            GROUP BY w.periodical_id, w.language, w.started_on, w.ended_on
        ),
        received AS (
            SELECT s.id AS sid, COUNT(*) AS n
            FROM (
                SELECT r.subscriber_id, r.language, d.periodical_id, d.day
                FROM {_table(Receipt)} r JOIN ({due}) d ON d.issue_id = r.issue_id AND d.language = r.language
                {fence}
            ) rd
            JOIN {_table(Subscription)} s
                ON s.subscriber_id = rd.subscriber_id AND s.language = rd.language
                AND s.periodical_id = rd.periodical_id
            WHERE rd.day >= s.started_on AND (s.ended_on IS NULL OR rd.day <= s.ended_on) AND {where_s}
            GROUP BY s.id
        ),
        by_state AS (
            SELECT x.subscription_id AS sid, x.state AS state, COUNT(*) AS n
            FROM {_table(Dispatch)} x
            WHERE NOT x.received {scope}
            GROUP BY x.subscription_id, x.state
        ),
        dispatched AS (
            SELECT t.sid, {sums()}
            FROM by_state t
            GROUP BY t.sid
        )
        SELECT s.id, s.subscriber_id, sub.kind, COALESCE(sec.name, per.pseudonym, sub.name, ''),
               p.id, p.name, s.language, s.channel, s.state,
               CASE WHEN {feed} THEN 0 ELSE COALESCE(ex.n, 0) END,
               CASE WHEN {feed} THEN 0 ELSE COALESCE(rc.n, 0) END,
               {", ".join(unreceived[name] for name in states)},
               CASE WHEN {feed} OR {missing_sql} - ({unreceived["total"]}) < 0 THEN 0
                    ELSE {missing_sql} - ({unreceived["total"]}) END,
               CASE WHEN {feed} THEN COALESCE(ex.n, 0) ELSE 0 END
        FROM {_table(Subscription)} s
        JOIN {_table(Subscriber)} sub ON sub.id = s.subscriber_id
        LEFT JOIN {_table(Section)} sec ON sec.id = sub.section_id
        LEFT JOIN {_table(Person)} per ON per.id = sub.person_id
        JOIN {_table(Periodical)} p ON p.id = s.periodical_id
        LEFT JOIN expected ex
            ON ex.periodical_id = s.periodical_id AND ex.language = s.language
            AND ex.started_on = s.started_on AND ex.ended_on = COALESCE(s.ended_on, %s)
        LEFT JOIN received rc ON rc.sid = s.id
        LEFT JOIN dispatched u ON u.sid = s.id
        WHERE {where_s} {f"AND NOT ({feed}) AND {missing_sql} > 0" if only_missing else ""}
        ORDER BY s.subscriber_id, p.name, s.language, s.channel, s.id
        {"LIMIT %s" if limit is not None else ""}
    """  # noqa: S608 - only table names and constants are interpolated
    params = [
        *due_params,
        never,
        *where_params,  # windows
        *due_params,  # received
        *where_params,
        *scope_params,  # dispatched
        never,
        *where_params,  # the subscriptions
        *([limit] if limit is not None else []),
    ]
    return [GapSummary(*row) for row in _fetch(sql, params, heavy=True)]
