"""The confirmation email of a reader's subscription (double opt-in), in the language they subscribed in.

It goes out once the transaction that recorded the pending subscription commits; a mail server that is down leaves
the subscription pending, and subscribing again later sends a new confirmation.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from liaison.distribution import links
from liaison.distribution.models import Subscription, SubscriptionState

log = logging.getLogger(__name__)


def mail_language(subscription: Subscription) -> str:
    """The subscription's language when the interface speaks it, else the subscriber's, else the site's."""
    spoken = {code for code, _name in settings.LANGUAGES}
    for candidate in (subscription.language, subscription.subscriber.language):
        if candidate in spoken:
            return candidate
        if candidate and candidate.split("-")[0] in spoken:
            return candidate.split("-")[0]
    return settings.LANGUAGE_CODE


def send_confirmation(subscription_id: int) -> int:
    """Mail the confirmation link of a pending subscription; returns how many messages went out (0 or 1)."""
    subscription = Subscription.objects.select_related("subscriber", "periodical").filter(pk=subscription_id).first()
    if subscription is None or subscription.state != SubscriptionState.PENDING or not subscription.subscriber.email:
        return 0
    language = mail_language(subscription)
    with translation.override(language):
        context = {
            "subscription": subscription,
            "periodical": subscription.periodical,
            "confirm_url": links.confirm_url(subscription),
            "days": links.confirm_max_age().days,
            "site_url": settings.SITE_URL,
        }
        subject = " ".join(render_to_string("distribution/email/confirm_subject.txt", context).split())
        body = render_to_string("distribution/email/confirm_body.txt", context)
    message = EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [subscription.subscriber.email],
        headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
    )
    try:
        return get_connection(fail_silently=False).send_messages([message]) or 0
    except Exception:
        log.exception("The confirmation of subscription %s could not be mailed", subscription_id)
        raise
