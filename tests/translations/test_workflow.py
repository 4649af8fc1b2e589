"""The translation workflow: needed → draft → in review → approved, who makes each move, and the record of it."""

from __future__ import annotations

import pytest

from liaison.errors import LiaisonError, NotAllowed
from liaison.translations import services
from liaison.translations.models import TranslationState

from .conftest import FRENCH


def _draft(world, make, role="translator", language="fr", body=FRENCH):
    translation = make.translation(make.contribution(), language)
    services.save_translation(
        world.actor(role), translation, base_version=translation.version, title="Les travailleurs du port", body=body
    )
    translation.refresh_from_db()
    return translation


def _in_review(world, make, role="translator"):
    translation = _draft(world, make, role)
    services.transition(world.actor(role), translation, TranslationState.IN_REVIEW)
    return translation


def test_the_translator_asks_for_a_review(world, make):
    french = _draft(world, make)

    event = services.transition(world.actor("translator"), french, TranslationState.IN_REVIEW)

    assert french.state == TranslationState.IN_REVIEW
    assert (event.from_state, event.to_state, event.actor) == ("draft", "in_review", world.users["translator"])


def test_the_secretariat_approves(world, make):
    french = _in_review(world, make)

    services.transition(world.actor("editor"), french, TranslationState.APPROVED)

    assert french.state == TranslationState.APPROVED
    assert (french.reviewer, french.approved_revision, french.stale) == (world.users["editor"], 1, False)
    assert french.approved_at is not None
    assert french.counts_for_edition


def test_another_translator_of_the_language_approves(world, make, translators):
    french = _in_review(world, make)

    services.transition(world.actor("reviewer_fr"), french, TranslationState.APPROVED)

    assert french.reviewer == translators["reviewer_fr"]


def test_the_translator_may_not_review_their_own_text(world, make):
    french = _in_review(world, make)

    with pytest.raises(NotAllowed, match="You translated this text"):
        services.transition(world.actor("translator"), french, TranslationState.APPROVED)
    with pytest.raises(NotAllowed, match="You translated this text"):
        services.transition(world.actor("translator"), french, TranslationState.DRAFT, reason="Redo it.")

    french.refresh_from_db()
    assert french.state == TranslationState.IN_REVIEW


def test_a_secretariat_editor_who_translated_may_not_review_it(world, make, translators):
    french = _in_review(world, make, role="editor")

    with pytest.raises(NotAllowed, match="You translated this text"):
        services.transition(world.actor("editor"), french, TranslationState.APPROVED)
    services.transition(world.actor("reviewer_fr"), french, TranslationState.APPROVED)


def test_anyone_who_wrote_part_of_it_may_not_review_it(world, make, translators):
    french = _draft(world, make, role="editor")
    # The French translator finishes the secretariat's draft and sends it: neither may now approve it.
    services.save_translation(
        world.actor("translator"), french, base_version=french.version, title="Titre", body=FRENCH + "\nFin."
    )
    services.transition(world.actor("translator"), french, TranslationState.IN_REVIEW)

    for role in ("editor", "translator"):
        with pytest.raises(NotAllowed):
            services.transition(world.actor(role), french, TranslationState.APPROVED)
    services.transition(world.actor("reviewer_fr"), french, TranslationState.APPROVED)


@pytest.mark.parametrize("role", ["translator_ru", "corr_a", "member", "anonymous"])
def test_others_may_not_review(world, make, translators, role):
    french = _in_review(world, make, role="editor")

    with pytest.raises(NotAllowed):
        services.transition(world.actor(role), french, TranslationState.APPROVED)


def test_sending_back_needs_a_reason_for_the_translator(world, make, translators):
    french = _in_review(world, make)

    with pytest.raises(LiaisonError) as refused:
        services.transition(world.actor("reviewer_fr"), french, TranslationState.DRAFT, reason="  ")
    assert refused.value.field == "reason"

    event = services.transition(
        world.actor("reviewer_fr"), french, TranslationState.DRAFT, reason="Le deuxième paragraphe manque."
    )
    assert french.state == TranslationState.DRAFT
    assert event.note == "Le deuxième paragraphe manque."


@pytest.mark.parametrize(
    ("start", "to_state"),
    [
        ("needed", TranslationState.IN_REVIEW),
        ("needed", TranslationState.APPROVED),
        ("draft", TranslationState.APPROVED),
        ("approved", TranslationState.IN_REVIEW),
        ("approved", TranslationState.NEEDED),
    ],
)
def test_it_refuses_moves_the_workflow_does_not_have(world, make, start, to_state):
    if start == "needed":
        translation = make.translation(make.contribution())
    elif start == "draft":
        translation = _draft(world, make)
    else:
        translation = _in_review(world, make)
        services.transition(world.actor("editor"), translation, TranslationState.APPROVED)

    with pytest.raises(LiaisonError, match="cannot become"):
        services.transition(world.actor("editor"), translation, to_state)

    translation.refresh_from_db()
    assert translation.state == start


def test_the_moves_a_save_makes_are_not_asked_for(world, make):
    french = make.translation(make.contribution())

    with pytest.raises(LiaisonError, match="when its text is saved"):
        services.transition(world.actor("translator"), french, TranslationState.DRAFT)


def test_a_translator_of_another_language_may_not_send_it_for_review(world, make, translators):
    french = _draft(world, make, role="editor")

    with pytest.raises(NotAllowed):
        services.transition(world.actor("translator_ru"), french, TranslationState.IN_REVIEW)


def test_the_history_records_every_move(world, make, translators):
    french = _in_review(world, make)
    services.transition(world.actor("reviewer_fr"), french, TranslationState.DRAFT, reason="Encore.")
    services.transition(world.actor("translator"), french, TranslationState.IN_REVIEW)
    services.transition(world.actor("reviewer_fr"), french, TranslationState.APPROVED)

    moves = list(french.events.values_list("from_state", "to_state", "actor_name"))

    assert moves == [
        ("needed", "draft", "Tongues"),
        ("draft", "in_review", "Tongues"),
        ("in_review", "draft", "Second Voice"),
        ("draft", "in_review", "Tongues"),
        ("in_review", "approved", "Second Voice"),
    ]


def test_allowed_moves_are_the_buttons_each_person_sees(world, make, translators):
    french = _in_review(world, make)

    assert services.allowed_moves(world.actor("translator"), french) == []
    assert services.allowed_moves(world.actor("reviewer_fr"), french) == ["approved", "draft"]
    assert services.allowed_moves(world.actor("member"), french) == []
