"""The bulletin's editorial operations: calls, contributions, their revisions, decisions, assembly and citations.

A contribution's state changes in one place, ``transition``, which checks the table of allowed transitions and who
may make each, records the decision (who, when, why), notifies the section and applies it. Every save of a text keeps
a revision; a save made against an outdated version is refused as a conflict and its text kept, never lost.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liaison import languages as language_codes
from liaison.editorial import access, markdown, notify, signals
from liaison.editorial.allocation import Allocation, Candidate, allocate
from liaison.editorial.models import (
    Call,
    Citation,
    Contribution,
    Decision,
    Deferral,
    DeferralReason,
    Item,
    Kind,
    NoticeKind,
    Revision,
    RevisionOrigin,
    State,
)
from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.federation.access import Actor, active_roles
from liaison.federation.models import Person, Region, Role, RoleKind, Section, SectionStatus
from liaison.periodicals.models import Issue, IssueStatus, Periodical


class Who(Enum):
    SECTION = "section"
    EDITOR = "editor"


class Keep(Enum):
    """Passed for ``signed_by`` to leave the signature as it is (``None`` means the section itself signs)."""

    SIGNATURE = "keep"


KEEP = Keep.SIGNATURE


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
    """The states this actor may move the contribution to now (for the buttons a page shows).

    Placing and publishing are not buttons of a contribution: they happen through an issue (``place``,
    ``assemble_issue``, ``mark_published``)."""
    editor = access.is_editor(actor)
    section = access.can_write_for(actor, contribution.section_id)
    moves = []
    for (source, target), rule in TRANSITIONS.items():
        if source != contribution.state or target == State.PLACED or target == State.PUBLISHED:
            continue
        if (rule.who is Who.EDITOR and editor) or (rule.who is Who.SECTION and section):
            moves.append(target)
    return moves


def _state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


# Issues ----------------------------------------------------------------------------------------------------------


def create_issue(
    actor: Actor,
    periodical: Periodical,
    *,
    planned_date: datetime.date | None,
    budget_pages: Decimal | int | str,
    number: int | None = None,
    title: str = "",
    gap_reason: str = "",
) -> Issue:
    """Number the next issue of a bulletin; skipping numbers needs a recorded reason.

    Contributions that an earlier issue deferred while no later issue existed are pointed at the new one."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors plan issues."))
    if not periodical.is_bulletin:
        raise LiaisonError(_("Only the federation's bulletins are edited here."), field="periodical")
    try:
        budget = Decimal(str(budget_pages))
    except InvalidOperation:
        budget = Decimal(0)
    if not budget.is_finite() or budget <= 0 or budget > 1000:
        raise LiaisonError(_("The space budget is a number of pages between 1 and 1000."), field="budget_pages")
    with transaction.atomic():
        # The periodical's row is the lock that serializes numbering: two editors cannot take the same number.
        Periodical.objects.select_for_update().get(pk=periodical.pk)
        last = Issue.objects.filter(periodical=periodical).aggregate(n=Max("number"))["n"] or 0
        number = last + 1 if number is None else number
        if number < 1:
            raise LiaisonError(_("Issue numbers start at 1."), field="number")
        if Issue.objects.filter(periodical=periodical, number=number).exists():
            raise Conflict(_("Issue No. %(n)s already exists.") % {"n": number}, field="number")
        if number > last + 1 and not gap_reason.strip():
            raise LiaisonError(
                _("The next number is %(next)s; to skip to No. %(n)s, record why.") % {"next": last + 1, "n": number},
                field="gap_reason",
            )
        try:
            with transaction.atomic():
                issue = Issue.objects.create(
                    periodical=periodical,
                    number=number,
                    title=title.strip(),
                    planned_date=planned_date,
                    budget_pages=budget,
                    gap_reason=gap_reason.strip(),
                    status=IssueStatus.PLANNED,
                )
        except IntegrityError as error:
            raise Conflict(_("Issue No. %(n)s already exists.") % {"n": number}, field="number") from error
        waiting = Deferral.objects.filter(
            to_issue__isnull=True, from_issue__periodical=periodical, from_issue__number__lt=number
        )
        Contribution.objects.filter(
            pk__in=waiting.values("contribution_id"), state=State.ACCEPTED, target_issue__isnull=True
        ).update(target_issue=issue)
        waiting.update(to_issue=issue)
    return issue


