"""Fair allocation of an issue's pages: the pure function's promises as properties, an over-full issue as an example,
and assembly on the database: deferrals with their reason, the editor's overrides with theirs, the numbering."""

from __future__ import annotations

import datetime
import random
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.editorial import services
from liaison.editorial.allocation import Allocation, Candidate, allocate
from liaison.editorial.models import Deferral, DeferralReason, Item, Notice, NoticeKind, State
from liaison.errors import LiaisonError, NotAllowed
from liaison.periodicals.models import IssueStatus
from tests.editorial.fixtures_core import bring_to, bulletin, call_for, new_issue, words, write

__all__ = ["bulletin"]

T0 = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)


def candidate(
    id: int,
    section: int,
    pages: str,
    minute: int = 0,
    *,
    invited: bool = True,
    on_time: bool = True,
    deferred: bool = False,
) -> Candidate:
    return Candidate(
        id=id,
        section_id=section,
        pages=Decimal(pages),
        submitted_at=T0 + datetime.timedelta(minutes=minute),
        invited=invited,
        on_time=on_time,
        deferred_before=deferred,
    )


@st.composite
def situations(draw: Any) -> tuple[list[Candidate], Decimal, dict[int, int]]:
    n = draw(st.integers(min_value=0, max_value=14))
    candidates = [
        Candidate(
            id=index + 1,
            section_id=draw(st.integers(min_value=1, max_value=5)),
            pages=Decimal(draw(st.integers(min_value=1, max_value=24))) / 4,
            submitted_at=T0 + datetime.timedelta(minutes=draw(st.integers(min_value=0, max_value=20))),
            invited=draw(st.booleans()),
            on_time=draw(st.booleans()),
            deferred_before=draw(st.booleans()),
        )
        for index in range(n)
    ]
    budget = Decimal(draw(st.integers(min_value=0, max_value=80))) / 4
    already = draw(st.dictionaries(st.integers(min_value=1, max_value=5), st.integers(min_value=0, max_value=2)))
    return candidates, budget, already


def sections_left_out(candidates: list[Candidate], result: Allocation, already: dict[int, int]) -> set[int]:
    """Invited sections with an accepted on-time candidate and nothing in the issue."""
    placed = {c.section_id for c in candidates if c.id in result.placed} | {s for s, n in already.items() if n}
    return {c.section_id for c in candidates if c.invited and c.on_time} - placed


SETTINGS = settings(max_examples=200, deadline=None)


@SETTINGS
@given(situations())
def test_no_section_gets_a_second_item_while_an_invited_section_is_left_out(situation: Any) -> None:
    candidates, budget, already = situation
    result = allocate(candidates, budget, sections_placed=already)
    if sections_left_out(candidates, result, already):
        new = Counter(c.section_id for c in candidates if c.id in result.placed)
        assert all(already.get(section, 0) + n <= 1 for section, n in new.items())


@SETTINGS
@given(situations())
def test_the_placed_pages_never_exceed_the_budget(situation: Any) -> None:
    candidates, budget, already = situation
    result = allocate(candidates, budget, sections_placed=already)
    pages = sum((c.pages for c in candidates if c.id in result.placed), Decimal(0))
    assert pages == result.pages_used
    assert pages <= max(budget, Decimal(0))


@SETTINGS
@given(situations())
def test_every_candidate_is_placed_or_deferred_with_a_reason(situation: Any) -> None:
    candidates, budget, already = situation
    result = allocate(candidates, budget, sections_placed=already)
    ids = {c.id for c in candidates}
    assert len(result.placed) == len(set(result.placed))
    assert set(result.placed) | set(result.deferred) == ids
    assert not set(result.placed) & set(result.deferred)
    assert set(result.deferred.values()) <= set(DeferralReason.values) - {DeferralReason.EDITOR}
    if DeferralReason.FIRST_ITEMS in result.deferred.values():
        assert sections_left_out(candidates, result, already)


@SETTINGS
@given(situations(), st.randoms(use_true_random=False))
def test_it_is_deterministic(situation: Any, shuffler: random.Random) -> None:
    candidates, budget, already = situation
    first = allocate(candidates, budget, sections_placed=already)
    assert allocate(candidates, budget, sections_placed=already) == first
    shuffled = list(candidates)
    shuffler.shuffle(shuffled)
    assert allocate(shuffled, budget, sections_placed=already) == first


@SETTINGS
@given(situations())
def test_with_room_for_everything_everything_goes_in(situation: Any) -> None:
    candidates, _budget, already = situation
    total = sum((c.pages for c in candidates), Decimal(0))
    result = allocate(candidates, total, sections_placed=already)
    assert sorted(result.placed) == sorted(c.id for c in candidates)
    assert result.deferred == {}


