"""The federation's term base: concepts named in each language, and where a text uses them.

``terms_in`` finds a language's terms in a text the way a reader would: ignoring case, whole words only for scripts
that separate words with spaces (Latin, Cyrillic, Greek, Arabic...), and anywhere in the text for scripts that do not
(Chinese, Japanese, Korean, Thai), where a word boundary is not written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from liaison import languages as language_codes
from liaison.editorial import access as editorial_access
from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.federation.access import Actor
from liaison.translations.models import GlossaryConcept, GlossaryTerm
from liaison.translations.services import speaks

# Scripts written without spaces between words: Thai, Hangul Jamo, CJK punctuation to Katakana, Bopomofo, Hangul
# compatibility Jamo, CJK extension A, CJK unified ideographs, Hangul syllables, CJK compatibility ideographs.
UNSPACED = re.compile(
    "[\u0e00-\u0e7f\u1100-\u11ff\u3000-\u30ff\u3100-\u312f\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff]"
)


def _may_edit_glossary(actor: Actor, language: str) -> bool:
    return editorial_access.is_editor(actor) or speaks(actor, language)


def add_term(
    actor: Actor, *, concept: str, language: str, text: str, note: str = "", definition: str = ""
) -> GlossaryTerm:
    """Add a language's term for a concept (created on first use, named by ``concept`` as a short key)."""
    language = language_codes.normalize(language or "")
    if not language_codes.is_valid(language):
        raise LiaisonError(_("Unknown language code “%(code)s”.") % {"code": language}, field="language")
    if not _may_edit_glossary(actor, language):
        raise NotAllowed(_("The secretariat and the translators of a language keep its glossary."))
    text = " ".join((text or "").split())
    if not text:
        raise LiaisonError(_("Write the term."), field="text")
    if len(text) > 200:
        raise LiaisonError(_("A term has at most 200 characters."), field="text")
    key = slugify(concept or "", allow_unicode=True)[:100]
    if not key:
        raise LiaisonError(_("Name the concept, for example “general-strike”."), field="concept")
    note = " ".join((note or "").split())[:500]
    with transaction.atomic():
        entry, _created = GlossaryConcept.objects.get_or_create(key=key, defaults={"definition": definition.strip()})
        # Compared in Python: SQLite's lower() knows only ASCII, and "Профсоюз" is "профсоюз" too.
        taken = entry.terms.filter(language=language).values_list("text", flat=True)
        if any(existing.casefold() == text.casefold() for existing in taken):
            raise Conflict(_("“%(text)s” is already a term for this concept.") % {"text": text}, field="text")
        return GlossaryTerm.objects.create(
            concept=entry, language=language, text=text, note=note, created_by=actor.user
        )


def change_term(actor: Actor, term: GlossaryTerm, *, text: str, note: str = "") -> GlossaryTerm:
    """Correct a term's text or its usage note; its concept and language stay (remove it and add another for that)."""
    if not _may_edit_glossary(actor, term.language):
        raise NotAllowed(_("The secretariat and the translators of a language keep its glossary."))
    text = " ".join((text or "").split())
    if not text:
        raise LiaisonError(_("Write the term."), field="text")
    if len(text) > 200:
        raise LiaisonError(_("A term has at most 200 characters."), field="text")
    note = " ".join((note or "").split())[:500]
    with transaction.atomic():
        current = GlossaryTerm.objects.select_for_update().get(pk=term.pk)
        others = GlossaryTerm.objects.filter(concept_id=current.concept_id, language=current.language).exclude(
            pk=current.pk
        )
        if any(existing.casefold() == text.casefold() for existing in others.values_list("text", flat=True)):
            raise Conflict(_("“%(text)s” is already a term for this concept.") % {"text": text}, field="text")
        current.text, current.note = text, note
        current.save(update_fields=["text", "note"])
    term.text, term.note = text, note
    return current


def remove_term(actor: Actor, term: GlossaryTerm) -> None:
    if not _may_edit_glossary(actor, term.language):
        raise NotAllowed(_("The secretariat and the translators of a language keep its glossary."))
    with transaction.atomic():
        concept_id = term.concept_id
        term.delete()
        GlossaryConcept.objects.filter(pk=concept_id, terms__isnull=True).delete()


@lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(word) for word in term.split())
    if UNSPACED.search(term):
        return re.compile(body, re.IGNORECASE)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Occurrence:
    """A glossary term found in a text: where first, how often, and the concept's terms in other languages."""

    term: GlossaryTerm
    found: str
    start: int
    count: int
    equivalents: list[GlossaryTerm] = field(default_factory=list)

    @property
    def concept(self) -> GlossaryConcept:
        return self.term.concept


def _language_q(prefix: str, language: str) -> Q:
    language = language_codes.normalize(language)
    base = language.split("-")[0]
    return (
        Q(**{f"{prefix}language": language})
        | Q(**{f"{prefix}language": base})
        | Q(**{f"{prefix}language__startswith": base + "-"})
    )


def terms_in(text: str, language: str, *, target: str | None = None) -> list[Occurrence]:
    """The glossary terms of ``language`` that occur in ``text``, in order of first occurrence, each with the
    concept's terms in ``target`` (or in every other language when no target is named)."""
    if not text:
        return []
    terms = list(GlossaryTerm.objects.filter(_language_q("", language)).select_related("concept"))
    found: list[Occurrence] = []
    for term in terms:
        matches = list(_pattern(term.text).finditer(text))
        if matches:
            found.append(Occurrence(term, matches[0].group(0), matches[0].start(), len(matches)))
    if not found:
        return []
    others: dict[int, list[GlossaryTerm]] = {}
    wanted = GlossaryTerm.objects.filter(concept_id__in={o.term.concept_id for o in found})
    wanted = wanted.filter(_language_q("", target)) if target else wanted.exclude(_language_q("", language))
    for other in wanted.order_by("language", "text"):
        others.setdefault(other.concept_id, []).append(other)
    found.sort(key=lambda o: (o.start, -len(o.found)))
    return [Occurrence(o.term, o.found, o.start, o.count, others.get(o.term.concept_id, [])) for o in found]
