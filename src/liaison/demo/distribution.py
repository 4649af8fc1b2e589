"""The demo's distribution of the bulletin: who receives it, in which language and by which channel, and what became
of issue No. 1.

What ``build`` leaves (subscriptions made over the last four months, the clock set back as in ``editorial``):

- sections as subscribers: the French (added by its own correspondent), German, Indian and Russian sections by
  post, the Belgian and Spanish sections by email, the Mexican (added by its correspondent) and Japanese sections
  reading the feed;
- an organisation, an archive, receiving the bulletin by post;
- readers who subscribed themselves by email and followed the confirmation link (double opt-in): one known by
  address only, and "member" with their own account's address (the subscription shows on their page); and a
  Russian reader who has not confirmed yet (their confirmation email is in the mail folder once the demo is loaded);
- the five working languages among them (en, fr, de, es, ru), and every format.

What ``after_publish`` adds once issue No. 1 is published (``liaison demo --publish``). Publishing itself made the
dispatches and sent the emails to the file email backend (``var/mail/``); then the secretariat marks three of the
four copies by post posted; receipts are recorded (the Belgian section and the reader by the link of their email,
the French section's copy by its correspondent, the archive's by the secretariat); and two gaps remain: the Indian
section's copy still waiting to be posted, and "member", whose email never arrived, claiming the issue again (an
open claim, for the secretariat to answer). Russian has no edition of No. 1 yet: nothing is owed in it.

Everything goes through the distribution services, as the people concerned would (the secretariat, the
correspondents, the readers following their links).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from django.urls import resolve
from django.utils import timezone

from liaison.accounts.models import User
from liaison.demo.editorial import _clock
from liaison.distribution import links, sending, services
from liaison.distribution.models import (
    Claim,
    Dispatch,
    DispatchState,
    Receipt,
    ReceiptHow,
    Subscriber,
    SubscriberKind,
    Subscription,
    SubscriptionChannel,
)
from liaison.federation.access import ANONYMOUS, Actor, actor_for_user
from liaison.federation.models import Section
from liaison.periodicals.models import Issue, Periodical
from liaison.publishing.models import Edition, EditionStatus

EDITOR, CORRESPONDENT, CORRESPONSAL, MEMBER = "editor", "correspondent", "corresponsal", "member"

ORGANISATION = "Workers' Education Archive"
ORGANISATION_ADDRESS = "Workers' Education Archive\nPO Box 1000\n1000 AA Amsterdam\nNetherlands"
READER = "l.okafor@example.org"  # subscribed by themselves, confirmed, says No. 1 arrived
PENDING_READER = "v.sokolova@example.net"  # subscribed, has not confirmed yet

# The gap by post: the Indian section's copy, not posted yet.
WAITING_SECTION = "India Section"
# The gap by email: "member" never found issue No. 1 in their inbox, and claims it again.
CLAIMANT = MEMBER
CLAIM_NOTE = "Issue No. 1 never reached my inbox (nor my spam folder): could you send it again?"


@dataclass(frozen=True)
class SectionSubscription:
    """A section receiving the bulletin; ``email`` for the email channel (a section has no address of its own)."""

    section: str
    language: str
    channel: str
    formats: tuple[str, ...]
    day: float
    email: str = ""
    by: str = EDITOR  # who records it: the secretariat, or the section's own correspondent


SECTIONS = [
    SectionSubscription("Section française", "fr", SubscriptionChannel.POST, ("pdf",), -118, by=CORRESPONDENT),
    SectionSubscription("Deutsche Sektion", "de", SubscriptionChannel.POST, ("pdf",), -112),
    SectionSubscription(
        "Section belge",
        "fr",
        SubscriptionChannel.EMAIL,
        ("email", "pdf"),
        -100,
        email="bulletin@cercles-be.example.org",
    ),
    SectionSubscription(WAITING_SECTION, "en", SubscriptionChannel.POST, ("pdf",), -95),
    SectionSubscription(
        "Sección española",
        "es",
        SubscriptionChannel.EMAIL,
        ("email", "pdf", "epub"),
        -75,
        email="secretaria@seccion-es.example.org",
    ),
    SectionSubscription("Sección mexicana", "es", SubscriptionChannel.FEED, ("web",), -60, by=CORRESPONSAL),
    SectionSubscription("Русская секция", "ru", SubscriptionChannel.POST, ("pdf",), -45),
    SectionSubscription("日本支部", "en", SubscriptionChannel.FEED, ("web",), -21),
]


@dataclass(frozen=True)
class ReaderSubscription:
    """A reader subscribing themselves (double opt-in); ``login`` when signed in with their own address."""

    email: str
    language: str
    formats: tuple[str, ...]
    day: float
    confirmed_after: float | None  # days after subscribing; None: not confirmed (yet)
    login: str = ""


READERS = [
    ReaderSubscription(READER, "en", ("email", "epub"), -33, 0.1),
    ReaderSubscription(f"{MEMBER}@demo.liaison.invalid", "de", ("email",), -16, 0.02, login=MEMBER),
    ReaderSubscription(PENDING_READER, "ru", ("email", "pdf"), -0.2, None),
]

ORGANISATION_DAY = -80


def build() -> None:
    """Load the bulletin's subscribers; needs the demo federation and bulletin (``federation``, ``editorial``)."""
    bulletin = Periodical.objects.get(slug="bulletin")
    sections = {s.name: s for s in Section.objects.all()}
    actors = {
        name: actor_for_user(User.objects.get(username=name)) for name in (EDITOR, CORRESPONDENT, CORRESPONSAL, MEMBER)
    }
    start = timezone.now().replace(minute=0, second=0, microsecond=0)

    events: list[tuple[float, Callable[[], object]]] = [
        (ORGANISATION_DAY, partial(_organisation, actors[EDITOR], bulletin)),
    ]
    for wanted in SECTIONS:
        events.append((wanted.day, partial(_section, actors, bulletin, sections[wanted.section], wanted)))
    for reader in READERS:
        events.append((reader.day, partial(_subscribe, actors, bulletin, reader)))
        if reader.confirmed_after is not None:
            events.append((reader.day + reader.confirmed_after, partial(_confirm, bulletin, reader)))
    for day, event in sorted(events, key=lambda e: e[0]):
        if day > 0:
            raise AssertionError("A demo subscription would start in the future.")
        with _clock(start + datetime.timedelta(days=day)):
            event()


