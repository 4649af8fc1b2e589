"""Compile the interface's message catalogues (``locale/*/LC_MESSAGES/django.po``) into the ``.mo`` files Django
reads, with Babel, so that installing Liaison needs no GNU gettext (Django's ``compilemessages`` calls ``msgfmt``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the interface translations (.po) into .mo files, where a .po is newer than its .mo."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Compile every catalogue, even those up to date.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        compiled = 0
        for locale_dir in map(Path, settings.LOCALE_PATHS):
            for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                with po_path.open("rb") as po_file:
                    try:
                        catalog = read_po(po_file, locale=po_path.parts[-3], abort_invalid=True)
                    except Exception as exc:  # Babel raises several kinds; all mean the same to an operator
                        raise CommandError(f"{po_path}: {exc}") from exc
                # Written aside and renamed, so a running server never reads half a catalogue.
                partial = mo_path.with_suffix(".mo.partial")
                with partial.open("wb") as mo_file:
                    write_mo(mo_file, catalog, use_fuzzy=False)
                partial.replace(mo_path)
                compiled += 1
        if options["verbosity"] > 0:
            self.stdout.write(f"Compiled {compiled} of the catalogues; the others were up to date.")
