"""``{% conference_dashboard section %}``: the conference block of a section's dashboard.

For each conference not closed in which the section has a reply wave: the questions it has still to state, its
deadline (with the time left, or overdue), the last reminder sent, and links to its positions. In four queries
whatever the number of conferences, questions and positions, and one when there is no such conference.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django import template
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from liaison.conference import services
from liaison.conference.models import (
    Conference,
    ConferenceStatus,
    PositionRevision,
    Question,
    Reminder,
    Wave,
    WaveOverride,
)
from liaison.editorial import access as editorial_access
from liaison.editorial import services as editorial
from liaison.federation.access import actor_for_request
from liaison.federation.models import Section

register = template.Library()

OPEN = (ConferenceStatus.PREPARING, ConferenceStatus.CONVENED)


@dataclass
class Pending:
    """A question the section has not stated (``draft`` when it has a draft, shown to its own people only)."""

    number: int
    title: str
    language: str
    draft: bool
    url: str


@dataclass
class Block:
    conference: Conference
    wave: Wave
    overdue: bool
    pending: list[Pending] = field(default_factory=list)
    reminder: Reminder | None = None
    url: str = ""


def _url(name: str, *args: Any) -> str:
    # The conference's pages are built apart from this block: without them, the block links nowhere rather than
    # breaking the dashboard.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _waves_of(section: Section) -> list[Wave]:
    """The section's wave in each open conference: the one the secretariat moved it to, else its region's."""
    moved = WaveOverride.objects.filter(wave=OuterRef("pk"), section=section)
    candidates = (
        Wave.objects.filter(conference__status__in=OPEN)
        .filter(Q(regions=section.region_id) | Q(overrides__section=section))
        .annotate(moved=Exists(moved))
        .select_related("conference")
        .distinct()
        .order_by("deadline", "id")
    )
    chosen: dict[int, Wave] = {}
    for wave in candidates:
        if wave.conference_id not in chosen or wave.moved:
            chosen[wave.conference_id] = wave
    return sorted(chosen.values(), key=lambda w: (w.deadline, w.pk))


def blocks(section: Section, *, own: bool, now: datetime.datetime | None = None) -> list[Block]:
    """What the dashboard shows of each open conference; ``own``: the reader is of the section (sees drafts)."""
    now = now or timezone.now()
    waves = _waves_of(section)
    if not waves:
        return []
    conference_ids = [w.conference_id for w in waves]
    questions: dict[int, list[Question]] = defaultdict(list)
    for question in Question.objects.filter(conference_id__in=conference_ids).order_by("conference_id", "number"):
        questions[question.conference_id].append(question)
    states: dict[int, list[str]] = defaultdict(list)
    for question_id, state in (
        PositionRevision.objects.filter(position__section=section, position__conference_id__in=conference_ids)
        .order_by("position_id", "number")
        .values_list("position__question_id", "contribution__state")
    ):
        states[question_id].append(state)
    last: dict[int, Reminder] = {}
    for reminder in Reminder.objects.filter(section=section, wave__in=waves).order_by("-sent_at", "-id"):
        last.setdefault(reminder.wave_id, reminder)
    found = []
    position_urls = True
    for wave in waves:
        conference = wave.conference
        block = Block(
            conference,
            wave,
            overdue=now > wave.deadline,
            reminder=last.get(wave.pk),
            url=_url("conference_section", conference.pk, section.slug),
        )
        for question in questions[conference.pk]:
            held = states.get(question.pk, [])
            # As the matrix counts it: stated once a version went to the editors; a draft is not a position yet.
            if any(state in services.STATED for state in held):
                continue
            title, language = services.text_in(question.title)
            url = _url("conference_position", conference.pk, section.slug, question.number) if position_urls else ""
            position_urls = bool(url)  # one failed lookup says the pages are not there: no need to try again
            draft = own and bool(held) and held[-1] in editorial.SECTION_EDITS
            block.pending.append(Pending(question.number, title, language, draft, url))
        found.append(block)
    return found


@register.inclusion_tag("conference/_dashboard_block.html", takes_context=True)
def conference_dashboard(context: template.Context, section: Section) -> dict[str, Any]:
    request = context["request"]
    actor = actor_for_request(request)
    now = timezone.now()
    return {
        "section": section,
        "blocks": blocks(section, own=editorial_access.is_of_section(actor, section.pk), now=now),
        "may_state": actor.is_correspondent_of(section.pk),
        "now": now,
    }
