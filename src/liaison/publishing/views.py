"""Publishing's pages: the editions panel of an issue (publish, follow the job, download), a language's versions, and
the published files themselves.

The panel is shown on the issue page (``publishing/_publish.html``, through the ``publishing_panel`` tag) and served
alone for HTMX, which polls it every two seconds while a job runs. The files are served from ``PUBLISHED_DIR`` only
through their ``EditionFile`` rows (never by joining a path from the address), to those who may read the periodical:
an internal bulletin's editions only to members, in every format.

Addresses follow the published site's layout (``renderers.web``): ``/editions/<slug>/<number>/<language>/<file>`` for
the current version and ``/editions/<slug>/<number>/<language>-v<version>/<file>`` for an archived one, so that the
relative links inside web pages work at both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from liaison import languages as language_codes
from liaison.editorial import queries as editorial_queries
from liaison.errors import LiaisonError, NotAllowed
from liaison.federation.access import Actor, actor_for_request
from liaison.federation.guards import allow
from liaison.periodicals.models import Audience, Issue, IssueStatus
from liaison.publishing import forms, services, storage, tasks
from liaison.publishing.edition import Incomplete
from liaison.publishing.models import Edition, EditionFile, FileFormat, JobState, PublishJob
from liaison.translations import services as translations

logger = logging.getLogger(__name__)

editors_only = allow(services.may_publish)
DOWNLOADED = {FileFormat.PDF, FileFormat.EPUB}


def _refuse(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors are asked to log in; anyone else is refused."""
    if not actor_for_request(request).is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def _issue(periodical: str, number: int) -> Issue:
    return get_object_or_404(
        Issue.objects.select_related("periodical"),
        periodical__slug=periodical,
        periodical__section__isnull=True,
        number=number,
    )


def file_url(edition: Edition, file: EditionFile, *, current: bool) -> str:
    issue = edition.issue
    name = services.file_name(file)
    if current:
        return reverse("publishing:file", args=[issue.periodical.slug, issue.number, edition.language, name])
    return archived_url(issue.periodical.slug, issue.number, edition.language, edition.version, name)


def archived_url(periodical: str, number: int, language: str, version: int, name: str) -> str:
    return reverse(
        "publishing:archived_file",
        kwargs={"periodical": periodical, "number": number, "language": language, "version": version, "name": name},
    )


@dataclass
class Download:
    label: str
    url: str
    file: EditionFile


def downloads(edition: Edition, *, current: bool) -> list[Download]:
    labels: dict[str, str] = {
        FileFormat.WEB: _("Read online"),
        FileFormat.PDF: _("PDF"),
        FileFormat.EPUB: _("EPUB"),
        FileFormat.EMAIL: _("Email edition"),
    }
    return [
        Download(str(labels.get(f.format, f.format)), file_url(edition, f, current=current), f)
        for f in services.main_files(edition)
    ]


@dataclass
class Row:
    """One language of the panel: its published edition, earlier versions, and (for editors) its job and form."""

    language: str
    edition: Edition | None = None
    archived: list[Edition] = field(default_factory=list)
    downloads: list[Download] = field(default_factory=list)
    job: PublishJob | None = None
    complete: bool = False
    missing: int = 0
    form: forms.PublishForm | None = None

    @property
    def direction(self) -> str:
        return language_codes.direction(self.language)

    @property
    def active(self) -> bool:
        return self.job is not None and self.job.state in services.ACTIVE

    @property
    def stale(self) -> bool:
        return self.job is not None and services.is_stale(self.job)

    @property
    def failed(self) -> bool:
        return self.job is not None and self.job.state == JobState.FAILED

    @property
    def may_retry(self) -> bool:
        return self.job is not None and services.may_retry(self.job)

    @property
    def job_warnings(self) -> list[str]:
        return list(self.job.warnings or []) if self.job is not None else []


def _ids(code: str) -> str:
    """Element ids of one language's form: the panel has one form per language."""
    return f"publish-{code}-%s"


