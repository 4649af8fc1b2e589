"""The bulletin's editorial operations: calls, contributions, their revisions, decisions, assembly and citations.

A contribution's state changes in one place, ``transition``, which checks the table of allowed transitions and who
may make each, records the decision (who, when, why), notifies the section and applies it. Every save of a text keeps
a revision; a save made against an outdated version is refused as a conflict and its text kept, never lost.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import languages as language_codes
from liaison.editorial import access, markdown, notify
from liaison.editorial.allocation import Allocation, Candidate, allocate
from liaison.editorial.models import (
    Call,
    Citation,
    Contribution,
    Decision,
    Deferral,
    Item,
    Kind,
    NoticeKind,
    Revision,
    State,
)
from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.federation.access import Actor
from liaison.federation.models import Person, Region, Section
from liaison.periodicals.models import Issue, IssueStatus, Periodical


class Who(Enum):
    SECTION = "section"
    EDITOR = "editor"


@dataclass(frozen=True)
class Rule:
    who: Who
    needs_reason: bool = False


# The editorial workflow: (from, to) → who may make the move and whether a reason is required.
TRANSITIONS: dict[tuple[str, str], Rule] = {
    (State.DRAFT, State.SUBMITTED): Rule(Who.SECTION),
    (State.SUBMITTED, State.RETURNED): Rule(Who.EDITOR, needs_reason=True),
    (State.RESUBMITTED, State.RETURNED): Rule(Who.EDITOR, needs_reason=True),
    (State.RETURNED, State.RESUBMITTED): Rule(Who.SECTION),
    (State.SUBMITTED, State.ACCEPTED): Rule(Who.EDITOR),
    (State.RESUBMITTED, State.ACCEPTED): Rule(Who.EDITOR),
    (State.SUBMITTED, State.DECLINED): Rule(Who.EDITOR, needs_reason=True),
    (State.RESUBMITTED, State.DECLINED): Rule(Who.EDITOR, needs_reason=True),
    (State.ACCEPTED, State.PLACED): Rule(Who.EDITOR),
    (State.PLACED, State.ACCEPTED): Rule(Who.EDITOR, needs_reason=True),
    (State.PLACED, State.PUBLISHED): Rule(Who.EDITOR),
    **{
        (state, State.WITHDRAWN): Rule(Who.SECTION)
        for state in (State.DRAFT, State.SUBMITTED, State.RETURNED, State.RESUBMITTED, State.ACCEPTED)
    },
}

# Who may change the text, in which states: the section while it holds the text, the editors while they do.
SECTION_EDITS = {State.DRAFT, State.RETURNED}
EDITOR_EDITS = {State.SUBMITTED, State.RESUBMITTED, State.ACCEPTED, State.PLACED}


def allowed_moves(actor: Actor, contribution: Contribution) -> list[str]:
    """The states this actor may move the contribution to now (for the buttons a page shows)."""
    editor = access.is_editor(actor)
    section = access.can_write_for(actor, contribution.section_id)
    moves = []
    for (source, target), rule in TRANSITIONS.items():
        if source != contribution.state or target == State.PLACED or target == State.PUBLISHED:
            continue
        if (rule.who is Who.EDITOR and editor) or (rule.who is Who.SECTION and section):
            moves.append(target)
    return moves


# Issues ----------------------------------------------------------------------------------------------------------


def create_issue(
    actor: Actor,
    periodical: Periodical,
    *,
    planned_date: datetime.date | None,
    budget_pages: Decimal | int,
    number: int | None = None,
    title: str = "",
    gap_reason: str = "",
) -> Issue:
    """Number the next issue of a periodical; skipping numbers needs a recorded reason."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors plan issues."))
    budget = Decimal(budget_pages)
    if budget <= 0 or budget > 1000:
        raise LiaisonError(_("The space budget is a number of pages between 1 and 1000."), field="budget_pages")
    with transaction.atomic():
        last = Issue.objects.select_for_update().filter(periodical=periodical).aggregate(n=Max("number"))["n"] or 0
        number = number or last + 1
        if number <= last and Issue.objects.filter(periodical=periodical, number=number).exists():
            raise LiaisonError(_("Issue No. %(n)s already exists.") % {"n": number}, field="number")
        if number < 1:
            raise LiaisonError(_("Issue numbers start at 1."), field="number")
        if number > last + 1 and not gap_reason.strip():
            raise LiaisonError(
                _("The next number is %(next)s; to skip to No. %(n)s, record why.") % {"next": last + 1, "n": number},
                field="gap_reason",
            )
        return Issue.objects.create(
            periodical=periodical,
            number=number,
            title=title.strip(),
            planned_date=planned_date,
            budget_pages=budget,
            gap_reason=gap_reason.strip(),
            status=IssueStatus.PLANNED,
        )


