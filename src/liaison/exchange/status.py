"""The state of each exchange: which issues a partner should have, which arrived, which are late or missing.

Definitions (shared with the distribution app's gap report):

- A paper's issue is *registered* when its section said it appeared: status published, with a date
  (``published_at``, read as a local date).
- An issue is *due* to a partner when it is dated on or after the partnership's start (and not after its end).
- A due issue not yet received is *awaited* for a grace period (``schedule.missing_after``), then *missing*; it is
  missing at once when a later number has arrived (the post does not overtake itself by a whole issue for long).
- A number skipped in the registered series is *unregistered* (missing too) unless the next issue says why numbers
  were skipped (``Issue.gap_reason``).
- The paper is *late* when the issue after the last registered one was expected (``schedule.next_date``) and the
  grace period after it (``schedule.late_after``) has passed without a new issue; a partnership that began before
  any issue was registered expects the first one within one interval of its start.

Everything is computed from a handful of queries whatever the number of papers, partners, issues or receipts
(``section_overview``: five at most; ``paper_overview``: four), then in memory: a paper has at most a few hundred
issues.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from liaison.distribution.models import (
    CURRENT_SUBSCRIPTION,
    DISPATCH_DUE,
    Claim,
    ClaimItem,
    ClaimState,
    Receipt,
    SubscriberKind,
    Subscription,
    SubscriptionChannel,
)
from liaison.exchange import schedule
from liaison.federation.models import Section
from liaison.periodicals.models import Issue, IssueStatus, Periodical


class State:
    RECEIVED = "received"
    AWAITED = "awaited"
    MISSING = "missing"
    UNREGISTERED = "unregistered"


@dataclass
class IssueState:
    """One number of a paper as one partner sees it."""

    number: int
    state: str
    issue: Issue | None = None
    date: datetime.date | None = None
    received_at: datetime.datetime | None = None
    missing_since: datetime.date | None = None
    claim: ClaimView | None = None

    @property
    def is_missing(self) -> bool:
        return self.state in (State.MISSING, State.UNREGISTERED)

    @property
    def claimable(self) -> bool:
        return self.state == State.MISSING and self.claim is None


@dataclass
class ClaimView:
    """A claim with the issues it names (read in the same query)."""

    claim: Claim
    items: list[ClaimItem] = field(default_factory=list)

    @property
    def numbers(self) -> list[int]:
        return [item.issue.number for item in self.items]

    @property
    def is_open(self) -> bool:
        return self.claim.state == ClaimState.OPEN

    @property
    def by_post(self) -> bool:
        """Some of its copies go by post: answering may say they were posted already."""
        return any(item.subscription.channel == SubscriptionChannel.POST for item in self.items)

    @property
    def to_post(self) -> list[int]:
        """The numbers whose copies the answer put on the post list and nobody has marked posted yet."""
        return [
            item.issue.number
            for item in self.items
            if item.dispatch is not None
            and item.subscription.channel == SubscriptionChannel.POST
            and item.dispatch.state in DISPATCH_DUE
        ]


@dataclass(frozen=True)
class Lateness:
    """The next issue of a paper: its number, when it was expected, and from which day it is late."""

    number: int
    expected_on: datetime.date
    late_from: datetime.date
    late: bool


@dataclass
class Exchange:
    """One partnership: a receiving section, a paper, and the state of every issue due to it."""

    subscription: Subscription
    paper: Periodical
    partner: Section
    frequency: str
    issues: list[IssueState] = field(default_factory=list)
    next_issue: Lateness | None = None
    claims: list[ClaimView] = field(default_factory=list)

    @property
    def publisher(self) -> Section:
        assert self.paper.section is not None
        return self.paper.section

    @property
    def current(self) -> bool:
        return self.subscription.state in CURRENT_SUBSCRIPTION

    @property
    def missing(self) -> list[IssueState]:
        return [i for i in self.issues if i.is_missing]

    @property
    def claimable(self) -> list[IssueState]:
        return [i for i in self.issues if i.claimable]

    @property
    def awaited(self) -> list[IssueState]:
        return [i for i in self.issues if i.state == State.AWAITED]

    @property
    def received(self) -> list[IssueState]:
        return [i for i in self.issues if i.state == State.RECEIVED]

    @property
    def late(self) -> bool:
        return self.next_issue is not None and self.next_issue.late

    @property
    def last_received(self) -> IssueState | None:
        received = self.received
        return received[-1] if received else None

    @property
    def open_claims(self) -> list[ClaimView]:
        return [view for view in self.claims if view.is_open]

    @property
    def flagged(self) -> bool:
        return self.late or bool(self.missing)


@dataclass
class PaperState:
    """A section's paper: its registered issues, when the next is expected, its partners and the claims on it."""

    paper: Periodical
    issues: list[Issue] = field(default_factory=list)
    next_issue: Lateness | None = None
    unregistered: list[int] = field(default_factory=list)
    partners: list[Exchange] = field(default_factory=list)
    claims: list[ClaimView] = field(default_factory=list)

    @property
    def late(self) -> bool:
        return self.next_issue is not None and self.next_issue.late

    @property
    def current_partners(self) -> list[Exchange]:
        return [p for p in self.partners if p.current]

    @property
    def last_issue(self) -> Issue | None:
        return self.issues[-1] if self.issues else None

    @property
    def last_date(self) -> datetime.date | None:
        return issue_date(self.issues[-1]) if self.issues else None

    @property
    def open_claims(self) -> list[ClaimView]:
        return [view for view in self.claims if view.is_open]


