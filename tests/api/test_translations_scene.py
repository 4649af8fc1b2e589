"""The translation scene the translation API tests stand on, built through the services, and a check that it holds.

On top of the bulletin scene (``build_scene``): every accepted original (written in French by section A, in Spanish by
section B; the working languages are en, fr, de, ru, es) has its translations, in these states:

- ``pub_a`` (published in the public bulletin's issue No. 1): German approved, the others needed;
- ``internal_b`` (published in the internal bulletin): German approved;
- ``placed_b`` (placed in issue No. 2): French a draft of the world's translator, German in review (translated by
  them), English a machine draft, Russian assigned to ``translator_ru``;
- ``accepted_a`` (accepted, meant for issue No. 2): German approved then made stale by an edit of the original.

Two more translators, each with an API token: ``second`` (French and German) and ``translator_ru`` (Russian). The
glossary holds one concept, "general-strike", with a term in English, French, German, Russian and Arabic.
``tscene.ids`` names the translations ("placed_b_fr"), their versions ("placed_b_fr_version"), the glossary's terms
("term_de") and the contributions ("placed_b"), for paths and bodies.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest

from liaison.accounts.models import User
from liaison.editorial import services as editorial_services
from liaison.federation.models import Person, Role, RoleKind
from liaison.translations import glossary, services
from liaison.translations.models import GlossaryTerm, Translation, TranslationState
from tests.api.conftest import make_token
from tests.api.test_editorial_scene import Scene, build_scene
from tests.conftest import World
from tests.translations.conftest import Upper

GENERAL_STRIKE = {
    "en": "general strike",
    "fr": "grève générale",
    "de": "Generalstreik",
    "ru": "всеобщая забастовка",
    "ar": "إضراب عام",
}
EXTRA_TRANSLATORS = (("second", "Zweite Stimme", ["fr", "de"]), ("translator_ru", "Perevodchik", ["ru"]))


@dataclass
class TranslationScene:
    scene: Scene
    translations: dict[str, Translation] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    terms: dict[str, GlossaryTerm] = field(default_factory=dict)

    @property
    def ids(self) -> dict[str, Any]:
        return (
            {name: t.pk for name, t in self.translations.items()}
            | {f"{name}_version": t.version for name, t in self.translations.items()}
            | {f"term_{language}": term.pk for language, term in self.terms.items()}
            | self.scene.ids
        )


def write(world: World, role: str, translation: Translation, title: str, body: str) -> Translation:
    services.save_translation(world.actor(role), translation, base_version=translation.version, title=title, body=body)
    translation.refresh_from_db()
    return translation


def approve(world: World, translation: Translation, title: str, body: str) -> Translation:
    """Written and sent by the world's translator, approved by the secretariat."""
    write(world, "translator", translation, title, body)
    services.transition(world.actor("translator"), translation, TranslationState.IN_REVIEW)
    services.transition(world.actor("editor"), translation, TranslationState.APPROVED)
    translation.refresh_from_db()
    return translation


def build_translation_scene(world: World) -> TranslationScene:
    scene = build_scene(world)
    tscene = TranslationScene(scene)
    for key, pseudonym, languages in EXTRA_TRANSLATORS:
        user = User.objects.create_user(username=key, password="correct horse battery")
        person = Person.objects.create(pseudonym=pseudonym, user=user, real_name=f"{pseudonym} Hidden")
        Role.objects.create(
            person=person, kind=RoleKind.TRANSLATOR, languages=languages, since=datetime.date(2020, 1, 1)
        )
        world.users[key], world.people[key] = user, person
        tscene.tokens[key] = make_token(user)
    c = scene.contributions
    for name in ("pub_a", "internal_b", "placed_b", "accepted_a"):
        # Accepting creates them already; called again it only makes sure.
        for translation in services.ensure_translations(c[name]):
            tscene.translations[f"{name}_{translation.language}"] = translation
    t = tscene.translations
    editor = world.actor("editor")

    approve(world, t["pub_a_de"], "Veröffentlicht von Alpha", "Text auf Deutsch.")
    approve(world, t["internal_b_de"], "Intern von Beta", "Interner Text.")

    write(world, "translator", t["placed_b_fr"], "Placé de Beta", "Texte en cours.")
    write(world, "translator", t["placed_b_de"], "Platziert von Beta", "Text zur Prüfung.")
    services.transition(world.actor("translator"), t["placed_b_de"], TranslationState.IN_REVIEW)
    services.machine_draft(t["placed_b_en"], provider=Upper())
    services.assign(editor, t["placed_b_ru"], world.users["translator_ru"])

    approve(world, t["accepted_a_de"], "Angenommen von Alpha", "Alter Text.")
    original = c["accepted_a"]
    editorial_services.save_contribution(
        editor,
        original,
        base_version=original.version,
        title=original.title,
        language=original.language,
        kind=original.kind,
        body="Text, corrected by the secretariat.",
    )
    services.mark_stale(original)  # Done by the original's save already; called again it changes nothing.

    for language, text in GENERAL_STRIKE.items():
        tscene.terms[language] = glossary.add_term(
            editor, concept="general-strike", language=language, text=text, definition="All trades stop work."
        )

    for translation in t.values():
        translation.refresh_from_db()
    return tscene


@pytest.fixture
def tscene(world: World) -> TranslationScene:
    return build_translation_scene(world)


def test_the_translation_scene_holds_what_the_tests_expect(tscene: TranslationScene) -> None:
    t = tscene.translations
    states = {name: (tr.state, tr.stale, tr.machine) for name, tr in t.items() if tr.state != "needed"}
    assert states == {
        "pub_a_de": (TranslationState.APPROVED, False, False),
        "internal_b_de": (TranslationState.APPROVED, False, False),
        "placed_b_fr": (TranslationState.DRAFT, False, False),
        "placed_b_de": (TranslationState.IN_REVIEW, False, False),
        "placed_b_en": (TranslationState.DRAFT, False, True),
        "accepted_a_de": (TranslationState.APPROVED, True, False),
    }
    # Each original has one translation per working language but its own.
    assert sorted(name for name in t if name.startswith("pub_a")) == ["pub_a_de", "pub_a_en", "pub_a_es", "pub_a_ru"]
    assert sorted(name for name in t if name.startswith("placed_b")) == [
        "placed_b_de",
        "placed_b_en",
        "placed_b_fr",
        "placed_b_ru",
    ]
    assert Translation.objects.filter(assigned_to__username="translator_ru").get() == t["placed_b_ru"]
    assert t["placed_b_fr"].assigned_to.username == "translator"
