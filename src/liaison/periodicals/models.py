"""Periodicals: the federation's bulletins and each section's own paper."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison.federation.models import Section


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("weekly")
    FORTNIGHTLY = "fortnightly", _("fortnightly")
    MONTHLY = "monthly", _("monthly")
    BIMONTHLY = "bimonthly", _("every two months")
    QUARTERLY = "quarterly", _("quarterly")
    IRREGULAR = "irregular", _("irregular")


class Audience(models.TextChoices):
    PUBLIC = "public", _("everyone (public)")
    MEMBERS = "members", _("members of the federation (internal)")


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
    audience = models.CharField(
        _("audience"),
        max_length=10,
        choices=Audience.choices,
        default=Audience.PUBLIC,
        help_text=_("Who reads a bulletin: everyone, or only the federation's members."),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("periodical")
        verbose_name_plural = _("periodicals")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_bulletin(self) -> bool:
        """A bulletin is edited in Liaison; a section's paper only has its issues registered here."""
        return self.section_id is None


class IssueStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("issue status", "planned")
    OPEN = "open", pgettext_lazy("issue status", "open for contributions")
    ASSEMBLY = "assembly", pgettext_lazy("issue status", "in assembly")
    PUBLISHED = "published", pgettext_lazy("issue status", "published")


class Issue(models.Model):
    """A numbered issue of a periodical. Numbers are unique per periodical; a skipped number records why."""

    periodical = models.ForeignKey(Periodical, on_delete=models.CASCADE, related_name="issues")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=IssueStatus.choices, default=IssueStatus.PLANNED)
    planned_date = models.DateField(_("planned date"), null=True, blank=True)
    budget_pages = models.DecimalField(_("space budget (pages)"), max_digits=6, decimal_places=2, default=16)
    gap_reason = models.TextField(_("why numbers were skipped"), blank=True)
    published_at = models.DateTimeField(pgettext_lazy("date", "published"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["periodical", "number"]
        constraints = [
            models.UniqueConstraint(fields=["periodical", "number"], name="issue_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="issue_number_positive"),
        ]

    def __str__(self) -> str:
        return _("%(periodical)s No. %(number)s") % {"periodical": self.periodical.name, "number": self.number}