ISSUE_MOVES = {
    (IssueStatus.PLANNED, IssueStatus.OPEN),
    (IssueStatus.OPEN, IssueStatus.ASSEMBLY),
    (IssueStatus.ASSEMBLY, IssueStatus.OPEN),
}


def set_issue_status(actor: Actor, issue: Issue, status: str) -> Issue:
    """Open an issue for contributions, start or reopen its assembly. Publishing is ``mark_published``."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors change an issue's status."))
    if status not in IssueStatus.values:
        raise LiaisonError(_("Unknown issue status “%(status)s”.") % {"status": status}, field="status")
    with transaction.atomic():
        current = Issue.objects.select_for_update().get(pk=issue.pk)
        if (current.status, status) not in ISSUE_MOVES:
            raise LiaisonError(
                _("An issue that is %(from)s cannot become %(to)s.")
                % {"from": current.get_status_display(), "to": IssueStatus(status).label}
            )
        current.status = status
        current.save(update_fields=["status"])
    issue.status = status
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
    topic = " ".join((topic or "").split())
    if not topic:
        raise LiaisonError(_("A call needs a topic."), field="topic")
    if len(topic) > 300 or "\x00" in topic + (questions or ""):
        raise LiaisonError(_("A topic is one line of at most 300 characters."), field="topic")
    if deadline is None:
        raise LiaisonError(_("A call needs a deadline."), field="deadline")
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    if deadline <= timezone.now():
        raise LiaisonError(_("The deadline must be in the future."), field="deadline")
    if issue.status not in (IssueStatus.PLANNED, IssueStatus.OPEN):
        raise LiaisonError(
            _("Issue No. %(n)s is %(status)s: call for contributions to a later issue.")
            % {"n": issue.number, "status": issue.get_status_display()}
        )
    sections, regions = list(sections), list(regions)
    if not sections and not regions:
        raise LiaisonError(_("Invite at least one section or region."), field="sections")
    dissolved = [str(s) for s in sections if s.status == SectionStatus.DISSOLVED]
    if dissolved:
        raise LiaisonError(
            _("Dissolved sections cannot be invited: %(names)s.") % {"names": ", ".join(dissolved)}, field="sections"
        )
    with transaction.atomic():
        call = Call.objects.create(
            issue=issue, topic=topic, questions=(questions or "").strip(), deadline=deadline, created_by=actor.user
        )
        call.invited_sections.set(sections)
        call.invited_regions.set(regions)
        if issue.status == IssueStatus.PLANNED:
            issue.status = IssueStatus.OPEN
            issue.save(update_fields=["status"])
        for section_id in sorted(invited_section_ids(call)):
            notify.notice(section_id, NoticeKind.CALL, call=call)
    return call


def invited_section_ids(call: Call) -> set[int]:
    """The sections a call invites, by name or through their region; a dissolved section is no longer invited."""
    return set(
        Section.objects.filter(Q(calls=call) | Q(region__calls=call))
        .exclude(status=SectionStatus.DISSOLVED)
        .values_list("id", flat=True)
        .distinct()
    )


# Contributions ---------------------------------------------------------------------------------------------------


def text_from_upload(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without a byte-order mark), or a clear refusal."""
    if len(data) > markdown.MAX_BODY_CHARS * 4:
        raise LiaisonError(
            _("The file is too large: a contribution has at most %(max)s characters.")
            % {"max": markdown.MAX_BODY_CHARS},
            field="body",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LiaisonError(
            _("The file is not UTF-8 text (byte %(position)s cannot be read). Save it as UTF-8 and upload it again.")
            % {"position": error.start + 1},
            field="body",
        ) from error


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _clean_text(
    *, title: str, language: str, kind: str, body: str, periodical: Periodical | None = None
) -> tuple[str, str, str, str]:
    title = " ".join((title or "").split())
    if not title:
        raise LiaisonError(_("A contribution needs a title."), field="title")
    if len(title) > 300:
        raise LiaisonError(_("A title has at most 300 characters."), field="title")
    if "\x00" in title or not _encodable(title):
        raise LiaisonError(_("The title contains characters that cannot be stored."), field="title")
    language = language_codes.normalize(language or "")
    if not language_codes.is_valid(language):
        raise LiaisonError(_("Unknown language code “%(code)s”.") % {"code": language}, field="language")
    if kind not in Kind.values:
        raise LiaisonError(_("Unknown kind “%(kind)s”.") % {"kind": kind}, field="kind")
    body = (body or "").replace("\r\n", "\n")
    # The size first: every later check reads the whole text.
    if len(body) > markdown.MAX_BODY_CHARS:
        raise LiaisonError(
            ngettext(
                "The text is too long: %(n)s character, where a contribution has at most %(max)s "
                "(about a hundred pages).",
                "The text is too long: %(n)s characters, where a contribution has at most %(max)s "
                "(about a hundred pages).",
                len(body),
            )
            % {
                "n": number_format(len(body), force_grouping=True),
                "max": number_format(markdown.MAX_BODY_CHARS, force_grouping=True),
            },
            field="body",
        )
    if not body.strip():
        raise LiaisonError(_("The text is empty."), field="body")
    if "\x00" in body:
        raise LiaisonError(_("The text contains a NUL character; paste it as plain text."), field="body")
    if not _encodable(body):
        raise LiaisonError(_("The text contains invalid characters (broken Unicode); paste it again."), field="body")
    if markdown.too_deep(body):
        raise LiaisonError(
            _("Lists or quotes are nested too deeply (more than about %(n)s levels); flatten them.")
            % {"n": markdown.MAX_NESTING // 2},
            field="body",
        )
    unknown = [str(ref) for ref in markdown.citations_in(body) if resolve_citation(ref) is None]
    if unknown:
        raise LiaisonError(
            _("These citations name no published or placed item: %(refs)s.") % {"refs": ", ".join(unknown)},
            field="body",
        )
    return title, language, kind, body


def _check_signature(signed_by: Person | None, section_id: int) -> None:
    # A section signs with the pseudonym of one of its own people, never someone else's.
    if signed_by is None:
        return
    signers = Role.objects.filter(
        active_roles(), person=signed_by, section_id=section_id, kind__in=[RoleKind.CORRESPONDENT, RoleKind.MEMBER]
    )
    if not signers.exists():
        raise LiaisonError(
            _("%(person)s is neither a correspondent nor a member of this section and cannot sign for it.")
            % {"person": signed_by.pseudonym},
            field="signed_by",
        )


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
    """A new draft of a section's contribution, with its first revision."""
    if not access.can_write_for(actor, section.pk):
        raise NotAllowed(_("Only the correspondents of %(section)s write in its name.") % {"section": section})
    if section.status == SectionStatus.DISSOLVED:
        raise LiaisonError(_("%(section)s is dissolved.") % {"section": section}, field="section")
    if periodical.section_id is not None:
        raise LiaisonError(_("Contributions are written for the federation's bulletins."), field="periodical")
    if call is not None and call.issue.periodical_id != periodical.pk:
        raise LiaisonError(_("That call is for another periodical."), field="call")
    _check_signature(signed_by, section.pk)
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


def may_edit(actor: Actor, contribution: Contribution) -> bool:
    """The section edits while it holds the text (draft, returned), the editors while they do."""
    if access.can_write_for(actor, contribution.section_id) and contribution.state in SECTION_EDITS:
        return True
    return contribution.state in EDITOR_EDITS and access.is_editor(actor)


def _not_editable(contribution: Contribution) -> NotAllowed:
    return NotAllowed(
        _("A contribution that is %(state)s cannot be edited by you.") % {"state": contribution.get_state_display()}
    )


def save_contribution(
    actor: Actor,
    contribution: Contribution,
    *,
    base_version: int,
    title: str,
    language: str,
    kind: str,
    body: str,
    signed_by: Person | Keep | None = KEEP,
) -> Contribution:
    """Save a new text, signed by ``signed_by`` (``None``: by the section; ``KEEP``: as it was).

    ``base_version`` is the version the editor started from; if another save came in between, the text is kept as a
    conflicting revision and ``EditConflict`` raised, carrying both.

    The caller's ``contribution`` is refreshed, so its ``version`` is the one to send with the next save."""
    title, language, kind, body = _clean_text(title=title, language=language, kind=kind, body=body)
    # Asked first so that someone who may not edit learns nothing about who may sign.
    if not may_edit(actor, contribution):
        raise _not_editable(contribution)
    if signed_by is not KEEP:
        _check_signature(signed_by, contribution.section_id)
    conflict: EditConflict | None = None
    with transaction.atomic():
        # The lock makes saves take turns: the second one sees the first one's version and becomes a conflict.
        current = Contribution.objects.select_for_update().get(pk=contribution.pk)
        # Checked under the lock: the state may have changed since the page was shown.
        if not may_edit(actor, current):
            raise _not_editable(current)
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
            assert theirs is not None  # the first revision is written with the contribution
            conflict = EditConflict(theirs, yours)
        else:
            Revision.objects.create(
                contribution=current, number=number, title=title, body=body, language=language, author=actor.user
            )
            current.title, current.language, current.kind, current.body = title, language, kind, body
            if signed_by is not KEEP:
                current.signed_by = signed_by
            current.pages = markdown.estimate_pages(body)
            current.version += 1
            current.save()
            _record_citations(current)
            signals.contribution_saved.send(sender=Contribution, contribution=current)
    # Raised after the transaction commits, so the conflicting text stays saved as a revision.
    contribution.refresh_from_db()
    if conflict is not None:
        raise conflict
    return contribution


def transition(actor: Actor, contribution: Contribution, to_state: str, *, reason: str = "") -> Decision:
    """Move a contribution to another state, if the workflow allows it and the actor may; record and notify.

    The moves that concern an issue keep it consistent: a contribution is placed only with a place in an issue
    (``place``, ``assemble_issue``), published only with its issue (``mark_published``), and leaving an issue
    (back to accepted) closes up the issue's numbering and defers it to the next issue."""
    reason = (reason or "").strip()
    with transaction.atomic():
        current = Contribution.objects.select_for_update().get(pk=contribution.pk)
        rule = TRANSITIONS.get((current.state, to_state))
        if rule is None:
            raise LiaisonError(
                _("A contribution that is %(from)s cannot become %(to)s.")
                % {"from": current.get_state_display(), "to": _state_label(to_state)},
            )
        if rule.who is Who.EDITOR and not access.is_editor(actor):
            raise NotAllowed(_("Only the editors take this decision."))
        if rule.who is Who.SECTION and not access.can_write_for(actor, current.section_id):
            raise NotAllowed(_("Only the correspondents of %(section)s may do this.") % {"section": current.section})
        if rule.needs_reason and not reason:
            raise LiaisonError(_("Give the reason: the section will read it."), field="reason")
        item = Item.objects.filter(contribution=current).select_related("issue__periodical").first()
        if to_state == State.PLACED and item is None:
            raise LiaisonError(_("A contribution is placed in an issue from the issue's assembly."))
        if to_state == State.PUBLISHED and (item is None or item.issue.status != IssueStatus.PUBLISHED):
            raise LiaisonError(_("A contribution is published with its issue."))
        leaving = item is not None and current.state == State.PLACED and to_state != State.PUBLISHED
        if leaving:
            assert item is not None
            _remove_item(actor, item)
        decision = Decision.objects.create(
            contribution=current,
            from_state=current.state,
            to_state=to_state,
            reason=reason,
            actor=actor.user,
            actor_name=_actor_name(actor),
        )
        now = timezone.now()
        current.state = to_state
        if to_state == State.SUBMITTED and current.submitted_at is None:
            current.submitted_at = now
        if to_state == State.ACCEPTED and current.accepted_at is None:
            current.accepted_at = now
        current.save(update_fields=["state", "submitted_at", "accepted_at", "updated"])
        if leaving and to_state == State.ACCEPTED:
            assert item is not None
            # Taken out of this issue by the editor: it waits for the next one (and is not put back into this one
            # by the next assembly). The decision's notice carries the reason, so the deferral adds no second one.
            _defer(current, item.issue, next_issue(item.issue), DeferralReason.EDITOR, reason, send=False)
        notify.notice(current.section_id, NoticeKind.DECISION, decision=decision)
        if to_state == State.ACCEPTED:
            signals.contribution_accepted.send(sender=Contribution, contribution=current)
    contribution.refresh_from_db()
    return decision


def _actor_name(actor: Actor) -> str:
    if actor.pseudonym:
        return actor.pseudonym
    if actor.user is not None:
        return str(actor.user.get_username())
    return _("the secretariat") if actor.secretariat else ""


def submit(actor: Actor, contribution: Contribution) -> Decision:
    """Submit a draft, or resubmit a returned contribution."""
    target = State.RESUBMITTED if contribution.state == State.RETURNED else State.SUBMITTED
    return transition(actor, contribution, target)


# Assembly --------------------------------------------------------------------------------------------------------


def candidates_for(issue: Issue) -> list[Contribution]:
    """Accepted contributions waiting for this issue: answers to its calls, what earlier issues deferred to it,
    contributions meant for no particular issue, and those meant for an earlier issue that went out without them.
    What this issue already deferred is not a candidate again."""
    earlier = Q(target_issue__number__lt=issue.number, target_issue__status=IssueStatus.PUBLISHED)
    return list(
        Contribution.objects.filter(state=State.ACCEPTED, periodical_id=issue.periodical_id)
        .filter(Q(target_issue=issue) | Q(target_issue__isnull=True) | earlier)
        .exclude(deferrals__from_issue=issue)
        .select_related("section", "call")
        .order_by("submitted_at", "id")
    )


def _items_pages(issue: Issue) -> tuple[Decimal, Counter[int]]:
    used = Decimal(0)
    per_section: Counter[int] = Counter()
    for pages, section_id in issue.items.values_list("contribution__pages", "contribution__section_id"):
        used += pages
        per_section[section_id] += 1
    return used, per_section


def propose(issue: Issue) -> tuple[Allocation, list[Contribution]]:
    """The fair table of contents for an issue, computed but not applied."""
    contributions = candidates_for(issue)
    calls = list(issue.calls.all())
    invited: set[int] = set()
    for call in calls:
        invited |= invited_section_ids(call)
    # A contribution deferred from an earlier issue answered that issue's call: it keeps the standing it had there.
    own_calls: dict[int, set[int]] = {}
    for call_id in {c.call_id for c in contributions if c.call_id is not None}:
        own_calls[call_id] = invited_section_ids(Call(pk=call_id))
    deferred_ids = set(
        Deferral.objects.filter(contribution__in=contributions).values_list("contribution_id", flat=True)
    )
    used, per_section = _items_pages(issue)
    candidates = []
    for c in contributions:
        submitted = c.submitted_at or c.created
        answered = c.call is not None and c.section_id in own_calls.get(c.call.pk, set())
        candidates.append(
            Candidate(
                id=c.pk,
                section_id=c.section_id,
                pages=c.pages,
                submitted_at=submitted,
                invited=c.section_id in invited or answered,
                on_time=c.call is None or submitted <= c.call.deadline,
                deferred_before=c.pk in deferred_ids,
            )
        )
    return allocate(candidates, issue.budget_pages - used, sections_placed=per_section), contributions


def assemble_issue(actor: Actor, issue: Issue) -> Allocation:
    """Apply the fair proposal: place what fits, in order after any items already placed; defer the rest to the
    next issue with the reason, and tell each section. Running it again places only what came in since."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors assemble an issue."))
    with transaction.atomic():
        issue = Issue.objects.select_for_update().select_related("periodical").get(pk=issue.pk)
        if issue.status == IssueStatus.PUBLISHED:
            raise LiaisonError(_("This issue is already published."))
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
            _defer(by_id[contribution_id], issue, following, reason)
        if issue.status in (IssueStatus.PLANNED, IssueStatus.OPEN):
            issue.status = IssueStatus.ASSEMBLY
            issue.save(update_fields=["status"])
    return allocation


def defer(
    actor: Actor, contribution: Contribution, from_issue: Issue, to_issue: Issue | None, reason: str, note: str = ""
) -> Deferral:
    """The editor moves an accepted contribution from one issue to a later one (or to whichever comes next)."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors move contributions between issues."))
    if reason not in DeferralReason.values:
        raise LiaisonError(_("Unknown reason “%(reason)s”.") % {"reason": reason}, field="reason")
    if contribution.state != State.ACCEPTED:
        raise LiaisonError(
            _("Only an accepted contribution waits for an issue; this one is %(state)s.")
            % {"state": contribution.get_state_display()}
        )
    if to_issue is not None and (
        to_issue.periodical_id != from_issue.periodical_id or to_issue.number <= from_issue.number
    ):
        raise LiaisonError(_("A contribution is moved to a later issue of the same bulletin."), field="to_issue")
    with transaction.atomic():
        return _defer(contribution, from_issue, to_issue, reason, note)


