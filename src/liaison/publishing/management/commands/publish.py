"""``liaison publish PERIODICAL NUMBER [--language LANG ...]``: publish an issue's editions from the command line.

Without ``--language``, every complete edition not yet published is. Each runs as a publishing job, like one asked
for from the issue page: here and now with a progress bar when there is no worker (no ``REDIS_URL``), otherwise on a
worker while this command follows its progress. It ends with each edition's warnings and where its files are, and
exits non-zero when an edition was refused or failed. Publishing several languages here, it gives the editions their
links to one another once at the end (``services.relink_issue``), not after each language; run again with nothing
left to publish, it mends links an interrupted run left out.

``--correction TEXT`` republishes published editions as corrected versions; ``--rebuild`` writes the files of the
published versions again (after ``PUBLISHED_DIR`` was lost, say) and checks they are the same bytes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from liaison import languages as language_codes
from liaison.errors import LiaisonError
from liaison.federation.access import Actor
from liaison.periodicals.models import Issue, Periodical
from liaison.publishing import services, storage, tasks
from liaison.publishing.edition import Incomplete
from liaison.publishing.models import Edition, EditionStatus, JobState, PublishJob
from liaison.translations import services as translations

# Whoever runs the command administers the installation: they act for the secretariat.
OPERATOR = Actor(secretariat=True)
POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = "Publish an issue's editions: every complete language, or those named."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("periodical", help="the bulletin's short name (slug), e.g. bulletin")
        parser.add_argument("number", type=int, help="the issue's number")
        parser.add_argument(
            "--language", "-l", action="append", default=[], help="a language to publish (repeat for several)"
        )
        parser.add_argument("--correction", default="", help="republish as a corrected version: what it corrects")
        parser.add_argument("--rebuild", action="store_true", help="write the published versions' files again")
        parser.add_argument("--no-wait", action="store_true", help="with a worker: queue the jobs and return")
        parser.add_argument("--timeout", type=float, default=0, help="seconds to wait for a worker (0: no limit)")

    def handle(self, *args: Any, **options: Any) -> None:
        periodical = Periodical.objects.filter(slug=options["periodical"], section__isnull=True).first()
        if periodical is None:
            raise CommandError(_("There is no bulletin “%(slug)s”.") % {"slug": options["periodical"]})
        issue = Issue.objects.filter(periodical=periodical, number=options["number"]).first()
        if issue is None:
            raise CommandError(
                _("%(periodical)s has no issue No. %(number)s.")
                % {"periodical": periodical, "number": options["number"]}
            )
        languages = [language_codes.normalize(code) for code in options["language"]]
        if options["rebuild"]:
            self._rebuild(issue, languages)
            return
        languages = languages or self._complete_unpublished(issue, bool(options["correction"]))
        failures = 0
        jobs: list[PublishJob] = []
        for code in languages:
            try:
                job = services.request_publish(OPERATOR, issue, code, options["correction"])
            except Incomplete as error:
                self.stderr.write(self.style.ERROR(str(error.message)))
                for line in error.missing:
                    self.stderr.write(f"  - {line}")
                failures += 1
                continue
            except LiaisonError as error:
                self.stderr.write(self.style.ERROR(f"{code}: {error}"))
                failures += 1
                continue
            jobs.append(job)
        # Publishing several languages here, one after another: each would give the editions out before it a link to
        # its language, rewriting their pages again and again; their links are all given once at the end instead.
        # (A worker's jobs, which may run side by side, each link their own language as they publish it.)
        together = len(jobs) > 1 and tasks.in_process()
        for position, job in enumerate(jobs):
            if options["no_wait"] and not tasks.in_process():
                if job.state == JobState.QUEUED:
                    tasks.enqueue(job.pk)
                self.stdout.write(
                    _("%(language)s: queued (job %(job)s).")
                    % {"language": language_codes.display_name(job.language), "job": job.pk}
                )
                continue
            # The languages still to come are linked at once: when they all come out, no page is rewritten.
            coming = [later.language for later in jobs[position + 1 :]] if together else []
            job = self._run(job, options["timeout"], link_languages=not together, coming=coming)
            failures += self._report(job)
        if together or not jobs:
            # Also when there was nothing to publish: running the command again mends the links an interrupted run
            # left out.
            self._link_languages(issue)
        if failures:
            raise CommandError(
                ngettext("%(n)s edition not published.", "%(n)s editions not published.", failures) % {"n": failures}
            )

    def _complete_unpublished(self, issue: Issue, correcting: bool) -> list[str]:
        complete = translations.complete_languages(issue)
        if not complete:
            editions = translations.edition_statuses(issue)
            lines = [
                f"  - {language_codes.display_name(code)}: "
                + ngettext("%(n)s item missing", "%(n)s items missing", len(edition.missing))
                % {"n": len(edition.missing)}
                for code, edition in editions.items()
            ]
            raise CommandError("\n".join([_("No edition of %(issue)s is complete.") % {"issue": issue}, *lines]))
        published = set(
            Edition.objects.filter(issue=issue, status=EditionStatus.PUBLISHED).values_list("language", flat=True)
        )
        if correcting:
            return [code for code in complete if code in published]
        chosen = [code for code in complete if code not in published]
        for code in complete:
            if code in published:
                self.stdout.write(
                    _("%(language)s: already published (republish it with --language %(code)s --correction …).")
                    % {"language": language_codes.display_name(code), "code": code}
                )
        if not chosen:
            self.stdout.write(_("Every complete edition is published already."))
        return chosen

    def _link_languages(self, issue: Issue) -> None:
        relinked = services.relink_issue(issue)
        for warning in relinked.warnings:
            self.stdout.write(self.style.WARNING(warning))
        if relinked.editions:
            self.stdout.write(
                _("Language links: the web pages of %(editions)s now link every language published.")
                % {"editions": ", ".join(language_codes.display_name(e.language) for e in relinked.editions)}
            )

    def _run(
        self, job: PublishJob, timeout: float, *, link_languages: bool = True, coming: Sequence[str] = ()
    ) -> PublishJob:
        """Run the job here (no worker), or follow it on a worker; a progress bar either way."""
        bar = tqdm(
            total=job.steps_total or 1,
            desc=language_codes.display_name(job.language),
            unit=_("step"),
            file=getattr(self.stderr, "_out", sys.stderr),
            disable=None,  # only on a terminal
            leave=True,
        )

        def show(current: PublishJob) -> None:
            bar.total = current.steps_total or 1
            bar.n = current.steps_done
            bar.set_postfix_str(current.step, refresh=False)
            bar.refresh()

        try:
            if tasks.in_process():
                if job.state == JobState.QUEUED:
                    try:
                        job = services.run_job(job.pk, on_progress=show, link_languages=link_languages, coming=coming)
                    except services.Busy:
                        pass
                    except services.TRANSIENT as error:
                        job = services.give_up(job.pk, error)
                return self._follow(job, show, timeout)
            if job.state == JobState.QUEUED and job.attempts == 0:
                tasks.enqueue(job.pk)
            return self._follow(job, show, timeout)
        finally:
            bar.close()

    def _follow(self, job: PublishJob, show: Any, timeout: float) -> PublishJob:
        started = time.monotonic()
        told = False
        while True:
            job.refresh_from_db()
            show(job)
            if job.state not in services.ACTIVE:
                return job
            if job.state == JobState.QUEUED and not told and time.monotonic() - started > 5:
                self.stderr.write(_("Waiting for a worker to take the job (is one running?)…"))
                told = True
            if timeout and time.monotonic() - started > timeout:
                raise CommandError(
                    ngettext(
                        "Job %(job)s is still %(state)s after %(seconds)s second; it goes on in the background.",
                        "Job %(job)s is still %(state)s after %(seconds)s seconds; it goes on in the background.",
                        int(timeout),
                    )
                    % {"job": job.pk, "state": job.get_state_display(), "seconds": int(timeout)}
                )
            time.sleep(POLL_SECONDS)

    def _report(self, job: PublishJob) -> int:
        name = language_codes.display_name(job.language)
        for warning in job.warnings or []:
            self.stdout.write(
                self.style.WARNING(_("%(language)s: warning: %(warning)s") % {"language": name, "warning": warning})
            )
        if job.state != JobState.DONE or job.edition is None:
            self.stderr.write(
                self.style.ERROR(_("%(language)s: failed: %(error)s") % {"language": name, "error": job.error})
            )
            return 1
        edition = job.edition
        self.stdout.write(
            self.style.SUCCESS(
                _("%(language)s: published, version %(version)s.") % {"language": name, "version": edition.version}
            )
        )
        folder = services.folder_of(edition)
        self.stdout.write(_("  files in %(folder)s:") % {"folder": storage.absolute(folder)})
        for f in edition.files.order_by("format", "path"):
            self.stdout.write(f"    {f.format:6} {services.file_name(f)}  ({f.size} B)")
        return 0

    def _rebuild(self, issue: Issue, languages: list[str]) -> None:
        editions = Edition.objects.filter(issue=issue, status__in=services.VISIBLE).order_by("language", "version")
        if languages:
            editions = editions.filter(language__in=languages)
        if not editions:
            raise CommandError(_("%(issue)s has no published edition to rebuild.") % {"issue": issue})
        failures = 0
        for edition in editions:
            label = f"{language_codes.display_name(edition.language)} v{edition.version}"
            try:
                written = services.rebuild_edition(edition)
            except LiaisonError as error:
                self.stderr.write(self.style.ERROR(f"{label}: {error}"))
                failures += 1
                continue
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "%(edition)s: %(n)s file rebuilt, identical.",
                        "%(edition)s: %(n)s files rebuilt, identical.",
                        len(written),
                    )
                    % {"edition": label, "n": len(written)}
                )
            )
        if failures:
            raise CommandError(
                ngettext("%(n)s edition could not be rebuilt.", "%(n)s editions could not be rebuilt.", failures)
                % {"n": failures}
            )
