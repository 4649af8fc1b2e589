"""Distribution's operations: subscribing (with double opt-in), unsubscribing, dispatching a published edition,
recording receipts, and claiming missing issues.

Each operation checks who asks and what is asked before it writes anything, and raises a ``LiaisonError`` with a
readable message (and the ``field`` at fault) when it cannot be honoured: a refused request changes nothing. States
change only through the transition tables of ``models`` (``set_subscription_state``, ``answer_claim`` and
``refuse_claim``, and the dispatch re-opening of ``answer_claim``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Min, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import languages as language_codes
from liaison.distribution import access, disposable, links, notify
from liaison.distribution.gaps import GapRow, GapSummary, gaps, gaps_report, local_day
from liaison.distribution.links import BadLink, receipt_url, unsubscribe_headers
from liaison.distribution.models import (
    CLAIM_TRANSITIONS,
    CURRENT_SUBSCRIPTION,
    DISPATCH_DUE,
    DISPATCH_FINAL,
    SUBSCRIPTION_TRANSITIONS,
    Claim,
    ClaimItem,
    ClaimState,
    Dispatch,
    DispatchKind,
    DispatchState,
    Receipt,
    ReceiptHow,
    Subscriber,
    SubscriberKind,
    Subscription,
    SubscriptionChannel,
    SubscriptionState,
    email_hash,
    email_hashes,
    normalize_email,
)
from liaison.distribution.signals import dispatches_created
from liaison.errors import Conflict, LiaisonError, NotAllowed, NotFound
from liaison.federation.access import Actor
from liaison.federation.models import Federation, Person, Section
from liaison.periodicals.models import Audience, Issue, IssueStatus, Periodical
from liaison.publishing.models import Edition, EditionStatus, FileFormat

VISIBLE_EDITIONS = (EditionStatus.PUBLISHED, EditionStatus.SUPERSEDED)
# Channels by which a dispatch is made: a feed is read by the subscriber's reader, nothing is sent.
SENT_CHANNELS = (SubscriptionChannel.EMAIL, SubscriptionChannel.POST)
MAX_NOTE = 2000


def today() -> datetime.date:
    return local_day(timezone.now())


def _require_account(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAllowed(_("Sign in first."))


# Checks of input ---------------------------------------------------------------------------------------------------


def check_email(address: str) -> str:
    """The address, trimmed; refused when malformed or at a disposable-address service."""
    address = address.strip()
    if not address:
        raise LiaisonError(_("Give an email address."), field="email")
    try:
        validate_email(address)
    except ValidationError as exc:
        raise LiaisonError(
            _("“%(address)s” is not a valid email address.") % {"address": address[:254]}, field="email"
        ) from exc
    domain = address.rsplit("@", 1)[1]
    if disposable.is_disposable(domain):
        raise LiaisonError(
            _(
                "Addresses at %(domain)s are disposable and stop working after a while: "
                "give an address you will still read when the next issue comes out."
            )
            % {"domain": domain.lower()},
            field="email",
        )
    return address


def languages_of(periodical: Periodical) -> list[str]:
    """The languages a periodical can be received in: a bulletin's working languages, a paper's own language."""
    if periodical.section_id is not None:
        return [periodical.language]
    federation = Federation.objects.filter(pk=1).only("working_languages").first()
    found = list(federation.working_languages) if federation is not None else []
    if periodical.language not in found:
        found.insert(0, periodical.language)
    return found


def _check_language(periodical: Periodical, language: str, available: Sequence[str] | None = None) -> str:
    language = language_codes.normalize(language or "")
    available = list(available) if available is not None else languages_of(periodical)
    if language not in available:
        raise LiaisonError(
            _("%(periodical)s does not come out in “%(language)s”; it comes out in: %(languages)s.")
            % {
                "periodical": periodical.name,
                "language": language,
                "languages": ", ".join(language_codes.display_name(code) for code in available),
            },
            field="language",
        )
    return language


def _check_formats(formats: Iterable[str], channel: str) -> list[str]:
    chosen = list(dict.fromkeys(formats))
    unknown = [f for f in chosen if f not in FileFormat.values]
    if unknown:
        raise LiaisonError(
            _("Unknown format: %(formats)s. Choose among: %(known)s.")
            % {"formats": ", ".join(map(str, unknown)), "known": ", ".join(FileFormat.values)},
            field="formats",
        )
    if channel == SubscriptionChannel.EMAIL and not chosen:
        raise LiaisonError(_("Choose at least one format to receive."), field="formats")
    order = {f: n for n, f in enumerate(FileFormat.values)}
    return sorted(chosen, key=order.__getitem__)


def _check_channel(channel: str) -> str:
    if channel not in SubscriptionChannel.values:
        raise LiaisonError(_("Unknown channel “%(channel)s”.") % {"channel": channel}, field="channel")
    return channel


def _current(subscriber: Subscriber, periodical: Periodical, language: str, channel: str) -> Subscription | None:
    return Subscription.objects.filter(
        subscriber=subscriber,
        periodical=periodical,
        language=language,
        channel=channel,
        state__in=CURRENT_SUBSCRIPTION,
    ).first()


# Subscribers -------------------------------------------------------------------------------------------------------


def subscriber_for_section(section: Section) -> Subscriber:
    """The section as a subscriber, made the first time it is needed."""
    found, _created = Subscriber.objects.get_or_create(kind=SubscriberKind.SECTION, section=section)
    return found


def subscriber_for_person(person: Person) -> Subscriber:
    """One of the federation's people as a subscriber, made the first time it is needed (their account's address
    becomes the subscriber's)."""
    found = Subscriber.objects.filter(person=person).first()
    if found is not None:
        return found
    address = getattr(person.user, "email", "") if person.user_id else ""
    language = getattr(person.user, "language", "") if person.user_id else ""
    with transaction.atomic():
        found, _created = Subscriber.objects.get_or_create(
            person=person, defaults={"kind": SubscriberKind.PERSON, "email": address, "language": language}
        )
    return found


MAX_POSTAL_ADDRESS = 1000