def test_an_over_full_issue() -> None:
    # Four pages. Section 1 sent two texts, section 2 one, section 3 one too long to fit after the others, section 4
    # was not invited, section 5 was late.
    candidates = [
        candidate(1, 1, "1.5", minute=0),
        candidate(2, 1, "1", minute=1),
        candidate(3, 2, "1", minute=2),
        candidate(4, 3, "2", minute=3),
        candidate(5, 4, "0.5", minute=4, invited=False),
        candidate(6, 5, "0.5", minute=5, on_time=False),
    ]
    result = allocate(candidates, Decimal(4))
    # Round one, in order of submission: 1 (1.5 pages), 3 (1 page), then 4 needs 2 with 1.5 left: too long.
    assert result.placed == [1, 3]
    assert result.deferred[4] == DeferralReason.TOO_LONG
    # Section 3 is left out, so nobody gets a second item, and the uninvited and late ones wait behind it too.
    assert result.deferred[2] == DeferralReason.FIRST_ITEMS
    assert result.deferred[5] == DeferralReason.FIRST_ITEMS
    assert result.deferred[6] == DeferralReason.FIRST_ITEMS
    assert result.pages_used == Decimal("2.5")


def test_when_every_first_item_is_in_the_rest_follows_one_per_section_per_round() -> None:
    candidates = [
        candidate(1, 1, "1", minute=0),
        candidate(2, 1, "1", minute=1),
        candidate(3, 1, "1", minute=2),
        candidate(4, 2, "1", minute=3),
        candidate(5, 2, "1", minute=4),
        candidate(6, 3, "1", minute=5, invited=False),
    ]
    result = allocate(candidates, Decimal(5))
    # Firsts of sections 1 and 2; then section 3 (nothing yet) before the seconds; then the seconds by date.
    assert result.placed == [1, 4, 6, 2, 5]
    assert result.deferred == {3: DeferralReason.NO_SPACE}


def test_what_an_earlier_issue_deferred_goes_first() -> None:
    candidates = [candidate(1, 1, "1", minute=0), candidate(2, 2, "1", minute=9, deferred=True)]
    assert allocate(candidates, Decimal(1)).placed == [2]
    assert allocate(candidates, Decimal(2)).placed == [2, 1]


def test_a_section_with_an_item_placed_by_hand_waits_for_the_second_round() -> None:
    candidates = [candidate(1, 1, "1", minute=0), candidate(2, 2, "1", minute=5)]
    result = allocate(candidates, Decimal(1), sections_placed={1: 1})
    assert result.placed == [2]
    assert result.deferred == {1: DeferralReason.NO_SPACE}


# Assembly on the database ----------------------------------------------------------------------------------------


def test_assembly_defers_what_does_not_fit_to_the_next_issue(world: Any, bulletin: Any) -> None:
    editor = world.actor("editor")
    first = new_issue(world, bulletin, budget=1)
    second = new_issue(world, bulletin)
    call_for(world, first)
    a1 = bring_to(world, write(world, bulletin, title="A1", body=words(300)), State.ACCEPTED)
    a2 = bring_to(world, write(world, bulletin, title="A2", body=words(100)), State.ACCEPTED)
    b1 = bring_to(world, write(world, bulletin, role="corr_b", title="B1", body=words(300)), State.ACCEPTED)
    allocation = services.assemble_issue(editor, first)
    assert allocation.placed == [a1.pk]
    assert allocation.deferred == {b1.pk: DeferralReason.TOO_LONG, a2.pk: DeferralReason.FIRST_ITEMS}
    first.refresh_from_db()
    assert first.status == IssueStatus.ASSEMBLY
    for contribution, reason in ((b1, DeferralReason.TOO_LONG), (a2, DeferralReason.FIRST_ITEMS)):
        contribution.refresh_from_db()
        assert contribution.state == State.ACCEPTED and contribution.target_issue == second
        deferral = Deferral.objects.get(contribution=contribution)
        assert (deferral.from_issue, deferral.to_issue, deferral.reason) == (first, second, reason)
        assert Notice.objects.filter(kind=NoticeKind.DEFERRAL, deferral=deferral, section=contribution.section).exists()
    # In the next issue, what was deferred comes first, whatever its date.
    bring_to(world, write(world, bulletin, title="A3", body=words(100)), State.ACCEPTED)
    services.assemble_issue(editor, second)
    order = list(second.items.order_by("position").values_list("contribution__title", flat=True))
    assert order[:2] == ["B1", "A2"] or order[:2] == ["A2", "B1"]
    assert order[-1] == "A3"


