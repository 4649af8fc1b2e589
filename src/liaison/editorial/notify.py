"""Telling a section what happened to its contributions and calls: a notice on its dashboard and an email to each
correspondent with an address, in the correspondent's own interface language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from liaison.editorial.models import Notice
from liaison.federation.access import active_roles
from liaison.federation.models import Role, RoleKind


def notice(section_id: int, kind: str, **about: Any) -> Notice:
    created = Notice.objects.create(section_id=section_id, kind=kind, **about)
    transaction.on_commit(lambda: mail_notice(created.pk))
    return created


def mail_notice(notice_id: int) -> int:
    """Mail a notice to its section's correspondents; returns how many messages went out."""
    item = (
        Notice.objects.select_related(
            "section",
            "call__issue__periodical",
            "decision__contribution",
            "deferral__contribution",
            "deferral__to_issue",
            "deferral__from_issue",
        )
        .filter(pk=notice_id)
        .first()
    )
    if item is None:
        return 0
    recipients = (
        Role.objects.filter(active_roles(), section_id=item.section_id, kind=RoleKind.CORRESPONDENT)
        .exclude(person__user__isnull=True)
        .exclude(person__user__email="")
        .values_list("person__user__email", "person__user__language")
    )
    messages = []
    for email, language in recipients:
        with translation.override(language or settings.LANGUAGE_CODE):
            context = {"notice": item, "site_url": settings.SITE_URL}
            subject = " ".join(render_to_string("editorial/email/notice_subject.txt", context).split())
            body = render_to_string("editorial/email/notice_body.txt", context)
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [email]))
    return send_mass_mail(messages, fail_silently=False) if messages else 0
