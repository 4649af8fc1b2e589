"""Endpoints of the bulletin: bulletins and their issues, calls, contributions, decisions and assembly.

They translate JSON to the editorial services and back, with the pages' visibility: a contribution or a bulletin the
caller may not see answers 404, as if it did not exist, so that an answer never discloses it. Editors' operations
check the caller before any lookup, so that a refused caller learns nothing from the answer either.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TypeVar

from django.db.models import Count, DecimalField, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from ninja.responses import Status

from liaison.api.auth import OPTIONAL_SECURITY, actor_of, optional_token, require_account, required_token
from liaison.api.editorial_schemas import (
    MAX_ID,
    MAX_NUMBER,
    BulletinOut,
    CallIn,
    CallOut,
    ConflictOut,
    ContributionDetailOut,
    ContributionIn,
    ContributionOut,
    ContributionUpdateIn,
    DecisionOut,
    IssueDetailOut,
    IssueIn,
    IssueOut,
    ItemOut,
    MoveIn,
    PlaceIn,
    ProposalOut,
    RevisionOut,
    TransitionIn,
)
from liaison.api.registry import READ_ERRORS, WRITE_ERRORS, ref
from liaison.api.schemas import ErrorOut, ShortText, Text
from liaison.editorial import access, services
from liaison.editorial.allocation import Allocation
from liaison.editorial.models import Call, Contribution, Decision, DeferralReason, Item, Revision, State
from liaison.errors import LiaisonError, NotAllowed, NotFound
from liaison.federation.access import Actor, active_roles
from liaison.federation.models import Person, Region, Role, RoleKind, Section
from liaison.periodicals.models import Audience, Issue, Periodical

router = Router(tags=["bulletin"])

Slugged = TypeVar("Slugged", Section, Region)
GUARDED_READ_ERRORS = {**READ_ERRORS, 403: ErrorOut}
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=8, decimal_places=2))


# Who sees what ---------------------------------------------------------------------------------------------------


def visible(actor: Actor, *, editor: bool) -> QuerySet[Contribution]:
    """The contributions ``actor`` may see (``access.can_see`` for a whole list), to filter on in one query."""
    return Contribution.objects.filter(access.visible_filter(actor, editor=editor))


def may_edit(actor: Actor, contribution: Contribution, *, editor: bool) -> bool:
    """The test ``services.save_contribution`` makes before saving."""
    if access.can_write_for(actor, contribution.section_id) and contribution.state in services.SECTION_EDITS:
        return True
    return editor and contribution.state in services.EDITOR_EDITS


def require_editor(actor: Actor, message: str) -> None:
    require_account(actor)
    if not access.is_editor(actor):
        raise NotAllowed(message)


def bulletins_for(actor: Actor) -> QuerySet[Periodical]:
    found = Periodical.objects.filter(section__isnull=True)
    return found if actor.is_member else found.filter(audience=Audience.PUBLIC)


def get_bulletin(actor: Actor, slug: str) -> Periodical:
    bulletin = bulletins_for(actor).filter(slug=slug).first() if "\x00" not in slug else None
    if bulletin is None:
        raise NotFound(_("No bulletin “%(slug)s”.") % {"slug": slug})
    return bulletin


def get_issue(actor: Actor, slug: str, number: int) -> Issue:
    bulletin = get_bulletin(actor, slug)
    issue = Issue.objects.filter(periodical=bulletin, number=number).first()
    if issue is None:
        raise NotFound(_("%(bulletin)s has no issue No. %(n)s.") % {"bulletin": bulletin.name, "n": number})
    issue.periodical = bulletin
    return issue


def contributions_with_details() -> QuerySet[Contribution]:
    """Contributions with what their answer shows, in one query. People are read by pseudonym only, so that no
    protected identity is decrypted for a list."""
    return Contribution.objects.select_related("section", "periodical", "item__issue__periodical").annotate(
        signer=F("signed_by__pseudonym")
    )


def get_contribution(actor: Actor, contribution_id: int, *, editor: bool) -> Contribution:
    contribution = (
        contributions_with_details().filter(access.visible_filter(actor, editor=editor), pk=contribution_id).first()
    )
    if contribution is None:
        raise NotFound(_("No contribution with the number %(id)d.") % {"id": contribution_id})
    return contribution


# Serialization ---------------------------------------------------------------------------------------------------


def bulletin_out(bulletin: Periodical) -> dict[str, object]:
    return {
        "slug": bulletin.slug,
        "name": bulletin.name,
        "language": bulletin.language,
        "frequency": bulletin.frequency,
        "audience": bulletin.audience,
    }


def issues_with_counts(actor: Actor, *, editor: bool) -> QuerySet[Issue]:
    """Issues with the number and pages of the items the actor may see."""
    shown = Q(items__contribution__in=visible(actor, editor=editor))
    return Issue.objects.annotate(
        item_count=Count("items", filter=shown),
        pages_used=Coalesce(Sum("items__contribution__pages", filter=shown), ZERO),
    )


def issue_out(issue: Issue) -> dict[str, object]:
    """An issue from ``issues_with_counts``."""
    return {
        "number": issue.number,
        "title": issue.title,
        "status": issue.status,
        "planned_date": issue.planned_date,
        "budget_pages": float(issue.budget_pages),
        "pages_used": float(getattr(issue, "pages_used", 0)),
        "item_count": getattr(issue, "item_count", 0),
        "gap_reason": issue.gap_reason,
        "published_at": issue.published_at,
    }


def call_out(call: Call) -> dict[str, object]:
    return {
        "id": call.pk,
        "topic": call.topic,
        "questions": call.questions,
        "deadline": call.deadline.astimezone(datetime.UTC),
        "sections": [ref(section) for section in call.invited_sections.all()],
        "regions": [ref(region) for region in call.invited_regions.all()],
    }


def signature(contribution: Contribution) -> str:
    return getattr(contribution, "signer", None) or contribution.section.name


def items_of(issue: Issue, actor: Actor, *, editor: bool) -> list[Item]:
    """An issue's contents that the actor may see, in order, in one query."""
    items: list[Item] = list(
        issue.items.filter(contribution__in=visible(actor, editor=editor))
        .select_related("contribution__section")
        .annotate(signer=F("contribution__signed_by__pseudonym"))
        .order_by("position")
    )
    for item in items:
        item.issue = issue
    return items


