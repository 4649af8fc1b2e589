"""Sending email dispatches: in batches, over one SMTP connection, each message once.

**How a run goes.** ``send_due`` repeats until nothing is due: it first looks explicitly at dispatches left
``sending`` by a worker whose lease ran out (``recover_expired``), then claims a batch of due dispatches
(``claim_batch``: ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, a conditional ``UPDATE`` on SQLite, both
marking them ``sending`` under a token and a lease, committed at once), and sends them in order over one connection
(``send_batch``). For each message:

1. the message is built (no database write);
2. ``MAIL FROM`` and ``RCPT TO`` are sent; a refusal here leaves no doubt that nothing was delivered;
3. ``DATA`` is sent and, while the server answers it, **the hand-off is committed**: the dispatch's ``message_id``
   is written by an ``UPDATE`` that also checks that the run still holds the dispatch (``claimed_by`` = its token,
   state ``sending``). A run that lost its lease closes the connection here, before the server has anything;
4. the message goes out; once the server answers 250, ``sent`` is committed (with ``sent_at``) — while the server
   answers the next message's ``MAIL`` command (another round trip the sender would spend waiting), or at once when
   the batch has no next message. Either way before the next message's recipients go out.

Temporary refusals (4xx) make the dispatch ``failed``, tried again after an exponential back-off
(``next_attempt_at``), and bounced after ``DISTRIBUTION_MAX_ATTEMPTS``; permanent refusals (5xx, to ``RCPT`` or
``DATA``) record a ``Bounce``, make the dispatch ``bounced``, and pause the subscription after
``DISTRIBUTION_PAUSE_AFTER`` (3) bounces in a row. A refusal of our own sender (5xx to ``MAIL FROM``) is a problem of
the installation, not of the address: no bounce is recorded and the run stops. A connection that drops is opened
again and the batch goes on with the message it was sending; the messages the server already accepted are
recorded ``sent`` and never sent again.

**The guarantee.** Every dispatch that the server accepted (a 250 reply read by the sender) is recorded ``sent``
before the next message's recipients go out, and is never sent again, whatever is killed when: a worker killed at
any point leaves the rest of its batch ``sending`` under an expired lease, and ``recover_expired`` makes it due
again. A dispatch found so is treated by what was committed of it:

- no ``message_id``: its hand-off was never committed, so ``DATA`` was never sent — the server cannot have it, and
  it is sent again without doubt;
- a ``message_id``: the worker died (or the connection dropped) after the hand-off and before recording the
  server's answer, and the server may or may not have the message. **This is the one window SMTP cannot close**
  (RFC 1047, "Duplicate messages and SMTP"): once the last line of ``DATA`` has gone out, the server may take the
  message and answer 250 while the sender dies before reading that answer or before committing it. Liaison sends
  such a message again, with the same Message-ID, and notes it in ``last_error``: at-least-once for that one
  message, rather than risk an issue never arriving. A receiving system that keeps the first copy recognises the
  second by its Message-ID; at worst the reader sees the issue twice.

So a crash causes at most one duplicate per connection (never one per batch), and only when it lands between the end
of ``DATA`` and the commit that records the server's answer: the time the server takes to answer (milliseconds for a
mail relay), the building of the next message (a few hundred microseconds) and one commit. A kill anywhere else —
during ``RCPT``, during a claim, between a "sent" and the next hand-off — is exactly once. The same holds for a
connection dropped while the server had the message and had not answered. The price is two commits per message (the
hand-off and "sent"); ``bench/README.md`` has what that costs. The lease must outlast any stall of a live worker: a
worker alive but stalled for longer than ``DISTRIBUTION_LEASE`` seconds between two commits can find a message it
had handed over sent again by another (it stops as soon as it notices, at its next commit, and records the truth if
the server took it).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
import os
import smtplib
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.distribution import services
from liaison.distribution.mail import BadAddress, MailBuilder, Outgoing, stuffed
from liaison.distribution.models import (
    DISPATCH_DUE,
    Bounce,
    BounceKind,
    Dispatch,
    DispatchState,
    Subscription,
    SubscriptionChannel,
    SubscriptionState,
)
from liaison.publishing.models import Edition, EditionStatus

logger = logging.getLogger(__name__)

ProgressCallback = Callable[["Summary"], None]


# Settings ----------------------------------------------------------------------------------------------------------


def lease() -> datetime.timedelta:
    """How long a batch's dispatches stay a worker's without it showing progress (``DISTRIBUTION_LEASE`` seconds,
    five minutes by default): far longer than any message takes, since a live worker must never lose them."""
    return datetime.timedelta(seconds=float(getattr(settings, "DISTRIBUTION_LEASE", 300)))


def batch_size() -> int:
    return int(getattr(settings, "DISTRIBUTION_BATCH_SIZE", 100))


def max_attempts() -> int:
    """Temporary failures after which a dispatch is given up as bounced (``DISTRIBUTION_MAX_ATTEMPTS``, 8: about a
    day of tries with the default back-off)."""
    return int(getattr(settings, "DISTRIBUTION_MAX_ATTEMPTS", 8))


def retry_delay(attempts: int) -> datetime.timedelta:
    """The back-off after the ``attempts``-th temporary failure: 1 minute, 4, 16, 64… at most 6 hours."""
    base = float(getattr(settings, "DISTRIBUTION_RETRY_SECONDS", 60))
    return datetime.timedelta(seconds=min(base * 4 ** min(max(attempts - 1, 0), 12), 6 * 3600))


def uncertain_note() -> str:
    return _(
        "The mail server may have received this message before its answer was lost (a worker stopped, or the "
        "connection dropped): it was sent again with the same Message-ID, and may arrive twice."
    )


# How often in a row a batch reconnects after its connection dropped before it gives up (a server that closes every
# connection after n messages is fine: the count starts again at each message it takes), and after how long the
# dispatches it gave back are due again.
RECONNECTS = 3
RELEASE_DELAY = datetime.timedelta(seconds=60)


# What was done -------------------------------------------------------------------------------------------------------


@dataclass
class Summary:
    """What a run did, for the task's result, the command's report and the progress bar."""

    sent: int = 0
    failed: int = 0  # temporary failures, to be tried again
    bounced: int = 0
    paused: int = 0  # subscriptions paused after repeated bounces
    recovered: int = 0  # dispatches of a dead worker made due again
    uncertain: int = 0  # of those, handed to the server before the worker died: sent again (see the module's text)
    reconnects: int = 0
    released: int = 0  # claimed but not tried (the server could not be reached): due again shortly
    error: str = ""  # why the run stopped early (the mail server unreachable, our sender refused)

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.bounced

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class LeaseLost(Exception):
    """Another worker holds the dispatch now (this run's lease ran out): the run stops without sending it."""


class Refused(Exception):
    """The server refused the message with ``code`` at ``stage`` (mail, rcpt, data, or send for other backends)."""

    def __init__(self, code: int | None, text: str, stage: str) -> None:
        super().__init__(f"{code or ''} {text}".strip())
        self.code = code
        self.text = text
        self.stage = stage

    @property
    def permanent(self) -> bool:
        return self.code is not None and 500 <= self.code < 600


class Dropped(Exception):
    """The connection went away (or the server closed it with 421). ``handed``: the message data had been sent
    and no answer was read, so the server may have it."""

    def __init__(self, error: BaseException | str, handed: bool) -> None:
        super().__init__(str(error))
        self.handed = handed


# The connection ------------------------------------------------------------------------------------------------------


def _command(smtp: smtplib.SMTP, verb: str, argument: str, options: Iterable[str] = ()) -> tuple[int, bytes]:
    smtp.putcmd(verb, " ".join([argument, *options]))
    return smtp.getreply()


def _reply(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


class Transport:
    """One connection to the mail server (Django's backend, as ``EMAIL_URL`` configures it), sending one message
    at a time so that each message's outcome is known, with the hand-off committed between ``RCPT`` and ``DATA``.

    Other backends (the file backend of a one-machine install, the test's memory backend) are written to in one
    step after the hand-off."""

    def __init__(self, backend: BaseEmailBackend | None = None) -> None:
        self.backend = backend or get_connection(fail_silently=False)
        self.smtp = isinstance(self.backend, SmtpBackend)
        self.opened = False

    def open(self) -> None:
        if not self.opened:
            self.backend.open()
            self.opened = True

    def close(self) -> None:
        if not self.opened:
            return
        self.opened = False
        try:
            self.backend.close()
        except (OSError, smtplib.SMTPException):
            # Closing a connection the server dropped: nothing is left to close.
            if self.smtp:
                self.backend.connection = None  # type: ignore[attr-defined]

    def reconnect(self) -> None:
        self.close()
        self.open()

    def send(
        self,
        message: EmailMessage | Outgoing,
        hand: Callable[[], None],
        settle: Callable[[], None] | None = None,
    ) -> None:
        """Send ``message`` (an ``Outgoing`` for SMTP, an ``EmailMessage`` for other backends); ``hand()`` is called
        once the recipients are accepted, before the message itself goes out. ``settle()``, when given, records the
        previous message's outcome: it is called once, whatever happens, before anything of this message but its
        ``MAIL`` command reaches the server. Raises ``Refused``, ``Dropped`` (the connection is to be opened
        again), or whatever ``hand`` or ``settle`` raises."""
        if not isinstance(message, Outgoing):
            if settle is not None:
                settle()
            hand()
            try:
                self.backend.send_messages([message])
            except Exception as error:  # a full disk, an unwritable folder: try again later
                raise Refused(None, f"{type(error).__name__}: {error}", "send") from error
            return
        smtp: smtplib.SMTP | None = self.backend.connection  # type: ignore[attr-defined]
        if smtp is None:
            raise Dropped("not connected", handed=False)
        sender, recipients, data = message.sender, message.recipients, message.data
        try:
            smtp.ehlo_or_helo_if_needed()
            options = []
            if smtp.does_esmtp:
                if smtp.has_extn("size"):
                    options.append(f"SIZE={len(data)}")
                if smtp.has_extn("8bitmime") and not data.isascii():
                    options.append("BODY=8BITMIME")
            # The envelope's addresses are bare already (``mail.envelope_address``): the commands are written out
            # rather than parsed again by smtplib's ``mail`` and ``rcpt``, which costs more than the rest of a send.
            try:
                smtp.putcmd("mail", " ".join([f"FROM:<{sender}>", *options]))
            finally:
                # The previous message's "sent" is committed while the server answers MAIL (a round trip the
                # sender would otherwise spend waiting), and always before this message's recipients go out.
                if settle is not None:
                    self._settle(settle)
            self._check(smtp, *smtp.getreply(), stage="mail")
            for recipient in recipients:
                self._check(smtp, *_command(smtp, "rcpt", f"TO:<{recipient}>"), stage="rcpt", ok=(250, 251))
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise Dropped(error, handed=False) from error
        # The hand-off is committed while the server answers the DATA command (a round trip the sender would
        # otherwise spend waiting), and always before the message itself goes out.
        try:
            smtp.putcmd("data")
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise Dropped(error, handed=False) from error
        try:
            hand()
        except BaseException:
            # The server now waits for the message: only closing the connection leaves it without one.
            self.close()
            raise
        handed = False
        try:
            code, text = smtp.getreply()
            if code == 354:
                handed = True
                smtp.send(data if message.stuffed else stuffed(data))
                code, text = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise Dropped(error, handed=handed) from error
        self._check(smtp, code, text, stage="data")

    def _settle(self, settle: Callable[[], None]) -> None:
        try:
            settle()
        except BaseException:
            # The server waits for this message's envelope: closing the connection leaves it with nothing of it.
            self.close()
            raise

    def _check(
        self, smtp: smtplib.SMTP, code: int, text: bytes | str, *, stage: str, ok: Iterable[int] = (250,)
    ) -> None:
        if code in ok:
            return
        if code == 421 or code == -1:
            # The server is closing the connection: it accepted nothing of this message.
            self.close()
            raise Dropped(f"{code} {_reply(text)}", handed=False)
        self._reset(smtp)
        raise Refused(code, _reply(text), stage)

    def _reset(self, smtp: smtplib.SMTP) -> None:
        # A failed reset: the next message finds out whether the connection is still there.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.rset()


# Claiming ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which dispatches a run sends: all, or those of one issue (and language)."""

    issue_id: int | None = None
    language: str | None = None

    def filter(self) -> Q:
        # Email only (post is posted by hand), with an edition to send, and not to an address known to bounce: a
        # paused subscription's dispatches wait until it is resumed.
        found = Q(subscription__channel=SubscriptionChannel.EMAIL, edition__isnull=False) & ~Q(
            subscription__state=SubscriptionState.PAUSED
        )
        if self.issue_id is not None:
            found &= Q(issue_id=self.issue_id)
        if self.language:
            found &= Q(language=self.language)
        return found


def for_edition(edition_id: int | None) -> Scope:
    if edition_id is None:
        return Scope()
    edition = Edition.objects.filter(pk=edition_id).only("issue_id", "language").first()
    if edition is None:
        return Scope(issue_id=-1)  # an edition deleted since: nothing of it to send
    return Scope(issue_id=edition.issue_id, language=edition.language)


def due(now: datetime.datetime) -> Q:
    """Due: waiting (or failed) and its next attempt's time has come (``Dispatch.next_attempt_at`` is set when a
    dispatch is made or re-opened, and by every temporary failure)."""
    return Q(state__in=DISPATCH_DUE, next_attempt_at__lte=now)


def new_token() -> str:
    """A batch's token, naming the worker (host and process) for whoever looks at a stuck dispatch."""
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:20]}"


