"""The small federation every test can stand on, and logged-in clients for each role.

``world`` holds two sections in two regions, a secretariat editor (with a confirmed second factor), a correspondent
of each section, a translator, a member of section A and a person without an account; ``client_as("corr_a")`` gives
a test client acting as one of them, and ``client_as("anonymous")`` one acting as nobody.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.accounts.models import User
from liaison.federation.access import Actor, actor_for_user
from liaison.federation.models import Federation, Person, Region, Role, RoleKind, Section, SectionStatus

ROLES = ("anonymous", "member", "corr_a", "corr_b", "translator", "editor")


@dataclass
class World:
    federation: Federation
    europe: Region
    americas: Region
    section_a: Section
    section_b: Section
    people: dict[str, Person] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    devices: dict[str, TOTPDevice] = field(default_factory=dict)

    def actor(self, role: str) -> Actor:
        if role == "anonymous":
            return actor_for_user(None)
        return actor_for_user(self.users[role])


def _person(world: World, key: str, pseudonym: str, real_name: str, roles: list[tuple[str, Section | None]]) -> None:
    user = User.objects.create_user(username=key, email=f"{key}@example.org", password="correct horse battery")
    person = Person.objects.create(
        pseudonym=pseudonym,
        user=user,
        real_name=real_name,
        address=f"{real_name}, 1 Rue Secrète",
        phone="+33 1 23 45 67 89",
        notes=f"Notes about {real_name}",
    )
    for kind, section in roles:
        Role.objects.create(
            person=person,
            kind=kind,
            section=section,
            languages=["fr", "de"] if kind == RoleKind.TRANSLATOR else [],
            since=datetime.date(2020, 1, 1),
        )
    world.people[key] = person
    world.users[key] = user


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; tests that check the real hasher set it back themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: None) -> World:
    federation = Federation.objects.create(
        pk=1,
        name="Test Federation",
        founded=datetime.date(2000, 1, 1),
        working_languages=["en", "fr", "de", "ru", "es"],
    )
    europe = Region.objects.create(name="Europe", slug="europe", order=1)
    americas = Region.objects.create(name="Americas", slug="americas", order=2)
    section_a = Section.objects.create(
        name="Section Alpha",
        slug="alpha",
        country="FR",
        region=europe,
        languages=["fr"],
        status=SectionStatus.ADHERING,
    )
    section_b = Section.objects.create(
        name="Section Beta",
        slug="beta",
        country="BR",
        region=americas,
        languages=["pt", "es"],
        status=SectionStatus.ADHERING,
    )
    w = World(federation, europe, americas, section_a, section_b)
    _person(w, "editor", "Editor Pseud", "Erika Secretary", [(RoleKind.SECRETARIAT, None)])
    _person(w, "corr_a", "Alpha Corr", "Anatole Hidden", [(RoleKind.CORRESPONDENT, section_a)])
    _person(w, "corr_b", "Beta Corr", "Beatriz Hidden", [(RoleKind.CORRESPONDENT, section_b)])
    _person(w, "member", "Alpha Member", "Marcel Hidden", [(RoleKind.MEMBER, section_a)])
    _person(w, "translator", "Tongues", "Tatiana Hidden", [(RoleKind.TRANSLATOR, None)])
    # A member of section A without an account: the case of most of a section's members.
    w.people["offline"] = Person.objects.create(
        pseudonym="Quiet One", real_name="Quentin Hidden", address="3 Hidden Lane", phone="+1 555 0100"
    )
    Role.objects.create(person=w.people["offline"], kind=RoleKind.MEMBER, section=section_a)
    w.devices["editor"] = TOTPDevice.objects.create(user=w.users["editor"], name="phone", confirmed=True)
    return w


@pytest.fixture
def client_as(world: World) -> Callable[[str], Client]:
    def make(role: str) -> Client:
        client = Client()
        if role == "anonymous":
            return client
        user = world.users[role]
        client.force_login(user)
        device = world.devices.get(role)
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return make


# Every identity string the fixture protects: no page or API answer may show one to a role that may not see it.
PROTECTED_STRINGS = ("Hidden", "Rue Secrète", "+33 1 23 45 67 89", "Hidden Lane", "Erika Secretary")


@pytest.fixture(autouse=True)
def _english_by_default() -> Any:
    """Every test starts in the default language and leaves none behind: a page fetched in German leaves German
    active in the thread (Django activates a language per request and never resets it), and the next test's
    messages would come out in German."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def pytest_sessionstart(session: pytest.Session) -> None:
    """The interface's catalogues compiled from the committed .po files, so the pages tested speak every language
    even when the suite is run without ``make`` (the command compiles only what changed)."""
    if hasattr(session.config, "workerinput"):
        return
    from django.core.management import call_command

    call_command("compile_locales", verbosity=0)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI nothing may be skipped: a skip means a part of Liaison went untested."""
    from tests.helpers import IN_CI

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not IN_CI or reporter is None or hasattr(session.config, "workerinput"):
        return
    skipped = reporter.stats.get("skipped", [])
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"CI runs everything, but {len(skipped)} test(s) were skipped: failing the run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