ISSUE_MOVES = {
    (IssueStatus.PLANNED, IssueStatus.OPEN),
    (IssueStatus.OPEN, IssueStatus.ASSEMBLY),
    (IssueStatus.ASSEMBLY, IssueStatus.OPEN),
}


def set_issue_status(actor: Actor, issue: Issue, status: str) -> Issue:
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors change an issue's status."))
    if (issue.status, status) not in ISSUE_MOVES:
        raise LiaisonError(
            _("An issue that is %(from)s cannot become %(to)s.")
            % {"from": issue.get_status_display(), "to": IssueStatus(status).label}
        )
    issue.status = status
    issue.save(update_fields=["status"])
    return issue


def next_issue(issue: Issue) -> Issue | None:
    return (
        Issue.objects.filter(periodical=issue.periodical, number__gt=issue.number)
        .exclude(status=IssueStatus.PUBLISHED)
        .order_by("number")
        .first()
    )


# Calls -----------------------------------------------------------------------------------------------------------


def open_call(
    actor: Actor,
    issue: Issue,
    *,
    topic: str,
    deadline: datetime.datetime,
    questions: str = "",
    sections: Iterable[Section] = (),
    regions: Iterable[Region] = (),
) -> Call:
    """Call for contributions to an issue; the invited sections are notified on their dashboard and by email."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors call for contributions."))
    topic = topic.strip()
    if not topic:
        raise LiaisonError(_("A call needs a topic."), field="topic")
    if deadline <= timezone.now():
        raise LiaisonError(_("The deadline must be in the future."), field="deadline")
    if issue.status == IssueStatus.PUBLISHED:
        raise LiaisonError(_("This issue is already published."))
    sections, regions = list(sections), list(regions)
    if not sections and not regions:
        raise LiaisonError(_("Invite at least one section or region."), field="sections")
    with transaction.atomic():
        call = Call.objects.create(
            issue=issue, topic=topic, questions=questions.strip(), deadline=deadline, created_by=actor.user
        )
        call.invited_sections.set(sections)
        call.invited_regions.set(regions)
        if issue.status == IssueStatus.PLANNED:
            issue.status = IssueStatus.OPEN
            issue.save(update_fields=["status"])
        for section_id in invited_section_ids(call):
            notify.notice(section_id, NoticeKind.CALL, call=call)
    return call


def invited_section_ids(call: Call) -> set[int]:
    return set(Section.objects.filter(Q(calls=call) | Q(region__calls=call)).values_list("id", flat=True).distinct())


# Contributions ---------------------------------------------------------------------------------------------------


def _clean_text(
    *, title: str, language: str, kind: str, body: str, periodical: Periodical | None = None
) -> tuple[str, str, str, str]:
    title = " ".join((title or "").split())
    if not title:
        raise LiaisonError(_("A contribution needs a title."), field="title")
    if len(title) > 300:
        raise LiaisonError(_("A title has at most 300 characters."), field="title")
    language = language_codes.normalize(language or "")
    if not language_codes.is_valid(language):
        raise LiaisonError(_("Unknown language code “%(code)s”.") % {"code": language}, field="language")
    if kind not in Kind.values:
        raise LiaisonError(_("Unknown kind “%(kind)s”.") % {"kind": kind}, field="kind")
    body = (body or "").replace("\r\n", "\n")
    if not body.strip():
        raise LiaisonError(_("The text is empty."), field="body")
    if "\x00" in body:
        raise LiaisonError(_("The text contains a NUL character; paste it as plain text."), field="body")
    if len(body) > markdown.MAX_BODY_CHARS:
        raise LiaisonError(
            _("The text has %(n)s characters; a contribution has at most %(max)s (about a hundred pages).")
            % {"n": len(body), "max": markdown.MAX_BODY_CHARS},
            field="body",
        )
    unknown = [str(ref) for ref in markdown.citations_in(body) if resolve_citation(ref) is None]
    if unknown:
        raise LiaisonError(
            _("These citations name no published or placed item: %(refs)s.") % {"refs": ", ".join(unknown)},
            field="body",
        )
    return title, language, kind, body


def create_contribution(
    actor: Actor,
    *,
    section: Section,
    periodical: Periodical,
    title: str,
    language: str,
    kind: str,
    body: str,
    call: Call | None = None,
    signed_by: Person | None = None,
) -> Contribution:
    if not access.can_write_for(actor, section.pk):
        raise NotAllowed(_("Only the correspondents of %(section)s write in its name.") % {"section": section})
    if periodical.section_id is not None:
        raise LiaisonError(_("Contributions are written for the federation's bulletins."), field="periodical")
    if call is not None and call.issue.periodical_id != periodical.pk:
        raise LiaisonError(_("That call is for another periodical."), field="call")
    title, language, kind, body = _clean_text(title=title, language=language, kind=kind, body=body)
    with transaction.atomic():
        contribution = Contribution.objects.create(
            section=section,
            periodical=periodical,
            call=call,
            target_issue=call.issue if call else None,
            signed_by=signed_by,
            title=title,
            language=language,
            kind=kind,
            body=body,
            pages=markdown.estimate_pages(body),
            created_by=actor.user,
        )
        Revision.objects.create(
            contribution=contribution, number=1, title=title, body=body, language=language, author=actor.user
        )
        _record_citations(contribution)
    return contribution


class EditConflict(Conflict):
    """Someone saved the contribution after this edit began: both texts are kept, the later one as a revision."""

    def __init__(self, theirs: Revision, yours: Revision) -> None:
        super().__init__(
            _(
                "Someone else saved this contribution while you were editing it. Your text is kept as revision %(n)s; "
                "compare both and save again."
            )
            % {"n": yours.number},
            field="body",
        )
        self.theirs, self.yours = theirs, yours


def save_contribution(
    actor: Actor,
    contribution: Contribution,
    *,
    base_version: int,
    title: str,
    language: str,
    kind: str,
    body: str,
    signed_by: Person | None = None,
) -> Contribution:
    """Save a new text. ``base_version`` is the version the editor started from; if another save came in between,
    the text is kept as a conflicting revision and ``EditConflict`` raised, carrying both."""
    section_may = access.can_write_for(actor, contribution.section_id) and contribution.state in SECTION_EDITS
    editor_may = access.is_editor(actor) and contribution.state in EDITOR_EDITS
    if not (section_may or editor_may):
        raise NotAllowed(
            _("A contribution that is %(state)s cannot be edited by you.") % {"state": contribution.get_state_display()}
        )
    title, language, kind, body = _clean_text(title=title, language=language, kind=kind, body=body)
    with transaction.atomic():
        current = Contribution.objects.select_for_update().get(pk=contribution.pk)
        number = (current.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        if current.version != base_version:
            yours = Revision.objects.create(
                contribution=current,
                number=number,
                title=title,
                body=body,
                language=language,
                author=actor.user,
                conflict=True,
            )
            theirs = current.revisions.filter(conflict=False).order_by("-number").first()
            assert theirs is not None
            conflict = EditConflict(theirs, yours)
        else:
            conflict = None
            Revision.objects.create(
                contribution=current, number=number, title=title, body=body, language=language, author=actor.user
            )
            current.title, current.language, current.kind, current.body = title, language, kind, body
            current.signed_by = signed_by if signed_by is not None else current.signed_by
            current.pages = markdown.estimate_pages(body)
            current.version += 1
            current.save()
            _record_citations(current)
    # Raised after the transaction commits, so the conflicting text stays saved as a revision.
    if conflict is not None:
        raise conflict
    return current


def transition(actor: Actor, contribution: Contribution, to_state: str, *, reason: str = "") -> Decision:
    """Move a contribution to another state, if the workflow allows it and the actor may; record and notify."""
    reason = (reason or "").strip()
    with transaction.atomic():
        current = Contribution.objects.select_for_update().get(pk=contribution.pk)
        rule = TRANSITIONS.get((current.state, to_state))
        if rule is None:
            raise LiaisonError(
                _("A contribution that is %(from)s cannot become %(to)s.")
                % {
                    "from": current.get_state_display(),
                    "to": State(to_state).label if to_state in State.values else to_state,
                },
            )
        if rule.who is Who.EDITOR and not access.is_editor(actor):
            raise NotAllowed(_("Only the editors take this decision."))
        if rule.who is Who.SECTION and not access.can_write_for(actor, current.section_id):
            raise NotAllowed(_("Only the correspondents of %(section)s may do this.") % {"section": current.section})
        if rule.needs_reason and not reason:
            raise LiaisonError(_("Give the reason: the section will read it."), field="reason")
        decision = Decision.objects.create(
            contribution=current,
            from_state=current.state,
            to_state=to_state,
            reason=reason,
            actor=actor.user,
            actor_name=actor.pseudonym or (actor.user.get_username() if actor.user else ""),
        )
        now = timezone.now()
        current.state = to_state
        if to_state == State.SUBMITTED and current.submitted_at is None:
            current.submitted_at = now
        if to_state == State.ACCEPTED and current.accepted_at is None:
            current.accepted_at = now
        current.save(update_fields=["state", "submitted_at", "accepted_at", "updated"])
        if to_state in (State.ACCEPTED, State.WITHDRAWN) and hasattr(current, "item"):
            current.item.delete()
        notify.notice(current.section_id, NoticeKind.DECISION, decision=decision)
    contribution.refresh_from_db()
    return decision


def submit(actor: Actor, contribution: Contribution) -> Decision:
    target = State.RESUBMITTED if contribution.state == State.RETURNED else State.SUBMITTED
    return transition(actor, contribution, target)


# Assembly --------------------------------------------------------------------------------------------------------


def candidates_for(issue: Issue) -> list[Contribution]:
    """Accepted contributions waiting for this issue: answers to its calls, and what earlier issues deferred to it."""
    return list(
        Contribution.objects.filter(state=State.ACCEPTED, periodical=issue.periodical)
        .filter(Q(target_issue=issue) | Q(target_issue__isnull=True))
        .select_related("section", "call")
        .order_by("submitted_at", "id")
    )


def propose(issue: Issue) -> tuple[Allocation, list[Contribution]]:
    """The fair table of contents for an issue, computed but not applied."""
    contributions = candidates_for(issue)
    invited: set[int] = set()
    for call in issue.calls.all():
        invited |= invited_section_ids(call)
    deadlines = {call.pk: call.deadline for call in issue.calls.all()}
    deferred_ids = set(
        Deferral.objects.filter(to_issue=issue, contribution__in=contributions).values_list(
            "contribution_id", flat=True
        )
    )
    used = sum((item.contribution.pages for item in issue.items.select_related("contribution")), Decimal(0))
    candidates = [
        Candidate(
            id=c.pk,
            section_id=c.section_id,
            pages=c.pages,
            submitted_at=c.submitted_at or c.created,
            invited=c.section_id in invited,
            on_time=c.call_id is None or (c.submitted_at or c.created) <= deadlines.get(c.call_id, c.created),
            deferred_before=c.pk in deferred_ids,
        )
        for c in contributions
    ]
    return allocate(candidates, issue.budget_pages - used), contributions


def assemble_issue(actor: Actor, issue: Issue) -> Allocation:
    """Apply the fair proposal: place what fits, in order after any items already placed; defer the rest."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors assemble an issue."))
    if issue.status == IssueStatus.PUBLISHED:
        raise LiaisonError(_("This issue is already published."))
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        allocation, contributions = propose(issue)
        by_id = {c.pk: c for c in contributions}
        position = (issue.items.aggregate(n=Max("position"))["n"] or 0) + 1
        for contribution_id in allocation.placed:
            contribution = by_id[contribution_id]
            Item.objects.create(issue=issue, contribution=contribution, position=position)
            position += 1
            transition(actor, contribution, State.PLACED)
        following = next_issue(issue)
        for contribution_id, reason in allocation.deferred.items():
            defer(actor, by_id[contribution_id], issue, following, reason)
        if issue.status in (IssueStatus.PLANNED, IssueStatus.OPEN):
            issue.status = IssueStatus.ASSEMBLY
            issue.save(update_fields=["status"])
    return allocation


