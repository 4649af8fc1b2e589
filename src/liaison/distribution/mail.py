"""The email a dispatch sends: the edition's email rendering, with the subscriber's own links, ready for SMTP.

The body is the publishing app's email edition (``publishing.renderers.email``: an HTML part and a plain-text part,
in the edition's language, linking to the web pages and to the downloads), linking to the formats the subscription
asked for among those published. Below it, in the subscription's language, a footer with the reader's own two
signed links: "I received it" (``links.receipt_url``, the only way Liaison learns that an issue arrived) and
"unsubscribe" (the landing page). The headers carry the one-click unsubscribe of RFC 8058 (``List-Unsubscribe`` and
``List-Unsubscribe-Post``, from ``links.unsubscribe_headers``), a ``List-Id`` (RFC 2919) and a Message-ID derived
from the dispatch and its round (``Dispatch.make_message_id``): every attempt of a round carries the same one, so
a receiving system that sees a message twice (see ``sending``) can tell it is the same message.

Nothing in a message is fetched when it is opened: the edition has no image, no remote stylesheet, no pixel, and
the footer adds none. Whether a message was opened is never known, and never counted as a receipt.

Rendering an edition reads the database and parses every text: a ``MailBuilder`` does it once per edition, set of
formats and footer language, serializes that message once with stand-ins where subscribers differ (``Template``),
and fills them in for each subscriber: building a message then costs a few dozen microseconds, not milliseconds.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from email.utils import formatdate, parseaddr
from html import escape
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from liaison.distribution import links
from liaison.distribution.models import Dispatch, Subscription
from liaison.distribution.notify import mail_language
from liaison.errors import LiaisonError
from liaison.publishing import storage
from liaison.publishing.models import Edition, EditionFile, FileFormat
from liaison.publishing.renderers import email as email_edition

# Stand-ins for what differs from one subscriber to the next, in the parts and the headers rendered once per edition;
# replaced in every message. None is a prefix of another.
RECEIPT = "LIAISON-TEXT-RECEIPT-URL"
UNSUBSCRIBE = "LIAISON-TEXT-UNSUBSCRIBE-URL"
HTML_RECEIPT = "LIAISON-HTML-RECEIPT-URL"
HTML_UNSUBSCRIBE = "LIAISON-HTML-UNSUBSCRIBE-URL"
TO = "liaison-recipient@placeholder.invalid"
MESSAGE_ID = "<liaison-message-id@placeholder.invalid>"
DATE = "LIAISON-DATE"
# As long as a real one-click address, so that the header is folded the same way (RFC 5322 folds long lines).
ONE_CLICK = "http://liaison-one-click.invalid/" + "x" * 90
SIGNED = "LIAISON-SIGNED-VALUE"
_BODY_END = re.compile(r"</body>", re.IGNORECASE)


def from_address() -> str:
    """The sender of distribution emails: ``DISTRIBUTION_FROM_EMAIL``, else ``DEFAULT_FROM_EMAIL``."""
    return str(getattr(settings, "DISTRIBUTION_FROM_EMAIL", "") or settings.DEFAULT_FROM_EMAIL)


def list_id(edition: Edition) -> str:
    """``<bulletin.example.org>`` (RFC 2919): one list per periodical, so that mail filters can sort it."""
    host = urlsplit(settings.SITE_URL).hostname or "liaison.invalid"
    slug = edition.issue.periodical.slug
    label = slug if slug.isascii() else f"periodical-{edition.issue.periodical_id}"
    return f"<{label}.{host}>"


def linked_formats(subscription: Subscription, published: frozenset[str]) -> tuple[str, ...]:
    """The downloads a subscriber's email links to: those published that the subscription asked for (all of them
    when it names none). The web pages are always linked: they are the edition itself."""
    wanted = set(subscription.formats or ()) or set(email_edition.DOWNLOADS)
    return tuple(fmt for fmt in email_edition.DOWNLOADS if fmt in published and fmt in wanted)


@dataclass(frozen=True)
class EditionMail:
    """An edition's email, rendered once for a set of linked formats and a footer language, with stand-ins for the
    subscriber's links."""

    subject: str
    language: str
    html: str
    text: str
    list_id: str


