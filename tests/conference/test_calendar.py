"""The conference's iCalendar feed, read back with the icalendar library as a calendar program would: the conference
over its days, its milestones, the waves' deadlines at their exact instant, stable UIDs, the same bytes at every
fetch, summaries in the language asked for, and the conference's read permission."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from icalendar import Calendar

from liaison.conference import calendar as ical
from liaison.conference import services
from liaison.conference.models import Conference


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = "https://liaison.example.org"


def fetch(client: Any, conference: Conference, **params: str) -> Calendar:
    response = client.get(f"/conferences/{conference.pk}/calendar.ics", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, Any]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def milestone(world: Any, conference: Conference) -> Any:
    return services.add_milestone(
        world.actor("editor"),
        conference,
        date=datetime.date(2031, 2, 1),
        title={"en": "The agenda is fixed", "fr": "L'ordre du jour est arrêté", "ru": "Повестка дня утверждена"},
    )


def test_it_carries_the_conference_its_milestones_and_deadlines(
    world: Any, conference: Conference, waves: Any, milestone: Any, client_as: Any
) -> None:
    calendar = fetch(client_as("anonymous"), conference)
    assert str(calendar["X-WR-CALNAME"]) == "Second International Conference"
    found = events(calendar)
    assert set(found) == {
        f"conference-{conference.pk}@liaison.example.org",
        f"milestone-{milestone.pk}@liaison.example.org",
        f"wave-{waves[0].pk}@liaison.example.org",
        f"wave-{waves[1].pk}@liaison.example.org",
    }
    whole = found[f"conference-{conference.pk}@liaison.example.org"]
    # All day, from the first day to the day after the last (the end is exclusive).
    assert whole["DTSTART"].dt == datetime.date(2031, 9, 1) and whole["DTEND"].dt == datetime.date(2031, 9, 6)
    assert str(whole["SUMMARY"]) == "Second International Conference" and str(whole["LOCATION"]) == "Geneva"
    assert str(whole["STATUS"]) == "TENTATIVE"
    assert str(whole["URL"]) == f"https://liaison.example.org/conferences/{conference.pk}/"
    step = found[f"milestone-{milestone.pk}@liaison.example.org"]
    assert step["DTSTART"].dt == datetime.date(2031, 2, 1) and step["DTEND"].dt == datetime.date(2031, 2, 2)
    assert str(step["SUMMARY"]) == "The agenda is fixed · Second International Conference"
    deadline = found[f"wave-{waves[0].pk}@liaison.example.org"]
    assert deadline["DTSTART"].dt == datetime.datetime(2031, 3, 1, 12, 0, tzinfo=datetime.UTC)
    assert "Europe" in str(deadline["SUMMARY"])
    assert "Bulletin No. 1" in str(deadline["DESCRIPTION"])


def test_a_deadline_set_in_another_time_zone_keeps_its_instant(
    world: Any, conference: Conference, issues: Any, client_as: Any
) -> None:
    tokyo = datetime.datetime(2031, 4, 1, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    wave = services.create_wave(
        world.actor("editor"), conference, name="アジア", regions=[world.americas], deadline=tokyo, issue=issues[1]
    )
    deadline = events(fetch(client_as("member"), conference))[f"wave-{wave.pk}@liaison.example.org"]
    # Written in UTC: nine in the morning in Tokyo is midnight in Greenwich.
    assert deadline["DTSTART"].dt == datetime.datetime(2031, 4, 1, 0, 0, tzinfo=datetime.UTC)
    assert deadline["DTSTART"].to_ical() == b"20310401T000000Z"
    assert "アジア" in str(deadline["SUMMARY"])


def test_it_is_the_same_at_every_fetch(
    world: Any, conference: Conference, waves: Any, milestone: Any, client_as: Any, settings: Any
) -> None:
    first = client_as("member").get(f"/conferences/{conference.pk}/calendar.ics").content
    # Another reader, another host name, another day: nothing changed in the conference, nothing changes in the feed.
    settings.ALLOWED_HOSTS = ["*"]
    second = client_as("anonymous").get(f"/conferences/{conference.pk}/calendar.ics", HTTP_HOST="other.example").content
    assert first == second
    stamps = {event["DTSTAMP"].dt for event in Calendar.from_ical(first).walk("VEVENT")}
    assert stamps == {conference.created.astimezone(datetime.UTC).replace(microsecond=0)}


def test_summaries_come_in_the_language_asked_for(
    world: Any, conference: Conference, milestone: Any, client_as: Any
) -> None:
    uid = f"milestone-{milestone.pk}@liaison.example.org"
    client = client_as("anonymous")
    assert str(events(fetch(client, conference, lang="fr"))[uid]["SUMMARY"]).startswith("L'ordre du jour est arrêté")
    assert str(events(fetch(client, conference, lang="ru"))[uid]["SUMMARY"]).startswith("Повестка дня утверждена")
    # No German text: another language rather than nothing.
    assert str(events(fetch(client, conference, lang="de"))[uid]["SUMMARY"]).startswith("The agenda is fixed")
    # A code that is no language is ignored: the interface's language is used.
    assert str(events(fetch(client, conference, lang="<xx>"))[uid]["SUMMARY"]).startswith("The agenda is fixed")


def test_without_dates_there_is_no_conference_event(world: Any, bulletin: Any, client_as: Any) -> None:
    undated = services.create_conference(world.actor("editor"), title="Undated", bulletin=bulletin, public=True)
    calendar = fetch(client_as("member"), undated)
    assert list(calendar.walk("VEVENT")) == []
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"]) == ical.PRODID


def test_a_one_day_conference(world: Any, bulletin: Any, client_as: Any) -> None:
    day = services.create_conference(
        world.actor("editor"), title="Day", bulletin=bulletin, starts_on=datetime.date(2030, 1, 5), public=True
    )
    event = next(iter(fetch(client_as("member"), day).walk("VEVENT")))
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (datetime.date(2030, 1, 5), datetime.date(2030, 1, 6))


def test_it_costs_three_queries(
    world: Any, conference: Conference, waves: Any, milestone: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(3):
        ical.build(conference, language="en")


def test_a_members_conference_is_not_in_the_public_calendar(world: Any, bulletin: Any, client_as: Any) -> None:
    internal = services.create_conference(
        world.actor("editor"), title="Internal", bulletin=bulletin, starts_on=datetime.date(2030, 1, 5)
    )
    url = f"/conferences/{internal.pk}/calendar.ics"
    response = client_as("anonymous").get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client_as("member").get(url).status_code == 200
