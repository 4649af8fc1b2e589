"""Publishing an issue's edition in one language: the editor's request, the job that renders every format, and the
one transaction that makes the edition visible.

``request_publish`` checks who asks and whether the edition can be published, and records a ``PublishJob`` (a second
request while one is active gets that job back). ``run_job`` does the work, in a worker or in-process: it builds the
edition's data once, calls each renderer of the ``registry``, writes the files into the edition's own folder (renamed
into place whole), and only then, in one transaction, records the files, marks the edition published, archives the
version before it and marks the issue published. Until that commit nothing of the new edition is visible; after it,
all of it is.

A run holds the job by a lease (``runner`` and ``heartbeat``): a worker killed mid-job leaves the job "running" with
an old heartbeat, and the next run (the broker's redelivery, or an editor's retry) takes it over, reusing the edition
being built and cleaning what the killed run left on disk. A run that lost its lease can no longer write to the job,
so an edition is never published twice. A version keeps the ``published_at`` fixed when it was first built, so
rebuilding it (``rebuild_edition``) gives the same bytes.

The same transaction gives the issue's other current editions a link to the new edition's language: their web pages
(only those) are rewritten beside them and take effect with it (``relink_issue``, "Language links" below).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime
import hashlib
import logging
import mimetypes
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liaison import languages as language_codes
from liaison.editorial import access as editorial_access
from liaison.editorial import services as editorial_services
from liaison.editorial.templatetags.editorial import coverage_label
from liaison.errors import Conflict, LiaisonError, NotAllowed, NotFound
from liaison.federation.access import Actor, actor_for_user
from liaison.periodicals.models import Issue, IssueStatus, Periodical
from liaison.publishing import parsing, registry, signals, storage
from liaison.publishing.edition import EditionData, Incomplete, contents_of, edition_data
from liaison.publishing.models import Edition, EditionFile, EditionStatus, FileFormat, JobState, PublishJob
from liaison.publishing.renderers import Finish, Relink, Rendered, Unlinkable
from liaison.translations import services as translations

logger = logging.getLogger(__name__)

ACTIVE = (JobState.QUEUED, JobState.RUNNING)
VISIBLE = (EditionStatus.PUBLISHED, EditionStatus.SUPERSEDED)
# Steps besides one per format: reading the edition, writing the files, publishing.
FIXED_STEPS = 3
# Failures worth trying again later (the disk, the database); anything else would fail the same way again.
TRANSIENT: tuple[type[BaseException], ...] = (OSError, OperationalError, InterfaceError)

ProgressCallback = Callable[[PublishJob], None]

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".xml": "application/xml",
    ".pdf": "application/pdf",
    ".epub": "application/epub+zip",
    ".eml": "message/rfc822",
}


class Busy(Conflict):
    """Another run holds the job's lease and is alive: try again once its lease may have run out."""


class PublishFailed(LiaisonError):
    """The job cannot succeed as it stands (not a passing trouble): it fails with this message."""


class _LeaseLost(Exception):
    """This run no longer holds the job: another took it over. It stops without touching anything."""


def lease() -> datetime.timedelta:
    """How long a run may show no progress before another may take its job over. Longer than any one step."""
    return datetime.timedelta(seconds=getattr(settings, "PUBLISH_JOB_LEASE", 600))


# Who may --------------------------------------------------------------------------------------------------------


def may_publish(actor: Actor) -> bool:
    return editorial_access.is_editor(actor)


def may_read(actor: Actor, periodical: Periodical) -> bool:
    """A public bulletin's editions are everyone's; an internal one's only the members'."""
    return editorial_access.can_read_periodical(actor, periodical)


# Requests -------------------------------------------------------------------------------------------------------


def active_job(issue: Issue, language: str) -> PublishJob | None:
    return PublishJob.objects.filter(issue=issue, language=language, state__in=ACTIVE).first()


def current_edition(issue: Issue, language: str) -> Edition | None:
    return Edition.objects.filter(issue=issue, language=language, status=EditionStatus.PUBLISHED).first()


def check_complete(issue: Issue, language: str) -> None:
    """Raise ``Incomplete`` naming every item that has no approved translation into ``language``."""
    status = translations.edition_status(issue, language)
    if status.complete:
        return
    missing = [
        _("item %(n)s, “%(title)s”: %(status)s")
        % {"n": c.item.position, "title": c.item.contribution.title, "status": coverage_label(c.status)}
        for c in status.missing
    ]
    raise Incomplete(
        _("The %(language)s edition is not complete: %(missing)s.")
        % {"language": language_codes.display_name(language), "missing": "; ".join(missing) or _("no contents")},
        missing,
    )


