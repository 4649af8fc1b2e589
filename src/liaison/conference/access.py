"""Who may see and do what in conference preparation.

The secretariat (the editorial authority of the day) runs the preparation; only a section's correspondents state,
revise and endorse in its name. A position is read like its statement: its own section sees every version, the
editors every version that was submitted, and the members of the federation (everyone, for a public conference)
the versions whose statement is published.
"""

from __future__ import annotations

from liaison.conference.models import Conference
from liaison.editorial import access as editorial_access
from liaison.editorial.models import State
from liaison.federation.access import Actor


def can_manage(actor: Actor) -> bool:
    """Conferences, questions, waves and their overrides: the editors."""
    return editorial_access.is_editor(actor)


def can_state_for(actor: Actor, section_id: int) -> bool:
    return actor.is_correspondent_of(section_id)


def can_read(actor: Actor, conference: Conference) -> bool:
    """A public conference is read by everyone; any other by the federation's members."""
    return conference.public or actor.is_member


def can_see_statement(
    actor: Actor, conference: Conference, section_id: int, state: str, submitted: bool, *, editor: bool
) -> bool:
    """``state`` and ``submitted`` (ever submitted) are the statement's: the rules of ``editorial.access.can_see``,
    with the conference's audience in place of the bulletin's, computed without a query per cell."""
    if editorial_access.is_of_section(actor, section_id):
        return True
    if state == State.DRAFT or (state == State.WITHDRAWN and not submitted):
        return False
    if editor:
        return True
    return state == State.PUBLISHED and can_read(actor, conference)
