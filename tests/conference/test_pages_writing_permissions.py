"""Who may use each of the conference's writing pages, for every role of ``world``: anonymous, a member of section A,
A's correspondent, B's correspondent, a translator, and the secretariat editor.

Allowed: a GET answers 200, a valid POST does its work and redirects (302). Refused: an anonymous visitor is sent to
log in, anyone else gets 403, and a refused POST changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from liaison.conference.models import (
    Conference,
    Endorsement,
    Milestone,
    Position,
    PositionRevision,
    Question,
    Wave,
    WaveOverride,
)
from tests.conference.conftest import StatePosition, publish
from tests.conftest import ROLES

EVERYONE = frozenset(ROLES)
MEMBERS = EVERYONE - {"anonymous"}
EDITOR = frozenset({"editor"})
CORR_A = frozenset({"corr_a"})
CORR_B = frozenset({"corr_b"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    may_get: frozenset[str]
    post: dict[str, Any] | None = None
    may_post: frozenset[str] = NOBODY
    action: bool = False


def fingerprint() -> tuple[Any, ...]:
    """Everything a writing page may change."""
    return (
        list(Conference.objects.order_by("pk").values_list("pk", "status")),
        list(Milestone.objects.values_list("pk", flat=True)),
        list(Question.objects.order_by("pk").values_list("pk", "number", "title", "options")),
        list(Wave.objects.values_list("pk", flat=True)),
        list(WaveOverride.objects.values_list("pk", "wave_id")),
        list(Position.objects.order_by("pk").values_list("pk", "version", "option")),
        PositionRevision.objects.count(),
        list(Endorsement.objects.order_by("pk").values_list("pk", "withdrawn_at")),
    )


@pytest.fixture
def scene(world: Any, conference: Any, bulletin: Any, issues: Any, waves: Any, state: StatePosition) -> dict[str, Any]:
    """A's position on question 1 published; B's endorsement of it standing; a members-only conference too."""
    from liaison.conference import services

    position = state(option="support", stance="We support it.")
    publish(world, position)
    endorsement = services.endorse(world.actor("corr_b"), world.section_b, position)
    internal = services.create_conference(world.actor("editor"), title="Members only", bulletin=bulletin)
    services.create_question(world.actor("editor"), internal, title={"en": "An internal question"})
    services.create_question(world.actor("editor"), internal, title={"en": "Another internal question"})
    return {"conference": conference, "internal": internal, "endorsement": endorsement, "bulletin": bulletin}


def pages(world: Any, scene: dict[str, Any]) -> list[Page]:
    c = scene["conference"].pk
    internal = scene["internal"].pk
    base = f"/conferences/{c}"
    statement = {"option": "oppose", "stance": "We oppose it.", "language": "fr", "statement": "Why we oppose it."}
    return [
        Page("section_a", f"{base}/sections/alpha/", EVERYONE),
        Page("section_b", f"{base}/sections/beta/", EVERYONE),
        Page("section_internal", f"/conferences/{internal}/sections/alpha/", MEMBERS),
        Page(
            "position_a1",
            f"{base}/sections/alpha/questions/1/",
            EVERYONE,
            {**statement, "base_version": 1},
            CORR_A,
        ),
        Page("position_a2", f"{base}/sections/alpha/questions/2/", EVERYONE, {**statement, "option": "own"}, CORR_A),
        Page(
            "position_b2",
            f"{base}/sections/beta/questions/2/",
            EVERYONE,
            {**statement, "option": "own", "language": "pt"},
            CORR_B,
        ),
        Page(
            "position_internal",
            f"/conferences/{internal}/sections/alpha/questions/1/",
            MEMBERS,
            {**statement, "option": "own"},
            CORR_A,
        ),
        Page(
            "withdraw_endorsement",
            f"{base}/sections/alpha/questions/1/endorsements/{scene['endorsement'].pk}/withdraw/",
            NOBODY,
            {},
            CORR_B,
            action=True,
        ),
        Page(
            "conference_new",
            "/conferences/new/",
            EDITOR,
            {"title": "Another conference", "bulletin": scene["bulletin"].pk},
            EDITOR,
        ),
        Page("manage", f"{base}/manage/", EDITOR, {"status": "convened"}, EDITOR),
        Page(
            "milestone_new",
            f"{base}/manage/milestones/new/",
            EDITOR,
            {"date": "2031-08-01", "title_en": "Agenda fixed"},
            EDITOR,
        ),
        Page("question_new", f"{base}/manage/questions/new/", EDITOR, {"title_en": "A third question"}, EDITOR),
        Page(
            "question_edit",
            f"{base}/manage/questions/2/",
            EDITOR,
            {"title_en": "The trade unions", "title_de": "Die Gewerkschaften"},
            EDITOR,
        ),
        Page(
            "question_move",
            f"/conferences/{internal}/manage/questions/2/move/",
            NOBODY,
            {"to": 1},
            EDITOR,
            action=True,
        ),
        Page(
            "wave_new",
            f"/conferences/{internal}/manage/waves/new/",
            EDITOR,
            {
                "name": "Everyone",
                "regions": [world.europe.pk],
                "deadline": "2031-05-01T12:00",
                "time_zone": "UTC",
                "issue": scene["conference"].waves.last().issue_id,
            },
            EDITOR,
        ),
        Page(
            "section_move",
            f"{base}/manage/move-section/",
            EDITOR,
            {"section": world.section_b.pk, "wave": scene["conference"].waves.first().pk, "reason": "Asked to."},
            EDITOR,
        ),
    ]


PAGE_NAMES = [
    "section_a",
    "section_b",
    "section_internal",
    "position_a1",
    "position_a2",
    "position_b2",
    "position_internal",
    "withdraw_endorsement",
    "conference_new",
    "manage",
    "milestone_new",
    "question_new",
    "question_edit",
    "question_move",
    "wave_new",
    "section_move",
]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_get(world: Any, client_as: Any, scene: dict[str, Any], name: str) -> None:
    page = next(p for p in pages(world, scene) if p.name == name)
    for role in ROLES:
        answer = client_as(role).get(page.url)
        if page.action:
            assert answer.status_code == 405, (name, role)
        elif role in page.may_get:
            assert answer.status_code == 200, (name, role)
        elif role == "anonymous":
            assert answer.status_code == 302 and "/login/" in answer["Location"], (name, role)
        else:
            assert answer.status_code == 403, (name, role)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_post(world: Any, client_as: Any, scene: dict[str, Any], name: str) -> None:
    """Every refused role first (nothing changes), then the allowed one (its POST does its work)."""
    page = next(p for p in pages(world, scene) if p.name == name)
    if page.post is None:
        return
    before = fingerprint()
    for role in [r for r in ROLES if r not in page.may_post]:
        answer = client_as(role).post(page.url, page.post)
        if role == "anonymous":
            assert answer.status_code == 302 and "/login/" in answer["Location"], (name, role)
        else:
            assert answer.status_code == 403, (name, role)
        assert fingerprint() == before, (name, role)
    for role in page.may_post:
        answer = client_as(role).post(page.url, page.post)
        assert answer.status_code == 302, (name, role, answer.content.decode()[-2000:])
        assert fingerprint() != before, (name, role)


def test_an_editor_without_a_second_factor_is_refused(world: Any, scene: dict[str, Any]) -> None:
    from django.test import Client

    client = Client()
    client.force_login(world.users["editor"])
    for url in ("/conferences/new/", f"/conferences/{scene['conference'].pk}/manage/"):
        answer = client.get(url)
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/two-factor/")
        assert client.post(url, {"title": "Sneaky", "status": "convened"}).status_code == 302
    assert not Conference.objects.filter(title="Sneaky").exists()
    assert Conference.objects.get(pk=scene["conference"].pk).status == "preparing"


def test_the_delegated_section_manages_while_it_holds_the_editorial_role(
    world: Any, client_as: Any, scene: dict[str, Any]
) -> None:
    from liaison.federation.models import EditorialDelegation

    url = f"/conferences/{scene['conference'].pk}/manage/"
    assert client_as("corr_b").get(url).status_code == 403
    EditorialDelegation.objects.create(section=world.section_b, start=datetime.date(2020, 1, 1))
    assert client_as("corr_b").get(url).status_code == 200