def _defer(
    contribution: Contribution,
    from_issue: Issue,
    to_issue: Issue | None,
    reason: str,
    note: str = "",
    send: bool = True,
) -> Deferral:
    # Once per (contribution, issue): a second assembly of the same issue updates the record and tells no one again.
    deferral, created = Deferral.objects.update_or_create(
        contribution=contribution,
        from_issue=from_issue,
        defaults={"to_issue": to_issue, "reason": reason, "note": note.strip()},
    )
    Contribution.objects.filter(pk=contribution.pk).update(target_issue=to_issue, updated=timezone.now())
    contribution.target_issue = to_issue
    if created and send:
        notify.notice(contribution.section_id, NoticeKind.DEFERRAL, deferral=deferral)
    return deferral


def place(actor: Actor, contribution: Contribution, issue: Issue, *, reason: str = "") -> Item:
    """The editor's override: place a contribution by hand, after the issue's last item. Past the budget, or ahead
    of the fair order, it needs a reason, recorded on the item."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors place contributions."))
    if contribution.periodical_id != issue.periodical_id:
        raise LiaisonError(_("That contribution is for another periodical."))
    reason = (reason or "").strip()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if issue.status == IssueStatus.PUBLISHED:
            raise LiaisonError(_("This issue is already published."))
        current = Contribution.objects.select_for_update().get(pk=contribution.pk)
        if current.state != State.ACCEPTED:
            raise LiaisonError(
                _("Only an accepted contribution can be placed; this one is %(state)s.")
                % {"state": current.get_state_display()}
            )
        used, _sections = _items_pages(issue)
        over = used + current.pages > issue.budget_pages
        allocation, _contributions = propose(issue)
        unfair = current.pk not in allocation.placed
        if (over or unfair) and not reason:
            if over:
                message = _("This goes past the issue's %(budget)s pages: record why.")
            else:
                message = _("This goes ahead of the fair order: record why.")
            raise LiaisonError(message % {"budget": issue.budget_pages}, field="reason")
        position = (issue.items.aggregate(n=Max("position"))["n"] or 0) + 1
        item = Item.objects.create(
            issue=issue,
            contribution=current,
            position=position,
            override_reason=reason if (over or unfair) else "",
        )
        transition(actor, current, State.PLACED, reason=reason)
    contribution.refresh_from_db()
    return item


def unplace(actor: Actor, item: Item, *, reason: str) -> None:
    """Take an item out of an unpublished issue (back to accepted, waiting for the next issue); the positions after
    it close up."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors change an issue's contents."))
    transition(actor, item.contribution, State.ACCEPTED, reason=reason)


