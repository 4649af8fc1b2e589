"""The demo federation's registry: regions, sections with a lineage, periodicals, people and their roles.

All names and text here are invented for the demo. Built through the services, so the demo exercises the same rules
as the pages and the API.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.accounts.models import User
from liaison.federation import services
from liaison.federation.access import Actor
from liaison.federation.models import EventKind, Federation, Person, Region, RoleKind, Section
from liaison.periodicals.models import Audience, Frequency, Periodical

# The demo acts as the secretariat itself: the services check permissions, and this actor holds them all.
SYSTEM = Actor(secretariat=True)
PASSWORD = "liaison-demo"  # noqa: S105 - the demo's published password, printed by ``liaison demo``

FOUNDED = datetime.date(2018, 3, 17)
SECRETARIAT_FORMED = datetime.date(2021, 6, 1)

REGIONS = [("Europe", 1), ("The Americas", 2), ("Asia", 3), ("Africa", 4)]

# name, country, region, languages, [(event kind, date, other section, new name)]
SECTIONS: list[tuple[str, str, str, list[str], list[tuple[str, datetime.date, str | None, str]]]] = [
    ("Section française", "FR", "Europe", ["fr"], [("adhered", datetime.date(2018, 3, 17), None, "")]),
    ("Deutsche Sektion", "DE", "Europe", ["de"], [("adhered", datetime.date(2018, 3, 17), None, "")]),
    ("Section belge", "BE", "Europe", ["fr", "nl"], [("adhered", datetime.date(2018, 9, 2), None, "")]),
    ("Sección española", "ES", "Europe", ["es", "ca"], [("adhered", datetime.date(2019, 1, 20), None, "")]),
    (
        "Grupo Nueva Época",
        "ES",
        "Europe",
        ["es"],
        [
            ("split_from", datetime.date(2023, 11, 5), "Sección española", ""),
            ("observer", datetime.date(2024, 2, 1), None, ""),
        ],
    ),
    ("Sección mexicana", "MX", "The Americas", ["es"], [("adhered", datetime.date(2019, 5, 1), None, "")]),
    (
        "United States Section",
        "US",
        "The Americas",
        ["en", "es"],
        [
            ("adhered", datetime.date(2018, 10, 14), None, ""),
            ("suspended", datetime.date(2025, 4, 12), None, ""),
        ],
    ),
    (
        "Русская секция",
        "RU",
        "Europe",
        ["ru"],
        [("applied", datetime.date(2020, 2, 2), None, ""), ("adhered", datetime.date(2021, 1, 10), None, "")],
    ),
    ("日本支部", "JP", "Asia", ["ja", "en"], [("applied", datetime.date(2025, 8, 30), None, "")]),
    ("India Section", "IN", "Asia", ["hi", "en"], [("adhered", datetime.date(2020, 7, 4), None, "")]),
    (
        "Cape Workers' Circle",
        "ZA",
        "Africa",
        ["en", "zu"],
        [
            ("adhered", datetime.date(2019, 3, 3), None, ""),
            ("renamed", datetime.date(2022, 5, 1), None, "South African Section"),
        ],
    ),
    ("القسم المصري", "EG", "Africa", ["ar", "en"], [("adhered", datetime.date(2022, 9, 9), None, "")]),
]

# name, section (None for the federation's bulletins), language, frequency, short name (None: made from the
# name), audience. The bulletins' short names are the ones citations use: [[bulletin/1/1]].
PERIODICALS: list[tuple[str, str | None, str, str, str | None, str]] = [
    ("International Information Bulletin", None, "en", Frequency.MONTHLY, "bulletin", Audience.PUBLIC),
    ("Internal Discussion Bulletin", None, "en", Frequency.IRREGULAR, "internal", Audience.MEMBERS),
    ("La Lettre des cercles", "Section française", "fr", Frequency.MONTHLY, None, Audience.PUBLIC),
    ("Rundbrief", "Deutsche Sektion", "de", Frequency.QUARTERLY, None, Audience.PUBLIC),
    ("Boletín del Círculo", "Sección mexicana", "es", Frequency.MONTHLY, None, Audience.PUBLIC),
    ("Бюллетень секции", "Русская секция", "ru", Frequency.BIMONTHLY, None, Audience.PUBLIC),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    pseudonym: str
    real_name: str
    roles: tuple[tuple[str, str | None, tuple[str, ...]], ...]
    superuser: bool = False
    two_factor: bool = False


LOGINS = [
    DemoLogin(
        "editor",
        "secretariat editor",
        "Ilse Moreau",
        "Ilse-Marie Kramer",
        ((RoleKind.SECRETARIAT, None, ()),),
        two_factor=True,
    ),
    DemoLogin(
        "correspondent",
        "section correspondent (Section française)",
        "Jean Rives",
        "Jeanne Rivière",
        ((RoleKind.CORRESPONDENT, "Section française", ()), (RoleKind.MEMBER, "Section française", ())),
    ),
    DemoLogin(
        "corresponsal",
        "section correspondent (Sección mexicana)",
        "Tomás Vega",
        "Tomasa Vegas Ortiz",
        ((RoleKind.CORRESPONDENT, "Sección mexicana", ()),),
    ),
    DemoLogin(
        "translator",
        "translator (en, fr, de, ru, es)",
        "Nadia Perevod",
        "Nadezhda Orlova",
        ((RoleKind.TRANSLATOR, None, ("en", "fr", "de", "ru", "es")),),
    ),
    # A second translator, so that every translation has someone who did not write it to review it (the editor
    # reviews the German ones: the secretariat reviews in any language).
    DemoLogin(
        "reviewer",
        "translator and reviewer (en, fr, es, ru)",
        "Marta Lectora",
        "Marta Lecanda Ruiz",
        ((RoleKind.TRANSLATOR, None, ("en", "fr", "es", "ru")),),
    ),
    DemoLogin(
        "member",
        "member (Deutsche Sektion)",
        "Karl Leser",
        "Karla Lesniak",
        ((RoleKind.MEMBER, "Deutsche Sektion", ()),),
    ),
    DemoLogin("admin", "superuser (Django admin)", "Admin", "Site Administrator", (), superuser=True, two_factor=True),
]

# People without an account: most of a section's members never log in.
OFFLINE_PEOPLE = [
    ("Amina K.", "Amina Kassem", "القسم المصري", RoleKind.CORRESPONDENT),
    ("Ravi S.", "Ravindra Sharma", "India Section", RoleKind.CORRESPONDENT),
    ("Hanna W.", "Johanna Weber", "Deutsche Sektion", RoleKind.CORRESPONDENT),
    ("Lucía M.", "Lucía Marín", "Grupo Nueva Época", RoleKind.CORRESPONDENT),
    ("Pablo R.", "Pablo Ramos", "Sección española", RoleKind.CORRESPONDENT),
    ("Марина П.", "Марина Петрова", "Русская секция", RoleKind.CORRESPONDENT),
    ("Thabo N.", "Thabo Nkosi", "South African Section", RoleKind.CORRESPONDENT),
    ("Émile D.", "Émile Dubois", "Section belge", RoleKind.CORRESPONDENT),
    ("Yuki T.", "Yukiko Tanaka", "日本支部", RoleKind.CORRESPONDENT),
]


def build() -> Federation:
    federation = Federation.objects.create(
        pk=1,
        name="International Federation of Labour Education Circles",
        founded=FOUNDED,
        working_languages=["en", "fr", "de", "ru", "es"],
        description=(
            "A federation of autonomous national circles for workers' education. Its sections exchange their "
            "papers, write for a common bulletin, and are preparing their first international conference."
        ),
    )
    regions = {name: services.create_region(SYSTEM, name=name, order=order) for name, order in REGIONS}
    sections: dict[str, Section] = {}
    for name, country, region, languages, _events in SECTIONS:
        sections[name] = services.create_section(
            SYSTEM, name=name, country=country, region=regions[region], languages=languages
        )
    for name, _country, _region, _languages, events in SECTIONS:
        for kind, date, other, new_name in events:
            section = Section.objects.get(pk=sections[name].pk)
            services.record_event(
                SYSTEM,
                section,
                kind=kind,
                date=date,
                other_section=sections[other] if other else None,
                new_name=new_name,
                note=_event_note(kind),
            )
    sections = {s.name: s for s in Section.objects.all()}
    for name, section_name, language, frequency, slug, audience in PERIODICALS:
        Periodical.objects.create(
            name=name,
            slug=slug or services.unique_slug(Periodical, name, "periodical"),
            section=sections[section_name] if section_name else None,
            language=language,
            frequency=frequency,
            audience=audience,
        )
    services.delegate_editorial_role(
        SYSTEM,
        section=sections["Section française"],
        start=FOUNDED,
        end=SECRETARIAT_FORMED - datetime.timedelta(days=1),
        note="Publication assigned to the French section until the secretariat was formed.",
    )
    services.delegate_editorial_role(SYSTEM, section=None, start=SECRETARIAT_FORMED, note="Secretariat formed.")
    _people(sections)
    return federation


def _event_note(kind: str) -> str:
    return {
        EventKind.SPLIT_FROM: "A minority left after the dispute over electoral tactics; both sides remain in touch.",
        EventKind.SUSPENDED: "Suspended for two years of unanswered letters and unpaid dues.",
        EventKind.RENAMED: "Renamed at its national congress.",
    }.get(EventKind(kind), "")


def _people(sections: dict[str, Section]) -> None:
    for login in LOGINS:
        user = User.objects.create_user(
            username=login.username,
            email=f"{login.username}@demo.liaison.invalid",
            password=PASSWORD,
            is_staff=login.superuser,
            is_superuser=login.superuser,
        )
        person = services.create_person(
            SYSTEM,
            pseudonym=login.pseudonym,
            real_name=login.real_name,
            address="Demo Street 1, Demo City",
            phone="+00 000 000 000",
        )
        person.user = user
        person.save(update_fields=["user"])
        for kind, section_name, languages in login.roles:
            services.assign_role(
                SYSTEM,
                person,
                kind=kind,
                section=sections[section_name] if section_name else None,
                languages=languages,
                since=FOUNDED,
            )
        if login.two_factor:
            TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    for pseudonym, real_name, section_name, kind in OFFLINE_PEOPLE:
        person = services.create_person(SYSTEM, pseudonym=pseudonym, real_name=real_name)
        services.assign_role(SYSTEM, person, kind=kind, section=sections[section_name], since=FOUNDED)
    # A few plain members, so the people list looks like a federation's.
    for index, section_name in enumerate(["Section française", "Deutsche Sektion", "Sección mexicana"]):
        person = services.create_person(SYSTEM, pseudonym=f"Reader {index + 1}", real_name=f"Hidden Reader {index + 1}")
        services.assign_role(SYSTEM, person, kind=RoleKind.MEMBER, section=sections[section_name], since=FOUNDED)


def demo_people() -> list[tuple[DemoLogin, Person | None]]:
    people = {
        p.user.username: p
        for p in Person.objects.filter(user__username__in=[x.username for x in LOGINS]).select_related("user")
        if p.user is not None
    }
    return [(login, people.get(login.username)) for login in LOGINS]


__all__ = ["LOGINS", "PASSWORD", "Region", "build", "demo_people"]
