"""The shapes the distribution endpoints read and answer: subscribers, subscriptions, dispatches, receipts, gaps,
claims."""

from __future__ import annotations

import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from liaison.api.editorial_schemas import MAX_ID, MAX_NUMBER
from liaison.api.schemas import NO_NUL, ShortText, Text
from liaison.distribution.models import (
    ClaimState,
    DispatchKind,
    DispatchState,
    ReceiptHow,
    SubscriberKind,
    SubscriptionChannel,
    SubscriptionState,
)
from liaison.publishing.models import FileFormat

Language = Annotated[str, StringConstraints(max_length=15, pattern=NO_NUL)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=NO_NUL)]


class Page(Schema):
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=MAX_ID)


# As in the People API (``PersonOut``): a hidden field is absent, never null, so that "hidden" is not mistaken for
# "empty"; shown, it is a string, empty when there is none.
CONTACT_NOTE = (
    "Present only for the secretariat, the person themselves, and a section's correspondents for their section "
    "(absent, not null, otherwise); an empty string when there is none."
)
PostalAddress = Annotated[str, StringConstraints(max_length=1000, pattern=NO_NUL)]


class SubscriberOut(Schema):
    id: int
    kind: SubscriberKind
    name: str = Field(
        description="The section's name, the person's pseudonym, the organisation's name, or a masked "
        "address for a reader known by address only. Never a real name."
    )
    section: str | None = Field(description="The section's slug, for a section.")
    language: str
    email: str = Field("", description=CONTACT_NOTE)
    postal_address: str = Field("", description=CONTACT_NOTE)


class SubscriberIn(Schema):
    kind: SubscriberKind
    section: ShortText | None = Field(None, description="The section's slug, for a section.")
    person: int | None = Field(
        None, ge=1, le=MAX_ID, description="One of the federation's people (their id), for a person."
    )
    name: ShortText = Field("", description="The organisation's name (for an organisation only).")
    email: Email = Field("", description="Required for a reader known by the address only.")
    postal_address: PostalAddress = ""
    language: Language = ""


class SubscriberPatch(Schema):
    """The fields sent are changed (an empty string clears one); those left out stay as they are."""

    name: ShortText = Field("", description="An organisation's name; refused for a section or a person.")
    email: Email = ""
    postal_address: PostalAddress = Field(
        "", description="Cannot be cleared while a subscription by post is current: give the new one."
    )
    language: Language = ""


class SubscriptionOut(Schema):
    id: int
    subscriber: int
    periodical: str = Field(description="The periodical's slug.")
    language: str
    formats: list[str]
    channel: SubscriptionChannel
    state: SubscriptionState
    started_on: datetime.date | None
    ended_on: datetime.date | None
    bounce_count: int
    state_reason: str = Field(description="Why it last changed state (for a paused one: the last bounce).")


class SubscribeIn(Schema):
    periodical: ShortText = Field(description="The bulletin's slug.")
    email: Email
    language: Language
    formats: list[FileFormat] = Field(min_length=1, max_length=4)


class SubscribeOut(Schema):
    state: SubscriptionState
    detail: str


class SubscriptionIn(Schema):
    subscriber: int = Field(ge=1, le=MAX_ID)
    periodical: ShortText = Field(description="The periodical's slug.")
    language: Language
    channel: SubscriptionChannel
    formats: list[FileFormat] = Field(default_factory=list, max_length=4)
    started_on: datetime.date | None = None


class DispatchOut(Schema):
    id: int
    subscription: int
    periodical: str
    number: int
    language: str
    kind: DispatchKind
    state: DispatchState
    attempts: int
    resends: int = Field(description="How many times a claim had it sent again.")
    sent_at: datetime.datetime | None


class DispatchProgressOut(Schema):
    language: str
    counts: dict[str, int] = Field(description="Dispatches by state.")


class ReceiptIn(Schema):
    periodical: ShortText = Field(description="The periodical's slug.")
    number: int = Field(ge=1, le=MAX_NUMBER)
    language: Language | None = Field(None, description="Left out when the subscriber receives one language.")
    how: ReceiptHow = ReceiptHow.BY_HAND
    note: ShortText = ""


class ReceiptOut(Schema):
    id: int
    subscriber: int
    periodical: str
    number: int
    language: str
    how: ReceiptHow
    recorded_at: datetime.datetime


class GapOut(Schema):
    subscription: int
    periodical: str
    number: int
    title: str
    language: str
    channel: SubscriptionChannel
    published_on: datetime.date | None
    received: bool
    tracked: bool = Field(
        description="False for a feed: Liaison sends nothing and cannot know what the reader fetched, so the "
        "issue is never counted missing."
    )
    missing: bool = Field(description="Tracked and not recorded as received.")
    receipt: ReceiptHow | None
    dispatch: DispatchState | None = Field(description="None when nothing was dispatched (a feed, a pause).")
    dispatch_kind: DispatchKind | None
    claim: ClaimState | None = Field(description="The state of the latest claim for this issue, if any.")


class GapSummaryOut(Schema):
    subscription: int
    subscriber: int
    name: str
    periodical: str
    language: str
    channel: SubscriptionChannel
    state: SubscriptionState
    expected: int = Field(description="Issues due and tracked: 0 for a feed (see `by_feed`).")
    received: int
    missing: int
    waiting: int
    failed: int
    sent: int
    posted: int
    bounced: int
    cancelled: int
    not_dispatched: int
    by_feed: int = Field(
        description="For a feed, the issues due: available in the feed, not tracked (0 for any other channel)."
    )


class GapFilters(Schema):
    subscriber: int | None = Field(None, ge=1, le=MAX_ID)
    only_missing: bool = False
    limit: int = Field(500, ge=1, le=5000)


class ClaimItemIn(Schema):
    subscription: int = Field(ge=1, le=MAX_ID)
    number: int = Field(ge=1, le=MAX_NUMBER, description="The issue's number in the subscription's periodical.")


class ClaimIn(Schema):
    subscriber: int = Field(ge=1, le=MAX_ID)
    items: list[ClaimItemIn] = Field(min_length=1, max_length=200)
    note: Text = ""


class ClaimItemOut(Schema):
    subscription: int
    number: int
    language: str
    dispatch: int | None


class ClaimOut(Schema):
    id: int
    subscriber: int
    periodical: str
    state: ClaimState
    reason: str
    note: str
    created: datetime.datetime
    answered_at: datetime.datetime | None
    items: list[ClaimItemOut]


class RefuseIn(Schema):
    reason: Text


class ClaimFilters(Schema):
    state: ClaimState | None = None