class _Unset:
    """The default of ``update_subscriber``'s fields: left as they are (an empty string clears a field)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def _check_name(name: str) -> str:
    name = name.strip()
    if len(name) > 200:
        raise LiaisonError(_("At most %(n)d characters.") % {"n": 200}, field="name")
    return name


def _check_postal_address(address: str) -> str:
    address = address.strip()
    if len(address) > MAX_POSTAL_ADDRESS:
        raise LiaisonError(_("At most %(n)d characters.") % {"n": MAX_POSTAL_ADDRESS}, field="postal_address")
    if "\x00" in address:
        raise LiaisonError(_("The postal address holds a character that cannot be printed."), field="postal_address")
    return address


def _check_subscriber_language(language: str) -> str:
    language = language.strip()
    if not language:
        return ""
    if not language_codes.is_valid(language):
        raise LiaisonError(_("“%(language)s” is not a language code.") % {"language": language[:20]}, field="language")
    return language_codes.normalize(language)


def find_reader(address: str) -> Subscriber | None:
    """The reader (a person subscriber) with ``address``, whichever key hashed it (``email_hashes``). One found by
    a former key's hash is hashed again with the current key, so that once every address was seen (or
    ``liaison rehash-addresses`` ran) the former key can leave ``SECRET_KEY_FALLBACKS``. A write: for the
    operations that record something (a GET looks up with ``email_hashes`` alone)."""
    hashes = email_hashes(address)
    if not hashes:
        return None
    found = list(Subscriber.objects.filter(kind=SubscriberKind.PERSON, email_hash__in=hashes).order_by("pk"))
    if not found:
        return None
    # Two rows only if the same address subscribed again while its first hash went unrecognised (a key rotated
    # without the fallback): the one under the current key is the one the uniqueness constraint now guards.
    current = next((s for s in found if s.email_hash == hashes[0]), None)
    if current is not None:
        return current
    subscriber = found[0]
    try:
        with transaction.atomic():
            Subscriber.objects.filter(pk=subscriber.pk, email_hash=subscriber.email_hash).update(email_hash=hashes[0])
    except IntegrityError:
        # Another request re-hashed it, or made a reader with this address, at the same moment: theirs stands.
        return Subscriber.objects.filter(kind=SubscriberKind.PERSON, email_hash=hashes[0]).first() or subscriber
    subscriber.email_hash = hashes[0]
    return subscriber


def rehash_addresses(batch: int = 500) -> int:
    """Hash every subscriber's address again with the current ``SECRET_KEY``; returns how many hashes changed. After
    a key rotation, this lets the former key leave ``SECRET_KEY_FALLBACKS`` without a subscriber becoming unfindable
    by address. Safe to run at any time, and again: an address already hashed with the current key is left alone."""
    changed = 0
    rows = Subscriber.objects.exclude(email="").only("pk", "email", "email_hash").order_by("pk")
    for subscriber in rows.iterator(chunk_size=batch):
        wanted = email_hash(subscriber.email or "")
        if wanted == subscriber.email_hash:
            continue
        try:
            with transaction.atomic():
                changed += Subscriber.objects.filter(pk=subscriber.pk, email_hash=subscriber.email_hash).update(
                    email_hash=wanted
                )
        except IntegrityError:
            # The same reader's address twice (subscribed again while the first hash went unrecognised): the
            # secretariat merges them; this row keeps its former hash meanwhile.
            continue
    return changed


def _reader_address_taken(address: str, but: Subscriber | None = None) -> bool:
    found = Subscriber.objects.filter(kind=SubscriberKind.PERSON, email_hash__in=email_hashes(address))
    if but is not None:
        found = found.exclude(pk=but.pk)
    return found.exists()


def add_subscriber(
    actor: Actor,
    *,
    kind: str,
    section: Section | None = None,
    name: str = "",
    email: str = "",
    postal_address: str = "",
    language: str = "",
    person: Person | None = None,
) -> Subscriber:
    """Record a subscriber: a section, an organisation, or a person (one of the federation's people, or a reader
    known by an address). The secretariat records any; a section's correspondents record their own section (its
    address and postal address, for what it receives).

    A postal address is not required here: it is required by the subscription that needs it (``add_subscription``
    refuses one by post to an organisation or a person without an address; a section may start one before its
    address is known, and the post page lists it as missing), and once given it cannot be removed while a
    subscription by post is current (``update_subscriber``). Refused: an unknown kind, an organisation without a
    name, a reader without an address, a malformed or disposable address, an unknown language code, a section or
    person or reader's address already recorded."""
    _require_account(actor)
    own_section = kind == SubscriberKind.SECTION and section is not None and actor.is_correspondent_of(section.pk)
    if not (actor.secretariat or own_section):
        raise NotAllowed(
            _("Only the secretariat records subscribers; a section's correspondents record their section.")
        )
    if kind not in SubscriberKind.values:
        raise LiaisonError(_("Unknown kind of subscriber “%(kind)s”.") % {"kind": kind}, field="kind")
    name = _check_name(name)
    if email.strip():
        email = check_email(email)
    postal_address = _check_postal_address(postal_address)
    language = _check_subscriber_language(language)
    if kind == SubscriberKind.SECTION:
        if section is None:
            raise LiaisonError(_("Choose the section."), field="section")
        if Subscriber.objects.filter(section=section).exists():
            raise Conflict(
                _("%(section)s is already a subscriber: change its details on its page.") % {"section": section.name},
                field="section",
            )
        person, name = None, ""
    elif kind == SubscriberKind.ORGANISATION:
        if not name:
            raise LiaisonError(_("Give the organisation's name."), field="name")
        section = person = None
    else:
        # A person is shown by pseudonym or masked address, never by a name typed here (it could be a real name).
        section, name = None, ""
        if person is not None and Subscriber.objects.filter(person=person).exists():
            raise Conflict(_("%(person)s is already a subscriber.") % {"person": person.pseudonym}, field="person")
        if person is None and not email:
            raise LiaisonError(_("A reader is known by an email address: give one."), field="email")
        if email and _reader_address_taken(email):
            raise Conflict(_("A subscriber already has this address."), field="email")
    return Subscriber.objects.create(
        kind=kind,
        name=name,
        email=email,
        postal_address=postal_address,
        language=language,
        section=section,
        person=person,
    )


