"""Late and missing issues, as the paper's section and its partner see them (``status``)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from liaison.distribution.models import Subscription, SubscriptionState
from liaison.exchange import schedule, services, status
from liaison.exchange.status import State
from liaison.periodicals.models import Frequency
from tests.exchange.conftest import TODAY

D = datetime.date


def seen_by_b(world: Any, today: datetime.date = TODAY) -> status.Exchange:
    (exchange,) = status.section_overview(world.section_b, today=today).received
    return exchange


def seen_by_a(world: Any, today: datetime.date = TODAY) -> status.PaperState:
    (paper,) = status.section_overview(world.section_a, today=today).papers
    return paper


def states(exchange: status.Exchange) -> dict[int, str]:
    return {row.number: row.state for row in exchange.issues}


def test_nothing_is_flagged_when_every_issue_arrived_in_time(world, partnership, register, arrive) -> None:
    issues = [register(n, D(2025, n, 10)) for n in range(1, 6)]
    for issue in issues[:4]:
        arrive(issue)
    exchange = seen_by_b(world)
    # No. 5 of 10 May is on its way until 25 May (half of May-June's 31 days, rounded down, is 15).
    assert states(exchange) == {1: "received", 2: "received", 3: "received", 4: "received", 5: "awaited"}
    assert not exchange.flagged
    assert exchange.next_issue == status.Lateness(6, D(2025, 6, 10), D(2025, 6, 26), late=False)
    paper = seen_by_a(world)
    assert not paper.late and paper.unregistered == []
    assert paper.partners[0].missing == []


def test_an_issue_not_received_is_missing_once_its_grace_period_is_over(world, partnership, register, arrive) -> None:
    for n in range(1, 6):
        issue = register(n, D(2025, n, 10))
        if n != 3:
            arrive(issue)
    exchange = seen_by_b(world)
    (missing,) = exchange.missing
    assert (missing.number, missing.state, missing.missing_since) == (3, State.MISSING, D(2025, 3, 26))
    assert [row.number for row in exchange.claimable] == [3]
    # The paper's section sees the same on its side.
    assert [row.number for row in seen_by_a(world).partners[0].missing] == [3]


def test_an_issue_older_than_one_that_arrived_is_missing_at_once(world, partnership, register, arrive) -> None:
    register(1, D(2025, 5, 1))
    arrive(register(2, D(2025, 5, 8)))
    assert states(seen_by_b(world, today=D(2025, 5, 10))) == {1: State.MISSING, 2: State.RECEIVED}


def test_the_paper_is_late_when_the_next_issue_is_not_registered_in_time(world, partnership, register) -> None:
    register(1, D(2025, 2, 10))
    register(2, D(2025, 3, 10))
    # Monthly: No. 3 is expected on 10 April, and late from 26 April (10 April + 15 days + 1).
    on_time = seen_by_b(world, today=D(2025, 4, 25))
    assert on_time.next_issue is not None and not on_time.late
    late = seen_by_b(world, today=D(2025, 4, 26))
    assert late.next_issue == status.Lateness(3, D(2025, 4, 10), D(2025, 4, 26), late=True)
    assert late.flagged
    paper = seen_by_a(world, today=D(2025, 4, 26))
    assert paper.late and paper.next_issue is not None and paper.next_issue.number == 3


def test_registering_the_late_issue_clears_the_flag(world, partnership, register) -> None:
    register(1, D(2025, 3, 10))
    assert seen_by_b(world).late
    register(2, D(2025, 5, 19))
    assert not seen_by_b(world).late and not seen_by_a(world).late


def test_a_partner_expects_the_paper_at_its_own_frequency(world, paper, partnership, register) -> None:
    services.change_frequency(world.actor("corr_a"), partnership, Frequency.QUARTERLY)
    register(1, D(2025, 3, 10))
    # Quarterly for the partner: No. 2 expected on 10 June, not late on 20 May...
    exchange = seen_by_b(world)
    assert exchange.frequency == Frequency.QUARTERLY and not exchange.late
    # ...while the paper itself appears monthly, and its section sees it late.
    assert seen_by_a(world).late


def test_a_number_skipped_without_a_reason_is_flagged_on_both_sides(world, partnership, register, arrive) -> None:
    arrive(register(1, D(2025, 3, 1)))
    arrive(register(3, D(2025, 5, 1)))
    exchange = seen_by_b(world)
    assert states(exchange) == {1: State.RECEIVED, 2: State.UNREGISTERED, 3: State.RECEIVED}
    assert exchange.flagged and exchange.claimable == []  # nothing to claim: No. 2 was never registered
    assert seen_by_a(world).unregistered == [2]


def test_a_number_skipped_with_a_reason_is_not_flagged(world, partnership, register, arrive) -> None:
    arrive(register(1, D(2025, 3, 1)))
    arrive(register(3, D(2025, 5, 1), gap_reason="No. 2 was seized by the police."))
    assert states(seen_by_b(world)) == {1: State.RECEIVED, 3: State.RECEIVED}
    assert seen_by_a(world).unregistered == []


def test_a_partnership_without_any_issue_expects_the_first_within_an_interval(world, partnership) -> None:
    exchange = seen_by_b(world)
    assert exchange.next_issue == status.Lateness(1, D(2025, 2, 1), D(2025, 2, 17), late=True)
    # The paper's section is not told when its first issue is due: Liaison knows no date to count from.
    assert seen_by_a(world).next_issue is None


def test_issues_before_the_partnership_began_are_not_due(world, partnership, register) -> None:
    register(1, D(2024, 12, 10))
    register(2, D(2025, 1, 10))
    assert list(states(seen_by_b(world))) == [2]


def test_an_ended_partnership_is_owed_nothing_after_its_end_and_never_late(world, partnership, register) -> None:
    register(1, D(2025, 2, 10))
    register(2, D(2025, 4, 10))
    Subscription.objects.filter(pk=partnership.pk).update(state=SubscriptionState.ENDED, ended_on=D(2025, 3, 1))
    overview = status.section_overview(world.section_b, today=TODAY, include_ended=True)
    (exchange,) = overview.received
    assert not exchange.current and exchange.next_issue is None
    assert list(states(exchange)) == [1]
    # The dashboard shows current exchanges only.
    assert status.section_overview(world.section_b, today=TODAY).received == []


def test_an_irregular_paper_is_never_late_but_its_issues_can_go_missing(world, paper, partnership, register) -> None:
    paper.frequency = Frequency.IRREGULAR
    paper.save()
    register(1, D(2025, 1, 10))
    exchange = seen_by_b(world)
    assert exchange.next_issue is None and not exchange.late
    assert states(exchange) == {1: State.MISSING}  # 30 days after 10 January


@pytest.mark.parametrize(("zone", "late"), [("UTC", False), ("Pacific/Auckland", True), ("America/Lima", False)])
def test_lateness_is_judged_on_the_federations_local_date(
    settings, world, partnership, register, zone: str, late: bool
) -> None:
    settings.TIME_ZONE = zone
    register(1, D(2025, 3, 10))
    # Late from 26 April; at 12:30 UTC on 25 April it is already the 26th in New Zealand, not in Peru.
    moment = datetime.datetime(2025, 4, 25, 12, 30, tzinfo=datetime.UTC)
    assert seen_by_b(world, today=schedule.today(moment)).late is late
