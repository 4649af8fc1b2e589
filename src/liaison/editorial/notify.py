"""Telling a section what happened to its contributions and calls: a notice on its dashboard and an email to each
correspondent with an address, in the correspondent's own interface language.

The mail goes out once the transaction that made the notice commits (a rolled-back decision tells no one), and a
notice is claimed before it is mailed, so no notice is ever mailed twice, even if sending is retried.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from liaison.editorial.models import Notice
from liaison.federation.access import active_roles
from liaison.federation.models import Role, RoleKind

log = logging.getLogger(__name__)


def notice(section_id: int, kind: str, **about: Any) -> Notice:
    created = Notice.objects.create(section_id=section_id, kind=kind, **about)
    # robust: a mail server that is down must not turn a recorded decision into an error page. The notice stays
    # unmailed and ``mail_pending`` sends it later.
    transaction.on_commit(lambda: mail_notice(created.pk), robust=True)
    return created


def notices(kind: str, about: list[tuple[int, dict[str, Any]]]) -> list[Notice]:
    """``notice`` for each (section, what it is about) of ``about``, in one query, mailed together on commit."""
    created = Notice.objects.bulk_create(Notice(section_id=section_id, kind=kind, **what) for section_id, what in about)
    ids = [n.pk for n in created]
    transaction.on_commit(lambda: mail_notices(ids), robust=True)
    return created


def recipients(item: Notice) -> list[tuple[str, str]]:
    """(address, language) of the section's correspondents with an email address, each address once. Whoever made
    the decision is not told of it."""
    roles = Role.objects.filter(active_roles(), section_id=item.section_id, kind=RoleKind.CORRESPONDENT).exclude(
        Q(person__user__isnull=True) | Q(person__user__email="")
    )
    if item.decision_id is not None and item.decision is not None and item.decision.actor_id is not None:
        roles = roles.exclude(person__user_id=item.decision.actor_id)
    seen: dict[str, str] = {}
    for email, language in roles.order_by("person__user_id").values_list(
        "person__user__email", "person__user__language"
    ):
        seen.setdefault(email.lower(), language or settings.LANGUAGE_CODE)
    return sorted(seen.items())


def mail_notice(notice_id: int) -> int:
    """Mail a notice to its section's correspondents; returns how many messages went out (0 if it already went)."""
    # The claim: only the caller that sets ``mailed_at`` sends, whoever else is trying at the same moment.
    if not Notice.objects.filter(pk=notice_id, mailed_at__isnull=True).update(mailed_at=timezone.now()):
        return 0
    item = Notice.objects.select_related(
        "section",
        "call__issue__periodical",
        "decision__contribution",
        "deferral__contribution",
        "deferral__to_issue",
        "deferral__from_issue",
    ).get(pk=notice_id)
    messages = []
    for email, language in recipients(item):
        with translation.override(language):
            context = {"notice": item, "site_url": settings.SITE_URL}
            subject = " ".join(render_to_string("editorial/email/notice_subject.txt", context).split())
            body = render_to_string("editorial/email/notice_body.txt", context)
        messages.append(
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email], headers={"Content-Language": language})
        )
    if not messages:
        return 0
    try:
        return get_connection(fail_silently=False).send_messages(messages) or 0
    except Exception:
        # Not sent: release the claim so that a later ``mail_pending`` tries again.
        Notice.objects.filter(pk=notice_id).update(mailed_at=None)
        log.exception("Notice %s could not be mailed", notice_id)
        raise


def mail_notices(notice_ids: list[int]) -> int:
    """``mail_notice`` for each of them; the notices no one is to receive (their section has no correspondent with
    an address) are claimed together, in one query rather than three each. Returns how many messages went out."""
    found = list(Notice.objects.filter(pk__in=notice_ids, mailed_at__isnull=True).select_related("decision"))
    told: dict[tuple[int, int | None], bool] = {}
    silent: set[int] = set()
    for item in found:
        key = (item.section_id, item.decision.actor_id if item.decision is not None else None)
        if key not in told:
            told[key] = bool(recipients(item))
        if not told[key]:
            silent.add(item.pk)
    if silent:
        Notice.objects.filter(pk__in=silent, mailed_at__isnull=True).update(mailed_at=timezone.now())
    sent = 0
    for item in found:
        if item.pk in silent:
            continue
        try:
            sent += mail_notice(item.pk)
        except Exception:  # noqa: S112 - logged in mail_notice; the others still go
            continue
    return sent


def mail_pending() -> int:
    """Mail every notice not mailed yet (after the mail server was down); returns how many messages went out."""
    sent = 0
    for notice_id in Notice.objects.filter(mailed_at__isnull=True).values_list("pk", flat=True):
        try:
            sent += mail_notice(notice_id)
        except Exception:  # noqa: S112 - logged in mail_notice; the others still go
            continue
    return sent
