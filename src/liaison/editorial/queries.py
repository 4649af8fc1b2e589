"""Read-only queries of the editorial pages: each list a page shows, in a fixed number of queries.

Nothing here changes data or decides a rule of the workflow; the rules live in ``services`` and ``access``. People are
only ever read by pseudonym (``signer``, ``author_name``), so that no protected identity is decrypted for a list.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from liaison.editorial import access
from liaison.editorial.models import Call, Citation, Contribution, Decision, Item, Notice, Revision, State
from liaison.federation.access import Actor, active_roles
from liaison.federation.models import Person, Role, RoleKind, Section
from liaison.periodicals.models import Audience, Issue, IssueStatus, Periodical

# The states on the secretariat's desk: the contributions it holds, from arrival to placement.
DESK_STATES = (State.SUBMITTED, State.RESUBMITTED, State.ACCEPTED, State.PLACED)
# "Waiting" in the open-pages report: with the editors, from submission until the issue is published.
WAITING_STATES = (State.SUBMITTED, State.RESUBMITTED, State.ACCEPTED, State.PLACED)


# Oldest first: the annotation ``contributions()`` adds (an expression, as the type checker knows no annotations).
def _oldest_first() -> Any:
    return F("since").asc()


def contributions() -> QuerySet[Contribution]:
    """Contributions with what every list shows: section, periodical, the signer's pseudonym, and ``since``, when
    the contribution entered its present state (its last decision, or its creation)."""
    last_decision = Decision.objects.filter(contribution=OuterRef("pk")).order_by("-created", "-id").values("created")
    return Contribution.objects.select_related("section", "periodical").annotate(
        signer=F("signed_by__pseudonym"),
        since=Coalesce(Subquery(last_decision[:1], output_field=DateTimeField()), F("created")),
    )


def contribution(pk: int) -> Contribution | None:
    return contributions().select_related("call", "item__issue__periodical").filter(pk=pk).first()


def may_see_dashboard(actor: Actor, section: Section) -> bool:
    return access.is_of_section(actor, section.pk) or access.is_editor(actor)


# Sections ---------------------------------------------------------------------------------------------------------


def people_of(section: Section) -> QuerySet[Person]:
    """Who may sign for a section: its current correspondents and members, by pseudonym."""
    signers = Role.objects.filter(
        active_roles(), section=section, kind__in=[RoleKind.CORRESPONDENT, RoleKind.MEMBER]
    ).values("person_id")
    return Person.objects.filter(pk__in=signers).only("id", "pseudonym").order_by("pseudonym")


def open_calls_for(section: Section) -> list[Call]:
    """Calls still open that invite a section, by name or by its region, the nearest deadline first."""
    return list(
        Call.objects.filter(Q(invited_sections=section) | Q(invited_regions=section.region_id))
        .filter(deadline__gt=timezone.now())
        .exclude(issue__status=IssueStatus.PUBLISHED)
        .select_related("issue__periodical")
        .distinct()
        .order_by("deadline", "id")
    )


def calls_for(section: Section) -> QuerySet[Call]:
    """Calls a section may answer in a new contribution (a late answer too: the allocation weighs lateness)."""
    return (
        Call.objects.filter(Q(invited_sections=section) | Q(invited_regions=section.region_id))
        .exclude(issue__status=IssueStatus.PUBLISHED)
        .select_related("issue__periodical")
        .distinct()
        .order_by("-deadline", "id")
    )


@dataclass
class StateGroup:
    state: str
    label: str
    contributions: list[Contribution] = field(default_factory=list)


def grouped(items: list[Contribution], states: tuple[str, ...] | None = None) -> list[StateGroup]:
    """Contributions grouped by state, in the workflow's order; groups without any are left out."""
    order = states or tuple(State.values)
    groups = {state: StateGroup(state, str(State(state).label)) for state in order}
    for item in items:
        if item.state in groups:
            groups[item.state].contributions.append(item)
    return [group for group in groups.values() if group.contributions]


def section_contributions(section: Section) -> list[Contribution]:
    return list(contributions().filter(section=section).select_related("item__issue").order_by(_oldest_first(), "id"))


def section_notices(section: Section, limit: int = 20) -> list[Notice]:
    return list(
        Notice.objects.filter(section=section).select_related(
            "call__issue__periodical",
            "decision__contribution",
            "deferral__contribution",
            "deferral__from_issue",
            "deferral__to_issue",
        )[:limit]
    )


# The editorial desk -----------------------------------------------------------------------------------------------


def desk(*, state: str = "", section: Section | None = None) -> list[Contribution]:
    found = contributions().filter(state__in=DESK_STATES).select_related("item__issue", "target_issue")
    if state:
        found = found.filter(state=state)
    if section is not None:
        found = found.filter(section=section)
    return list(found.order_by(_oldest_first(), "id"))


