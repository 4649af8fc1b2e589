"""Issues and calls: numbering per bulletin without unexplained gaps, the issue's status moves, and calls that name
a topic, a future deadline and whom they invite, by section or by region. Only editors do any of it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from liaison.editorial import services
from liaison.editorial.models import Notice, NoticeKind
from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.federation import services as federation
from liaison.federation.models import Region, Section, SectionStatus
from liaison.periodicals.models import IssueStatus, Periodical
from tests.editorial.fixtures_core import bulletin

__all__ = ["bulletin"]

SOON = datetime.timedelta(days=14)


def create(world: Any, periodical: Any, role: str = "editor", **kwargs: Any) -> Any:
    kwargs.setdefault("planned_date", datetime.date(2030, 5, 1))
    kwargs.setdefault("budget_pages", 16)
    return services.create_issue(world.actor(role), periodical, **kwargs)


def test_issues_are_numbered_per_bulletin(world: Any, bulletin: Any) -> None:
    other = Periodical.objects.create(name="Other", slug="other", language="en", frequency="monthly")
    assert [create(world, bulletin).number for _ in range(3)] == [1, 2, 3]
    assert create(world, other).number == 1
    issue = create(world, bulletin, title="  Special  ")
    assert (issue.number, issue.title, issue.status, issue.budget_pages) == (4, "Special", IssueStatus.PLANNED, 16)


def test_a_gap_needs_a_recorded_reason(world: Any, bulletin: Any) -> None:
    create(world, bulletin)
    with pytest.raises(LiaisonError, match=r"The next number is 2; to skip to No\. 5, record why") as refused:
        create(world, bulletin, number=5)
    assert refused.value.field == "gap_reason"
    with pytest.raises(LiaisonError):
        create(world, bulletin, number=5, gap_reason="   ")
    issue = create(world, bulletin, number=5, gap_reason="Nos. 2–4 appeared on paper only, before Liaison.")
    assert issue.gap_reason == "Nos. 2–4 appeared on paper only, before Liaison."
    assert create(world, bulletin).number == 6
    # Filling the gap later leaves none behind: no reason needed.
    assert create(world, bulletin, number=3).number == 3


def test_duplicate_numbers_are_refused(world: Any, bulletin: Any) -> None:
    create(world, bulletin)
    with pytest.raises(Conflict, match=r"Issue No\. 1 already exists"):
        create(world, bulletin, number=1)
    with pytest.raises(LiaisonError, match="start at 1"):
        create(world, bulletin, number=0)
    assert bulletin.issues.count() == 1


@pytest.mark.parametrize("budget", [0, -2, "many", "NaN", "Infinity", 1001])
def test_the_budget_is_a_sensible_number_of_pages(world: Any, bulletin: Any, budget: Any) -> None:
    with pytest.raises(LiaisonError, match="between 1 and 1000") as refused:
        create(world, bulletin, budget_pages=budget)
    assert refused.value.field == "budget_pages"


def test_only_bulletins_have_issues_planned_here(world: Any) -> None:
    paper = Periodical.objects.create(
        name="Alpha Paper", slug="alpha-paper", section=world.section_a, language="fr", frequency="monthly"
    )
    with pytest.raises(LiaisonError, match="bulletins"):
        create(world, paper)


@pytest.mark.parametrize("role", ["corr_a", "corr_b", "member", "translator", "anonymous"])
def test_only_editors_plan_issues_and_change_their_status(world: Any, bulletin: Any, role: str) -> None:
    with pytest.raises(NotAllowed):
        create(world, bulletin, role=role)
    issue = create(world, bulletin)
    with pytest.raises(NotAllowed):
        services.set_issue_status(world.actor(role), issue, IssueStatus.OPEN)
    with pytest.raises(NotAllowed):
        services.open_call(
            world.actor(role), issue, topic="T", deadline=timezone.now() + SOON, sections=[world.section_a]
        )


def test_the_section_holding_the_delegation_plans_issues(world: Any, bulletin: Any) -> None:
    federation.delegate_editorial_role(world.actor("editor"), section=world.section_a, start=timezone.localdate())
    assert create(world, bulletin, role="corr_a").number == 1


def test_status_moves(world: Any, bulletin: Any) -> None:
    editor = world.actor("editor")
    issue = create(world, bulletin)
    with pytest.raises(LiaisonError, match="An issue that is planned cannot become in assembly"):
        services.set_issue_status(editor, issue, IssueStatus.ASSEMBLY)
    for status in (IssueStatus.OPEN, IssueStatus.ASSEMBLY, IssueStatus.OPEN, IssueStatus.ASSEMBLY):
        services.set_issue_status(editor, issue, status)
        issue.refresh_from_db()
        assert issue.status == status
    # Publishing is its own service, with its checks.
    with pytest.raises(LiaisonError, match="cannot become published"):
        services.set_issue_status(editor, issue, IssueStatus.PUBLISHED)
    with pytest.raises(LiaisonError, match="Unknown issue status"):
        services.set_issue_status(editor, issue, "lost")
    with pytest.raises(LiaisonError, match="no contents"):
        services.mark_published(editor, issue)


def test_the_next_issue_is_the_next_unpublished_one(world: Any, bulletin: Any) -> None:
    first, second, third = create(world, bulletin), create(world, bulletin), create(world, bulletin)
    assert services.next_issue(first) == second
    assert services.next_issue(second) == third
    assert services.next_issue(third) is None


# Calls -----------------------------------------------------------------------------------------------------------


def call(world: Any, issue: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("topic", "The eight-hour day")
    kwargs.setdefault("deadline", timezone.now() + SOON)
    if "sections" not in kwargs and "regions" not in kwargs:
        kwargs["sections"] = [world.section_a]
    return services.open_call(world.actor("editor"), issue, **kwargs)


def test_a_call_opens_its_issue_and_notifies_the_invited(world: Any, bulletin: Any) -> None:
    issue = create(world, bulletin)
    made = call(world, issue, questions="  What changed this year?  ", sections=[world.section_b])
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    assert (made.topic, made.questions, made.created_by) == (
        "The eight-hour day",
        "What changed this year?",
        world.users["editor"],
    )
    assert list(Notice.objects.filter(kind=NoticeKind.CALL).values_list("section_id", flat=True)) == [
        world.section_b.pk
    ]


def test_a_call_needs_a_topic(world: Any, bulletin: Any) -> None:
    issue = create(world, bulletin)
    with pytest.raises(LiaisonError, match="topic") as refused:
        call(world, issue, topic="  \n ")
    assert refused.value.field == "topic"


@pytest.mark.parametrize("delta", [datetime.timedelta(days=-1), datetime.timedelta(seconds=-1)])
def test_a_call_needs_a_future_deadline(world: Any, bulletin: Any, delta: datetime.timedelta) -> None:
    issue = create(world, bulletin)
    with pytest.raises(LiaisonError, match="future") as refused:
        call(world, issue, deadline=timezone.now() + delta)
    assert refused.value.field == "deadline"
    assert not issue.calls.exists()


def test_a_naive_deadline_is_read_in_the_sites_time_zone(world: Any, bulletin: Any) -> None:
    issue = create(world, bulletin)
    naive = datetime.datetime.now() + SOON
    made = call(world, issue, deadline=naive)
    assert timezone.is_aware(made.deadline)


def test_a_call_needs_invitees(world: Any, bulletin: Any) -> None:
    issue = create(world, bulletin)
    with pytest.raises(LiaisonError, match="Invite at least one") as refused:
        call(world, issue, sections=[], regions=[])
    assert refused.value.field == "sections"


def test_a_call_is_for_an_issue_still_open(world: Any, bulletin: Any) -> None:
    issue = create(world, bulletin)
    services.set_issue_status(world.actor("editor"), issue, IssueStatus.OPEN)
    services.set_issue_status(world.actor("editor"), issue, IssueStatus.ASSEMBLY)
    with pytest.raises(LiaisonError, match="in assembly: call for contributions to a later issue"):
        call(world, issue)


def test_invited_sections_cover_sections_and_regions(world: Any, bulletin: Any) -> None:
    issue = create(world, bulletin)
    gamma = Section.objects.create(
        name="Gamma", slug="gamma", country="DE", region=world.europe, status=SectionStatus.ADHERING
    )
    gone = Section.objects.create(
        name="Gone", slug="gone", country="IT", region=world.europe, status=SectionStatus.DISSOLVED
    )
    asia = Region.objects.create(name="Asia", slug="asia", order=3)
    by_region = call(world, issue, regions=[world.europe])
    assert services.invited_section_ids(by_region) == {world.section_a.pk, gamma.pk}
    both = call(world, issue, sections=[world.section_b], regions=[world.europe, asia])
    assert services.invited_section_ids(both) == {world.section_a.pk, world.section_b.pk, gamma.pk}
    overlapping = call(world, issue, sections=[world.section_a], regions=[world.europe])
    assert services.invited_section_ids(overlapping) == {world.section_a.pk, gamma.pk}
    assert Notice.objects.filter(call=overlapping).count() == 2
    empty_region = call(world, issue, regions=[asia])
    assert services.invited_section_ids(empty_region) == set()
    with pytest.raises(LiaisonError, match="Dissolved sections cannot be invited: Gone"):
        call(world, issue, sections=[gone])
