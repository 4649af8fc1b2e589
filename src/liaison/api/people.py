"""Endpoints about people: the federation's people (members only) and the caller's own account.

A person's identity (real name, address, phone, notes) is in an answer only for those ``can_see_identity`` allows;
for anyone else those keys are absent, so that no client can mistake "hidden" for "empty".
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Router
from ninja.responses import Status

from liaison.api.auth import OPTIONAL_SECURITY, Unauthorized, actor_of, optional_token, require_account, required_token
from liaison.api.registry import READ_ERRORS, WRITE_ERRORS, ref
from liaison.api.schemas import ErrorOut, MeOut, PersonIn, PersonOut
from liaison.errors import NotAllowed, NotFound
from liaison.federation import access, services
from liaison.federation.access import Actor
from liaison.federation.models import Person, Role, Section

router = Router(tags=["people"])

PEOPLE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
MAX_ID = 2**63 - 1


def people_with_roles() -> list[Person]:
    return list(Person.objects.prefetch_related(Prefetch("roles", queryset=Role.objects.select_related("section"))))


def person_out(actor: Actor, person: Person) -> dict[str, object]:
    today = timezone.localdate()
    roles = list(person.roles.all())
    out: dict[str, object] = {
        "id": person.pk,
        "pseudonym": person.pseudonym,
        "roles": [
            {
                "kind": role.kind,
                "section": ref(role.section),
                "languages": list(role.languages or []),
                "since": role.since,
                "until": role.until,
                "active": role.is_active(today),
            }
            for role in roles
        ],
    }
    section_ids = {role.section_id for role in roles if role.section_id is not None and role.is_active(today)}
    if access.can_see_identity(actor, person, section_ids):
        for name in services.IDENTITY_FIELDS:
            out[name] = getattr(person, name)
    return out


def require_people(actor: Actor) -> None:
    require_account(actor)
    if not access.can_see_people(actor):
        raise NotAllowed(_("Only members of the federation see its people."))


@router.get(
    "/people",
    response={200: list[PersonOut], **PEOPLE_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    exclude_unset=True,
    summary="The federation's people (members only)",
)
def list_people(request: HttpRequest) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_people(actor)
    return [person_out(actor, person) for person in people_with_roles()]


@router.get(
    "/people/{person_id}",
    response={200: PersonOut, **PEOPLE_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    exclude_unset=True,
    summary="One person (members only)",
)
def get_person(request: HttpRequest, person_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, object]:
    actor = actor_of(request)
    require_people(actor)
    person = (
        Person.objects.prefetch_related(Prefetch("roles", queryset=Role.objects.select_related("section")))
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise NotFound(_("No person with the number %(id)d.") % {"id": person_id})
    return person_out(actor, person)


@router.post(
    "/people",
    response={201: PersonOut, **WRITE_ERRORS},
    auth=required_token,
    exclude_unset=True,
    summary="Register a person",
)
def create_person(request: HttpRequest, payload: PersonIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    if not access.can_manage_people(actor):
        raise NotAllowed(_("Only the secretariat registers people."))
    person = services.create_person(
        actor,
        pseudonym=payload.pseudonym,
        real_name=payload.real_name,
        address=payload.address,
        phone=payload.phone,
        notes=payload.notes,
    )
    return Status(201, person_out(actor, person))


@router.get("/me", response={200: MeOut, 401: ErrorOut}, auth=required_token, summary="The token's account")
def me(request: HttpRequest) -> dict[str, object]:
    actor = actor_of(request)
    token = getattr(request, "api_token", None)
    if token is None:
        raise Unauthorized(_("This needs a token: send “Authorization: Bearer <token>”."))
    slugs = dict(Section.objects.filter(pk__in=actor.sections).values_list("pk", "slug"))
    return {
        "username": actor.user.get_username(),
        "pseudonym": actor.pseudonym,
        "person_id": actor.person_id,
        "secretariat": actor.secretariat,
        "correspondent_of": sorted(slugs[pk] for pk in actor.correspondent_of if pk in slugs),
        "member_of": sorted(slugs[pk] for pk in actor.member_of if pk in slugs),
        "translator_languages": sorted(actor.translator_languages),
        "token": {"name": token.name, "prefix": token.prefix, "created": token.created},
    }
