"""The services added for the writing pages: editing a question's texts and options, reordering the agenda, and the
matrix reduced to one section's row."""

from __future__ import annotations

from typing import Any

import pytest

from liaison.conference import services
from liaison.conference.models import ConferenceStatus, PositionState
from liaison.errors import LiaisonError, NotAllowed
from tests.conference.conftest import BEFORE, StatePosition


def numbers(conference: Any) -> list[tuple[int, str]]:
    return [(q.number, q.title["en"]) for q in conference.questions.order_by("number")]


# Editing a question ------------------------------------------------------------------------------------------------


def test_it_adds_the_missing_languages_to_a_question(world: Any, conference: Any, questions: Any) -> None:
    q2 = questions[1]
    assert services.missing_languages(q2.title) == ["de", "ru", "es"]
    services.edit_question(
        world.actor("editor"),
        q2,
        title={**q2.title, "de": "Die Gewerkschaften", "ru": "Профсоюзы"},
        description={"en": "Work in the unions."},
        options=["support", "oppose"],
    )
    q2.refresh_from_db()
    assert q2.title["ru"] == "Профсоюзы" and q2.description == {"en": "Work in the unions."}
    assert q2.options == ["support", "oppose"]
    assert services.missing_languages(q2.title) == ["es"]


@pytest.mark.parametrize("role", ["member", "corr_a", "corr_b", "translator", "anonymous"])
def test_only_the_editors_edit_questions(world: Any, conference: Any, questions: Any, role: str) -> None:
    with pytest.raises(NotAllowed):
        services.edit_question(world.actor(role), questions[0], title={"en": "Changed"})
    questions[0].refresh_from_db()
    assert questions[0].title["en"] == "The united front"


def test_a_question_keeps_a_title_and_working_languages(world: Any, conference: Any, questions: Any) -> None:
    editor = world.actor("editor")
    with pytest.raises(LiaisonError, match="at least one language") as refused:
        services.edit_question(editor, questions[0], title={"en": " "})
    assert refused.value.field == "title"
    with pytest.raises(LiaisonError, match="working languages"):
        services.edit_question(editor, questions[0], title={"ar": "الجبهة الموحدة"})
    questions[0].refresh_from_db()
    assert questions[0].title["en"] == "The united front"


def test_an_option_held_by_a_position_stays_offered(world: Any, conference: Any, state: StatePosition) -> None:
    position = state(option="amend")
    editor = world.actor("editor")
    with pytest.raises(LiaisonError, match="support with amendments") as refused:
        services.edit_question(editor, position.question, title={"en": "The united front"}, options=["support"])
    assert refused.value.field == "options"
    # Dropping every option would take away "amend" too (the question would offer only its own answer and abstain).
    with pytest.raises(LiaisonError):
        services.edit_question(editor, position.question, title={"en": "The united front"}, options=[])
    position.question.refresh_from_db()
    assert position.question.options == ["support", "oppose", "amend"]
    # Adding one, keeping the chosen one, is fine.
    services.edit_question(
        editor, position.question, title={"en": "The united front"}, options=["support", "amend", "alternative"]
    )


def test_a_question_answered_in_own_words_keeps_that_answer(world: Any, conference: Any, state: StatePosition) -> None:
    position = state(question=1, option="own")
    with pytest.raises(LiaisonError, match="its own answer"):
        services.edit_question(world.actor("editor"), position.question, title={"en": "x"}, options=["support"])


def test_a_closed_conference_keeps_its_questions(world: Any, conference: Any, questions: Any) -> None:
    editor = world.actor("editor")
    services.set_conference_status(editor, conference, ConferenceStatus.CONVENED)
    services.set_conference_status(editor, conference, ConferenceStatus.CLOSED)
    with pytest.raises(LiaisonError, match="closed"):
        services.edit_question(editor, questions[0], title={"en": "Changed"})
    with pytest.raises(LiaisonError, match="closed"):
        services.move_question(editor, questions[1], to=1)


# Reordering the agenda ---------------------------------------------------------------------------------------------