def test_a_deferred_contribution_goes_first_in_the_next_issue(world: Any, bulletin: Any) -> None:
    editor = world.actor("editor")
    first = new_issue(world, bulletin, budget=1)
    second = new_issue(world, bulletin, budget=1)
    early = bring_to(world, write(world, bulletin, title="Early", body=words(300)), State.ACCEPTED)
    deferred = bring_to(world, write(world, bulletin, role="corr_b", title="Deferred", body=words(300)), State.ACCEPTED)
    services.assemble_issue(editor, first)
    assert Deferral.objects.filter(contribution=deferred).exists()
    # A text submitted since competes for the same page: the deferred one was waiting longer, and goes first.
    newer = bring_to(world, write(world, bulletin, title="Newer", body=words(300)), State.ACCEPTED)
    allocation = services.assemble_issue(editor, second)
    assert allocation.placed == [deferred.pk]
    assert Item.objects.get(contribution=deferred).issue == second
    assert Item.objects.get(contribution=early).issue == first
    assert allocation.deferred == {newer.pk: DeferralReason.TOO_LONG}


def test_without_a_next_issue_the_deferral_waits_for_it(world: Any, bulletin: Any) -> None:
    editor = world.actor("editor")
    only = new_issue(world, bulletin, budget=1)
    bring_to(world, write(world, bulletin, body=words(300)), State.ACCEPTED)
    waiting = bring_to(world, write(world, bulletin, role="corr_b", body=words(300)), State.ACCEPTED)
    services.assemble_issue(editor, only)
    deferral = Deferral.objects.get(contribution=waiting)
    assert deferral.to_issue is None
    # Assembling again does not take it back into the issue that deferred it, nor defer it twice.
    again = services.assemble_issue(editor, only)
    assert again.placed == [] and again.deferred == {}
    assert Deferral.objects.filter(contribution=waiting).count() == 1
    following = new_issue(world, bulletin)
    deferral.refresh_from_db()
    waiting.refresh_from_db()
    assert deferral.to_issue == following and waiting.target_issue == following
    assert services.assemble_issue(editor, following).placed == [waiting.pk]


def test_an_accepted_text_meant_for_a_published_issue_is_not_lost(world: Any, bulletin: Any) -> None:
    editor = world.actor("editor")
    first = new_issue(world, bulletin)
    call = call_for(world, first)
    bring_to(world, write(world, bulletin, call=call), State.PLACED, issue=first)
    services.mark_published(editor, first)
    late = bring_to(world, write(world, bulletin, role="corr_b", call=call), State.ACCEPTED)
    assert late.target_issue == first
    second = new_issue(world, bulletin)
    assert services.assemble_issue(editor, second).placed == [late.pk]


def test_only_editors_assemble_and_never_a_published_issue(world: Any, bulletin: Any) -> None:
    issue = new_issue(world, bulletin)
    for role in ("corr_a", "member", "translator", "anonymous"):
        with pytest.raises(NotAllowed):
            services.assemble_issue(world.actor(role), issue)
    bring_to(world, write(world, bulletin), State.PLACED, issue=issue)
    services.mark_published(world.actor("editor"), issue)
    with pytest.raises(LiaisonError, match="already published"):
        services.assemble_issue(world.actor("editor"), issue)


# The editor's overrides -----------------------------------------------------------------------------------------


def test_placing_past_the_budget_needs_a_reason_recorded_on_the_item(world: Any, bulletin: Any) -> None:
    editor = world.actor("editor")
    issue = new_issue(world, bulletin, budget=1)
    fits = bring_to(world, write(world, bulletin, body=words(300)), State.ACCEPTED)
    assert services.place(editor, fits, issue).override_reason == ""
    extra = bring_to(world, write(world, bulletin, role="corr_b", body=words(300)), State.ACCEPTED)
    with pytest.raises(LiaisonError, match=r"past the issue's 1\.00 pages") as refused:
        services.place(editor, extra, issue)
    assert refused.value.field == "reason"
    extra.refresh_from_db()
    assert extra.state == State.ACCEPTED and not Item.objects.filter(contribution=extra).exists()
    item = services.place(editor, extra, issue, reason="Urgent: the strike starts next week.")
    assert item.override_reason == "Urgent: the strike starts next week."
    assert item.position == 2
    assert extra.decisions.last().reason == "Urgent: the strike starts next week."  # type: ignore[union-attr]


def test_placing_ahead_of_the_fair_order_needs_a_reason(world: Any, bulletin: Any) -> None:
    editor = world.actor("editor")
    issue = new_issue(world, bulletin, budget=1)
    call_for(world, issue)
    a1 = bring_to(world, write(world, bulletin, body=words(150)), State.ACCEPTED)
    a2 = bring_to(world, write(world, bulletin, body=words(150)), State.ACCEPTED)
    bring_to(world, write(world, bulletin, role="corr_b", body=words(300)), State.ACCEPTED)
    services.place(editor, a1, issue)
    # Section B's first item is waiting and would fill the rest: a second item for section A jumps the queue.
    with pytest.raises(LiaisonError, match="fair order"):
        services.place(editor, a2, issue)
    item = services.place(editor, a2, issue, reason="Answers a question of the conference.")
    assert item.override_reason == "Answers a question of the conference."