def request_publish(actor: Actor, issue: Issue, language: str, correction: str = "") -> PublishJob:
    """Ask for the edition of ``issue`` in ``language`` to be published: returns its job, to be started with
    ``tasks.start``. While a job for that edition is queued or running, that job is returned instead of a second.

    Publishing an edition already published is a correction: it needs ``correction`` (what the new version corrects)
    and makes version n+1, keeping the earlier one archived."""
    if not may_publish(actor):
        raise NotAllowed(_("Only the editors publish."))
    code = language_codes.normalize(language)
    if not language_codes.is_valid(code):
        raise LiaisonError(_("“%(code)s” is not a language code.") % {"code": language[:20]}, field="language")
    correction = correction.strip()
    with transaction.atomic():
        # The issue's row serializes requests for its editions: two clicks make one job.
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        periodical = Periodical.objects.get(pk=locked.periodical_id)
        if not periodical.is_bulletin:
            raise LiaisonError(_("Only the federation's bulletins are published here."))
        if locked.status not in (IssueStatus.ASSEMBLY, IssueStatus.PUBLISHED):
            raise LiaisonError(
                _("No. %(number)s is not assembled yet: place its contents before publishing it.")
                % {"number": locked.number}
            )
        active = active_job(locked, code)
        if active is not None:
            return active
        check_complete(locked, code)
        current = current_edition(locked, code)
        if current is not None and not correction:
            raise LiaisonError(
                _(
                    "The %(language)s edition is already published (version %(version)s). To publish it again, say "
                    "what the new version corrects: readers will see it beside the earlier version."
                )
                % {"language": language_codes.display_name(code), "version": current.version},
                field="correction",
            )
        if current is None and correction:
            raise LiaisonError(
                _("The %(language)s edition is not published yet: there is nothing to correct.")
                % {"language": language_codes.display_name(code)},
                field="correction",
            )
        try:
            with transaction.atomic():
                job = PublishJob.objects.create(
                    issue=locked,
                    language=code,
                    correction=correction,
                    requested_by=actor.user,
                    steps_total=len(registry.RENDERERS) + FIXED_STEPS,
                    step=_("Waiting for a worker"),
                )
        except IntegrityError:
            # A request that did not go through this lock (another database session) made one meanwhile.
            active = active_job(locked, code)
            if active is None:
                raise
            return active
    return job


def is_stale(job: PublishJob, now: datetime.datetime | None = None) -> bool:
    """An active job nobody has shown progress on for longer than the lease: its worker died, or none took it."""
    if job.state not in ACTIVE:
        return False
    last = job.heartbeat or job.started_at or job.created
    return last is not None and (now or timezone.now()) - last > lease()


def may_retry(job: PublishJob) -> bool:
    return job.state == JobState.FAILED or is_stale(job)


def retry_job(actor: Actor, job: PublishJob) -> PublishJob:
    """Queue a failed job again, or one whose worker died (no progress for longer than the lease). Returns the job
    to start; when another job for the same edition is active meanwhile, that one."""
    if not may_publish(actor):
        raise NotAllowed(_("Only the editors publish."))
    with transaction.atomic():
        locked = PublishJob.objects.select_for_update().get(pk=job.pk)
        if not may_retry(locked):
            if locked.state == JobState.DONE:
                raise LiaisonError(_("This job is done: the edition is published."))
            raise Conflict(_("This job is still running; it can be retried if it shows no progress for a while."))
        try:
            with transaction.atomic():
                # A new runner token: a run that is in fact still alive can no longer publish.
                PublishJob.objects.filter(pk=locked.pk).update(
                    state=JobState.QUEUED, runner="", heartbeat=timezone.now(), step=_("Waiting for a worker")
                )
        except IntegrityError:
            active = active_job(locked.issue, locked.language)
            if active is None:
                raise
            return active
    job.refresh_from_db()
    return job


# Running a job --------------------------------------------------------------------------------------------------


