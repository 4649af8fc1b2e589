"""Who may see and act on the bulletin's editorial side.

The editorial authority on a day is the secretariat, or the correspondents of the section that holds the editorial
delegation that day (before a secretariat exists, one section publishes the bulletin).
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from liaison.editorial.models import Contribution, State
from liaison.federation.access import Actor
from liaison.federation.services import editorial_holder_on

SECTION_ONLY = {State.DRAFT}
# States the submitting section and the editors see; after publication the periodical's audience sees it too.
PUBLISHED = {State.PUBLISHED}


def is_editor(actor: Actor, on: datetime.date | None = None) -> bool:
    if actor.secretariat:
        return True
    if not actor.correspondent_of:
        return False
    holder = editorial_holder_on(on or timezone.localdate())
    return holder is not None and holder.section_id is not None and holder.section_id in actor.correspondent_of


def is_of_section(actor: Actor, section_id: int) -> bool:
    return section_id in actor.correspondent_of or section_id in actor.member_of


def can_write_for(actor: Actor, section_id: int) -> bool:
    """Only a section's correspondents write, submit and withdraw in its name."""
    return section_id in actor.correspondent_of


def can_read_periodical(actor: Actor, periodical: object) -> bool:
    """A public bulletin is read by everyone; an internal one by the federation's members."""
    return getattr(periodical, "audience", "public") == "public" or actor.is_member


def never_submitted(contribution: Contribution) -> bool:
    """A draft, or a draft its section withdrew before submitting it: the section's own business."""
    return contribution.state in SECTION_ONLY or (
        contribution.state == State.WITHDRAWN and contribution.submitted_at is None
    )


def can_see(actor: Actor, contribution: Contribution, *, editor: bool | None = None) -> bool:
    if is_of_section(actor, contribution.section_id):
        return True
    if never_submitted(contribution):
        return False
    if editor if editor is not None else is_editor(actor):
        return True
    return contribution.state in PUBLISHED and can_read_periodical(actor, contribution.periodical)


def visible_filter(actor: Actor, *, editor: bool | None = None) -> Q:
    """``can_see`` as a query filter on contributions, for list pages (no query per row)."""
    mine = Q(section_id__in=actor.sections)
    published = Q(state__in=PUBLISHED)
    if not actor.is_member:
        published &= Q(periodical__audience="public")
    if editor if editor is not None else is_editor(actor):
        submitted = ~Q(state__in=SECTION_ONLY) & ~Q(state=State.WITHDRAWN, submitted_at__isnull=True)
        return mine | submitted
    return mine | published
