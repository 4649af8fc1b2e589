"""Who finds what: a public bulletin's texts everyone, an internal one's the federation's members only, and
nobody a draft, an unpublished item or a translation not approved."""

from __future__ import annotations

from typing import Any

from liaison.accounts.models import User
from liaison.federation.access import actor_for_user
from liaison.search import services
from tests.search.conftest import ENGLISH_TITLE, INTERNAL_TITLE, Archive, find

MEMBERS = ("member", "corr_a", "corr_b", "translator", "editor")


def outsider() -> Any:
    """An account without any role in the federation: a subscriber, say. Not a member."""
    user = User.objects.create_user(username="outsider", email="outsider@example.org", password="x")
    return actor_for_user(user)


def test_members_find_the_internal_bulletin(world: Any, archive: Archive) -> None:
    for role in MEMBERS:
        assert find(world.actor(role), "clandestine") == [INTERNAL_TITLE], role
        assert find(world.actor(role), "strike") == [ENGLISH_TITLE], role


def test_the_public_never_finds_the_internal_bulletin(world: Any, archive: Archive) -> None:
    for actor in (world.actor("anonymous"), outsider()):
        assert find(actor, "clandestine") == []
        assert find(actor, "delegates strategy") == []
        assert find(actor, "clandestine", periodical_id=archive.internal.pk) == []
        assert find(actor, "strike") == [ENGLISH_TITLE]
        assert "en" in services.languages_found(actor)


def test_nobody_finds_drafts_unpublished_items_or_translations_not_approved(world: Any, archive: Archive) -> None:
    # A draft (even by its own section), an item placed in an issue not yet published and its approved
    # translation, a translation in review, a translation made stale by a change of its original.
    for role in ("anonymous", *MEMBERS):
        for words in ("unpublishedword", "pendingword", "motenattente", "brouillonnerie", "périmée obsolète"):
            assert find(world.actor(role), words) == [], (role, words)
