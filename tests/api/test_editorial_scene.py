"""The bulletin scene the editorial API tests stand on, built through the services, and a check that it holds.

On top of ``world``: a public bulletin whose issue No. 1 is published (one item, section A's) and whose issue No. 2
is open with a call and one placed item (section B's); an internal bulletin with a published item of section B; and
contributions of both sections in the other states. ``scene.ids`` names them for paths such as
``/contributions/{draft_a}``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from liaison.editorial import services
from liaison.editorial.models import Contribution, Item, State
from liaison.periodicals.models import Audience, Issue, Periodical
from tests.conftest import World


@dataclass
class Scene:
    bulletin: Periodical
    internal: Periodical
    issue1: Issue
    issue2: Issue
    contributions: dict[str, Contribution] = field(default_factory=dict)

    @property
    def ids(self) -> dict[str, Any]:
        return {name: c.pk for name, c in self.contributions.items()} | {"call": self.issue2.calls.get().pk}


def write(world: World, role: str, bulletin: Periodical, title: str, body: str = "Text.", **extra: Any) -> Contribution:
    section = world.section_a if role == "corr_a" else world.section_b
    return services.create_contribution(
        world.actor(role),
        section=section,
        periodical=bulletin,
        title=title,
        language="fr" if role == "corr_a" else "es",
        kind="report",
        body=body,
        **extra,
    )


def accepted(world: World, role: str, bulletin: Periodical, title: str, **extra: Any) -> Contribution:
    contribution = write(world, role, bulletin, title, **extra)
    services.submit(world.actor(role), contribution)
    services.transition(world.actor("editor"), contribution, State.ACCEPTED)
    return contribution


def build_scene(world: World) -> Scene:
    editor = world.actor("editor")
    bulletin = Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")
    internal = Periodical.objects.create(
        name="Internal", slug="internal", language="en", frequency="monthly", audience=Audience.MEMBERS
    )
    issue1 = services.create_issue(editor, bulletin, planned_date=datetime.date(2030, 1, 1), budget_pages=8)
    issue2 = services.create_issue(editor, bulletin, planned_date=datetime.date(2030, 2, 1), budget_pages=8)
    internal1 = services.create_issue(editor, internal, planned_date=None, budget_pages=8)
    scene = Scene(bulletin, internal, issue1, issue2)
    c = scene.contributions

    c["pub_a"] = accepted(world, "corr_a", bulletin, "Published of Alpha")
    services.place(editor, c["pub_a"], issue1)
    services.mark_published(editor, issue1)
    c["internal_b"] = accepted(world, "corr_b", internal, "Internal of Beta")
    services.place(editor, c["internal_b"], internal1)
    services.mark_published(editor, internal1)

    call = services.open_call(
        editor,
        issue2,
        topic="The conference",
        deadline=timezone.now() + datetime.timedelta(days=30),
        sections=[world.section_a],
        regions=[world.americas],
    )
    c["placed_b"] = accepted(world, "corr_b", bulletin, "Placed of Beta", call=call)
    services.place(editor, c["placed_b"], issue2)
    c["accepted_a"] = accepted(world, "corr_a", bulletin, "Accepted of Alpha", call=call)
    c["draft_a"] = write(world, "corr_a", bulletin, "Draft of Alpha")
    c["draft_b"] = write(world, "corr_b", bulletin, "Draft of Beta")
    c["submitted_a"] = write(world, "corr_a", bulletin, "Submitted of Alpha")
    services.submit(world.actor("corr_a"), c["submitted_a"])
    c["returned_b"] = write(world, "corr_b", bulletin, "Returned of Beta")
    services.submit(world.actor("corr_b"), c["returned_b"])
    services.transition(editor, c["returned_b"], State.RETURNED, reason="Shorter, please.")
    for contribution in c.values():
        contribution.refresh_from_db()
    return scene


@pytest.fixture
def scene(world: World) -> Scene:
    return build_scene(world)


def test_the_scene_holds_what_the_tests_expect(scene: Scene) -> None:
    states = {name: c.state for name, c in scene.contributions.items()}
    assert states == {
        "pub_a": State.PUBLISHED,
        "internal_b": State.PUBLISHED,
        "placed_b": State.PLACED,
        "accepted_a": State.ACCEPTED,
        "draft_a": State.DRAFT,
        "draft_b": State.DRAFT,
        "submitted_a": State.SUBMITTED,
        "returned_b": State.RETURNED,
    }
    assert scene.issue1.items.get().contribution == scene.contributions["pub_a"]
    assert Item.objects.get(contribution=scene.contributions["placed_b"]).issue == scene.issue2
