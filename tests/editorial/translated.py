"""Helpers for the reading and editions tests: translations brought to a state through the translation services.

``translate(world, contribution, "ru", title, body)`` writes a translation as a translator of every working language
("Polyglot") and has the secretariat approve it (or stops at ``to="draft"`` / ``to="in_review"``);
``machine(contribution, "ru")`` stores a machine draft from a provider that shouts the original back.
"""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import Any

from liaison.accounts.models import User
from liaison.editorial.models import Contribution
from liaison.federation.access import Actor, actor_for_user
from liaison.federation.models import Person, Role, RoleKind
from liaison.translations import services as translation_services
from liaison.translations.models import Translation, TranslationState

# The French original every reading test starts from: a footnote and a citation of the first item.
FRENCH_TITLE = "Les dockers en grève"
FRENCH = "Le syndicat des dockers a voté la grève[^1], comme annoncé [[bulletin/1/1]].\n\n[^1]: Le 12 mars.\n"
RUSSIAN_TITLE = "Докеры бастуют"
RUSSIAN = "Профсоюз докеров проголосовал за забастовку[^1], как сообщалось [[bulletin/1/1]].\n\n[^1]: 12 марта.\n"
ARABIC_TITLE = "إضراب عمال الميناء"
ARABIC = "صوتت نقابة عمال الميناء على الإضراب[^1]، كما أُعلن [[bulletin/1/1]].\n\n[^1]: في 12 مارس.\n"


def polyglot() -> Actor:
    """A translator of every language these tests use, who is not the secretariat (so the editor reviews)."""
    user = User.objects.filter(username="polyglot").first()
    if user is None:
        user = User.objects.create_user(username="polyglot", email="polyglot@example.org", password="x")
        person = Person.objects.create(pseudonym="Polyglot", user=user, real_name="Polly Hidden")
        Role.objects.create(
            person=person,
            kind=RoleKind.TRANSLATOR,
            languages=["en", "de", "ru", "es", "ar", "fr"],
            since=datetime.date(2020, 1, 1),
        )
    return actor_for_user(user)


def translation_of(contribution: Contribution, language: str) -> Translation:
    translation_services.ensure_translations(contribution)
    return Translation.objects.get(contribution=contribution, language=language)


def translate(
    world: Any,
    contribution: Contribution,
    language: str,
    title: str,
    body: str,
    *,
    to: str = TranslationState.APPROVED,
    reason: str = "",
) -> Translation:
    translation = translation_of(contribution, language)
    translator = polyglot()
    translation_services.save_translation(
        translator, translation, base_version=translation.version, title=title, body=body
    )
    if to in (TranslationState.IN_REVIEW, TranslationState.APPROVED):
        translation_services.transition(translator, translation, TranslationState.IN_REVIEW)
    if to == TranslationState.APPROVED:
        translation_services.transition(world.actor("editor"), translation, TranslationState.APPROVED, reason=reason)
    translation.refresh_from_db()
    assert translation.state == to
    return translation


class Shouting:
    """A machine-translation provider in-process: it answers the original in capitals."""

    name = "shouting"

    def translate(self, text: str, source: str, target: str, *, format: str = "text") -> str:
        return text.upper()


def machine(contribution: Contribution, language: str) -> Translation:
    translation = translation_of(contribution, language)
    translation_services.machine_draft(translation, provider=Shouting())
    translation.refresh_from_db()
    assert translation.machine and translation.state == TranslationState.DRAFT
    return translation


def text_of(html: str) -> str:
    """A page's words without its markup, spaces collapsed: what a reader reads."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