@dataclass
class _Run:
    """One run of a job: the lease token it holds, and how it reports progress."""

    job: PublishJob
    token: str
    on_progress: ProgressCallback | None
    warnings: list[str] = dataclasses.field(default_factory=list)
    # Languages the caller is about to publish after this one (``run_job``'s ``coming``).
    coming: tuple[str, ...] = ()

    def lock(self) -> PublishJob:
        """The job's row, locked; raises ``_LeaseLost`` when another run took it over. Inside a transaction."""
        locked = PublishJob.objects.select_for_update().filter(pk=self.job.pk).first()
        if locked is None or locked.runner != self.token or locked.state != JobState.RUNNING:
            raise _LeaseLost
        return locked

    def advance(self, step: str, done: int = 1, *, save: bool = True) -> None:
        """The job moves on to ``step``. ``save=False`` for a step the next one follows at once ("Rendered: PDF",
        then "Rendering: EPUB"): the run's own callback sees it, the database does not, which saves a commit for
        a state nobody else could have seen anyway. Each save renews the lease, or finds it lost."""
        job = self.job
        job.steps_done = min(job.steps_done + done, job.steps_total)
        job.step = step[:200]
        job.warnings = list(self.warnings)
        if save:
            job.heartbeat = timezone.now()
            updated = PublishJob.objects.filter(pk=job.pk, runner=self.token, state=JobState.RUNNING).update(
                steps_done=job.steps_done, step=job.step, heartbeat=job.heartbeat, warnings=job.warnings
            )
            if not updated:
                raise _LeaseLost
        if self.on_progress is not None:
            self.on_progress(job)


def _claim(job_id: int, steps_total: int) -> tuple[PublishJob, str | None]:
    """Take the job for a run: returns it with the run's token, or without one when there is nothing to do."""
    with transaction.atomic():
        job = PublishJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise NotFound(_("There is no such publishing job."))
        if job.state in (JobState.DONE, JobState.FAILED):
            return job, None  # done already (a redelivered message), or failed and waiting for an editor's retry
        if job.state == JobState.RUNNING and not is_stale(job):
            raise Busy(_("Another worker is publishing this edition right now."))
        token = uuid.uuid4().hex
        now = timezone.now()
        job.state = JobState.RUNNING
        job.runner = token
        job.heartbeat = now
        job.started_at = now
        job.finished_at = None
        job.attempts += 1
        job.steps_total = steps_total
        job.steps_done = 0
        job.step = ""
        job.error = ""
        job.warnings = []
        job.save()
    return job, token


def _acting_for(job: PublishJob) -> Actor:
    """Who publishes the issue when the job ends: the editor who asked, who was allowed when asking (the contents'
    history names them); a request from the command line has no account and acts for the secretariat."""
    if job.requested_by is not None:
        return dataclasses.replace(actor_for_user(job.requested_by), secretariat=True)
    return Actor(secretariat=True)


def _other_languages(edition: Edition, coming: Iterable[str] = ()) -> list[str]:
    """The issue's other editions out now, and those the caller is about to publish: the language links of the
    edition's pages."""
    codes = (
        Edition.objects.filter(issue_id=edition.issue_id, status__in=VISIBLE)
        .exclude(language=edition.language)
        .values_list("language", flat=True)
    )
    return sorted({*codes, *coming} - {edition.language})


def folder_of(edition: Edition) -> str:
    """Where the edition's files are, relative to ``PUBLISHED_DIR``: its version's folder, or the one they were moved
    to when its web pages gained links to the languages published after it (``relink_issue``)."""
    issue = edition.issue
    return edition.folder or storage.edition_folder(
        issue.periodical.slug, issue.number, edition.language, edition.version
    )


def data_for(edition: Edition) -> EditionData:
    return edition_data(
        edition.issue,
        edition.language,
        published_at=edition.published_at,
        version=edition.version,
        correction=edition.correction,
        other_languages=tuple(edition.other_languages or ()),
    )


def _prepare_edition(run: _Run) -> Edition:
    """The edition this run builds: the one an earlier attempt left unfinished (same version, same fixed time), or
    the next version."""
    with transaction.atomic():
        job = run.lock()
        editions = Edition.objects.select_for_update().filter(issue_id=job.issue_id, language=job.language)
        latest = editions.order_by("-version").first()
        published = editions.filter(status=EditionStatus.PUBLISHED).exists()
        if published and not job.correction:
            raise PublishFailed(_("This edition is already published; publishing it again needs a correction note."))
        if latest is not None and latest.status in (EditionStatus.BUILDING, EditionStatus.FAILED):
            edition = latest
            edition.status = EditionStatus.BUILDING
            edition.correction = job.correction
            edition.warnings = []
            edition.other_languages = _other_languages(edition, run.coming)
            edition.save(update_fields=["status", "correction", "warnings", "other_languages"])
            EditionFile.objects.filter(edition=edition).delete()
        else:
            edition = Edition.objects.create(
                issue_id=job.issue_id,
                language=job.language,
                version=latest.version + 1 if latest is not None else 1,
                status=EditionStatus.BUILDING,
                correction=job.correction,
                # Written into every file: whole seconds, fixed from now on.
                published_at=timezone.now().replace(microsecond=0),
            )
            edition.other_languages = _other_languages(edition, run.coming)
            edition.save(update_fields=["other_languages"])
        PublishJob.objects.filter(pk=job.pk).update(edition=edition)
        run.job.edition = edition
    return edition


