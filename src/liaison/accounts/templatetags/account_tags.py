"""Template filters for the account pages."""

from __future__ import annotations

import datetime
import math

from django import template

from liaison import languages

register = template.Library()


@register.filter
def minutes(value: datetime.timedelta | None) -> int:
    """A duration in whole minutes, rounded up: "15" for the quarter of an hour of a lockout."""
    if not value:
        return 0
    return math.ceil(value.total_seconds() / 60)


@register.filter
def language_name(code: str) -> str:
    """A language's name in the reader's language ("Allemand" for ``de`` read in French)."""
    return languages.display_name(code)
