"""Distribution: who receives which periodical, what was sent to them, what they received, and what they claim.

A ``Subscriber`` is a section, an organisation or a person; its contact details are encrypted at rest, and its email
address is also kept as a keyed hash (``email_hash``) so that an address can be looked up and kept unique without
being decrypted. A ``Subscription`` names a periodical, a language, the formats and the channel. Publishing an
edition creates one ``Dispatch`` per active subscription (unique per subscription, issue and language: nothing is
ever created or sent twice); a ``Claim`` asks for missing issues again and re-opens those dispatches as back issues.
A ``Receipt`` is recorded only when someone says the issue arrived (a signed link, or by hand): never from opens.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison.encryption import EncryptedTextField

# Salt of the keyed hash of email addresses: changing it makes every stored hash unfindable (a changed SECRET_KEY
# too, unless the former one is kept in SECRET_KEY_FALLBACKS until the hashes are made again: ``email_hashes``).
EMAIL_HASH_SALT = "liaison.distribution.email"


def normalize_email(address: str) -> str:
    """The form of an address that is hashed and compared: trimmed and lower-cased (in practice no mail server
    tells ``Ana@x.org`` from ``ana@x.org``, and treating them as two subscribers would mail the person twice)."""
    return address.strip().lower()


def email_hash(address: str) -> str:
    """A keyed hash (HMAC-SHA256 with the site's secret) of an address: a stolen database cannot be searched for a
    known address without the key, yet Liaison finds a subscriber by address with an indexed equality."""
    if not address.strip():
        return ""
    return salted_hmac(EMAIL_HASH_SALT, normalize_email(address), algorithm="sha256").hexdigest()


def email_hashes(address: str) -> list[str]:
    """The keyed hashes an address may be stored under: with ``SECRET_KEY`` first, then with each former key of
    ``SECRET_KEY_FALLBACKS``. A subscriber saved before the key was rotated keeps the hash of its day until it is
    saved again (or ``liaison rehash-addresses`` runs), and must still be found by its address meanwhile."""
    if not address.strip():
        return []
    normal = normalize_email(address)
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return list(
        dict.fromkeys(salted_hmac(EMAIL_HASH_SALT, normal, secret=key, algorithm="sha256").hexdigest() for key in keys)
    )


class SubscriberKind(models.TextChoices):
    SECTION = "section", pgettext_lazy("subscriber kind", "section")
    ORGANISATION = "organisation", pgettext_lazy("subscriber kind", "organisation")
    PERSON = "person", pgettext_lazy("subscriber kind", "person")


class Subscriber(models.Model):
    """Who receives periodicals: a section, an organisation, or a person.

    A person is either one of the federation's people (``person``, shown by pseudonym) or a reader who subscribed
    with an email address only (``person`` empty, shown by a masked address). The address and the postal address
    are encrypted; ``email_hash`` is the keyed hash of the address, for lookup and uniqueness.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=SubscriberKind.choices)
    section = models.ForeignKey(
        "federation.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subscribers",
        verbose_name=_("section"),
    )
    person = models.ForeignKey(
        "federation.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subscribers",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("An organisation's name."))
    email = EncryptedTextField(_("email address"), blank=True)
    email_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    postal_address = EncryptedTextField(_("postal address"), blank=True)
    language = models.CharField(_("preferred language"), max_length=15, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="section", section__isnull=False, person__isnull=True))
                | (Q(kind="organisation", section__isnull=True, person__isnull=True) & ~Q(name=""))
                | Q(kind="person", section__isnull=True),
                name="subscriber_kind_matches",
            ),
            models.UniqueConstraint(fields=["section"], condition=Q(section__isnull=False), name="subscriber_section"),
            models.UniqueConstraint(fields=["person"], condition=Q(person__isnull=False), name="subscriber_person"),
            # One reader per address; organisations may share an address with anyone (a shared office inbox).
            models.UniqueConstraint(
                fields=["email_hash"],
                condition=Q(kind="person") & ~Q(email_hash=""),
                name="subscriber_person_email",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The hash follows the address on every save, so no code path can leave them apart.
        self.email_hash = email_hash(self.email or "")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_hash"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        """What anyone allowed to see the subscriber reads: never a real name, never a whole address."""
        if self.kind == SubscriberKind.SECTION and self.section is not None:
            return self.section.name
        if self.kind == SubscriberKind.PERSON and self.person is not None:
            return self.person.pseudonym
        if self.name:
            return self.name
        return mask_email(self.email or "") or str(_("subscriber %(id)s") % {"id": self.pk})


def mask_email(address: str) -> str:
    """``a…@example.org``: enough for its owner to recognise it, not enough to write to it."""
    local, at, domain = address.partition("@")
    if not at:
        return ""
    return f"{local[:1]}…@{domain}"


class SubscriptionChannel(models.TextChoices):
    EMAIL = "email", pgettext_lazy("channel", "email")
    POST = "post", pgettext_lazy("channel", "post")
    FEED = "feed", pgettext_lazy("channel", "feed")


class SubscriptionState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("subscription state", "waiting for confirmation")
    ACTIVE = "active", pgettext_lazy("subscription state", "active")
    PAUSED = "paused", pgettext_lazy("subscription state", "paused after repeated bounces")
    ENDED = "ended", pgettext_lazy("subscription state", "ended")


# A subscription in one of these states is "current": at most one per subscriber, periodical, language and channel.
CURRENT_SUBSCRIPTION = (SubscriptionState.PENDING, SubscriptionState.ACTIVE, SubscriptionState.PAUSED)

SUBSCRIPTION_TRANSITIONS: dict[str, frozenset[str]] = {
    SubscriptionState.PENDING: frozenset({SubscriptionState.ACTIVE, SubscriptionState.ENDED}),
    SubscriptionState.ACTIVE: frozenset({SubscriptionState.PAUSED, SubscriptionState.ENDED}),
    SubscriptionState.PAUSED: frozenset({SubscriptionState.ACTIVE, SubscriptionState.ENDED}),
    SubscriptionState.ENDED: frozenset(),
}


class Subscription(models.Model):
    """A subscriber's subscription to one periodical in one language, by one channel, in some formats.

    ``started_on`` is set when it becomes active (confirmation, for a reader's own subscription); issues published in
    its language from that day on (and before ``ended_on``) are due to it.
    """

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("subscriber")
    )
    periodical = models.ForeignKey(
        "periodicals.Periodical",
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("periodical"),
    )
    language = models.CharField(_("language"), max_length=15)
    # A subset of ``publishing.models.FileFormat`` values: what the subscriber wants (links or attachments).
    formats = models.JSONField(_("formats"), default=list, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=SubscriptionChannel.choices, default=SubscriptionChannel.EMAIL
    )
    state = models.CharField(
        _("state"), max_length=10, choices=SubscriptionState.choices, default=SubscriptionState.PENDING
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # When the last confirmation email went out: a second request soon after does not mail again.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    bounce_count = models.PositiveIntegerField(_("bounces in a row"), default=0)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    state_reason = models.CharField(_("why"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["periodical", "language", "channel", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "periodical", "language", "channel"],
                condition=Q(state__in=["pending", "active", "paused"]),
                name="subscription_one_current",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="subscription_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["active", "paused"]) | Q(started_on__isnull=False),
                name="subscription_active_has_start",
            ),
        ]
        indexes = [models.Index(fields=["periodical", "language", "state"], name="subscription_matching")]

    def __str__(self) -> str:
        return f"{self.subscriber_id} → {self.periodical_id} [{self.language}, {self.channel}]"

    @property
    def is_current(self) -> bool:
        return self.state in CURRENT_SUBSCRIPTION


class DispatchKind(models.TextChoices):
    REGULAR = "regular", pgettext_lazy("dispatch kind", "regular")
    BACK_ISSUE = "back_issue", pgettext_lazy("dispatch kind", "back issue (claimed)")


class DispatchState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("dispatch state", "waiting to be sent")
    SENDING = "sending", pgettext_lazy("dispatch state", "being sent")
    SENT = "sent", pgettext_lazy("dispatch state", "sent")
    FAILED = "failed", pgettext_lazy("dispatch state", "failed, will be tried again")
    BOUNCED = "bounced", pgettext_lazy("dispatch state", "bounced")
    POSTED = "posted", pgettext_lazy("dispatch state", "posted")
    CANCELLED = "cancelled", pgettext_lazy("dispatch state", "cancelled")


# States a sender picks up (when ``next_attempt_at`` has come), states that are over, and what may follow what.
DISPATCH_DUE = (DispatchState.PENDING, DispatchState.FAILED)
DISPATCH_FINAL = (DispatchState.SENT, DispatchState.BOUNCED, DispatchState.POSTED, DispatchState.CANCELLED)
DISPATCH_TRANSITIONS: dict[str, frozenset[str]] = {
    # A worker claims a due dispatch (pending → sending); the secretariat posts a post dispatch (pending → posted).
    DispatchState.PENDING: frozenset({DispatchState.SENDING, DispatchState.POSTED, DispatchState.CANCELLED}),
    # The outcome of one attempt; back to pending when a worker's lease ran out before it knew the outcome.
    DispatchState.SENDING: frozenset(
        {DispatchState.SENT, DispatchState.FAILED, DispatchState.BOUNCED, DispatchState.PENDING}
    ),
    DispatchState.FAILED: frozenset({DispatchState.SENDING, DispatchState.BOUNCED, DispatchState.CANCELLED}),
    # A final state is left only by a claim's answer, which re-opens the row as a back issue (``resends`` + 1), and
    # a sent one by a bounce report mailed back later (``dsn``).
    DispatchState.SENT: frozenset({DispatchState.PENDING, DispatchState.BOUNCED}),
    DispatchState.BOUNCED: frozenset({DispatchState.PENDING}),
    DispatchState.POSTED: frozenset({DispatchState.PENDING}),
    DispatchState.CANCELLED: frozenset({DispatchState.PENDING}),
}


class Dispatch(models.Model):
    """One issue in one language to one subscription: the unit the sender sends, exactly once.

    Unique per (subscription, issue, language). A claim does not add a row: it re-opens this one as a back issue
    (``kind`` back_issue, ``resends`` + 1, state pending), so the uniqueness holds for ever and the row's history is
    in ``resends`` and its bounces. ``message_id`` is derived from the row and ``resends`` (``make_message_id``),
    so a retried send of the same round carries the same Message-ID and a re-sent back issue a new one.
    """

    # No index of its own: the unique key starts with it.
    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        related_name="dispatches",
        verbose_name=_("subscription"),
        db_index=False,
    )
    issue = models.ForeignKey(
        "periodicals.Issue", on_delete=models.CASCADE, related_name="dispatches", verbose_name=_("issue")
    )
    language = models.CharField(_("language"), max_length=15)
    # The edition current when the dispatch was created or re-opened (a sender may prefer a later correction).
    edition = models.ForeignKey(
        "publishing.Edition", on_delete=models.SET_NULL, null=True, blank=True, related_name="dispatches"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DispatchKind.choices, default=DispatchKind.REGULAR)
    state = models.CharField(_("state"), max_length=10, choices=DispatchState.choices, default=DispatchState.PENDING)
    resends = models.PositiveIntegerField(_("times sent again"), default=0)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # The worker holding the dispatch while it is ``sending``, and until when; past the lease another may take it.
    claimed_by = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    message_id = models.CharField(_("message ID"), max_length=255, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Whether the subscriber has a ``Receipt`` for this issue in this language. A copy of what the receipts say,
    # kept by ``receivers`` whenever a receipt or a dispatch is made or deleted, so that the gap report counts what
    # is still missing in one pass over the dispatches instead of matching millions of them against the receipts.
    received = models.BooleanField(_("received"), default=False, db_default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["issue", "language", "subscription"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "issue", "language"], name="dispatch_unique"),
        ]
        indexes = [
            # The sender's query: due dispatches in order of their next attempt.
            models.Index(fields=["state", "next_attempt_at"], name="dispatch_due"),
            # An issue's distribution progress (counts by state).
            models.Index(fields=["issue", "language", "state"], name="dispatch_progress"),
            # The gap report's counts of what is not received, by subscription and state: an index-only scan.
            models.Index(fields=["subscription", "state"], name="dispatch_unreceived", condition=Q(received=False)),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id} [{self.language}] → {self.subscription_id}: {self.state}"

    def make_message_id(self) -> str:
        """The Message-ID of this dispatch's current round: the same on every attempt, new for a re-sent back issue."""
        host = urlsplit(settings.SITE_URL).hostname or "liaison.invalid"
        return f"<dispatch-{self.pk}.{self.resends}@{host}>"


class ReceiptHow(models.TextChoices):
    LINK = "link", pgettext_lazy("receipt", "confirmed with the link in the email")
    BY_HAND = "by_hand", pgettext_lazy("receipt", "recorded by hand")
    POST = "post", pgettext_lazy("receipt", "arrived by post (recorded by hand)")


class Receipt(models.Model):
    """Someone said the issue arrived: the subscriber's click on a signed link, or a correspondent's record."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("subscriber")
    )
    issue = models.ForeignKey(
        "periodicals.Issue", on_delete=models.CASCADE, related_name="receipts", verbose_name=_("issue")
    )
    language = models.CharField(_("language"), max_length=15)
    how = models.CharField(_("how"), max_length=10, choices=ReceiptHow.choices)
    dispatch = models.ForeignKey(Dispatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="receipts")
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "issue", "language"], name="receipt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber_id} ← {self.issue_id} [{self.language}]"


class ClaimState(models.TextChoices):
    OPEN = "open", pgettext_lazy("claim state", "open")
    ANSWERED = "answered", pgettext_lazy("claim state", "answered: sent again")
    REFUSED = "refused", pgettext_lazy("claim state", "refused")


CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimState.OPEN: frozenset({ClaimState.ANSWERED, ClaimState.REFUSED}),
    ClaimState.ANSWERED: frozenset(),
    ClaimState.REFUSED: frozenset(),
}


class Claim(models.Model):
    """A subscriber asks again for issues of one periodical that did not arrive.

    A bulletin's claim goes to the secretariat; a section's paper's claim to that section's correspondents (the
    periodical says which). Answering it re-opens each claimed issue's dispatch as a back issue.
    """

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="claims", verbose_name=_("subscriber")
    )
    periodical = models.ForeignKey(
        "periodicals.Periodical", on_delete=models.CASCADE, related_name="claims", verbose_name=_("periodical")
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ClaimState.choices, default=ClaimState.OPEN)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why the claim was refused."))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(state="refused") | ~Q(reason=""), name="claim_refusal_has_reason"),
        ]
        indexes = [models.Index(fields=["state", "periodical"], name="claim_open")]

    def __str__(self) -> str:
        return f"{self.subscriber_id}: {self.periodical_id} ({self.state})"


class ClaimItem(models.Model):
    """One issue claimed, in one language, by one of the subscriber's subscriptions (the channel to send it by)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="items")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="claim_items")
    issue = models.ForeignKey("periodicals.Issue", on_delete=models.CASCADE, related_name="claim_items")
    language = models.CharField(_("language"), max_length=15)
    # The dispatch the answer re-opened or created.
    dispatch = models.ForeignKey(Dispatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="claim_items")

    class Meta:
        ordering = ["claim", "issue__number", "language"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "subscription", "issue", "language"], name="claim_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.issue_id} [{self.language}]"


class BounceKind(models.TextChoices):
    PERMANENT = "permanent", pgettext_lazy("bounce", "permanent")
    TEMPORARY = "temporary", pgettext_lazy("bounce", "temporary")


class Bounce(models.Model):
    """A failure report for a dispatch: an SMTP refusal while sending, or a bounce message received later."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="bounces")
    kind = models.CharField(_("kind"), max_length=10, choices=BounceKind.choices)
    code = models.PositiveSmallIntegerField(_("SMTP code"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("bounce")
        verbose_name_plural = _("bounces")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.dispatch_id}: {self.kind} {self.code or ''}"

    @property
    def permanent(self) -> bool:
        return self.kind == BounceKind.PERMANENT
