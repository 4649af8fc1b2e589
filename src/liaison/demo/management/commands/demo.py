"""``liaison demo``: load the demo federation into an empty database, then print how to log in as each role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from liaison.conference.models import Conference
from liaison.demo import conference, distribution, editorial, exchange, translations
from liaison.demo import federation as demo
from liaison.federation.models import Federation


class Command(BaseCommand):
    help = "Load the demo federation into an empty database and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--logins-only", action="store_true", help="Print the demo logins without loading anything."
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="After loading, publish the bulletin's issue No. 1 in every complete language (as `make run` does).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["logins_only"]:
            if Federation.objects.exists():
                self.stdout.write("A federation is already loaded; the demo is loaded only into an empty database.")
            else:
                self.stdout.write("Loading the demo federation…")
                with transaction.atomic():
                    federation = demo.build()
                    editorial.build()
                    translations.build()
                    conference.build()
                    exchange.build()
                    distribution.build()
                self.stdout.write(self.style.SUCCESS(f"Loaded “{federation.name}”."))
                if options["publish"]:
                    self.stdout.write("Publishing issue No. 1 of the bulletin…")
                    call_command("publish", "bulletin", "1", stdout=self.stdout, stderr=self.stderr)
                    with transaction.atomic():
                        conference.endorse_published()
                        distributed = distribution.after_publish()
                    if distributed is not None:
                        self.stdout.write(
                            f"Issue No. 1 dispatched: {distributed.sent} emails sent{_where_mail_goes()},"
                            f" {distributed.to_send} still to send; {distributed.posted} copies posted,"
                            f" {distributed.to_post} to post."
                        )
                    if distributed is not None and distributed.made_here:
                        self.stderr.write(
                            f"{distributed.made_here} dispatches were made after publishing, not by it: is"
                            " distribution's receiver of edition_published connected?"
                        )
        people = demo.demo_people()
        if not any(person for _login, person in people):
            raise CommandError("This database holds no demo accounts (it was not loaded by “liaison demo”).")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.PASSWORD}):")
        self.stdout.write(f"  {'user':<15} {'role':<45} pseudonym")
        for login, person in people:
            if person is None:
                continue
            self.stdout.write(f"  {login.username:<15} {login.role:<45} {person.pseudonym}")
        self.stdout.write("")
        self.stdout.write("  editor and admin also need a two-factor code: “.venv/bin/liaison totp-code editor”")
        self.stdout.write("  prints the current one (demo accounts only).")
        self.stdout.write("")
        first = Conference.objects.order_by("pk").values_list("pk", flat=True).first()
        conference_id = first if first is not None else "<id>"
        self.stdout.write("What to try first:")
        self.stdout.write(
            "  - the federation at a glance at http://127.0.0.1:8000/ (a split and a suspension in the lineage)"
        )
        self.stdout.write("  - log in as “correspondent” and open your section's page and your personal page")
        self.stdout.write("  - log in as “editor” to manage people: real identities are shown only to you")
        self.stdout.write(
            "  - the bulletin: issue No. 1 is assembled and ready to publish, No. 2 is open for contributions;"
        )
        self.stdout.write("    “correspondent” has a draft to submit, “editor” has texts waiting for a decision")
        self.stdout.write(
            "  - once published (`make run` does it), the issue page offers each edition as PDF and EPUB, and"
        )
        self.stdout.write(
            "    “liaison export-site DIR” writes the public archive as a static site; search it at /search/"
        )
        self.stdout.write(
            "  - read issue No. 1 at http://127.0.0.1:8000/bulletins/bulletin/1/ in English, French, German or Spanish:"
        )
        self.stdout.write(
            "    choose the language with the switcher at the top of the page (the Russian edition is not complete yet)"
        )
        self.stdout.write(
            "  - the translators' desk at http://127.0.0.1:8000/translations/: log in as “translator” for"
        )
        self.stdout.write(
            "    the queue in each language, a stale translation showing what changed in its original, a machine"
        )
        self.stdout.write(
            "    draft to check and a draft sent back by its reviewer; “reviewer” has a Russian text to review"
        )
        site = "http://127.0.0.1:8000/conferences"
        for line in (
            f"  - the conference at {site}/: its timeline, four questions in five languages, two reply",
            f"    waves; the positions matrix at {site}/{conference_id}/positions/ shows Europe's",
            "    positions (published with issue No. 1), the Americas, Asia and Africa due for No. 2 and one section",
            "    overdue; filter it or download it as CSV. “correspondent” finds the French section's revised",
            "    position and its history, “corresponsal” a position in draft to submit, and “editor” who is overdue",
            f"    at {site}/{conference_id}/overdue/ (and the calendar feed at {site}/{conference_id}/calendar.ics)",
        ):
            self.stdout.write(line)
        root = "http://127.0.0.1:8000"
        member = distribution.member_subscriber_id()
        member_gaps = reverse("distribution:gaps", args=[member]) if member is not None else "/distribution/mine/"
        for line in (
            f"  - the bulletin's subscribers at {root}{reverse('distribution:subscribers')} (as “editor”):",
            "    sections, an archive and readers, in five languages, by email, post and feed. Once issue No. 1 is",
            "    published (`make run`), its emails are in var/mail/ and the copies to post (one still to go) at",
            f"    {root}/distribution/post/bulletin/1/; “member” finds the issue that never reached them, claimed,",
            f"    at {root}{member_gaps} (the open claims: {root}{reverse('distribution:claims')});",
            "    from the command line: “liaison gaps --missing” and “liaison dispatch bulletin 1”",
        ):
            self.stdout.write(line)
        self.stdout.write("  - the API: http://127.0.0.1:8000/api/v1/sections")


def _where_mail_goes() -> str:
    folder = getattr(settings, "EMAIL_FILE_PATH", "")
    return f" (to {folder})" if folder and settings.EMAIL_BACKEND.endswith("filebased.EmailBackend") else ""
