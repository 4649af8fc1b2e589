"""``liaison dispatch PERIODICAL NUMBER [--language LANG ...]``: dispatch an issue to its subscribers.

For each published edition of the issue (or those named), the dispatches that are missing are made (one per active
email or post subscription in its language: ``services.create_dispatches``, which never makes one twice) and the
email dispatches due are sent: here and now with a progress bar when there is no worker (no ``REDIS_URL``),
otherwise by the workers while this command follows their progress. It ends with a summary per language — sent, to
be tried again, bounced, waiting — and the copies to post, with the address of the labels page. Run it again at any
time: what was sent is never sent again, and what is due (a retry whose time has come) goes out.

``liaison dispatch --due``: send every email dispatch that is due, of every issue, here and now (``tasks.sweep``), for
cron on an install without workers, where nothing else wakes a retry up. It prints what it sent, what failed and what
is left, and exits non-zero when the mail server could not be reached or refused the sender. It is safe beside
workers and beside another sweep: each claims its own batches.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from liaison import languages as language_codes
from liaison.distribution import sending, services, tasks
from liaison.distribution.models import DISPATCH_DUE, Dispatch, DispatchState
from liaison.periodicals.models import Issue, Periodical
from liaison.publishing.models import Edition, EditionStatus

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = (
        "Dispatch an issue: make the missing dispatches of its published editions and send those by email. "
        "With --due: send every email dispatch that is due, of every issue (for cron)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("periodical", nargs="?", help="the periodical's short name (slug), e.g. bulletin")
        parser.add_argument("number", nargs="?", type=int, help="the issue's number")
        parser.add_argument(
            "--due",
            action="store_true",
            help="send every email dispatch that is due, of every issue, in this process (instead of an issue)",
        )
        parser.add_argument(
            "--language", "-l", action="append", default=[], help="a language to dispatch (repeat for several)"
        )
        parser.add_argument("--no-wait", action="store_true", help="with workers: queue the sending and return")
        parser.add_argument("--timeout", type=float, default=0, help="seconds to wait for the workers (0: no limit)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["due"]:
            if options["periodical"] is not None or options["language"]:
                raise CommandError(_("--due sends what is due of every issue: name no periodical, issue or language."))
            self._sweep()
            return
        if options["periodical"] is None or options["number"] is None:
            raise CommandError(_("Name the periodical and the issue's number, or use --due."))
        periodical = Periodical.objects.filter(slug=options["periodical"]).first()
        if periodical is None:
            raise CommandError(_("There is no periodical “%(slug)s”.") % {"slug": options["periodical"]})
        issue = Issue.objects.filter(periodical=periodical, number=options["number"]).first()
        if issue is None:
            raise CommandError(
                _("%(periodical)s has no issue No. %(number)s.")
                % {"periodical": periodical, "number": options["number"]}
            )
        editions = self._editions(issue, [language_codes.normalize(code) for code in options["language"]])
        with tasks.quiet():
            for edition in editions:
                made = services.create_dispatches(edition)
                self.stdout.write(
                    ngettext("%(language)s: %(n)s new dispatch.", "%(language)s: %(n)s new dispatches.", made)
                    % {"language": language_codes.display_name(edition.language), "n": made}
                )
        errors = []
        if tasks.in_process():
            for edition in editions:
                summary = self._send_here(issue, edition.language)
                if summary.error:
                    errors.append(summary.error)
        else:
            for edition in editions:
                if sending.outstanding(sending.Scope(issue.pk, edition.language)):
                    tasks.send_dispatches.delay(edition.pk)
            if options["no_wait"]:
                self.stdout.write(_("Sending is queued: the workers send it."))
                return
            self._follow(issue, [edition.language for edition in editions], options["timeout"])
        for edition in editions:
            self._report(issue, edition.language)
        if errors:
            raise CommandError(
                _("Sending stopped: %(error)s. What was not sent is still due: run the command again later.")
                % {"error": errors[0]}
            )

    def _sweep(self) -> None:
        """Send what is due of every issue here and now, whether or not there are workers: a cron job's run."""
        scope = sending.Scope()
        bar = self._bar(sending.outstanding(scope), "")

        def show(summary: sending.Summary) -> None:
            bar.n = summary.done
            bar.refresh()

        try:
            summary = tasks.sweep(on_progress=show)
        finally:
            bar.close()
        line = _("Due dispatches: %(sent)s sent, %(failed)s to be tried again, %(bounced)s bounced.") % {
            "sent": summary.sent,
            "failed": summary.failed,
            "bounced": summary.bounced,
        }
        self.stdout.write(self.style.SUCCESS(line) if not summary.error else line)
        if summary.recovered:
            self.stdout.write(
                ngettext(
                    "  One dispatch was taken over from a run that stopped.",
                    "  %(n)s dispatches were taken over from a run that stopped.",
                    summary.recovered,
                )
                % {"n": summary.recovered}
            )
        # Left: every email dispatch still to go, due later (a retry's back-off), or held by a worker right now.
        left = Dispatch.objects.filter(scope.filter() & Q(state__in=[*DISPATCH_DUE, DispatchState.SENDING])).count()
        wake = sending.next_wake(scope)
        if left and wake is not None:
            self.stdout.write(
                ngettext(
                    "%(n)s dispatch left; the next is due at %(when)s.",
                    "%(n)s dispatches left; the next is due at %(when)s.",
                    left,
                )
                % {"n": left, "when": formats.date_format(timezone.localtime(wake), "DATETIME_FORMAT")}
            )
        else:
            self.stdout.write(ngettext("%(n)s dispatch left.", "%(n)s dispatches left.", left) % {"n": left})
        if summary.error:
            raise CommandError(
                _("Sending stopped: %(error)s. What was not sent is still due: the next run sends it.")
                % {"error": summary.error}
            )

    def _editions(self, issue: Issue, languages: list[str]) -> list[Edition]:
        published = list(Edition.objects.filter(issue=issue, status=EditionStatus.PUBLISHED).order_by("language"))
        if languages:
            missing = [code for code in languages if code not in {e.language for e in published}]
            if missing:
                raise CommandError(
                    _("%(issue)s has no published edition in: %(languages)s.")
                    % {"issue": issue, "languages": ", ".join(language_codes.display_name(c) for c in missing)}
                )
            published = [e for e in published if e.language in languages]
        if not published:
            raise CommandError(_("%(issue)s has no published edition: publish it first.") % {"issue": issue})
        return published

    def _bar(self, total: int, language: str) -> tqdm[Any]:
        return tqdm(
            total=total or 1,
            desc=language_codes.display_name(language),
            unit=_("message"),
            file=getattr(self.stderr, "_out", sys.stderr),
            disable=None,  # only on a terminal
            leave=True,
        )

    def _send_here(self, issue: Issue, language: str) -> sending.Summary:
        scope = sending.Scope(issue.pk, language)
        bar = self._bar(sending.outstanding(scope), language)

        def show(summary: sending.Summary) -> None:
            bar.n = summary.done
            bar.refresh()

        try:
            return sending.send_due(scope, on_progress=show)
        finally:
            bar.close()

    def _follow(self, issue: Issue, languages: list[str], timeout: float) -> None:
        scopes = [sending.Scope(issue.pk, language) for language in languages]
        start = {scope: sending.outstanding(scope) for scope in scopes}
        bar = self._bar(sum(start.values()), languages[0] if len(languages) == 1 else "")
        started = time.monotonic()
        try:
            while True:
                left = sum(sending.outstanding(scope) for scope in scopes)
                bar.n = max(sum(start.values()) - left, 0)
                bar.refresh()
                if not left:
                    return
                if timeout and time.monotonic() - started > timeout:
                    raise CommandError(
                        ngettext(
                            "%(n)s dispatch is still on its way after %(seconds)s seconds; the workers go on.",
                            "%(n)s dispatches are still on their way after %(seconds)s seconds; the workers go on.",
                            left,
                        )
                        % {"n": left, "seconds": int(timeout)}
                    )
                time.sleep(POLL_SECONDS)
        finally:
            bar.close()

    def _report(self, issue: Issue, language: str) -> None:
        progress = sending.progress(issue.pk, language)
        email, post = progress.email, progress.post
        name = language_codes.display_name(language)
        line = _(
            "%(language)s by email: %(sent)s sent, %(retrying)s to be tried again, %(bounced)s bounced, "
            "%(waiting)s waiting."
        ) % {
            "language": name,
            "sent": email.get(DispatchState.SENT, 0),
            "retrying": email.get(DispatchState.FAILED, 0),
            "bounced": email.get(DispatchState.BOUNCED, 0),
            "waiting": email.get(DispatchState.PENDING, 0) + email.get(DispatchState.SENDING, 0),
        }
        self.stdout.write(self.style.SUCCESS(line) if not email.get(DispatchState.BOUNCED) else line)
        wake = sending.next_wake(sending.Scope(issue.pk, language))
        if email.get(DispatchState.FAILED) and wake is not None:
            self.stdout.write(
                _("  next attempt: %(when)s")
                % {"when": formats.date_format(timezone.localtime(wake), "DATETIME_FORMAT")}
            )
        if progress.post_total:
            to_post = post.get(DispatchState.PENDING, 0) + post.get(DispatchState.FAILED, 0)
            self.stdout.write(
                _("%(language)s by post: %(to_post)s to post, %(posted)s posted.")
                % {"language": name, "to_post": to_post, "posted": post.get(DispatchState.POSTED, 0)}
            )
            if to_post:
                url = settings.SITE_URL + reverse(
                    "distribution_sending:post", args=[issue.periodical.slug, issue.number]
                )
                self.stdout.write(_("  print the labels and mark them posted at %(url)s") % {"url": url})