def defer(
    actor: Actor, contribution: Contribution, from_issue: Issue, to_issue: Issue | None, reason: str, note: str = ""
) -> Deferral:
    deferral = Deferral.objects.create(
        contribution=contribution, from_issue=from_issue, to_issue=to_issue, reason=reason, note=note.strip()
    )
    contribution.target_issue = to_issue
    contribution.save(update_fields=["target_issue", "updated"])
    notify.notice(contribution.section_id, NoticeKind.DEFERRAL, deferral=deferral)
    return deferral


def place(actor: Actor, contribution: Contribution, issue: Issue, *, reason: str = "") -> Item:
    """The editor's override: place a contribution by hand. Past the budget, or ahead of the fair order, it needs a
    recorded reason."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors place contributions."))
    if contribution.periodical_id != issue.periodical_id:
        raise LiaisonError(_("That contribution is for another periodical."))
    if issue.status == IssueStatus.PUBLISHED:
        raise LiaisonError(_("This issue is already published."))
    reason = reason.strip()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        used = sum((i.contribution.pages for i in issue.items.select_related("contribution")), Decimal(0))
        over = used + contribution.pages > issue.budget_pages
        allocation, _contributions = propose(issue)
        unfair = contribution.pk not in allocation.placed
        if (over or unfair) and not reason:
            raise LiaisonError(
                _("This goes past the issue's %(budget)s pages or ahead of the fair order: record why.")
                % {"budget": issue.budget_pages},
                field="reason",
            )
        position = (issue.items.aggregate(n=Max("position"))["n"] or 0) + 1
        item = Item.objects.create(
            issue=issue,
            contribution=contribution,
            position=position,
            override_reason=reason if (over or unfair) else "",
        )
        transition(actor, contribution, State.PLACED, reason=reason)
    return item


def unplace(actor: Actor, item: Item, *, reason: str) -> None:
    """Take an item out of an unpublished issue (back to accepted); the positions after it close up."""
    if item.issue.status == IssueStatus.PUBLISHED:
        raise LiaisonError(_("A published issue's contents are fixed; publish a correction instead."))
    with transaction.atomic():
        issue = item.issue
        position = item.position
        transition(actor, item.contribution, State.ACCEPTED, reason=reason)
        _renumber(issue, after=position)


def move_item(actor: Actor, item: Item, *, position: int, reason: str = "") -> None:
    """Reorder an unpublished issue's contents; a reason is recorded with the override."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors reorder an issue."))
    if item.issue.status == IssueStatus.PUBLISHED:
        raise LiaisonError(_("A published issue's contents are fixed."))
    with transaction.atomic():
        items = list(Issue.objects.select_for_update().get(pk=item.issue_id).items.order_by("position"))
        if not 1 <= position <= len(items):
            raise LiaisonError(_("Choose a position between 1 and %(n)s.") % {"n": len(items)}, field="position")
        moving = next(i for i in items if i.pk == item.pk)
        items.remove(moving)
        items.insert(position - 1, moving)
        # Two passes keep the unique (issue, position) constraint true at every step.
        for offset, each in enumerate(items):
            Item.objects.filter(pk=each.pk).update(position=10_000 + offset)
        for offset, each in enumerate(items):
            Item.objects.filter(pk=each.pk).update(position=offset + 1)
        if reason.strip():
            Item.objects.filter(pk=item.pk).update(override_reason=reason.strip())


