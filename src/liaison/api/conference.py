"""Endpoints of conference preparation: conferences, their agenda and reply waves, the positions matrix, positions
with their history, and endorsements.

They translate JSON to the conference services and back, with the pages' visibility: a conference the caller may
not read answers 404, as if it did not exist; a position the caller may not read answers as not stated. Writes check
the caller's role before any lookup, so that a refused caller learns nothing from the answer.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.responses import Status

from liaison.api.auth import OPTIONAL_SECURITY, actor_of, optional_token, require_account, required_token
from liaison.api.conference_schemas import (
    ConferenceDetailOut,
    ConferenceIn,
    ConferenceOut,
    EndorsementFilters,
    EndorsementIn,
    EndorsementOut,
    MatrixFilters,
    MatrixOut,
    PositionIn,
    PositionOut,
    PositionUpdateIn,
    QuestionIn,
    QuestionOut,
    WaveIn,
    WaveOut,
)
from liaison.api.editorial import bulletins_for, require_editor, slugs_to
from liaison.api.editorial_schemas import MAX_ID, MAX_NUMBER
from liaison.api.registry import READ_ERRORS, WRITE_ERRORS, ref
from liaison.conference import access, services
from liaison.conference.models import (
    Conference,
    Endorsement,
    Option,
    Position,
    Question,
    Wave,
)
from liaison.editorial import access as editorial_access
from liaison.errors import LiaisonError, NotAllowed, NotFound
from liaison.federation.access import Actor
from liaison.federation.models import Region, Section
from liaison.periodicals.models import Issue

router = Router(tags=["conference"])


# Lookups ---------------------------------------------------------------------------------------------------------


def get_conference(actor: Actor, conference_id: int) -> Conference:
    conference = Conference.objects.select_related("bulletin").filter(pk=conference_id).first()
    if conference is None or not access.can_read(actor, conference):
        raise NotFound(_("No conference with the number %(id)d.") % {"id": conference_id})
    return conference


def get_section(slug: str, *, field: str | None = None) -> Section:
    section = Section.objects.select_related("region").filter(slug=slug).first() if "\x00" not in slug else None
    if section is None:
        message = _("No section “%(slug)s”.") % {"slug": slug}
        # Named in the body, an unknown section is bad input (400); in the path, a missing thing (404).
        raise LiaisonError(message, field=field) if field else NotFound(message)
    return section


def get_question(conference: Conference, number: int, *, field: str | None = None) -> Question:
    question = conference.questions.filter(number=number).first()
    if question is None:
        message = _("The conference has no question %(n)d.") % {"n": number}
        raise LiaisonError(message, field=field) if field else NotFound(message)
    question.conference = conference
    return question


def require_correspondent(actor: Actor, message: str) -> None:
    require_account(actor)
    if not actor.correspondent_of:
        raise NotAllowed(message)


# Serialization ---------------------------------------------------------------------------------------------------


def utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def conference_out(conference: Conference) -> dict[str, object]:
    return {
        "id": conference.pk,
        "title": conference.title,
        "place": conference.place,
        "starts_on": conference.starts_on,
        "ends_on": conference.ends_on,
        "status": conference.status,
        "public": conference.public,
        "bulletin": conference.bulletin.slug,
    }


def option_out(code: str) -> dict[str, str]:
    return {"code": code, "label": str(Option(code).label)}


def question_out(question: Question) -> dict[str, object]:
    return {
        "id": question.pk,
        "number": question.number,
        "title": question.title,
        "description": question.description,
        "options": [option_out(code) for code in question.offered_options()],
    }


def waves_with_details(conference: Conference) -> QuerySet[Wave]:
    return conference.waves.select_related("issue").prefetch_related(
        Prefetch("regions", queryset=Region.objects.order_by("order", "name")),
        "overrides__section",
    )


def wave_out(wave: Wave) -> dict[str, object]:
    """A wave from ``waves_with_details``."""
    return {
        "id": wave.pk,
        "name": wave.name,
        "deadline": utc(wave.deadline),
        "issue": wave.issue.number,
        "regions": [ref(region) for region in wave.regions.all()],
        "moved_in": [ref(o.section) for o in sorted(wave.overrides.all(), key=lambda o: o.section.name)],
    }


def endorsements_with_details() -> QuerySet[Endorsement]:
    return Endorsement.objects.select_related("section", "position__section", "position__question")


def endorsement_out(endorsement: Endorsement) -> dict[str, object]:
    """An endorsement from ``endorsements_with_details``."""
    return {
        "id": endorsement.pk,
        "section": ref(endorsement.section),
        "position_section": ref(endorsement.position.section),
        "question": endorsement.position.question.number,
        "revision": endorsement.revision,
        "created": endorsement.created,
        "withdrawn_at": endorsement.withdrawn_at,
    }


def cell_out(cell: services.Cell, number: int) -> dict[str, object]:
    return {
        "question": number,
        "state": cell.state,
        "state_label": cell.state_label,
        "option": cell.option or None,
        "option_label": cell.option_label,
        "stance": cell.stance,
        "stance_language": cell.stance_language,
        "revision": cell.revision,
        "revised": cell.revised,
        "contribution_id": cell.contribution_id,
        "endorsed_by": cell.endorsed_by,
    }


def matrix_out(matrix: services.Matrix) -> dict[str, object]:
    numbers = [head.question.number for head in matrix.questions]
    return {
        "conference": matrix.conference.pk,
        "questions": [
            {"id": h.question.pk, "number": h.question.number, "title": h.title, "language": h.language}
            for h in matrix.questions
        ],
        "groups": [
            {
                "region": ref(group.region),
                "rows": [
                    {
                        "section": ref(row.section),
                        "wave": {"id": row.wave.pk, "name": row.wave.name} if row.wave else None,
                        "deadline": utc(row.deadline) if row.deadline else None,
                        "lineage": [
                            {"kind": n.kind, "other": n.other, "date": n.date, "reverse": n.reverse}
                            for n in row.lineage
                        ],
                        "cells": [cell_out(c, n) for c, n in zip(row.cells, numbers, strict=True)],
                    }
                    for row in group.rows
                ],
            }
            for group in matrix.groups
        ],
    }


def position_out(actor: Actor, conference: Conference, section: Section, question: Question) -> dict[str, object]:
    """A position as the caller may read it: its cell of the matrix (state, the version shown), the versions it may
    read, the endorsements standing. A position not stated, or that the caller may not read, has no version."""
    table = services.matrix(actor, conference, region=section.region)
    row = next((r for r in table.rows if r.section.pk == section.pk), None)
    if row is None:  # a dissolved section that never stated anything is not in the matrix
        raise NotFound(
            _("%(section)s has no position on question %(n)d.") % {"section": section.name, "n": question.number}
        )
    cell = next(c for c in row.cells if c.question_id == question.pk)
    position = Position.objects.filter(question=question, section=section).select_related("conference").first()
    revisions = services.history(actor, position) if position is not None else []
    endorsements = []
    if revisions:
        assert position is not None
        endorsements = [
            endorsement_out(e)
            for e in endorsements_with_details().filter(position=position, withdrawn_at__isnull=True).order_by("id")
        ]
    own = editorial_access.is_of_section(actor, section.pk)
    return {
        "section": ref(section),
        "question": question.number,
        "state": cell.state,
        "state_label": cell.state_label,
        "option": cell.option or None,
        "option_label": cell.option_label,
        "stance": cell.stance,
        "stance_language": cell.stance_language,
        "contribution_id": cell.contribution_id,
        "version": position.version if position is not None and own else None,
        "revisions": [
            {
                "number": r.number,
                "option": r.option,
                "option_label": str(Option(r.option).label),
                "stance": r.stance,
                "language": r.language,
                "contribution_id": r.contribution_id,
                "contribution_state": r.contribution.state,
                "created": r.created,
            }
            for r in revisions
        ],
        "endorsements": endorsements,
    }


# Conferences -----------------------------------------------------------------------------------------------------


@router.get(
    "/conferences",
    response={200: list[ConferenceOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="The conferences",
    description="Latest first. A conference that is not public is listed for the federation's members only.",
)
def list_conferences(request: HttpRequest) -> list[dict[str, object]]:
    actor = actor_of(request)
    found = Conference.objects.select_related("bulletin")
    if not actor.is_member:
        found = found.filter(public=True)
    return [conference_out(c) for c in found]


@router.post(
    "/conferences",
    response={201: ConferenceOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Prepare a conference (editors)",
    description="It starts in preparation. A public conference needs a public bulletin: its statements are that "
    "bulletin's contributions.",
)
def create_conference(request: HttpRequest, payload: ConferenceIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_editor(actor, _("Only the editors prepare conferences."))
    bulletin = bulletins_for(actor).filter(slug=payload.bulletin).first()
    if bulletin is None:
        raise LiaisonError(_("No bulletin “%(slug)s”.") % {"slug": payload.bulletin}, field="bulletin")
    conference = services.create_conference(
        actor,
        title=payload.title,
        bulletin=bulletin,
        place=payload.place,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        public=payload.public,
    )
    return Status(201, conference_out(conference))


@router.get(
    "/conferences/{conference_id}",
    response={200: ConferenceDetailOut, **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="One conference, with its timeline, agenda and reply waves",
)
def get_one_conference(request: HttpRequest, conference_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, object]:
    conference = get_conference(actor_of(request), conference_id)
    return {
        **conference_out(conference),
        "milestones": [{"date": m.date, "title": m.title} for m in conference.milestones.order_by("date", "id")],
        "questions": [question_out(q) for q in conference.questions.order_by("number")],
        "waves": [wave_out(w) for w in waves_with_details(conference).order_by("deadline", "id")],
    }


# Questions and waves ---------------------------------------------------------------------------------------------


@router.get(
    "/conferences/{conference_id}/questions",
    response={200: list[QuestionOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="A conference's agenda",
    description="The questions in agenda order, with their titles and descriptions in every language written.",
)
def list_questions(request: HttpRequest, conference_id: int = Path(..., ge=1, le=MAX_ID)) -> list[dict[str, object]]:
    conference = get_conference(actor_of(request), conference_id)
    return [question_out(q) for q in conference.questions.order_by("number")]


@router.post(
    "/conferences/{conference_id}/questions",
    response={201: QuestionOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Add a question to the agenda (editors)",
    description="Numbered after the last one. Titles and descriptions by working language; options among support, "
    "oppose, amend, alternative (none: the sections answer in their own words); “abstain” is always offered.",
)
def create_question(
    request: HttpRequest, payload: QuestionIn, conference_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_editor(actor, _("Only the editors set a conference's agenda."))
    conference = get_conference(actor, conference_id)
    question = services.create_question(
        actor, conference, title=payload.title, description=payload.description, options=payload.options
    )
    return Status(201, question_out(question))


@router.get(
    "/conferences/{conference_id}/waves",
    response={200: list[WaveOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="A conference's reply waves",
    description="By deadline: the regions replying in each, the sections moved into it, and the issue in which its "
    "statements appear.",
)
def list_waves(request: HttpRequest, conference_id: int = Path(..., ge=1, le=MAX_ID)) -> list[dict[str, object]]:
    conference = get_conference(actor_of(request), conference_id)
    return [wave_out(w) for w in waves_with_details(conference).order_by("deadline", "id")]


@router.post(
    "/conferences/{conference_id}/waves",
    response={201: WaveOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Add a reply wave (editors)",
    description="The regions' sections reply by the deadline (ISO 8601 **with** its time zone), in an issue of the "
    "conference's bulletin that is not published yet. A region replies in one wave only.",
)
def create_wave(
    request: HttpRequest, payload: WaveIn, conference_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_editor(actor, _("Only the editors set the reply waves."))
    conference = get_conference(actor, conference_id)
    try:
        payload.deadline.astimezone(datetime.UTC)
    except OverflowError:
        raise LiaisonError(_("That deadline is out of range."), field="deadline") from None
    issue = Issue.objects.filter(periodical=conference.bulletin_id, number=payload.issue).first()
    if issue is None:
        raise LiaisonError(
            _("%(bulletin)s has no issue No. %(n)s.") % {"bulletin": conference.bulletin.name, "n": payload.issue},
            field="issue",
        )
    wave = services.create_wave(
        actor,
        conference,
        name=payload.name,
        regions=slugs_to(Region, payload.regions, "regions"),
        deadline=payload.deadline,
        issue=issue,
    )
    return Status(201, wave_out(waves_with_details(conference).get(pk=wave.pk)))


# Positions -------------------------------------------------------------------------------------------------------


@router.get(
    "/conferences/{conference_id}/positions",
    response={200: MatrixOut, **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="The positions matrix",
    description="Sections (by region, with their splits and mergers) by questions: each cell the position's state "
    "and the version the caller may read, its option and stance in the language of Accept-Language when written "
    "in it, and who endorses it. Filter by region (slug), wave (id) and state.",
)
def positions_matrix(
    request: HttpRequest, filters: Query[MatrixFilters], conference_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, object]:
    actor = actor_of(request)
    conference = get_conference(actor, conference_id)
    region = None
    if filters.region is not None:
        region = Region.objects.filter(slug=filters.region).first()
        if region is None:
            raise NotFound(_("No region “%(slug)s”.") % {"slug": filters.region}, field="region")
    wave = None
    if filters.wave is not None:
        wave = conference.waves.filter(pk=filters.wave).first()
        if wave is None:
            raise NotFound(_("The conference has no wave %(id)d.") % {"id": filters.wave}, field="wave")
    table = services.matrix(actor, conference, region=region, wave=wave, state=filters.state)
    return matrix_out(table)


@router.post(
    "/conferences/{conference_id}/positions",
    response={201: PositionOut, **WRITE_ERRORS},
    auth=required_token,
    summary="State a position (the section's correspondents)",
    description="An option the question offers, a stance (a sentence or two) and the full statement, which becomes "
    "a contribution of kind “position” meant for the section's wave's issue: a draft, or submitted with "
    "`submit`. A section states each question once, then revises.",
)
def state_position(
    request: HttpRequest, payload: PositionIn, conference_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_correspondent(actor, _("Only a section's correspondents state its positions."))
    conference = get_conference(actor, conference_id)
    section = get_section(payload.section, field="section")
    if not access.can_state_for(actor, section.pk):
        raise NotAllowed(_("Only the correspondents of %(section)s state its positions.") % {"section": section})
    question = get_question(conference, payload.question, field="question")
    services.state_position(
        actor,
        conference,
        question,
        section,
        option=payload.option,
        stance=payload.stance,
        statement=payload.statement,
        language=payload.language,
        title=payload.title,
        submit=payload.submit,
    )
    return Status(201, position_out(actor, conference, section, question))


@router.get(
    "/conferences/{conference_id}/positions/{section}/{number}",
    response={200: PositionOut, **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="A section's position on a question, with its history",
    description="Its state and the version the caller may read (its own section: every version, drafts too; the "
    "editors: every version submitted; the others: the published ones), the versions it may read, oldest first, "
    "and the endorsements standing.",
)
def get_position(
    request: HttpRequest,
    section: str,
    conference_id: int = Path(..., ge=1, le=MAX_ID),
    number: int = Path(..., ge=1, le=MAX_NUMBER),
) -> dict[str, object]:
    actor = actor_of(request)
    conference = get_conference(actor, conference_id)
    found = get_section(section)
    return position_out(actor, conference, found, get_question(conference, number))


@router.put(
    "/conferences/{conference_id}/positions/{section}/{number}",
    response={200: PositionOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Revise a position (the section's correspondents)",
    description="Send the `version` you revise as `base_version` (409 if someone revised it since) and what "
    "changes. While the statement is a draft or returned it is edited in place; once with the editors, a revision "
    "needs a new `statement` saying what changed. What the section held before stays in the history.",
)
def revise_position(
    request: HttpRequest,
    payload: PositionUpdateIn,
    section: str,
    conference_id: int = Path(..., ge=1, le=MAX_ID),
    number: int = Path(..., ge=1, le=MAX_NUMBER),
) -> dict[str, object]:
    actor = actor_of(request)
    require_correspondent(actor, _("Only a section's correspondents state its positions."))
    conference = get_conference(actor, conference_id)
    found = get_section(section)
    # Before looking the position up: another section learns nothing of a draft it may not see.
    if not access.can_state_for(actor, found.pk):
        raise NotAllowed(_("Only the correspondents of %(section)s state its positions.") % {"section": found})
    question = get_question(conference, number)
    position = Position.objects.filter(question=question, section=found).select_related("conference").first()
    if position is None:
        raise NotFound(
            _("%(section)s has no position on question %(n)d: state it first.")
            % {"section": found.name, "n": question.number}
        )
    services.revise_position(
        actor,
        position,
        base_version=payload.base_version,
        option=payload.option,
        stance=payload.stance,
        statement=payload.statement,
        language=payload.language,
        title=payload.title,
        submit=payload.submit,
    )
    return position_out(actor, conference, found, question)


# Endorsements ----------------------------------------------------------------------------------------------------


@router.get(
    "/conferences/{conference_id}/endorsements",
    response={200: list[EndorsementOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Who endorses whose positions",
    description="Every endorsement of the conference, the withdrawn ones with the date (`standing` filters); "
    "`section` the endorsing section's slug.",
)
def list_endorsements(
    request: HttpRequest, filters: Query[EndorsementFilters], conference_id: int = Path(..., ge=1, le=MAX_ID)
) -> list[dict[str, object]]:
    conference = get_conference(actor_of(request), conference_id)
    found = endorsements_with_details().filter(position__conference=conference)
    if filters.section is not None:
        found = found.filter(section=get_section(filters.section))
    if filters.standing is not None:
        found = found.filter(withdrawn_at__isnull=filters.standing)
    return [endorsement_out(e) for e in found.order_by("created", "id")]


@router.post(
    "/conferences/{conference_id}/positions/{section}/{number}/endorsements",
    response={201: EndorsementOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Endorse another section's position (its correspondents)",
    description="`section` is the endorsing section, yours. Only a published position is endorsed, never one's "
    "own; the endorsement names the version published last.",
)
def endorse(
    request: HttpRequest,
    payload: EndorsementIn,
    section: str,
    conference_id: int = Path(..., ge=1, le=MAX_ID),
    number: int = Path(..., ge=1, le=MAX_NUMBER),
) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_correspondent(actor, _("Only a section's correspondents endorse in its name."))
    conference = get_conference(actor, conference_id)
    endorsing = get_section(payload.section, field="section")
    if not access.can_state_for(actor, endorsing.pk):
        raise NotAllowed(_("Only the correspondents of %(section)s endorse in its name.") % {"section": endorsing})
    found = get_section(section)
    question = get_question(conference, number)
    position = Position.objects.filter(question=question, section=found).select_related("conference").first()
    # A position the caller may not read is answered as one that does not exist.
    if position is None or not services.history(actor, position):
        raise NotFound(
            _("%(section)s has no position on question %(n)d.") % {"section": found.name, "n": question.number}
        )
    endorsement = services.endorse(actor, endorsing, position)
    return Status(201, endorsement_out(endorsements_with_details().get(pk=endorsement.pk)))


@router.delete(
    "/conferences/{conference_id}/endorsements/{endorsement_id}",
    response={200: EndorsementOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Withdraw an endorsement (the endorsing section's correspondents)",
    description="The record stays, with the date it was withdrawn.",
)
def withdraw_endorsement(
    request: HttpRequest,
    conference_id: int = Path(..., ge=1, le=MAX_ID),
    endorsement_id: int = Path(..., ge=1, le=MAX_ID),
) -> dict[str, object]:
    actor = actor_of(request)
    require_correspondent(actor, _("Only a section's correspondents endorse in its name."))
    conference = get_conference(actor, conference_id)
    endorsement = endorsements_with_details().filter(pk=endorsement_id, position__conference=conference).first()
    if endorsement is None:
        raise NotFound(_("The conference has no endorsement %(id)d.") % {"id": endorsement_id})
    endorsement.position.conference = conference
    services.withdraw_endorsement(actor, endorsement)
    return endorsement_out(endorsement)
