"""Reminders: a week before a wave's deadline and once after it, to the correspondents of sections with positions
not stated, in each one's language; recorded once per section, wave and kind, so that a second or concurrent run
sends nothing; a refused mail is tried again; the Celery task, its beat entry and ``liaison remind``."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import CommandError, call_command

from liaison.conference import reminders, services
from liaison.conference.models import ConferenceStatus, Reminder, ReminderKind
from liaison.conference.tasks import send_reminders_task
from liaison.federation.models import Person, Role, RoleKind, SectionStatus
from tests.conference.conftest import AMERICAS_DEADLINE, EUROPE_DEADLINE, later

WEEK = datetime.timedelta(days=7)
INSTANT = datetime.timedelta(microseconds=1)


@pytest.fixture
def ready(waves: Any, questions: Any) -> None:
    """The conference with its questions and waves (Europe: section A; the Americas: section B)."""


def sections_reminded() -> list[tuple[str, str]]:
    return sorted(Reminder.objects.values_list("section__slug", "kind"))


def test_nobody_is_reminded_more_than_a_week_before(ready: None) -> None:
    summary = reminders.send_reminders(now=EUROPE_DEADLINE - WEEK - INSTANT)
    assert (summary.reminders, summary.messages) == (0, 0)
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_a_section_is_reminded_from_the_instant_its_deadline_is_a_week_away(world: Any, ready: None) -> None:
    now = EUROPE_DEADLINE - WEEK
    summary = reminders.send_reminders(now=now)
    assert (summary.reminders, summary.messages, summary.failed) == (1, 1, 0)
    [message] = mail.outbox
    assert message.to == ["corr_a@example.org"]
    assert "Second International Conference: the positions of Section Alpha are due by" in message.subject
    assert "1. The united front" in message.body and "2. The trade unions" in message.body
    assert "/sections/alpha/dashboard/" in message.body
    reminder = Reminder.objects.get()
    assert (reminder.section, reminder.kind, reminder.questions) == (world.section_a, ReminderKind.BEFORE, [1, 2])
    assert (reminder.recipients, reminder.sent_at) == (1, now)


def test_a_second_run_sends_nothing(ready: None) -> None:
    now = EUROPE_DEADLINE - datetime.timedelta(days=3)
    reminders.send_reminders(now=now)
    again = reminders.send_reminders(now=now)
    later_that_week = reminders.send_reminders(now=now + datetime.timedelta(days=2))
    assert (again.reminders, again.messages) == (0, 0)
    assert (later_that_week.reminders, later_that_week.messages) == (0, 0)
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 1


def test_a_run_at_the_same_moment_is_decided_by_the_constraint(world: Any, ready: None) -> None:
    # Two runs that both found the reminder due: the one whose row goes in second sends nothing.
    now = EUROPE_DEADLINE - datetime.timedelta(days=3)
    [item] = reminders.due(now)
    assert reminders.remind(item, now) == 1
    assert reminders.remind(item, now) is None
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 1


def test_overdue_sections_are_reminded_once_after_the_deadline(world: Any, ready: None) -> None:
    reminders.send_reminders(now=EUROPE_DEADLINE - datetime.timedelta(days=2))
    mail.outbox.clear()
    # At the deadline's very instant a section is not overdue yet; a moment after, it is.
    assert reminders.send_reminders(now=EUROPE_DEADLINE).reminders == 0
    summary = reminders.send_reminders(now=EUROPE_DEADLINE + INSTANT)
    assert (summary.reminders, summary.messages) == (1, 1)
    [message] = mail.outbox
    assert "the positions of Section Alpha are overdue" in message.subject
    assert "has passed" in message.body
    assert reminders.send_reminders(now=EUROPE_DEADLINE + datetime.timedelta(days=30)).reminders == 0
    assert sections_reminded() == [("alpha", "before"), ("alpha", "overdue")]


def test_each_wave_is_reminded_at_its_own_deadline(ready: None) -> None:
    reminders.send_reminders(now=EUROPE_DEADLINE - datetime.timedelta(days=1))
    reminders.send_reminders(now=AMERICAS_DEADLINE - datetime.timedelta(days=1))
    assert sections_reminded() == [("alpha", "before"), ("alpha", "overdue"), ("beta", "before")]
    assert sorted(m.to[0] for m in mail.outbox) == ["corr_a@example.org", "corr_a@example.org", "corr_b@example.org"]


def test_the_deadline_is_the_same_instant_in_every_time_zone(settings: Any, ready: None) -> None:
    settings.TIME_ZONE = "Asia/Tokyo"
    assert reminders.send_reminders(now=EUROPE_DEADLINE - WEEK - INSTANT).reminders == 0
    assert reminders.send_reminders(now=EUROPE_DEADLINE - WEEK).reminders == 1
    [message] = mail.outbox
    # Noon UTC is nine in the evening in Tokyo: the mail shows the federation's time, and says which.
    assert "March 1, 2031, 9 p.m. (Asia/Tokyo)" in message.body


def test_only_the_questions_not_stated_are_named(world: Any, ready: None, state: Any) -> None:
    state(question=0, to="submitted")
    state(question=1, option="own", to="draft")  # a draft is not a position: still to state
    reminders.send_reminders(now=EUROPE_DEADLINE - datetime.timedelta(days=1))
    [message] = mail.outbox
    assert "2. The trade unions" in message.body
    assert "The united front" not in message.body
    assert Reminder.objects.get().questions == [2]


def test_a_section_that_stated_everything_is_not_reminded(ready: None, state: Any) -> None:
    state(question=0, to="submitted")
    state(question=1, option="abstain", to="published")
    assert reminders.send_reminders(now=EUROPE_DEADLINE - datetime.timedelta(days=1)).reminders == 0
    assert reminders.send_reminders(now=EUROPE_DEADLINE + datetime.timedelta(days=1)).reminders == 0
    assert mail.outbox == []


def test_each_correspondent_reads_it_in_their_language(world: Any, conference: Any, ready: None) -> None:
    services.create_question(
        world.actor("editor"),
        conference,
        title={"ru": "Профсоюзы и партия", "en": "Unions and party"},
    )
    world.users["corr_a"].language = "fr"
    world.users["corr_a"].save()
    second = Person.objects.create(pseudonym="Second Alpha")
    second.user = type(world.users["corr_a"]).objects.create_user(
        username="corr_a2", email="second@example.org", language="ru"
    )
    second.save()
    Role.objects.create(person=second, kind=RoleKind.CORRESPONDENT, section=world.section_a)
    reminders.send_reminders(now=EUROPE_DEADLINE - datetime.timedelta(days=1))
    by_address = {m.to[0]: m for m in mail.outbox}
    french, russian = by_address["corr_a@example.org"], by_address["second@example.org"]
    assert french.extra_headers["Content-Language"] == "fr"
    assert "1. Le front unique" in french.body and "2. Les syndicats" in french.body
    assert "1 mars 2031" in french.body
    assert russian.extra_headers["Content-Language"] == "ru"
    assert "3. Профсоюзы и партия" in russian.body
    assert "1 марта 2031" in russian.body
    assert Reminder.objects.get().recipients == 2


def test_correspondents_without_an_address_are_not_mailed_but_the_reminder_is_recorded(world: Any, ready: None) -> None:
    world.users["corr_a"].email = ""
    world.users["corr_a"].save()
    # A correspondent without an account at all, and a member (members are not reminded).
    offline = Person.objects.create(pseudonym="Без почты")
    Role.objects.create(person=offline, kind=RoleKind.CORRESPONDENT, section=world.section_a)
    summary = reminders.send_reminders(now=EUROPE_DEADLINE - datetime.timedelta(days=1))
    assert (summary.reminders, summary.messages) == (1, 0)
    assert mail.outbox == []
    assert Reminder.objects.get().recipients == 0
    assert reminders.send_reminders(now=EUROPE_DEADLINE - datetime.timedelta(hours=1)).reminders == 0


def test_an_address_shared_by_two_correspondents_gets_one_message(world: Any, ready: None) -> None:
    other = Person.objects.create(pseudonym="同志")
    other.user = type(world.users["corr_a"]).objects.create_user(username="twin", email="CORR_A@example.org")
    other.save()
    Role.objects.create(person=other, kind=RoleKind.CORRESPONDENT, section=world.section_a)
    reminders.send_reminders(now=EUROPE_DEADLINE - datetime.timedelta(days=1))
    assert [m.to for m in mail.outbox] == [["corr_a@example.org"]]


def test_a_refused_mail_leaves_nothing_recorded_and_the_next_run_sends_it(
    world: Any, ready: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Down:
        def send_messages(self, messages: Any) -> int:
            raise ConnectionRefusedError("The mail server is down.")

    now = EUROPE_DEADLINE - datetime.timedelta(days=1)
    with monkeypatch.context() as patched:
        patched.setattr(reminders, "get_connection", lambda **kwargs: Down())
        summary = reminders.send_reminders(now=now)
    assert (summary.reminders, summary.failed) == (0, 1)
    assert not Reminder.objects.exists()
    summary = reminders.send_reminders(now=now + datetime.timedelta(hours=1))
    assert (summary.reminders, summary.messages, summary.failed) == (1, 1, 0)
    assert len(mail.outbox) == 1


def test_closed_conferences_and_dissolved_sections_are_not_reminded(world: Any, conference: Any, ready: None) -> None:
    world.section_b.status = SectionStatus.DISSOLVED
    world.section_b.save()
    reminders.send_reminders(now=AMERICAS_DEADLINE - datetime.timedelta(days=1))
    assert sections_reminded() == [("alpha", "overdue")]  # Beta is dissolved
    mail.outbox.clear()
    Reminder.objects.all().delete()
    services.set_conference_status(world.actor("editor"), conference, ConferenceStatus.CONVENED)
    services.set_conference_status(world.actor("editor"), conference, ConferenceStatus.CLOSED)
    assert reminders.send_reminders(now=EUROPE_DEADLINE + datetime.timedelta(days=1)).reminders == 0
    assert mail.outbox == []


@pytest.fixture
def due_now(world: Any, conference: Any, questions: Any, issues: Any) -> None:
    """Section A's deadline three days from now, so that the command and the task (which ask the clock) find it."""
    services.create_wave(
        world.actor("editor"), conference, name="Europe", regions=[world.europe], deadline=later(3), issue=issues[0]
    )


