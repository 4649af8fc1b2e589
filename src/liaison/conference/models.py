"""Conference preparation: conferences and their milestones, the agenda of questions, the reply waves by region,
each section's position on each question with the history of what it held, and endorsements between sections.

Texts the secretariat writes for every reader (a question's title and description, a milestone) and a position's
short stance are kept as a small mapping of language → text (``{"fr": "…", "de": "…"}``) rather than through the
translation workflow: they are a line or two each, read all at once in the matrix (one column, no join per
language), and the full statement, which is long and goes through translators, is a bulletin contribution.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison.federation.models import Region, Section


class ConferenceStatus(models.TextChoices):
    PREPARING = "preparing", pgettext_lazy("conference status", "in preparation")
    CONVENED = "convened", pgettext_lazy("conference status", "convened")
    CLOSED = "closed", pgettext_lazy("conference status", "closed")


class Conference(models.Model):
    """A conference, prepared over months; the positions' statements appear in ``bulletin``."""

    title = models.CharField(_("title"), max_length=300)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("planned start"), null=True, blank=True)
    ends_on = models.DateField(_("planned end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ConferenceStatus.choices, default=ConferenceStatus.PREPARING
    )
    bulletin = models.ForeignKey(
        "periodicals.Periodical",
        on_delete=models.PROTECT,
        related_name="conferences",
        verbose_name=_("bulletin"),
        help_text=_("The bulletin in which the sections' statements appear."),
    )
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Everyone may read the published positions, not only members.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conference")
        verbose_name_plural = _("conferences")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ConferenceStatus.values), name="conference_status_known"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="conference_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    """A dated step of a conference's timeline (the agenda fixed, the last issue before it, the opening)."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("date"))
    title = models.JSONField(_("title"), default=dict, help_text=_("The title in each working language."))

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.conference}: {self.date}"


class Option(models.TextChoices):
    """The choices a position makes. Codes, so that every reader sees them in their own language."""

    SUPPORT = "support", pgettext_lazy("position option", "support")
    OPPOSE = "oppose", pgettext_lazy("position option", "oppose")
    AMEND = "amend", pgettext_lazy("position option", "support with amendments")
    ALTERNATIVE = "alternative", pgettext_lazy("position option", "an alternative proposal")
    # For a question the secretariat gave no options: the section answers in its own words (the stance).
    OWN = "own", pgettext_lazy("position option", "its own answer")
    ABSTAIN = "abstain", pgettext_lazy("position option", "abstain")


# The options the secretariat may offer; "abstain" is added to every question, "own" to those without options.
OFFERABLE = (Option.SUPPORT, Option.OPPOSE, Option.AMEND, Option.ALTERNATIVE)


class Question(models.Model):
    """A controversial question on a conference's agenda, numbered in agenda order."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveIntegerField(_("number"))
    title = models.JSONField(_("title"), default=dict, help_text=_("The title in each working language."))
    description = models.JSONField(
        _("description"), default=dict, blank=True, help_text=_("The description in each working language.")
    )
    options = models.JSONField(
        _("options"), default=list, blank=True, help_text=_("The options offered; “abstain” is always offered.")
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["conference", "number"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "number"], name="question_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="question_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.conference} Q{self.number}"

    def offered_options(self) -> list[str]:
        """What a position on this question may choose, "abstain" always last and always there."""
        chosen = [str(o) for o in self.options] or [Option.OWN.value]
        return [*chosen, Option.ABSTAIN.value]


class Wave(models.Model):
    """A reply wave: the sections of some regions answer by a deadline, in one issue of the conference's bulletin.

    A region belongs to at most one wave of a conference (checked by the service); a section belongs to the wave of
    its region unless the secretariat moved it (``WaveOverride``)."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="waves")
    name = models.CharField(_("name"), max_length=200)
    regions = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("regions"))
    deadline = models.DateTimeField(_("deadline"))
    issue = models.ForeignKey(
        "periodicals.Issue",
        on_delete=models.PROTECT,
        related_name="waves",
        verbose_name=_("issue"),
        help_text=_("The bulletin issue in which this wave's replies appear."),
    )

    class Meta:
        verbose_name = _("reply wave")
        verbose_name_plural = _("reply waves")
        ordering = ["conference", "deadline", "id"]

    def __str__(self) -> str:
        return self.name


