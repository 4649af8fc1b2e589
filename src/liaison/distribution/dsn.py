"""Bounce reports mailed back later: delivery status notifications read, and the failures they report recorded.

The sender records a bounce only when the SMTP server refuses an address during the conversation (``sending``). A
relay that accepts every message and tries the recipient's server afterwards reports a failure later, by mail, to
the messages' sender address: a *delivery status notification* (DSN, RFC 3464), a ``multipart/report`` with a
``message/delivery-status`` part (``message/global-delivery-status`` for internationalised addresses, RFC 6533) made
of one block of fields for the message and one per recipient (``Final-Recipient``, ``Action``, ``Status``,
``Diagnostic-Code``), and the original message or its headers (``message/rfc822``, ``text/rfc822-headers``).

``parse`` reads one raw message and returns its failed recipients, each with the original's Message-ID. Only
``Action: failed`` is a failure, whatever its status: a ``4.x.x`` there means the relay retried and gave up, as the
sender gives up after ``DISTRIBUTION_MAX_ATTEMPTS``. ``Action: delayed`` is a warning, not a bounce. A bounce without
a delivery-status part (an old Exim's or qmail's plain text, or an explanation with the original attached) is read
only when it is safe: it comes from a mail system (null ``Return-Path``, or ``MAILER-DAEMON``/``postmaster``), it
carries the original's headers, and its own text names the original's recipient beside a permanent status (``5.x.x``,
a ``5xx`` reply, "permanent error"). Anything else is "not a bounce": nothing is guessed from a subject line or from
an auto-reply's ``In-Reply-To``.

``process`` records each failure once (``record``): the dispatch named by the Message-ID (``Dispatch.make_message_id``,
``<dispatch-ID.ROUND@host>`` with the host of ``SITE_URL``), in the same round, to the same address, becomes
*bounced*, with a ``Bounce`` and the subscription's count of bounces in a row (``services.count_bounce``), which
pauses it after ``DISTRIBUTION_PAUSE_AFTER``. Reading the same report again records nothing: the dispatch is bounced
already. A report for a Message-ID that is not Liaison's, for a round sent again since, or for another address
changes nothing, and is logged.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.distribution import services
from liaison.distribution.mail import envelope_address
from liaison.distribution.models import (
    Bounce,
    BounceKind,
    Dispatch,
    DispatchState,
    Subscription,
    SubscriptionChannel,
    mask_email,
    normalize_email,
)

logger = logging.getLogger(__name__)


def max_bytes() -> int:
    """The largest report read (``DISTRIBUTION_BOUNCE_MAX_BYTES``, 5 MiB): a hundred times what relays return by
    default (Postfix cuts the original at 50 kB, Exim at 100 kB); a larger message is refused unread."""
    return int(getattr(settings, "DISTRIBUTION_BOUNCE_MAX_BYTES", 5 * 1024 * 1024))


# Reading a report --------------------------------------------------------------------------------------------------


class TooLarge(ValueError):
    """The message is larger than ``max_bytes()``: it is not read."""


@dataclass(frozen=True)
class Failure:
    """One recipient a report says the message could not be delivered to."""

    message_id: str  # the original message's, "<…>"; empty when the report does not say
    recipient: str  # Final-Recipient
    original_recipient: str  # Original-Recipient, when given (the address before an alias was expanded)
    action: str
    status: str  # "5.1.1"
    diagnostic: str  # what the remote server said, when the report gives it
    code: int | None  # the SMTP reply code in the diagnostic


@dataclass(frozen=True)
class Report:
    """What one message says: ``kind`` "dsn" (RFC 3464), "plain" (a bounce without a delivery-status part, read as
    far as is safe), or "" for a message that is not a bounce (``why``)."""

    kind: str
    message_id: str = ""
    failures: tuple[Failure, ...] = ()
    delayed: int = 0
    why: str = ""

    @property
    def is_bounce(self) -> bool:
        return bool(self.failures)


STATUS_TYPES = ("message/delivery-status", "message/global-delivery-status")
ORIGINAL_TYPES = ("message/rfc822", "message/global", "message/global-headers", "text/rfc822-headers")
DAEMONS = frozenset({"mailer-daemon", "mailerdaemon", "mail-daemon", "postmaster"})

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_REPLY = re.compile(r"^\s*([245]\d\d)\b")
# A plain bounce's own text ends where the copy of the original begins (Exim, qmail, and the usual phrasings).
_COPY_FOLLOWS = re.compile(
    r"^.*(?:copy of the (?:original )?message|original message follows|returned message follows|"
    r"undelivered message follows|original message headers|headers of the original message).*$",
    re.IGNORECASE | re.MULTILINE,
)
# In a plain bounce's text: a permanent status (an enhanced code, a 5xx reply, or the words), and a delay's words.
_PERMANENT_STATUS = re.compile(r"(?<![\d.])5\.\d{1,3}\.\d{1,3}\b")
_PERMANENT_REPLY = re.compile(r"(?<![\w.:/-])5[0-5]\d(?=[ -])")
_PERMANENT_WORDS = re.compile(r"permanent (?:error|failure)|failed permanently", re.IGNORECASE)
_WAITING = re.compile(r"not yet been delivered|will (?:continue|keep) trying|still trying|delayed", re.IGNORECASE)


def parse(raw: bytes) -> Report:
    """What ``raw`` (one message, headers and body) reports. ``TooLarge`` beyond ``max_bytes()``; a message the
    email package cannot make sense of is not a bounce."""
    if len(raw) > max_bytes():
        raise TooLarge(len(raw))
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        return _dsn(message) or _plain(message) or Report("", why="no delivery status and no original of ours")
    except Exception as error:  # mail from anyone: a broken message is not a bounce, never a crash
        logger.info("An unreadable message was taken for no bounce: %s: %s", type(error).__name__, error)
        return Report("", why=f"unreadable: {type(error).__name__}")


def _parts(part: Message) -> Iterator[Message]:
    """The parts of a message, depth first, not looking inside an attached message: an original, or a bounce that
    someone forwarded, is not this message's report."""
    yield part
    if part.get_content_maintype() == "multipart":
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    yield from _parts(sub)