def item_out(item: Item) -> dict[str, object]:
    """An item whose issue, periodical and contribution's section are loaded."""
    contribution = item.contribution
    return {
        "position": item.position,
        "citation": services.citation_label(item),
        "cite_as": f"[[{item.issue.periodical.slug}/{item.issue.number}/{item.position}]]",
        "contribution_id": contribution.pk,
        "title": contribution.title,
        "section": ref(contribution.section),
        "signature": getattr(item, "signer", None) or contribution.section.name,
        "pages": float(contribution.pages),
        "override_reason": item.override_reason,
    }


def contribution_out(contribution: Contribution) -> dict[str, object]:
    """A contribution from ``contributions_with_details``."""
    item = getattr(contribution, "item", None)  # A reverse one-to-one: missing raises, hence getattr.
    placement = None
    if item is not None:
        placement = {
            "issue": item.issue.number,
            "position": item.position,
            "citation": services.citation_label(item),
        }
    return {
        "id": contribution.pk,
        "title": contribution.title,
        "section": ref(contribution.section),
        "periodical": contribution.periodical.slug,
        "state": contribution.state,
        "kind": contribution.kind,
        "language": contribution.language,
        "signature": signature(contribution),
        "pages": float(contribution.pages),
        "version": contribution.version,
        "call": contribution.call_id,
        "submitted_at": contribution.submitted_at,
        "accepted_at": contribution.accepted_at,
        "updated": contribution.updated,
        "placement": placement,
    }


def decision_out(decision: Decision) -> dict[str, object]:
    return {
        "from_state": decision.from_state,
        "to_state": decision.to_state,
        "reason": decision.reason,
        "by": decision.actor_name,
        "created": decision.created,
    }


