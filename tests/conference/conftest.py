"""Fixtures of the conference tests: a public bulletin with issues No. 1 and No. 2, a conference preparing in it
with two questions, and two reply waves: Europe (section A) answers in No. 1, the Americas (section B) in No. 2.

``state`` states a position through the real services and walks its statement to the editorial state asked for.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from liaison.conference import services
from liaison.conference.models import Conference, Position, Question, Wave
from liaison.editorial import services as editorial
from liaison.editorial.models import State
from liaison.periodicals.models import Issue, Periodical

EUROPE_DEADLINE = datetime.datetime(2031, 3, 1, 12, 0, tzinfo=datetime.UTC)
AMERICAS_DEADLINE = datetime.datetime(2031, 6, 1, 12, 0, tzinfo=datetime.UTC)
BEFORE = datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture
def bulletin(world: Any) -> Periodical:
    return Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")


@pytest.fixture
def issues(world: Any, bulletin: Periodical) -> tuple[Issue, Issue]:
    editor = world.actor("editor")
    one = editorial.create_issue(editor, bulletin, planned_date=datetime.date(2031, 3, 15), budget_pages=40)
    two = editorial.create_issue(editor, bulletin, planned_date=datetime.date(2031, 6, 15), budget_pages=40)
    return one, two


@pytest.fixture
def conference(world: Any, bulletin: Periodical) -> Conference:
    return services.create_conference(
        world.actor("editor"),
        title="Second International Conference",
        place="Geneva",
        starts_on=datetime.date(2031, 9, 1),
        ends_on=datetime.date(2031, 9, 5),
        bulletin=bulletin,
        public=True,
    )


@pytest.fixture
def questions(world: Any, conference: Conference) -> tuple[Question, Question]:
    editor = world.actor("editor")
    q1 = services.create_question(
        editor,
        conference,
        title={"en": "The united front", "fr": "Le front unique", "de": "Die Einheitsfront"},
        description={"en": "Should the sections propose joint action to the larger parties?"},
        options=["support", "oppose", "amend"],
    )
    q2 = services.create_question(editor, conference, title={"en": "The trade unions", "fr": "Les syndicats"})
    return q1, q2


@pytest.fixture
def waves(world: Any, conference: Conference, issues: tuple[Issue, Issue]) -> tuple[Wave, Wave]:
    editor = world.actor("editor")
    europe = services.create_wave(
        editor, conference, name="Europe", regions=[world.europe], deadline=EUROPE_DEADLINE, issue=issues[0]
    )
    americas = services.create_wave(
        editor, conference, name="Americas", regions=[world.americas], deadline=AMERICAS_DEADLINE, issue=issues[1]
    )
    return europe, americas


StatePosition = Callable[..., Position]


def publish(world: Any, position: Position) -> None:
    """Accept the position's statement, place it in its intended issue and publish that issue."""
    editor = world.actor("editor")
    contribution = position.contribution
    contribution.refresh_from_db()
    if contribution.state == State.DRAFT:
        editorial.submit(world.actor(f"corr_{'a' if position.section_id == world.section_a.pk else 'b'}"), contribution)
    editorial.transition(editor, contribution, State.ACCEPTED)
    contribution.refresh_from_db()
    assert contribution.target_issue is not None
    editorial.place(editor, contribution, contribution.target_issue, reason="The test places it.")
    editorial.mark_published(editor, contribution.target_issue)


@pytest.fixture
def state(world: Any, conference: Conference, questions: Any, waves: Any) -> StatePosition:
    """``state(question=0, section="a", option="support", to="draft"|"submitted"|"published")``."""

    def make(
        question: int = 0,
        section: str = "a",
        option: str = "support",
        stance: str = "We support it without reservation.",
        to: str = "draft",
        language: str = "fr",
    ) -> Position:
        position = services.state_position(
            world.actor(f"corr_{section}"),
            conference,
            questions[question],
            world.section_a if section == "a" else world.section_b,
            option=option,
            stance=stance,
            statement="Our full statement.\n\nIt explains the position at length.",
            language=language,
            submit=to in ("submitted", "published"),
        )
        if to == "published":
            publish(world, position)
        position.refresh_from_db()
        return position

    return make


def later(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)
