"""Who sees a contribution: drafts only their section; submitted ones their section and the editors; published ones
the bulletin's audience (everyone for a public bulletin, members for an internal one). ``visible_filter`` says the
same as ``can_see``, as a query."""

from __future__ import annotations

from typing import Any

import pytest

from liaison.editorial import access, services
from liaison.editorial.models import Contribution, State
from liaison.periodicals.models import Periodical
from tests.conftest import ROLES
from tests.editorial.fixtures_core import bring_to, bulletin, new_issue, write

__all__ = ["bulletin"]

# state → the roles that see a contribution of section A in that state, in a public bulletin.
PUBLIC = {
    State.DRAFT: {"corr_a", "member"},
    State.SUBMITTED: {"corr_a", "member", "editor"},
    State.RETURNED: {"corr_a", "member", "editor"},
    State.RESUBMITTED: {"corr_a", "member", "editor"},
    State.ACCEPTED: {"corr_a", "member", "editor"},
    State.PLACED: {"corr_a", "member", "editor"},
    State.PUBLISHED: set(ROLES),
    State.DECLINED: {"corr_a", "member", "editor"},
    State.WITHDRAWN: {"corr_a", "member", "editor"},
}


@pytest.mark.parametrize("state", State.values)
@pytest.mark.parametrize("audience", ["public", "members"])
def test_the_visibility_matrix(world: Any, bulletin: Any, state: str, audience: str) -> None:
    bulletin.audience = audience
    bulletin.save()
    c = bring_to(world, write(world, bulletin), state, issue=new_issue(world, bulletin))
    expected = set(PUBLIC[state])
    if state == State.PUBLISHED and audience == "members":
        expected.discard("anonymous")
    for role in ROLES:
        actor = world.actor(role)
        assert access.can_see(actor, c) is (role in expected), (role, state, audience)
        visible = Contribution.objects.filter(access.visible_filter(actor), pk=c.pk).exists()
        assert visible is (role in expected), (role, state, audience)


def test_a_draft_withdrawn_before_submission_stays_with_its_section(world: Any, bulletin: Any) -> None:
    c = write(world, bulletin)
    services.transition(world.actor("corr_a"), c, State.WITHDRAWN)
    assert access.can_see(world.actor("member"), c)
    assert not access.can_see(world.actor("editor"), c)
    assert not Contribution.objects.filter(access.visible_filter(world.actor("editor")), pk=c.pk).exists()


def test_members_read_the_internal_bulletin_and_the_public_does_not(world: Any) -> None:
    internal = Periodical.objects.create(
        name="Internal", slug="internal", language="en", frequency="monthly", audience="members"
    )
    assert access.can_read_periodical(world.actor("member"), internal)
    assert access.can_read_periodical(world.actor("translator"), internal)
    assert not access.can_read_periodical(world.actor("anonymous"), internal)