def detail_out(actor: Actor, contribution: Contribution, *, editor: bool) -> dict[str, object]:
    """A contribution with its text; its history only for its own section and the editors."""
    out = contribution_out(contribution)
    out.update(
        body=contribution.body,
        html=services.render_body(contribution),
        allowed_moves=services.allowed_moves(actor, contribution),
        may_edit=may_edit(actor, contribution, editor=editor),
    )
    if editor or access.is_of_section(actor, contribution.section_id):
        deferrals = contribution.deferrals.select_related("from_issue", "to_issue").order_by("created", "id")
        out.update(
            revision_count=contribution.revisions.count(),
            decisions=[decision_out(d) for d in contribution.decisions.order_by("created", "id")],
            deferrals=[
                {
                    "from_issue": d.from_issue.number,
                    "to_issue": d.to_issue.number if d.to_issue else None,
                    "reason": d.reason,
                    "reason_label": str(DeferralReason(d.reason).label),
                    "note": d.note,
                    "created": d.created,
                }
                for d in deferrals
            ],
        )
    return out


def revision_out(revision: Revision) -> dict[str, object]:
    return {
        "number": revision.number,
        "title": revision.title,
        "language": revision.language,
        "body": revision.body,
        "conflict": revision.conflict,
        "origin": revision.origin,
        "author": getattr(revision, "author_name", None) or "",
        "created": revision.created,
    }


def allocation_out(issue: Issue, allocation: Allocation, *, already_used: Decimal) -> dict[str, object]:
    ids = [*allocation.placed, *allocation.deferred]
    by_id = {c.pk: c for c in Contribution.objects.select_related("section").filter(pk__in=ids)}

    def entry(contribution_id: int) -> dict[str, object]:
        contribution = by_id[contribution_id]
        return {
            "contribution_id": contribution.pk,
            "title": contribution.title,
            "section": ref(contribution.section),
            "pages": float(contribution.pages),
        }

    return {
        "budget_pages": float(issue.budget_pages),
        "pages_used": float(already_used + allocation.pages_used),
        "placed": [entry(pk) for pk in allocation.placed],
        "deferred": [
            {**entry(pk), "reason": reason, "reason_label": str(DeferralReason(reason).label)}
            for pk, reason in allocation.deferred.items()
        ],
    }


def pages_placed(issue: Issue) -> Decimal:
    total = issue.items.aggregate(n=Sum("contribution__pages"))["n"]
    return Decimal(total or 0)


# Bulletins and issues --------------------------------------------------------------------------------------------


