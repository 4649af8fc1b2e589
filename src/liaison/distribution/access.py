"""Who sees and does what in distribution.

Only the secretariat sees every subscriber. A section's people (correspondents and members) see the section's own
subscriptions, receipts, gaps and claims, and its correspondents act for it (claim, record a receipt). A person sees
their own subscriptions. A bulletin's claims are answered by the secretariat; a section's paper's claims by that
section's correspondents, who also mark its post dispatches posted. Contact details (email and postal addresses)
are read only by the secretariat, the person they belong to, and a section's correspondents for their section
(who keep them up to date, with the secretariat).
"""

from __future__ import annotations

from django.db.models import Q

from liaison.distribution.models import Claim, Subscriber, SubscriberKind
from liaison.federation.access import Actor
from liaison.periodicals.models import Periodical

NOTHING = Q(pk__in=[])


def sees_all(actor: Actor) -> bool:
    return actor.secretariat


def subscriber_filter(actor: Actor) -> Q:
    """The subscribers ``actor`` may see, as a filter on ``Subscriber`` (for lists: one query, no check per row)."""
    if actor.secretariat:
        return Q()
    found = NOTHING
    if actor.sections:
        found |= Q(kind=SubscriberKind.SECTION, section_id__in=actor.sections)
    if actor.person_id is not None:
        found |= Q(kind=SubscriberKind.PERSON, person_id=actor.person_id)
    return found


def can_see_subscriber(actor: Actor, subscriber: Subscriber) -> bool:
    if actor.secretariat:
        return True
    if subscriber.kind == SubscriberKind.SECTION:
        return subscriber.section_id in actor.sections
    if subscriber.kind == SubscriberKind.PERSON:
        return actor.person_id is not None and subscriber.person_id == actor.person_id
    return False


def can_act_for_subscriber(actor: Actor, subscriber: Subscriber) -> bool:
    """Claim for, record receipts of, end the subscriptions of: the secretariat, the section's correspondents, the
    person themselves."""
    if actor.secretariat:
        return True
    if subscriber.kind == SubscriberKind.SECTION:
        return actor.is_correspondent_of(subscriber.section_id)
    if subscriber.kind == SubscriberKind.PERSON:
        return actor.person_id is not None and subscriber.person_id == actor.person_id
    return False


def can_edit_subscriber(actor: Actor, subscriber: Subscriber) -> bool:
    """Change a subscriber's details (addresses, language, an organisation's name): the secretariat, and a
    section's correspondents for their section."""
    return actor.secretariat or (
        subscriber.kind == SubscriberKind.SECTION and actor.is_correspondent_of(subscriber.section_id)
    )


def can_see_contact(actor: Actor, subscriber: Subscriber) -> bool:
    """Read the addresses: the secretariat, the person they belong to, and a section's correspondents for their
    section's (the section's office addresses, which they keep up to date)."""
    return (
        actor.secretariat
        or (
            subscriber.kind == SubscriberKind.PERSON
            and actor.person_id is not None
            and subscriber.person_id == actor.person_id
        )
        or (subscriber.kind == SubscriberKind.SECTION and actor.is_correspondent_of(subscriber.section_id))
    )


def answers_for(actor: Actor, periodical: Periodical) -> bool:
    """Who answers claims for the periodical and posts it: the secretariat for a bulletin, the section for its paper."""
    if periodical.section_id is None:
        return actor.secretariat
    return actor.is_correspondent_of(periodical.section_id)


def can_answer_claim(actor: Actor, claim: Claim) -> bool:
    return answers_for(actor, claim.periodical)


def claim_filter(actor: Actor) -> Q:
    """Claims ``actor`` may see: made by a subscriber they see, or addressed to them."""
    if actor.secretariat:
        return Q()
    found = NOTHING
    if actor.sections:
        found |= Q(subscriber__kind=SubscriberKind.SECTION, subscriber__section_id__in=actor.sections)
    if actor.person_id is not None:
        found |= Q(subscriber__kind=SubscriberKind.PERSON, subscriber__person_id=actor.person_id)
    if actor.correspondent_of:
        found |= Q(periodical__section_id__in=actor.correspondent_of)
    return found


def can_see_claim(actor: Actor, claim: Claim) -> bool:
    return can_see_subscriber(actor, claim.subscriber) or (
        claim.periodical.section_id is not None and actor.is_correspondent_of(claim.periodical.section_id)
    )
