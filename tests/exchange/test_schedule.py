"""When the next issue is due, for each frequency, across month ends, year ends, leap years and time zones."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from liaison.exchange import schedule
from liaison.periodicals.models import Frequency

D = datetime.date


@pytest.mark.parametrize(
    ("frequency", "last", "expected"),
    [
        (Frequency.WEEKLY, D(2030, 12, 28), D(2031, 1, 4)),
        (Frequency.WEEKLY, D(2032, 2, 26), D(2032, 3, 4)),
        (Frequency.FORTNIGHTLY, D(2032, 2, 20), D(2032, 3, 5)),
        (Frequency.FORTNIGHTLY, D(2031, 12, 25), D(2032, 1, 8)),
        (Frequency.MONTHLY, D(2031, 1, 31), D(2031, 2, 28)),
        (Frequency.MONTHLY, D(2032, 1, 31), D(2032, 2, 29)),
        (Frequency.MONTHLY, D(2031, 3, 31), D(2031, 4, 30)),
        (Frequency.MONTHLY, D(2031, 12, 15), D(2032, 1, 15)),
        (Frequency.BIMONTHLY, D(2031, 12, 31), D(2032, 2, 29)),
        (Frequency.BIMONTHLY, D(2031, 11, 30), D(2032, 1, 30)),
        (Frequency.QUARTERLY, D(2031, 11, 30), D(2032, 2, 29)),
        (Frequency.QUARTERLY, D(2031, 8, 31), D(2031, 11, 30)),
        (Frequency.QUARTERLY, D(2031, 10, 1), D(2032, 1, 1)),
    ],
)
def test_the_next_issue_is_expected_one_interval_later(
    frequency: str, last: datetime.date, expected: datetime.date
) -> None:
    assert schedule.next_date(last, frequency) == expected


def test_an_irregular_paper_has_no_expected_date_and_is_never_late() -> None:
    assert schedule.next_date(D(2031, 1, 1), Frequency.IRREGULAR) is None
    assert schedule.late_after(D(2031, 1, 1), Frequency.IRREGULAR) is None
    assert schedule.missing_after(D(2031, 1, 1), Frequency.IRREGULAR) == D(2031, 1, 31)


@pytest.mark.parametrize(
    ("frequency", "last", "grace_days", "late_from"),
    [
        # Half the interval, in whole days: 3 for a weekly, 7 for a fortnightly...
        (Frequency.WEEKLY, D(2031, 1, 1), 3, D(2031, 1, 12)),
        (Frequency.FORTNIGHTLY, D(2031, 1, 1), 7, D(2031, 1, 23)),
        # ...and for the months, half the calendar interval: February is short.
        (Frequency.MONTHLY, D(2031, 1, 31), 14, D(2031, 3, 15)),
        (Frequency.MONTHLY, D(2031, 3, 1), 15, D(2031, 4, 17)),
        (Frequency.BIMONTHLY, D(2031, 1, 1), 29, D(2031, 3, 31)),
        (Frequency.QUARTERLY, D(2031, 1, 1), 45, D(2031, 5, 17)),
    ],
)
def test_an_issue_is_late_after_its_date_and_half_an_interval(
    frequency: str, last: datetime.date, grace_days: int, late_from: datetime.date
) -> None:
    assert schedule.grace(last, frequency) == datetime.timedelta(days=grace_days)
    late_after = schedule.late_after(last, frequency)
    assert late_after is not None and late_after + datetime.timedelta(days=1) == late_from


def test_an_issue_is_missing_after_half_an_interval_but_never_before_the_post_could_bring_it() -> None:
    # Weekly: half an interval is 3 days, but the post gets two weeks.
    assert schedule.missing_after(D(2031, 1, 1), Frequency.WEEKLY) == D(2031, 1, 15)
    # Quarterly: half an interval (45 days) is longer than the post's two weeks.
    assert schedule.missing_after(D(2031, 1, 1), Frequency.QUARTERLY) == D(2031, 2, 15)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", D(2031, 1, 31)),
        ("Pacific/Auckland", D(2031, 2, 1)),  # UTC+13 in summer: already the next day, and the next month
        ("America/Los_Angeles", D(2031, 1, 31)),
        ("Pacific/Pago_Pago", D(2031, 1, 31)),
    ],
)
def test_today_is_the_federations_local_date(settings: Any, zone: str, expected: datetime.date) -> None:
    settings.TIME_ZONE = zone
    moment = datetime.datetime(2031, 1, 31, 12, 30, tzinfo=datetime.UTC)
    assert schedule.today(moment) == expected


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata"])
@pytest.mark.parametrize("day", [D(2031, 1, 31), D(2031, 12, 31), D(2032, 2, 29), D(2031, 3, 30)])
def test_an_issue_registered_for_a_day_keeps_that_day_in_every_time_zone(
    settings: Any, zone: str, day: datetime.date
) -> None:
    settings.TIME_ZONE = zone
    assert schedule.local_date(schedule.local_noon(day)) == day
