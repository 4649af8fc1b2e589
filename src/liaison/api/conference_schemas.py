"""The shapes the conference endpoints read and answer: conferences, questions, waves, the positions matrix,
positions with their history, and endorsements."""

from __future__ import annotations

import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import AwareDatetime, StringConstraints

from liaison.api.editorial_schemas import MAX_ID, MAX_NUMBER
from liaison.api.schemas import NO_NUL, Ref, ShortText, Text
from liaison.conference.models import ConferenceStatus, Option, PositionState
from liaison.editorial.models import State

LanguageCode = Annotated[str, StringConstraints(max_length=15, pattern=NO_NUL)]
TEXTS_NOTE = 'By language code: {"en": "…", "fr": "…"}; only the federation\'s working languages.'
SECTION_ONLY_NOTE = "Only for the position's own section (null otherwise): send it back as base_version to revise."


# Conferences -----------------------------------------------------------------------------------------------------


class MilestoneOut(Schema):
    date: datetime.date
    title: dict[str, str] = Field(description="By language code.")


class ConferenceOut(Schema):
    id: int
    title: str
    place: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    status: ConferenceStatus
    public: bool = Field(description="Everyone reads its published positions; otherwise only the members.")
    bulletin: str = Field(description="The slug of the bulletin in which the sections' statements appear.")


class OptionOut(Schema):
    code: Option
    label: str = Field(description="In the language of Accept-Language.")


class QuestionOut(Schema):
    id: int
    number: int = Field(description="Its place on the agenda; positions are addressed by it.")
    title: dict[str, str] = Field(description="By language code.")
    description: dict[str, str] = Field(description="By language code.")
    options: list[OptionOut] = Field(description="What a position chooses from; “abstain” is always offered.")


class WaveOut(Schema):
    id: int
    name: str
    deadline: datetime.datetime
    issue: int = Field(description="The number of the bulletin's issue in which the wave's statements appear.")
    regions: list[Ref]
    moved_in: list[Ref] = Field(description="Sections of other regions the secretariat moved into this wave.")


class ConferenceDetailOut(ConferenceOut):
    milestones: list[MilestoneOut]
    questions: list[QuestionOut]
    waves: list[WaveOut]


class ConferenceIn(Schema):
    title: ShortText
    bulletin: ShortText = Field(description="The slug of the bulletin in which the statements will appear.")
    place: ShortText = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    public: bool = Field(False, description="Needs a public bulletin.")


class QuestionIn(Schema):
    title: dict[LanguageCode, ShortText] = Field(description=TEXTS_NOTE, max_length=50)
    description: dict[LanguageCode, Text] = Field({}, description=TEXTS_NOTE, max_length=50)
    options: list[ShortText] = Field(
        [],
        max_length=10,
        description="Among support, oppose, amend, alternative. Left empty, sections answer in their own words "
        "(“own”); “abstain” is always offered.",
    )


class WaveIn(Schema):
    name: ShortText
    regions: list[ShortText] = Field(max_length=500, description="Slugs of the regions that reply in this wave.")
    deadline: AwareDatetime = Field(description="ISO 8601 with its time zone, such as 2030-03-01T18:00:00+01:00.")
    issue: int = Field(ge=1, le=MAX_NUMBER, description="The number of an issue of the conference's bulletin.")


# The matrix ------------------------------------------------------------------------------------------------------


class QuestionHeadOut(Schema):
    id: int
    number: int
    title: str = Field(description="In the language of Accept-Language when written in it, else another one.")
    language: str = Field(description="The language the title is in.")


class LineageOut(Schema):
    kind: str = Field(description="“split_from” or “merged_into”.")
    other: str = Field(description="The other section's name.")
    date: datetime.date
    reverse: bool = Field(description="True when the event is the other section's (it split from this one).")


class WaveRefOut(Schema):
    id: int
    name: str


