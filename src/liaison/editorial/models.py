"""The bulletin's editorial side: calls for contributions, contributions and their revisions, the recorded
decisions on them, their places in issues, the deferrals of what did not fit, and citations between items."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison.federation.models import Person, Region, Section


class Call(models.Model):
    """An issue's call for contributions: a topic, the sections invited (by name or by region), a deadline."""

    issue = models.ForeignKey("periodicals.Issue", on_delete=models.CASCADE, related_name="calls")
    topic = models.CharField(_("topic"), max_length=300)
    questions = models.TextField(_("questions"), blank=True)
    deadline = models.DateTimeField(_("deadline"))
    invited_sections = models.ManyToManyField(Section, blank=True, related_name="calls", verbose_name=_("sections"))
    invited_regions = models.ManyToManyField(Region, blank=True, related_name="calls", verbose_name=_("regions"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call for contributions")
        verbose_name_plural = _("calls for contributions")
        ordering = ["deadline"]

    def __str__(self) -> str:
        return self.topic


class Kind(models.TextChoices):
    REPORT = "report", _("report")
    OPINION = "opinion", _("opinion")
    POSITION = "position", _("position")
    LETTER = "letter", _("letter")
    DOCUMENT = "document", _("document")


class State(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("contribution state", "draft")
    SUBMITTED = "submitted", pgettext_lazy("contribution state", "submitted")
    RETURNED = "returned", pgettext_lazy("contribution state", "returned")
    RESUBMITTED = "resubmitted", pgettext_lazy("contribution state", "resubmitted")
    ACCEPTED = "accepted", pgettext_lazy("contribution state", "accepted")
    PLACED = "placed", pgettext_lazy("contribution state", "placed in an issue")
    PUBLISHED = "published", pgettext_lazy("contribution state", "published")
    DECLINED = "declined", pgettext_lazy("contribution state", "declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("contribution state", "withdrawn")


class Contribution(models.Model):
    """A text a section writes for the bulletin. ``version`` counts saves, so a stale edit is caught, not lost."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="contributions")
    periodical = models.ForeignKey(
        "periodicals.Periodical", on_delete=models.PROTECT, related_name="contributions", verbose_name=_("bulletin")
    )
    call = models.ForeignKey(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="contributions", verbose_name=_("call")
    )
    target_issue = models.ForeignKey(
        "periodicals.Issue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidates",
        verbose_name=_("intended issue"),
    )
    signed_by = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("signed by"),
        help_text=_("Left empty, the section signs."),
    )
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("original language"), max_length=15)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REPORT)
    body = models.TextField(_("text"), help_text=_("Markdown, with footnotes written [^1]."))
    pages = models.DecimalField(_("estimated pages"), max_digits=6, decimal_places=2, default=0)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    accepted_at = models.DateTimeField(pgettext_lazy("date", "accepted"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-updated"]
        indexes = [models.Index(fields=["state", "submitted_at"]), models.Index(fields=["section", "state"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=State.values), name="contribution_state_known"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="contribution_version_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def signature(self) -> str:
        return self.signed_by.pseudonym if self.signed_by_id and self.signed_by else self.section.name


class RevisionOrigin(models.TextChoices):
    EDIT = "edit", _("edited")
    CITATIONS = "citations", _("citations renumbered after the cited issue was reordered")


class Revision(models.Model):
    """Every saved text of a contribution, numbered from 1. A save that lost a conflict is kept too, marked so."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField()
    language = models.CharField(max_length=15)
    conflict = models.BooleanField(default=False, help_text=_("A save refused because someone saved first."))
    # Most revisions are someone's edit; a few are made by Liaison itself, and say so.
    origin = models.CharField(max_length=20, choices=RevisionOrigin.choices, default=RevisionOrigin.EDIT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["contribution", "number"], name="revision_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="revision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.contribution} r{self.number}"


class Decision(models.Model):
    """One transition of a contribution's state: who made it, when, and why. Shown to the submitting section."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="decisions")
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_name = models.CharField(max_length=200, blank=True, help_text=_("The pseudonym, kept as it was then."))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.contribution}: {self.from_state} → {self.to_state}"


class Item(models.Model):
    """A contribution's place in an issue. Its position is the item number of the citation, stable once published."""

    issue = models.ForeignKey("periodicals.Issue", on_delete=models.CASCADE, related_name="items")
    contribution = models.OneToOneField(Contribution, on_delete=models.CASCADE, related_name="item")
    position = models.PositiveIntegerField(_("item"))
    override_reason = models.TextField(
        _("reason for the editor's override"), blank=True, help_text=_("Why the fair allocation was set aside.")
    )

    class Meta:
        ordering = ["issue", "position"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "position"], name="item_position_unique"),
            models.CheckConstraint(condition=models.Q(position__gte=1), name="item_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.issue}, item {self.position}"


class DeferralReason(models.TextChoices):
    NO_SPACE = "no_space", _("the issue's pages were full")
    TOO_LONG = "too_long", _("it is longer than the space that was left")
    FIRST_ITEMS = "first_items", _("space went first to one item from each invited section")
    EDITOR = "editor", _("the editor moved it")


class Deferral(models.Model):
    """A contribution moved from one issue to the next because it did not fit, with the reason given to its section.

    The reason is a code, so each reader sees it in their own language; an editor's own words go in ``note``."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="deferrals")
    from_issue = models.ForeignKey("periodicals.Issue", on_delete=models.CASCADE, related_name="+")
    to_issue = models.ForeignKey("periodicals.Issue", on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=20, choices=DeferralReason.choices)
    note = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        # Assembling an issue twice must not defer (and notify) the same contribution twice.
        constraints = [
            models.UniqueConstraint(fields=["contribution", "from_issue"], name="deferral_once_per_issue"),
        ]

    def __str__(self) -> str:
        return f"{self.contribution} → {self.to_issue or '…'}"


class Citation(models.Model):
    """A contribution citing a placed item, as written in its text; the target's page lists these as "cited by"."""

    source = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="citations")
    target = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="cited_by")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="citation_unique")]

    def __str__(self) -> str:
        return f"{self.source} cites {self.target}"


class NoticeKind(models.TextChoices):
    CALL = "call", _("call for contributions")
    DECISION = "decision", _("editorial decision")
    DEFERRAL = "deferral", _("moved to a later issue")


class Notice(models.Model):
    """A notice on a section's dashboard, also mailed to its correspondents. It points at what it is about, so it
    is written out in each reader's own language when shown."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    deferral = models.ForeignKey(Deferral, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    # Set when the mail goes out, and claimed before sending, so a notice is never mailed twice.
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.section}: {self.kind}"