class BadAddress(ValueError):
    """An address no SMTP envelope can hold: the message can never be sent to it."""


# A plain address (what subscribing accepts, almost always): used as it is, without the parser's cost.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def envelope_address(address: str) -> str:
    """The bare address as an SMTP envelope holds it (an internationalised domain in punycode, no display name);
    ``BadAddress`` when no envelope can."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return address
    try:
        return parseaddr(sanitize_address(address, settings.DEFAULT_CHARSET))[1]
    except ValueError as error:
        raise BadAddress(str(error)) from error


@dataclass(frozen=True)
class Outgoing:
    """A message as SMTP sends it: the envelope's bare addresses and the bytes (``stuffed``: ready for ``DATA``)."""

    sender: str
    recipients: list[str]
    data: bytes
    stuffed: bool = False


def stuffed(data: bytes) -> bytes:
    """The message as ``DATA`` carries it (RFC 5321 4.5.2): a leading dot doubled, ended by a lone dot."""
    data = _LEADING_DOT.sub(b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


_LEADING_DOT = re.compile(rb"(?m)^\.")


class Links:
    """A subscriber's signed links, as ``links`` makes them (the same signers, salts and addresses), with the
    addresses reversed and the signers made once per run rather than once per message."""

    def __init__(self) -> None:
        self.receipt = links.absolute(reverse("distribution:receipt", args=[SIGNED]))
        self.unsubscribe = links.absolute(reverse("distribution:unsubscribe", args=[SIGNED]))
        self.one_click = links.absolute(reverse("distribution:one_click", args=[SIGNED]))
        self.receipt_signer = signing.TimestampSigner(salt=links.RECEIPT_SALT)
        self.unsubscribe_signer = signing.TimestampSigner(salt=links.UNSUBSCRIBE_SALT)

    def receipt_url(self, dispatch: Dispatch) -> str:
        return self.receipt.replace(SIGNED, self.receipt_signer.sign(str(dispatch.pk)))

    def unsubscribe_urls(self, subscription: Subscription) -> tuple[str, str]:
        """The landing page, and the one-click address of RFC 8058."""
        token = self.unsubscribe_signer.sign(str(subscription.pk))
        return self.unsubscribe.replace(SIGNED, token), self.one_click.replace(SIGNED, token)


@dataclass(frozen=True)
class Template:
    """An edition's message serialized once (and dot-stuffed for ``DATA``), with stand-ins where each subscriber's
    message differs; filling them in gives the very bytes ``compose`` gives (``test_sending`` checks it), at a
    fraction of the cost."""

    data: bytes

    STAND_INS = (TO, MESSAGE_ID, DATE, ONE_CLICK, RECEIPT, UNSUBSCRIBE, HTML_RECEIPT, HTML_UNSUBSCRIBE)

    @classmethod
    def of(cls, mail: EditionMail) -> Template | None:
        """The template of ``mail``, or None when a part had to be encoded (quoted-printable, because of a line over
        998 characters, say), where a link cannot simply be put in: such messages are composed one by one."""
        message = EmailMultiAlternatives(
            subject=mail.subject,
            body=mail.text,
            from_email=from_address(),
            to=[TO],
            headers={
                "Date": DATE,
                "Message-ID": MESSAGE_ID,
                "Content-Language": mail.language,
                "List-Id": mail.list_id,
                "List-Unsubscribe": f"<{ONE_CLICK}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(mail.html, "text/html")
        data = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]  # Django's message takes it
        encoded = b"Content-Transfer-Encoding: quoted-printable" in data or b"Content-Transfer-Encoding: base64" in data
        if encoded or any(data.count(stand_in.encode()) != 1 for stand_in in cls.STAND_INS):
            return None
        # Ready for DATA once and for all: what is filled in (addresses, links, a date) never starts a line with a dot.
        return cls(stuffed(data))

    def fill(self, values: dict[str, str]) -> bytes:
        data = self.data
        for stand_in, value in values.items():
            data = data.replace(stand_in.encode(), value.encode())
        return data


class MailBuilder:
    """Builds the messages of dispatches, rendering each edition once (per set of formats and footer language).

    Keep one for a run of the sender, not for ever: an edition's rendering is cached by its id."""

    def __init__(self) -> None:
        self._renderings: dict[tuple[int, tuple[str, ...], str], EditionMail] = {}
        self._templates: dict[EditionMail, Template | None] = {}
        self._published: dict[int, frozenset[str]] = {}
        self._links: Links | None = None
        self._sender: str | None = None
        self._date = (0, "")

    def published_formats(self, edition: Edition) -> frozenset[str]:
        if edition.pk not in self._published:
            self._published[edition.pk] = frozenset(
                EditionFile.objects.filter(edition=edition).values_list("format", flat=True).distinct()
            )
        return self._published[edition.pk]

    def edition_mail(self, edition: Edition, formats: tuple[str, ...], footer_language: str) -> EditionMail:
        key = (edition.pk, formats, footer_language)
        found = self._renderings.get(key)
        if found is None:
            try:
                found = render_edition_mail(edition, formats, footer_language)
            except LiaisonError:
                # The edition can no longer be rendered as published (a translation was reopened since): its email
                # as published, linking to every format, is what goes out.
                found = render_edition_mail(edition, formats, footer_language, published_files=True)
            self._renderings[key] = found
        return found

    def mail_for(self, dispatch: Dispatch, edition: Edition) -> EditionMail:
        subscription = dispatch.subscription
        formats = linked_formats(subscription, self.published_formats(edition))
        return self.edition_mail(edition, formats, mail_language(subscription))

    def message(self, dispatch: Dispatch, edition: Edition) -> EmailMultiAlternatives:
        """The message of ``dispatch`` (its subscription and subscriber loaded), with ``edition``'s contents."""
        return compose(dispatch, self.mail_for(dispatch, edition))

    def outgoing(self, dispatch: Dispatch, edition: Edition) -> Outgoing:
        """The same message, ready for SMTP: filled in from the edition's template when it has one."""
        mail = self.mail_for(dispatch, edition)
        address = dispatch.subscription.subscriber.email
        if mail not in self._templates:
            self._templates[mail] = Template.of(mail)
        template = self._templates[mail]
        if self._sender is None:
            self._sender = envelope_address(from_address())
        sender = self._sender
        recipient = envelope_address(address)
        if template is None or not address.isascii():
            message = compose(dispatch, mail)
            data = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]
            return Outgoing(sender, [recipient], data)
        if self._links is None:
            self._links = Links()
        receipt = self._links.receipt_url(dispatch)
        unsubscribe, one_click = self._links.unsubscribe_urls(dispatch.subscription)
        data = template.fill(
            {
                TO: recipient,
                MESSAGE_ID: dispatch.make_message_id(),
                DATE: self.date(),
                ONE_CLICK: one_click,
                RECEIPT: receipt,
                UNSUBSCRIBE: unsubscribe,
                HTML_RECEIPT: escape(receipt),
                HTML_UNSUBSCRIBE: escape(unsubscribe),
            }
        )
        return Outgoing(sender, [recipient], data, stuffed=True)

    def date(self) -> str:
        """The Date header Django would write, made once a second."""
        now = int(time.time())
        if self._date[0] != now:
            self._date = (now, formatdate(now, localtime=settings.EMAIL_USE_LOCALTIME))
        return self._date[1]


def render_edition_mail(
    edition: Edition, formats: tuple[str, ...], footer_language: str, *, published_files: bool = False
) -> EditionMail:
    """Render the edition's email (publishing's renderer) and the footer, leaving stand-ins for the links; or, with
    ``published_files``, take the email edition's files as they were published."""
    edition = Edition.objects.select_related("issue__periodical").get(pk=edition.pk)
    html, text, subject = _published(edition) if published_files else _rendered(edition, formats)
    with translation.override(footer_language):
        context = {
            "periodical": edition.issue.periodical.name,
            "language": footer_language,
            "receipt_url": RECEIPT,
            "unsubscribe_url": UNSUBSCRIBE,
        }
        footer_text = render_to_string("distribution/email/dispatch_footer.txt", context)
        context.update(receipt_url=HTML_RECEIPT, unsubscribe_url=HTML_UNSUBSCRIBE)
        footer_html = render_to_string("distribution/email/dispatch_footer.html", context)
    # The footer goes inside the body, after the edition's own last line; its language is marked when it differs.
    parts = _BODY_END.split(html, maxsplit=1)
    html = parts[0] + footer_html + "</body>" + (parts[1] if len(parts) > 1 else "\n</html>\n")
    text = text.rstrip("\n") + "\n\n" + footer_text.strip() + "\n"
    return EditionMail(
        subject=subject,
        language=edition.language,
        html=html,
        text=text,
        list_id=list_id(edition),
    )


def _rendered(edition: Edition, formats: tuple[str, ...]) -> tuple[str, str, str]:
    # Imported here: publishing's services import much of the project, and this module is imported by the app's
    # task module at start-up.
    from liaison.publishing.services import data_for

    data = data_for(edition)
    rendered = email_edition.render(data, formats_present=formats)
    html = text = ""
    for name, content in rendered.files.items():
        if name.endswith(email_edition.HTML_SUFFIX):
            html = content.decode("utf-8")
        elif name.endswith(email_edition.TEXT_SUFFIX):
            text = content.decode("utf-8")
    return html, text, email_edition.subject(data)


def _published(edition: Edition) -> tuple[str, str, str]:
    """The email edition's two files as published; ``LookupError`` when it has none."""
    files = {
        f.path: storage.absolute(f.path).read_bytes()
        for f in EditionFile.objects.filter(edition=edition, format=FileFormat.EMAIL)
    }
    message = email_edition.message_from_files(files, to=[TO])
    html = next(content for content, kind in message.alternatives if kind == "text/html")
    return str(html), str(message.body), str(message.subject)


def headers(dispatch: Dispatch, mail: EditionMail) -> dict[str, str]:
    """Every header a dispatch's message carries besides From, To, Subject and Date."""
    return {
        "Message-ID": dispatch.make_message_id(),
        "Content-Language": mail.language,
        "List-Id": mail.list_id,
        **links.unsubscribe_headers(dispatch.subscription),
    }


def compose(dispatch: Dispatch, mail: EditionMail) -> EmailMultiAlternatives:
    """The message: the rendered edition with this subscriber's links filled in."""
    receipt = links.receipt_url(dispatch)
    unsubscribe = links.unsubscribe_url(dispatch.subscription)
    text = mail.text.replace(RECEIPT, receipt).replace(UNSUBSCRIBE, unsubscribe)
    html = mail.html.replace(HTML_RECEIPT, escape(receipt)).replace(HTML_UNSUBSCRIBE, escape(unsubscribe))
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=text,
        from_email=from_address(),
        to=[dispatch.subscription.subscriber.email],
        headers=headers(dispatch, mail),
    )
    message.attach_alternative(html, "text/html")
    return message


def dispatch_message(dispatch: Dispatch, edition: Edition | None = None) -> EmailMultiAlternatives:
    """The message of one dispatch (a preview, a test): its edition's current published version by default."""
    dispatch = Dispatch.objects.select_related("subscription__subscriber", "subscription__periodical").get(
        pk=dispatch.pk
    )
    if edition is None:
        edition = current_edition(dispatch)
    if edition is None:
        raise ValueError(f"dispatch {dispatch.pk} has no edition to send")
    return MailBuilder().message(dispatch, edition)


def current_edition(dispatch: Dispatch) -> Edition | None:
    """What a dispatch sends: the edition of its issue and language published now (a correction, if one came out
    since the dispatch was made), else the edition it was made for."""
    from liaison.publishing.models import EditionStatus

    found = Edition.objects.filter(
        issue_id=dispatch.issue_id, language=dispatch.language, status=EditionStatus.PUBLISHED
    ).first()
    if found is not None:
        return found
    if dispatch.edition_id is not None:
        return Edition.objects.filter(pk=dispatch.edition_id).first()
    return None