class CellOut(Schema):
    question: int = Field(description="The question's number.")
    state: PositionState = Field(description="A draft is “draft” for its own section only; “not_stated” for others.")
    state_label: str
    option: Option | None = Field(description="The option of the version the caller may read, if any.")
    option_label: str
    stance: str = Field(description="In the language of Accept-Language when written in it, else another one.")
    stance_language: str
    revision: int | None = Field(description="The number of the version shown.")
    revised: bool = Field(description="True when the version shown is a revision of an earlier one.")
    contribution_id: int | None = Field(description="The full statement: GET /contributions/{id}.")
    endorsed_by: list[str] = Field(description="The names of the sections endorsing it.")


class RowOut(Schema):
    section: Ref
    wave: WaveRefOut | None
    deadline: datetime.datetime | None
    lineage: list[LineageOut]
    cells: list[CellOut] = Field(description="One per question, in agenda order.")


class GroupOut(Schema):
    region: Ref
    rows: list[RowOut]


class MatrixOut(Schema):
    conference: int
    questions: list[QuestionHeadOut]
    groups: list[GroupOut] = Field(description="Sections by region, in the regions' order.")


# Positions -------------------------------------------------------------------------------------------------------


class PositionRevisionOut(Schema):
    number: int
    option: Option
    option_label: str
    stance: dict[str, str] = Field(description="By language code.")
    language: str
    contribution_id: int = Field(description="The statement of this version.")
    contribution_state: State
    created: datetime.datetime


class EndorsementOut(Schema):
    id: int
    section: Ref = Field(description="The section that endorses.")
    position_section: Ref = Field(description="The section whose position is endorsed.")
    question: int = Field(description="The question's number.")
    revision: int = Field(description="The version endorsed: a later revision is not endorsed by it.")
    created: datetime.datetime
    withdrawn_at: datetime.datetime | None


class PositionOut(Schema):
    section: Ref
    question: int
    state: PositionState
    state_label: str
    option: Option | None
    option_label: str
    stance: str
    stance_language: str
    contribution_id: int | None
    version: int | None = Field(description=SECTION_ONLY_NOTE)
    revisions: list[PositionRevisionOut] = Field(description="The versions the caller may read, oldest first.")
    endorsements: list[EndorsementOut] = Field(description="The endorsements standing.")


class PositionIn(Schema):
    section: ShortText = Field(description="The slug of the section stating it.")
    question: int = Field(ge=1, le=MAX_NUMBER, description="The question's number.")
    option: ShortText = Field(description="One of the question's options.")
    stance: Text = Field(description="A sentence or two (at most 500 characters): the matrix shows it.")
    statement: str = Field(description="The full statement, Markdown: a bulletin contribution of kind “position”.")
    language: LanguageCode = Field(description="The language of the stance and statement, such as fr, pt-br, zh.")
    title: ShortText = Field("", description="The statement's title; left empty, “<section> on question <n>: …”.")
    submit: bool = Field(False, description="Submit the statement to the editors at once (else it stays a draft).")


class PositionUpdateIn(Schema):
    base_version: int = Field(ge=1, le=MAX_NUMBER, description="The version you revise; if it changed since, 409.")
    option: ShortText | None = None
    stance: Text | None = None
    statement: str | None = Field(
        None, description="Needed once the statement is with the editors: the revision comes with a new statement."
    )
    language: LanguageCode | None = None
    title: ShortText = ""
    submit: bool = False


class EndorsementIn(Schema):
    section: ShortText = Field(description="The slug of the section that endorses (yours).")


class EndorsementFilters(Schema):
    section: ShortText | None = Field(None, description="The slug of the section that endorses.")
    standing: bool | None = Field(None, description="true: only those not withdrawn; false: only withdrawn ones.")


class MatrixFilters(Schema):
    region: ShortText | None = Field(None, description="A region's slug.")
    wave: int | None = Field(None, ge=1, le=MAX_ID, description="A wave's id.")
    state: PositionState | None = Field(None, description="Only the sections with a position in this state.")