def test_it_reorders_the_agenda(world: Any, conference: Any, questions: Any) -> None:
    editor = world.actor("editor")
    services.create_question(editor, conference, title={"en": "The colonies"})
    services.move_question(editor, questions[0], to=3)
    assert numbers(conference) == [(1, "The trade unions"), (2, "The colonies"), (3, "The united front")]
    moved = services.move_question(editor, conference.questions.get(number=2), to=1)
    assert moved.number == 1
    assert numbers(conference) == [(1, "The colonies"), (2, "The trade unions"), (3, "The united front")]
    services.move_question(editor, moved, to=1)  # where it is: nothing moves
    assert numbers(conference) == [(1, "The colonies"), (2, "The trade unions"), (3, "The united front")]


@pytest.mark.parametrize("to", [0, 3, -1])
def test_a_place_off_the_agenda_is_refused(world: Any, conference: Any, questions: Any, to: int) -> None:
    with pytest.raises(LiaisonError, match="between 1 and 2") as refused:
        services.move_question(world.actor("editor"), questions[0], to=to)
    assert refused.value.field == "number"
    assert numbers(conference) == [(1, "The united front"), (2, "The trade unions")]


def test_numbers_are_fixed_once_a_position_is_stated(world: Any, conference: Any, state: StatePosition) -> None:
    position = state(question=1, option="own")
    with pytest.raises(LiaisonError, match="keep their numbers"):
        services.move_question(world.actor("editor"), position.question, to=1)
    assert numbers(conference) == [(1, "The united front"), (2, "The trade unions")]


@pytest.mark.parametrize("role", ["member", "corr_a", "anonymous"])
def test_only_the_editors_reorder(world: Any, conference: Any, questions: Any, role: str) -> None:
    with pytest.raises(NotAllowed):
        services.move_question(world.actor(role), questions[1], to=1)


# One section's row -----------------------------------------------------------------------------------------------


def test_the_matrix_reduced_to_a_section(world: Any, conference: Any, state: StatePosition) -> None:
    state(section="a", stance="Alpha's draft.")
    state(section="b", option="oppose", to="submitted", language="pt")
    own = services.matrix(world.actor("corr_a"), conference, section=world.section_a, now=BEFORE)
    assert [r.section for r in own.rows] == [world.section_a]
    assert [c.state for c in own.rows[0].cells] == [PositionState.DRAFT, PositionState.NOT_STATED]
    assert own.rows[0].cells[0].stance == "Alpha's draft."
    other = services.matrix(world.actor("corr_a"), conference, section=world.section_b, now=BEFORE)
    assert [r.section for r in other.rows] == [world.section_b]
    assert other.rows[0].cells[0].state == PositionState.SUBMITTED
    assert other.rows[0].cells[0].stance == ""  # submitted, not yet published: the editors' and B's business
    assert other.rows[0].wave.name == "Americas"


def test_a_dissolved_section_still_has_its_row(world: Any, conference: Any, questions: Any, waves: Any) -> None:
    from liaison.federation.models import Section, SectionStatus

    Section.objects.filter(pk=world.section_b.pk).update(status=SectionStatus.DISSOLVED)
    world.section_b.refresh_from_db()
    table = services.matrix(world.actor("member"), conference, section=world.section_b, now=BEFORE)
    assert [r.section for r in table.rows] == [world.section_b]


@pytest.mark.parametrize("n", [0, 5])
def test_a_sections_row_costs_the_same_queries(
    world: Any, conference: Any, questions: Any, waves: Any, n: int, django_assert_num_queries: Any
) -> None:
    editor = world.actor("editor")
    for i in range(n):
        question = services.create_question(editor, conference, title={"en": f"Q{i}"})
        services.state_position(
            world.actor("corr_a"),
            conference,
            question,
            world.section_a,
            option="own",
            stance="s",
            statement="t",
            language="fr",
        )
    with django_assert_num_queries(8):
        services.matrix(editor, conference, section=world.section_a, now=BEFORE)
