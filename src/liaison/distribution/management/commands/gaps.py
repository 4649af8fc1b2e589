"""``liaison gaps [--subscriber ID] [--missing]``: the gap report, from the database's own aggregates.

Without ``--subscriber``, one line per started subscription: issues due, received, and the missing ones by what
became of their dispatch (a feed's issues apart, in ``by_feed``: nothing is sent, nothing can be known missing).
With it, that subscriber's issues one by one. Subscribers are named as the pages name
them (section, pseudonym, organisation), never by an address.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.distribution.gaps import gaps, gaps_report
from liaison.distribution.models import Subscriber


class Command(BaseCommand):
    help = "Print the issues due to subscribers against those received, with the dispatch state of the missing ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--subscriber", type=int, metavar="ID", help="One subscriber's issues, one by one.")
        parser.add_argument("--missing", action="store_true", help="Only subscriptions with a missing issue.")

    def handle(self, *args: Any, subscriber: int | None = None, missing: bool = False, **options: Any) -> None:
        if subscriber is not None:
            self._one(subscriber, missing)
            return
        self.stdout.write(
            "subscriber\tname\tperiodical\tlanguage\tchannel\tstate\tdue\treceived\tmissing"
            "\twaiting\tfailed\tsent\tposted\tbounced\tcancelled\tnot_dispatched\tby_feed"
        )
        for s in gaps_report(only_missing=missing):
            name = s.subscriber_label or f"reader {s.subscriber_id}"
            self.stdout.write(
                "\t".join(
                    str(v)
                    for v in (
                        s.subscriber_id,
                        name,
                        s.periodical_name,
                        s.language,
                        s.channel,
                        s.state,
                        s.expected,
                        s.received,
                        s.missing,
                        s.waiting,
                        s.failed,
                        s.sent,
                        s.posted,
                        s.bounced,
                        s.cancelled,
                        s.not_dispatched,
                        s.by_feed,
                    )
                )
            )

    def _one(self, subscriber_id: int, missing: bool) -> None:
        found = Subscriber.objects.select_related("section", "person").filter(pk=subscriber_id).first()
        if found is None:
            raise CommandError(f"No subscriber {subscriber_id}.")
        label = found.section.name if found.section else found.person.pseudonym if found.person else found.name
        self.stdout.write(f"{label or f'reader {found.pk}'} ({found.kind})")
        self.stdout.write("periodical\tnumber\tlanguage\tchannel\tpublished\treceived\tdispatch\tclaim")
        for row in gaps(found):
            if missing and not row.missing:
                continue
            self.stdout.write(
                "\t".join(
                    (
                        row.periodical_name,
                        str(row.number),
                        row.language,
                        row.channel,
                        row.day.isoformat() if row.day else "",
                        row.receipt_how or ("no" if row.tracked else "by feed, not tracked"),
                        row.dispatch_state or "none",
                        row.claim_state or "",
                    )
                )
            )