def claim_batch(
    scope: Scope, token: str, *, size: int | None = None, now: datetime.datetime | None = None
) -> list[int]:
    """Take up to ``size`` due dispatches for this run: marked ``sending`` under ``token`` with a lease, committed.
    Two runs never take the same dispatch. Returns their ids, in the order they are to be sent."""
    size = size or batch_size()
    now = now or timezone.now()
    changes = {
        "state": DispatchState.SENDING,
        "claimed_by": token,
        "lease_until": now + lease(),
        "message_id": "",
        "updated": now,
    }
    taken: list[int] = []
    # One state at a time, in the order of the next attempt: each is a range of the index (state, next_attempt_at)
    # read in order and cut at the batch's size, so a claim costs the same with ten or ten million rows.
    for state in DISPATCH_DUE:
        if len(taken) >= size:
            break
        candidates = (
            Dispatch.objects.filter(scope.filter(), state=state, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)
        )
        with transaction.atomic():
            if connection.features.has_select_for_update_skip_locked:
                # Rows another run is claiming right now are skipped, not waited for: runs share the work.
                ids = list(candidates.select_for_update(skip_locked=True, of=("self",))[: size - len(taken)])
                if ids:
                    Dispatch.objects.filter(pk__in=ids).update(**changes)
            else:
                # SQLite has no row locks: the UPDATE takes only the rows still in the state read (another run may
                # have taken some since), and the rows this run holds are read back by its token.
                ids = list(candidates[: size - len(taken)])
                if ids:
                    _claim_sqlite(ids, state, token, now)
                    ids = list(
                        Dispatch.objects.filter(pk__in=ids, claimed_by=token).order_by().values_list("pk", flat=True)
                    )
        taken.extend(ids)
    return sorted(taken)


