"""Fixtures of the editorial tests: the bulletins, an issue with its call, and contributions in any state.

``bulletin`` is a public bulletin (slug "bulletin"), ``internal`` one for members only (slug "internal");
``issue`` is the bulletin's No. 1, open, with a call inviting sections A and B; ``make_contribution`` walks a new
contribution through the real services to the state asked for.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from liaison.editorial import services
from liaison.editorial.models import Call, Contribution, State
from liaison.periodicals.models import Audience, Frequency, Issue, Periodical

# The path through the workflow to each state, from a draft (``placed`` and ``published`` go through an issue).
PATHS: dict[str, tuple[tuple[str, str, str], ...]] = {
    State.DRAFT: (),
    State.SUBMITTED: (("section", State.SUBMITTED, ""),),
    State.RETURNED: (("section", State.SUBMITTED, ""), ("editor", State.RETURNED, "Please shorten it.")),
    State.RESUBMITTED: (
        ("section", State.SUBMITTED, ""),
        ("editor", State.RETURNED, "Please shorten it."),
        ("section", State.RESUBMITTED, ""),
    ),
    State.ACCEPTED: (("section", State.SUBMITTED, ""), ("editor", State.ACCEPTED, "")),
    State.DECLINED: (("section", State.SUBMITTED, ""), ("editor", State.DECLINED, "Off topic.")),
    State.WITHDRAWN: (("section", State.SUBMITTED, ""), ("section", State.WITHDRAWN, "")),
    State.PLACED: (("section", State.SUBMITTED, ""), ("editor", State.ACCEPTED, "")),
    State.PUBLISHED: (("section", State.SUBMITTED, ""), ("editor", State.ACCEPTED, "")),
}


def _periodical(name: str, slug: str, audience: str) -> Periodical:
    return Periodical.objects.create(
        name=name, slug=slug, language="en", frequency=Frequency.MONTHLY, audience=audience
    )


@pytest.fixture
def bulletin(world: Any) -> Periodical:
    return _periodical("Bulletin", "bulletin", Audience.PUBLIC)


@pytest.fixture
def internal(world: Any) -> Periodical:
    return _periodical("Internal Bulletin", "internal", Audience.MEMBERS)


def open_issue(world: Any, periodical: Periodical, *, budget: int = 16) -> Issue:
    """The periodical's next issue, open, with a call inviting sections A and B."""
    editor = world.actor("editor")
    issue = services.create_issue(editor, periodical, planned_date=datetime.date(2030, 1, 1), budget_pages=budget)
    services.open_call(
        editor,
        issue,
        topic="The coming conference",
        questions="What should it decide?",
        deadline=timezone.now() + datetime.timedelta(days=10),
        sections=[world.section_a, world.section_b],
    )
    issue.refresh_from_db()
    return issue


@pytest.fixture
def issue(world: Any, bulletin: Periodical) -> Issue:
    return open_issue(world, bulletin)


@pytest.fixture
def call(issue: Issue) -> Call:
    return issue.calls.get()


MakeContribution = Callable[..., Contribution]


@pytest.fixture
def make_contribution(world: Any, bulletin: Periodical) -> MakeContribution:
    """``make_contribution(state="accepted", section="b", periodical=internal, title=..., body=...)``."""

    def make(
        state: str = State.DRAFT,
        *,
        section: str = "a",
        periodical: Periodical | None = None,
        title: str = "Our report",
        body: str = "The section met twice this month.",
        language: str = "fr",
        kind: str = "report",
        call: Call | None = None,
        issue: Issue | None = None,
    ) -> Contribution:
        periodical = periodical or bulletin
        writer = world.actor(f"corr_{section}")
        editor = world.actor("editor")
        contribution = services.create_contribution(
            writer,
            section=world.section_a if section == "a" else world.section_b,
            periodical=periodical,
            call=call,
            title=title,
            language=language,
            kind=kind,
            body=body,
        )
        for who, target, reason in PATHS[state]:
            services.transition(writer if who == "section" else editor, contribution, target, reason=reason)
        if state in (State.PLACED, State.PUBLISHED):
            target_issue = issue or Issue.objects.filter(periodical=periodical).order_by("number").first()
            if target_issue is None:
                target_issue = open_issue(world, periodical)
            services.place(editor, contribution, target_issue, reason="Placed by the test.")
            if state == State.PUBLISHED:
                services.mark_published(editor, target_issue)
        contribution.refresh_from_db()
        return contribution

    return make