def test_only_an_accepted_contribution_is_placed(world: Any, bulletin: Any) -> None:
    issue = new_issue(world, bulletin)
    c = bring_to(world, write(world, bulletin), State.SUBMITTED)
    with pytest.raises(LiaisonError, match="Only an accepted"):
        services.place(world.actor("editor"), c, issue, reason="x")
    placed = bring_to(world, write(world, bulletin), State.PLACED, issue=issue)
    with pytest.raises(LiaisonError, match="Only an accepted"):
        services.place(world.actor("editor"), placed, new_issue(world, bulletin), reason="twice")
    with pytest.raises(NotAllowed):
        services.place(world.actor("corr_a"), c, issue)


def _three_items(world: Any, bulletin: Any) -> tuple[Any, list[Item]]:
    issue = new_issue(world, bulletin)
    items = []
    for title in ("One", "Two", "Three"):
        c = bring_to(world, write(world, bulletin, title=title), State.PLACED, issue=issue)
        items.append(Item.objects.get(contribution=c))
    return issue, items


def titles(issue: Any) -> list[str]:
    return list(issue.items.order_by("position").values_list("contribution__title", flat=True))


def test_move_item_reorders_keeping_positions_one_to_n(world: Any, bulletin: Any) -> None:
    editor = world.actor("editor")
    issue, (one, _two, three) = _three_items(world, bulletin)
    services.move_item(editor, three, position=1, reason="Opens the issue: the conference report.")
    assert titles(issue) == ["Three", "One", "Two"]
    assert list(issue.items.order_by("position").values_list("position", flat=True)) == [1, 2, 3]
    three.refresh_from_db()
    assert three.override_reason == "Opens the issue: the conference report."
    services.move_item(editor, three, position=3, reason="Back in submission order.")
    assert titles(issue) == ["One", "Two", "Three"]
    # A later reason is added to the earlier one, which stays.
    three.refresh_from_db()
    assert three.override_reason == "Opens the issue: the conference report.\nBack in submission order."
    with pytest.raises(LiaisonError, match="between 1 and 3"):
        services.move_item(editor, one, position=4)
    with pytest.raises(NotAllowed):
        services.move_item(world.actor("corr_a"), one, position=2)


def test_unplace_closes_up_the_numbering(world: Any, bulletin: Any) -> None:
    editor = world.actor("editor")
    issue, (one, two, _three) = _three_items(world, bulletin)
    following = new_issue(world, bulletin)
    services.unplace(editor, one, reason="Waits for the translation.")
    assert titles(issue) == ["Two", "Three"]
    assert list(issue.items.order_by("position").values_list("position", flat=True)) == [1, 2]
    contribution = one.contribution
    contribution.refresh_from_db()
    assert contribution.state == State.ACCEPTED
    deferral = Deferral.objects.get(contribution=contribution)
    assert (deferral.reason, deferral.note, deferral.to_issue) == (
        DeferralReason.EDITOR,
        "Waits for the translation.",
        following,
    )
    # The next assembly of this issue leaves it out: the editor took it out on purpose.
    assert services.assemble_issue(editor, issue).placed == []
    with pytest.raises(LiaisonError, match="reason"):
        services.unplace(editor, two, reason="")


def test_a_published_issue_is_fixed(world: Any, bulletin: Any) -> None:
    editor = world.actor("editor")
    issue, (one, _two, _three) = _three_items(world, bulletin)
    services.mark_published(editor, issue)
    with pytest.raises(LiaisonError, match="fixed"):
        services.move_item(editor, one, position=2)
    with pytest.raises(LiaisonError):
        services.unplace(editor, one, reason="Too late.")
    with pytest.raises(LiaisonError, match="already published"):
        services.mark_published(editor, issue)
    assert titles(issue) == ["One", "Two", "Three"]


def test_defer_by_hand(world: Any, bulletin: Any) -> None:
    editor = world.actor("editor")
    first, second = new_issue(world, bulletin), new_issue(world, bulletin)
    c = bring_to(world, write(world, bulletin), State.ACCEPTED)
    with pytest.raises(NotAllowed):
        services.defer(world.actor("corr_a"), c, first, second, DeferralReason.EDITOR)
    with pytest.raises(LiaisonError, match="later issue"):
        services.defer(editor, c, second, first, DeferralReason.EDITOR)
    deferral = services.defer(editor, c, first, second, DeferralReason.EDITOR, note="Better with the next theme.")
    assert deferral.note == "Better with the next theme."
    c.refresh_from_db()
    assert c.target_issue == second
    assert services.assemble_issue(editor, first).placed == []
    assert services.assemble_issue(editor, second).placed == [c.pk]