@router.get(
    "/bulletins",
    response={200: list[BulletinOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="The federation's bulletins",
    description="An internal bulletin is listed for the federation's members only.",
)
def list_bulletins(request: HttpRequest) -> list[dict[str, object]]:
    return [bulletin_out(b) for b in bulletins_for(actor_of(request)).order_by("name", "id")]


@router.get(
    "/bulletins/{slug}/issues",
    response={200: list[IssueOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="A bulletin's issues",
    description="Latest first. The counts are of the items the caller may read.",
)
def list_issues(request: HttpRequest, slug: str) -> list[dict[str, object]]:
    actor = actor_of(request)
    bulletin = get_bulletin(actor, slug)
    issues = issues_with_counts(actor, editor=access.is_editor(actor)).filter(periodical=bulletin)
    return [issue_out(issue) for issue in issues.order_by("-number")]


@router.get(
    "/bulletins/{slug}/issues/{number}",
    response={200: IssueDetailOut, **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="One issue, with its calls and table of contents",
    description="The contents list only the items the caller may read: published ones for the bulletin's readers; "
    "placed ones too for the editors and for the item's own section.",
)
def get_one_issue(request: HttpRequest, slug: str, number: int = Path(..., ge=1, le=MAX_NUMBER)) -> dict[str, object]:
    actor = actor_of(request)
    editor = access.is_editor(actor)
    bulletin = get_bulletin(actor, slug)
    issue = issues_with_counts(actor, editor=editor).filter(periodical=bulletin, number=number).first()
    if issue is None:
        raise NotFound(_("%(bulletin)s has no issue No. %(n)s.") % {"bulletin": bulletin.name, "n": number})
    issue.periodical = bulletin
    calls = issue.calls.prefetch_related(
        Prefetch("invited_sections", queryset=Section.objects.order_by("name", "id")),
        Prefetch("invited_regions", queryset=Region.objects.order_by("order", "name", "id")),
    ).order_by("deadline", "id")
    return {
        **issue_out(issue),
        "bulletin": bulletin_out(issue.periodical),
        "calls": [call_out(call) for call in calls],
        "items": [item_out(item) for item in items_of(issue, actor, editor=editor)],
    }


@router.post(
    "/bulletins/{slug}/issues",
    response={201: IssueOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Plan the next issue (editors)",
    description="Numbered after the last one unless `number` says otherwise; skipping numbers needs `gap_reason`.",
)
def create_issue(request: HttpRequest, slug: str, payload: IssueIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_editor(actor, _("Only the editors plan issues."))
    bulletin = get_bulletin(actor, slug)
    issue = services.create_issue(
        actor,
        bulletin,
        planned_date=payload.planned_date,
        budget_pages=Decimal(str(payload.budget_pages)).quantize(Decimal("0.01")),
        number=payload.number,
        title=payload.title,
        gap_reason=payload.gap_reason,
    )
    return Status(201, issue_out(issue))


def slugs_to(model: type[Slugged], slugs: list[str], field: str) -> list[Slugged]:
    """The rows the slugs name, or a 400 naming the first unknown one."""
    found = {obj.slug: obj for obj in model.objects.filter(slug__in=set(slugs))}
    for slug in slugs:
        if slug not in found:
            message = _("No section “%(slug)s”.") if model is Section else _("No region “%(slug)s”.")
            raise LiaisonError(message % {"slug": slug}, field=field)
    return list({found[slug].pk: found[slug] for slug in slugs}.values())


@router.post(
    "/bulletins/{slug}/issues/{number}/calls",
    response={201: CallOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Call for contributions to an issue (editors)",
    description="The invited sections (by name, or all of an invited region) are notified on their dashboard and by "
    "email. A planned issue becomes open for contributions.",
)
def create_call(
    request: HttpRequest, slug: str, payload: CallIn, number: int = Path(..., ge=1, le=MAX_NUMBER)
) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_editor(actor, _("Only the editors call for contributions."))
    issue = get_issue(actor, slug, number)
    try:
        payload.deadline.astimezone(datetime.UTC)
    except OverflowError:
        raise LiaisonError(_("That deadline is out of range."), field="deadline") from None
    call = services.open_call(
        actor,
        issue,
        topic=payload.topic,
        questions=payload.questions,
        deadline=payload.deadline,
        sections=slugs_to(Section, payload.sections, "sections"),
        regions=slugs_to(Region, payload.regions, "regions"),
    )
    return Status(201, call_out(call))


# Assembly --------------------------------------------------------------------------------------------------------


@router.get(
    "/bulletins/{slug}/issues/{number}/proposal",
    response={200: ProposalOut, **GUARDED_READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="The fair table of contents, not applied (editors)",
    description="What assembling the issue now would place, and what it would defer to the next issue and why.",
)
def proposal(request: HttpRequest, slug: str, number: int = Path(..., ge=1, le=MAX_NUMBER)) -> dict[str, object]:
    actor = actor_of(request)
    require_editor(actor, _("Only the editors assemble an issue."))
    issue = get_issue(actor, slug, number)
    allocation, _contributions = services.propose(issue)
    return allocation_out(issue, allocation, already_used=pages_placed(issue))


@router.post(
    "/bulletins/{slug}/issues/{number}/assemble",
    response={200: ProposalOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Assemble an issue (editors)",
    description="Applies the fair proposal: places what fits after the items already placed, defers the rest to "
    "the next issue with the reason (each section is notified), and puts the issue in assembly.",
)
def assemble(request: HttpRequest, slug: str, number: int = Path(..., ge=1, le=MAX_NUMBER)) -> dict[str, object]:
    actor = actor_of(request)
    require_editor(actor, _("Only the editors assemble an issue."))
    issue = get_issue(actor, slug, number)
    before = pages_placed(issue)
    allocation = services.assemble_issue(actor, issue)
    return allocation_out(issue, allocation, already_used=before)


def editor_items(issue: Issue) -> list[dict[str, object]]:
    items = issue.items.select_related("contribution__section").annotate(signer=F("contribution__signed_by__pseudonym"))
    out = []
    for item in items.order_by("position"):
        item.issue = issue
        out.append(item_out(item))
    return out


def get_item(issue: Issue, position: int) -> Item:
    item = issue.items.select_related("contribution").filter(position=position).first()
    if item is None:
        raise NotFound(_("%(issue)s has no item %(n)s.") % {"issue": issue, "n": position})
    item.issue = issue
    return item


@router.post(
    "/bulletins/{slug}/issues/{number}/items",
    response={201: ItemOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Place a contribution by hand (editors)",
    description="Past the budget, or ahead of the fair order, the place needs a `reason`, recorded with the item.",
)
def place_item(
    request: HttpRequest, slug: str, payload: PlaceIn, number: int = Path(..., ge=1, le=MAX_NUMBER)
) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_editor(actor, _("Only the editors place contributions."))
    issue = get_issue(actor, slug, number)
    contribution = visible(actor, editor=True).filter(pk=payload.contribution).first()
    if contribution is None:
        raise LiaisonError(
            _("No contribution with the number %(id)d.") % {"id": payload.contribution}, field="contribution"
        )
    item = services.place(actor, contribution, issue, reason=payload.reason)
    placed = issue.items.select_related("contribution__section").annotate(
        signer=F("contribution__signed_by__pseudonym")
    )
    found = placed.get(pk=item.pk)
    found.issue = issue
    return Status(201, item_out(found))


@router.post(
    "/bulletins/{slug}/issues/{number}/items/{position}/move",
    response={200: list[ItemOut], **WRITE_ERRORS},
    auth=required_token,
    summary="Move an item within its issue (editors)",
    description="Answers the issue's contents in their new order.",
)
def move_item(
    request: HttpRequest,
    slug: str,
    payload: MoveIn,
    number: int = Path(..., ge=1, le=MAX_NUMBER),
    position: int = Path(..., ge=1, le=MAX_NUMBER),
) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_editor(actor, _("Only the editors reorder an issue."))
    issue = get_issue(actor, slug, number)
    services.move_item(actor, get_item(issue, position), position=payload.to, reason=payload.reason)
    return editor_items(issue)


class RemoveQuery(Schema):
    reason: Text = ""


@router.delete(
    "/bulletins/{slug}/issues/{number}/items/{position}",
    response={200: list[ItemOut], **WRITE_ERRORS},
    auth=required_token,
    summary="Take an item out of an issue (editors)",
    description="Its contribution goes back to accepted, with the `reason` (required, in the query) recorded and "
    "shown to its section; the items after it close up. Answers the issue's contents.",
)
def remove_item(
    request: HttpRequest,
    slug: str,
    query: Query[RemoveQuery],
    number: int = Path(..., ge=1, le=MAX_NUMBER),
    position: int = Path(..., ge=1, le=MAX_NUMBER),
) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_editor(actor, _("Only the editors take items out of an issue."))
    issue = get_issue(actor, slug, number)
    services.unplace(actor, get_item(issue, position), reason=query.reason)
    return editor_items(issue)


# Contributions ---------------------------------------------------------------------------------------------------


class ContributionFilters(Schema):
    state: State | None = None
    section: ShortText | None = None
    periodical: ShortText | None = None


@router.get(
    "/contributions",
    response={200: list[ContributionOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Contributions the caller may see",
    description="A section's own in every state (drafts only there); everything submitted and after for the "
    "editors; published ones of the bulletins the caller reads for everyone else. Latest change first.",
)
def list_contributions(request: HttpRequest, filters: Query[ContributionFilters]) -> list[dict[str, object]]:
    actor = actor_of(request)
    found = contributions_with_details().filter(access.visible_filter(actor, editor=access.is_editor(actor)))
    if filters.state:
        found = found.filter(state=filters.state)
    if filters.section:
        found = found.filter(section__slug=filters.section)
    if filters.periodical:
        # Only through bulletins the caller reads, so an internal bulletin's slug is as unknown as any other.
        found = found.filter(periodical__in=bulletins_for(actor).filter(slug=filters.periodical))
    result = [contribution_out(c) for c in found.order_by("-updated", "-id")]
    if not result:
        # Checked only for an empty answer, so that a list costs the same queries whatever it holds.
        if filters.section and not Section.objects.filter(slug=filters.section).exists():
            raise NotFound(_("No section “%(slug)s”.") % {"slug": filters.section}, field="section")
        if filters.periodical and not bulletins_for(actor).filter(slug=filters.periodical).exists():
            raise NotFound(_("No bulletin “%(slug)s”.") % {"slug": filters.periodical}, field="periodical")
    return result


def signer_for(section: Section, person_id: int | None) -> Person | None:
    """The person signing, who must be a current correspondent or member of the section."""
    if person_id is None:
        return None
    signers = Role.objects.filter(
        active_roles(), section=section, kind__in=[RoleKind.CORRESPONDENT, RoleKind.MEMBER]
    ).values("person_id")
    person = Person.objects.only("id", "pseudonym").filter(pk=person_id).filter(pk__in=signers).first()
    if person is None:
        raise LiaisonError(
            _("Person %(id)d does not sign for %(section)s: choose one of its correspondents or members.")
            % {"id": person_id, "section": section},
            field="signed_by",
        )
    return person


@router.post(
    "/contributions",
    response={201: ContributionDetailOut, **WRITE_ERRORS},
    auth=required_token,
    exclude_unset=True,
    summary="Write a contribution (a section's correspondents)",
    description="It starts as a draft that only its section sees; submit it with a transition to “submitted”.",
)
def create_contribution(request: HttpRequest, payload: ContributionIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    if not actor.correspondent_of:
        raise NotAllowed(_("Only a section's correspondents write contributions in its name."))
    section = Section.objects.filter(slug=payload.section).first()
    if section is None:
        raise LiaisonError(_("No section “%(slug)s”.") % {"slug": payload.section}, field="section")
    if not access.can_write_for(actor, section.pk):
        raise NotAllowed(_("Only the correspondents of %(section)s write in its name.") % {"section": section})
    bulletin = bulletins_for(actor).filter(slug=payload.periodical).first()
    if bulletin is None:
        raise LiaisonError(_("No bulletin “%(slug)s”.") % {"slug": payload.periodical}, field="periodical")
    call = None
    if payload.call is not None:
        call = Call.objects.select_related("issue").filter(pk=payload.call).first()
        if call is None:
            raise LiaisonError(_("No call with the number %(id)d.") % {"id": payload.call}, field="call")
    contribution = services.create_contribution(
        actor,
        section=section,
        periodical=bulletin,
        call=call,
        signed_by=signer_for(section, payload.signed_by),
        title=payload.title,
        language=payload.language,
        kind=payload.kind,
        body=payload.body,
    )
    editor = access.is_editor(actor)
    return Status(201, detail_out(actor, get_contribution(actor, contribution.pk, editor=editor), editor=editor))


@router.get(
    "/contributions/{contribution_id}",
    response={200: ContributionDetailOut, **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    exclude_unset=True,
    summary="One contribution, with its text and history",
    description="The text in Markdown and as sanitized HTML; its decisions, deferrals and number of revisions for "
    "its own section and the editors. A contribution the caller may not see answers 404.",
)
def get_one_contribution(request: HttpRequest, contribution_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, object]:
    actor = actor_of(request)
    editor = access.is_editor(actor)
    return detail_out(actor, get_contribution(actor, contribution_id, editor=editor), editor=editor)


@router.put(
    "/contributions/{contribution_id}",
    response={200: ContributionDetailOut, **WRITE_ERRORS, 409: ConflictOut},
    auth=required_token,
    exclude_unset=True,
    summary="Save a new text",
    description="The section saves while the text is a draft or returned; the editors while they hold it. Send "
    "the `version` you started from as `base_version`: if someone saved in between, the answer is 409 with both "
    "texts, yours kept as a revision marked as a conflict, and nothing is lost.",
)
def save_contribution(
    request: HttpRequest, payload: ContributionUpdateIn, contribution_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[dict[str, object]]:
    actor = actor_of(request)
    editor = access.is_editor(actor)
    contribution = get_contribution(actor, contribution_id, editor=editor)
    if not may_edit(actor, contribution, editor=editor):
        raise NotAllowed(
            _("A contribution that is %(state)s cannot be edited by you.") % {"state": contribution.get_state_display()}
        )
    try:
        services.save_contribution(
            actor,
            contribution,
            base_version=payload.base_version,
            title=payload.title,
            language=payload.language,
            kind=payload.kind,
            body=payload.body,
            # Left out, the signature stays; null, the section itself signs.
            signed_by=(
                signer_for(contribution.section, payload.signed_by)
                if "signed_by" in payload.model_fields_set
                else services.KEEP
            ),
        )
    except services.EditConflict as conflict:
        revisions = Revision.objects.annotate(author_name=F("author__person__pseudonym"))
        return Status(
            409,
            {
                "detail": str(conflict),
                "field": conflict.field,
                "theirs": revision_out(revisions.get(pk=conflict.theirs.pk)),
                "yours": revision_out(revisions.get(pk=conflict.yours.pk)),
            },
        )
    return Status(200, detail_out(actor, get_contribution(actor, contribution_id, editor=editor), editor=editor))


@router.post(
    "/contributions/{contribution_id}/transitions",
    response={201: DecisionOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Submit, decide or withdraw",
    description="Moves the contribution to another state and answers the recorded decision; the section is "
    "notified. Returning and declining need a `reason`, which the section reads. A move the workflow does not "
    "allow, or that the caller may not make, is refused with the reason.",
)
def make_transition(
    request: HttpRequest, payload: TransitionIn, contribution_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[dict[str, object]]:
    actor = actor_of(request)
    editor = access.is_editor(actor)
    contribution = get_contribution(actor, contribution_id, editor=editor)
    if payload.to in (State.PLACED, State.PUBLISHED):
        raise LiaisonError(
            _(
                "A contribution is placed through its issue's items (POST /bulletins/{slug}/issues/{number}/items), "
                "and published with its issue."
            ),
            field="to",
        )
    if payload.to == State.SUBMITTED:
        decision = services.submit(actor, contribution)
    else:
        decision = services.transition(actor, contribution, payload.to, reason=payload.reason)
    return Status(201, decision_out(decision))


@router.get(
    "/contributions/{contribution_id}/revisions",
    response={200: list[RevisionOut], **GUARDED_READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Every saved text of a contribution (its section and the editors)",
    description="Numbered from 1; a save refused because someone else saved first is kept, marked as a conflict.",
)
def list_revisions(request: HttpRequest, contribution_id: int = Path(..., ge=1, le=MAX_ID)) -> list[dict[str, object]]:
    actor = actor_of(request)
    editor = access.is_editor(actor)
    contribution = get_contribution(actor, contribution_id, editor=editor)
    if not (editor or access.is_of_section(actor, contribution.section_id)):
        raise NotAllowed(_("Only its section and the editors see a contribution's revisions."))
    revisions = contribution.revisions.annotate(author_name=F("author__person__pseudonym")).order_by("number")
    return [revision_out(revision) for revision in revisions]
