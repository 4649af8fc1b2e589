"""Translations of the bulletin's contributions into the federation's working languages, their recorded workflow,
and the federation's term base (the glossary)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TranslationState(models.TextChoices):
    NEEDED = "needed", pgettext_lazy("translation state", "needed")
    DRAFT = "draft", pgettext_lazy("translation state", "draft")
    IN_REVIEW = "in_review", pgettext_lazy("translation state", "in review")
    APPROVED = "approved", pgettext_lazy("translation state", "approved")


class Translation(models.Model):
    """One contribution in one working language other than its original.

    ``source_revision`` is the original's revision the current text was made from; ``approved_revision`` the one the
    approved text translates. When the original's text moves on after approval the translation is ``stale``: it no
    longer counts towards a complete edition until it is updated and approved again. ``version`` counts saves, so an
    edit started on an older text is caught as a conflict, not lost."""

    contribution = models.ForeignKey(
        "editorial.Contribution", on_delete=models.CASCADE, related_name="translations", verbose_name=_("original")
    )
    language = models.CharField(_("language"), max_length=15)
    state = models.CharField(
        _("state"), max_length=20, choices=TranslationState.choices, default=TranslationState.NEEDED
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown, keeping the original's footnotes."))
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("translator"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_translations",
        verbose_name=_("assigned to"),
    )
    source_revision = models.PositiveIntegerField(_("made from revision"), null=True, blank=True)
    approved_revision = models.PositiveIntegerField(_("approved against revision"), null=True, blank=True)
    machine = models.BooleanField(
        _("machine draft"), default=False, help_text=_("Made by machine translation; no person has approved it yet.")
    )
    stale = models.BooleanField(
        _("out of date"), default=False, help_text=_("The original changed after this translation was approved.")
    )
    override_reason = models.TextField(
        _("reason for accepting a different structure"),
        blank=True,
        help_text=_("Why the translation was approved although its footnotes, citations or headings differ."),
    )
    version = models.PositiveIntegerField(default=1)
    approved_at = models.DateTimeField(pgettext_lazy("date", "approved"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["contribution", "language"]
        indexes = [models.Index(fields=["language", "state"]), models.Index(fields=["assigned_to", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["contribution", "language"], name="translation_language_unique"),
            # A machine draft stays a draft until a person approves it; approval makes it theirs.
            models.CheckConstraint(
                condition=~(Q(state="approved") & Q(machine=True)), name="translation_machine_not_approved"
            ),
            models.CheckConstraint(
                condition=Q(stale=False) | Q(approved_revision__isnull=False), name="translation_stale_after_approval"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contribution} [{self.language}]"

    @property
    def has_human_text(self) -> bool:
        """A person wrote (or took over) this text: machine translation must never replace it."""
        return not self.machine and bool(self.body.strip() or self.title.strip())

    @property
    def counts_for_edition(self) -> bool:
        return self.state == TranslationState.APPROVED and not self.stale


class TranslationRevision(models.Model):
    """Every saved text of a translation, numbered from 1; a save that lost a conflict is kept too, marked so."""

    translation = models.ForeignKey(Translation, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    version = models.PositiveIntegerField(help_text=_("The translation's version this save made."))
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    source_revision = models.PositiveIntegerField(null=True, blank=True)
    machine = models.BooleanField(default=False)
    conflict = models.BooleanField(default=False, help_text=_("A save refused because someone saved first."))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["translation", "number"], name="translation_revision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.translation} r{self.number}"


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("state changed")
    ASSIGNED = "assigned", _("assigned")
    STALE = "stale", _("original changed")
    MACHINE = "machine", _("machine draft")
    MACHINE_FAILED = "machine_failed", _("machine translation failed")


class TranslationEvent(models.Model):
    """The recorded workflow of a translation: who did what, when, from which state to which, and why."""

    translation = models.ForeignKey(Translation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.TRANSITION)
    from_state = models.CharField(max_length=20, choices=TranslationState.choices)
    to_state = models.CharField(max_length=20, choices=TranslationState.choices)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_name = models.CharField(max_length=200, blank=True, help_text=_("The pseudonym, kept as it was then."))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.translation}: {self.from_state} → {self.to_state}"


class GlossaryConcept(models.Model):
    """One concept of the federation's term base ("general-strike"), named in each language by its terms."""

    key = models.SlugField(_("concept"), max_length=100, unique=True, allow_unicode=True)
    definition = models.TextField(_("definition"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("glossary concept")
        verbose_name_plural = _("glossary concepts")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class GlossaryTerm(models.Model):
    """A concept's term in one language; a concept may have several (a preferred term and its variants)."""

    concept = models.ForeignKey(GlossaryConcept, on_delete=models.CASCADE, related_name="terms")
    language = models.CharField(_("language"), max_length=15)
    text = models.CharField(_("term"), max_length=200)
    note = models.CharField(_("usage note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")
        ordering = ["concept", "language", "text"]
        indexes = [models.Index(fields=["language"])]
        constraints = [
            models.UniqueConstraint(F("concept"), F("language"), Lower("text"), name="glossary_term_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.text} [{self.language}]"