@dataclass(frozen=True)
class _File:
    format: str
    content: bytes
    media_type: str


def media_type_of(name: str) -> str:
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _render_all(
    data: EditionData,
    renderers: list[registry.Renderer],
    run: _Run | None = None,
    sink: Callable[[str, bytes], object] | None = None,
) -> tuple[dict[str, _File], list[str]]:
    """Every format of the edition: its files by name, and the renderers' warnings.

    Each text is parsed once for all the formats (``parsing.one_publication``). The renderers marked
    ``in_background`` (the PDF: Typst works without holding the interpreter's lock) start first: their Python part
    here, the rest in a helper thread, and the others render meanwhile in this one. The results are taken in the
    registry's order whatever the order they come in, so the files, the warnings and the errors are the same as one
    after the other. ``sink`` is given each format's files as soon as it is rendered, in the order they come (those
    with a name outside the edition excepted: they are refused in their turn), to write them meanwhile."""
    present = [r.format for r in renderers]
    files: dict[str, _File] = {}
    warnings: list[str] = []
    outcomes: dict[int, Rendered] = {}
    taken = 0  # the renderers whose results are in ``files`` and ``warnings``: the first ``taken`` of the registry

    def take() -> None:
        nonlocal taken
        while taken in outcomes:
            renderer, rendered = renderers[taken], outcomes.pop(taken)
            _take_files(files, renderer, rendered)
            warnings.extend(str(w) for w in rendered.warnings)
            if run is not None:
                run.warnings.extend(str(w) for w in rendered.warnings)
            taken += 1

    def done(n: int, rendered: Rendered) -> None:
        if sink is not None:
            for name, content in sorted(rendered.files.items()):
                safe = _safe(name)
                if safe is not None:
                    sink(safe, bytes(content))
        outcomes[n] = rendered
        take()
        if run is not None:
            # The next step (the next format, or writing the files) is saved at once: this one need not be.
            run.advance(_("Rendered: %(format)s") % {"format": renderers[n].label}, save=False)

    with parsing.one_publication(), contextlib.ExitStack() as stack:
        pending: dict[int, Future[Rendered]] = {}
        if any(r.background for r in renderers):
            pool = stack.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix="liaison-publish"))
            for n, renderer in enumerate(renderers):
                if renderer.background:
                    if run is not None:
                        # Said (not saved) now, so that a failure while preparing is named after its format.
                        run.advance(_("Rendering: %(format)s") % {"format": renderer.label}, done=0, save=False)
                    # Its Python part here and now, the rest in the helper thread; in a copy of this context, so the
                    # thread shares the publication's parse cache, and in the language active here, in which the
                    # renderer words its warnings (the editor's).
                    finish = renderer.start(data, present)
                    context = contextvars.copy_context()
                    pending[n] = pool.submit(context.run, _finish_in, translation.get_language(), finish)
        for n, renderer in enumerate(renderers):
            if n not in pending:
                if run is not None:
                    run.advance(_("Rendering: %(format)s") % {"format": renderer.label}, done=0)
                done(n, renderer(data, present))
        for n, future in pending.items():
            if run is not None:
                run.advance(_("Rendering: %(format)s") % {"format": renderers[n].label}, done=0)
            done(n, future.result())
    return files, warnings


def _finish_in(language: str | None, finish: Finish) -> Rendered:
    with translation.override(language):
        return finish()


def _safe(name: str) -> str | None:
    try:
        return storage.check_name(name)
    except storage.UnsafePath:
        return None


def _take_files(files: dict[str, _File], renderer: registry.Renderer, rendered: Rendered) -> None:
    for name, content in sorted(rendered.files.items()):
        try:
            safe = storage.check_name(name)
        except storage.UnsafePath as error:
            raise PublishFailed(
                _("The %(format)s renderer named a file outside the edition: “%(name)s”.")
                % {"format": renderer.label, "name": name[:100]}
            ) from error
        if safe in files:
            raise PublishFailed(
                _("Two formats write the same file “%(name)s”: %(first)s and %(second)s.")
                % {"name": safe, "first": registry.format_label(files[safe].format), "second": renderer.label}
            )
        media_type = rendered.media_types.get(name) or media_type_of(safe)
        files[safe] = _File(renderer.format, bytes(content), media_type[:100])


