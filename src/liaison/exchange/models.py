"""The exchange of sections' papers: what Liaison keeps beside the distribution app's rows.

An exchange partnership *is* a distribution ``Subscription``: the receiving section's subscriber, subscribed to the
publishing section's paper in the paper's language (by post). ``Partnership`` only adds what a subscription does not
say: how often the partner expects the paper (left empty, the paper's own frequency). Arrivals are distribution
``Receipt`` rows and claims distribution ``Claim`` rows; the issues are ``periodicals.Issue`` rows. The one thing
of its own the exchange stores is the PDF of an issue, ``IssueFile``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.periodicals.models import Frequency


class Partnership(models.Model):
    """The terms of one exchange partnership (one distribution subscription of a section to another's paper)."""

    subscription = models.OneToOneField(
        "distribution.Subscription",
        on_delete=models.CASCADE,
        related_name="partnership",
        verbose_name=_("subscription"),
    )
    frequency = models.CharField(
        _("expected frequency"),
        max_length=20,
        choices=Frequency.choices,
        blank=True,
        help_text=_("How often the partner expects the paper; left empty, the paper's own frequency."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("exchange partnership")
        verbose_name_plural = _("exchange partnerships")

    def __str__(self) -> str:
        return f"{self.subscription_id}: {self.frequency or '-'}"


def issue_file_path(instance: IssueFile, filename: str) -> str:
    """Where an uploaded PDF is stored: never under the name the browser sent (it may hold ``../`` or worse), but
    under the periodical's id, the issue's number and a random token, so no path can be guessed or collide."""
    issue = instance.issue
    return f"exchange/{issue.periodical_id}/{issue.number}-{secrets.token_hex(8)}.pdf"


class IssueFile(models.Model):
    """The PDF of a registered issue of a section's paper, as its section uploaded it."""

    issue = models.OneToOneField(
        "periodicals.Issue", on_delete=models.CASCADE, related_name="exchange_file", verbose_name=_("issue")
    )
    file = models.FileField(_("file"), upload_to=issue_file_path, max_length=200)
    # The uploader's file name, cleaned (no directories, no control characters): offered again on download.
    name = models.CharField(_("file name"), max_length=150)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("issue PDF")
        verbose_name_plural = _("issue PDFs")

    def __str__(self) -> str:
        return self.name