def _section(
    actors: dict[str, Actor], bulletin: Periodical, section: Section, wanted: SectionSubscription
) -> Subscription:
    if wanted.email:
        # A section's address is contact detail the secretariat records; the subscription may then be the section's.
        subscriber = services.add_subscriber(
            actors[EDITOR],
            kind=SubscriberKind.SECTION,
            section=section,
            email=wanted.email,
            language=wanted.language,
        )
    else:
        subscriber = services.subscriber_for_section(section)
    return services.add_subscription(
        actors[wanted.by],
        subscriber,
        bulletin,
        language=wanted.language,
        channel=wanted.channel,
        formats=wanted.formats,
    )


def _organisation(editor: Actor, bulletin: Periodical) -> Subscription:
    archive = services.add_subscriber(
        editor,
        kind=SubscriberKind.ORGANISATION,
        name=ORGANISATION,
        postal_address=ORGANISATION_ADDRESS,
        language="en",
    )
    return services.add_subscription(
        editor, archive, bulletin, language="en", channel=SubscriptionChannel.POST, formats=("pdf",)
    )


def _subscribe(actors: dict[str, Actor], bulletin: Periodical, reader: ReaderSubscription) -> Subscription:
    return services.subscribe(
        actors[reader.login] if reader.login else ANONYMOUS,
        bulletin,
        email=reader.email,
        language=reader.language,
        formats=reader.formats,
    )


def _confirm(bulletin: Periodical, reader: ReaderSubscription) -> Subscription:
    subscriber = Subscriber.objects.get(kind=SubscriberKind.PERSON, email_hash=services.email_hash(reader.email))
    subscription = Subscription.objects.get(subscriber=subscriber, periodical=bulletin, language=reader.language)
    # The reader follows the link of the confirmation email.
    return services.confirm(_token(links.confirm_url(subscription)))


def _token(url: str) -> str:
    """The signed token of one of distribution's links, as the page it leads to reads it."""
    return str(resolve(urlsplit(url).path).kwargs["token"])