class WaveOverride(models.Model):
    """The secretariat moved a section into another wave than its region's, and said why."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="wave_overrides")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="overrides")
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conference", "section"], name="wave_override_once_per_section"),
        ]

    def __str__(self) -> str:
        return f"{self.section} → {self.wave}"


class PositionState(models.TextChoices):
    """A position's state as the matrix shows it, derived from its statement and its wave's deadline (never stored:
    it changes by itself when the deadline passes)."""

    NOT_STATED = "not_stated", pgettext_lazy("position state", "not yet stated")
    DRAFT = "draft", pgettext_lazy("position state", "draft")
    SUBMITTED = "submitted", pgettext_lazy("position state", "submitted")
    PUBLISHED = "published", pgettext_lazy("position state", "published")
    OVERDUE = "overdue", pgettext_lazy("position state", "overdue")


class Position(models.Model):
    """A section's position on a question: what it holds now. Every version it held is a ``PositionRevision``.

    ``contribution`` is the current full statement (kind "position"); a revision made after the statement left the
    section's hands brings a new statement, and the old one stays where it is, named by its revision."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="positions")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="positions")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="positions")
    option = models.CharField(_("option"), max_length=20, choices=Option.choices)
    stance = models.JSONField(_("stance"), default=dict, help_text=_("A sentence or two, by language."))
    language = models.CharField(_("original language"), max_length=15)
    contribution = models.ForeignKey(
        "editorial.Contribution", on_delete=models.PROTECT, related_name="+", verbose_name=_("statement")
    )
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["question__number", "section__name"]
        constraints = [
            models.UniqueConstraint(fields=["question", "section"], name="position_once_per_question"),
            models.CheckConstraint(condition=Q(option__in=Option.values), name="position_option_known"),
        ]

    def __str__(self) -> str:
        return f"{self.section} on {self.question}"


class PositionRevision(models.Model):
    """What a position held from ``created`` on: its option, stance and statement (with the statement's text
    revision then). Numbered from 1; never changed afterwards."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    option = models.CharField(max_length=20, choices=Option.choices)
    stance = models.JSONField(default=dict)
    language = models.CharField(max_length=15)
    contribution = models.ForeignKey("editorial.Contribution", on_delete=models.PROTECT, related_name="+")
    contribution_revision = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "number"]
        constraints = [
            models.UniqueConstraint(fields=["position", "number"], name="position_revision_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="position_revision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position} r{self.number}"


class Endorsement(models.Model):
    """A section endorsing another section's position; withdrawing it keeps the record, dated."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="endorsements")
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="endorsements")
    # The revision endorsed: a later revision of the position is not endorsed by it unless endorsed again.
    revision = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "position"],
                condition=Q(withdrawn_at__isnull=True),
                name="endorsement_once_while_standing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section} endorses {self.position}"


class ReminderKind(models.TextChoices):
    BEFORE = "before", pgettext_lazy("reminder kind", "before the deadline")
    OVERDUE = "overdue", pgettext_lazy("reminder kind", "overdue")


class Reminder(models.Model):
    """A reminder sent to a section's correspondents about the positions it has not stated in its wave.

    One per section, wave and kind: the constraint, not a prior check, decides which of two runs at the same
    moment sends it, so nobody is reminded twice. Recorded even when no correspondent has an email address (with
    no recipients): the section's dashboard shows it all the same, and the next run does not try again."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    # The numbers of the questions then still to state: what the message named.
    questions = models.JSONField(default=list)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["section", "wave", "kind"], name="reminder_once_per_wave_and_kind"),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="reminder_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.section}: {self.wave} ({self.kind})"