def panel_context(
    request: HttpRequest,
    issue: Issue,
    *,
    errors: dict[str, forms.PublishForm] | None = None,
    summaries: list[Any] | None = None,
) -> dict[str, Any]:
    """The panel's data in a fixed number of queries: the editions with their files (one, and one more for the files
    when there are editions); for editors also the latest jobs, and the editions' completeness (three more, unless
    the page has ``summaries`` of it already: ``editorial.queries.EditionSummary``, one per working language)."""
    actor = actor_for_request(request)
    editor = services.may_publish(actor)
    assembled = issue.status in (IssueStatus.ASSEMBLY, IssueStatus.PUBLISHED)
    rows: dict[str, Row] = {}
    stray: list[str] = []
    # An issue not yet assembled has no edition, and nothing to publish yet: no query.
    for edition in services.visible_editions(issue) if assembled else []:
        edition.issue = issue  # already at hand: no query per edition for its addresses
        row = rows.setdefault(edition.language, Row(edition.language))
        if edition.status == "published":
            row.edition = edition
            row.downloads = downloads(edition, current=True)
        else:
            row.archived.append(edition)
    if editor and assembled:
        jobs = services.jobs_of(issue)
        if summaries is None:
            working = editorial_queries.working_languages()
            statuses = translations.edition_statuses(issue, working)
            summaries = editorial_queries.summarize(statuses, working)
        complete = {s.language: s for s in summaries}
        known = [s.language for s in summaries]
        languages = known + sorted(code for code in {*rows, *jobs} if code not in known)
        for code in languages:
            row = rows.setdefault(code, Row(code))
            row.job = jobs.get(code)
            summary = complete.get(code)
            row.complete = bool(summary and summary.complete)
            row.missing = len(summary.missing) if summary else 0
            row.form = (errors or {}).get(code) or forms.PublishForm(initial={"language": code}, auto_id=_ids(code))
            if row.edition is not None:
                row.form.fields["correction"].widget.attrs["required"] = True  # a correction says what it corrects
        ordered = [rows[code] for code in languages]
        # A refusal about a language the panel has no row for (not a language at all, say) is shown above the rows.
        stray = [
            str(message)
            for code, form in (errors or {}).items()
            if code not in rows
            for messages_of_field in form.errors.values()
            for message in messages_of_field
        ]
    else:
        ordered = sorted((row for row in rows.values() if row.edition is not None), key=lambda r: r.language)
    return {
        "issue": issue,
        "periodical": issue.periodical,
        "editor": editor,
        "assembled": assembled,
        "rows": ordered,
        "errors": stray,
    }


@require_safe
def panel(request: HttpRequest, periodical: str, number: int) -> HttpResponse:
    issue = _issue(periodical, number)
    if not services.may_read(actor_for_request(request), issue.periodical):
        return _refuse(request)
    context = panel_context(request, issue)
    if getattr(request, "htmx", False):
        return render(request, "publishing/_panel.html", {**context, "fragment": True})
    return render(request, "publishing/editions.html", context)


def _answer(request: HttpRequest, issue: Issue, errors: dict[str, forms.PublishForm] | None = None) -> HttpResponse:
    """After an action: the panel again for HTMX, else back to the issue page with the messages."""
    if getattr(request, "htmx", False):
        return render(
            request, "publishing/_panel.html", {**panel_context(request, issue, errors=errors), "fragment": True}
        )
    if errors:
        for form in errors.values():
            for error in form.errors.values():
                messages.error(request, " ".join(str(e) for e in error))
    return redirect(reverse("editorial:issue", args=[issue.periodical.slug, issue.number]) + "#publishing")


def _tell(request: HttpRequest, job: PublishJob) -> None:
    job.refresh_from_db()
    name = language_codes.display_name(job.language)
    if job.state == JobState.DONE and job.edition is not None:
        messages.success(
            request,
            _("The %(language)s edition is published (version %(version)s).")
            % {"language": name, "version": job.edition.version},
        )
    elif job.state == JobState.FAILED:
        messages.error(
            request, _("Publishing the %(language)s edition failed: %(error)s") % {"language": name, "error": job.error}
        )
    else:
        messages.info(request, _("The %(language)s edition is being published.") % {"language": name})


@require_POST
@editors_only
def publish(request: HttpRequest, periodical: str, number: int) -> HttpResponse:
    issue = _issue(periodical, number)
    code = language_codes.normalize(request.POST.get("language", ""))[:15]
    form = forms.PublishForm(request.POST, auto_id=_ids(code))
    if not form.is_valid():
        return _answer(request, issue, {code: form})
    try:
        job = services.request_publish(
            actor_for_request(request), issue, form.cleaned_data["language"], form.cleaned_data["correction"]
        )
    except NotAllowed as error:
        raise PermissionDenied from error
    except Incomplete as error:
        form.add_error(None, str(error.message))
        return _answer(request, issue, {code: form})
    except LiaisonError as error:
        form.add_error(error.field if error.field in form.fields and error.field != "language" else None, str(error))
        return _answer(request, issue, {code: form})
    if job.state == JobState.QUEUED:
        # A job already queued is started again too: a second message is harmless (the job is claimed once).
        tasks.start(job)
    if not getattr(request, "htmx", False):
        # In-process (no worker) the job has run by now (``start`` runs on commit, and there is no transaction).
        _tell(request, job)
    return _answer(request, issue)


@require_safe
@editors_only
def job_status(request: HttpRequest, periodical: str, number: int, job: int) -> HttpResponse:
    """One job's status, polled by the page while the job runs. Once it ends, the whole panel answers instead (its
    downloads and forms changed), swapped in place of the panel; the rest of the panel is left alone meanwhile, so
    that polling never wipes a correction note being written."""
    issue = _issue(periodical, number)
    found = get_object_or_404(PublishJob, pk=job, issue=issue)
    if not getattr(request, "htmx", False):
        return redirect(reverse("editorial:issue", args=[issue.periodical.slug, issue.number]) + "#publishing")
    if found.state in services.ACTIVE:
        context = {"row": Row(found.language, job=found), "issue": issue, "periodical": issue.periodical}
        return render(request, "publishing/_job.html", context)
    response = render(request, "publishing/_panel.html", {**panel_context(request, issue), "fragment": True})
    response["HX-Retarget"] = "#publishing"
    response["HX-Reswap"] = "outerHTML"
    return response


