"""The conference scene the conference API tests stand on, built through the services, and a check that it holds.

On top of ``world`` (and a third region, Asia, with no wave): a **public** conference in the public bulletin with
three questions and two waves (Europe: section A, in issue No. 1; the Americas: section B, in No. 2). Section A's
position on question 1 is published, on question 2 submitted; section B's on question 1 is a draft; question 3 has
no position. A conference **for members** (not public) in the internal bulletin, where section A's position on its
question 1 is published and endorsed by section B. ``scene.ids`` names them for paths.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest

from liaison.conference import services
from liaison.conference.models import Conference, Endorsement, Position, PositionState, Question, Wave
from liaison.editorial import services as editorial
from liaison.editorial.models import State
from liaison.federation.models import Region
from liaison.periodicals.models import Audience, Periodical
from tests.conftest import World

DEADLINE = datetime.datetime(2099, 3, 1, 12, 0, tzinfo=datetime.UTC)


@dataclass
class Scene:
    public: Conference
    internal: Conference
    questions: list[Question]
    waves: list[Wave]
    positions: dict[str, Position] = field(default_factory=dict)
    endorsement: Endorsement | None = None

    @property
    def ids(self) -> dict[str, Any]:
        assert self.endorsement is not None
        return {
            "public": self.public.pk,
            "internal": self.internal.pk,
            "endorsement": self.endorsement.pk,
            "europe": self.waves[0].pk,
            "americas": self.waves[1].pk,
        }


def publish(world: World, position: Position) -> None:
    editor = world.actor("editor")
    contribution = position.contribution
    editorial.transition(editor, contribution, State.ACCEPTED)
    contribution.refresh_from_db()
    assert contribution.target_issue is not None
    editorial.place(editor, contribution, contribution.target_issue)
    editorial.mark_published(editor, contribution.target_issue)


def build_scene(world: World) -> Scene:
    editor = world.actor("editor")
    corr_a, corr_b = world.actor("corr_a"), world.actor("corr_b")
    Region.objects.create(name="Asia", slug="asia", order=3)
    bulletin = Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")
    internal = Periodical.objects.create(
        name="Internal", slug="internal", language="en", frequency="monthly", audience=Audience.MEMBERS
    )
    one = editorial.create_issue(editor, bulletin, planned_date=datetime.date(2099, 3, 15), budget_pages=40)
    two = editorial.create_issue(editor, bulletin, planned_date=datetime.date(2099, 6, 15), budget_pages=40)
    internal_one = editorial.create_issue(editor, internal, planned_date=None, budget_pages=40)

    public = services.create_conference(
        editor, title="Second International Conference", place="Genève", bulletin=bulletin, public=True
    )
    questions = [
        services.create_question(
            editor,
            public,
            title={"en": "The united front", "fr": "Le front unique", "de": "Die Einheitsfront"},
            options=["support", "oppose", "amend"],
        ),
        services.create_question(editor, public, title={"en": "The trade unions", "ru": "Профсоюзы"}),
        services.create_question(editor, public, title={"en": "The youth"}),
    ]
    waves = [
        services.create_wave(editor, public, name="Europe", regions=[world.europe], deadline=DEADLINE, issue=one),
        services.create_wave(
            editor,
            public,
            name="Americas",
            regions=[world.americas],
            deadline=DEADLINE + datetime.timedelta(days=90),
            issue=two,
        ),
    ]
    scene = Scene(public, services.create_conference(editor, title="Internal Conference", bulletin=internal), [], [])
    scene.questions, scene.waves = questions, waves
    internal_question = services.create_question(editor, scene.internal, title={"en": "The internal regime"})
    services.create_wave(
        editor,
        scene.internal,
        name="All",
        regions=[world.europe, world.americas],
        deadline=DEADLINE,
        issue=internal_one,
    )

    p = scene.positions
    statement = "Our full statement.\n\nIt explains the position at length."
    p["published_a"] = services.state_position(
        corr_a,
        public,
        questions[0],
        world.section_a,
        option="support",
        stance="Nous soutenons le front unique.",
        statement=statement,
        language="fr",
        submit=True,
    )
    publish(world, p["published_a"])
    p["submitted_a"] = services.state_position(
        corr_a,
        public,
        questions[1],
        world.section_a,
        option="own",
        stance="Submitted stance of Alpha.",
        statement=statement,
        language="fr",
        submit=True,
    )
    p["draft_b"] = services.state_position(
        corr_b,
        public,
        questions[0],
        world.section_b,
        option="oppose",
        stance="Draft stance of Beta.",
        statement=statement,
        language="es",
    )
    p["internal_a"] = services.state_position(
        corr_a,
        scene.internal,
        internal_question,
        world.section_a,
        option="own",
        stance="Internal stance of Alpha.",
        statement=statement,
        language="fr",
        submit=True,
    )
    publish(world, p["internal_a"])
    scene.endorsement = services.endorse(corr_b, world.section_b, p["internal_a"])
    for position in p.values():
        position.refresh_from_db()
    return scene


@pytest.fixture
def scene(world: World) -> Scene:
    return build_scene(world)


def test_the_scene_holds_what_the_tests_expect(world: World, scene: Scene) -> None:
    states = {name: p.contribution.state for name, p in scene.positions.items()}
    assert states == {
        "published_a": State.PUBLISHED,
        "submitted_a": State.SUBMITTED,
        "draft_b": State.DRAFT,
        "internal_a": State.PUBLISHED,
    }
    table = services.matrix(world.actor("editor"), scene.public)
    cells = {row.section.slug: [c.state for c in row.cells] for row in table.rows}
    assert cells == {
        "alpha": [PositionState.PUBLISHED, PositionState.SUBMITTED, PositionState.NOT_STATED],
        "beta": [PositionState.NOT_STATED, PositionState.NOT_STATED, PositionState.NOT_STATED],
    }
    assert not scene.internal.public
    assert scene.endorsement is not None and scene.endorsement.position == scene.positions["internal_a"]
