"""The demo's exchange: two sections exchanging papers, one paper late, an issue missing and claimed."""

from __future__ import annotations

import datetime

import pytest

from liaison.demo import exchange
from liaison.demo import federation as demo
from liaison.distribution.models import Claim, ClaimState, Receipt
from liaison.exchange import schedule, status
from liaison.federation.models import Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> datetime.date:
    """The demo counts back from the day it is loaded: this module runs on the real calendar (it overrides the
    fixed "today" of the exchange tests)."""
    return schedule.today()


def test_the_demo_exchanges_two_papers_with_one_late() -> None:
    demo.build()
    exchange.build()
    french = Section.objects.get(name="Section française")
    mexican = Section.objects.get(name="Sección mexicana")
    (received_in_mexico,) = status.section_overview(mexican).received
    assert [row.number for row in received_in_mexico.missing] == [4]
    assert received_in_mexico.missing[0].claim is not None
    assert [row.number for row in received_in_mexico.awaited] == [6]
    assert not received_in_mexico.late
    (received_in_france,) = status.section_overview(french).received
    assert received_in_france.late and received_in_france.next_issue is not None
    assert received_in_france.next_issue.number == 4
    (boletin,) = status.section_overview(mexican).papers
    assert boletin.late
    assert Receipt.objects.count() == 7
    assert Claim.objects.get().state == ClaimState.OPEN
