"""Assigning, claiming and giving back translations: by language skills, one translator at a time."""

from __future__ import annotations

import pytest

from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.translations import services
from liaison.translations.models import EventKind


def test_the_secretariat_assigns_a_translator_of_the_language(world, make):
    french = make.translation(make.contribution())

    services.assign(world.actor("editor"), french, world.users["translator"])

    french.refresh_from_db()
    assert french.assigned_to == world.users["translator"]
    event = french.events.get()
    assert (event.kind, event.note, event.actor) == (EventKind.ASSIGNED, "Tongues", world.users["editor"])


def test_it_refuses_a_translator_without_the_language(world, make):
    russian = make.translation(make.contribution(), "ru")

    with pytest.raises(LiaisonError) as refused:
        services.assign(world.actor("editor"), russian, world.users["translator"])

    assert refused.value.field == "translator"
    assert "Russian" in str(refused.value)
    russian.refresh_from_db()
    assert russian.assigned_to is None


def test_it_refuses_someone_who_is_not_a_translator(world, make):
    french = make.translation(make.contribution())

    with pytest.raises(LiaisonError, match="not a translator"):
        services.assign(world.actor("editor"), french, world.users["member"])


@pytest.mark.parametrize("role", ["translator", "corr_a", "member", "anonymous"])
def test_only_the_secretariat_assigns(world, make, role):
    french = make.translation(make.contribution())

    with pytest.raises(NotAllowed):
        services.assign(world.actor(role), french, world.users["translator"])


def test_the_secretariat_frees_an_assignment(world, make):
    french = make.translation(make.contribution())
    services.assign(world.actor("editor"), french, world.users["translator"])

    services.assign(world.actor("editor"), french, None)

    french.refresh_from_db()
    assert french.assigned_to is None


def test_a_translator_claims_an_unassigned_translation_in_their_language(world, make):
    german = make.translation(make.contribution(), "de")

    services.claim(world.actor("translator"), german)
    services.claim(world.actor("translator"), german)  # again: nothing changes

    german.refresh_from_db()
    assert german.assigned_to == world.users["translator"]
    assert german.events.count() == 1


def test_a_translator_may_not_claim_another_language(world, make):
    spanish = make.translation(make.contribution(), "es")

    with pytest.raises(NotAllowed, match="Spanish"):
        services.claim(world.actor("translator"), spanish)


def test_a_translator_may_not_claim_what_another_took(world, make, translators):
    french = make.translation(make.contribution())
    services.claim(world.actor("reviewer_fr"), french)

    with pytest.raises(Conflict, match="Second Voice"):
        services.claim(world.actor("translator"), french)


@pytest.mark.parametrize("role", ["editor", "corr_a", "member", "anonymous"])
def test_only_translators_claim(world, make, role):
    french = make.translation(make.contribution())

    with pytest.raises(NotAllowed):
        services.claim(world.actor(role), french)


def test_a_translator_gives_a_translation_back(world, make, translators):
    french = make.translation(make.contribution())
    services.claim(world.actor("translator"), french)

    with pytest.raises(NotAllowed):
        services.release(world.actor("reviewer_fr"), french)
    services.release(world.actor("translator"), french)

    french.refresh_from_db()
    assert french.assigned_to is None
    services.claim(world.actor("reviewer_fr"), french)
