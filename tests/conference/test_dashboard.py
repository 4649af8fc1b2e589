"""The conference block of a section's dashboard: for each open conference where the section has a wave, the
questions still to state, the deadline with the time left or "overdue", the last reminder, links to the positions;
nothing without such a conference; a fixed number of queries whatever the conferences, questions and positions."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from liaison.conference import reminders, services
from liaison.conference.models import ConferenceStatus
from liaison.conference.templatetags import conference_tags
from liaison.editorial import services as editorial
from liaison.periodicals.models import Periodical
from liaison.urls import urlpatterns as site
from tests.conference.conftest import EUROPE_DEADLINE, later

DASHBOARD = "/sections/{}/dashboard/"
HEADING = "Conference positions"


def nothing(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise AssertionError("not visited")


# The site, with the position pages' names if the conference's pages do not define them (yet): the block links to
# whatever the names resolve to.
urlpatterns = [
    *site,
    path("test/<int:pk>/<slug:slug>/<int:number>/", nothing, name="conference_position"),
    path("test/<int:pk>/<slug:slug>/", nothing, name="conference_section"),
]


def page(client: Any, slug: str = "alpha", **headers: Any) -> str:
    response = client.get(DASHBOARD.format(slug), **headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def ready(waves: Any, questions: Any) -> None:
    """The conference in preparation with two questions; Europe (section A) replies by 1 March 2031."""


def test_nothing_is_shown_without_a_conference(world: Any, client_as: Any) -> None:
    assert HEADING not in page(client_as("corr_a"))


def test_nothing_is_shown_for_a_conference_where_the_section_has_no_wave(
    world: Any, conference: Any, questions: Any, issues: Any, client_as: Any
) -> None:
    services.create_wave(
        world.actor("editor"),
        conference,
        name="Americas",
        regions=[world.americas],
        deadline=later(10),
        issue=issues[1],
    )
    assert HEADING not in page(client_as("corr_a"))
    assert HEADING in page(client_as("corr_b"), "beta")


def test_nothing_is_shown_once_the_conference_is_closed(
    world: Any, conference: Any, ready: None, client_as: Any
) -> None:
    editor = world.actor("editor")
    services.set_conference_status(editor, conference, ConferenceStatus.CONVENED)
    assert HEADING in page(client_as("corr_a"))
    services.set_conference_status(editor, conference, ConferenceStatus.CLOSED)
    assert HEADING not in page(client_as("corr_a"))


@pytest.mark.urls(__name__)
def test_it_lists_the_questions_still_to_state_with_links(
    world: Any, conference: Any, ready: None, state: Any, client_as: Any
) -> None:
    state(question=0, to="submitted")
    html = page(client_as("corr_a"))
    print(html[html.find("conference-heading") - 100 : html.find("conference-heading") + 3000])
    assert HEADING in html
    assert "Second International Conference" in html and 'Reply wave: <span dir="auto">Europe</span>' in html
    assert '<time datetime="2031-03-01T12:00:00+00:00">' in html
    assert "One question still to state:" in html
    assert "The trade unions" in html and "The united front" not in html
    assert f'href="{reverse("conference_position", args=[conference.pk, "alpha", 2])}"' in html
    assert f'href="{reverse("conference_section", args=[conference.pk, "alpha"])}"' in html
    assert "State or revise the section's positions" in html


def test_without_the_position_pages_it_shows_the_questions_without_links(
    world: Any, ready: None, client_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(*args: Any, **kwargs: Any) -> str:
        from django.urls import NoReverseMatch

        raise NoReverseMatch("not built yet")

    monkeypatch.setattr(conference_tags, "reverse", missing)
    html = page(client_as("corr_a"))
    assert "2 questions still to state:" in html
    assert "State or revise" not in html


def test_a_draft_is_still_to_state_and_marked_for_the_section_only(
    world: Any, ready: None, state: Any, client_as: Any
) -> None:
    state(question=1, option="own", to="draft")
    assert "a draft, not submitted yet" in page(client_as("corr_a"))
    assert "a draft, not submitted yet" in page(client_as("member"))
    editor_html = page(client_as("editor"))
    assert "2 questions still to state:" in editor_html
    assert "a draft, not submitted yet" not in editor_html


def test_every_position_stated(world: Any, ready: None, state: Any, client_as: Any) -> None:
    state(question=0, to="published")
    state(question=1, option="abstain", to="submitted")
    html = page(client_as("corr_a"))
    assert "The section has stated its position on every question." in html
    assert "still to state" not in html


def test_the_time_left_or_overdue(world: Any, conference: Any, questions: Any, issues: Any, client_as: Any) -> None:
    editor = world.actor("editor")
    services.create_wave(editor, conference, name="Europe", regions=[world.europe], deadline=later(3), issue=issues[0])
    services.create_wave(
        editor, conference, name="Americas", regions=[world.americas], deadline=later(-2), issue=issues[1]
    )
    alpha = page(client_as("corr_a"))
    assert "(in 2\xa0days" in alpha and "overdue" not in alpha
    assert '<strong class="overdue">overdue</strong>' in page(client_as("corr_b"), "beta")


def test_the_last_reminder_is_shown(world: Any, ready: None, client_as: Any) -> None:
    assert "Last reminder" not in page(client_as("corr_a"))
    reminders.send_reminders(now=EUROPE_DEADLINE - datetime.timedelta(days=2))
    html = page(client_as("corr_a"))
    assert "Last reminder (before the deadline): Feb. 27, 2031, noon, mailed to 1 correspondent." in html
    reminders.send_reminders(now=EUROPE_DEADLINE + datetime.timedelta(days=1))
    assert "Last reminder (overdue): March 2, 2031, noon, mailed to 1 correspondent." in page(client_as("corr_a"))


def test_a_reminder_nobody_could_receive_says_so(world: Any, ready: None, client_as: Any) -> None:
    world.users["corr_a"].email = ""
    world.users["corr_a"].save()
    reminders.send_reminders(now=EUROPE_DEADLINE - datetime.timedelta(days=2))
    assert "not mailed: no correspondent has an email address" in page(client_as("member"))


def test_a_section_moved_to_another_wave_sees_that_wave(
    world: Any, conference: Any, waves: Any, questions: Any, client_as: Any
) -> None:
    europe, _americas = waves
    services.move_section(world.actor("editor"), europe, world.section_b, reason="It asked to reply with Europe.")
    html = page(client_as("corr_b"), "beta")
    assert 'Reply wave: <span dir="auto">Europe</span>' in html
    assert "Americas</span>" not in html


def test_the_reader_gets_the_questions_in_their_language(
    world: Any, conference: Any, ready: None, client_as: Any
) -> None:
    conference.title = "第二次国际会议 — المؤتمر الدولي الثاني"
    conference.save()
    services.create_question(world.actor("editor"), conference, title={"ru": "Профсоюзы и партия", "en": "Unions"})
    html = page(client_as("corr_a"), HTTP_ACCEPT_LANGUAGE="ru")
    assert "第二次国际会议 — المؤتمر الدولي الثاني" in html
    assert '<span lang="ru" dir="auto">Профсоюзы и партия</span>' in html
    # No Russian title for the first question: the site's default language, marked as such.
    assert '<span lang="en" dir="auto">The united front</span>' in html
    assert '<span lang="fr" dir="auto">Le front unique</span>' in page(client_as("corr_a"), HTTP_ACCEPT_LANGUAGE="fr")


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("role", ["corr_a", "member", "editor"])
def test_who_sees_the_block(world: Any, ready: None, client_as: Any, role: str) -> None:
    html = page(client_as(role))
    assert HEADING in html
    # Only a correspondent states; the others are led to read the positions.
    assert ("State or revise the section" in html) is (role == "corr_a")
    assert ("The section's positions" in html) is (role != "corr_a")


@pytest.mark.parametrize("role", ["anonymous", "corr_b", "translator"])
def test_the_dashboard_stays_closed_to_others(world: Any, ready: None, client_as: Any, role: str) -> None:
    response = client_as(role).get(DASHBOARD.format("alpha"))
    assert response.status_code in (302, 403)
    assert HEADING not in response.content.decode()


# Queries ---------------------------------------------------------------------------------------------------------


def more_conferences(world: Any, count: int, questions: int) -> None:
    """``count`` more open conferences, each with ``questions`` questions and a wave for Europe."""
    editor = world.actor("editor")
    for index in range(count):
        bulletin = Periodical.objects.create(name=f"B{index}", slug=f"b{index}", language="en", frequency="monthly")
        issue = editorial.create_issue(editor, bulletin, planned_date=None, budget_pages=8)
        conference = services.create_conference(editor, title=f"Conference {index}", bulletin=bulletin)
        for number in range(questions):
            services.create_question(editor, conference, title={"en": f"Question {number}"})
        services.create_wave(editor, conference, name="Europe", regions=[world.europe], deadline=later(5), issue=issue)


def test_the_block_costs_one_query_without_a_conference(world: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        assert conference_tags.blocks(world.section_a, own=True) == []


@pytest.mark.parametrize(("count", "per_conference"), [(0, 0), (3, 6)])
def test_the_block_costs_four_queries_whatever_it_shows(
    world: Any, ready: None, state: Any, django_assert_num_queries: Any, count: int, per_conference: int
) -> None:
    more_conferences(world, count, per_conference)
    state(question=0, to="submitted")
    reminders.send_reminders(now=EUROPE_DEADLINE - datetime.timedelta(days=1))
    with django_assert_num_queries(4):
        found = conference_tags.blocks(world.section_a, own=True)
    assert len(found) == 1 + count
    assert sum(len(b.pending) for b in found) == 1 + count * per_conference


def dashboard_queries(client: Any) -> int:
    client.get(DASHBOARD.format("alpha"))
    with CaptureQueriesContext(connection) as captured:
        page(client)
    return len(captured)


def test_the_dashboard_costs_three_more_queries_with_conferences_and_no_more_with_more(
    world: Any, conference: Any, questions: Any, client_as: Any, request: pytest.FixtureRequest
) -> None:
    client = client_as("corr_a")
    without = dashboard_queries(client)  # a conference, but no wave for the section yet: one query
    request.getfixturevalue("waves")
    with_one = dashboard_queries(client)
    request.getfixturevalue("state")(question=0, to="submitted")
    more_conferences(world, 2, 5)
    reminders.send_reminders()
    with_more = dashboard_queries(client)
    assert with_one - without == 3
    assert with_more == with_one
