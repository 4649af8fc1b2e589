"""Reads shared by distribution's pages: why paused subscriptions were paused (their last bounces), in one query
whatever the number of subscriptions shown."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from liaison.distribution.models import Bounce

# How many of a paused subscription's bounces its row shows: enough to see whether the answers agree.
BOUNCES_SHOWN = 3


def last_bounces(subscription_ids: Iterable[int], per: int = BOUNCES_SHOWN) -> dict[int, list[Bounce]]:
    """The latest ``per`` bounces of each subscription, newest first, by subscription id: one query (a window
    function ranks them per subscription), none when no subscription is given."""
    ids = sorted(set(subscription_ids))
    if not ids:
        return {}
    ranked = (
        Bounce.objects.filter(dispatch__subscription_id__in=ids)
        .annotate(
            for_subscription=F("dispatch__subscription_id"),
            rank=Window(
                RowNumber(), partition_by=F("dispatch__subscription_id"), order_by=[F("at").desc(), F("id").desc()]
            ),
        )
        .filter(rank__lte=per)
        .order_by("for_subscription", "rank")
    )
    found: dict[int, list[Bounce]] = {}
    for bounce in ranked:
        found.setdefault(bounce.for_subscription, []).append(bounce)
    return found
