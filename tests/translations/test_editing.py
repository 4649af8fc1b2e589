"""Saving a translation: who may, what it does to the state, and conflicts that keep both texts."""

from __future__ import annotations

import pytest

from liaison.editorial.models import State
from liaison.errors import LiaisonError, NotAllowed
from liaison.translations import services
from liaison.translations.models import EventKind, TranslationState

from .conftest import FRENCH, Upper, approved


def _save(world, role, translation, body="Texte.", title="Titre", base=None):
    return services.save_translation(
        world.actor(role),
        translation,
        base_version=translation.version if base is None else base,
        title=title,
        body=body,
    )


def test_a_first_save_makes_a_draft(world, make):
    french = make.translation(make.contribution())

    _save(world, "translator", french, body=FRENCH)

    french.refresh_from_db()
    assert (french.state, french.body, french.version) == (TranslationState.DRAFT, FRENCH, 2)
    assert (french.translator, french.source_revision, french.machine) == (world.users["translator"], 1, False)
    event = french.events.get(kind=EventKind.TRANSITION)
    assert (event.from_state, event.to_state, event.actor_name) == ("needed", "draft", "Tongues")
    revision = french.revisions.get()
    assert (revision.number, revision.version, revision.body, revision.author) == (
        1,
        2,
        FRENCH,
        world.users["translator"],
    )


def test_starting_an_unassigned_translation_takes_it(world, make, translators):
    french = make.translation(make.contribution())

    _save(world, "translator", french)

    french.refresh_from_db()
    assert french.assigned_to == world.users["translator"]
    with pytest.raises(NotAllowed, match="assigned to Tongues"):
        _save(world, "reviewer_fr", french)


def test_a_translator_edits_only_languages_they_declared(world, make):
    russian = make.translation(make.contribution(), "ru")

    with pytest.raises(NotAllowed, match="Russian"):
        _save(world, "translator", russian)

    russian.refresh_from_db()
    assert (russian.state, russian.body, russian.version) == (TranslationState.NEEDED, "", 1)


def test_a_translator_edits_only_what_is_assigned_to_them_or_nobody(world, make, translators):
    french = make.translation(make.contribution())
    services.assign(world.actor("editor"), french, translators["reviewer_fr"])

    with pytest.raises(NotAllowed, match="assigned to Second Voice"):
        _save(world, "translator", french)
    _save(world, "reviewer_fr", french)


@pytest.mark.parametrize("role", ["corr_a", "member", "anonymous"])
def test_others_may_not_edit(world, make, role):
    french = make.translation(make.contribution())

    with pytest.raises(NotAllowed):
        _save(world, role, french)


def test_the_secretariat_may_edit_without_taking_the_assignment(world, make):
    french = make.translation(make.contribution())

    _save(world, "editor", french)

    french.refresh_from_db()
    assert french.state == TranslationState.DRAFT
    assert french.assigned_to is None


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [("", "Texte.", "title"), ("Titre", "   ", "body"), ("T" * 301, "Texte.", "title"), ("Titre", "a\x00b", "body")],
)
def test_it_refuses_bad_input(world, make, title, body, field):
    french = make.translation(make.contribution())

    with pytest.raises(LiaisonError) as refused:
        _save(world, "translator", french, title=title, body=body)

    assert refused.value.field == field
    assert french.revisions.count() == 0


def test_a_stale_base_version_keeps_both_texts(world, make, translators):
    french = make.translation(make.contribution())
    _save(world, "editor", french, body="Le texte de la secrétaire.")
    french.refresh_from_db()

    with pytest.raises(services.TranslationConflict) as conflict:
        _save(world, "editor", french, body="Mon texte, commencé avant.", base=1)

    french.refresh_from_db()
    assert french.body == "Le texte de la secrétaire."
    assert conflict.value.yours.body == "Mon texte, commencé avant."
    assert conflict.value.yours.conflict is True
    assert conflict.value.theirs.body == "Le texte de la secrétaire."
    assert conflict.value.status == 409
    assert french.revisions.count() == 2


def test_a_machine_draft_that_arrived_meanwhile_gives_way_to_a_person(world, make):
    french = make.translation(make.contribution())
    services.machine_draft(french, provider=Upper())
    french.refresh_from_db()
    assert french.version == 2

    _save(world, "translator", french, body="Écrit à la main.", base=1)

    french.refresh_from_db()
    assert (french.body, french.machine, french.version) == ("Écrit à la main.", False, 3)
    assert french.revisions.filter(machine=True).count() == 1


def test_editing_an_approved_translation_reopens_it(world, make):
    french = approved(world, make.translation(make.contribution()))

    _save(world, "translator", french, body=FRENCH.replace("lundi", "mardi"))

    french.refresh_from_db()
    assert french.state == TranslationState.DRAFT
    event = french.events.order_by("-id").first()
    assert (event.from_state, event.to_state, event.note) == ("approved", "draft", "edited after approval")


def test_saving_the_same_text_changes_nothing(world, make):
    french = approved(world, make.translation(make.contribution()))

    _save(world, "translator", french, body=FRENCH, title="Les travailleurs du port")

    french.refresh_from_db()
    assert (french.state, french.version) == (TranslationState.APPROVED, 2)


def test_a_text_in_review_is_not_edited(world, make):
    french = make.translation(make.contribution())
    _save(world, "translator", french)
    services.transition(world.actor("translator"), french, TranslationState.IN_REVIEW)

    with pytest.raises(LiaisonError, match="in review"):
        _save(world, "translator", french, body="Autre.")


@pytest.mark.parametrize("state", [State.WITHDRAWN, State.DECLINED])
def test_a_withdrawn_or_declined_original_closes_its_translations(world, make, state):
    contribution = make.contribution()
    french = make.translation(contribution)
    contribution.state = state
    contribution.save()

    with pytest.raises(LiaisonError, match="closed"):
        _save(world, "translator", french)
