"""Published editions, their files, and the jobs that publish them.

An edition is an issue in one language at one version. It is built aside (``building``) and becomes visible only
when every file is written and checked (``published``), in one transaction that also supersedes the version before
it: a reader never sees half an edition. A correction publishes version 2, 3... and keeps the earlier ones
(``superseded``), with the correction noted; the items' citations do not change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EditionStatus(models.TextChoices):
    BUILDING = "building", pgettext_lazy("edition status", "being built")
    PUBLISHED = "published", pgettext_lazy("edition status", "published")
    SUPERSEDED = "superseded", pgettext_lazy("edition status", "superseded by a correction")
    FAILED = "failed", pgettext_lazy("edition status", "failed")


class Edition(models.Model):
    issue = models.ForeignKey("periodicals.Issue", on_delete=models.PROTECT, related_name="editions")
    language = models.CharField(_("language"), max_length=15)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=EditionStatus.choices, default=EditionStatus.BUILDING)
    correction = models.TextField(_("correction"), blank=True, help_text=_("What this version corrects."))
    # Fixed when the edition is first built and written into every file, so that rebuilding gives the same bytes.
    published_at = models.DateTimeField(_("publication time"))
    warnings = models.JSONField(default=list, blank=True)
    # The issue's other languages its web pages link to, kept for rebuilds: those out when it was built, and those
    # published after it since (``services.relink_issue`` gives its pages their links).
    other_languages = models.JSONField(default=list, blank=True)
    # Where its files are, relative to PUBLISHED_DIR, once its pages gained language links; "" while they are in
    # its version's folder (``storage.edition_folder``). See ``services.folder_of``.
    folder = models.CharField(max_length=300, blank=True)
    # Its contents as published, in its language, for the feeds (which show what was published, never the live
    # texts): one dict per item, ``edition.contents_entry``.
    contents = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["issue", "language", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "language", "version"], name="edition_version_unique"),
            models.UniqueConstraint(
                fields=["issue", "language"],
                condition=Q(status="published"),
                name="edition_one_published",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="edition_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.issue} [{self.language}] v{self.version}"


class FileFormat(models.TextChoices):
    WEB = "web", _("web pages")
    PDF = "pdf", _("PDF")
    EPUB = "epub", _("EPUB")
    EMAIL = "email", _("email edition")


class EditionFile(models.Model):
    """One file of an edition, stored under ``PUBLISHED_DIR`` at ``path``; ``sha256`` proves reproducibility."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=10, choices=FileFormat.choices)
    path = models.CharField(max_length=300)  # relative to PUBLISHED_DIR
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["edition", "format", "path"]
        constraints = [models.UniqueConstraint(fields=["edition", "path"], name="edition_file_unique")]

    def __str__(self) -> str:
        return self.path


class JobState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job state", "queued")
    RUNNING = "running", pgettext_lazy("job state", "running")
    DONE = "done", pgettext_lazy("job state", "done")
    FAILED = "failed", pgettext_lazy("job state", "failed")


class PublishJob(models.Model):
    """A request to publish an issue in one language, and its progress: what the page and the CLI show."""

    issue = models.ForeignKey("periodicals.Issue", on_delete=models.CASCADE, related_name="publish_jobs")
    language = models.CharField(_("language"), max_length=15)
    correction = models.TextField(_("correction"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)  # what it is doing now, for the progress line
    warnings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    edition = models.ForeignKey(Edition, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs")
    created = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease of the run in progress: the token of the run that holds the job, and when it last showed progress.
    # A worker killed mid-job leaves both behind; once the heartbeat is older than the lease, another run takes the
    # job over, and the killed run's token, no longer the job's, can never publish.
    runner = models.CharField(max_length=32, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            # One job at a time per edition: a second click joins the first job instead of racing it.
            models.UniqueConstraint(
                fields=["issue", "language"],
                condition=Q(state__in=["queued", "running"]),
                name="publish_job_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue} [{self.language}] {self.state}"

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0


class FeedToken(models.Model):
    """A member's private feed address: how a feed reader, which cannot log in, reads the internal bulletins.

    The address holds ``public_id`` and a signature of it made with the site's ``SECRET_KEY`` (see
    ``feed_tokens``): a copy of the database alone (a backup, a dump) yields no usable address, yet the member's page
    can show the address again whenever they add a feed to a reader. Revoking keeps the row, dated; a member has at
    most one active token, and a new one revokes the one before.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens", verbose_name=_("account")
    )
    public_id = models.CharField(_("public identifier"), max_length=32, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("feed token")
        verbose_name_plural = _("feed tokens")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="feed_token_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.public_id[:6]}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
