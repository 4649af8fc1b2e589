"""The shapes the editorial endpoints read and answer: bulletins, issues, calls, contributions, decisions."""

from __future__ import annotations

import datetime

from ninja import Field, Schema
from pydantic import AwareDatetime

from liaison.api.schemas import Ref, ShortText, Text
from liaison.editorial.models import DeferralReason, Kind, RevisionOrigin, State
from liaison.periodicals.models import Audience, Frequency, IssueStatus

MAX_ID = 2**63 - 1
MAX_NUMBER = 2**31 - 1

SECTION_ONLY_NOTE = "Present only for the contribution's own section and the editors (absent otherwise)."


# Bulletins and issues --------------------------------------------------------------------------------------------


class BulletinOut(Schema):
    slug: str
    name: str
    language: str
    frequency: Frequency
    audience: Audience = Field(description="“public”: everyone reads it; “members”: only the federation's members.")


class IssueOut(Schema):
    number: int
    title: str
    status: IssueStatus
    planned_date: datetime.date | None
    budget_pages: float = Field(description="The space the issue has, in printed pages.")
    pages_used: float = Field(description="The pages its placed items fill.")
    item_count: int
    gap_reason: str = Field(description="Why numbers were skipped before this one, when they were.")
    published_at: datetime.datetime | None


class CallOut(Schema):
    id: int
    topic: str
    questions: str
    deadline: datetime.datetime
    sections: list[Ref] = Field(description="The sections invited by name.")
    regions: list[Ref] = Field(description="The regions invited: every section in them is invited.")


class ItemOut(Schema):
    position: int = Field(description="The item's number in the issue, the last part of its citation.")
    citation: str = Field(description="How to cite it, such as “Bulletin No. 3, item 4”.")
    cite_as: str = Field(description="The short syntax a contribution uses to cite it, such as [[bulletin/3/4]].")
    contribution_id: int
    title: str
    section: Ref
    signature: str = Field(description="The signer's pseudonym, or the section's name when the section signs.")
    pages: float
    override_reason: str = Field(description="Why the editor set the fair allocation aside for it, if they did.")


class IssueDetailOut(IssueOut):
    bulletin: BulletinOut
    calls: list[CallOut]
    items: list[ItemOut] = Field(description="The table of contents: only the items the caller may read.")


class IssueIn(Schema):
    budget_pages: float = Field(16, gt=0, le=1000, allow_inf_nan=False, description="Pages, to the hundredth.")
    planned_date: datetime.date | None = None
    number: int | None = Field(
        None, ge=1, le=MAX_NUMBER, description="Left out, the next number. Skipping numbers needs gap_reason."
    )
    title: ShortText = ""
    gap_reason: Text = ""


class CallIn(Schema):
    topic: ShortText
    questions: Text = ""
    deadline: AwareDatetime = Field(description="ISO 8601 with its time zone, such as 2030-03-01T18:00:00+01:00.")
    sections: list[ShortText] = Field([], max_length=500, description="Slugs of the sections invited by name.")
    regions: list[ShortText] = Field([], max_length=500, description="Slugs of the regions invited.")


# Assembly --------------------------------------------------------------------------------------------------------


class ProposedOut(Schema):
    contribution_id: int
    title: str
    section: Ref
    pages: float


class DeferredOut(ProposedOut):
    reason: DeferralReason = Field(description="Why it does not fit this issue; it moves to the next one.")
    reason_label: str = Field(description="The reason in words, in the language of Accept-Language.")


class ProposalOut(Schema):
    budget_pages: float
    pages_used: float = Field(description="The pages filled with the proposal applied (items already placed too).")
    placed: list[ProposedOut] = Field(description="What goes in, in order after the items already placed.")
    deferred: list[DeferredOut]


class PlaceIn(Schema):
    contribution: int = Field(ge=1, le=MAX_ID, description="The id of an accepted contribution of this bulletin.")
    reason: Text = Field("", description="Needed past the budget or ahead of the fair order; recorded with the item.")


