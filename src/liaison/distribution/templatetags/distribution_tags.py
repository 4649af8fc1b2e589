"""Labels of distribution's states for the pages, and ``{% distribution_dashboard section %}``: the distribution
block of a section's dashboard (what the section receives, what it misses, why a paused subscription was paused,
open claims), in a constant number of queries."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from liaison.distribution.gaps import FEED, gaps_report
from liaison.distribution.models import (
    Claim,
    ClaimItem,
    ClaimState,
    DispatchState,
    ReceiptHow,
    SubscriberKind,
    Subscription,
    SubscriptionChannel,
    SubscriptionState,
)
from liaison.distribution.queries import last_bounces
from liaison.federation.access import actor_for_request
from liaison.federation.models import Section

register = template.Library()

LABELS: dict[str, Any] = {
    "dispatch": DispatchState,
    "channel": SubscriptionChannel,
    "subscription": SubscriptionState,
    "claim": ClaimState,
    "receipt": ReceiptHow,
    "kind": SubscriberKind,
}


@register.filter
def label(value: str | None, kind: str) -> str:
    """``"bounced"|label:"dispatch"`` → the state's name in the reader's language."""
    if value is None or value == "none":
        return _("not dispatched")
    if value == "received":
        return _("received")
    if value == FEED and kind == "dispatch":
        return _("by feed, not tracked")
    choices = LABELS.get(kind)
    if choices is None or value not in choices.values:
        return str(value)
    return str(choices(value).label)


@register.inclusion_tag("distribution/_dashboard_block.html", takes_context=True)
def distribution_dashboard(context: template.Context, section: Section) -> dict[str, Any]:
    """The section's subscriptions with their gap counts (one aggregate query), and the open claims it made or must
    answer (one query, and one for their items when there are any). Nothing for someone outside the section."""
    request = context.get("request")
    actor = actor_for_request(request) if request is not None else None
    if actor is None or not (actor.secretariat or section.pk in actor.sections):
        return {"shown": False}
    summaries = gaps_report(section=section.pk)
    # Why the paused ones were paused: two queries, only when one is.
    paused = [s.subscription_id for s in summaries if s.state == SubscriptionState.PAUSED]
    reasons = (
        {s.pk: s for s in Subscription.objects.filter(pk__in=paused).only("pk", "state_reason", "state_changed_at")}
        if paused
        else {}
    )
    bounces = last_bounces(paused)
    rows = []
    for summary in summaries:
        pause = reasons.get(summary.subscription_id)
        if pause is not None:
            pause.last_bounces = bounces.get(summary.subscription_id, [])  # type: ignore[attr-defined]
        rows.append({"summary": summary, "pause": pause})
    claims = list(
        Claim.objects.filter(state=ClaimState.OPEN)
        .filter(
            Q(periodical__section=section) | Q(subscriber__kind=SubscriberKind.SECTION, subscriber__section=section)
        )
        .select_related("periodical", "subscriber__section", "subscriber__person")
        .prefetch_related(Prefetch("items", queryset=ClaimItem.objects.select_related("issue")))
        .order_by("created", "id")[:50]
    )
    for item in claims:
        item.to_answer = item.periodical.section_id == section.pk  # type: ignore[attr-defined]
    return {
        "shown": True,
        "section": section,
        "subscriber_id": summaries[0].subscriber_id if summaries else None,
        "summaries": summaries,
        "rows": rows,
        "next": request.get_full_path() if request is not None else "",
        "missing": sum(s.missing for s in summaries),
        "claims": claims,
        "may_act": actor.secretariat or actor.is_correspondent_of(section.pk),
    }