def _file_rows(edition: Edition, written: list[storage.Written], files: dict[str, _File]) -> list[EditionFile]:
    folder = folder_of(edition)
    rows = []
    for w in written:
        name = w.path[len(folder) + 1 :]
        rows.append(
            EditionFile(
                edition=edition,
                format=files[name].format,
                path=w.path,
                media_type=files[name].media_type,
                size=w.size,
                sha256=w.sha256,
            )
        )
    return rows


def _publish(
    run: _Run,
    edition: Edition,
    rows: list[EditionFile],
    contents: list[dict[str, object]],
    relink: Relink | None,
    link_languages: bool,
) -> PublishJob:
    """The one step readers see: files recorded, the edition published, the previous version archived, the issue
    published, the issue's other editions linking to this one's language (``relink``), the job done, all in one
    transaction."""
    relinked = _Relinked()
    try:
        with transaction.atomic():
            job = _publish_locked(run, edition, rows, contents, relinked if link_languages else None, relink)
    except BaseException:
        relinked.discard()
        raise
    run.job = job
    if run.on_progress is not None:
        run.on_progress(job)
    return job


def _publish_locked(
    run: _Run,
    edition: Edition,
    rows: list[EditionFile],
    contents: list[dict[str, object]],
    relinked: _Relinked | None,
    relink: Relink | None,
) -> PublishJob:
    job = run.lock()
    issue = Issue.objects.select_for_update().get(pk=job.issue_id)
    if issue.status != IssueStatus.PUBLISHED:
        editorial_services.mark_published(_acting_for(job), issue)
    Edition.objects.filter(issue=issue, language=job.language, status=EditionStatus.PUBLISHED).exclude(
        pk=edition.pk
    ).update(status=EditionStatus.SUPERSEDED)
    EditionFile.objects.filter(edition=edition).delete()
    EditionFile.objects.bulk_create(rows)
    edition.status = EditionStatus.PUBLISHED
    edition.warnings = list(run.warnings)
    edition.contents = contents
    edition.save(update_fields=["status", "warnings", "contents"])
    if relinked is not None:
        # Under the issue's lock, which every publication of the issue takes: of two languages published at once,
        # the later to get here finds the other out, and links both ways.
        _relink_current(edition.issue, relink, relinked)
        run.warnings.extend(relinked.warnings)
    now = timezone.now()
    job.state = JobState.DONE
    job.steps_done = job.steps_total
    job.step = _("Published")
    job.warnings = list(run.warnings)
    job.heartbeat = now
    job.finished_at = now
    job.edition = edition
    job.save()
    # robust: the edition is out whatever a receiver (distribution) does; a receiver's failure is logged.
    transaction.on_commit(lambda: signals.edition_published.send_robust(sender=Edition, edition=edition), robust=True)
    return job


def _describe(error: BaseException, step: str) -> str:
    if isinstance(error, LiaisonError):
        return str(error)
    return _("%(step)s failed: %(error)s") % {"step": step, "error": f"{type(error).__name__}: {error}"[:500]}


def _abandon(run: _Run, edition: Edition | None, folder: str | None, error: BaseException) -> None:
    """A failed run: nothing of its edition may stay visible or on disk; the job is failed, or queued again when
    the trouble may pass (the task tries again later)."""
    transient = isinstance(error, TRANSIENT)
    message = _describe(error, run.job.step or _("Publishing"))
    try:
        with transaction.atomic():
            job = run.lock()
            if edition is not None:
                Edition.objects.filter(pk=edition.pk, status=EditionStatus.BUILDING).update(
                    status=EditionStatus.FAILED, warnings=list(run.warnings)
                )
            if folder is not None:
                # Removed while the job is still locked: no other run can be writing it yet.
                storage.remove_folder(folder)
            job.warnings = list(run.warnings)
            job.runner = ""
            job.heartbeat = timezone.now()
            if transient:
                job.state = JobState.QUEUED
                job.error = _("%(error)s — it will be tried again shortly.") % {"error": message}
                job.step = _("Waiting to try again")
            else:
                job.state = JobState.FAILED
                job.error = message
                job.finished_at = job.heartbeat
            job.save()
            run.job = job
    except _LeaseLost:
        return
    if run.on_progress is not None:
        run.on_progress(run.job)