@dataclass
class SectionExchange:
    """What a section's dashboard and exchange page show: its own papers, and the papers it receives."""

    section: Section
    papers: list[PaperState]
    received: list[Exchange]

    @property
    def flagged(self) -> list[Exchange]:
        return [e for e in self.received if e.current and e.flagged]


def issue_date(issue: Issue) -> datetime.date | None:
    """The local date a registered issue appeared (None: not registered)."""
    if issue.status != IssueStatus.PUBLISHED or issue.published_at is None:
        return None
    return schedule.local_date(issue.published_at)


def paper_frequency(subscription: Subscription) -> str:
    partnership = getattr(subscription, "partnership", None)
    if partnership is not None and partnership.frequency:
        return str(partnership.frequency)
    return str(subscription.periodical.frequency)


def exchange_subscriptions() -> Q:
    """Subscriptions that are exchange partnerships: a section subscribed to another section's paper."""
    return Q(subscriber__kind=SubscriberKind.SECTION, periodical__section__isnull=False) & ~Q(state="pending")


# Loading -------------------------------------------------------------------------------------------------------------


@dataclass
class _Loaded:
    issues: dict[int, list[Issue]]
    received: dict[tuple[int, int], datetime.datetime]
    claims: dict[tuple[int, int], list[ClaimView]]
    claimed: dict[tuple[int, int], ClaimView]


