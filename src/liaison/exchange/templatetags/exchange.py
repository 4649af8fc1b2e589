"""The exchange block of a section's dashboard, and the labels of its flags."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from liaison.exchange import access, status
from liaison.federation.access import actor_for_request
from liaison.federation.models import Section
from liaison.periodicals.models import Frequency

register = template.Library()

STATE_LABELS: dict[str, Any] = {
    status.State.RECEIVED: _("arrived"),
    status.State.AWAITED: _("on its way"),
    status.State.MISSING: _("missing"),
    status.State.UNREGISTERED: _("never registered"),
}
# Existing badge styles: green for arrived, blue for awaited, red for missing, yellow for a gap in the numbering.
STATE_CLASSES = {
    status.State.RECEIVED: "state-accepted",
    status.State.AWAITED: "state-submitted",
    status.State.MISSING: "state-declined",
    status.State.UNREGISTERED: "conflict",
}


@register.inclusion_tag("exchange/_dashboard_block.html", takes_context=True)
def exchange_dashboard(context: template.Context, section: Section) -> dict[str, Any]:
    """The papers ``section`` receives (late and missing issues, one-click arrivals, claims) and its own papers
    (late issues, partners missing issues, claims to answer): five queries at most, whatever the data."""
    actor = context.get("actor") or actor_for_request(context["request"])
    request = context.get("request")
    return {
        "section": section,
        "overview": status.section_overview(section),
        "may_receive": access.can_receive(actor, section.pk),
        "may_publish": access.can_publish(actor, section.pk),
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def issue_state(code: str) -> Any:
    return STATE_LABELS.get(code, code)


@register.filter
def issue_state_class(code: str) -> str:
    return STATE_CLASSES.get(code, "")


@register.filter
def frequency_label(code: str) -> Any:
    return Frequency(code).label if code in Frequency.values else code