def member_subscriber_id() -> int | None:
    """The subscriber "member" is (for ``liaison demo`` to link to their gaps), or None."""
    return Subscriber.objects.filter(person__user__username=MEMBER).values_list("pk", flat=True).first()


# After issue No. 1 is published ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Distributed:
    """What became of issue No. 1, for ``liaison demo`` to tell."""

    sent: int
    to_send: int
    posted: int
    to_post: int
    receipts: int
    claims: int
    made_here: int  # dispatches publishing had not made (none when its signals did their work)


def after_publish() -> Distributed | None:
    """Once issue No. 1 is published (``liaison demo --publish``): copies posted, receipts, a claim.

    Publishing made the dispatches and sent the emails (``edition_published`` makes them, ``dispatches_created``
    sends them once committed). The dispatches are made again here, which makes none when publishing did, and
    makes them where its signals could not run (a test's transaction, never committed): what follows needs them.
    None when issue No. 1 is not published; nothing is done twice when run again."""
    issue = Issue.objects.filter(periodical__slug="bulletin", number=1).select_related("periodical").first()
    if issue is None:
        return None
    editions = list(Edition.objects.filter(issue=issue, status=EditionStatus.PUBLISHED).order_by("language"))
    if not editions:
        return None
    made_here = sum(services.create_dispatches(edition) for edition in editions)
    if not Claim.objects.filter(periodical=issue.periodical).exists():
        _receive(issue)
    made = sending.progress(issue.pk)
    email, post = SubscriptionChannel.EMAIL, SubscriptionChannel.POST
    return Distributed(
        sent=made.count(email, DispatchState.SENT),
        to_send=made.email_total - made.count(email, DispatchState.SENT),
        posted=made.count(post, DispatchState.POSTED),
        to_post=made.count(post, DispatchState.PENDING),
        receipts=Receipt.objects.filter(issue=issue).count(),
        claims=Claim.objects.filter(periodical=issue.periodical).count(),
        made_here=made_here,
    )


def _receive(issue: Issue) -> None:
    """Copies posted, receipts and a claim; each step only where its language's edition is out (and so its
    dispatch exists)."""
    editor = actor_for_user(User.objects.get(username=EDITOR))
    correspondent = actor_for_user(User.objects.get(username=CORRESPONDENT))
    claimant = actor_for_user(User.objects.get(username=CLAIMANT))
    dispatches = {
        d.subscription.subscriber_id: d
        for d in Dispatch.objects.filter(issue=issue).select_related("subscription__subscriber")
    }
    french, german, belgian = (
        Subscriber.objects.get(section__name=name)
        for name in ("Section française", "Deutsche Sektion", "Section belge")
    )
    archive = Subscriber.objects.get(kind=SubscriberKind.ORGANISATION, name=ORGANISATION)
    reader = Subscriber.objects.get(kind=SubscriberKind.PERSON, email_hash=services.email_hash(READER))
    member = Subscriber.objects.get(person__user__username=CLAIMANT)

    # The secretariat puts three copies in the post; the Indian section's waits (the labels page lists it).
    to_post = [dispatches[s.pk] for s in (french, german, archive) if s.pk in dispatches]
    if to_post:
        services.mark_posted(editor, to_post)
    # Receipts: by the link of the email, the French section's copy recorded by its correspondent, and the
    # archive's letter of thanks recorded by the secretariat.
    for subscriber in (belgian, reader):
        if subscriber.pk in dispatches:
            services.record_receipt_by_link(_token(services.receipt_url(dispatches[subscriber.pk])))
    if french.pk in dispatches:
        services.record_receipt(correspondent, french, issue, "fr", how=ReceiptHow.POST, note="Arrivé au local.")
    if archive.pk in dispatches:
        services.record_receipt(
            editor, archive, issue, "en", how=ReceiptHow.POST, note="Acknowledged in the archive's letter of thanks."
        )
    # The member's email went out and never reached them: they claim the issue again from their gaps page.
    if member.pk in dispatches:
        subscription = dispatches[member.pk].subscription
        services.claim(claimant, member, [(subscription.pk, issue.pk)], note=CLAIM_NOTE)


__all__ = ["Distributed", "after_publish", "build", "member_subscriber_id"]