def _current_by(subscriber: Subscriber, channel: str) -> Subscription | None:
    return (
        Subscription.objects.filter(subscriber=subscriber, channel=channel, state__in=CURRENT_SUBSCRIPTION)
        .select_related("periodical")
        .first()
    )


def update_subscriber(
    actor: Actor,
    subscriber: Subscriber,
    *,
    email: str = UNSET,
    postal_address: str = UNSET,
    language: str = UNSET,
    name: str = UNSET,
) -> Subscriber:
    """Change a subscriber's details; the fields left out stay as they are, an empty one is cleared. The
    secretariat changes any subscriber; a section's correspondents their section's (say, the postal address of
    the papers it receives by post).

    Refused, with the field at fault: a name for anything but an organisation (a section is named by the section,
    a person by their pseudonym), an organisation without a name, a malformed or disposable address, another
    reader's address, removing the address of a reader known only by it or of a subscriber that receives
    something by email, removing the postal address of one that receives something by post (give the new address
    instead), an unknown language code."""
    _require_account(actor)
    if not access.can_edit_subscriber(actor, subscriber):
        raise NotAllowed(_("Only the secretariat, or the section's correspondents, change a subscriber's details."))
    changes: dict[str, str] = {}
    if name is not UNSET:
        name = _check_name(name)
        if subscriber.kind == SubscriberKind.ORGANISATION:
            if not name:
                raise LiaisonError(_("Give the organisation's name."), field="name")
            changes["name"] = name
        elif name:
            raise LiaisonError(
                _("Only an organisation has a name here: a section is named by the section, a person by a pseudonym."),
                field="name",
            )
    if email is not UNSET:
        email = check_email(email) if email.strip() else ""
        if normalize_email(email) != normalize_email(subscriber.email or ""):
            if not email:
                if subscriber.kind == SubscriberKind.PERSON and subscriber.person_id is None:
                    raise LiaisonError(_("A reader is known by an email address: it cannot be removed."), field="email")
                by_email = _current_by(subscriber, SubscriptionChannel.EMAIL)
                if by_email is not None:
                    raise LiaisonError(
                        _(
                            "%(name)s receives %(periodical)s by email: end that subscription before removing "
                            "the address."
                        )
                        % {"name": subscriber.display_name, "periodical": by_email.periodical.name},
                        field="email",
                    )
            elif subscriber.kind == SubscriberKind.PERSON and _reader_address_taken(email, but=subscriber):
                raise Conflict(_("A subscriber already has this address."), field="email")
            changes["email"] = email
    if postal_address is not UNSET:
        postal_address = _check_postal_address(postal_address)
        if postal_address != (subscriber.postal_address or ""):
            if not postal_address:
                by_post = _current_by(subscriber, SubscriptionChannel.POST)
                if by_post is not None:
                    raise LiaisonError(
                        _(
                            "%(name)s receives %(periodical)s by post: give the new postal address instead of "
                            "removing it, or end that subscription first."
                        )
                        % {"name": subscriber.display_name, "periodical": by_post.periodical.name},
                        field="postal_address",
                    )
            changes["postal_address"] = postal_address
    if language is not UNSET:
        language = _check_subscriber_language(language)
        if language != subscriber.language:
            changes["language"] = language
    if not changes:
        return subscriber
    with transaction.atomic():
        locked = (
            Subscriber.objects.select_for_update(of=("self",)).select_related("section", "person").get(pk=subscriber.pk)
        )
        for field, value in changes.items():
            setattr(locked, field, value)
        try:
            # A savepoint: a concurrent request that took the address first fails the unique key, not the request.
            with transaction.atomic():
                locked.save(update_fields=list(changes))
        except IntegrityError as exc:
            raise Conflict(_("A subscriber already has this address."), field="email") from exc
    return locked


# Subscribing -------------------------------------------------------------------------------------------------------


def confirmation_resend_after() -> datetime.timedelta:
    """A second request for the same subscription within this time does not mail again (no mail bombing)."""
    return datetime.timedelta(minutes=getattr(settings, "DISTRIBUTION_CONFIRM_RESEND_MINUTES", 10))


def subscribe(
    actor: Actor,
    periodical: Periodical,
    *,
    email: str,
    language: str,
    formats: Iterable[str],
    channel: str = SubscriptionChannel.EMAIL,
) -> Subscription:
    """A reader asks to receive a bulletin by email: a pending subscription, and a confirmation link mailed to the
    address (double opt-in). Nothing is sent to them until they follow the link.

    Refused: a section's paper (exchanged between sections, not subscribed to here), an internal bulletin for
    someone not signed in as a member, a malformed or disposable address, a language the bulletin does not come out
    in, no format, an address already subscribed (or whose confirmation was just sent). A pending subscription whose
    confirmation is older than ``confirmation_resend_after`` is renewed and its confirmation mailed again.
    """
    if periodical.section_id is not None:
        raise LiaisonError(
            _("%(periodical)s is a section's paper: ask the section for it.") % {"periodical": periodical.name},
            field="periodical",
        )
    if periodical.audience == Audience.MEMBERS and not actor.is_member:
        raise NotAllowed(
            _("%(periodical)s is an internal bulletin: sign in as a member of the federation to subscribe.")
            % {"periodical": periodical.name}
        )
    if channel != SubscriptionChannel.EMAIL:
        raise LiaisonError(_("Readers subscribe by email; ask the secretariat for the post."), field="channel")
    address = check_email(email)
    language = _check_language(periodical, language)
    chosen = _check_formats(formats, channel)
    now = timezone.now()
    with transaction.atomic():
        # Found under a former key's hash too (re-hashed, unless the request is refused below: then next time).
        subscriber = find_reader(address)
        current = _current(subscriber, periodical, language, channel) if subscriber is not None else None
        if current is not None and current.state == SubscriptionState.PAUSED:
            raise Conflict(_paused_message(actor, current, periodical, language), field="email")
        if current is not None and current.state != SubscriptionState.PENDING:
            raise Conflict(
                _("This address already receives %(periodical)s in %(language)s.")
                % {"periodical": periodical.name, "language": language_codes.display_name(language)},
                field="email",
            )
        if (
            current is not None
            and current.confirmation_sent_at is not None
            and now - current.confirmation_sent_at < confirmation_resend_after()
        ):
            raise Conflict(
                _(
                    "A confirmation link was sent to this address a few minutes ago: follow the link in it. "
                    "If it does not arrive, look in the spam folder, or ask again later."
                ),
                field="email",
            )
        if subscriber is None:
            subscriber = Subscriber.objects.create(
                kind=SubscriberKind.PERSON,
                email=address,
                language=language,
                person=_own_person(actor, address),
            )
        if current is None:
            current = Subscription.objects.create(
                subscriber=subscriber,
                periodical=periodical,
                language=language,
                formats=chosen,
                channel=channel,
                state=SubscriptionState.PENDING,
                confirmation_sent_at=now,
                created_by=actor.user if actor.is_authenticated else None,
            )
        else:
            current.formats = chosen
            current.confirmation_sent_at = now
            current.save(update_fields=["formats", "confirmation_sent_at"])
        subscription_id = current.pk
        transaction.on_commit(lambda: notify.send_confirmation(subscription_id), robust=True)
    return current


