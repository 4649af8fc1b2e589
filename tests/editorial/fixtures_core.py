"""Helpers for the editorial core's tests: a bulletin, issues, and contributions brought to any state through the
services (never by writing the state directly), so every test starts from a history the workflow allows.

Import the fixtures into a test module with ``from tests.editorial.fixtures_core import bulletin, issue  # noqa``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from liaison.editorial import services
from liaison.editorial.models import Call, Contribution, State
from liaison.federation.access import Actor
from liaison.federation.models import Section
from liaison.periodicals.models import Issue, Periodical

TEXT = "A short report from our circle.[^1]\n\n[^1]: Written at the monthly meeting."


@pytest.fixture
def bulletin(world: Any) -> Periodical:
    return Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")


@pytest.fixture
def issue(world: Any, bulletin: Periodical) -> Issue:
    return services.create_issue(
        world.actor("editor"), bulletin, planned_date=datetime.date(2030, 1, 1), budget_pages=Decimal(12)
    )


def new_issue(world: Any, bulletin: Periodical, budget: Decimal | int = 12) -> Issue:
    return services.create_issue(world.actor("editor"), bulletin, planned_date=None, budget_pages=budget)


def call_for(
    world: Any, issue: Issue, *, sections: list[Section] | None = None, regions: list[Any] | None = None
) -> Call:
    return services.open_call(
        world.actor("editor"),
        issue,
        topic="Our work this year",
        deadline=timezone.now() + datetime.timedelta(days=30),
        sections=sections if sections is not None else [world.section_a, world.section_b],
        regions=regions or [],
    )


def words(n: int) -> str:
    """A text of ``n`` words: 500 make a page."""
    return " ".join(["word"] * n)


def write(
    world: Any,
    bulletin: Periodical,
    *,
    role: str = "corr_a",
    section: Section | None = None,
    title: str = "Our report",
    body: str = TEXT,
    call: Call | None = None,
    language: str = "fr",
    kind: str = "report",
) -> Contribution:
    section = section or (world.section_a if role == "corr_a" else world.section_b)
    return services.create_contribution(
        world.actor(role),
        section=section,
        periodical=bulletin,
        call=call,
        title=title,
        language=language,
        kind=kind,
        body=body,
    )


def correspondent_of(world: Any, contribution: Contribution) -> Actor:
    return world.actor("corr_a" if contribution.section_id == world.section_a.pk else "corr_b")


def bring_to(world: Any, contribution: Contribution, state: str, *, issue: Issue | None = None) -> Contribution:
    """Walk a draft through the workflow to ``state``; placing and publishing need ``issue``."""
    editor, section = world.actor("editor"), correspondent_of(world, contribution)
    path: dict[str, list[tuple[str, str]]] = {
        State.DRAFT: [],
        State.SUBMITTED: [(State.SUBMITTED, "")],
        State.RETURNED: [(State.SUBMITTED, ""), (State.RETURNED, "Please shorten it.")],
        State.RESUBMITTED: [(State.SUBMITTED, ""), (State.RETURNED, "Please shorten it."), (State.RESUBMITTED, "")],
        State.ACCEPTED: [(State.SUBMITTED, ""), (State.ACCEPTED, "")],
        State.PLACED: [(State.SUBMITTED, ""), (State.ACCEPTED, "")],
        State.PUBLISHED: [(State.SUBMITTED, ""), (State.ACCEPTED, "")],
        State.DECLINED: [(State.SUBMITTED, ""), (State.DECLINED, "Off topic.")],
        State.WITHDRAWN: [(State.SUBMITTED, ""), (State.WITHDRAWN, "")],
    }
    for target, reason in path[state]:
        rule = services.TRANSITIONS[(contribution.state, target)]
        actor = editor if rule.who is services.Who.EDITOR else section
        services.transition(actor, contribution, target, reason=reason)
    if state in (State.PLACED, State.PUBLISHED):
        assert issue is not None, "placing needs an issue"
        services.place(editor, contribution, issue, reason="By hand, for the test.")
    if state == State.PUBLISHED:
        assert issue is not None
        services.mark_published(editor, issue)
    contribution.refresh_from_db()
    assert contribution.state == state
    return contribution


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Any) -> Any:
    """``django_capture_on_commit_callbacks``, shorter: ``with capture(execute=True):`` sends the mail."""
    return django_capture_on_commit_callbacks
