"""Reminding sections of the positions they have not stated: by email to their correspondents, once a week before
their wave's deadline and once when it has passed, and on their dashboard (which shows the last reminder).

``send_reminders`` is run every hour (a Celery beat entry, or ``liaison remind`` from cron) and is safe to run twice
or at the same moment: each reminder is a ``Reminder`` row, unique per section, wave and kind, inserted in the
transaction that sends the mail. A second run finds the row, or fails to insert it, and sends nothing; a send that
fails rolls the row back, so the next run tries again.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from liaison.conference import services
from liaison.conference.models import Conference, ConferenceStatus, Reminder, ReminderKind
from liaison.federation.access import active_roles
from liaison.federation.models import Role, RoleKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """A reminder to send now: a section's pending questions in its wave, before the deadline or after it."""

    pending: services.Pending
    kind: str


@dataclass
class Summary:
    """What a run did: reminders recorded, messages sent, reminders that failed (and will be tried again)."""

    reminders: int = 0
    messages: int = 0
    failed: int = 0


def due(now: datetime.datetime | None = None) -> list[Due]:
    """The reminders to send now and not sent yet, over every conference that is not closed."""
    now = now or timezone.now()
    found: list[Due] = []
    for conference in Conference.objects.exclude(status=ConferenceStatus.CLOSED).order_by("pk"):
        sent = set(Reminder.objects.filter(wave__conference=conference).values_list("section_id", "wave_id", "kind"))
        candidates = [Due(p, ReminderKind.BEFORE) for p in services.reminders_due(conference, now=now)]
        candidates += [Due(p, ReminderKind.OVERDUE) for p in services.overdue(conference, now=now)]
        found += [d for d in candidates if (d.pending.section.pk, d.pending.wave.pk, d.kind) not in sent]
    return found


def send_reminders(now: datetime.datetime | None = None) -> Summary:
    """Send every reminder due now (see the module's docstring); returns what was done."""
    now = now or timezone.now()
    summary = Summary()
    for item in due(now):
        try:
            sent = remind(item, now)
        except Exception:  # logged; the other sections are still reminded, this one by the next run
            log.exception("Reminder to %s about %s could not be sent", item.pending.section, item.pending.wave)
            summary.failed += 1
            continue
        if sent is not None:
            summary.reminders += 1
            summary.messages += sent
    return summary


def remind(item: Due, now: datetime.datetime) -> int | None:
    """Record the reminder and mail it, in one transaction; the number of messages sent, or None when another run
    had already recorded it."""
    pending = item.pending
    messages = [message(item, email, language) for email, language in recipients(pending.section.pk)]
    try:
        with transaction.atomic():
            Reminder.objects.create(
                section=pending.section,
                wave=pending.wave,
                kind=item.kind,
                questions=[q.number for q in pending.questions],
                recipients=len(messages),
                sent_at=now,
            )
            # Sent inside the transaction: if the mail server refuses, the row goes too and the next run retries.
            # If the commit failed after sending, the section would be reminded twice: better than never.
            if messages:
                get_connection(fail_silently=False).send_messages(messages)
    except IntegrityError:
        return None
    return len(messages)


def recipients(section_id: int) -> list[tuple[str, str]]:
    """(address, language) of the section's current correspondents with an email address, each address once.
    Those without an account or an address are not mailed: they see the reminder on the section's dashboard."""
    roles = Role.objects.filter(active_roles(), section_id=section_id, kind=RoleKind.CORRESPONDENT).exclude(
        Q(person__user__isnull=True) | Q(person__user__email="")
    )
    seen: dict[str, str] = {}
    for email, language in roles.order_by("person__user_id").values_list(
        "person__user__email", "person__user__language"
    ):
        seen.setdefault(email.lower(), language or settings.LANGUAGE_CODE)
    return sorted(seen.items())


def _link(name: str, *args: Any) -> str:
    # The conference's pages may not be installed (they are built separately): then the mail leads to the dashboard.
    try:
        return settings.SITE_URL + reverse(name, args=args)
    except NoReverseMatch:
        return ""


def message(item: Due, email: str, language: str) -> EmailMessage:
    """The reminder in the recipient's language: the questions' titles in it when written, the deadline in the
    federation's time zone."""
    pending = item.pending
    conference = pending.wave.conference
    section = pending.section
    with translation.override(language):
        questions = []
        for question in pending.questions:
            title, title_language = services.text_in(question.title, language)
            questions.append(
                {
                    "number": question.number,
                    "title": title,
                    "language": title_language,
                    "url": _link("conference_position", conference.pk, section.slug, question.number),
                }
            )
        context = {
            "kind": item.kind,
            "conference": conference,
            "section": section,
            "wave": pending.wave,
            "deadline": pending.wave.deadline,
            "time_zone": settings.TIME_ZONE,
            "questions": questions,
            "dashboard_url": settings.SITE_URL + reverse("editorial:dashboard", args=[section.slug]),
            "section_url": _link("conference_section", conference.pk, section.slug),
        }
        subject = " ".join(render_to_string("conference/email/reminder_subject.txt", context).split())
        body = render_to_string("conference/email/reminder_body.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email], headers={"Content-Language": language})
