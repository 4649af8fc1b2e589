"""Periodicals: the federation's bulletins and each section's own paper."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.federation.models import Section


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("weekly")
    FORTNIGHTLY = "fortnightly", _("fortnightly")
    MONTHLY = "monthly", _("monthly")
    BIMONTHLY = "bimonthly", _("every two months")
    QUARTERLY = "quarterly", _("quarterly")
    IRREGULAR = "irregular", _("irregular")


class Periodical(models.Model):
    """A periodical. Without a section it is the federation's own (a bulletin); with one, that section's paper."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=100, unique=True, allow_unicode=True)
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="periodicals",
        verbose_name=_("section"),
    )
    language = models.CharField(_("language"), max_length=15)
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("periodical")
        verbose_name_plural = _("periodicals")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