def _load(papers: list[int], subscriptions: list[Subscription], *, all_claims: bool) -> _Loaded:
    """The issues of ``papers``, and the receipts and claims of the subscribers of ``subscriptions``: three queries
    at most, whatever their number."""
    subscribers = {s.subscriber_id for s in subscriptions}
    issues: dict[int, list[Issue]] = defaultdict(list)
    for issue in (
        Issue.objects.filter(periodical_id__in=papers)
        .select_related("exchange_file")
        .order_by("periodical_id", "number")
    ):
        issues[issue.periodical_id].append(issue)
    received: dict[tuple[int, int], datetime.datetime] = {}
    if subscribers:
        for subscriber_id, issue_id, at in Receipt.objects.filter(
            subscriber_id__in=subscribers, issue__periodical_id__in=papers
        ).values_list("subscriber_id", "issue_id", "recorded_at"):
            received[(subscriber_id, issue_id)] = at
    claims: dict[tuple[int, int], list[ClaimView]] = defaultdict(list)
    claimed: dict[tuple[int, int], ClaimView] = {}
    if subscribers:
        # The claims come with their items in one query (a claim always names at least one issue).
        items = ClaimItem.objects.filter(claim__periodical_id__in=papers, claim__subscriber_id__in=subscribers)
        if not all_claims:
            items = items.filter(claim__state=ClaimState.OPEN)
        views: dict[int, ClaimView] = {}
        for item in items.select_related(
            "claim__subscriber__section",
            "claim__periodical",
            "claim__claimed_by__person",
            "issue",
            "subscription",
            "dispatch",
        ).order_by("-claim__created", "-claim_id", "issue__number"):
            claim = item.claim
            view = views.get(claim.pk)
            if view is None:
                view = views[claim.pk] = ClaimView(claim)
                claims[(claim.subscriber_id, claim.periodical_id)].append(view)
            view.items.append(item)
            if claim.state == ClaimState.OPEN:
                claimed.setdefault((claim.subscriber_id, item.issue_id), view)
    return _Loaded(issues=issues, received=received, claims=claims, claimed=claimed)


def _subscriptions(condition: Q) -> list[Subscription]:
    return list(
        Subscription.objects.filter(exchange_subscriptions() & condition)
        .select_related("periodical__section", "subscriber__section", "partnership")
        .order_by("periodical__name", "subscriber__section__name", "-started_on", "-id")
    )


# Computing -----------------------------------------------------------------------------------------------------------


def _registered(issues: list[Issue]) -> list[tuple[Issue, datetime.date]]:
    dated = [(issue, issue_date(issue)) for issue in issues]
    return [(issue, day) for issue, day in dated if day is not None]


def _unregistered(registered: list[tuple[Issue, datetime.date]]) -> list[tuple[int, Issue]]:
    """Numbers skipped in the registered series without a word of why, each with the issue that follows it."""
    holes: list[tuple[int, Issue]] = []
    for (before, _day), (after, _after_day) in itertools.pairwise(registered):
        if after.number > before.number + 1 and not after.gap_reason.strip():
            holes.extend((number, after) for number in range(before.number + 1, after.number))
    return holes


def _next_issue(
    registered: list[tuple[Issue, datetime.date]], frequency: str, *, today: datetime.date, start: datetime.date | None
) -> Lateness | None:
    if registered:
        last, anchor = registered[-1]
        number = last.number + 1
    elif start is not None:
        anchor, number = start, 1
    else:
        return None
    expected = schedule.next_date(anchor, frequency)
    deadline = schedule.late_after(anchor, frequency)
    if expected is None or deadline is None:
        return None
    return Lateness(
        number=number, expected_on=expected, late_from=deadline + datetime.timedelta(days=1), late=today > deadline
    )


def _exchange(subscription: Subscription, loaded: _Loaded, *, today: datetime.date) -> Exchange:
    paper = subscription.periodical
    frequency = paper_frequency(subscription)
    subscriber = subscription.subscriber_id
    registered = _registered(loaded.issues.get(paper.pk, []))
    start, end = subscription.started_on, subscription.ended_on

    def due(day: datetime.date) -> bool:
        return start is not None and start <= day and (end is None or day <= end)

    received_numbers = [i.number for i, _d in registered if (subscriber, i.pk) in loaded.received]
    highest_received = max(received_numbers, default=0)
    rows: list[IssueState] = []
    for issue, day in registered:
        if not due(day) and (subscriber, issue.pk) not in loaded.received:
            continue
        at = loaded.received.get((subscriber, issue.pk))
        claim = loaded.claimed.get((subscriber, issue.pk))
        if at is not None:
            rows.append(IssueState(issue.number, State.RECEIVED, issue, day, received_at=at))
            continue
        overdue = schedule.missing_after(day, frequency)
        if today > overdue or issue.number < highest_received:
            since = min(today, overdue + datetime.timedelta(days=1))
            rows.append(IssueState(issue.number, State.MISSING, issue, day, missing_since=since, claim=claim))
        else:
            rows.append(IssueState(issue.number, State.AWAITED, issue, day, claim=claim))
    for number, after in _unregistered(registered):
        after_day = issue_date(after)
        if after_day is not None and due(after_day):
            rows.append(IssueState(number, State.UNREGISTERED))
    rows.sort(key=lambda row: row.number)
    current = subscription.state in CURRENT_SUBSCRIPTION
    next_issue = _next_issue(registered, frequency, today=today, start=start) if current else None
    partner = subscription.subscriber.section
    assert partner is not None
    return Exchange(
        subscription=subscription,
        paper=paper,
        partner=partner,
        frequency=frequency,
        issues=rows,
        next_issue=next_issue,
        claims=loaded.claims.get((subscriber, paper.pk), []),
    )