def move_item(actor: Actor, item: Item, *, position: int, reason: str = "") -> None:
    """Reorder an unpublished issue's contents; a reason given is recorded on the moved item."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors reorder an issue."))
    with transaction.atomic():
        issue = Issue.objects.select_for_update().select_related("periodical").get(pk=item.issue_id)
        if issue.status == IssueStatus.PUBLISHED:
            raise LiaisonError(_("A published issue's contents are fixed."))
        items = list(issue.items.order_by("position"))
        if not 1 <= position <= len(items):
            raise LiaisonError(_("Choose a position between 1 and %(n)s.") % {"n": len(items)}, field="position")
        moving = next((i for i in items if i.pk == item.pk), None)
        if moving is None:
            raise LiaisonError(_("That item is no longer in this issue."))
        items.remove(moving)
        items.insert(position - 1, moving)
        _renumber(actor, issue, items)
        reason = (reason or "").strip()
        if reason:
            # Added to any reason recorded earlier (a placement past the budget, say): nothing is overwritten.
            earlier = Item.objects.get(pk=item.pk).override_reason
            Item.objects.filter(pk=item.pk).update(override_reason=f"{earlier}\n{reason}" if earlier else reason)
    item.refresh_from_db()


def _remove_item(actor: Actor, item: Item) -> None:
    """Take an item out of its issue and close up the numbering. A cited item stays: its citers would point at
    whatever took its number."""
    issue = Issue.objects.select_for_update().select_related("periodical").get(pk=item.issue_id)
    if issue.status == IssueStatus.PUBLISHED:
        raise LiaisonError(_("A published issue's contents are fixed; publish a correction instead."))
    citers = list(
        Contribution.objects.filter(citations__target=item)
        .exclude(pk=item.contribution_id)
        .values_list("title", flat=True)
    )
    if citers:
        raise LiaisonError(
            _("Item %(n)s is cited by %(titles)s; those texts must stop citing it before it leaves the issue.")
            % {"n": item.position, "titles": ", ".join(f"“{t}”" for t in citers)}
        )
    rest = list(issue.items.exclude(pk=item.pk).order_by("position"))
    Item.objects.filter(pk=item.pk).delete()
    _renumber(actor, issue, rest)


def _renumber(actor: Actor, issue: Issue, items: list[Item]) -> None:
    """Give ``items`` the positions 1..n in this order, and make the texts that cite them follow."""
    moves = {each.position: index + 1 for index, each in enumerate(items) if each.position != index + 1}
    if not moves:
        return
    # Two passes keep the unique (issue, position) constraint true at every step, on every database.
    top = max([each.position for each in items] + [len(items)])
    for offset, each in enumerate(items):
        Item.objects.filter(pk=each.pk).update(position=top + 1 + offset)
    for offset, each in enumerate(items):
        Item.objects.filter(pk=each.pk).update(position=offset + 1)
        each.position = offset + 1
    _follow_citations(actor, issue, moves)


def _follow_citations(actor: Actor, issue: Issue, moves: dict[int, int]) -> None:
    """Rewrite ``[[slug/N/old]]`` to the new position in every text citing an item of this issue that moved, as a
    new revision marked as Liaison's, so that a citation keeps naming the item its author meant.

    Until an issue is published its numbering may change; after that it never does (the citation is stable)."""
    slug, number = issue.periodical.slug, issue.number

    def follow(match: re.Match[str]) -> str:
        if match[1] == slug and int(match[2]) == number and int(match[3]) in moves:
            return f"[[{slug}/{number}/{moves[int(match[3])]}]]"
        return match[0]

    sources = Contribution.objects.select_for_update().filter(
        pk__in=Citation.objects.filter(target__issue=issue).values("source_id")
    )
    for source in sources:
        # A ref written inside code is rewritten too: harmless, and simpler than mapping tokens back to offsets.
        body = markdown.CITATION.sub(follow, source.body)
        if body == source.body:
            continue
        previous = source.revisions.filter(conflict=False).aggregate(n=Max("number"))["n"]
        number_next = (source.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        Revision.objects.create(
            contribution=source,
            number=number_next,
            title=source.title,
            body=body,
            language=source.language,
            author=actor.user,
            origin=RevisionOrigin.CITATIONS,
        )
        source.body = body
        source.version += 1
        source.save(update_fields=["body", "version", "updated"])
        signals.citations_followed.send(
            sender=Contribution,
            contribution=source,
            previous_revision=previous,
            revision=number_next,
            rewrite=lambda text: markdown.CITATION.sub(follow, text),
        )


def mark_published(actor: Actor, issue: Issue) -> Issue:
    """Fix an issue's contents as published: its items' citations become permanent."""
    if not access.is_editor(actor):
        raise NotAllowed(_("Only the editors publish."))
    with transaction.atomic():
        current = Issue.objects.select_for_update().get(pk=issue.pk)
        if current.status == IssueStatus.PUBLISHED:
            raise LiaisonError(_("This issue is already published."))
        if not current.items.exists():
            raise LiaisonError(_("An issue with no contents cannot be published."))
        current.status = IssueStatus.PUBLISHED
        current.published_at = timezone.now()
        current.save(update_fields=["status", "published_at"])
        _publish_contents(actor, current)
    issue.refresh_from_db()
    return issue


def _publish_contents(actor: Actor, issue: Issue) -> None:
    """Every contribution placed in ``issue`` becomes published, as ``transition`` would make each one (a decision
    recorded, a notice to its section), in a few queries whatever the number of items: a 200-item issue is
    published inside the publishing transaction, where 200 transitions one by one cost a second."""
    placed = list(
        Contribution.objects.select_for_update()
        .filter(item__issue=issue, state=State.PLACED)
        .order_by("item__position")
    )
    if not placed:
        return
    name = _actor_name(actor)
    decisions = Decision.objects.bulk_create(
        Decision(
            contribution=contribution,
            from_state=State.PLACED,
            to_state=State.PUBLISHED,
            actor=actor.user,
            actor_name=name,
        )
        for contribution in placed
    )
    Contribution.objects.filter(pk__in=[c.pk for c in placed]).update(state=State.PUBLISHED, updated=timezone.now())
    notify.notices(
        NoticeKind.DECISION,
        [(c.section_id, {"decision": decision}) for c, decision in zip(placed, decisions, strict=True)],
    )


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
