"""Endpoints of the federation registry: the federation, regions, sections and their lineage.

The registry is public, as its pages are: anyone reads it, with a token or without. Only the secretariat writes.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from liaison.api.auth import OPTIONAL_SECURITY, actor_of, optional_token, required_token
from liaison.api.schemas import (
    ErrorOut,
    EventIn,
    FederationOut,
    LineageEventOut,
    PerspectiveKind,
    RegionIn,
    RegionOut,
    SectionIn,
    SectionOut,
    ShortText,
    ValidationErrorOut,
)
from liaison.errors import LiaisonError, NotAllowed, NotFound
from liaison.federation import access, services
from liaison.federation.access import Actor
from liaison.federation.models import (
    EventKind,
    Federation,
    Region,
    Role,
    RoleKind,
    Section,
    SectionEvent,
    SectionStatus,
)
from liaison.periodicals.models import Periodical

router = Router(tags=["registry"])

READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut}


# Serialization ---------------------------------------------------------------------------------------------------


def ref(obj: Section | Region | None) -> dict[str, str] | None:
    return None if obj is None else {"slug": obj.slug, "name": obj.name}


def region_out(region: Region) -> dict[str, object]:
    return {"slug": region.slug, "name": region.name, "order": region.order}


def sections_with_details() -> QuerySet[Section]:
    """Sections with what their answer shows, in three queries whatever their number."""
    return Section.objects.select_related("region").prefetch_related(
        Prefetch("periodicals", queryset=Periodical.objects.order_by("name", "id")),
        Prefetch(
            "roles",
            queryset=Role.objects.filter(access.active_roles(), kind=RoleKind.CORRESPONDENT)
            .select_related("person")
            .order_by(Lower("person__pseudonym")),
            to_attr="correspondent_roles",
        ),
    )


def section_out(section: Section) -> dict[str, object]:
    """A section from ``sections_with_details``."""
    periodicals = section.periodicals.all()
    correspondents = section.correspondent_roles  # type: ignore[attr-defined]
    code = str(section.country)
    return {
        "slug": section.slug,
        "name": section.name,
        "country": {"code": code, "name": str(countries.name(code))},
        "languages": list(section.languages),
        "status": section.status,
        "region": ref(section.region),
        "periodicals": [
            {"slug": p.slug, "name": p.name, "language": p.language, "frequency": p.frequency} for p in periodicals
        ],
        "correspondents": [role.person.pseudonym for role in correspondents],
    }


def event_out(section: Section, event: SectionEvent) -> dict[str, object]:
    """An event as ``section`` sees it: its own, or another section's split from it or merger into it."""
    if event.section_id == section.pk:
        kind, other = event.kind, event.other_section
    else:
        kind = PerspectiveKind.split_off if event.kind == EventKind.SPLIT_FROM else PerspectiveKind.absorbed
        other = event.section
    return {
        "kind": kind,
        "date": event.date,
        "other_section": ref(other),
        "old_name": event.old_name,
        "new_name": event.new_name,
        "note": event.note,
    }


def get_section(slug: str) -> Section:
    section = Section.objects.select_related("region").filter(slug=slug).first() if "\x00" not in slug else None
    if section is None:
        raise NotFound(_("No section “%(slug)s”.") % {"slug": slug})
    return section


def require_registry(actor: Actor) -> None:
    """Checked before any lookup, so that a refused caller learns nothing from the answer."""
    if not access.can_manage_registry(actor):
        raise NotAllowed(_("Only the secretariat manages the registry."))


# The federation --------------------------------------------------------------------------------------------------


