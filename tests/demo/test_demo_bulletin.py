"""The demo bulletin that ``liaison demo`` loads: two issues with their calls, twenty contributions in every state
and six languages, and issue No. 1 assembled and ready to publish. Loaded once for the module (it takes seconds);
the tests only read it."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from liaison.conference.models import PositionRevision
from liaison.editorial import access as editorial_access
from liaison.editorial import services as editorial
from liaison.editorial.models import Citation, Contribution, Decision, Item, Notice, NoticeKind, State
from liaison.federation.access import actor_for_user
from liaison.federation.models import Person, Section, SectionStatus
from liaison.periodicals.models import Audience, Issue, IssueStatus, Periodical

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The demo, loaded in a transaction that is rolled back after the module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_its_bulletins_have_short_names_and_audiences(demo: str) -> None:
    bulletin = Periodical.objects.get(slug="bulletin")
    internal = Periodical.objects.get(slug="internal")
    assert bulletin.name == "International Information Bulletin" and bulletin.audience == Audience.PUBLIC
    assert internal.name == "Internal Discussion Bulletin" and internal.audience == Audience.MEMBERS
    assert bulletin.is_bulletin and internal.is_bulletin


def test_issue_one_is_assembled_and_ready_to_publish(demo: str) -> None:
    one = Issue.objects.get(periodical__slug="bulletin", number=1)
    assert one.status == IssueStatus.ASSEMBLY and one.published_at is None
    assert one.budget_pages == 12
    assert one.created < timezone.now() - datetime.timedelta(days=25)
    [call] = one.calls.all()
    assert call.deadline < timezone.now()
    europe = {s.pk for s in Section.objects.filter(region__name="Europe").exclude(status=SectionStatus.DISSOLVED)}
    assert editorial.invited_section_ids(call) == europe
    items = list(one.items.select_related("contribution__section").order_by("position"))
    assert [item.position for item in items] == list(range(1, len(items) + 1))
    assert len(items) >= 5
    assert all(item.contribution.state == State.PLACED for item in items)
    assert sum(item.contribution.pages for item in items) <= one.budget_pages
    # Every European section with an accepted text got space, and what is placed can be published.
    assert {item.contribution.section_id for item in items} >= {
        c.section_id for c in Contribution.objects.filter(call=call, accepted_at__isnull=False)
    }
    assert editorial.propose(one)[0].placed == []


def test_issue_two_is_open_to_the_other_regions(demo: str) -> None:
    two = Issue.objects.get(periodical__slug="bulletin", number=2)
    assert two.status == IssueStatus.OPEN
    [call] = two.calls.all()
    assert call.deadline > timezone.now()
    assert set(call.invited_regions.values_list("name", flat=True)) == {"The Americas", "Asia", "Africa"}
    assert Notice.objects.filter(kind=NoticeKind.CALL, call=call).count() == len(editorial.invited_section_ids(call))


def test_its_contributions_cover_every_state_and_many_languages(demo: str) -> None:
    # The bulletin's own texts: the conference's statements are tested with the conference (test_conference_demo).
    statements = PositionRevision.objects.values("contribution_id")
    contributions = list(Contribution.objects.exclude(pk__in=statements).select_related("section"))
    assert 18 <= len(contributions) <= 24
    states = {c.state for c in contributions}
    assert states == set(State.values) - {State.PUBLISHED}
    assert {"fr", "de", "es", "ru", "en", "ar"} <= {c.language for c in contributions}
    assert len({c.section_id for c in contributions}) >= 8
    assert sum("[^1]" in c.body for c in contributions) >= len(contributions) - 4
    for c in contributions:
        # Every text has its revisions and its recorded history, ending in its present state.
        assert c.revisions.exists()
        decisions = list(c.decisions.all())
        assert (decisions[-1].to_state if decisions else State.DRAFT) == c.state
        assert all(d.actor_name for d in decisions)
        assert editorial.render_body(c)


def test_its_decisions_carry_their_reasons(demo: str) -> None:
    for state in (State.RETURNED, State.DECLINED):
        for c in Contribution.objects.filter(state=state):
            assert len(c.decisions.last().reason) > 20  # type: ignore[union-attr]
    resubmitted = Contribution.objects.filter(state=State.RESUBMITTED)
    assert resubmitted.exists()
    for c in resubmitted:
        assert c.revisions.count() >= 2
        assert c.decisions.filter(to_state=State.RETURNED).exclude(reason="").exists()
    assert Decision.objects.filter(to_state=State.WITHDRAWN).exists()


def test_one_text_cites_the_first_item(demo: str) -> None:
    first = Item.objects.get(issue__periodical__slug="bulletin", issue__number=1, position=1)
    citations = Citation.objects.filter(target=first).select_related("source")
    assert citations.exists()
    citing = citations[0].source
    assert "[[bulletin/1/1]]" in citing.body
    assert "International Information Bulletin No. 1, item 1" in editorial.render_body(citing)


def test_the_demo_logins_have_editorial_work_to_do(demo: str) -> None:
    people = {p.user.username: p for p in Person.objects.filter(user__isnull=False).select_related("user")}
    correspondent = actor_for_user(people["correspondent"].user)
    french = Section.objects.get(name="Section française")
    drafts = Contribution.objects.filter(section=french, state=State.DRAFT)
    assert drafts.exists() and all(editorial_access.can_see(correspondent, c) for c in drafts)
    editor = actor_for_user(people["editor"].user)
    waiting = Contribution.objects.filter(state__in=[State.SUBMITTED, State.RESUBMITTED])
    assert waiting.count() >= 3
    assert all(State.ACCEPTED in editorial.allowed_moves(editor, c) for c in waiting)
    member = actor_for_user(people["member"].user)
    assert not any(editorial_access.can_see(member, c) for c in drafts)