def run_job(
    job_id: int,
    *,
    on_progress: ProgressCallback | None = None,
    link_languages: bool = True,
    coming: Iterable[str] = (),
) -> PublishJob:
    """Publish the job's edition. Returns the job, done or failed (with its error).

    The issue's other current editions gain links to the edition's language in the same transaction that publishes
    it (``relink_issue``); ``link_languages=False`` leaves that to the caller, which publishes several languages in
    a row and links them all once at the end. Such a caller names in ``coming`` the languages it publishes next:
    the edition links them already, so that when they all come out the final ``relink_issue`` has nothing to
    rewrite (and removes the link of any that failed).

    Raises ``Busy`` when another live run holds the job, and the ``TRANSIENT`` errors (after queueing the job
    again) so that the task layer tries again later; a job done already is returned as it is. Safe to call again
    at any moment, including after a crash mid-way: the edition is never published twice."""
    renderers, unavailable = registry.available()
    job, token = _claim(job_id, steps_total=len(renderers) + FIXED_STEPS)
    if token is None:
        return job
    # Steps, warnings and errors are stored as text for the editor who asked: in their language, not the worker's.
    with translation.override(_language_of(job)):
        run = _Run(job=job, token=token, on_progress=on_progress, warnings=list(unavailable), coming=tuple(coming))
        return _run_claimed(run, renderers, link_languages=link_languages)


def _language_of(job: PublishJob) -> str | None:
    language = getattr(job.requested_by, "language", "") if job.requested_by_id else ""
    return language or translation.get_language()


def _run_claimed(run: _Run, renderers: list[registry.Renderer], *, link_languages: bool) -> PublishJob:
    job_id = run.job.pk
    edition: Edition | None = None
    folder: str | None = None
    try:
        run.advance(_("Reading the edition"), done=0)
        if not renderers:
            raise PublishFailed(_("No format can be published: none of the renderers is installed."))
        edition = _prepare_edition(run)
        edition = Edition.objects.select_related("issue__periodical").get(pk=edition.pk)
        folder = folder_of(edition)
        storage.clean_leftovers(folder)
        data = data_for(edition)
        run.advance(_("Read the edition"), save=False)  # rendering starts at once, and says so
        writer = storage.FolderWriter(folder)
        try:
            # Each format's files are written as soon as it is rendered, while the PDF is typeset.
            files, _warnings = _render_all(data, renderers, run, sink=writer.write)
            run.advance(_("Writing the files"), done=0)
            for name, f in files.items():
                if name not in writer.written:
                    writer.write(name, f.content)
            written = writer.finish()
        except BaseException:
            writer.discard()
            raise
        run.advance(_("Publishing"))
        return _publish(
            run, edition, _file_rows(edition, written, files), contents_of(data), _relinker(renderers), link_languages
        )
    except _LeaseLost:
        logger.warning("Publishing job %s: another run took it over; this one stops.", job_id)
        return PublishJob.objects.get(pk=job_id)
    except Exception as error:
        if isinstance(error, TRANSIENT):
            logger.warning("Publishing job %s stopped at “%s”: %s", job_id, run.job.step, error)
        elif not isinstance(error, LiaisonError):
            logger.exception("Publishing job %s failed at “%s”", job_id, run.job.step)
        _abandon(run, edition, folder, error)
        if isinstance(error, TRANSIENT):
            raise
        return run.job


def give_up(job_id: int, error: BaseException | str) -> PublishJob:
    """The task tried again as often as it would: the job fails, to be retried by an editor."""
    with transaction.atomic():
        job = PublishJob.objects.select_for_update().get(pk=job_id)
        if job.state in ACTIVE:
            job.state = JobState.FAILED
            job.error = (
                ngettext(
                    "Gave up after %(attempts)s attempt: %(error)s",
                    "Gave up after %(attempts)s attempts: %(error)s",
                    job.attempts,
                )
                % {"attempts": job.attempts, "error": error}
            )[:2000]
            job.runner = ""
            job.finished_at = timezone.now()
            job.save()
    return job


# Language links -------------------------------------------------------------------------------------------------
#
# An edition's web pages link to the issue's editions in its other languages. Those published after it are linked
# when they are published: in the transaction that publishes a language, every other current edition of the issue
# whose pages lack it gains it (``_relink_current``). Only their web pages change, and only their language links
# (``renderers.web.relink``: nothing is rendered nor parsed again, and the texts stay as they were published even if
# they were edited since); the pages are written into a new folder with the edition's other files linked beside
# them, and the edition's file rows point there when the transaction commits, so a reader is served the old pages or
# the new ones, whole, never a mixture. The folder they replace is removed once it commits. Archived (superseded)
# versions are never changed.


def _relinker(renderers: list[registry.Renderer]) -> Relink | None:
    """How the web pages in use change their language links; None when the web renderer cannot (or is missing)."""
    return next((r.relink for r in renderers if r.format == FileFormat.WEB), None)


