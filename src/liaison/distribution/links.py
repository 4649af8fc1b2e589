"""The signed links of distribution emails: confirm a subscription, unsubscribe, say an issue arrived.

A link carries the row's id signed with the site's secret and a timestamp (``TimestampSigner``), each kind of link
with its own salt so that one kind can never be used as another. Nothing is stored per link: a forged or altered
link fails the signature, an old one its age, and both are refused with a message a reader understands.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.distribution.models import Dispatch, Subscription
from liaison.errors import LiaisonError

CONFIRM_SALT = "liaison.distribution.confirm"
UNSUBSCRIBE_SALT = "liaison.distribution.unsubscribe"
RECEIPT_SALT = "liaison.distribution.receipt"


class BadLink(LiaisonError):
    """A signed link that was altered, forged, or is too old: nothing is done."""


def confirm_max_age() -> datetime.timedelta:
    """How long a confirmation link works: a week by default (``DISTRIBUTION_CONFIRM_DAYS``)."""
    return datetime.timedelta(days=getattr(settings, "DISTRIBUTION_CONFIRM_DAYS", 7))


def link_max_age() -> datetime.timedelta:
    """How long the unsubscribe and receipt links of an email work: two years by default
    (``DISTRIBUTION_LINK_DAYS``), long enough for an issue read late, not for ever."""
    return datetime.timedelta(days=getattr(settings, "DISTRIBUTION_LINK_DAYS", 730))


def sign(salt: str, pk: int) -> str:
    return signing.TimestampSigner(salt=salt).sign(str(pk))


def unsign(salt: str, token: str, max_age: datetime.timedelta) -> int:
    """The id a link was made for; ``BadLink`` (field ``token``) when it was altered, forged or is too old."""
    try:
        value = signing.TimestampSigner(salt=salt).unsign(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise BadLink(
            _("This link has expired. Links in our emails work for a limited time: ask for a new one."), field="token"
        ) from exc
    except signing.BadSignature as exc:
        raise BadLink(
            _("This link is not valid: it may have been cut or altered. Copy the whole link from the email."),
            field="token",
        ) from exc
    try:
        return int(value)
    except ValueError as exc:  # only a holder of the secret could sign such a value
        raise BadLink(_("This link is not valid."), field="token") from exc


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def confirm_url(subscription: Subscription) -> str:
    return absolute(reverse("distribution:confirm", args=[sign(CONFIRM_SALT, subscription.pk)]))


def unsubscribe_url(subscription: Subscription) -> str:
    """The landing page: it asks the reader to press a button (a link followed by a mail scanner does nothing)."""
    return absolute(reverse("distribution:unsubscribe", args=[sign(UNSUBSCRIBE_SALT, subscription.pk)]))


def one_click_url(subscription: Subscription) -> str:
    """The RFC 8058 target: a POST with ``List-Unsubscribe=One-Click`` ends the subscription without a page."""
    return absolute(reverse("distribution:one_click", args=[sign(UNSUBSCRIBE_SALT, subscription.pk)]))


def unsubscribe_headers(subscription: Subscription) -> dict[str, str]:
    """The headers every distribution email carries (RFC 2369 and RFC 8058): one-click unsubscribe by HTTPS."""
    return {
        "List-Unsubscribe": f"<{one_click_url(subscription)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def receipt_url(dispatch: Dispatch) -> str:
    """The "I received it" link of an email: the only way Liaison learns that an email arrived (no pixels)."""
    return absolute(reverse("distribution:receipt", args=[sign(RECEIPT_SALT, dispatch.pk)]))
