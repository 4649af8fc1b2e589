"""Conferences, questions, waves, positions and their history, endorsements: what the services do and refuse."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from liaison.conference import services
from liaison.conference.models import ConferenceStatus, Endorsement, Position, PositionState
from liaison.editorial.models import Contribution, Kind, State
from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.periodicals.models import Audience
from tests.conference.conftest import AMERICAS_DEADLINE, BEFORE, EUROPE_DEADLINE, StatePosition, publish


def cell(world: Any, conference: Any, section: str, question: int, role: str = "editor", **kw: Any) -> Any:
    table = services.matrix(world.actor(role), conference, **kw)
    row = next(r for r in table.rows if r.section.slug == ("alpha" if section == "a" else "beta"))
    return row.cells[question]


# Conferences and the agenda --------------------------------------------------------------------------------------


def test_it_numbers_questions_in_agenda_order(world: Any, conference: Any, questions: Any) -> None:
    assert [q.number for q in questions] == [1, 2]
    assert questions[0].offered_options() == ["support", "oppose", "amend", "abstain"]
    # A question without options is answered in the section's own words, or by abstaining: never an empty cell.
    assert questions[1].offered_options() == ["own", "abstain"]


def test_it_refuses_an_option_no_question_can_offer(world: Any, conference: Any) -> None:
    with pytest.raises(LiaisonError, match="not an option a question can offer") as error:
        services.create_question(world.actor("editor"), conference, title={"en": "X"}, options=["maybe"])
    assert error.value.field == "options"
    assert not conference.questions.exists()


def test_it_refuses_a_title_in_a_language_that_is_not_a_working_language(world: Any, conference: Any) -> None:
    with pytest.raises(LiaisonError, match="working languages"):
        services.create_question(world.actor("editor"), conference, title={"pt": "A frente única"})
    with pytest.raises(LiaisonError, match="at least one language"):
        services.create_question(world.actor("editor"), conference, title={"en": "  "})


def test_only_the_editors_prepare_a_conference(world: Any, bulletin: Any, conference: Any) -> None:
    for role in ("anonymous", "member", "corr_a", "translator"):
        with pytest.raises(NotAllowed):
            services.create_conference(world.actor(role), title="Ours", bulletin=bulletin)
        with pytest.raises(NotAllowed):
            services.create_question(world.actor(role), conference, title={"en": "Q"})


def test_a_conference_in_an_internal_bulletin_cannot_be_public(world: Any, bulletin: Any) -> None:
    bulletin.audience = Audience.MEMBERS
    bulletin.save()
    with pytest.raises(LiaisonError, match="members only") as error:
        services.create_conference(world.actor("editor"), title="Closed doors", bulletin=bulletin, public=True)
    assert error.value.field == "public"


def test_the_status_moves_only_forward_except_a_postponement(world: Any, conference: Any) -> None:
    editor = world.actor("editor")
    with pytest.raises(LiaisonError, match="cannot become"):
        services.set_conference_status(editor, conference, ConferenceStatus.CLOSED)
    services.set_conference_status(editor, conference, ConferenceStatus.CONVENED)
    services.set_conference_status(editor, conference, ConferenceStatus.CLOSED)
    assert conference.status == ConferenceStatus.CLOSED


# Waves -----------------------------------------------------------------------------------------------------------


def test_a_section_replies_in_its_regions_wave_unless_moved(world: Any, conference: Any, waves: Any) -> None:
    europe, americas = waves
    assert services.wave_of(conference, world.section_a) == europe
    assert services.wave_of(conference, world.section_b) == americas
    services.move_section(world.actor("editor"), europe, world.section_b, reason="They asked to reply early.")
    assert services.wave_of(conference, world.section_b) == europe
    row = next(r for r in services.matrix(world.actor("editor"), conference).rows if r.section == world.section_b)
    assert row.wave == europe and row.deadline == EUROPE_DEADLINE


def test_moving_a_section_needs_a_reason(world: Any, conference: Any, waves: Any) -> None:
    with pytest.raises(LiaisonError, match="why"):
        services.move_section(world.actor("editor"), waves[0], world.section_b, reason=" ")


def test_a_region_replies_in_one_wave_only(world: Any, conference: Any, waves: Any, issues: Any) -> None:
    with pytest.raises(LiaisonError, match="Europe already reply"):
        services.create_wave(
            world.actor("editor"),
            conference,
            name="Late Europe",
            regions=[world.europe],
            deadline=AMERICAS_DEADLINE,
            issue=issues[1],
        )


def test_a_wave_appears_in_an_issue_of_the_conferences_bulletin(world: Any, conference: Any) -> None:
    from liaison.editorial import services as editorial
    from liaison.periodicals.models import Periodical

    other = Periodical.objects.create(name="Other", slug="other", language="en", frequency="monthly")
    issue = editorial.create_issue(world.actor("editor"), other, planned_date=None, budget_pages=10)
    with pytest.raises(LiaisonError, match="choose one of its issues"):
        services.create_wave(
            world.actor("editor"), conference, name="W", regions=[world.europe], deadline=EUROPE_DEADLINE, issue=issue
        )


def test_a_deadline_typed_without_a_time_zone_is_in_the_federations(
    world: Any, conference: Any, issues: Any, settings: Any
) -> None:
    settings.TIME_ZONE = "America/Sao_Paulo"
    wave = services.create_wave(
        world.actor("editor"),
        conference,
        name="Americas",
        regions=[world.americas],
        deadline=datetime.datetime(2031, 6, 1, 12, 0),
        issue=issues[1],
    )
    wave.refresh_from_db()
    assert wave.deadline == datetime.datetime(2031, 6, 1, 15, 0, tzinfo=datetime.UTC)


# Overdue and reminders -------------------------------------------------------------------------------------------


def test_overdue_begins_the_instant_the_deadline_passes_whatever_the_zone(
    world: Any, conference: Any, questions: Any, waves: Any
) -> None:
    # 13:00 in Paris is 12:00 UTC: the same instant as the deadline, which is not yet past.
    at_deadline = datetime.datetime(2031, 3, 1, 13, 0, tzinfo=ZoneInfo("Europe/Paris"))
    just_after = at_deadline + datetime.timedelta(seconds=1)
    assert cell(world, conference, "a", 0, now=at_deadline).state == PositionState.NOT_STATED
    assert cell(world, conference, "a", 0, now=just_after).state == PositionState.OVERDUE
    # Section B's wave is later: not overdue yet.
    assert cell(world, conference, "b", 0, now=just_after).state == PositionState.NOT_STATED
    late = services.overdue(conference, now=just_after)
    assert [(p.section, [q.number for q in p.questions]) for p in late] == [(world.section_a, [1, 2])]


def test_a_draft_is_not_a_position_so_it_becomes_overdue(world: Any, conference: Any, state: StatePosition) -> None:
    state(to="draft")
    after = EUROPE_DEADLINE + datetime.timedelta(hours=1)
    assert cell(world, conference, "a", 0, role="corr_a", now=BEFORE).state == PositionState.DRAFT
    assert cell(world, conference, "a", 0, role="corr_a", now=after).state == PositionState.OVERDUE


def test_a_submitted_position_is_never_overdue(world: Any, conference: Any, state: StatePosition) -> None:
    state(to="submitted")
    after = EUROPE_DEADLINE + datetime.timedelta(days=30)
    assert cell(world, conference, "a", 0, now=after).state == PositionState.SUBMITTED
    late = services.overdue(conference, now=after)
    assert [(p.section, [q.number for q in p.questions]) for p in late] == [(world.section_a, [2])]


def test_reminders_go_to_sections_with_pending_positions_in_the_week_before(
    world: Any, conference: Any, state: StatePosition
) -> None:
    state(question=0, to="submitted")
    week_before = EUROPE_DEADLINE - datetime.timedelta(days=6)
    due = services.reminders_due(conference, now=week_before)
    assert [(p.section, [q.number for q in p.questions]) for p in due] == [(world.section_a, [2])]
    assert services.reminders_due(conference, now=EUROPE_DEADLINE - datetime.timedelta(days=8)) == []
    assert services.reminders_due(conference, now=EUROPE_DEADLINE + datetime.timedelta(hours=1)) == []


# Positions -------------------------------------------------------------------------------------------------------


def test_stating_a_position_writes_its_statement_for_the_waves_issue(
    world: Any, conference: Any, waves: Any, state: StatePosition
) -> None:
    position = state(to="draft")
    contribution = position.contribution
    assert contribution.kind == Kind.POSITION and contribution.state == State.DRAFT
    assert contribution.target_issue == waves[0].issue
    assert contribution.section == world.section_a
    assert position.stance == {"fr": "We support it without reservation."}
    assert [(r.number, r.option) for r in position.revisions.all()] == [(1, "support")]


def test_it_refuses_a_position_for_a_question_of_another_conference(
    world: Any, bulletin: Any, conference: Any, questions: Any
) -> None:
    other = services.create_conference(world.actor("editor"), title="Another", bulletin=bulletin)
    with pytest.raises(LiaisonError, match="agenda of another conference, “Second International Conference”") as e:
        services.state_position(
            world.actor("corr_a"),
            other,
            questions[0],
            world.section_a,
            option="support",
            stance="Yes.",
            statement="Text.",
            language="fr",
        )
    assert e.value.field == "question"
    assert not Position.objects.exists() and not Contribution.objects.exists()


def test_it_refuses_an_option_the_question_does_not_offer(world: Any, conference: Any, questions: Any) -> None:
    with pytest.raises(LiaisonError, match="Question 2 does not offer “support”; choose one of: its own answer") as e:
        services.state_position(
            world.actor("corr_a"),
            conference,
            questions[1],
            world.section_a,
            option="support",
            stance="Yes.",
            statement="Text.",
            language="fr",
        )
    assert e.value.field == "option"
    assert not Contribution.objects.exists()


def test_it_refuses_a_position_after_the_conference_closed(world: Any, conference: Any, questions: Any) -> None:
    services.set_conference_status(world.actor("editor"), conference, ConferenceStatus.CONVENED)
    services.set_conference_status(world.actor("editor"), conference, ConferenceStatus.CLOSED)
    with pytest.raises(LiaisonError, match="is closed"):
        services.state_position(
            world.actor("corr_a"),
            conference,
            questions[0],
            world.section_a,
            option="abstain",
            stance="We abstain.",
            statement="Text.",
            language="fr",
        )
    assert not Contribution.objects.exists()


def test_only_a_sections_correspondents_state_its_positions(world: Any, conference: Any, questions: Any) -> None:
    for role in ("member", "corr_b", "editor", "translator", "anonymous"):
        with pytest.raises(NotAllowed, match="Only the correspondents of Section Alpha"):
            services.state_position(
                world.actor(role),
                conference,
                questions[0],
                world.section_a,
                option="support",
                stance="Yes.",
                statement="Text.",
                language="fr",
            )
    assert not Position.objects.exists()


def test_a_position_is_stated_once_then_revised(world: Any, conference: Any, state: StatePosition) -> None:
    state()
    with pytest.raises(Conflict, match="revise it instead"):
        state()
    assert Contribution.objects.count() == 1


def test_a_stance_is_short_and_required(world: Any, conference: Any, questions: Any) -> None:
    for stance, message in (("", "sentence or two"), ("x" * 501, "at most 500")):
        with pytest.raises(LiaisonError, match=message):
            services.state_position(
                world.actor("corr_a"),
                conference,
                questions[0],
                world.section_a,
                option="support",
                stance=stance,
                statement="Text.",
                language="fr",
            )


# Revisions -------------------------------------------------------------------------------------------------------


def test_revising_a_draft_edits_its_statement_and_keeps_the_history(
    world: Any, conference: Any, state: StatePosition
) -> None:
    position = state(to="draft")
    services.revise_position(
        world.actor("corr_a"),
        position,
        base_version=1,
        option="amend",
        stance="With two amendments.",
        statement="The amended text.",
    )
    assert position.option == "amend" and position.version == 2
    assert Contribution.objects.count() == 1
    position.contribution.refresh_from_db()
    assert position.contribution.body == "The amended text."
    held = [(r.number, r.option, r.stance, r.contribution_revision) for r in position.revisions.all()]
    assert held == [
        (1, "support", {"fr": "We support it without reservation."}, 1),
        (2, "amend", {"fr": "With two amendments."}, 2),
    ]


def test_revising_a_published_position_brings_a_new_statement_and_keeps_the_old_one(
    world: Any, conference: Any, state: StatePosition
) -> None:
    position = state(to="published")
    first = position.contribution
    with pytest.raises(LiaisonError, match="new statement") as error:
        services.revise_position(world.actor("corr_a"), position, base_version=1, option="oppose")
    assert error.value.field == "statement"
    services.revise_position(
        world.actor("corr_a"),
        position,
        base_version=1,
        option="oppose",
        stance="We now oppose it.",
        statement="Why we changed our mind.",
    )
    first.refresh_from_db()
    assert first.state == State.PUBLISHED
    assert position.contribution != first and position.contribution.kind == Kind.POSITION
    # Other sections' people go on reading the published version until the new statement is published in its turn.
    shown = cell(world, conference, "a", 0, role="corr_b")
    assert (shown.option, shown.revision, shown.state) == ("support", 1, PositionState.PUBLISHED)
    assert cell(world, conference, "a", 0, role="corr_a").option == "oppose"
    assert [r.number for r in services.history(world.actor("anonymous"), position)] == [1]
    assert [r.number for r in services.history(world.actor("member"), position)] == [1, 2]
    assert [r.number for r in services.history(world.actor("corr_a"), position)] == [1, 2]


def test_revising_a_submitted_statement_withdraws_it(world: Any, conference: Any, state: StatePosition) -> None:
    position = state(to="submitted")
    first = position.contribution
    services.revise_position(world.actor("corr_a"), position, base_version=1, statement="A better statement.")
    first.refresh_from_db()
    assert first.state == State.WITHDRAWN
    assert first.decisions.last().reason == "Replaced by a revised statement of the position."
    assert position.contribution.state == State.DRAFT and position.contribution.target_issue == first.target_issue


def test_a_revision_that_changes_nothing_is_refused(world: Any, conference: Any, state: StatePosition) -> None:
    position = state()
    with pytest.raises(LiaisonError, match="Nothing changed"):
        services.revise_position(world.actor("corr_a"), position, base_version=1, option="support")
    assert position.revisions.count() == 1


def test_a_revision_from_an_outdated_page_is_a_conflict(world: Any, conference: Any, state: StatePosition) -> None:
    position = state()
    services.revise_position(world.actor("corr_a"), position, base_version=1, option="oppose")
    with pytest.raises(Conflict, match="in the meantime"):
        services.revise_position(world.actor("corr_a"), position, base_version=1, option="amend")
    position.refresh_from_db()
    assert position.option == "oppose"


def test_no_revision_after_the_conference_closed(world: Any, conference: Any, state: StatePosition) -> None:
    position = state()
    conference.status = ConferenceStatus.CLOSED
    conference.save()
    with pytest.raises(LiaisonError, match="is closed"):
        services.revise_position(world.actor("corr_a"), position, base_version=1, option="oppose")


# Endorsements ----------------------------------------------------------------------------------------------------


def test_a_section_endorses_another_sections_published_position(
    world: Any, conference: Any, state: StatePosition
) -> None:
    position = state(to="published")
    endorsement = services.endorse(world.actor("corr_b"), world.section_b, position)
    assert endorsement.revision == 1
    assert cell(world, conference, "a", 0, role="anonymous").endorsed_by == ["Section Beta"]
    with pytest.raises(Conflict, match="already endorses"):
        services.endorse(world.actor("corr_b"), world.section_b, position)
    services.withdraw_endorsement(world.actor("corr_b"), endorsement)
    assert cell(world, conference, "a", 0).endorsed_by == []
    # Withdrawn, the record stays; endorsing again is a new endorsement.
    services.endorse(world.actor("corr_b"), world.section_b, position)
    assert Endorsement.objects.count() == 2


def test_it_refuses_an_endorsement_of_ones_own_position(world: Any, conference: Any, state: StatePosition) -> None:
    position = state(to="published")
    with pytest.raises(LiaisonError, match="does not endorse its own position"):
        services.endorse(world.actor("corr_a"), world.section_a, position)
    assert not Endorsement.objects.exists()


def test_it_refuses_an_endorsement_of_an_unpublished_position(
    world: Any, conference: Any, state: StatePosition
) -> None:
    position = state(to="submitted")
    with pytest.raises(LiaisonError, match="Only a published position"):
        services.endorse(world.actor("corr_b"), world.section_b, position)


def test_only_its_correspondents_endorse_in_a_sections_name(world: Any, conference: Any, state: StatePosition) -> None:
    position = state(to="published")
    for role in ("member", "corr_a", "editor", "anonymous"):
        with pytest.raises(NotAllowed):
            services.endorse(world.actor(role), world.section_b, position)


def test_no_endorsement_after_the_conference_closed(world: Any, conference: Any, state: StatePosition) -> None:
    position = state(to="published")
    conference.status = ConferenceStatus.CLOSED
    conference.save()
    with pytest.raises(LiaisonError, match="is closed"):
        services.endorse(world.actor("corr_b"), world.section_b, position)


def test_publishing_the_statement_publishes_the_position(world: Any, conference: Any, state: StatePosition) -> None:
    position = state(to="submitted")
    assert cell(world, conference, "a", 0, role="member", now=BEFORE).state == PositionState.SUBMITTED
    publish(world, position)
    assert cell(world, conference, "a", 0, role="member", now=BEFORE).state == PositionState.PUBLISHED


def test_a_text_missing_in_the_readers_language_falls_back_to_the_sites_default_then_by_code() -> None:
    texts = {"de": "Die Einheitsfront", "en": "The united front", "fr": "Le front unique"}
    assert services.text_in(texts, "fr") == ("Le front unique", "fr")
    assert services.text_in(texts, "fr-ca") == ("Le front unique", "fr")
    # No Russian: English (LANGUAGE_CODE), not German although "de" sorts first.
    assert services.text_in(texts, "ru") == ("The united front", "en")
    assert services.text_in({"es": "El frente", "de": "Die Front"}, "ru") == ("Die Front", "de")
    assert services.text_in({}, "ru") == ("", "")
