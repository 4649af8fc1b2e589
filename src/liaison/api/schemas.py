"""The shapes the API reads and answers. Field descriptions end up in the OpenAPI schema."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StringConstraints

from liaison.federation.models import EventKind, RoleKind, SectionStatus

# PostgreSQL refuses NUL in text, and no name or note needs one: refused here (422), and said so in the schema.
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(max_length=10_000, pattern=NO_NUL)]
ShortText = Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL)]


class PerspectiveKind(StrEnum):
    """A lineage event as the section sees it: its own events, plus two for events of others that name it."""

    applied = "applied"
    adhered = "adhered"
    observer = "observer"
    split_from = "split_from"
    merged_into = "merged_into"
    renamed = "renamed"
    suspended = "suspended"
    reinstated = "reinstated"
    dissolved = "dissolved"
    split_off = "split_off"
    absorbed = "absorbed"


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the language of the request's Accept-Language.")
    field: str | None = Field(None, description="The input at fault, when there is one.")


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]] = Field(description="The problems found in the input, one per field.")


class Ref(Schema):
    slug: str
    name: str


class RegionOut(Schema):
    slug: str
    name: str
    order: int


class CountryOut(Schema):
    code: str = Field(description="ISO 3166-1 alpha-2.")
    name: str


class PeriodicalOut(Schema):
    slug: str
    name: str
    language: str
    frequency: str


class SectionOut(Schema):
    slug: str
    name: str
    country: CountryOut
    languages: list[str]
    status: SectionStatus
    region: Ref
    periodicals: list[PeriodicalOut]
    correspondents: list[str] = Field(description="The pseudonyms of the section's current correspondents.")


class LineageEventOut(Schema):
    kind: PerspectiveKind = Field(
        description="From this section's perspective: “split_off” is another section splitting from this one, "
        "“absorbed” another section merging into this one; every other kind is an event of this section."
    )
    date: datetime.date
    other_section: Ref | None
    old_name: str
    new_name: str
    note: str


class RoleOut(Schema):
    kind: RoleKind
    section: Ref | None
    languages: list[str]
    since: datetime.date
    until: datetime.date | None
    active: bool


IDENTITY_NOTE = "Present only when the caller may see this person's identity (absent, not null, otherwise)."


class PersonOut(Schema):
    id: int
    pseudonym: str
    roles: list[RoleOut]
    real_name: str = Field("", description=IDENTITY_NOTE)
    address: str = Field("", description=IDENTITY_NOTE)
    phone: str = Field("", description=IDENTITY_NOTE)
    notes: str = Field("", description=IDENTITY_NOTE)


class HolderOut(Schema):
    secretariat: bool = Field(description="True when the secretariat itself holds the editorial role.")
    section: Ref | None
    since: datetime.date


class FederationOut(Schema):
    name: str
    founded: datetime.date
    working_languages: list[str]
    description: str
    editorial_holder: HolderOut | None = Field(description="Who holds the editorial role today, if recorded.")


class TokenOut(Schema):
    name: str
    prefix: str
    created: datetime.datetime


class MeOut(Schema):
    username: str
    pseudonym: str
    person_id: int | None
    secretariat: bool
    correspondent_of: list[str] = Field(description="Slugs of the sections this account is a correspondent of.")
    member_of: list[str] = Field(description="Slugs of the sections this account is a member of.")
    translator_languages: list[str]
    token: TokenOut


# Input ---------------------------------------------------------------------------------------------------------


class RegionIn(Schema):
    name: ShortText
    order: int = Field(0, ge=0, le=32767)


class SectionIn(Schema):
    name: ShortText
    country: ShortText = Field(description="ISO 3166-1 alpha-2 code, such as FR or BR.")
    region: ShortText = Field(description="The region's slug.")
    languages: list[ShortText] = Field(description="Language codes, such as fr, pt-br, zh.", max_length=50)
    status: SectionStatus = SectionStatus.APPLICANT


class EventIn(Schema):
    kind: EventKind
    date: datetime.date
    other_section: ShortText | None = Field(None, description="The other section's slug (split and merge).")
    new_name: ShortText = Field("", description="The new name (rename).")
    note: Text = ""


class PersonIn(Schema):
    pseudonym: ShortText
    real_name: ShortText = ""
    address: Text = ""
    phone: ShortText = ""
    notes: Text = ""