def _paused_message(actor: Actor, subscription: Subscription, periodical: Periodical, language: str) -> str:
    """What a reader whose subscription was paused (its emails bounced) is told when they subscribe again: that it
    exists, and how to resume it, rather than a bare "already subscribed"."""
    values = {"periodical": periodical.name, "language": language_codes.display_name(language)}
    if access.can_act_for_subscriber(actor, subscription.subscriber):
        return (
            _(
                "This address already receives %(periodical)s in %(language)s, but the subscription is paused "
                "because emails to it could not be delivered. Resume it on “My subscriptions”: sending starts again."
            )
            % values
        )
    return (
        _(
            "This address already receives %(periodical)s in %(language)s, but the subscription is paused because "
            "emails to it could not be delivered. Once the address works again, ask the secretariat to resume it "
            "(or sign in with the account of this address and resume it on “My subscriptions”)."
        )
        % values
    )


def _own_person(actor: Actor, address: str) -> Person | None:
    """A signed-in person subscribing with their own account's address is linked to the subscriber, so that the
    subscription shows on their page; with any other address, it stays a reader's known by the address only."""
    if actor.person_id is None or actor.user is None:
        return None
    if normalize_email(getattr(actor.user, "email", "") or "") != normalize_email(address):
        return None
    if Subscriber.objects.filter(person_id=actor.person_id).exists():
        return None
    return Person.objects.filter(pk=actor.person_id).first()


def add_subscription(
    actor: Actor,
    subscriber: Subscriber,
    periodical: Periodical,
    *,
    language: str,
    channel: str,
    formats: Iterable[str] = (),
    started_on: datetime.date | None = None,
) -> Subscription:
    """Record a subscription that is active at once (no opt-in): the secretariat for anyone, a section's
    correspondents for their section, or for the receivers of their section's own paper."""
    _require_account(actor)
    allowed = (
        actor.secretariat
        or (subscriber.kind == SubscriberKind.SECTION and actor.is_correspondent_of(subscriber.section_id))
        or (periodical.section_id is not None and actor.is_correspondent_of(periodical.section_id))
    )
    if not allowed:
        raise NotAllowed(_("You may not record subscriptions for this subscriber."))
    channel = _check_channel(channel)
    language = _check_language(periodical, language)
    chosen = _check_formats(formats, channel)
    outsider = subscriber.kind == SubscriberKind.ORGANISATION or (
        subscriber.kind == SubscriberKind.PERSON and subscriber.person_id is None
    )
    if periodical.audience == Audience.MEMBERS and periodical.section_id is None and outsider:
        raise LiaisonError(
            _("%(periodical)s is an internal bulletin: it goes to sections and members only.")
            % {"periodical": periodical.name},
            field="periodical",
        )
    if channel == SubscriptionChannel.EMAIL and not subscriber.email:
        raise LiaisonError(_("This subscriber has no email address: add one first."), field="channel")
    if (
        channel == SubscriptionChannel.POST
        and subscriber.kind != SubscriberKind.SECTION
        and not subscriber.postal_address
    ):
        raise LiaisonError(_("This subscriber has no postal address: add one first."), field="channel")
    start = started_on or today()
    if start > today():
        raise LiaisonError(_("A subscription cannot start in the future."), field="started_on")
    with transaction.atomic():
        if _current(subscriber, periodical, language, channel) is not None:
            raise Conflict(
                _("%(subscriber)s already receives %(periodical)s in %(language)s by %(channel)s.")
                % {
                    "subscriber": subscriber.display_name,
                    "periodical": periodical.name,
                    "language": language_codes.display_name(language),
                    "channel": SubscriptionChannel(channel).label,
                },
                field="periodical",
            )
        now = timezone.now()
        return Subscription.objects.create(
            subscriber=subscriber,
            periodical=periodical,
            language=language,
            formats=chosen,
            channel=channel,
            state=SubscriptionState.ACTIVE,
            started_on=start,
            confirmed_at=now,
            state_changed_at=now,
            created_by=actor.user,
        )


