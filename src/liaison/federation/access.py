"""Who may see and do what: the actor behind a request, and the visibility rules of the registry.

An ``Actor`` is computed once per request (two queries at most) from the account's person and active roles, so that
permission checks on a list page cost nothing per row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from liaison.federation.models import Person, Role, RoleKind

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class Actor:
    """The person acting, with their active roles reduced to sets for cheap checks."""

    user: Any = None
    person_id: int | None = None
    pseudonym: str = ""
    secretariat: bool = False
    correspondent_of: frozenset[int] = field(default_factory=frozenset)
    member_of: frozenset[int] = field(default_factory=frozenset)
    translator_languages: frozenset[str] = field(default_factory=frozenset)
    is_translator: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_member(self) -> bool:
        """A member of the federation: anyone holding a role (members read what is open to members)."""
        return self.secretariat or bool(self.correspondent_of or self.member_of) or self.is_translator

    @property
    def sections(self) -> frozenset[int]:
        return self.correspondent_of | self.member_of

    def is_correspondent_of(self, section_id: int | None) -> bool:
        return section_id is not None and section_id in self.correspondent_of


ANONYMOUS = Actor()


def active_roles(on: datetime.date | None = None) -> Q:
    on = on or datetime.date.today()
    return Q(since__lte=on) & (Q(until__isnull=True) | Q(until__gte=on))


def actor_for_user(user: Any, *, verified: bool = True) -> Actor:
    """The actor for an account. ``verified`` is false while a two-factor login is unfinished: no secretariat powers."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    person = Person.objects.filter(user=user).only("id", "pseudonym").first()
    if person is None:
        return Actor(user=user)
    secretariat = False
    correspondent: set[int] = set()
    member: set[int] = set()
    languages: set[str] = set()
    translator = False
    for kind, section_id, langs in Role.objects.filter(active_roles(), person=person).values_list(
        "kind", "section_id", "languages"
    ):
        if kind == RoleKind.SECRETARIAT:
            secretariat = verified
        elif kind == RoleKind.CORRESPONDENT:
            correspondent.add(section_id)
        elif kind == RoleKind.MEMBER:
            member.add(section_id)
        elif kind == RoleKind.TRANSLATOR:
            translator = True
            languages.update(langs or [])
            if section_id:
                member.add(section_id)
    return Actor(
        user=user,
        person_id=person.pk,
        pseudonym=person.pseudonym,
        secretariat=secretariat,
        correspondent_of=frozenset(correspondent),
        member_of=frozenset(member),
        translator_languages=frozenset(languages),
        is_translator=translator,
    )


def needs_two_factor(user: Any) -> bool:
    """Secretariat editors and superusers must log in with a second factor."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Role.objects.filter(active_roles(), person__user=user, kind=RoleKind.SECRETARIAT).exists()


def actor_for_request(request: HttpRequest) -> Actor:
    cached = getattr(request, "_liaison_actor", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    verified = True
    if user is not None and user.is_authenticated and hasattr(user, "is_verified"):
        # ``verified`` only matters to someone holding the secretariat role, who always needs a second factor:
        # no need to ask the database whether this account does.
        verified = user.is_verified()
    actor = actor_for_user(user, verified=verified)
    request._liaison_actor = actor  # type: ignore[attr-defined]
    return actor


def person_section_ids(person: Person) -> set[int]:
    return {
        section_id
        for section_id in person.roles.filter(active_roles(), section__isnull=False).values_list(
            "section_id", flat=True
        )
    }


def can_see_identity(actor: Actor, person: Person, section_ids: set[int] | None = None) -> bool:
    """The protected identity: the secretariat, the correspondents of the person's sections, and the person."""
    if actor.secretariat or (actor.person_id is not None and actor.person_id == person.pk):
        return True
    if not actor.correspondent_of:
        return False
    if section_ids is None:
        section_ids = person_section_ids(person)
    return bool(actor.correspondent_of & section_ids)


def can_manage_people(actor: Actor) -> bool:
    return actor.secretariat


def can_manage_registry(actor: Actor) -> bool:
    return actor.secretariat


def can_manage_periodicals_of(actor: Actor, section_id: int | None) -> bool:
    return actor.secretariat or actor.is_correspondent_of(section_id)


def can_see_people(actor: Actor) -> bool:
    """Pseudonyms and roles of people: members of the federation (the public sees correspondents on section pages)."""
    return actor.is_member
