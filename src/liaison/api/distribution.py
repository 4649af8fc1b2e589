"""Endpoints of the distribution part of the API: subscribers and subscriptions, dispatch states, receipts, gaps
and claims, with the pages' visibility.

The secretariat sees every subscriber; a section's people their section's; a person their own. A subscriber (or a
claim) the caller may not see answers 404, as if it did not exist. Every read needs a token (401 without one: nothing
here is public), like every write; readers without an account subscribe on the subscription page, not here.
Subscribing an address is double opt-in: nothing is sent but the confirmation link until its owner follows it.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.responses import Status

from liaison.api.auth import OPTIONAL_SECURITY, actor_of, optional_token, require_account, required_token
from liaison.api.distribution_schemas import (
    ClaimFilters,
    ClaimIn,
    ClaimOut,
    DispatchOut,
    DispatchProgressOut,
    GapFilters,
    GapOut,
    GapSummaryOut,
    Page,
    ReceiptIn,
    ReceiptOut,
    RefuseIn,
    SubscribeIn,
    SubscribeOut,
    SubscriberIn,
    SubscriberOut,
    SubscriberPatch,
    SubscriptionIn,
    SubscriptionOut,
)
from liaison.api.editorial_schemas import MAX_ID, MAX_NUMBER
from liaison.api.registry import READ_ERRORS, WRITE_ERRORS
from liaison.api.schemas import ErrorOut
from liaison.distribution import access, services
from liaison.distribution.gaps import gaps_report
from liaison.distribution.models import Claim, ClaimItem, Dispatch, Receipt, Subscriber, Subscription, mask_email
from liaison.errors import LiaisonError, NotAllowed, NotFound
from liaison.federation.access import Actor
from liaison.federation.models import Person, Section
from liaison.periodicals.models import Issue, Periodical

router = Router(tags=["distribution"])


def _page(page: Page) -> slice:
    return slice(page.offset, page.offset + page.limit)


# Lookups, with the pages' visibility -------------------------------------------------------------------------------


def visible_subscribers(actor: Actor) -> QuerySet[Subscriber]:
    return Subscriber.objects.filter(access.subscriber_filter(actor)).select_related("section", "person")


def get_subscriber(actor: Actor, subscriber_id: int) -> Subscriber:
    found = visible_subscribers(actor).filter(pk=subscriber_id).first()
    if found is None:
        raise NotFound(_("No subscriber with the number %(id)d.") % {"id": subscriber_id})
    return found


def get_periodical(slug: str) -> Periodical:
    found = Periodical.objects.filter(slug=slug).first() if "\x00" not in slug else None
    if found is None:
        raise NotFound(_("No periodical “%(slug)s”.") % {"slug": slug}, field="periodical")
    return found


def get_claim(actor: Actor, claim_id: int) -> Claim:
    found = claims_with_items().filter(access.claim_filter(actor), pk=claim_id).first()
    if found is None:
        raise NotFound(_("No claim with the number %(id)d.") % {"id": claim_id})
    return found


def claims_with_items() -> QuerySet[Claim]:
    return Claim.objects.select_related("periodical", "subscriber").prefetch_related(
        Prefetch("items", queryset=ClaimItem.objects.select_related("issue").order_by("issue__number", "pk"))
    )


# Serialization -----------------------------------------------------------------------------------------------------


def subscriber_out(actor: Actor, subscriber: Subscriber) -> dict[str, object]:
    contact = access.can_see_contact(actor, subscriber)
    if subscriber.section is not None:
        name = subscriber.section.name
    elif subscriber.person is not None:
        name = subscriber.person.pseudonym
    elif subscriber.name:
        name = subscriber.name
    else:
        name = mask_email(subscriber.email or "")
    out: dict[str, object] = {
        "id": subscriber.pk,
        "kind": subscriber.kind,
        "name": name,
        "section": subscriber.section.slug if subscriber.section is not None else None,
        "language": subscriber.language,
    }
    # Absent when hidden (``exclude_unset`` on the endpoints), as in the People API.
    if contact:
        out["email"] = subscriber.email or ""
        out["postal_address"] = subscriber.postal_address or ""
    return out


def subscription_out(subscription: Subscription) -> dict[str, object]:
    return {
        "id": subscription.pk,
        "subscriber": subscription.subscriber_id,
        "periodical": subscription.periodical.slug,
        "language": subscription.language,
        "formats": list(subscription.formats or []),
        "channel": subscription.channel,
        "state": subscription.state,
        "started_on": subscription.started_on,
        "ended_on": subscription.ended_on,
        "bounce_count": subscription.bounce_count,
        "state_reason": subscription.state_reason,
    }


def claim_out(claim: Claim) -> dict[str, object]:
    return {
        "id": claim.pk,
        "subscriber": claim.subscriber_id,
        "periodical": claim.periodical.slug,
        "state": claim.state,
        "reason": claim.reason,
        "note": claim.note,
        "created": claim.created,
        "answered_at": claim.answered_at,
        "items": [
            {
                "subscription": item.subscription_id,
                "number": item.issue.number,
                "language": item.language,
                "dispatch": item.dispatch_id,
            }
            for item in claim.items.all()
        ],
    }


def receipt_out(receipt: Receipt) -> dict[str, object]:
    return {
        "id": receipt.pk,
        "subscriber": receipt.subscriber_id,
        "periodical": receipt.issue.periodical.slug,
        "number": receipt.issue.number,
        "language": receipt.language,
        "how": receipt.how,
        "recorded_at": receipt.recorded_at,
    }


# Subscribers and subscriptions -------------------------------------------------------------------------------------


@router.get(
    "/distribution/subscribers",
    response={200: list[SubscriberOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    exclude_unset=True,
    summary="Subscribers the caller may see",
    description="Everyone for the secretariat; a section's people see their section; a person themselves. "
    "Addresses only for the secretariat, their owner, and a section's correspondents for their section (absent "
    "for anyone else).",
)
def list_subscribers(request: HttpRequest, page: Query[Page]) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_account(actor)
    found = visible_subscribers(actor).order_by("kind", "id")[_page(page)]
    return [subscriber_out(actor, s) for s in found]


@router.get(
    "/distribution/subscribers/{subscriber_id}",
    response={200: SubscriberOut, **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    exclude_unset=True,
    summary="One subscriber",
)
def get_one_subscriber(request: HttpRequest, subscriber_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, object]:
    actor = actor_of(request)
    require_account(actor)
    return subscriber_out(actor, get_subscriber(actor, subscriber_id))


@router.post(
    "/distribution/subscribers",
    response={201: SubscriberOut, **WRITE_ERRORS},
    auth=required_token,
    exclude_unset=True,
    summary="Record a subscriber (secretariat; a section's correspondents for their section)",
    description="A section (by slug), an organisation (by name), one of the federation's people (by id) or a "
    "reader known by an email address. Refused: a malformed or disposable address, an address, section or "
    "person already recorded. A postal address is needed later by a subscription by post.",
)
def add_subscriber(request: HttpRequest, payload: SubscriberIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_account(actor)
    section = person = None
    if payload.section:
        section = Section.objects.filter(slug=payload.section).first()
        if section is None:
            raise NotFound(_("No section “%(slug)s”.") % {"slug": payload.section}, field="section")
    if payload.person is not None:
        # Only the secretariat names people (a correspondent gets the service's refusal, not a lookup).
        person = Person.objects.filter(pk=payload.person).first() if actor.secretariat else None
        if person is None and actor.secretariat:
            raise NotFound(_("No person with the number %(id)d.") % {"id": payload.person}, field="person")
    made = services.add_subscriber(
        actor,
        kind=str(payload.kind),
        section=section,
        person=person,
        name=payload.name,
        email=payload.email,
        postal_address=payload.postal_address,
        language=payload.language,
    )
    return Status(201, subscriber_out(actor, get_subscriber(actor, made.pk)))


@router.patch(
    "/distribution/subscribers/{subscriber_id}",
    response={200: SubscriberOut, **WRITE_ERRORS},
    auth=required_token,
    exclude_unset=True,
    summary="Change a subscriber's details (secretariat; a section's correspondents for their section)",
    description="Only the fields sent change; an empty string clears one. Refused: a name for anything but an "
    "organisation, a malformed, disposable or taken address, removing an address a current subscription needs.",
)
def update_subscriber(
    request: HttpRequest, payload: SubscriberPatch, subscriber_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, object]:
    actor = actor_of(request)
    require_account(actor)
    subscriber = get_subscriber(actor, subscriber_id)
    changes = {name: getattr(payload, name) for name in payload.model_fields_set}
    updated = services.update_subscriber(actor, subscriber, **changes)
    return subscriber_out(actor, updated)


@router.get(
    "/distribution/subscriptions",
    response={200: list[SubscriptionOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Subscriptions of the subscribers the caller may see",
)
def list_subscriptions(request: HttpRequest, page: Query[Page]) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_account(actor)
    found = (
        Subscription.objects.filter(subscriber__in=Subscriber.objects.filter(access.subscriber_filter(actor)))
        .select_related("periodical")
        .order_by("subscriber_id", "periodical__slug", "language", "channel", "id")
    )
    return [subscription_out(s) for s in found[_page(page)]]


@router.post(
    "/distribution/subscribe",
    response={202: SubscribeOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Subscribe an address to a bulletin (double opt-in)",
    description="Records a pending subscription and mails a confirmation link to the address; nothing else is "
    "sent until its owner follows the link. Refused: a malformed or disposable address, an address already "
    "subscribed, a language the bulletin does not come out in. Like every write, it needs a token; readers "
    "without an account subscribe on the bulletin's subscription page.",
)
def subscribe(request: HttpRequest, payload: SubscribeIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    periodical = get_periodical(payload.periodical)
    subscription = services.subscribe(
        actor,
        periodical,
        email=payload.email,
        language=payload.language,
        formats=[str(f) for f in payload.formats],
    )
    return Status(202, {"state": subscription.state, "detail": _("A confirmation link was sent to the address.")})


@router.post(
    "/distribution/subscriptions",
    response={201: SubscriptionOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Record an active subscription (secretariat; a section's correspondents for their section or paper)",
)
def add_subscription(request: HttpRequest, payload: SubscriptionIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_account(actor)
    subscriber = Subscriber.objects.select_related("section", "person").filter(pk=payload.subscriber).first()
    if subscriber is None:
        raise NotFound(_("No subscriber with the number %(id)d.") % {"id": payload.subscriber}, field="subscriber")
    made = services.add_subscription(
        actor,
        subscriber,
        get_periodical(payload.periodical),
        language=payload.language,
        channel=payload.channel,
        formats=[str(f) for f in payload.formats],
        started_on=payload.started_on,
    )
    return Status(201, subscription_out(made))


@router.post(
    "/distribution/subscriptions/{subscription_id}/end",
    response={200: SubscriptionOut, **WRITE_ERRORS},
    auth=required_token,
    summary="End a subscription",
)
def end_subscription(request: HttpRequest, subscription_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, object]:
    actor = actor_of(request)
    require_account(actor)
    found = Subscription.objects.select_related("subscriber", "periodical").filter(pk=subscription_id).first()
    if found is None or not (
        access.can_see_subscriber(actor, found.subscriber) or access.answers_for(actor, found.periodical)
    ):
        raise NotFound(_("No subscription with the number %(id)d.") % {"id": subscription_id})
    return subscription_out(services.end_subscription(actor, found))


@router.post(
    "/distribution/subscriptions/{subscription_id}/resume",
    response={200: SubscriptionOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Resume a subscription paused after repeated bounces",
    description="By the secretariat, the section's correspondents for their section, or the person themselves. "
    "Its bounces in a row count from zero again; what was held is sent. Refused (409): one that is not paused.",
)
def resume_subscription(request: HttpRequest, subscription_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, object]:
    actor = actor_of(request)
    require_account(actor)
    found = Subscription.objects.select_related("subscriber", "periodical").filter(pk=subscription_id).first()
    if found is None or not access.can_see_subscriber(actor, found.subscriber):
        raise NotFound(_("No subscription with the number %(id)d.") % {"id": subscription_id})
    return subscription_out(services.resume_subscription(actor, found))


# Dispatches --------------------------------------------------------------------------------------------------------


@router.get(
    "/distribution/subscribers/{subscriber_id}/dispatches",
    response={200: list[DispatchOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="What was dispatched to a subscriber, and in what state",
)
def list_dispatches(
    request: HttpRequest, page: Query[Page], subscriber_id: int = Path(..., ge=1, le=MAX_ID)
) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_account(actor)
    subscriber = get_subscriber(actor, subscriber_id)
    found = (
        Dispatch.objects.filter(subscription__subscriber=subscriber)
        .select_related("issue__periodical")
        .order_by("issue__periodical__slug", "issue__number", "language", "subscription_id")
    )
    return [
        {
            "id": d.pk,
            "subscription": d.subscription_id,
            "periodical": d.issue.periodical.slug,
            "number": d.issue.number,
            "language": d.language,
            "kind": d.kind,
            "state": d.state,
            "attempts": d.attempts,
            "resends": d.resends,
            "sent_at": d.sent_at,
        }
        for d in found[_page(page)]
    ]


@router.get(
    "/distribution/periodicals/{slug}/issues/{number}/dispatches",
    response={200: list[DispatchProgressOut], **READ_ERRORS, 403: ErrorOut},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="An issue's distribution: its dispatches by language and state",
    description="For the secretariat (a bulletin) or the section that publishes the paper.",
)
def issue_progress(
    request: HttpRequest, slug: str, number: int = Path(..., ge=1, le=MAX_NUMBER)
) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_account(actor)
    periodical = get_periodical(slug)
    if not access.answers_for(actor, periodical):
        raise NotAllowed(_("Only whoever sends this periodical sees its distribution."))
    issue = Issue.objects.filter(periodical=periodical, number=number).first()
    if issue is None:
        raise NotFound(_("%(periodical)s has no issue No. %(n)s.") % {"periodical": periodical.name, "n": number})
    counts: dict[str, dict[str, int]] = {}
    for language, state, n in (
        Dispatch.objects.filter(issue=issue)
        .values_list("language", "state")
        .annotate(n=Count("id"))
        .order_by("language", "state")
    ):
        counts.setdefault(language, {})[state] = n
    return [{"language": language, "counts": by_state} for language, by_state in counts.items()]


# Receipts ----------------------------------------------------------------------------------------------------------


@router.get(
    "/distribution/subscribers/{subscriber_id}/receipts",
    response={200: list[ReceiptOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="What a subscriber said arrived",
)
def list_receipts(
    request: HttpRequest, page: Query[Page], subscriber_id: int = Path(..., ge=1, le=MAX_ID)
) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_account(actor)
    subscriber = get_subscriber(actor, subscriber_id)
    found = Receipt.objects.filter(subscriber=subscriber).select_related("issue__periodical").order_by("-id")
    return [receipt_out(r) for r in found[_page(page)]]


@router.post(
    "/distribution/subscribers/{subscriber_id}/receipts",
    response={201: ReceiptOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Record that an issue arrived (by post, or handed over)",
)
def record_receipt(
    request: HttpRequest, payload: ReceiptIn, subscriber_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[dict[str, object]]:
    actor = actor_of(request)
    subscriber = get_subscriber(actor, subscriber_id)
    periodical = get_periodical(payload.periodical)
    issue = Issue.objects.select_related("periodical").filter(periodical=periodical, number=payload.number).first()
    if issue is None:
        raise LiaisonError(
            _("%(periodical)s has no issue No. %(n)s.") % {"periodical": periodical.name, "n": payload.number},
            field="number",
        )
    made = services.record_receipt(actor, subscriber, issue, payload.language, how=str(payload.how), note=payload.note)
    return Status(201, receipt_out(made))


# Gaps --------------------------------------------------------------------------------------------------------------


@router.get(
    "/distribution/subscribers/{subscriber_id}/gaps",
    response={200: list[GapOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Issues due to a subscriber, received or not, with the state of each one's dispatch",
)
def subscriber_gaps(request: HttpRequest, subscriber_id: int = Path(..., ge=1, le=MAX_ID)) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_account(actor)
    subscriber = get_subscriber(actor, subscriber_id)
    return [
        {
            "subscription": r.subscription_id,
            "periodical": r.periodical_slug,
            "number": r.number,
            "title": r.title,
            "language": r.language,
            "channel": r.channel,
            "published_on": r.day,
            "received": r.received,
            "tracked": r.tracked,
            "missing": r.missing,
            "receipt": r.receipt_how,
            "dispatch": r.dispatch_state,
            "dispatch_kind": r.dispatch_kind,
            "claim": r.claim_state,
        }
        for r in services.gaps(subscriber)
    ]


@router.get(
    "/distribution/gaps",
    response={200: list[GapSummaryOut], **READ_ERRORS, 403: ErrorOut},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="The gap report of every subscription (secretariat)",
    description="One line per started subscription: issues due, received, and the missing ones by dispatch state.",
)
def gap_report(request: HttpRequest, filters: Query[GapFilters]) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_account(actor)
    if not access.sees_all(actor):
        raise NotAllowed(_("Only the secretariat sees the report of every subscriber."))
    subscribers = [filters.subscriber] if filters.subscriber is not None else None
    return [
        {
            "subscription": s.subscription_id,
            "subscriber": s.subscriber_id,
            "name": s.subscriber_label,
            "periodical": s.periodical_name,
            "language": s.language,
            "channel": s.channel,
            "state": s.state,
            "expected": s.expected,
            "received": s.received,
            "missing": s.missing,
            "waiting": s.waiting,
            "failed": s.failed,
            "sent": s.sent,
            "posted": s.posted,
            "bounced": s.bounced,
            "cancelled": s.cancelled,
            "not_dispatched": s.not_dispatched,
            "by_feed": s.by_feed,
        }
        for s in gaps_report(subscribers, only_missing=filters.only_missing, limit=filters.limit)
    ]


# Claims ------------------------------------------------------------------------------------------------------------


@router.get(
    "/distribution/claims",
    response={200: list[ClaimOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Claims the caller may see: made by their subscribers, or addressed to them",
)
def list_claims(request: HttpRequest, filters: Query[ClaimFilters], page: Query[Page]) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_account(actor)
    found = claims_with_items().filter(access.claim_filter(actor)).order_by("-created", "-id")
    if filters.state:
        found = found.filter(state=filters.state)
    return [claim_out(c) for c in found[_page(page)]]


@router.post(
    "/distribution/claims",
    response={201: ClaimOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Claim missing issues of one periodical",
    description="Each item names one of the subscriber's subscriptions and an issue number of its periodical. "
    "Refused: an issue that does not exist or was never due, one received, one already claimed.",
)
def make_claim(request: HttpRequest, payload: ClaimIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    subscriber = get_subscriber(actor, payload.subscriber)
    subscriptions = {s.pk: s for s in Subscription.objects.filter(subscriber=subscriber)}
    issues = {
        (periodical_id, number): pk
        for pk, periodical_id, number in Issue.objects.filter(
            periodical_id__in={s.periodical_id for s in subscriptions.values()},
            number__in={item.number for item in payload.items},
        ).values_list("pk", "periodical_id", "number")
    }
    pairs = []
    for item in payload.items:
        subscription = subscriptions.get(item.subscription)
        if subscription is None:
            raise LiaisonError(
                _("This subscriber has no subscription number %(id)d.") % {"id": item.subscription}, field="items"
            )
        issue_id = issues.get((subscription.periodical_id, item.number))
        if issue_id is None:
            raise LiaisonError(_("There is no issue No. %(n)d to claim.") % {"n": item.number}, field="items")
        pairs.append((subscription.pk, issue_id))
    made = services.claim(actor, subscriber, pairs, payload.note)
    return Status(201, claim_out(get_claim(actor, made.pk)))


@router.post(
    "/distribution/claims/{claim_id}/answer",
    response={200: ClaimOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Answer a claim: the claimed issues are sent again (secretariat; the section for its paper)",
)
def answer_claim(
    request: HttpRequest,
    claim_id: int = Path(..., ge=1, le=MAX_ID),
    posted: bool = Query(
        False,
        description="The copies by post were put in the post already: record them posted (as the pages' "
        "'We already posted them'); otherwise they go on their issue's post list.",
    ),
) -> dict[str, object]:
    actor = actor_of(request)
    services.answer_claim(actor, get_claim(actor, claim_id), posted=posted)
    return claim_out(get_claim(actor, claim_id))


@router.post(
    "/distribution/claims/{claim_id}/refuse",
    response={200: ClaimOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Refuse a claim, saying why",
)
def refuse_claim(
    request: HttpRequest, payload: RefuseIn, claim_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, object]:
    actor = actor_of(request)
    services.refuse_claim(actor, get_claim(actor, claim_id), payload.reason)
    return claim_out(get_claim(actor, claim_id))