def _claim_sqlite(ids: list[int], state: str, token: str, now: datetime.datetime) -> None:
    # "+state" keeps SQLite from reading these few rows through the (state, next_attempt_at) index, which would walk
    # every waiting dispatch: without statistics it believes an equality on an index column picks out a handful.
    _execute(
        f"UPDATE \"{_TABLE}\" SET state = %s, claimed_by = %s, lease_until = %s, message_id = '', updated = %s "  # noqa: S608
        f"WHERE id IN ({', '.join(['%s'] * len(ids))}) AND +state = %s",
        [DispatchState.SENDING, token, _at(now + lease()), _at(now), *ids, state],
    )


def recover_expired(scope: Scope, summary: Summary | None = None, now: datetime.datetime | None = None) -> int:
    """Dispatches left ``sending`` by a worker whose lease ran out (it died, or lost its connection to the
    database) become due again; returns how many. Those whose hand-off was committed may have reached the server:
    they are sent again with the same Message-ID, and noted (see the module's text)."""
    now = now or timezone.now()
    ids = list(
        Dispatch.objects.filter(scope.filter(), state=DispatchState.SENDING, lease_until__lt=now)
        # Unordered: the model's ordering would join the issue and the periodicals only to sort ids. Run before
        # every batch, this must cost next to nothing when no worker died.
        .order_by()
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    # The conditions again, on the rows themselves: a row another run recovered and claimed since the ids were read
    # is no longer "sending with an expired lease", and is left alone.
    expired = Dispatch.objects.filter(pk__in=ids, state=DispatchState.SENDING, lease_until__lt=now)
    with transaction.atomic():
        uncertain = expired.exclude(message_id="").update(
            state=DispatchState.PENDING,
            claimed_by="",
            lease_until=None,
            attempts=F("attempts") + 1,
            next_attempt_at=now,
            last_error=uncertain_note(),
            updated=now,
        )
        clean = expired.filter(message_id="").update(
            state=DispatchState.PENDING, claimed_by="", lease_until=None, updated=now
        )
    if uncertain or clean:
        logger.warning(
            "Recovered %s dispatches of a stopped worker (%s of them possibly delivered already: sent again)",
            uncertain + clean,
            uncertain,
        )
    if summary is not None:
        summary.recovered += uncertain + clean
        summary.uncertain += uncertain
    return uncertain + clean


# Sending a batch ------------------------------------------------------------------------------------------------------


# The two statements of every message, written out: they run a hundred thousand times a run, and the ORM's building
# of an UPDATE costs more than the database's running it. Both are fenced by the batch's token and state.
_TABLE = Dispatch._meta.db_table
HAND_SQL = (
    f'UPDATE "{_TABLE}" SET message_id = %s, lease_until = %s, updated = %s '  # noqa: S608 - a constant table name
    "WHERE id = %s AND claimed_by = %s AND state = %s"
)
SENT_SQL = (
    f"UPDATE \"{_TABLE}\" SET state = %s, sent_at = %s, message_id = %s, attempts = attempts + 1, claimed_by = '', "  # noqa: S608
    "lease_until = NULL, updated = %s WHERE id = %s AND state = %s"
)


def _at(moment: datetime.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def _execute(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


class _Batch:
    """The dispatches of one claim, with the commits of each one's outcome (all fenced by the token)."""

    def __init__(self, token: str, summary: Summary, on_progress: ProgressCallback | None) -> None:
        self.token = token
        self.summary = summary
        self.on_progress = on_progress
        self.renewed = time.monotonic()
        self.lease = lease()

    def mine(self, dispatch: Dispatch) -> Any:
        return Dispatch.objects.filter(pk=dispatch.pk, claimed_by=self.token, state=DispatchState.SENDING)

    def renew(self) -> None:
        """Extend the lease of the batch's remaining dispatches, a few times per lease."""
        if time.monotonic() - self.renewed < self.lease.total_seconds() / 3:
            return
        Dispatch.objects.filter(claimed_by=self.token, state=DispatchState.SENDING).update(
            lease_until=timezone.now() + self.lease
        )
        self.renewed = time.monotonic()

    def hand(self, dispatch: Dispatch, message_id: str) -> None:
        """The commit before the message goes out: it is about to be the server's (see the module's text)."""
        now = timezone.now()
        params = [message_id, _at(now + self.lease), _at(now), dispatch.pk, self.token, DispatchState.SENDING]
        done = _execute(HAND_SQL, params)
        if not done:
            raise LeaseLost(dispatch.pk)

    def sent(self, dispatch: Dispatch, message_id: str | None = None) -> None:
        at = _at(timezone.now())
        params = [DispatchState.SENT, at, message_id or dispatch.make_message_id(), at, dispatch.pk]
        # One statement, committed at once, in the common case; with the subscription's bounce count to reset, both
        # in one transaction.
        with transaction.atomic() if dispatch.subscription.bounce_count else contextlib.nullcontext():
            done = _execute(SENT_SQL + " AND claimed_by = %s", [*params, DispatchState.SENDING, self.token])
            if not done:
                # Our lease ran out while the server took the message, and another run claimed the dispatch: record
                # the truth, so that run does not send it again if it has not yet.
                done = _execute(SENT_SQL, [*params, DispatchState.SENDING])
                logger.error(
                    "Dispatch %s was sent after its lease ran out (%s): it %s",
                    dispatch.pk,
                    self.token,
                    "was taken back from another worker" if done else "may be sent twice",
                )
            if done and dispatch.subscription.bounce_count:
                Subscription.objects.filter(pk=dispatch.subscription_id, bounce_count__gt=0).update(bounce_count=0)
        self.summary.sent += 1
        self.progress()

    def failed(self, dispatch: Dispatch, code: int | None, text: str, *, delivery: bool = True) -> None:
        """A temporary failure: tried again after a back-off, or given up as bounced after too many. A failure that
        is not the delivery's (the message could not be built) records no bounce and is never given up: it waits
        for someone to mend what is broken."""
        attempts = dispatch.attempts + 1
        if delivery and attempts >= max_attempts():
            message = _("Gave up after %(n)s attempts; last answer: %(error)s") % {"n": attempts, "error": text}
            self.bounced(dispatch, code, message, kind=BounceKind.PERMANENT)
            return
        now = timezone.now()
        with transaction.atomic():
            if (
                self.mine(dispatch).update(
                    state=DispatchState.FAILED,
                    attempts=F("attempts") + 1,
                    next_attempt_at=now + retry_delay(attempts),
                    last_error=text[:2000],
                    claimed_by="",
                    lease_until=None,
                    updated=now,
                )
                and delivery
            ):
                Bounce.objects.create(dispatch=dispatch, kind=BounceKind.TEMPORARY, code=code, message=text[:2000])
        self.summary.failed += 1
        self.progress()

    def bounced(self, dispatch: Dispatch, code: int | None, text: str, kind: str = BounceKind.PERMANENT) -> None:
        """A permanent failure: a bounce recorded; the subscription paused after too many in a row."""
        now = timezone.now()
        with transaction.atomic():
            if self.mine(dispatch).update(
                state=DispatchState.BOUNCED,
                attempts=F("attempts") + 1,
                last_error=text[:2000],
                claimed_by="",
                lease_until=None,
                updated=now,
            ):
                Bounce.objects.create(dispatch=dispatch, kind=kind, code=code, message=text[:2000])
                if services.count_bounce(dispatch.subscription_id, text):
                    self.summary.paused += 1
        self.summary.bounced += 1
        self.progress()

    def release(self, dispatches: Iterable[Dispatch]) -> None:
        """Give back dispatches not tried (the server could not be reached): due again shortly, no attempt counted."""
        ids = [d.pk for d in dispatches]
        now = timezone.now()
        released = Dispatch.objects.filter(pk__in=ids, claimed_by=self.token, state=DispatchState.SENDING).update(
            state=DispatchState.PENDING,
            claimed_by="",
            lease_until=None,
            next_attempt_at=now + RELEASE_DELAY,
            updated=now,
        )
        self.summary.released += released

    def progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.summary)


SENDER_FIELDS = (
    "issue_id",
    "language",
    "edition_id",
    "resends",
    "attempts",
    "state",
    "subscription__formats",
    "subscription__language",
    "subscription__bounce_count",
    "subscription__subscriber__email",
    "subscription__subscriber__language",
)


def _editions(dispatches: list[Dispatch]) -> dict[tuple[int, str], Edition]:
    """What each dispatch sends: its issue's edition in its language published now (a later correction included),
    else the edition it was made for. Two queries for the whole batch."""
    pairs = {(d.issue_id, d.language) for d in dispatches}
    found: dict[tuple[int, str], Edition] = {}
    if not pairs:
        return found
    wanted = Q()
    for issue_id, language in pairs:
        wanted |= Q(issue_id=issue_id, language=language)
    for edition in Edition.objects.filter(wanted, status=EditionStatus.PUBLISHED):
        found[(edition.issue_id, edition.language)] = edition
    missing = {d.edition_id for d in dispatches if (d.issue_id, d.language) not in found and d.edition_id}
    for edition in Edition.objects.filter(pk__in=missing):
        found.setdefault((edition.issue_id, edition.language), edition)
    return found


def send_batch(
    token: str,
    transport: Transport,
    builder: MailBuilder,
    summary: Summary,
    on_progress: ProgressCallback | None = None,
) -> None:
    """Send the dispatches claimed under ``token``, in order, over ``transport``. Stops early (leaving
    ``summary.error``) when the server cannot be reached again or refuses our sender."""
    batch = _Batch(token, summary, on_progress)
    dispatches = list(
        Dispatch.objects.filter(claimed_by=token, state=DispatchState.SENDING)
        .select_related("subscription__subscriber")
        # What a message needs, and no more: a batch's rows are read a hundred thousand times a run.
        .only(*SENDER_FIELDS)
        .order_by("pk")
    )
    editions = _editions(dispatches)
    pending = _Pending()
    try:
        _send_each(batch, dispatches, editions, transport, builder, pending)
    finally:
        # The last message's outcome, or the one before an early stop: the server has it, so it is recorded.
        pending.settle()


class _Pending:
    """The previous message's "sent", to be committed while the server answers the next one's ``MAIL`` (see
    ``Transport.send``): at most once, whichever comes first of the next message and the end of the batch."""

    def __init__(self) -> None:
        self.call: Callable[[], None] | None = None

    def settle(self) -> None:
        call, self.call = self.call, None
        if call is not None:
            call()

    def hook(self) -> Callable[[], None] | None:
        return self.settle if self.call is not None else None


def _send_each(
    batch: _Batch,
    dispatches: list[Dispatch],
    editions: dict[tuple[int, str], Edition],
    transport: Transport,
    builder: MailBuilder,
    pending: _Pending,
) -> None:
    summary, token = batch.summary, batch.token
    reconnects = 0
    for position, dispatch in enumerate(dispatches):
        batch.renew()
        edition = editions.get((dispatch.issue_id, dispatch.language))
        message_id = dispatch.make_message_id()
        try:
            if edition is None:
                raise LookupError("no edition")  # filtered out by the claim; an edition deleted since
            message: EmailMessage | Outgoing = (
                builder.outgoing(dispatch, edition) if transport.smtp else builder.message(dispatch, edition)
            )
        except BadAddress as error:
            # An address no SMTP envelope can hold: it will never go.
            pending.settle()
            batch.bounced(dispatch, None, _("The message cannot be sent: %(error)s") % {"error": error})
            continue
        except Exception as error:
            logger.exception("The message of dispatch %s could not be built", dispatch.pk)
            pending.settle()
            batch.failed(
                dispatch, None, _("The message could not be built: %(error)s") % {"error": error}, delivery=False
            )
            continue
        while True:
            try:
                transport.open()
                transport.send(message, functools.partial(batch.hand, dispatch, message_id), pending.hook())
            except LeaseLost:
                logger.warning(
                    "Batch %s lost its lease at dispatch %s: another worker sends the rest", token, dispatch.pk
                )
                return
            except Refused as refused:
                if refused.permanent and refused.stage == "mail":
                    # Our own sender is refused: every message would be. Not the subscriber's bounce.
                    summary.error = _("The mail server refuses the sender address: %(error)s") % {"error": refused}
                    batch.failed(dispatch, refused.code, str(refused))
                    batch.release(dispatches[position + 1 :])
                    return
                if refused.permanent:
                    batch.bounced(dispatch, refused.code, str(refused))
                else:
                    batch.failed(dispatch, refused.code, str(refused))
            except (Dropped, OSError, smtplib.SMTPException) as error:
                handed = isinstance(error, Dropped) and error.handed
                reconnects += 1
                summary.reconnects += 1
                logger.warning(
                    "The connection dropped while sending dispatch %s (%s); %s",
                    dispatch.pk,
                    error,
                    "the server may have it: sending it again" if handed else "sending it again",
                )
                transport.close()
                if reconnects > RECONNECTS:
                    pending.settle()
                    summary.error = _("The mail server cannot be reached: %(error)s") % {"error": error}
                    batch.failed(dispatch, None, str(error))
                    batch.release(dispatches[position + 1 :])
                    return
                if handed:
                    summary.uncertain += 1
                    Dispatch.objects.filter(pk=dispatch.pk).update(last_error=uncertain_note())
                continue
            else:
                # Recorded "sent" while the server answers the next message's MAIL, or when the batch ends.
                pending.call = functools.partial(batch.sent, dispatch, message_id)
                reconnects = 0
            break


# A run -------------------------------------------------------------------------------------------------------------


def send_due(
    scope: Scope | None = None,
    *,
    backend: BaseEmailBackend | None = None,
    size: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> Summary:
    """Send every email dispatch of ``scope`` that is due, batch after batch, until none is; returns what was done.
    Safe to run in any number of workers at once, and again after any crash."""
    scope = scope or Scope()
    summary = Summary()
    builder = MailBuilder()
    transport = Transport(backend)
    try:
        while not summary.error:
            recover_expired(scope, summary)
            token = new_token()
            if not claim_batch(scope, token, size=size):
                break
            try:
                transport.open()
            except (OSError, smtplib.SMTPException) as error:
                summary.error = _("The mail server cannot be reached: %(error)s") % {"error": error}
                batch = _Batch(token, summary, on_progress)
                batch.release(Dispatch.objects.filter(claimed_by=token, state=DispatchState.SENDING))
                break
            send_batch(token, transport, builder, summary, on_progress)
    finally:
        transport.close()
    return summary


def outstanding(scope: Scope, now: datetime.datetime | None = None) -> int:
    """Dispatches of ``scope`` that a run would still take now, or that a worker is sending."""
    now = now or timezone.now()
    return Dispatch.objects.filter(scope.filter() & (due(now) | Q(state=DispatchState.SENDING))).count()


def next_wake(scope: Scope, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When something of ``scope`` becomes due next: a retry's time, or the end of a lease another worker holds."""
    now = now or timezone.now()
    found = Dispatch.objects.filter(scope.filter()).aggregate(
        retry=Min("next_attempt_at", filter=Q(state__in=DISPATCH_DUE, next_attempt_at__gt=now)),
        lease=Min("lease_until", filter=Q(state=DispatchState.SENDING)),
    )
    times = [t for t in (found["retry"], found["lease"]) if t is not None]
    return min(times) if times else None


# Progress ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """An issue's distribution, counted by channel and state (one query)."""

    email: dict[str, int]
    post: dict[str, int]

    @property
    def email_total(self) -> int:
        return sum(self.email.values())

    @property
    def post_total(self) -> int:
        return sum(self.post.values())

    @property
    def total(self) -> int:
        return self.email_total + self.post_total

    @property
    def active(self) -> bool:
        """Something is still on its way by email (an HTMX view polls while it is)."""
        return any(self.email.get(state, 0) for state in (DispatchState.PENDING, DispatchState.SENDING))

    def count(self, channel: str, state: str) -> int:
        return (self.email if channel == SubscriptionChannel.EMAIL else self.post).get(state, 0)

    @property
    def percent(self) -> int:
        """Share of the email dispatches whose outcome is known (sent or bounced)."""
        total = self.email_total
        if not total:
            return 100
        finished = self.email.get(DispatchState.SENT, 0) + self.email.get(DispatchState.BOUNCED, 0)
        return finished * 100 // total


def progress(issue_id: int, language: str | None = None) -> Progress:
    rows = Dispatch.objects.filter(issue_id=issue_id)
    if language:
        rows = rows.filter(language=language)
    email: dict[str, int] = {}
    post: dict[str, int] = {}
    for channel, state, n in rows.values_list("subscription__channel", "state").annotate(n=Count("pk")).order_by():
        (email if channel == SubscriptionChannel.EMAIL else post)[state] = n
    return Progress(email=email, post=post)
