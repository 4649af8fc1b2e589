"""Who reads what in the matrix: a position is read like its statement. Its section sees every version, the editors
what was submitted, the members (everyone, for a public conference) what is published; only a section's
correspondents state its positions (tested with the services)."""

from __future__ import annotations

from typing import Any

import pytest

from liaison.conference import access, services
from liaison.conference.models import PositionState
from liaison.errors import NotAllowed
from tests.conference.conftest import BEFORE, StatePosition
from tests.conftest import ROLES

# stage of section A's statement → roles that read its option and stance in the matrix.
READERS = {
    "draft": {"corr_a", "member"},
    "submitted": {"corr_a", "member", "editor"},
    "published": set(ROLES),
}
# stage → the state shown to those who are not of section A.
SHOWN_TO_OTHERS = {
    "draft": PositionState.NOT_STATED,
    "submitted": PositionState.SUBMITTED,
    "published": PositionState.PUBLISHED,
}


@pytest.mark.parametrize("stage", list(READERS))
@pytest.mark.parametrize("role", ROLES)
def test_the_reading_matrix(world: Any, conference: Any, state: StatePosition, stage: str, role: str) -> None:
    state(to=stage)
    table = services.matrix(world.actor(role), conference, now=BEFORE)
    shown = next(r for r in table.rows if r.section == world.section_a).cells[0]
    if role in READERS[stage]:
        assert (shown.option, shown.stance) == ("support", "We support it without reservation.")
    else:
        assert (shown.option, shown.stance, shown.contribution_id) == ("", "", None)
    if role not in ("corr_a", "member"):
        assert shown.state == SHOWN_TO_OTHERS[stage]


@pytest.mark.parametrize("role", ROLES)
def test_a_conference_that_is_not_public_is_read_by_members_only(
    world: Any, conference: Any, state: StatePosition, role: str
) -> None:
    state(to="published")
    conference.public = False
    conference.save()
    if role == "anonymous":
        with pytest.raises(NotAllowed, match="for the federation's members"):
            services.matrix(world.actor(role), conference)
    else:
        shown = next(r for r in services.matrix(world.actor(role), conference).rows if r.section == world.section_a)
        assert shown.cells[0].option == "support"


@pytest.mark.parametrize("role", ROLES)
def test_who_manages_and_who_states(world: Any, role: str) -> None:
    actor = world.actor(role)
    assert access.can_manage(actor) == (role == "editor")
    assert access.can_state_for(actor, world.section_a.pk) == (role == "corr_a")
    assert access.can_state_for(actor, world.section_b.pk) == (role == "corr_b")


def test_the_history_of_a_position_in_a_conference_that_is_not_public(
    world: Any, conference: Any, state: StatePosition
) -> None:
    position = state(to="published")
    conference.public = False
    conference.save()
    with pytest.raises(NotAllowed):
        services.history(world.actor("anonymous"), position)
    assert [r.number for r in services.history(world.actor("corr_b"), position)] == [1]
