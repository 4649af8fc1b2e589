"""The federation registry: the federation, its regions and sections, their lineage, people and their roles."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from liaison.encryption import EncryptedTextField


class Federation(models.Model):
    """The one federation this installation serves (a single row, created by ``liaison demo`` or the admin)."""

    name = models.CharField(_("name"), max_length=200)
    founded = models.DateField(_("founded"), help_text=_("No lineage event may be dated before this day."))
    working_languages = models.JSONField(_("working languages"), default=list)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("federation")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="federation_single_row")]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short name"), max_length=100, unique=True, allow_unicode=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="region_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class SectionStatus(models.TextChoices):
    APPLICANT = "applicant", _("applicant")
    ADHERING = "adhering", _("adhering")
    OBSERVER = "observer", _("observer")
    SUSPENDED = "suspended", _("suspended")
    DISSOLVED = "dissolved", _("dissolved")


class Section(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=100, unique=True, allow_unicode=True)
    country = CountryField(_("country"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="sections", verbose_name=_("region"))
    languages = models.JSONField(_("languages"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=SectionStatus.choices, default=SectionStatus.APPLICANT
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["region__order", "name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="section_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    APPLIED = "applied", _("applied to join")
    ADHERED = "adhered", _("adhered")
    OBSERVER = "observer", _("became an observer")
    SPLIT_FROM = "split_from", _("split from")
    MERGED_INTO = "merged_into", _("merged into")
    RENAMED = "renamed", _("renamed")
    SUSPENDED = "suspended", _("suspended")
    REINSTATED = "reinstated", _("reinstated")
    DISSOLVED = "dissolved", _("dissolved")


class SectionEvent(models.Model):
    """A dated event in a section's lineage. Split and merge name the other section, whose page shows it too."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    date = models.DateField(_("date"))
    other_section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="related_events",
        verbose_name=_("other section"),
    )
    old_name = models.CharField(_("former name"), max_length=200, blank=True)
    new_name = models.CharField(_("new name"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lineage event")
        verbose_name_plural = _("lineage events")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=["split_from", "merged_into"]) | models.Q(other_section__isnull=False),
                name="sectionevent_split_merge_names_other",
            ),
            models.CheckConstraint(
                condition=~models.Q(other_section=models.F("section")), name="sectionevent_other_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section} {self.get_kind_display()} {self.date}"


class Person(models.Model):
    """A person known to the federation: a public pseudonym, and an identity only a few may see.

    The protected fields are encrypted at rest; ``liaison.federation.access.can_see_identity`` decides who reads them.
    """

    pseudonym = models.CharField(_("pseudonym"), max_length=120)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("account"),
    )
    real_name = EncryptedTextField(_("real name"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = [Lower("pseudonym")]
        constraints = [models.UniqueConstraint(Lower("pseudonym"), name="person_pseudonym_unique_ci")]

    def __str__(self) -> str:
        return self.pseudonym


class RoleKind(models.TextChoices):
    SECRETARIAT = "secretariat", _("secretariat editor")
    CORRESPONDENT = "correspondent", _("correspondent")
    MEMBER = "member", _("member")
    TRANSLATOR = "translator", _("translator")


class Role(models.Model):
    """A role a person holds: for a section (correspondent, member, translator) or the federation (secretariat)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("section"),
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    since = models.DateField(_("since"), default=datetime.date.today)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["kind", "section__name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="secretariat", section__isnull=True))
                | (models.Q(kind__in=["correspondent", "member"], section__isnull=False))
                | models.Q(kind="translator"),
                name="role_section_matches_kind",
            ),
            models.UniqueConstraint(fields=["person", "kind", "section"], name="role_unique_per_section"),
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(section__isnull=True),
                name="role_unique_federation",
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.section})" if self.section_id else ""
        return f"{self.person}: {self.get_kind_display()}{where}"

    def is_active(self, on: datetime.date | None = None) -> bool:
        on = on or datetime.date.today()
        return self.since <= on and (self.until is None or on <= self.until)


class EditorialDelegation(models.Model):
    """Who held the secretariat's editorial role over a span of days: the secretariat itself, or one section.

    Spans never overlap, so the record answers "who published the bulletin on that day?" with one holder.
    """

    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations",
        verbose_name=_("section"),
        help_text=_("Left empty, the secretariat itself holds the editorial role."),
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True, help_text=_("Left empty while it lasts."))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("editorial delegation")
        verbose_name_plural = _("editorial delegations")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="delegation_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.holder_name}: {self.start} – {self.end or '…'}"

    @property
    def holder_name(self) -> str:
        return str(self.section) if self.section_id else str(_("the secretariat"))
