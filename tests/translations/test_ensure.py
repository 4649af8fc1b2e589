"""A needed translation for each working language other than the original's."""

from __future__ import annotations

from liaison.editorial.models import Contribution
from liaison.translations import services
from liaison.translations.models import Translation, TranslationState


def test_it_creates_one_needed_translation_per_other_working_language(world, make):
    contribution = make.contribution(language="en")

    languages = sorted(contribution.translations.values_list("language", flat=True))

    assert languages == ["de", "es", "fr", "ru"]
    assert set(contribution.translations.values_list("state", flat=True)) == {TranslationState.NEEDED}


def test_it_is_idempotent(world, make):
    contribution = make.contribution(language="fr")

    again = services.ensure_translations(contribution)

    assert sorted(t.language for t in again) == ["de", "en", "es", "ru"]
    assert Translation.objects.filter(contribution=contribution).count() == 4


def test_a_regional_original_needs_no_translation_into_its_language(world, make):
    contribution = make.contribution(language="es-mx")

    assert "es" not in set(contribution.translations.values_list("language", flat=True))


def test_it_adds_a_working_language_added_later(world, make):
    contribution = make.contribution(language="en")
    world.federation.working_languages = [*world.federation.working_languages, "ar"]
    world.federation.save()

    services.ensure_translations(contribution)

    assert Translation.objects.filter(contribution=contribution, language="ar").exists()
    assert contribution.translations.count() == 5


def test_it_keeps_existing_work(world, make):
    contribution: Contribution = make.contribution(language="en")
    french = make.translation(contribution)
    services.save_translation(world.actor("translator"), french, base_version=1, title="Titre", body="Texte.")

    services.ensure_translations(contribution)

    french.refresh_from_db()
    assert (french.state, french.body) == (TranslationState.DRAFT, "Texte.")
