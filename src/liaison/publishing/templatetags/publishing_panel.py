"""``{% publishing_panel issue %}``: the issue's editions panel, wherever a page includes it (the issue page)."""

from __future__ import annotations

from typing import Any

from django import template

from liaison.federation.access import actor_for_request
from liaison.periodicals.models import Issue, IssueStatus
from liaison.publishing import services
from liaison.publishing.views import panel_context

register = template.Library()


@register.inclusion_tag("publishing/_panel.html", takes_context=True)
def publishing_panel(context: template.Context, issue: Issue) -> dict[str, Any]:
    request = context["request"]
    if not services.may_read(actor_for_request(request), issue.periodical):
        return {"hidden": True}
    if issue.status not in (IssueStatus.ASSEMBLY, IssueStatus.PUBLISHED):
        return {"hidden": True}  # nothing is published before the issue is assembled
    # The issue page has counted the working languages' editions already (for editors): no need to ask again.
    summaries = context.get("editions") if context.get("editor") and context.get("team") else None
    panel = panel_context(request, issue, summaries=summaries or None)
    return {**panel, "request": request, "csrf_token": context.get("csrf_token")}