def test_the_command_sends_what_is_due(due_now: None) -> None:
    out = StringIO()
    call_command("remind", "--dry-run", stdout=out)
    assert "Section Alpha (Europe, before): questions 1, 2" in out.getvalue()
    assert mail.outbox == [] and not Reminder.objects.exists()
    out = StringIO()
    call_command("remind", stdout=out)
    assert "Sent 1 reminders (1 messages)." in out.getvalue()
    call_command("remind", stdout=StringIO())
    assert len(mail.outbox) == 1


def test_the_command_fails_when_a_mail_is_refused(due_now: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def down(**kwargs: Any) -> Any:
        raise ConnectionRefusedError("The mail server is down.")

    monkeypatch.setattr(reminders, "get_connection", down)
    with pytest.raises(CommandError, match="1 reminders could not be sent"):
        call_command("remind", stdout=StringIO())
    assert not Reminder.objects.exists()


def test_the_task_runs_hourly_from_celery_beat(due_now: None) -> None:
    entry = django_settings.CELERY_BEAT_SCHEDULE["conference-reminders"]
    assert entry == {"task": send_reminders_task.name, "schedule": 3600}
    assert send_reminders_task.delay().get() == {"reminders": 1, "messages": 1, "failed": 0}
    assert send_reminders_task.delay().get() == {"reminders": 0, "messages": 0, "failed": 0}
    assert len(mail.outbox) == 1
