"""The shapes the translation endpoints read and answer: translations, their history, queues, editions, glossary."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from liaison.api.editorial_schemas import MAX_ID, MAX_NUMBER
from liaison.api.schemas import Ref, ShortText, Text
from liaison.translations.models import EventKind, TranslationState

BEHIND_NOTE = (
    "Present only for the secretariat, the translators and the original's own section (absent for its readers)."
)
MACHINE_NOTE = (
    "True for a machine translation that no person has approved yet: show it labelled as machine-made wherever it "
    "is shown."
)


# Translations ----------------------------------------------------------------------------------------------------


class TranslationOut(Schema):
    id: int
    contribution_id: int = Field(description="The original's id (GET /contributions/{id}).")
    original_title: str
    original_language: str
    section: Ref = Field(description="The section that wrote the original.")
    periodical: str = Field(description="The bulletin's slug.")
    language: str = Field(description="The language of this translation, such as fr, pt-br, zh.")
    dir: str = Field(description="“rtl” for a language written right to left (Arabic, Hebrew...), else “ltr”.")
    state: TranslationState
    stale: bool = Field(description="The original changed after this translation was approved: it needs updating.")
    machine: bool = Field(description=MACHINE_NOTE)
    title: str
    version: int = Field(description="Counts saves: send it back as base_version when you save.")
    translator: str | None = Field(description="The pseudonym of who translated it.")
    reviewer: str | None = Field(description="The pseudonym of who approved it.")
    assigned_to: str | None = Field(description="The pseudonym of the translator working on it, if anyone is.")
    assigned_to_me: bool
    issue: int | None = Field(description="The number of the issue the original is placed in, or meant for.")
    deadline: datetime.date | None = Field(description="A week before that issue's planned date, when it has one.")
    overdue: bool = Field(description="The deadline has passed and the translation is not approved and up to date.")
    approved_at: datetime.datetime | None
    updated: datetime.datetime


class OriginalOut(Schema):
    title: str
    language: str
    dir: str
    body: str = Field(description="The original's text, in Markdown, as it is now.")
    revision: int | None = Field(description="The number of the original's current revision.")


class TranslationEventOut(Schema):
    kind: EventKind = Field(
        description="“transition”: a change of state; “assigned”: taken, given or freed (note: to whom); “stale”: "
        "the original changed; “machine”: a machine draft arrived (note: the provider); “machine_failed”: the "
        "provider failed (note: why)."
    )
    from_state: TranslationState
    to_state: TranslationState
    note: str = Field(description="The reason given, or what the kind says it holds.")
    by: str = Field(description="The pseudonym of who did it, as it was then; empty for Liaison itself.")
    created: datetime.datetime


class ChangesOut(Schema):
    from_revision: int = Field(description="The original's revision the translation was approved against.")
    to_revision: int | None = Field(description="The original's revision now.")
    title_before: str
    title_after: str
    diff: str = Field(description="The original's text since then, as a unified diff.")


class ProblemOut(Schema):
    code: str = Field(
        description="For programs: footnote_missing, footnote_extra, footnote_count, footnote_text_missing, "
        "footnote_text_extra, inline_footnotes, citation_missing, citation_extra, headings, lists or list_items."
    )
    message: str = Field(description="For people, in the language of Accept-Language.")


class TermOut(Schema):
    id: int
    concept: str = Field(description="The concept's key, such as general-strike.")
    language: str
    dir: str
    text: str
    note: str = Field(description="How to use the term, if someone said.")


class GlossaryHitOut(Schema):
    concept: str
    definition: str
    found: str = Field(description="The words of the original where the term occurs first.")
    count: int = Field(description="How often the term occurs in the original.")
    equivalents: list[TermOut] = Field(description="The concept's terms in the translation's language.")


class PairOut(Schema):
    kind: str = Field(description="heading, paragraph, item (of a list), quote, table, code, rule or footnote.")
    label: str = Field(description="A footnote's label.")
    original: str | None = Field(description="The original's block; null where it has no counterpart.")
    translation: str | None = Field(description="The translation's block; null where it has no counterpart.")


class TranslationDetailOut(TranslationOut):
    body: str = Field(description="The translation's text, in Markdown.")
    html: str = Field(description="The text rendered and sanitized; safe to insert in a page, in an element with dir.")
    original: OriginalOut
    allowed_moves: list[TranslationState] = Field(description="The states the caller may move it to now.")
    may_edit: bool = Field(description="Whether the caller may save a new text now.")
    override_reason: str = Field("", description="Why it was approved although its structure differs.")
    revision_count: int = Field(0, description=BEHIND_NOTE)
    events: list[TranslationEventOut] = Field([], description="Its history, oldest first. " + BEHIND_NOTE)
    changes: ChangesOut | None = Field(
        None, description="When stale: what changed in the original since the approval. " + BEHIND_NOTE
    )
    problems: list[ProblemOut] = Field(
        [], description="How its structure differs from the original's (footnotes, citations...). " + BEHIND_NOTE
    )
    pairs: list[PairOut] = Field(
        [], description="The original and the translation block by block, footnotes by label. " + BEHIND_NOTE
    )
    glossary: list[GlossaryHitOut] = Field([], description="The glossary's terms found in the original. " + BEHIND_NOTE)


class TranslationRevisionOut(Schema):
    number: int
    version: int = Field(description="The translation's version this save made.")
    title: str
    body: str
    source_revision: int | None = Field(description="The original's revision it was made from.")
    machine: bool = Field(description="Made by machine translation.")
    conflict: bool = Field(description="True for a save refused because someone else had saved first.")
    author: str = Field(description="The author's pseudonym; for a machine draft, who asked for it.")
    created: datetime.datetime


class TranslationConflictOut(Schema):
    detail: str
    field: str | None
    theirs: TranslationRevisionOut | None = Field(description="The text saved in between, now the translation's.")
    yours: TranslationRevisionOut = Field(description="Your text, kept as a revision marked as a conflict.")


class StructureErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the language of the request's Accept-Language.")
    field: str | None = Field(None, description="The input at fault, when there is one.")
    problems: list[ProblemOut] = Field(
        [], description="When approval is refused for its structure: each difference from the original."
    )


class TranslationIn(Schema):
    base_version: int = Field(
        ge=1, le=MAX_NUMBER, description="The version your edit started from; if someone saved since, 409."
    )
    title: ShortText
    body: str = Field(
        description="Markdown, keeping the original's footnotes and citations; at most 200,000 characters."
    )


class TranslationTransitionIn(Schema):
    to: TranslationState = Field(
        description="“in_review”: send to review; “approved”: approve (a reviewer who did not translate it); "
        "“draft”: return it to the translator (needs a reason). A translation becomes a draft by saving a text."
    )
    reason: Text = Field(
        "",
        description="Required to return it; required to approve a text whose footnotes, citations, headings or "
        "lists differ from the original's, and kept as the reason they may.",
    )


class AssignIn(Schema):
    translator: int | None = Field(
        ge=1, le=MAX_ID, description="The id of a person (GET /people) who translates its language; null frees it."
    )


class AcceptedOut(Schema):
    detail: str
    translation_id: int


# Queues, workload and editions -----------------------------------------------------------------------------------


class LoadOut(Schema):
    person: int | None = Field(description="The person's id (GET /people/{id}).")
    name: str = Field(description="The pseudonym.")
    languages: list[str] = Field(description="The languages the translator declared.")
    needed: int
    draft: int
    in_review: int
    stale: int
    approved: int
    open: int = Field(description="What still needs their hand: needed, draft and stale.")


class CoverageOut(Schema):
    position: int
    citation: str
    contribution_id: int
    title: str = Field(description="The original's title.")
    original_language: str
    status: str = Field(
        description="“original”: written in this language; “approved”; “stale”: approved, but the original changed "
        "since; “in_review”, “draft”, “needed”: the translation's state; “none”: no translation exists."
    )
    translation_id: int | None
    machine: bool = Field(description=MACHINE_NOTE)


class EditionOut(Schema):
    language: str
    language_name: str = Field(description="In the language of Accept-Language.")
    dir: str
    complete: bool = Field(description="Every item can be read in this language: the edition can be published.")
    items: int = Field(description="The items counted (those the caller may see).")
    covered: int = Field(description="Those written in this language or with an approved, up-to-date translation.")
    missing: list[CoverageOut] = Field(description="What keeps the edition from being complete, item by item.")


class EditionDetailOut(EditionOut):
    contents: list[CoverageOut] = Field(description="Every item, in order, with its status in this language.")


# Glossary ----------------------------------------------------------------------------------------------------------


class ConceptOut(Schema):
    key: str
    definition: str
    terms: list[TermOut] = Field(description="Its terms, by language (only the requested language when filtered).")


class TermIn(Schema):
    concept: ShortText = Field(description="The concept's key, such as general-strike; created on first use.")
    language: ShortText = Field(description="The term's language code.")
    text: ShortText = Field(description="The term, at most 200 characters.")
    note: ShortText = Field("", description="How to use it.")
    definition: Text = Field("", description="The concept's definition, kept when the concept is new.")


class TermUpdateIn(Schema):
    text: ShortText = Field(description="The term, at most 200 characters.")
    note: ShortText = ""
