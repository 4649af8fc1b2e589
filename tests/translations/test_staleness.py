"""An approved translation goes stale when its original changes, and the translator sees exactly what changed."""

from __future__ import annotations

from liaison.editorial import services as editorial
from liaison.translations import services
from liaison.translations.models import EventKind, TranslationState

from .conftest import FRENCH, ORIGINAL, approved, edit_original

CHANGED = ORIGINAL.replace("met on Monday", "met on Tuesday")


def test_a_change_of_the_original_makes_an_approved_translation_stale(world, make):
    contribution = make.contribution()
    french = approved(world, make.translation(contribution))
    edit_original(contribution, CHANGED)

    marked = services.mark_stale(contribution)

    french.refresh_from_db()
    assert [t.pk for t in marked] == [french.pk]
    assert french.stale is True
    assert french.state == TranslationState.APPROVED
    assert not french.counts_for_edition
    assert french.events.filter(kind=EventKind.STALE).count() == 1


def test_marking_is_idempotent(world, make):
    contribution = make.contribution()
    french = approved(world, make.translation(contribution))
    edit_original(contribution, CHANGED)
    services.mark_stale(contribution)

    assert services.mark_stale(contribution) == []
    edit_original(contribution, CHANGED + "\nMore.")
    assert services.mark_stale(contribution) == []

    assert french.events.filter(kind=EventKind.STALE).count() == 1


def test_a_title_change_makes_it_stale_too(world, make):
    contribution = make.contribution()
    french = approved(world, make.translation(contribution))
    edit_original(contribution, ORIGINAL, title="Dockers of the port")

    services.mark_stale(contribution)

    french.refresh_from_db()
    assert french.stale is True


def test_a_save_that_changes_nothing_leaves_it_fresh(world, make):
    contribution = make.contribution()
    french = approved(world, make.translation(contribution))
    edit_original(contribution, ORIGINAL)

    assert services.mark_stale(contribution) == []
    french.refresh_from_db()
    assert french.stale is False


def test_translations_not_yet_approved_are_not_stale(world, make):
    contribution = make.contribution()
    german = make.translation(contribution, "de")
    services.save_translation(world.actor("translator"), german, base_version=1, title="Titel", body="Text.")
    edit_original(contribution, CHANGED)

    assert services.mark_stale(contribution) == []


def test_it_follows_the_real_editorial_save(world, make):
    contribution = make.contribution()
    french = approved(world, make.translation(contribution))

    editorial.save_contribution(
        world.actor("editor"),
        contribution,
        base_version=contribution.version,
        title=contribution.title,
        language=contribution.language,
        kind=contribution.kind,
        body=CHANGED.replace(" [[bulletin/1/1]]", ""),
    )
    services.mark_stale(contribution)

    french.refresh_from_db()
    assert french.stale is True


def test_the_translator_sees_what_changed_since_approval(world, make):
    contribution = make.contribution()
    french = approved(world, make.translation(contribution))
    edit_original(contribution, CHANGED.replace("- a strike fund\n", "- a strike fund\n- a library\n"))
    services.mark_stale(contribution)

    changes = services.changes_since_approval(french)

    assert changes is not None and changes.changed
    assert (changes.from_revision, changes.to_revision) == (1, 2)
    assert "-The dockers' union met on Monday[^1]" in changes.diff
    assert "+The dockers' union met on Tuesday[^1]" in changes.diff
    assert "+- a library" in changes.diff
    assert ("+", "- a library") in changes.lines
    assert ("-", "The dockers' union met on Monday[^1] and voted, as the last bulletin reported [[bulletin/1/1]].") in (
        changes.lines
    )


def test_there_are_no_changes_to_show_before_approval(world, make):
    french = make.translation(make.contribution())

    assert services.changes_since_approval(french) is None


def test_updating_and_approving_again_makes_it_fresh(world, make, translators):
    contribution = make.contribution()
    french = approved(world, make.translation(contribution))
    edit_original(contribution, CHANGED)
    services.mark_stale(contribution)

    translator = world.actor("translator")
    services.save_translation(
        translator, french, base_version=french.version, title=french.title, body=FRENCH.replace("lundi", "mardi")
    )
    french.refresh_from_db()
    assert (french.state, french.stale, french.source_revision) == (TranslationState.DRAFT, True, 2)
    services.transition(translator, french, TranslationState.IN_REVIEW)
    services.transition(world.actor("reviewer_fr"), french, TranslationState.APPROVED)

    assert (french.stale, french.approved_revision) == (False, 2)
    assert french.counts_for_edition


def test_approving_a_text_made_from_an_older_original_leaves_it_stale(world, make):
    contribution = make.contribution()
    french = make.translation(contribution)
    translator = world.actor("translator")
    services.save_translation(translator, french, base_version=1, title="Titre", body=FRENCH)
    services.transition(translator, french, TranslationState.IN_REVIEW)
    edit_original(contribution, CHANGED)

    services.transition(world.actor("editor"), french, TranslationState.APPROVED)

    assert (french.approved_revision, french.stale) == (1, True)
    assert "Tuesday" in services.changes_since_approval(french).diff