class MoveIn(Schema):
    to: int = Field(ge=1, le=MAX_NUMBER, description="The item's new position; the others close up around it.")
    reason: Text = ""


# Contributions ---------------------------------------------------------------------------------------------------


class PlacementOut(Schema):
    issue: int = Field(description="The issue's number.")
    position: int
    citation: str


class ContributionOut(Schema):
    id: int
    title: str
    section: Ref
    periodical: str = Field(description="The bulletin's slug.")
    state: State
    kind: Kind
    language: str
    signature: str = Field(description="The signer's pseudonym, or the section's name when the section signs.")
    pages: float = Field(description="Estimated printed pages, to the quarter page.")
    version: int = Field(description="Counts saves: send it back as base_version when you save.")
    call: int | None = Field(description="The id of the call it answers, if any.")
    submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    updated: datetime.datetime
    placement: PlacementOut | None = Field(description="Where it is placed, once it is.")


class DecisionOut(Schema):
    from_state: State
    to_state: State
    reason: str
    by: str = Field(description="The pseudonym of who decided, as it was then.")
    created: datetime.datetime


class DeferralOut(Schema):
    from_issue: int
    to_issue: int | None
    reason: DeferralReason
    reason_label: str
    note: str
    created: datetime.datetime


class ContributionDetailOut(ContributionOut):
    body: str = Field(description="The text, in Markdown.")
    html: str = Field(description="The text rendered and sanitized; safe to insert in a page.")
    allowed_moves: list[State] = Field(description="The states the caller may move it to now.")
    may_edit: bool = Field(description="Whether the caller may save a new text now.")
    revision_count: int = Field(0, description=SECTION_ONLY_NOTE)
    decisions: list[DecisionOut] = Field([], description=SECTION_ONLY_NOTE)
    deferrals: list[DeferralOut] = Field([], description=SECTION_ONLY_NOTE)


class RevisionOut(Schema):
    number: int
    title: str
    language: str
    body: str
    conflict: bool = Field(description="True for a save refused because someone else had saved first.")
    origin: RevisionOrigin = Field(
        description="“edit”: someone's save; “citations”: Liaison renumbered the items it cites, after their issue "
        "was reordered."
    )
    author: str = Field(description="The author's pseudonym.")
    created: datetime.datetime


class ConflictOut(Schema):
    detail: str
    field: str | None
    theirs: RevisionOut = Field(description="The text saved in between, now the contribution's text.")
    yours: RevisionOut = Field(description="Your text, kept as a revision marked as a conflict.")


class ContributionIn(Schema):
    section: ShortText = Field(description="The slug of the section it is written for.")
    periodical: ShortText = Field(description="The bulletin's slug.")
    title: ShortText
    language: ShortText = Field(description="The original language's code, such as fr, pt-br, zh.")
    kind: Kind = Kind.REPORT
    body: str = Field(description="Markdown, with footnotes written [^1]; at most 200,000 characters.")
    call: int | None = Field(None, ge=1, le=MAX_ID, description="The id of the call it answers.")
    signed_by: int | None = Field(
        None, ge=1, le=MAX_ID, description="The id of a correspondent or member of the section; left out, it signs."
    )


class ContributionUpdateIn(Schema):
    base_version: int = Field(
        ge=1, le=MAX_NUMBER, description="The version your edit started from; if someone saved since, 409."
    )
    title: ShortText
    language: ShortText
    kind: Kind
    body: str
    signed_by: int | None = Field(
        None, ge=1, le=MAX_ID, description="Left out, the signature stays as it is; null, the section itself signs."
    )


class TransitionIn(Schema):
    to: State = Field(
        description="The new state. “submitted” submits (or resubmits a returned text); placing and publishing are "
        "done through the issue's items."
    )
    reason: Text = Field("", description="Required to return, decline, or take an item out of an issue.")
