"""When the next issue of a paper is due, and how long to wait before calling it late or missing.

Everything here works on calendar dates in the federation's time zone (``TIME_ZONE``): a paper dated the 31st of
January is due, monthly, on the last day of February, and "today" is the local date, not the date in UTC.
"""

from __future__ import annotations

import calendar
import datetime

from django.utils import timezone

from liaison.periodicals.models import Frequency

# Fixed-length frequencies in days; the others step by calendar months.
DAYS: dict[str, int] = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14}
MONTHS: dict[str, int] = {Frequency.MONTHLY: 1, Frequency.BIMONTHLY: 2, Frequency.QUARTERLY: 3}

# A paper that appears irregularly is never late; a registered issue of it is called missing after this long.
IRREGULAR_GRACE = datetime.timedelta(days=30)
# Post between countries takes time: an issue of even a weekly paper is not called missing sooner than this.
POSTAL_DELAY = datetime.timedelta(days=14)


def today(now: datetime.datetime | None = None) -> datetime.date:
    """The federation's local date at ``now`` (the present by default)."""
    return timezone.localdate(now or timezone.now(), timezone.get_default_timezone())


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment, timezone.get_default_timezone())


def local_noon(day: datetime.date) -> datetime.datetime:
    """The moment an issue registered for ``day`` is said to have appeared: noon, local time, so that its local date
    stays ``day`` even if the time zone setting moves a few hours either way."""
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_default_timezone())


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by whole months, kept within the month: the 31st of January plus one month is the 28th (or
    29th) of February."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def is_regular(frequency: str) -> bool:
    return frequency in DAYS or frequency in MONTHS


def next_date(last: datetime.date, frequency: str) -> datetime.date | None:
    """The date the issue after one dated ``last`` is expected; None for an irregular paper."""
    if frequency in DAYS:
        return last + datetime.timedelta(days=DAYS[frequency])
    if frequency in MONTHS:
        return add_months(last, MONTHS[frequency])
    return None


def grace(last: datetime.date, frequency: str) -> datetime.timedelta:
    """How long after its expected date an issue is awaited before it is late: half the interval (rounded down to
    whole days), measured on the calendar, so a monthly paper gets 14 days after February and 15 after March."""
    expected = next_date(last, frequency)
    if expected is None:
        return IRREGULAR_GRACE
    return datetime.timedelta(days=(expected - last).days // 2)


def late_after(last: datetime.date, frequency: str) -> datetime.date | None:
    """The last day the next issue is still on time; from the day after, it is late. None: never late."""
    expected = next_date(last, frequency)
    if expected is None:
        return None
    return expected + grace(last, frequency)


def missing_after(issued: datetime.date, frequency: str) -> datetime.date:
    """The last day an issue dated ``issued`` may still be on its way to a partner; from the day after, missing."""
    if not is_regular(frequency):
        return issued + IRREGULAR_GRACE
    return issued + max(grace(issued, frequency), POSTAL_DELAY)
