"""``liaison bounces [--maildir DIR]``: read bounce reports mailed back later and record the failures they report.

Without ``--maildir``, one message from standard input, as a mail server's pipe delivers it (a Postfix or Exim
alias ``"|liaison bounces"``): the exit status is 0 whatever the message was, a bounce or not, so that the server
never bounces a bounce; 75 (``EX_TEMPFAIL``) when the database cannot be reached, so that the server keeps the
message and delivers it again later. With ``--maildir``, every message of a Maildir not yet read (those in ``new/``,
and those in ``cur/`` without the seen flag ``S``) is processed and then moved to ``cur/`` with ``S`` (and ``F``,
flagged, when it was too large to read); a database error stops the run and leaves the message unread, for the next
run. Either way a summary ends the output. Reading a report twice records nothing the second time (``dsn``).
"""

from __future__ import annotations

import contextlib
import mailbox
import os
import sys
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import Error as DatabaseError
from django.utils.translation import gettext as _

from liaison.distribution import dsn

EX_TEMPFAIL = 75  # sysexits.h: "temporary failure; the user is invited to retry"
CHUNK = 1 << 16


def read_limited(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of ``stream`` (one more tells a message too large); the rest is read and dropped,
    so that the mail server writing into the pipe does not see it break."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        while stream.read(CHUNK):
            pass
    return data


class Command(BaseCommand):
    help = "Read bounce reports (delivery status notifications) from standard input or a Maildir and record them."
    # A mail server starts it for every bounce: the system checks (a second of start-up) are for the other commands.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--maildir", metavar="DIR", help="process the unread messages of this Maildir instead of standard input"
        )

    def handle(self, *args: Any, maildir: str | None = None, **options: Any) -> None:
        tally = dsn.Tally()
        try:
            if maildir:
                self._maildir(Path(maildir), tally)
            else:
                self._stdin(tally)
        except DatabaseError as error:
            self._summary(tally)
            raise CommandError(
                _("The database could not be reached (%(error)s): try again later.") % {"error": error},
                returncode=EX_TEMPFAIL,
            ) from error
        self._summary(tally)

    def _stdin(self, tally: dsn.Tally) -> None:
        if sys.stdin is None or sys.stdin.isatty():
            raise CommandError(_("Pipe one message into the command, or give --maildir DIR."))
        stream: BinaryIO = sys.stdin.buffer
        tally.add(dsn.process(read_limited(stream, dsn.max_bytes())))

    def _maildir(self, path: Path, tally: dsn.Tally) -> None:
        if not (path / "new").is_dir() or not (path / "cur").is_dir():
            raise CommandError(_("%(path)s is not a Maildir: it has no new/ and cur/ folders.") % {"path": path})
        box = mailbox.Maildir(path, factory=None, create=False)
        limit = dsn.max_bytes()
        for key in sorted(box.keys()):
            try:
                # Where the message is now, and its flags. Python 3.11's Maildir has no public way to read or change
                # a message's flags without parsing and rewriting the whole message (``get_info`` and ``set_info``
                # come in 3.13): its own lookup gives the file, which is renamed.
                subpath = box._lookup(key)  # type: ignore[attr-defined]
                folder, name = os.path.split(subpath)
                info = name.partition(box.colon)[2]
                flags = info[2:] if info.startswith("2,") else ""
                if folder == "cur" and "S" in flags:
                    continue
                with box.get_file(key) as message:
                    raw = message.read(limit + 1)
            except (KeyError, FileNotFoundError):
                continue  # taken by another run meanwhile
            found = dsn.process(raw)
            tally.add(found)
            flags = "".join(sorted({*flags, "S", *("F" if found.too_large else "")}))
            with contextlib.suppress(FileNotFoundError):  # moved by another run meanwhile, which read it too
                os.rename(path / subpath, path / "cur" / f"{key}{box.colon}2,{flags}")

    def _summary(self, tally: dsn.Tally) -> None:
        self.stdout.write(
            _(
                "Messages read: %(messages)s. Bounces recorded: %(recorded)s; already known: %(known)s; not a "
                "bounce: %(not_bounce)s; unknown message: %(unknown)s; ignored (another address, or a dispatch not "
                "sent): %(ignored)s; too large: %(too_large)s. Subscriptions paused: %(paused)s."
            )
            % tally.as_dict()
        )