def _paper_state(paper: Periodical, partners: list[Exchange], loaded: _Loaded, *, today: datetime.date) -> PaperState:
    issues = loaded.issues.get(paper.pk, [])
    registered = _registered(issues)
    claims = sorted(
        {view.claim.pk: view for partner in partners for view in partner.claims}.values(),
        key=lambda view: (view.claim.created, view.claim.pk),
        reverse=True,
    )
    return PaperState(
        paper=paper,
        issues=[issue for issue, _day in registered],
        next_issue=_next_issue(registered, paper.frequency, today=today, start=None),
        unregistered=[number for number, _after in _unregistered(registered)],
        partners=partners,
        claims=claims,
    )


# Entry points --------------------------------------------------------------------------------------------------------


def section_overview(
    section: Section, *, today: datetime.date | None = None, include_ended: bool = False, all_claims: bool = False
) -> SectionExchange:
    """A section's papers with their partners, and the papers it receives: five queries at most whatever the data,
    one for a section that has no paper and receives none."""
    today = today or schedule.today()
    states = Q() if include_ended else Q(state__in=CURRENT_SUBSCRIPTION)
    received_papers = Subscription.objects.filter(exchange_subscriptions() & states, subscriber__section=section)
    papers = list(
        Periodical.objects.filter(Q(section=section) | Q(pk__in=received_papers.values("periodical_id")))
        .select_related("section")
        .order_by("name", "pk")
    )
    if not papers:
        return SectionExchange(section=section, papers=[], received=[])
    paper_ids = [p.pk for p in papers]
    subscriptions = _subscriptions(
        states & Q(periodical_id__in=paper_ids) & (Q(periodical__section=section) | Q(subscriber__section=section))
    )
    loaded = _load(paper_ids, subscriptions, all_claims=all_claims)
    exchanges = [_exchange(s, loaded, today=today) for s in subscriptions]
    own = [
        _paper_state(paper, [e for e in exchanges if e.paper.pk == paper.pk], loaded, today=today)
        for paper in papers
        if paper.section_id == section.pk
    ]
    received = [e for e in exchanges if e.partner.pk == section.pk]
    return SectionExchange(section=section, papers=own, received=received)


def paper_overview(
    paper: Periodical, *, today: datetime.date | None = None, partner_ids: set[int] | None = None
) -> PaperState:
    """A paper with every partnership it has had (or only those of ``partner_ids``), their issues and claims."""
    today = today or schedule.today()
    condition = Q(periodical=paper)
    if partner_ids is not None:
        condition &= Q(subscriber__section_id__in=partner_ids)
    subscriptions = _subscriptions(condition)
    loaded = _load([paper.pk], subscriptions, all_claims=True)
    exchanges = [_exchange(s, loaded, today=today) for s in subscriptions]
    return _paper_state(paper, exchanges, loaded, today=today)


def partner_section_ids(paper: Periodical) -> set[int]:
    """The sections that receive (or received) ``paper`` in exchange."""
    return set(
        Subscription.objects.filter(exchange_subscriptions(), periodical=paper).values_list(
            "subscriber__section_id", flat=True
        )
    )
