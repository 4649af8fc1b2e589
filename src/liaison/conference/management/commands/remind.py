"""``liaison remind``: send the conference reminders due now (for installs that run it from cron, without Celery)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.conference import reminders


class Command(BaseCommand):
    help = (
        "Remind sections of the conference positions they have not stated: a week before their wave's deadline, "
        "and once when it has passed. Safe to run as often as you like (hourly from cron): nobody is reminded twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the reminders due without sending them.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            for item in reminders.due():
                numbers = ", ".join(str(q.number) for q in item.pending.questions)
                self.stdout.write(
                    f"{item.pending.wave.conference}: {item.pending.section} ({item.pending.wave}, {item.kind}): "
                    f"questions {numbers}"
                )
            return
        summary = reminders.send_reminders()
        self.stdout.write(f"Sent {summary.reminders} reminders ({summary.messages} messages).")
        if summary.failed:
            # A non-zero exit, so that cron tells the operator; the next run tries these again.
            raise CommandError(f"{summary.failed} reminders could not be sent: see the log. The next run retries them.")
