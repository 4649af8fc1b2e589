"""The demo conference that ``liaison demo --publish`` loads: four questions, the European sections' positions published
in issue No. 1, the Americas and Asia due for issue No. 2 with one section overdue, one revised position, and
endorsements. Loaded and published once for the module (as ``make run`` does it); the tests only read it."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from liaison.conference import services
from liaison.conference.models import (
    Conference,
    ConferenceStatus,
    Endorsement,
    Option,
    Position,
    PositionState,
    WaveOverride,
)
from liaison.demo import conference as demo_conference
from liaison.editorial.models import Item, State
from liaison.federation.access import ANONYMOUS, Actor, actor_for_user
from liaison.federation.models import Person, Section
from liaison.periodicals.models import Issue, IssueStatus
from liaison.publishing.models import Edition, EditionStatus
from liaison.translations import services as translations
from liaison.translations.models import Translation, TranslationState

pytestmark = pytest.mark.django_db

FIVE = {"en", "fr", "de", "ru", "es"}
EUROPE = {
    "Section française",
    "Deutsche Sektion",
    "Section belge",
    "Sección española",
    "Grupo Nueva Época",
    "Русская секция",
}


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[str]:
    """The demo with issue No. 1 published, in a transaction rolled back after the module's tests."""
    published = tmp_path_factory.mktemp("published")
    with django_db_blocker.unblock(), override_settings(PUBLISHED_DIR=published), transaction.atomic():
        out = StringIO()
        call_command("demo", "--publish", stdout=out, stderr=StringIO())
        yield out.getvalue()
        transaction.set_rollback(True)


def _conference() -> Conference:
    return Conference.objects.get(title=demo_conference.TITLE)


def _issue(number: int) -> Issue:
    return Issue.objects.get(periodical__slug="bulletin", number=number)


def _actor(username: str) -> Actor:
    return actor_for_user(Person.objects.get(user__username=username).user)


def test_a_public_conference_months_ahead_with_its_timeline(demo: str) -> None:
    conference = _conference()
    today = timezone.localdate()
    assert conference.public and conference.status == ConferenceStatus.PREPARING
    assert conference.place and conference.bulletin.slug == "bulletin"
    assert conference.starts_on is not None and conference.ends_on is not None
    assert conference.starts_on > today + datetime.timedelta(days=90)
    assert conference.ends_on > conference.starts_on
    milestones = list(conference.milestones.all())
    assert 3 <= len(milestones) <= 4
    assert milestones[0].date < today < milestones[-1].date == conference.starts_on
    assert all(set(m.title) == FIVE for m in milestones)


def test_four_questions_in_the_five_working_languages(demo: str) -> None:
    questions = list(_conference().questions.order_by("number"))
    assert [q.number for q in questions] == [1, 2, 3, 4]
    for question in questions:
        assert services.missing_languages(question.title) == []
        assert services.missing_languages(question.description) == []
        assert question.offered_options()[-1] == Option.ABSTAIN
    with_options = [q for q in questions if q.options]
    assert 1 <= len(with_options) < 4
    [without] = [q for q in questions if not q.options]
    assert without.offered_options() == [Option.OWN, Option.ABSTAIN]


def test_two_waves_europe_in_issue_one_the_rest_in_issue_two(demo: str) -> None:
    conference = _conference()
    now = timezone.now()
    europe, others = conference.waves.order_by("deadline")
    assert europe.issue == _issue(1) and europe.deadline < now
    assert {r.name for r in europe.regions.all()} == {"Europe"}
    assert others.issue == _issue(2) and others.deadline > now
    assert {"The Americas", "Asia"} <= {r.name for r in others.regions.all()}


def test_the_european_positions_are_published_in_issue_one(demo: str) -> None:
    conference, one = _conference(), _issue(1)
    assert one.status == IssueStatus.PUBLISHED
    table = services.matrix(ANONYMOUS, conference)
    [europe] = [group for group in table.groups if group.region.name == "Europe"]
    rows = {row.section.name: row for row in europe.rows}
    assert set(rows) == EUROPE
    placed = dict(Item.objects.filter(issue=one).values_list("contribution_id", "position"))
    for name, row in rows.items():
        language = demo_conference.LANGUAGE_OF[name]
        for cell in row.cells:
            assert cell.state == PositionState.PUBLISHED, (name, cell)
            # The stance in the section's own language; its statement an item of issue No. 1.
            assert cell.stance and cell.stance_language == language
            assert cell.contribution_id in placed
    statements = Position.objects.filter(conference=conference, section__region__name="Europe")
    assert statements.count() == 6 * 4
    assert {p.contribution.state for p in statements} == {State.PUBLISHED}
    # Every option is an explicit choice: one section abstains, none leaves a cell empty.
    assert Option.ABSTAIN in {p.option for p in statements}


def test_a_member_reads_the_matrix_in_another_language(demo: str) -> None:
    member = _actor("member")
    table = services.matrix(
        member, _conference(), language="fr", region=Section.objects.get(name="Section belge").region
    )
    assert table.questions[0].title == "Une caisse de grève de toute la fédération"
    assert table.questions[0].language == "fr"
    russian = next(row for row in table.rows if row.section.name == "Русская секция")
    assert russian.cells[0].option == Option.OPPOSE and russian.cells[0].stance_language == "ru"
    # After the split, both sides of it appear, each with its lineage.
    split = next(row for row in table.rows if row.section.name == "Grupo Nueva Época")
    assert [note.other for note in split.lineage] == ["Sección española"]