def _clean(value: str) -> str:
    """A field's value as text: 8-bit bytes read as UTF-8 (a global report's addresses and diagnostics), encoded
    words decoded, whitespace and folding made single spaces."""
    value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if "=?" in value:
        with contextlib.suppress(HeaderParseError, LookupError, UnicodeError, ValueError):
            value = str(make_header(decode_header(value)))
    return " ".join(value.split())


def _fields(items: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Fields by lower-cased name, the first of each (the raw values: no header parser runs on a stranger's text)."""
    found: dict[str, str] = {}
    for name, value in items:
        found.setdefault(name.strip().lower(), _clean(str(value)))
    return found


def _text_blocks(text: str) -> list[dict[str, str]]:
    """Blocks of fields separated by blank lines, as a delivery-status part holds them."""
    blocks = []
    for chunk in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
        items: list[tuple[str, str]] = []
        for line in chunk.split("\n"):
            if line[:1] in (" ", "\t") and items:
                items[-1] = (items[-1][0], items[-1][1] + " " + line.strip())
                continue
            name, colon, value = line.partition(":")
            if colon and name.strip() and " " not in name.strip():
                items.append((name, value))
        if items:
            blocks.append(_fields(items))
    return blocks


def _raw_items(message: Message) -> list[tuple[str, Any]]:
    # The headers as they came, with their 8-bit bytes kept (``_clean`` reads them as UTF-8): the policy's parsed
    # values would have made them replacement characters, and would run a header parser on them.
    return list(message.raw_items())


def _status_blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    if isinstance(payload, str):
        return _text_blocks(payload)
    blocks: list[dict[str, str]] = []
    for block in payload:
        if not isinstance(block, Message):
            continue
        fields_ = _fields(_raw_items(block))
        if fields_:
            blocks.append(fields_)
        # The email package splits only ``message/delivery-status`` into blocks; the global kind comes as one
        # message whose body holds the recipients' blocks (and an encoded part, all of it).
        body = block.get_payload(decode=True)
        if isinstance(body, bytes) and body.strip():
            blocks.extend(_text_blocks(body.decode("utf-8", "replace")))
    return blocks


def _address(value: str) -> str:
    """``rfc822; anna@example.org`` (or ``utf-8; …``) → ``anna@example.org``."""
    kind, semicolon, address = value.partition(";")
    return (address if semicolon else kind).strip().strip("<>").strip()


def _diagnostic(value: str) -> tuple[str, int | None]:
    """``smtp; 550 5.1.1 …`` → the text and its reply code."""
    kind, semicolon, text = value.partition(";")
    if semicolon and kind.strip() and " " not in kind.strip():
        value = text
    value = value.strip()
    match = _REPLY.match(value)
    return value[:1000], int(match.group(1)) if match else None


def _message_id(value: str) -> str:
    match = _MESSAGE_ID.search(value or "")
    return match.group(0) if match else ""


def _original_headers(part: Message) -> Message | None:
    """The headers of an original message attached to a report, by any of the ways reports attach it."""
    if part.get_content_type() == "text/rfc822-headers":
        return HeaderParser(policy=policy.compat32).parsestr(_text(part))
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    return None


def _header(message: Message, name: str) -> str:
    return _fields(_raw_items(message)).get(name.lower(), "")


def _text(part: Message) -> str:
    body = part.get_payload(decode=True)
    if not isinstance(body, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return body.decode(charset, "replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", "replace")


def _dsn(message: Message) -> Report | None:
    parts = list(_parts(message))
    status_part = next((p for p in parts if p.get_content_type() in STATUS_TYPES), None)
    if status_part is None:
        return None
    message_id = ""
    for part in parts:
        if part.get_content_type() in ORIGINAL_TYPES and (headers := _original_headers(part)) is not None:
            message_id = _message_id(_header(headers, "message-id"))
            if message_id:
                break
    if not message_id:
        # A report that did not return the original (RET=HDRS ignored) may still name it, as some do.
        message_id = next(
            (found for name in ("in-reply-to", "references") if is_ours(found := _message_id(_header(message, name)))),
            "",
        )
    failures: list[Failure] = []
    delayed = 0
    blocks = [b for b in _status_blocks(status_part) if "final-recipient" in b or "original-recipient" in b]
    # An address that an alias expanded into several, of which one at least received the message, did not bounce:
    # a failure of another of them is not its failure.
    reached = {
        _address(b.get("original-recipient", "")).lower()
        for b in blocks
        if b.get("action", "").lower() in ("delivered", "relayed", "expanded")
    }
    for block in blocks:
        action = block.get("action", "").lower()
        status = _STATUS.search(block.get("status", ""))
        if action == "delayed":
            delayed += 1
            continue
        if action != "failed" and not (not action and status and status.group(1) == "5"):
            continue  # delivered, relayed, expanded
        diagnostic, code = _diagnostic(block.get("diagnostic-code", ""))
        original = _address(block.get("original-recipient", ""))
        failures.append(
            Failure(
                message_id=message_id,
                recipient=_address(block.get("final-recipient", "")),
                original_recipient="" if original.lower() in reached else original,
                action=action or "failed",
                status=status.group(0) if status else "",
                diagnostic=diagnostic,
                code=code,
            )
        )
    if not failures:
        return Report("", message_id, delayed=delayed, why="delayed, not failed" if delayed else "no failed recipient")
    return Report("dsn", message_id, tuple(failures), delayed)


def _from_a_mail_system(message: Message) -> bool:
    if _header(message, "return-path").replace(" ", "") == "<>":
        return True
    return any(
        address.partition("@")[0].lower() in DAEMONS for _name, address in getaddresses([_header(message, "from")])
    )


def _plain(message: Message) -> Report | None:
    """A bounce without a delivery-status part, read only as far as is safe (see the module's text)."""
    if not _from_a_mail_system(message):
        return None
    original: Message | None = None
    texts: list[str] = []
    for part in _parts(message):
        kind = part.get_content_type()
        if kind in ORIGINAL_TYPES:
            if original is None:
                original = _original_headers(part)
        elif kind == "text/plain":
            text = _text(part)
            copy = _COPY_FOLLOWS.search(text)
            if copy is not None:
                if original is None:
                    original = HeaderParser(policy=policy.compat32).parsestr(text[copy.end() :].lstrip())
                text = text[: copy.start()]
            texts.append(text)
    if original is None:
        return None
    message_id = _message_id(_header(original, "message-id"))
    if not message_id:
        return None
    report = "\n".join(texts)
    if _WAITING.search(report) or _WAITING.search(_header(message, "subject")):
        return Report("", message_id, why="a delay warning")
    status, diagnostic, code = _permanent(report)
    named = report.lower()
    failed = [
        address for _name, address in getaddresses([_header(original, "to")]) if address and address.lower() in named
    ]
    if not status or not failed:
        return Report("", message_id, why="no permanent failure of the original's recipient")
    return Report(
        "plain",
        message_id,
        tuple(Failure(message_id, address, "", "failed", status, diagnostic, code) for address in failed),
    )


def _permanent(text: str) -> tuple[str, str, int | None]:
    """A plain bounce's permanent status, the line that says it, and its reply code; ("", "", None) if none. A line
    with a code is preferred to one that only says "permanent error"."""
    lines = text.splitlines()
    for line in lines:
        status = _PERMANENT_STATUS.search(line)
        reply = _PERMANENT_REPLY.search(line)
        if status or reply:
            return (
                status.group(0) if status else f"{reply.group(0)[0]}.0.0" if reply else "5.0.0",
                " ".join(line.split())[:1000],
                int(reply.group(0)) if reply else None,
            )
    for line in lines:
        if _PERMANENT_WORDS.search(line):
            return "5.0.0", " ".join(line.split())[:1000], None
    return "", "", None


# Recording ---------------------------------------------------------------------------------------------------------

# The inverse of ``Dispatch.make_message_id``. At most 18 digits: a forged number no database column can hold is
# unknown, not an error of the database.
_OURS = re.compile(r"<dispatch-(\d{1,18})\.(\d{1,9})@([^<>\s]+)>")


def _host() -> str:
    return (urlsplit(settings.SITE_URL).hostname or "liaison.invalid").lower()


def dispatch_of(message_id: str) -> tuple[int, int] | None:
    """The dispatch and round a Message-ID of Liaison's names, or None for any other."""
    match = _OURS.fullmatch(message_id.strip())
    if match is None or match.group(3).lower() != _host():
        return None
    return int(match.group(1)), int(match.group(2))


def is_ours(message_id: str) -> bool:
    return dispatch_of(message_id) is not None


class Outcome(StrEnum):
    RECORDED = "recorded"
    KNOWN = "known"  # recorded already, or about a round sent again since
    UNKNOWN = "unknown"  # not a message of Liaison's, or of a dispatch that no longer exists
    IGNORED = "ignored"  # Liaison's, but for another address, or a dispatch a bounce does not fit


# A bounce report is believed for a dispatch that was sent, or that failed since (tried again after the relay had
# taken the message once). One waiting or being sent is left to the sender, whose attempt has an outcome of its own.
BOUNCEABLE = (DispatchState.SENT, DispatchState.FAILED)


def _same_address(failure: Failure, address: str) -> bool:
    reported = {normalize_email(a) for a in (failure.recipient, failure.original_recipient) if a}
    ours = {normalize_email(address)}
    with contextlib.suppress(ValueError):  # as the envelope had it: an IDN domain in punycode
        ours.add(normalize_email(envelope_address(address)))
    return bool(reported & ours)


def _bounced_in_a_row(subscription: Subscription) -> int:
    """Bounced dispatches at the end of the subscription's sent ones (since it last became active), latest first.

    The sender resets the subscription's count whenever a server accepts a message, and a relay accepts every one:
    a report arriving between two issues would find the count at zero each time, and no address would ever be
    paused. The dispatches themselves keep the truth."""
    rows = Dispatch.objects.filter(subscription=subscription, state__in=(DispatchState.SENT, DispatchState.BOUNCED))
    if subscription.state_changed_at is not None:
        rows = rows.filter(updated__gte=subscription.state_changed_at)
    n = 0
    for state in rows.order_by("-pk").values_list("state", flat=True)[: services.pause_after()]:
        if state != DispatchState.BOUNCED:
            break
        n += 1
    return n


def record(failure: Failure) -> tuple[Outcome, bool]:
    """Record one failure a report gives (see the module's text); returns what became of it and whether it paused
    the subscription."""
    found = dispatch_of(failure.message_id)
    if found is None:
        logger.info("A bounce report about %s, not a message of Liaison's: nothing recorded", failure.message_id or "?")
        return Outcome.UNKNOWN, False
    pk, round_ = found
    dispatch = Dispatch.objects.select_related("subscription__subscriber").filter(pk=pk).first()
    if dispatch is None:
        logger.info("A bounce report about dispatch %s, which no longer exists: nothing recorded", pk)
        return Outcome.UNKNOWN, False
    if round_ != dispatch.resends:
        if round_ < dispatch.resends:
            logger.info("A bounce report about dispatch %s's round %s, sent again since: nothing recorded", pk, round_)
            return Outcome.KNOWN, False
        logger.warning("A bounce report about dispatch %s's round %s, never sent: nothing recorded", pk, round_)
        return Outcome.UNKNOWN, False
    subscription = dispatch.subscription
    if subscription.channel != SubscriptionChannel.EMAIL or not _same_address(failure, subscription.subscriber.email):
        logger.warning(
            "A bounce report about dispatch %s names %s, not its subscriber's address: nothing recorded",
            pk,
            mask_email(failure.recipient) or "no address",
        )
        return Outcome.IGNORED, False
    if dispatch.state == DispatchState.BOUNCED:
        return Outcome.KNOWN, False
    if dispatch.state not in BOUNCEABLE:
        logger.warning("A bounce report about dispatch %s, now %s: nothing recorded", pk, dispatch.state)
        return Outcome.IGNORED, False
    text = _("Reported by mail after it was sent: %(status)s %(diagnostic)s") % {
        "status": failure.status,
        "diagnostic": failure.diagnostic,
    }
    text = text.strip()[:2000]
    paused = False
    with transaction.atomic():
        # Conditional on the round and state read: a second reader of the same report, or the sender, that moved
        # it meanwhile wins, and this records nothing.
        done = Dispatch.objects.filter(pk=pk, resends=round_, state=dispatch.state).update(
            state=DispatchState.BOUNCED, last_error=text, updated=timezone.now()
        )
        if done:
            Bounce.objects.create(dispatch_id=pk, kind=BounceKind.PERMANENT, code=failure.code, message=text)
            paused = services.count_bounce(subscription.pk, text, in_a_row=_bounced_in_a_row(subscription))
    if not done:
        return Outcome.KNOWN, False
    return Outcome.RECORDED, paused


@dataclass
class Tally:
    """What reading reports did: messages by what they were (not a bounce, too large) and failures by outcome."""

    messages: int = 0
    recorded: int = 0
    known: int = 0
    unknown: int = 0
    ignored: int = 0
    not_bounce: int = 0
    too_large: int = 0
    paused: int = 0

    def add(self, other: Tally) -> None:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def process(raw: bytes) -> Tally:
    """Read one message and record the failures it reports. Errors of the database are raised: the caller tries the
    message again later (recording is idempotent)."""
    tally = Tally(messages=1)
    try:
        report = parse(raw)
    except TooLarge:
        logger.warning("A message of more than %s bytes was not read as a bounce report", max_bytes())
        tally.too_large = 1
        return tally
    if not report.is_bounce:
        logger.info("Not a bounce report (%s): nothing recorded", report.why)
        tally.not_bounce = 1
        return tally
    for failure in report.failures:
        outcome, paused = record(failure)
        setattr(tally, outcome.value, getattr(tally, outcome.value) + 1)
        tally.paused += paused
    return tally
