"""A conference's calendar in iCalendar (RFC 5545): the conference over its planned days, each milestone of its
timeline, and each reply wave's deadline, for a member's calendar program to subscribe to.

The feed is reproducible: the same conference gives the same bytes. Every event's UID is named by the object
(``wave-7@liaison.example.org``, with the host of ``SITE_URL``, not of the request, so that a calendar reached by
two addresses does not show each event twice), and its DTSTAMP is the conference's creation, not the moment the feed
was read; otherwise a calendar program would see every event as changed at every refresh.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from liaison.conference import services
from liaison.conference.models import Conference, ConferenceStatus

PRODID = "-//Liaison//Conference calendar//EN"
ONE_DAY = datetime.timedelta(days=1)


def uid_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "liaison.invalid"


def _event(kind: str, pk: int, stamp: datetime.datetime, summary: str) -> Event:
    event = Event()
    event.add("uid", f"{kind}-{pk}@{uid_host()}")
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    return event


def _all_day(event: Event, first: datetime.date, last: datetime.date) -> None:
    # An all-day event's end is exclusive: the day after its last day.
    event.add("dtstart", first)
    event.add("dtend", last + ONE_DAY)


def build(conference: Conference, *, language: str, url: str = "") -> bytes:
    """The conference's calendar with its summaries in ``language`` (texts written by language fall back to
    another, as on the pages; the interface's words follow ``language`` when it is an interface language).
    ``url`` is the conference page's address, given to every event. Three queries."""
    stamp = conference.created.astimezone(datetime.UTC)
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("name", conference.title)
        calendar.add("x-wr-calname", conference.title)
        if url:
            calendar.add("url", url)

        if conference.starts_on:
            event = _event("conference", conference.pk, stamp, conference.title)
            _all_day(event, conference.starts_on, conference.ends_on or conference.starts_on)
            if conference.place:
                event.add("location", conference.place)
            # Planned dates are only that until the conference is convened.
            event.add("status", "TENTATIVE" if conference.status == ConferenceStatus.PREPARING else "CONFIRMED")
            if url:
                event.add("url", url)
            calendar.add_component(event)

        for milestone in conference.milestones.order_by("date", "id"):
            title, _code = services.text_in(milestone.title, language)
            event = _event(
                "milestone",
                milestone.pk,
                stamp,
                _("%(milestone)s · %(conference)s") % {"milestone": title, "conference": conference.title},
            )
            _all_day(event, milestone.date, milestone.date)
            if url:
                event.add("url", url)
            calendar.add_component(event)

        for wave in (
            conference.waves.select_related("issue__periodical").prefetch_related("regions").order_by("deadline", "id")
        ):
            event = _event(
                "wave",
                wave.pk,
                stamp,
                _("Deadline for positions, %(wave)s · %(conference)s")
                % {"wave": wave.name, "conference": conference.title},
            )
            # A moment, the same everywhere: in UTC, and each calendar program shows it in its reader's time zone.
            event.add("dtstart", wave.deadline.astimezone(datetime.UTC))
            event.add(
                "description",
                _("The positions of the sections of %(regions)s appear in %(issue)s.")
                % {
                    "regions": ", ".join(r.name for r in sorted(wave.regions.all(), key=lambda r: (r.order, r.name))),
                    "issue": wave.issue,
                },
            )
            if url:
                event.add("url", url)
            calendar.add_component(event)
        return calendar.to_ical()