@dataclass
class _Relinked:
    """What a relink did: the editions it changed, the folders it wrote (removed if its transaction does not
    commit), the folders they replace (removed once it commits), and what it could not do."""

    editions: list[Edition] = dataclasses.field(default_factory=list)
    written: list[str] = dataclasses.field(default_factory=list)
    replaced: list[str] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)

    def discard(self) -> None:
        for folder in self.written:
            storage.remove_folder(folder)

    def commit(self) -> None:
        for folder in self.replaced:
            storage.remove_folder(folder)


def _relink_current(issue: Issue, relink: Relink | None, relinked: _Relinked) -> None:
    """Inside the transaction holding ``issue``'s row (with its periodical): every current edition of the issue
    whose pages do not link exactly the other languages it is published in now is given those links. One query
    when none needs it; four more per edition relinked (its files' rows inserted in as many batches as the database
    needs), whatever its number of items."""
    current = list(Edition.objects.filter(issue=issue, status=EditionStatus.PUBLISHED).order_by("language"))
    languages = [e.language for e in current]
    for edition in current:
        edition.issue = issue
        wanted = [code for code in languages if code != edition.language]
        if sorted(edition.other_languages or ()) == wanted or relink is None:
            continue  # a web renderer that cannot relink keeps the links it rendered (and the rebuilds their bytes)
        try:
            _relink_edition(edition, wanted, relink, relinked)
        except (Unlinkable, OSError) as error:
            logger.warning("The %s edition's web pages keep their language links: %r", edition, error)
            if isinstance(error, Unlinkable):
                reason = _(
                    "its page “%(page)s” is not as this version of Liaison writes it, or changed since it was "
                    "published. Publish a correction of it to give it every link"
                ) % {"page": error}
            else:
                reason = _(
                    "its files cannot be read or written (%(error)s). Write them again with “liaison publish "
                    "PERIODICAL NUMBER --rebuild”, then run “liaison publish PERIODICAL NUMBER” to link it"
                ) % {"error": error}
            relinked.warnings.append(
                _("The %(language)s edition's web pages keep the language links they had: %(reason)s.")
                % {"language": language_codes.display_name(edition.language), "reason": reason}
            )
    if relinked.replaced:
        transaction.on_commit(relinked.commit, robust=True)


def _relink_edition(edition: Edition, wanted: list[str], relink: Relink, relinked: _Relinked) -> None:
    folder = folder_of(edition)
    files = list(edition.files.order_by("path"))
    web = {f.path[len(folder) + 1 :]: f for f in files if f.format == FileFormat.WEB}
    if not web:
        return  # published without web pages: nothing links anywhere
    pages = {}
    for name, row in web.items():
        if name.endswith(".html"):
            content = storage.absolute(row.path).read_bytes()
            if hashlib.sha256(content).hexdigest() != row.sha256:
                raise Unlinkable(name)  # changed on disk since it was published
            pages[name] = content
    changed = relink(pages, language=edition.language, before=edition.other_languages or (), after=wanted)
    base = storage.edition_folder(
        edition.issue.periodical.slug, edition.issue.number, edition.language, edition.version
    )
    storage.remove_relinked(base, keep={folder})
    target = storage.relinked_folder(base)
    writer = storage.FolderWriter(target)
    rows = []
    try:
        for f in files:
            name = f.path[len(folder) + 1 :]
            if name in changed:
                written = writer.write(name, changed[name])
            else:
                written = writer.link(name, f.path, size=f.size, sha256=f.sha256)
            rows.append(
                EditionFile(
                    edition=edition,
                    format=f.format,
                    path=written.path,
                    media_type=f.media_type,
                    size=written.size,
                    sha256=written.sha256,
                )
            )
        writer.finish()
    except BaseException:
        writer.discard()
        raise
    relinked.written.append(target)
    EditionFile.objects.filter(edition=edition).delete()
    EditionFile.objects.bulk_create(rows)
    edition.folder = target
    edition.other_languages = wanted
    edition.save(update_fields=["folder", "other_languages"])
    relinked.editions.append(edition)
    relinked.replaced.append(folder)


@dataclass(frozen=True)
class Relinked:
    """What ``relink_issue`` did."""

    editions: list[Edition]  # those whose web pages were given their language links
    warnings: list[str]  # those that could not be, and why (in the active language)