def set_subscription_state(subscription: Subscription, new_state: str, reason: str = "") -> Subscription:
    """The one way a subscription changes state, by ``SUBSCRIPTION_TRANSITIONS``; ``Conflict`` if not allowed.

    Becoming active starts it (today, unless it has a start); being paused again after a pause keeps its start;
    ending it ends today and cancels its dispatches not yet sent (one being sent finishes)."""
    with transaction.atomic():
        current = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if new_state not in SUBSCRIPTION_TRANSITIONS.get(current.state, frozenset()):
            raise Conflict(
                _("A subscription that is “%(state)s” cannot become “%(new)s”.")
                % {
                    "state": SubscriptionState(current.state).label,
                    "new": SubscriptionState(new_state).label if new_state in SubscriptionState.values else new_state,
                },
                field="state",
            )
        now = timezone.now()
        day = today()
        if new_state == SubscriptionState.ACTIVE:
            if current.state == SubscriptionState.PENDING:
                current.confirmed_at = now
            if current.started_on is None:
                current.started_on = day
            current.bounce_count = 0
        elif new_state == SubscriptionState.ENDED:
            current.ended_on = max(day, current.started_on) if current.started_on else day
            Dispatch.objects.filter(subscription=current, state__in=DISPATCH_DUE).update(
                state=DispatchState.CANCELLED, updated=now
            )
        current.state = new_state
        current.state_changed_at = now
        current.state_reason = reason[:300]
        current.save()
    return current


def confirm(token: str) -> Subscription:
    """Follow a confirmation link: the pending subscription becomes active. A second click changes nothing; a link
    for a subscription that has ended since is refused (subscribe again)."""
    subscription = subscription_for_confirmation(token)
    if subscription.state in (SubscriptionState.ACTIVE, SubscriptionState.PAUSED):
        return subscription
    if subscription.state == SubscriptionState.ENDED:
        raise Conflict(_("This subscription has ended since: subscribe again to receive the bulletin."))
    try:
        return set_subscription_state(subscription, SubscriptionState.ACTIVE, _("confirmed by the reader"))
    except Conflict:
        # Ended or confirmed by a concurrent click between the read and the lock: read what it is now.
        subscription.refresh_from_db()
        if subscription.state == SubscriptionState.ENDED:
            raise
        return subscription


def subscription_for_confirmation(token: str) -> Subscription:
    """The subscription a confirmation link names (for its landing page), or ``BadLink``/``NotFound``."""
    pk = links.unsign(links.CONFIRM_SALT, token, links.confirm_max_age())
    subscription = Subscription.objects.select_related("periodical").filter(pk=pk).first()
    if subscription is None:
        raise NotFound(_("This subscription no longer exists: subscribe again."))
    return subscription


def subscription_for_link(token: str) -> Subscription:
    """The subscription an unsubscribe link names (for its landing page), or ``BadLink``/``NotFound``."""
    pk = links.unsign(links.UNSUBSCRIBE_SALT, token, links.link_max_age())
    subscription = Subscription.objects.select_related("periodical", "subscriber").filter(pk=pk).first()
    if subscription is None:
        raise NotFound(_("This subscription no longer exists: nothing will be sent."))
    return subscription


def unsubscribe(token: str) -> Subscription:
    """An unsubscribe link (the landing page's button, or RFC 8058's one-click POST): the subscription ends. Harmless
    when it has ended already."""
    subscription = subscription_for_link(token)
    if subscription.state == SubscriptionState.ENDED:
        return subscription
    try:
        return set_subscription_state(subscription, SubscriptionState.ENDED, _("unsubscribed by the link"))
    except Conflict:
        subscription.refresh_from_db()
        return subscription


def end_subscription(actor: Actor, subscription: Subscription, reason: str = "") -> Subscription:
    """End a subscription from Liaison's pages: the subscriber themselves, their section's correspondents, the
    secretariat, or the section whose paper it receives."""
    _require_account(actor)
    subscriber = subscription.subscriber
    if not (
        access.can_act_for_subscriber(actor, subscriber)
        or (subscription.periodical.section_id is not None and access.answers_for(actor, subscription.periodical))
    ):
        raise NotAllowed(_("You may not end this subscription."))
    if subscription.state == SubscriptionState.ENDED:
        raise Conflict(_("This subscription has already ended."), field="state")
    return set_subscription_state(subscription, SubscriptionState.ENDED, reason or _("ended in Liaison"))


def resume_subscription(actor: Actor, subscription: Subscription) -> Subscription:
    """Resume a subscription paused after repeated bounces (the address works again, or was corrected): it becomes
    active, its count of bounces in a row starts again from zero, and its dispatches still due (held while it was
    paused) are sent. Issues published during the pause were not dispatched: they show as missing, to claim.

    By the secretariat, the section's correspondents for their section, or the person themselves. Refused: a
    subscription that is not paused."""
    _require_account(actor)
    if not access.can_act_for_subscriber(actor, subscription.subscriber):
        raise NotAllowed(_("You may not resume this subscription."))
    who = actor.pseudonym or getattr(actor.user, "username", "")
    with transaction.atomic():
        # The state as it is now, not as the caller read it: the sender may have paused it, or someone resumed it.
        state = (
            Subscription.objects.select_for_update().filter(pk=subscription.pk).values_list("state", flat=True).get()
        )
        if state != SubscriptionState.PAUSED:
            raise Conflict(
                _("Only a paused subscription can be resumed; this one is “%(state)s”.")
                % {"state": SubscriptionState(state).label},
                field="state",
            )
        resumed = set_subscription_state(subscription, SubscriptionState.ACTIVE, _("resumed by %(who)s") % {"who": who})
        held = Dispatch.objects.filter(subscription=resumed, state__in=DISPATCH_DUE).count()
        if held and resumed.channel == SubscriptionChannel.EMAIL:
            transaction.on_commit(
                lambda: dispatches_created.send(sender=Dispatch, edition=None, count=held), robust=True
            )
    return resumed


def pause_after() -> int:
    """Bounces in a row after which a subscription is paused (``DISTRIBUTION_PAUSE_AFTER``, 3)."""
    return int(getattr(settings, "DISTRIBUTION_PAUSE_AFTER", 3))


