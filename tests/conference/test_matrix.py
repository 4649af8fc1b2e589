"""The positions matrix: sections grouped by region with their lineage, by questions; each cell in the reader's
language; filters; and a number of queries that does not grow with the sections or the questions."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import translation

from liaison.conference import services
from liaison.conference.models import Endorsement, Option, PositionState
from liaison.federation import services as federation
from liaison.federation.models import EventKind, Role, RoleKind, Section, SectionStatus
from tests.conference.conftest import BEFORE, EUROPE_DEADLINE, StatePosition, publish


def test_it_groups_sections_by_region_with_their_waves(world: Any, conference: Any, waves: Any) -> None:
    table = services.matrix(world.actor("member"), conference, now=BEFORE)
    assert [(g.region.name, [r.section.name for r in g.rows]) for g in table.groups] == [
        ("Europe", ["Section Alpha"]),
        ("Americas", ["Section Beta"]),
    ]
    assert [r.wave for r in table.rows] == list(waves)


def test_questions_and_options_come_in_the_readers_language(world: Any, conference: Any, state: StatePosition) -> None:
    publish(world, state(option="amend"))
    with translation.override("fr"):
        table = services.matrix(world.actor("member"), conference, now=BEFORE)
        assert [(h.title, h.language) for h in table.questions] == [("Le front unique", "fr"), ("Les syndicats", "fr")]
        shown = table.rows[0].cells[0]
        # The option is a code; its label is the interface's word for it in the reader's language.
        assert (shown.option, shown.option_label) == ("amend", str(Option.AMEND.label))
    # Russian has no title yet: the title comes in another language, and says which, for the page's lang attribute.
    table = services.matrix(world.actor("member"), conference, now=BEFORE, language="ru")
    assert (table.questions[1].title, table.questions[1].language) == ("The trade unions", "en")
    assert table.rows[0].cells[0].stance_language == "fr"


def test_a_split_shows_both_sections_with_the_date(world: Any, conference: Any, waves: Any) -> None:
    editor = world.actor("editor")
    gamma = federation.create_section(editor, name="Section Gamma", country="FR", region=world.europe, languages=["fr"])
    federation.record_event(
        editor, gamma, kind=EventKind.SPLIT_FROM, date=datetime.date(2024, 5, 1), other_section=world.section_a
    )
    table = services.matrix(world.actor("member"), conference, now=BEFORE)
    rows = {r.section.name: r for r in table.rows}
    assert [(n.kind, n.other, n.date, n.reverse) for n in rows["Section Gamma"].lineage] == [
        ("split_from", "Section Alpha", datetime.date(2024, 5, 1), False)
    ]
    assert [(n.other, n.reverse) for n in rows["Section Alpha"].lineage] == [("Section Gamma", True)]


def test_a_dissolved_section_appears_only_if_it_stated_something(
    world: Any, conference: Any, state: StatePosition
) -> None:
    state(section="b", option="oppose", to="submitted")
    Section.objects.filter(pk=world.section_b.pk).update(status=SectionStatus.DISSOLVED)
    Section.objects.filter(pk=world.section_a.pk).update(status=SectionStatus.DISSOLVED)
    names = [r.section.name for r in services.matrix(world.actor("editor"), conference, now=BEFORE).rows]
    assert names == ["Section Beta"]


def test_the_filters(world: Any, conference: Any, waves: Any, state: StatePosition) -> None:
    state(section="b", to="submitted")
    editor = world.actor("editor")
    assert [r.section for r in services.matrix(editor, conference, region=world.americas).rows] == [world.section_b]
    assert [r.section for r in services.matrix(editor, conference, wave=waves[0]).rows] == [world.section_a]
    after = EUROPE_DEADLINE + datetime.timedelta(days=1)
    overdue = services.matrix(editor, conference, now=after, state=PositionState.OVERDUE).rows
    assert [r.section for r in overdue] == [world.section_a]


def _federation_of(world: Any, conference: Any, questions: Any, n: int) -> None:
    """``n`` sections in all (the world's two and more in Europe), each with a position on every question, the
    extra ones' correspondent being corr_a; every other new section split from the one before it."""
    editor = world.actor("editor")
    person = world.people["corr_a"]
    previous = world.section_a
    for i in range(n - 2):
        section = Section.objects.create(
            name=f"Section {i:02}", slug=f"s{i}", country="DE", region=world.europe, status=SectionStatus.ADHERING
        )
        Role.objects.create(person=person, kind=RoleKind.CORRESPONDENT, section=section)
        if i % 2:
            federation.record_event(
                editor, section, kind=EventKind.SPLIT_FROM, date=datetime.date(2020, 1, 1), other_section=previous
            )
        previous = section
    writer = world.actor("corr_a")
    for section in Section.objects.exclude(pk=world.section_b.pk):
        for question in questions:
            position = services.state_position(
                writer,
                conference,
                question,
                section,
                option="abstain",
                stance="We abstain.",
                statement="Why we abstain.",
                language="de",
                submit=True,
            )
            # Written directly: endorsing through the service needs the statement published, which costs the
            # setup an issue per position and says nothing more about the matrix's queries.
            Endorsement.objects.create(section=world.section_b, position=position, revision=1)
    assert Section.objects.count() == n


@pytest.mark.parametrize("n", [2, 12])
def test_the_matrix_costs_the_same_queries_for_2_and_12_sections(
    world: Any, conference: Any, questions: Any, waves: Any, n: int, django_assert_num_queries: Any
) -> None:
    _federation_of(world, conference, questions, n)
    services.create_question(world.actor("editor"), conference, title={"en": "A third question"})
    actor = world.actor("member")
    # conference's questions, waves, their regions, moves, revisions, endorsements, sections, lineage.
    with django_assert_num_queries(8):
        table = services.matrix(actor, conference, now=BEFORE)
    assert len(table.rows) == n and len(table.questions) == 3
    # The third question came after the positions: nobody has answered it yet.
    assert {r.cells[2].state for r in table.rows} == {PositionState.NOT_STATED}
    assert {(r.section == world.section_b, c.state) for r in table.rows for c in r.cells[:2]} == {
        (False, PositionState.SUBMITTED),
        (True, PositionState.NOT_STATED),
    }
    # Section A's member reads A's own positions, with who endorses them; only their state of the others'.
    alpha = next(r for r in table.rows if r.section == world.section_a)
    assert alpha.cells[0].endorsed_by == ["Section Beta"] and alpha.cells[0].option == "abstain"
    assert all(
        c.option == "" for r in table.rows if r.section not in (world.section_a, world.section_b) for c in r.cells
    )
    assert sum(len(r.lineage) for r in table.rows) == 2 * ((n - 2) // 2)
