"""Helpers of the registry tests: more sections and people on top of ``world``, and the invitation's mail templates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from liaison.federation.models import Person, Region, Role, RoleKind, Section, SectionStatus
from liaison.periodicals.models import Frequency, Periodical


def make_section(name: str, region: Region, *, slug: str | None = None, **fields: Any) -> Section:
    fields.setdefault("country", "DE")
    fields.setdefault("languages", ["de"])
    fields.setdefault("status", SectionStatus.ADHERING)
    return Section.objects.create(name=name, slug=slug or name.lower().replace(" ", "-"), region=region, **fields)


def make_periodical(name: str, section: Section | None, language: str = "de") -> Periodical:
    return Periodical.objects.create(
        name=name, slug=name.lower().replace(" ", "-"), section=section, language=language, frequency=Frequency.MONTHLY
    )


def make_person(pseudonym: str, *, kind: str = RoleKind.MEMBER, section: Section | None = None) -> Person:
    person = Person.objects.create(pseudonym=pseudonym, real_name=f"{pseudonym} Real")
    Role.objects.create(person=person, kind=kind, section=section, since=datetime.date(2020, 1, 1))
    return person


def errors_of(response: Any, field: str) -> list[str]:
    """The errors a form page shows next to one field (``None`` for the errors above the form)."""
    form = response.context["form"]
    return [str(error) for error in form.errors.get(field or "__all__", [])]


@pytest.fixture
def invitation_templates(settings: Any, tmp_path: Path) -> None:
    """The invitation's mail templates, from the project when they exist, or stand-ins in a temporary directory."""
    try:
        get_template("registration/invitation_email.txt")
        get_template("registration/invitation_subject.txt")
        return
    except TemplateDoesNotExist:
        pass
    folder = tmp_path / "registration"
    folder.mkdir()
    (folder / "invitation_subject.txt").write_text("Your account at {{ site_name }}")
    (folder / "invitation_email.txt").write_text(
        "Choose your password: {{ protocol }}://{{ domain }}/accounts/reset/{{ uid }}/{{ token }}/\n"
    )
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates


# Every page of the registry, with who may use it: the permission matrix and the identity-leak test walk this list.
EVERYONE = frozenset({"anonymous", "member", "corr_a", "corr_b", "translator", "editor"})
MEMBERS = EVERYONE - {"anonymous"}
SECRETARIAT = frozenset({"editor"})


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    may_get: frozenset[str]
    # Valid input for a POST, or None for a read-only page (which answers a POST with 405).
    post: dict[str, Any] | None = None
    may_post: frozenset[str] = frozenset()


def registry_pages(world: Any) -> list[Page]:
    offline = world.people["offline"]
    member = world.people["member"]
    corr_b_role = Role.objects.get(person=world.people["corr_b"])
    periodical = {"name": "A Paper", "language": "fr", "frequency": "monthly"}
    return [
        Page("overview", "/", EVERYONE),
        Page("section", "/sections/alpha/", EVERYONE),
        Page("region_add", "/regions/add/", SECRETARIAT, {"name": "Asia", "order": "3"}, SECRETARIAT),
        Page(
            "section_add",
            "/sections/add/",
            SECRETARIAT,
            {"name": "Section Gamma", "country": "DE", "region": world.europe.pk, "languages": "de"},
            SECRETARIAT,
        ),
        Page(
            "section_edit",
            "/sections/alpha/edit/",
            SECRETARIAT,
            {"country": "BE", "region": world.europe.pk, "languages": "fr, nl"},
            SECRETARIAT,
        ),
        Page(
            "event_add",
            "/sections/alpha/lineage/add/",
            SECRETARIAT,
            {"kind": "suspended", "date": "2019-01-01"},
            SECRETARIAT,
        ),
        Page(
            "section_periodical_add_alpha",
            "/sections/alpha/periodicals/add/",
            frozenset({"corr_a", "editor"}),
            periodical,
            frozenset({"corr_a", "editor"}),
        ),
        Page(
            "section_periodical_add_beta",
            "/sections/beta/periodicals/add/",
            frozenset({"corr_b", "editor"}),
            periodical,
            frozenset({"corr_b", "editor"}),
        ),
        Page("periodical_add", "/periodicals/add/", SECRETARIAT, {**periodical, "section": ""}, SECRETARIAT),
        Page("delegations", "/editorial-role/", SECRETARIAT, {"section": "", "start": "2001-01-01"}, SECRETARIAT),
        Page(
            "delegations_lookup",
            "/editorial-role/?on=2001-01-01",
            SECRETARIAT,
            {"section": "", "start": "2001-01-01"},
            SECRETARIAT,
        ),
        Page("people", "/people/", MEMBERS),
        Page("people_filtered", f"/people/?section={world.section_a.pk}&kind=member", MEMBERS),
        Page("person", f"/people/{offline.pk}/", MEMBERS),
        Page("person_add", "/people/add/", SECRETARIAT, {"pseudonym": "New One", "real_name": "N. O."}, SECRETARIAT),
        Page(
            "person_edit",
            f"/people/{offline.pk}/edit/",
            frozenset({"corr_a", "editor"}),
            {"pseudonym": "Quiet One", "real_name": "Quentin Corrected"},
            frozenset({"corr_a", "editor"}),
        ),
        Page(
            "person_edit_own",
            f"/people/{member.pk}/edit/",
            frozenset({"member", "corr_a", "editor"}),
            {"pseudonym": "Alpha Member", "real_name": "Marcel Corrected"},
            frozenset({"member", "corr_a", "editor"}),
        ),
        Page(
            "role_add",
            f"/people/{offline.pk}/roles/add/",
            SECRETARIAT,
            {"kind": "translator", "languages": "fr"},
            SECRETARIAT,
        ),
        Page(
            "role_end",
            f"/people/{corr_b_role.person_id}/roles/{corr_b_role.pk}/end/",
            SECRETARIAT,
            {"until": ""},
            SECRETARIAT,
        ),
        Page(
            "invite",
            f"/people/{offline.pk}/invite/",
            SECRETARIAT,
            {"username": "quiet", "email": "quiet@example.org"},
            SECRETARIAT,
        ),
    ]


def registry_state() -> list[Any]:
    """Everything a registry page can change, to show that a refused request changed nothing."""
    from liaison.accounts.models import User
    from liaison.federation.models import EditorialDelegation, SectionEvent

    return [
        list(Region.objects.order_by("pk").values_list("name", "order")),
        list(Section.objects.order_by("pk").values_list("name", "country", "region", "languages", "status")),
        list(SectionEvent.objects.order_by("pk").values_list("section", "kind", "date")),
        list(EditorialDelegation.objects.order_by("pk").values_list("section", "start", "end")),
        [(p.pseudonym, p.real_name, p.user_id) for p in Person.objects.order_by("pk")],
        list(Role.objects.order_by("pk").values_list("person", "kind", "section", "since", "until")),
        list(Periodical.objects.order_by("pk").values_list("name", "section")),
        list(User.objects.order_by("pk").values_list("username")),
    ]