def count_bounce(subscription_id: int, error: str, *, in_a_row: int = 0) -> bool:
    """One more bounce of a subscription's emails, already recorded by the caller (a ``Bounce``, the dispatch
    bounced): its count of bounces in a row goes up, to ``in_a_row`` at least (a caller that counted the run of
    bounced dispatches itself, see ``dsn``), and it is paused once the count reaches ``DISTRIBUTION_PAUSE_AFTER``.
    Returns whether this paused it. Call it in the transaction that recorded the bounce: the sender's (for a refusal
    while it sends) and ``dsn``'s (for a report that came back later) both do."""
    Subscription.objects.filter(pk=subscription_id).update(
        bounce_count=Greatest(F("bounce_count") + 1, Value(in_a_row))
    )
    subscription = Subscription.objects.get(pk=subscription_id)
    if subscription.state != SubscriptionState.ACTIVE or subscription.bounce_count < pause_after():
        return False
    try:
        set_subscription_state(
            subscription,
            SubscriptionState.PAUSED,
            _("%(n)s emails in a row could not be delivered; last answer: %(error)s")
            % {"n": subscription.bounce_count, "error": error[:150]},
        )
    except Conflict:
        return False  # ended or paused meanwhile
    return True


# Dispatching -------------------------------------------------------------------------------------------------------


def first_published_day(issue: Issue, language: str) -> datetime.date | None:
    """The day an issue became due in a language (see ``gaps``): None while it is not out in that language."""
    if issue.periodical.section_id is not None:
        if issue.status != IssueStatus.PUBLISHED or issue.published_at is None or language != issue.periodical.language:
            return None
        return local_day(issue.published_at)
    first = Edition.objects.filter(issue=issue, language=language, status__in=VISIBLE_EDITIONS).aggregate(
        first=Min("published_at")
    )["first"]
    return local_day(first) if first is not None else None


def create_dispatches(edition: Edition) -> int:
    """One dispatch per active email or post subscription to the edition's periodical in its language, started on
    or before the day the issue came out in that language; returns how many were made.

    Idempotent and safe to run concurrently: one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` against the unique
    key (subscription, issue, language), whatever the number of subscribers, in constant memory. Run it again (a
    correction, a retry) and only subscriptions without a dispatch get one."""
    edition = Edition.objects.select_related("issue__periodical").get(pk=edition.pk)
    if edition.status != EditionStatus.PUBLISHED:
        return 0
    day = first_published_day(edition.issue, edition.language)
    if day is None:
        return 0
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    day_value = ops.adapt_datefield_value(day)
    dispatch = ops.quote_name(Dispatch._meta.db_table)
    subscription = ops.quote_name(Subscription._meta.db_table)
    receipt = ops.quote_name(Receipt._meta.db_table)
    channels = ", ".join(f"'{c}'" for c in SENT_CHANNELS)
    sql = f"""
        INSERT INTO {dispatch} (
            subscription_id, issue_id, language, edition_id, kind, state, resends, attempts, next_attempt_at,
            claimed_by, lease_until, sent_at, message_id, last_error, posted_by_id, created, updated, received
        )
        SELECT s.id, %s, %s, %s, '{DispatchKind.REGULAR}', '{DispatchState.PENDING}', 0, 0, %s,
               '', NULL, NULL, '', '', NULL, %s, %s,
               EXISTS (SELECT 1 FROM {receipt} r
                       WHERE r.subscriber_id = s.subscriber_id AND r.issue_id = %s AND r.language = %s)
        FROM {subscription} s
        WHERE s.periodical_id = %s AND s.language = %s AND s.state = '{SubscriptionState.ACTIVE}'
          AND s.channel IN ({channels}) AND s.started_on <= %s AND (s.ended_on IS NULL OR s.ended_on >= %s)
        ON CONFLICT (subscription_id, issue_id, language) DO NOTHING
    """  # noqa: S608 - only table names and constants are interpolated
    params: list[Any] = [
        edition.issue_id,
        edition.language,
        edition.pk,
        now,
        now,
        now,
        edition.issue_id,  # an issue received before it was dispatched (handed over at a meeting, say)
        edition.language,
        edition.issue.periodical_id,
        edition.language,
        day_value,
        day_value,
    ]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            created = max(cursor.rowcount, 0)
        if created:
            transaction.on_commit(
                lambda: dispatches_created.send(sender=Dispatch, edition=edition, count=created), robust=True
            )
    return created


def _reopen(subscription: Subscription, issue: Issue, language: str, now: datetime.datetime) -> Dispatch:
    """The dispatch of a claimed issue, due again as a back issue (see ``Dispatch``): made if there was none,
    re-opened for another round if it was over, left to go its way if it is still on it."""
    edition = Edition.objects.filter(issue=issue, language=language, status=EditionStatus.PUBLISHED).first()
    dispatch, created = Dispatch.objects.get_or_create(
        subscription=subscription,
        issue=issue,
        language=language,
        defaults={
            "kind": DispatchKind.BACK_ISSUE,
            "state": DispatchState.PENDING,
            "next_attempt_at": now,
            "edition": edition,
        },
    )
    if created:
        return dispatch
    changes: dict[str, Any] = {"kind": DispatchKind.BACK_ISSUE, "updated": now}
    if dispatch.state in DISPATCH_FINAL:
        changes.update(
            state=DispatchState.PENDING,
            resends=F("resends") + 1,
            attempts=0,
            next_attempt_at=now,
            claimed_by="",
            lease_until=None,
            sent_at=None,
            message_id="",
            last_error="",
            posted_by=None,
            edition=edition or dispatch.edition,
        )
    # Conditional on the state read: a worker that moved it meanwhile wins, and the claim answers on its round.
    Dispatch.objects.filter(pk=dispatch.pk, state=dispatch.state).update(**changes)
    dispatch.refresh_from_db()
    return dispatch