@require_POST
@editors_only
def retry(request: HttpRequest, periodical: str, number: int, job: int) -> HttpResponse:
    issue = _issue(periodical, number)
    found = get_object_or_404(PublishJob, pk=job, issue=issue)
    try:
        retried = services.retry_job(actor_for_request(request), found)
    except NotAllowed as error:
        raise PermissionDenied from error
    except LiaisonError as error:
        messages.error(request, str(error))
        return _answer(request, issue)
    tasks.start(retried)
    if not getattr(request, "htmx", False):
        _tell(request, retried)
    return _answer(request, issue)


@require_safe
def versions(request: HttpRequest, periodical: str, number: int, language: str) -> HttpResponse:
    """Every version of a language's edition: the current one, and the earlier ones with what corrected them."""
    issue = _issue(periodical, number)
    if not services.may_read(actor_for_request(request), issue.periodical):
        return _refuse(request)
    code = language_codes.normalize(language)
    editions = [e for e in services.visible_editions(issue) if e.language == code]
    if not editions:
        raise Http404
    shown = []
    later: Edition | None = None
    for edition in editions:  # newest first
        edition.issue = issue
        current = edition.status == "published"
        shown.append(
            {
                "edition": edition,
                "current": current,
                "downloads": downloads(edition, current=current),
                "corrected_by": later,
            }
        )
        later = edition
    return render(
        request,
        "publishing/versions.html",
        {"issue": issue, "periodical": issue.periodical, "language": code, "versions": shown},
    )


# Serving the files ----------------------------------------------------------------------------------------------


def _cache_control(response: HttpResponseBase, issue: Issue, *, archived: bool) -> None:
    if issue.periodical.audience != Audience.PUBLIC:
        patch_cache_control(response, private=True, no_cache=True)
    elif archived:
        # An archived version never changes again.
        patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    else:
        # The current version may be replaced by a correction: caches ask again (a 304 thanks to the ETag).
        patch_cache_control(response, public=True, no_cache=True)


def _serve(
    request: HttpRequest, periodical: str, number: int, language: str, name: str, version: int | None
) -> HttpResponseBase:
    issue = _issue(periodical, number)
    actor: Actor = actor_for_request(request)
    if not services.may_read(actor, issue.periodical):
        return _refuse(request)
    code = language_codes.normalize(language)
    found = _file(issue, code, version, name)
    etag = quote_etag(found.sha256)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["ETag"] = etag
        _cache_control(not_modified, issue, archived=version is not None)
        return not_modified
    try:
        handle = open(storage.absolute(found.path), "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        # Its edition's pages may have just moved to a new folder (they gained a language link, and the folder
        # read is removed once that commits): what the rows say now.
        found = _file(issue, code, version, name)
        try:
            handle = open(storage.absolute(found.path), "rb")  # noqa: SIM115 - FileResponse closes it
        except FileNotFoundError as error:
            logger.error("Published file missing on disk: %s (rebuild it: liaison publish --rebuild)", found.path)
            raise Http404(_("This file is missing; the operators have been told.")) from error
        etag = quote_etag(found.sha256)
    response = FileResponse(
        handle,
        content_type=found.media_type,
        as_attachment=found.format in DOWNLOADED,
        filename=name.rsplit("/", 1)[-1],
    )
    response["ETag"] = etag
    response["Content-Length"] = str(found.size)
    _cache_control(response, issue, archived=version is not None)
    return response


def _file(issue: Issue, language: str, version: int | None, name: str) -> EditionFile:
    """The row of the file ``name`` of the edition (current, or that version), or 404."""
    edition = services.edition_for(issue, language, version)
    if edition is None:
        raise Http404(_("No such edition."))
    edition.issue = issue
    found = EditionFile.objects.filter(edition=edition, path=f"{services.folder_of(edition)}/{name}").first()
    if found is None:
        raise Http404(_("No such file in this edition."))
    return found


@require_safe
def serve_file(
    request: HttpRequest, periodical: str, number: int, language: str, name: str = "index.html"
) -> HttpResponseBase:
    return _serve(request, periodical, number, language, name, None)


@require_safe
def serve_archived(
    request: HttpRequest, periodical: str, number: str, language: str, version: str, name: str = ""
) -> HttpResponseBase:
    return _serve(request, periodical, int(number), language, name or "index.html", int(version))


@require_safe
def archived_redirect(
    request: HttpRequest, periodical: str, number: int, language: str, version: int, name: str
) -> HttpResponse:
    """``…/fr/v1/file``: the archived version's address is ``…/fr-v1/file`` (where its relative links work)."""
    return redirect(archived_url(periodical, number, language, version, name), permanent=True)
