"""The secretariat's preparation pages: a new conference, its status, milestones, questions (one field per working
language), reply waves (a deadline read in the time zone chosen beside it) and moving a section into another wave.
Each happy path redirects with a message; each refusal is shown next to its field and changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from liaison.conference import services
from liaison.conference.models import Conference, ConferenceStatus, Milestone, Question, Wave, WaveOverride
from liaison.editorial import services as editorial
from liaison.periodicals.models import Audience, Issue, IssueStatus, Periodical
from tests.conference.conftest import StatePosition


@pytest.fixture
def editor(client_as: Any) -> Any:
    return client_as("editor")


def manage(conference: Any) -> str:
    return f"/conferences/{conference.pk}/manage/"


# The conference ----------------------------------------------------------------------------------------------------


def test_it_creates_a_conference(world: Any, editor: Any, bulletin: Any) -> None:
    assert editor.get("/conferences/new/").status_code == 200
    answer = editor.post(
        "/conferences/new/",
        {
            "title": "Третья конференция",
            "place": "日内瓦",
            "starts_on": "2032-05-01",
            "ends_on": "2032-05-04",
            "bulletin": bulletin.pk,
            "public": "on",
        },
    )
    conference = Conference.objects.get()
    assert answer.status_code == 302 and answer["Location"] == manage(conference)
    assert (conference.title, conference.place, conference.public, conference.status) == (
        "Третья конференция",
        "日内瓦",
        True,
        ConferenceStatus.PREPARING,
    )
    html = editor.get(answer["Location"]).content.decode()
    assert "is in preparation" in html and "Третья конференция" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "This field is required."),
        ({"ends_on": "2032-04-01"}, "ends_on", "cannot end before it starts"),
        ({"public": "on", "internal": True}, "public", "is for members only"),
        ({"bulletin": 9999}, "bulletin", "Select a valid choice"),
    ],
)
def test_a_bad_conference_is_refused(
    world: Any, editor: Any, bulletin: Any, changes: dict[str, Any], field: str, message: str
) -> None:
    data = {"title": "A conference", "starts_on": "2032-05-01", "ends_on": "2032-05-04", "bulletin": bulletin.pk}
    if changes.pop("internal", False):
        internal = Periodical.objects.create(
            name="Internal", slug="internal", language="en", frequency="monthly", audience=Audience.MEMBERS
        )
        data["bulletin"] = internal.pk
    data.update(changes)
    answer = editor.post("/conferences/new/", data)
    assert answer.status_code == 400
    assert message in " ".join(answer.context["form"].errors[field])
    assert not Conference.objects.exists()


def test_it_moves_the_status_and_refuses_impossible_moves(world: Any, editor: Any, conference: Any) -> None:
    page = editor.get(manage(conference))
    assert page.status_code == 200 and "in preparation" in page.content.decode()
    answer = editor.post(manage(conference), {"status": "closed"})
    assert answer.status_code == 400
    assert "cannot become closed" in answer.content.decode()
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.PREPARING
    answer = editor.post(manage(conference), {"status": "convened"})
    assert answer.status_code == 302
    assert "is now convened" in editor.get(manage(conference)).content.decode()
    answer = editor.post(manage(conference), {"status": "nonsense"})
    assert answer.status_code == 400
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.CONVENED


def test_an_unknown_conference_is_404(editor: Any, world: Any) -> None:
    assert editor.get("/conferences/999/manage/").status_code == 404


# Milestones --------------------------------------------------------------------------------------------------------


def test_it_adds_a_milestone_in_several_languages(world: Any, editor: Any, conference: Any) -> None:
    url = manage(conference) + "milestones/new/"
    page = editor.get(url).content.decode()
    # One field per working language, marked with its language.
    for code in ("en", "fr", "de", "ru", "es"):
        assert f'name="title_{code}"' in page
    answer = editor.post(url, {"date": "2031-08-01", "title_en": "Agenda fixed", "title_ru": "Повестка утверждена"})
    assert answer.status_code == 302 and answer["Location"] == manage(conference)
    milestone = Milestone.objects.get()
    assert (milestone.date, milestone.title) == (
        datetime.date(2031, 8, 1),
        {"en": "Agenda fixed", "ru": "Повестка утверждена"},
    )
    assert "Agenda fixed" in editor.get(manage(conference)).content.decode()


def test_a_milestone_needs_a_title_and_a_date(world: Any, editor: Any, conference: Any) -> None:
    url = manage(conference) + "milestones/new/"
    answer = editor.post(url, {"date": "2031-08-01", "title_en": "  "})
    assert answer.status_code == 400
    assert "Write it in at least one language." in " ".join(answer.context["form"].errors["title_en"])
    answer = editor.post(url, {"title_en": "No date"})
    assert answer.status_code == 400 and "date" in answer.context["form"].errors
    assert not Milestone.objects.exists()


# Questions ---------------------------------------------------------------------------------------------------------


def test_it_adds_a_question_with_options(world: Any, editor: Any, conference: Any, questions: Any) -> None:
    url = manage(conference) + "questions/new/"
    page = editor.get(url).content.decode()
    assert 'name="description_ar"' not in page and 'name="description_ru"' in page
    assert 'value="abstain"' not in page  # always offered, never a choice to make
    answer = editor.post(
        url,
        {
            "title_en": "The colonial question",
            "title_ru": "Колониальный вопрос",
            "description_en": "What do the sections propose?",
            "options": ["support", "oppose", "alternative"],
        },
    )
    assert answer.status_code == 302
    question = Question.objects.get(conference=conference, number=3)
    assert question.title == {"en": "The colonial question", "ru": "Колониальный вопрос"}
    assert question.options == ["support", "oppose", "alternative"]
    html = editor.get(manage(conference)).content.decode()
    assert "Question 3 is on the agenda." in html
    # What the secretariat still has to write: French, German, Spanish.
    assert "French" in html and "Spanish" in html


def test_a_question_needs_a_title(world: Any, editor: Any, conference: Any, questions: Any) -> None:
    answer = editor.post(manage(conference) + "questions/new/", {"description_en": "Only a description"})
    assert answer.status_code == 400
    assert "Write it in at least one language." in " ".join(answer.context["form"].errors["title_en"])
    answer = editor.post(manage(conference) + "questions/new/", {"title_en": "x", "options": ["abstain", "maybe"]})
    assert answer.status_code == 400 and "options" in answer.context["form"].errors
    assert Question.objects.filter(conference=conference).count() == 2


def test_it_edits_a_questions_texts(world: Any, editor: Any, conference: Any, questions: Any) -> None:
    url = manage(conference) + "questions/2/"
    page = editor.get(url)
    assert page.context["form"].initial["title_fr"] == "Les syndicats"
    answer = editor.post(
        url, {"title_en": "The trade unions", "title_fr": "Les syndicats", "title_de": "Die Gewerkschaften"}
    )
    assert answer.status_code == 302
    questions[1].refresh_from_db()
    assert questions[1].title == {"en": "The trade unions", "fr": "Les syndicats", "de": "Die Gewerkschaften"}


def test_an_option_a_section_chose_stays_offered(
    world: Any, editor: Any, conference: Any, state: StatePosition
) -> None:
    state(option="amend")
    answer = editor.post(
        manage(conference) + "questions/1/", {"title_en": "The united front", "options": ["support", "oppose"]}
    )
    assert answer.status_code == 400
    assert "support with amendments" in " ".join(answer.context["form"].errors["options"])
    assert conference.questions.get(number=1).options == ["support", "oppose", "amend"]


def test_questions_are_reordered_before_any_position(
    world: Any, editor: Any, conference: Any, questions: Any, state: StatePosition
) -> None:
    page = editor.get(manage(conference)).content.decode()
    assert "Move down" in page
    answer = editor.post(manage(conference) + "questions/2/move/", {"to": 1})
    assert answer.status_code == 302
    assert list(conference.questions.order_by("number").values_list("pk", flat=True)) == [
        questions[1].pk,
        questions[0].pk,
    ]
    assert "now number 1" in editor.get(manage(conference)).content.decode()
    answer = editor.post(manage(conference) + "questions/1/move/", {"to": 5})
    assert "Choose a place between 1 and 2." in editor.get(answer["Location"]).content.decode()
    state(question=0)
    answer = editor.post(manage(conference) + "questions/1/move/", {"to": 2})
    assert "the questions keep their numbers" in editor.get(answer["Location"]).content.decode()
    assert list(conference.questions.order_by("number").values_list("pk", flat=True)) == [
        questions[1].pk,
        questions[0].pk,
    ]
    assert editor.get(manage(conference) + "questions/1/move/").status_code == 405


# Waves -------------------------------------------------------------------------------------------------------------


def wave_data(world: Any, issue: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "name": "Europe",
        "regions": [world.europe.pk],
        "deadline": "2031-03-01T12:00",
        "time_zone": "Europe/Paris",
        "issue": issue.pk,
    }
    data.update(changes)
    return data


def test_it_creates_a_wave_read_in_the_chosen_time_zone(world: Any, editor: Any, conference: Any, issues: Any) -> None:
    url = manage(conference) + "waves/new/"
    assert editor.get(url).status_code == 200
    answer = editor.post(url, wave_data(world, issues[0]))
    assert answer.status_code == 302
    wave = Wave.objects.get()
    # Noon in Paris, in winter, is 11:00 UTC.
    assert wave.deadline == datetime.datetime(2031, 3, 1, 11, 0, tzinfo=datetime.UTC)
    assert list(wave.regions.all()) == [world.europe]
    assert wave.issue == issues[0]
    assert "replies by" in editor.get(manage(conference)).content.decode()


def test_the_deadline_defaults_to_the_sites_time_zone(
    world: Any, editor: Any, conference: Any, issues: Any, settings: Any
) -> None:
    settings.TIME_ZONE = "America/Sao_Paulo"
    page = editor.get(manage(conference) + "waves/new/")
    assert page.context["form"]["time_zone"].value() == "America/Sao_Paulo"
    editor.post(manage(conference) + "waves/new/", wave_data(world, issues[0], time_zone="America/Sao_Paulo"))
    assert Wave.objects.get().deadline == datetime.datetime(2031, 3, 1, 15, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"regions": []}, "regions", "at least one region"),
        ({"name": ""}, "name", "This field is required."),
        ({"deadline": "tomorrow"}, "deadline", "Enter a valid date/time."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice"),
        ({"taken": True}, "regions", "already reply in another wave"),
        ({"published": True}, "issue", "already published"),
        ({"other_bulletin": True}, "issue", "Select a valid choice"),
    ],
)
def test_a_bad_wave_is_refused(
    world: Any, editor: Any, conference: Any, issues: Any, changes: dict[str, Any], field: str, message: str
) -> None:
    issue = issues[1]
    if changes.pop("taken", False):
        services.create_wave(
            world.actor("editor"),
            conference,
            name="First",
            regions=[world.europe],
            deadline=datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC),
            issue=issues[0],
        )
    if changes.pop("published", False):
        Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    if changes.pop("other_bulletin", False):
        other = Periodical.objects.create(name="Other", slug="other", language="en", frequency="monthly")
        issue = editorial.create_issue(world.actor("editor"), other, planned_date=None, budget_pages=10)
    before = list(Wave.objects.values_list("pk", flat=True))
    answer = editor.post(manage(conference) + "waves/new/", wave_data(world, issue, **changes))
    assert answer.status_code == 400
    assert message in " ".join(answer.context["form"].errors[field])
    assert list(Wave.objects.values_list("pk", flat=True)) == before


def test_it_moves_a_section_into_another_wave(world: Any, editor: Any, conference: Any, waves: Any) -> None:
    url = manage(conference) + "move-section/"
    assert editor.get(url).status_code == 200
    answer = editor.post(
        url, {"section": world.section_b.pk, "wave": waves[0].pk, "reason": "It asked to reply early."}
    )
    assert answer.status_code == 302
    override = WaveOverride.objects.get()
    assert (override.section, override.wave, override.reason) == (world.section_b, waves[0], "It asked to reply early.")
    assert services.wave_of(conference, world.section_b) == waves[0]
    html = editor.get(manage(conference)).content.decode()
    assert "now replies in the wave" in html and "It asked to reply early." in html


def test_a_move_needs_a_reason_and_a_wave_of_this_conference(
    world: Any, editor: Any, conference: Any, waves: Any, bulletin: Any
) -> None:
    url = manage(conference) + "move-section/"
    answer = editor.post(url, {"section": world.section_b.pk, "wave": waves[0].pk, "reason": "  "})
    assert answer.status_code == 400
    assert "Say why the section replies in another wave." in " ".join(answer.context["form"].errors["reason"])
    other = services.create_conference(world.actor("editor"), title="Other", bulletin=bulletin)
    issue = editorial.create_issue(world.actor("editor"), bulletin, planned_date=None, budget_pages=10)
    foreign = services.create_wave(
        world.actor("editor"),
        other,
        name="Elsewhere",
        regions=[world.europe],
        deadline=datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC),
        issue=issue,
    )
    answer = editor.post(url, {"section": world.section_b.pk, "wave": foreign.pk, "reason": "Because."})
    assert answer.status_code == 400 and "wave" in answer.context["form"].errors
    assert not WaveOverride.objects.exists()


def test_a_closed_conference_refuses_changes(world: Any, editor: Any, conference: Any, waves: Any) -> None:
    actor = world.actor("editor")
    services.set_conference_status(actor, conference, ConferenceStatus.CONVENED)
    services.set_conference_status(actor, conference, ConferenceStatus.CLOSED)
    html = editor.get(manage(conference)).content.decode()
    assert "Add a question" not in html
    answer = editor.post(manage(conference) + "questions/new/", {"title_en": "Too late"})
    assert answer.status_code == 400 and "is closed" in answer.content.decode()
    answer = editor.post(
        manage(conference) + "move-section/", {"section": world.section_b.pk, "wave": waves[0].pk, "reason": "Late."}
    )
    assert answer.status_code == 400 and "is closed" in answer.content.decode()
    assert not WaveOverride.objects.exists()
    assert conference.questions.count() == 0