def mark_posted(actor: Actor, dispatches: Sequence[Dispatch | int]) -> int:
    """The secretariat (a bulletin) or the section (its paper) says these post dispatches went into the post.
    All or nothing: any dispatch that is not a post dispatch waiting to go refuses the whole request."""
    _require_account(actor)
    ids = sorted({d if isinstance(d, int) else d.pk for d in dispatches})
    if not ids:
        raise LiaisonError(_("Choose the dispatches that were posted."), field="dispatches")
    with transaction.atomic():
        found = list(
            Dispatch.objects.select_for_update()
            .select_related("subscription__periodical", "issue")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(found) != len(ids):
            raise NotFound(_("Some of these dispatches do not exist."), field="dispatches")
        for dispatch in found:
            if not access.answers_for(actor, dispatch.subscription.periodical):
                raise NotAllowed(_("You may not mark dispatches of this periodical as posted."))
            if dispatch.subscription.channel != SubscriptionChannel.POST:
                raise LiaisonError(_("Only dispatches by post are marked posted."), field="dispatches")
            if dispatch.state not in DISPATCH_DUE:
                raise Conflict(
                    _("%(issue)s to this subscriber is already “%(state)s”.")
                    % {"issue": dispatch.issue, "state": DispatchState(dispatch.state).label},
                    field="dispatches",
                )
        now = timezone.now()
        return Dispatch.objects.filter(pk__in=ids, state__in=DISPATCH_DUE).update(
            state=DispatchState.POSTED, sent_at=now, posted_by=actor.user, updated=now
        )


# Receipts ----------------------------------------------------------------------------------------------------------


def dispatch_for_link(token: str) -> Dispatch:
    """The dispatch a receipt link names (for its landing page), or ``BadLink``/``NotFound``."""
    pk = links.unsign(links.RECEIPT_SALT, token, links.link_max_age())
    dispatch = Dispatch.objects.select_related("subscription__subscriber", "issue__periodical").filter(pk=pk).first()
    if dispatch is None:
        raise NotFound(_("This dispatch no longer exists."))
    return dispatch


def record_receipt_by_link(token: str) -> Receipt:
    """The subscriber confirms with the link of an email that the issue arrived. A second confirmation changes
    nothing and returns the first."""
    dispatch = dispatch_for_link(token)
    with transaction.atomic():
        receipt, _created = Receipt.objects.get_or_create(
            subscriber_id=dispatch.subscription.subscriber_id,
            issue=dispatch.issue,
            language=dispatch.language,
            defaults={"how": ReceiptHow.LINK, "dispatch": dispatch},
        )
    return receipt


def record_receipt(
    actor: Actor,
    subscriber: Subscriber,
    issue: Issue,
    language: str | None = None,
    *,
    how: str = ReceiptHow.BY_HAND,
    note: str = "",
) -> Receipt:
    """Record by hand that an issue arrived (by post, or a paper handed over): the subscriber's correspondents, the
    person themselves, or the secretariat. ``language`` may be left out when the subscriber receives the periodical
    in one language only. Refused: an issue not out in that language, a receipt already recorded."""
    _require_account(actor)
    if not access.can_act_for_subscriber(actor, subscriber):
        raise NotAllowed(_("You may not record receipts for this subscriber."))
    if how not in (ReceiptHow.BY_HAND, ReceiptHow.POST):
        raise LiaisonError(_("A receipt recorded by hand arrived by post or by hand."), field="how")
    if len(note) > 300:
        raise LiaisonError(_("At most %(n)d characters.") % {"n": 300}, field="note")
    periodical = issue.periodical
    if not language:
        if periodical.section_id is not None:
            language = periodical.language
        else:
            received_in = sorted(
                set(
                    Subscription.objects.filter(subscriber=subscriber, periodical=periodical).values_list(
                        "language", flat=True
                    )
                )
            )
            if len(received_in) != 1:
                raise LiaisonError(_("Say in which language the issue arrived."), field="language")
            language = received_in[0]
    language = language_codes.normalize(language)
    if first_published_day(issue, language) is None:
        raise LiaisonError(
            _("%(issue)s has not come out in %(language)s: it cannot have arrived.")
            % {"issue": issue, "language": language_codes.display_name(language)},
            field="issue",
        )
    with transaction.atomic():
        existing = Receipt.objects.filter(subscriber=subscriber, issue=issue, language=language).first()
        if existing is not None:
            raise Conflict(
                _("%(issue)s was already recorded as received on %(date)s.")
                % {"issue": issue, "date": timezone.localdate(existing.recorded_at).isoformat()},
                field="issue",
            )
        dispatch = Dispatch.objects.filter(subscription__subscriber=subscriber, issue=issue, language=language).first()
        return Receipt.objects.create(
            subscriber=subscriber,
            issue=issue,
            language=language,
            how=how,
            note=note.strip(),
            dispatch=dispatch,
            recorded_by=actor.user,
        )


# Claims ------------------------------------------------------------------------------------------------------------


def claim(actor: Actor, subscriber: Subscriber, items: Sequence[tuple[int, int]], note: str = "") -> Claim:
    """Ask again for missing issues of one periodical: ``items`` are (subscription id, issue id) pairs, as the gap
    report lists them. By the subscriber, their section's correspondents, or the secretariat.

    Refused, with the issue named: an issue that does not exist, or is not of the subscription's periodical, or was
    never due to it (not out in its language, or out before it started or after it ended), or was received, or is
    read in a feed, or is already claimed and waiting for an answer; issues of more than one periodical."""
    _require_account(actor)
    if not access.can_act_for_subscriber(actor, subscriber):
        raise NotAllowed(_("You may not claim issues for this subscriber."))
    pairs = list(dict.fromkeys((int(s), int(i)) for s, i in items))
    if not pairs:
        raise LiaisonError(_("Choose the missing issues to claim."), field="items")
    if len(note) > MAX_NOTE:
        raise LiaisonError(_("At most %(n)d characters.") % {"n": MAX_NOTE}, field="note")
    subscriptions = {s.pk: s for s in Subscription.objects.filter(subscriber=subscriber).select_related("periodical")}
    issues = Issue.objects.select_related("periodical").in_bulk([i for _s, i in pairs])
    due = {(row.subscription_id, row.issue_id): row for row in gaps(subscriber)}
    for subscription_id, issue_id in pairs:
        subscription = subscriptions.get(subscription_id)
        if subscription is None:
            raise LiaisonError(
                _("This subscriber has no subscription number %(id)d.") % {"id": subscription_id}, field="items"
            )
        issue = issues.get(issue_id)
        if issue is None:
            raise LiaisonError(_("There is no issue with the identifier %(id)d.") % {"id": issue_id}, field="items")
        if issue.periodical_id != subscription.periodical_id:
            raise LiaisonError(
                _("%(issue)s is not an issue of %(periodical)s.")
                % {"issue": issue, "periodical": subscription.periodical.name},
                field="items",
            )
        row = due.get((subscription_id, issue_id))
        if row is None:
            raise LiaisonError(
                _(
                    "%(issue)s was never due to this subscription: it has not come out in %(language)s, "
                    "or came out before the subscription started or after it ended."
                )
                % {"issue": issue, "language": language_codes.display_name(subscription.language)},
                field="items",
            )
        if row.received:
            raise LiaisonError(_("%(issue)s was recorded as received.") % {"issue": issue}, field="items")
        if row.channel == SubscriptionChannel.FEED:
            raise LiaisonError(
                _("%(issue)s is read in a feed, where it stays available: nothing to send again.") % {"issue": issue},
                field="items",
            )
        if row.claim_state == ClaimState.OPEN:
            raise Conflict(
                _("%(issue)s is already claimed; the claim is waiting for an answer.") % {"issue": issue},
                field="items",
            )
    periodicals = {subscriptions[s].periodical_id for s, _i in pairs}
    if len(periodicals) > 1:
        raise LiaisonError(_("Claim the issues of one periodical at a time."), field="items")
    with transaction.atomic():
        made = Claim.objects.create(
            subscriber=subscriber,
            periodical_id=periodicals.pop(),
            claimed_by=actor.user,
            note=note.strip(),
        )
        ClaimItem.objects.bulk_create(
            ClaimItem(claim=made, subscription_id=s, issue_id=i, language=subscriptions[s].language) for s, i in pairs
        )
    return made


def _check_claim_transition(claim: Claim, new_state: str) -> None:
    if new_state not in CLAIM_TRANSITIONS.get(claim.state, frozenset()):
        raise Conflict(
            _("This claim is already “%(state)s”.") % {"state": ClaimState(claim.state).label}, field="state"
        )


def _locked_claim(actor: Actor, claim: Claim) -> Claim:
    locked = Claim.objects.select_for_update(of=("self",)).select_related("periodical").get(pk=claim.pk)
    if not access.can_answer_claim(actor, locked):
        if locked.periodical.section_id is None:
            raise NotAllowed(_("The secretariat answers claims for the bulletin."))
        raise NotAllowed(_("The section that publishes this paper answers claims for it."))
    return locked


def answer_claim(actor: Actor, claim: Claim, *, posted: bool = False) -> Claim:
    """Send the claimed issues again: each claimed issue's dispatch becomes due again as a back issue (made if it
    never existed). The secretariat answers for a bulletin, the section's correspondents for its paper.

    The one way a claim is answered, whichever page or API it comes from (the claims desk, the exchange pages), so
    an answer means the same everywhere. Email copies go out by themselves. A copy by post goes back on its issue's
    post list and stays there until it is marked posted, as every post dispatch does: answering promises the issue,
    it does not put an envelope in the post, and a copy recorded posted that nobody posted would show as sent on
    both sections' pages while it never left. ``posted`` is for whoever put the copies in the post before answering
    (a section that mails its own paper): they are then recorded posted, by them, in the same transaction."""
    _require_account(actor)
    with transaction.atomic():
        locked = _locked_claim(actor, claim)
        _check_claim_transition(locked, ClaimState.ANSWERED)
        now = timezone.now()
        items = list(locked.items.select_related("subscription", "issue__periodical").order_by("pk"))
        by_post = [item for item in items if item.subscription.channel == SubscriptionChannel.POST]
        if posted and not by_post:
            raise LiaisonError(
                _("None of the claimed issues goes by post: there is nothing to record as posted."), field="posted"
            )
        for item in items:
            item.dispatch = _reopen(item.subscription, item.issue, item.language, now)
        ClaimItem.objects.bulk_update(items, ["dispatch"])
        if posted:
            # Those a worker or another page moved meanwhile are left as they are (the state is checked again).
            ids = [item.dispatch.pk for item in by_post if item.dispatch is not None]
            Dispatch.objects.filter(pk__in=ids, state__in=DISPATCH_DUE).update(
                state=DispatchState.POSTED, sent_at=now, posted_by=actor.user, updated=now
            )
        locked.state = ClaimState.ANSWERED
        locked.answered_by = actor.user
        locked.answered_at = now
        locked.save(update_fields=["state", "answered_by", "answered_at"])
        count = len(items)
        transaction.on_commit(lambda: dispatches_created.send(sender=Dispatch, edition=None, count=count), robust=True)
    return locked


def refuse_claim(actor: Actor, claim: Claim, reason: str) -> Claim:
    """Refuse a claim, saying why (the claimant reads it): the same people as ``answer_claim``."""
    _require_account(actor)
    reason = reason.strip()
    if not reason:
        raise LiaisonError(_("Say why the claim is refused: the claimant will read it."), field="reason")
    if len(reason) > MAX_NOTE:
        raise LiaisonError(_("At most %(n)d characters.") % {"n": MAX_NOTE}, field="reason")
    with transaction.atomic():
        locked = _locked_claim(actor, claim)
        _check_claim_transition(locked, ClaimState.REFUSED)
        locked.state = ClaimState.REFUSED
        locked.reason = reason
        locked.answered_by = actor.user
        locked.answered_at = timezone.now()
        locked.save(update_fields=["state", "reason", "answered_by", "answered_at"])
    return locked


__all__ = [
    "BadLink",
    "GapRow",
    "GapSummary",
    "add_subscriber",
    "add_subscription",
    "answer_claim",
    "claim",
    "confirm",
    "create_dispatches",
    "end_subscription",
    "find_reader",
    "gaps",
    "gaps_report",
    "mark_posted",
    "receipt_url",
    "record_receipt",
    "record_receipt_by_link",
    "refuse_claim",
    "rehash_addresses",
    "resume_subscription",
    "set_subscription_state",
    "subscribe",
    "subscriber_for_person",
    "subscriber_for_section",
    "unsubscribe",
    "unsubscribe_headers",
    "update_subscriber",
]