def _renumber(issue: Issue, *, after: int) -> None:
    for item in issue.items.filter(position__gt=after).order_by("position"):
        Item.objects.filter(pk=item.pk).update(position=item.position - 1)


def mark_published(actor: Actor, issue: Issue) -> Issue:
    """Fix an issue's contents as published: its items' citations become permanent."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors publish."))
    if not issue.items.exists():
        raise LiaisonError(_("An issue with no contents cannot be published."))
    with transaction.atomic():
        for item in issue.items.select_related("contribution"):
            if item.contribution.state == State.PLACED:
                transition(actor, item.contribution, State.PUBLISHED)
        issue.status = IssueStatus.PUBLISHED
        issue.published_at = timezone.now()
        issue.save(update_fields=["status", "published_at"])
    return issue


# Citations -------------------------------------------------------------------------------------------------------


def resolve_citation(ref: markdown.CitationRef) -> Item | None:
    return (
        Item.objects.filter(issue__periodical__slug=ref.periodical, issue__number=ref.issue, position=ref.item)
        .select_related("issue__periodical", "contribution")
        .first()
    )


def citation_label(item: Item) -> str:
    return _("%(periodical)s No. %(number)s, item %(item)s") % {
        "periodical": item.issue.periodical.name,
        "number": item.issue.number,
        "item": item.position,
    }


def _record_citations(contribution: Contribution) -> None:
    targets = [resolve_citation(ref) for ref in markdown.citations_in(contribution.body)]
    Citation.objects.filter(source=contribution).delete()
    Citation.objects.bulk_create(
        [Citation(source=contribution, target=item) for item in {t.pk: t for t in targets if t}.values()]
    )


def render_body(contribution: Contribution) -> str:
    """The contribution's text as sanitized HTML, its citations linked to their items."""
    from django.urls import reverse

    def resolve(ref: markdown.CitationRef) -> tuple[str, str] | None:
        item = resolve_citation(ref)
        if item is None:
            return None
        url = reverse("editorial:item", args=[item.issue.periodical.slug, item.issue.number, item.position])
        return url, citation_label(item)

    return markdown.render(contribution.body, doc_id=f"c{contribution.pk}", resolve=resolve)