@router.get(
    "/federation",
    response={200: FederationOut, **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="The federation",
)
def federation(request: HttpRequest) -> dict[str, object]:
    fed = Federation.objects.first()
    if fed is None:
        raise NotFound(_("No federation is set up yet."))
    span = services.editorial_holder_on(timezone.localdate())
    holder = None
    if span is not None:
        holder = {"secretariat": span.section_id is None, "section": ref(span.section), "since": span.start}
    return {
        "name": fed.name,
        "founded": fed.founded,
        "working_languages": list(fed.working_languages),
        "description": fed.description,
        "editorial_holder": holder,
    }


# Regions ---------------------------------------------------------------------------------------------------------


@router.get(
    "/regions",
    response={200: list[RegionOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="The regions",
)
def list_regions(request: HttpRequest) -> list[dict[str, object]]:
    return [region_out(region) for region in Region.objects.all()]


@router.post("/regions", response={201: RegionOut, **WRITE_ERRORS}, auth=required_token, summary="Create a region")
def create_region(request: HttpRequest, payload: RegionIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_registry(actor)
    region = services.create_region(actor, name=payload.name, order=payload.order)
    return Status(201, region_out(region))


# Sections --------------------------------------------------------------------------------------------------------


class SectionFilters(Schema):
    region: ShortText | None = Field(None, description="A region's slug.")
    status: SectionStatus | None = None


@router.get(
    "/sections",
    response={200: list[SectionOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="The sections",
)
def list_sections(request: HttpRequest, filters: Query[SectionFilters]) -> list[dict[str, object]]:
    sections = sections_with_details()
    if filters.region:
        # Filtered through the join, so an unknown region costs no extra query when the answer has sections.
        sections = sections.filter(region__slug=filters.region)
    if filters.status:
        sections = sections.filter(status=filters.status)
    result = [section_out(section) for section in sections]
    if not result and filters.region and not Region.objects.filter(slug=filters.region).exists():
        raise NotFound(_("No region “%(slug)s”.") % {"slug": filters.region}, field="region")
    return result


@router.post("/sections", response={201: SectionOut, **WRITE_ERRORS}, auth=required_token, summary="Register a section")
def create_section(request: HttpRequest, payload: SectionIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_registry(actor)
    region = Region.objects.filter(slug=payload.region).first()
    if region is None:
        raise LiaisonError(_("No region “%(slug)s”.") % {"slug": payload.region}, field="region")
    section = services.create_section(
        actor,
        name=payload.name,
        country=payload.country,
        region=region,
        languages=payload.languages,
        status=payload.status,
    )
    return Status(201, section_out(sections_with_details().get(pk=section.pk)))


@router.get(
    "/sections/{slug}",
    response={200: SectionOut, **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="One section",
)
def get_one_section(request: HttpRequest, slug: str) -> dict[str, object]:
    section = sections_with_details().filter(slug=slug).first() if "\x00" not in slug else None
    if section is None:
        raise NotFound(_("No section “%(slug)s”.") % {"slug": slug})
    return section_out(section)


# Lineage ---------------------------------------------------------------------------------------------------------


@router.get(
    "/sections/{slug}/lineage",
    response={200: list[LineageEventOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="A section's lineage",
    description="Its own events and the events of others that name it (a split from it, a merger into it), by date.",
)
def section_lineage(request: HttpRequest, slug: str) -> list[dict[str, object]]:
    section = get_section(slug)
    return [event_out(section, event) for event in services.lineage(section)]


@router.post(
    "/sections/{slug}/events",
    response={201: LineageEventOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Record a lineage event",
    description="Its effect (a new status, a new name) applies unless a later event overrides it.",
)
def record_event(request: HttpRequest, slug: str, payload: EventIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_registry(actor)
    section = get_section(slug)
    other = None
    if payload.other_section:
        other = Section.objects.filter(slug=payload.other_section).first()
        if other is None:
            raise LiaisonError(
                _("No section “%(slug)s”: name the other section by its slug.") % {"slug": payload.other_section},
                field="other_section",
            )
    event = services.record_event(
        actor,
        section,
        kind=payload.kind,
        date=payload.date,
        other_section=other,
        new_name=payload.new_name,
        note=payload.note,
    )
    return Status(201, event_out(section, event))