def test_the_statements_are_translated_for_every_published_edition(demo: str) -> None:
    statements = Position.objects.filter(conference=_conference(), section__region__name="Europe")
    for position in statements.select_related("contribution"):
        approved = set(
            Translation.objects.filter(contribution=position.contribution, state=TranslationState.APPROVED).values_list(
                "language", flat=True
            )
        )
        assert approved | {position.language} >= {"en", "fr", "de", "es"}, position


def test_issue_one_still_publishes_in_the_same_four_languages(demo: str) -> None:
    one = _issue(1)
    published = set(
        Edition.objects.filter(issue=one, status=EditionStatus.PUBLISHED).values_list("language", flat=True)
    )
    assert published == {"en", "fr", "de", "es"} == set(translations.complete_languages(one))
    assert "Publishing issue No. 1" in demo


def test_the_americas_and_asia_are_due_for_issue_two_with_one_overdue(demo: str) -> None:
    conference, now = _conference(), timezone.now()
    [late] = services.overdue(conference)
    assert late.section.name == demo_conference.OVERDUE_SECTION
    assert late.section.region.name == "The Americas"
    assert len(late.questions) == 4 and late.wave.deadline < now
    # The secretariat moved it into the earlier wave, and said why.
    override = WaveOverride.objects.get(conference=conference, section=late.section)
    assert override.wave == late.wave and "reinstatement" in override.reason
    due = Section.objects.filter(region__name__in=["The Americas", "Asia"]).exclude(pk=late.section.pk)
    assert due.count() >= 3
    for section in due:
        wave = services.wave_of(conference, section)
        assert wave is not None and wave.issue == _issue(2) and wave.deadline > now, section


def test_the_second_waves_positions_are_under_way(demo: str) -> None:
    conference = _conference()
    table = services.matrix(_actor("editor"), conference)
    states = {
        row.section.name: [cell.state for cell in row.cells]
        for row in table.rows
        if row.section.region.name in {"The Americas", "Asia", "Africa"}
    }
    assert states["Sección mexicana"][2] == PositionState.SUBMITTED
    assert states["India Section"][0] == PositionState.SUBMITTED
    assert states["القسم المصري"][0] == PositionState.SUBMITTED
    assert sum(s == PositionState.NOT_STATED for row in states.values() for s in row) > 10
    # "corresponsal" sees the Mexican section's draft, to submit; others see nothing stated there yet.
    own = services.matrix(_actor("corresponsal"), conference, section=Section.objects.get(name="Sección mexicana"))
    assert own.rows[0].cells[0].state == PositionState.DRAFT
    assert states["Sección mexicana"][0] == PositionState.NOT_STATED
    drafts = Position.objects.filter(conference=conference, contribution__state=State.DRAFT)
    assert {p.section.name for p in drafts} == {"Sección mexicana", "日本支部"}


def test_one_position_was_revised_and_keeps_its_history(demo: str) -> None:
    conference = _conference()
    [revised] = [p for p in Position.objects.filter(conference=conference) if p.revisions.count() > 1]
    assert (revised.section.name, revised.question.number) == demo_conference.REVISED
    correspondent = _actor("correspondent")
    history = services.history(correspondent, revised)
    assert [r.number for r in history] == [1, 2]
    assert [r.option for r in history] == [Option.OPPOSE, Option.SUPPORT]
    first, second = history
    assert first.created < second.created
    # The first statement was withdrawn when the position changed; the second is the one published.
    assert first.contribution.state == State.WITHDRAWN and second.contribution.state == State.PUBLISHED
    assert len(services.history(_actor("editor"), revised)) == 2
    assert [r.number for r in services.history(_actor("member"), revised)] == [2]
    table = services.matrix(ANONYMOUS, conference)
    cell = next(r for r in table.rows if r.section == revised.section).cells[revised.question.number - 1]
    assert cell.revised and cell.revision == 2 and cell.option == Option.SUPPORT


def test_european_sections_endorse_each_others_published_positions(demo: str) -> None:
    conference = _conference()
    endorsements = list(Endorsement.objects.filter(position__conference=conference).select_related("position"))
    assert len(endorsements) == len(demo_conference.ENDORSEMENTS) >= 2
    for endorsement in endorsements:
        assert endorsement.section_id != endorsement.position.section_id
        assert endorsement.section.region.name == "Europe" and endorsement.withdrawn_at is None
        assert endorsement.position.contribution.state == State.PUBLISHED
    table = services.matrix(ANONYMOUS, conference)
    french = next(row for row in table.rows if row.section.name == "Section française")
    assert french.cells[3].endorsed_by == ["Grupo Nueva Época", "Section belge"]
    # Asking again (the command run once more) endorses nothing twice.
    assert demo_conference.endorse_published() == 0
    assert Endorsement.objects.filter(position__conference=conference).count() == len(endorsements)


def test_the_command_points_to_the_conference(demo: str) -> None:
    conference = _conference()
    assert "/conferences/" in demo
    assert f"/conferences/{conference.pk}/positions/" in demo
