"""Read-only queries of the translators' pages: each list a page shows, in a fixed number of queries.

Nothing here changes data or decides a rule of the workflow; the rules live in ``services`` and ``glossary``. People
are only read by pseudonym, so that no protected identity is decrypted for a list.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q, QuerySet

from liaison import languages as language_codes
from liaison.editorial.models import Contribution, Revision
from liaison.federation.access import Actor
from liaison.federation.models import Person
from liaison.translations import services
from liaison.translations.models import (
    GlossaryConcept,
    GlossaryTerm,
    Translation,
    TranslationEvent,
    TranslationRevision,
    TranslationState,
)

# What a desk row shows of a translation: its original with the section, and the issue that sets its deadline.
ROW_RELATED = ("contribution__item__issue", "contribution__target_issue", "contribution__section")


def languages_q(codes: Iterable[str], prefix: str = "") -> Q:
    """Translations in any of these languages, "pt" matching "pt-br" and the other way round (as ``same_language``)."""
    q = Q(pk__in=[])
    for code in codes:
        code = language_codes.normalize(code)
        base = code.split("-")[0]
        q |= (
            Q(**{f"{prefix}language": code})
            | Q(**{f"{prefix}language": base})
            | Q(**{f"{prefix}language__startswith": base + "-"})
        )
    return q


def _open() -> QuerySet[Translation]:
    """Translations of originals still being translated, with what a desk row shows (not the texts, which a
    desk does not show and which may be long)."""
    return (
        Translation.objects.filter(contribution__state__in=services.OPEN_STATES)
        .select_related(*ROW_RELATED)
        .defer("body", "contribution__body")
    )


def entries(translations: Iterable[Translation], today: datetime.date) -> list[services.QueueEntry]:
    """Desk rows, soonest deadline first and those without an issue last, as ``services.queue`` orders them."""
    rows = []
    for t in translations:
        issue = services.target_issue(t.contribution)
        rows.append(services.QueueEntry(t, issue, services.deadline_for(issue), today))
    rows.sort(key=lambda e: (e.deadline is None, e.deadline or datetime.date.max, e.translation.contribution_id))
    return rows


def assigned_to(user_id: int, today: datetime.date) -> list[services.QueueEntry]:
    """The work assigned to a person that is not done: everything but an approved, up-to-date translation."""
    found = _open().filter(assigned_to_id=user_id).filter(~Q(state=TranslationState.APPROVED) | Q(stale=True))
    return entries(found, today)


def awaiting_review(actor: Actor, codes: Iterable[str], today: datetime.date) -> list[services.QueueEntry]:
    """Translations in review in these languages that the actor wrote no part of (``services.may_review``'s rule,
    for a whole list in two queries). The caller names the languages the actor reviews: a translator's own, or
    those an editor looks at."""
    codes = list(codes)
    if actor.user is None or not codes:
        return []
    candidates = list(
        _open().filter(languages_q(codes), state=TranslationState.IN_REVIEW).exclude(translator_id=actor.user.pk)
    )
    written = set(
        TranslationRevision.objects.filter(
            translation__in=candidates, machine=False, conflict=False, author_id=actor.user.pk
        ).values_list("translation_id", flat=True)
    )
    return entries([t for t in candidates if t.pk not in written], today)


def stale_in(codes: Iterable[str], today: datetime.date) -> list[services.QueueEntry]:
    """Translations whose original changed since they were approved, in these languages, whatever their state now."""
    codes = list(codes)
    if not codes:
        return []
    return entries(_open().filter(languages_q(codes), stale=True), today)


def pseudonyms(user_ids: Iterable[int | None]) -> dict[int, str]:
    """The pseudonym of each account, in one query."""
    wanted = {pk for pk in user_ids if pk is not None}
    if not wanted:
        return {}
    return dict(Person.objects.filter(user_id__in=wanted).values_list("user_id", "pseudonym"))


# A translation's page ---------------------------------------------------------------------------------------------


def translation(pk: int) -> Translation | None:
    return (
        Translation.objects.select_related(
            *ROW_RELATED, "contribution__periodical", "contribution__item__issue__periodical"
        )
        .annotate(
            assignee_name=F("assigned_to__person__pseudonym"),
            translator_name=F("translator__person__pseudonym"),
            reviewer_name=F("reviewer__person__pseudonym"),
        )
        .filter(pk=pk)
        .first()
    )


def original_at(contribution: Contribution, number: int) -> Revision | None:
    """The original's text as it was at one of its revisions."""
    return contribution.revisions.filter(number=number, conflict=False).first()


def events_of(translation: Translation) -> list[TranslationEvent]:
    return list(translation.events.order_by("created", "id"))


def revisions_of(translation: Translation) -> list[TranslationRevision]:
    return list(translation.revisions.annotate(author_name=F("author__person__pseudonym")).order_by("number"))


# The glossary -----------------------------------------------------------------------------------------------------


@dataclass
class TermRow:
    term: GlossaryTerm
    editable: bool


@dataclass
class LanguageTerms:
    language: str
    terms: list[TermRow] = field(default_factory=list)


@dataclass
class ConceptRow:
    concept: GlossaryConcept
    languages: list[LanguageTerms] = field(default_factory=list)

    @property
    def missing(self) -> bool:
        """Filtered by language, the concept has no term in it yet."""
        return not self.languages


def _matches(concept: GlossaryConcept, terms: list[GlossaryTerm], needle: str) -> bool:
    # Compared in Python: SQLite's LIKE folds only ASCII letters, and a search for "профсоюз" must find "Профсоюз".
    haystack = [concept.key, concept.definition, *(term.text for term in terms), *(term.note for term in terms)]
    return any(needle in text.casefold() for text in haystack)


def glossary(
    *, language: str = "", search: str = "", editable: Callable[[str], bool] = lambda code: False
) -> list[ConceptRow]:
    """The term base, concept by concept with its terms grouped by language; two queries whatever its size.

    ``language`` keeps only that language's terms (a concept without one is kept, marked missing, so the gap shows);
    ``search`` keeps the concepts whose key, definition, terms or notes contain it, ignoring case in every script."""
    terms = Prefetch("terms", queryset=GlossaryTerm.objects.order_by("language", "text"))
    needle = " ".join(search.split()).casefold()
    rows = []
    for concept in GlossaryConcept.objects.prefetch_related(terms).order_by("key"):
        all_terms = list(concept.terms.all())
        if needle and not _matches(concept, all_terms, needle):
            continue
        row = ConceptRow(concept)
        for term in all_terms:
            if language and not services.same_language(term.language, language):
                continue
            if not row.languages or row.languages[-1].language != term.language:
                row.languages.append(LanguageTerms(term.language))
            row.languages[-1].terms.append(TermRow(term, editable(term.language)))
        rows.append(row)
    return rows


def concept_row(concept: GlossaryConcept, *, language: str = "", editable: Callable[[str], bool]) -> ConceptRow:
    """One concept's row, for the fragment an HTMX edit swaps in (filtered by language as the page was)."""
    row = ConceptRow(concept)
    for term in concept.terms.order_by("language", "text"):
        if language and not services.same_language(term.language, language):
            continue
        if not row.languages or row.languages[-1].language != term.language:
            row.languages.append(LanguageTerms(term.language))
        row.languages[-1].terms.append(TermRow(term, editable(term.language)))
    return row


def concept_keys() -> list[str]:
    """Existing concepts' keys, offered when adding a term."""
    return list(GlossaryConcept.objects.order_by("key").values_list("key", flat=True))