def relink_issue(issue: Issue) -> Relinked:
    """Give the web pages of every current edition of ``issue`` links to exactly the languages the issue is
    published in now, in one transaction: what each publication does for its issue, for ``liaison publish`` when it
    publishes several languages in a row (each job leaves it to the end), and for editions published before
    editions gained their links this way."""
    renderers, _unavailable = registry.available()
    relinked = _Relinked()
    try:
        with transaction.atomic():
            locked = Issue.objects.select_for_update().get(pk=issue.pk)
            locked.periodical = Periodical.objects.get(pk=locked.periodical_id)
            _relink_current(locked, _relinker(renderers), relinked)
    except BaseException:
        relinked.discard()
        raise
    return Relinked(relinked.editions, relinked.warnings)


# Rebuilding -----------------------------------------------------------------------------------------------------


class NotReproduced(Conflict):
    """A rebuild gave other bytes than the edition published: its texts or the renderers changed since."""

    def __init__(self, message: str, paths: list[str]) -> None:
        super().__init__(message)
        self.paths = paths


def rebuild_edition(edition: Edition) -> list[str]:
    """Write again the files of a published (or archived) edition, from the database and with its fixed time, for
    instance after the published files were lost. The new bytes must be the ones published: when any file differs
    (a text or a renderer changed since), nothing is written and ``NotReproduced`` names the files; the way to
    publish the changes is a correction. Returns the paths written."""
    edition = Edition.objects.select_related("issue__periodical").get(pk=edition.pk)
    if edition.status not in VISIBLE:
        raise LiaisonError(_("Only a published edition can be rebuilt."))
    renderers, _unavailable = registry.available()
    try:
        files, _warnings = _render_all(data_for(edition), renderers)
    except Incomplete as error:
        raise NotReproduced(
            _("The edition can no longer be built as published: %(error)s") % {"error": error}, error.missing
        ) from error
    folder = folder_of(edition)
    recorded = {f.path: f.sha256 for f in edition.files.all()}
    produced = {f"{folder}/{name}": f for name, f in files.items()}
    differ = sorted(
        path
        for path in recorded.keys() | produced.keys()
        if path not in recorded
        or path not in produced
        or hashlib.sha256(produced[path].content).hexdigest() != recorded[path]
    )
    if differ:
        raise NotReproduced(
            _("Rebuilding gives other files than those published (%(paths)s): publish a correction instead.")
            % {"paths": ", ".join(differ[:10])},
            differ,
        )
    written = storage.write_folder(folder, {name: f.content for name, f in files.items()})
    return [w.path for w in written]


# Reading --------------------------------------------------------------------------------------------------------


def visible_editions(issue: Issue) -> list[Edition]:
    """The issue's editions a reader may open, current and archived, with their files: two queries."""
    return list(
        Edition.objects.filter(issue=issue, status__in=VISIBLE)
        .order_by("language", "-version")
        .prefetch_related(Prefetch("files", queryset=EditionFile.objects.order_by("format", "path")))
    )


def edition_for(issue: Issue, language: str, version: int | None = None) -> Edition | None:
    """The published edition (``version`` None), or that version if a reader may open it."""
    found = Edition.objects.filter(issue=issue, language=language)
    if version is None:
        return found.filter(status=EditionStatus.PUBLISHED).first()
    return found.filter(version=version, status__in=VISIBLE).first()


MAIN_SUFFIX: dict[str, str] = {
    FileFormat.PDF: ".pdf",
    FileFormat.EPUB: ".epub",
    FileFormat.WEB: ".html",
    FileFormat.EMAIL: ".html",
}


def main_files(edition: Edition) -> list[EditionFile]:
    """One file per format, the one a reader opens: the web edition's cover, the PDF, the EPUB, the email's HTML."""
    by_format: dict[str, list[EditionFile]] = {}
    for f in edition.files.all():
        by_format.setdefault(f.format, []).append(f)

    def rank(f: EditionFile) -> tuple[int, int, int, str]:
        name = f.path.rsplit("/", 1)[-1]
        return (
            0 if name == "index.html" else 1,
            0 if name.endswith(MAIN_SUFFIX.get(f.format, "\0")) else 1,
            f.path.count("/"),
            f.path,
        )

    order = {fmt: n for n, fmt in enumerate(FileFormat.values)}
    return [min(files, key=rank) for fmt, files in sorted(by_format.items(), key=lambda kv: order.get(kv[0], 99))]


def file_name(file: EditionFile) -> str:
    """The file's name inside its edition's folder (``<slug>/<number>/<language>/v<version>/``)."""
    return file.path.split("/", 4)[4]


def jobs_of(issue: Issue) -> dict[str, PublishJob]:
    """The latest job of each language of the issue: one query."""
    latest: dict[str, PublishJob] = {}
    for job in PublishJob.objects.filter(issue=issue).order_by("-created", "-pk"):
        latest.setdefault(job.language, job)
    return latest