# A contribution's page --------------------------------------------------------------------------------------------


def decisions_of(contribution: Contribution) -> list[Decision]:
    return list(contribution.decisions.order_by("created", "id"))


def revisions_of(contribution: Contribution) -> list[Revision]:
    return list(
        contribution.revisions.annotate(author_name=F("author__person__pseudonym")).defer("body").order_by("number")
    )


def backlinks(item: Item, actor: Actor, *, editor: bool) -> list[Citation]:
    """Who cites an item, among the contributions this actor may see."""
    found = Citation.objects.filter(target=item).select_related(
        "source__section", "source__periodical", "source__item__issue__periodical"
    )
    return [
        citation
        for citation in found.order_by("source__title", "source_id")
        if access.can_see(actor, citation.source, editor=editor)
    ]


# Bulletins and issues ---------------------------------------------------------------------------------------------


def bulletins_for(actor: Actor) -> list[Periodical]:
    found = Periodical.objects.filter(section__isnull=True)
    if not actor.is_member:
        found = found.filter(audience=Audience.PUBLIC)
    return list(found.order_by("name"))


def issues_of(periodical: Periodical) -> list[Issue]:
    return list(
        periodical.issues.annotate(item_count=Count("items"), pages_used=Sum("items__contribution__pages")).order_by(
            "-number"
        )
    )


def items_of(issue: Issue) -> list[Item]:
    return list(
        issue.items.select_related("issue__periodical", "contribution__section")
        .annotate(signer=F("contribution__signed_by__pseudonym"))
        .order_by("position")
    )


def pages_used(items: list[Item]) -> Decimal:
    return sum((item.contribution.pages for item in items), Decimal(0))


def item_at(periodical: Periodical, number: int, position: int) -> Item | None:
    return (
        Item.objects.filter(issue__periodical=periodical, issue__number=number, position=position)
        .select_related("issue__periodical", "contribution__section", "contribution__periodical")
        .annotate(signer=F("contribution__signed_by__pseudonym"))
        .first()
    )


def accepted_elsewhere(issue: Issue) -> list[Contribution]:
    """Accepted contributions of the periodical, for the editor's "place by hand"."""
    return list(
        contributions()
        .filter(periodical_id=issue.periodical_id, state=State.ACCEPTED)
        .select_related("target_issue")
        .order_by("submitted_at", "id")
    )


# The open-pages report --------------------------------------------------------------------------------------------


@dataclass
class OpenPagesRow:
    section: Section
    submitted: int = 0
    accepted: int = 0
    published: int = 0
    waiting: int = 0
    waiting_since: datetime.datetime | None = None
    returned: int = 0
    declined: int = 0
    withdrawn: int = 0


COUNTED = ("submitted", "accepted", "published", "waiting", "waiting_since", "declined", "withdrawn")


def open_pages(periodical: Periodical | None = None) -> list[OpenPagesRow]:
    """Per section, what became of what it sent: three queries, whatever the number of sections.

    Submitted, accepted and returned count contributions that ever were (a text returned, then accepted, counts in
    both); published, waiting, declined and withdrawn count where they are now. Drafts count nowhere: until a
    section submits a text it is the section's own business."""
    rows = {section.pk: OpenPagesRow(section) for section in Section.objects.order_by("name")}
    sent = Contribution.objects.filter(submitted_at__isnull=False)
    decisions = Decision.objects.filter(to_state=State.RETURNED)
    if periodical is not None:
        sent = sent.filter(periodical=periodical)
        decisions = decisions.filter(contribution__periodical=periodical)
    counts = (
        sent.values("section_id")
        .annotate(
            submitted=Count("pk"),
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            published=Count("pk", filter=Q(state=State.PUBLISHED)),
            waiting=Count("pk", filter=Q(state__in=WAITING_STATES)),
            waiting_since=Min("submitted_at", filter=Q(state__in=WAITING_STATES)),
            declined=Count("pk", filter=Q(state=State.DECLINED)),
            withdrawn=Count("pk", filter=Q(state=State.WITHDRAWN)),
        )
        .order_by()
    )
    for entry in counts.values_list("section_id", *COUNTED):
        if entry[0] in rows:
            row = rows[entry[0]]
            for key, value in zip(COUNTED, entry[1:], strict=True):
                setattr(row, key, value)
    returned = (
        decisions.values("contribution__section_id").annotate(n=Count("contribution_id", distinct=True)).order_by()
    )
    for section_id, n in returned.values_list("contribution__section_id", "n"):
        if section_id in rows:
            rows[section_id].returned = n
    return list(rows.values())
