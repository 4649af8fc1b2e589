"""``liaison export-site DIR``: write the whole public archive as a static site into DIR (see ``publishing.site``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from liaison.errors import LiaisonError
from liaison.publishing import site


class Command(BaseCommand):
    help = (
        "Write the public archive (every published edition of the public periodicals, in every format, with the "
        "feeds and a sitemap) into DIR as a static site, replacing an earlier export there at once."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", metavar="DIR", help="The folder to write; created when missing.")
        parser.add_argument(
            "--base-url",
            default="",
            help="The address the site will be read at, for the sitemap and the feeds (default: SITE_URL).",
        )

    def handle(self, *args: Any, directory: str, base_url: str = "", **options: Any) -> None:
        try:
            exported = site.export_site(directory, base_url=base_url or None)
        except LiaisonError as error:
            raise CommandError(str(error)) from error
        for warning in exported.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if options["verbosity"] > 0:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Exported {exported.editions} edition(s), {exported.files} files, to {exported.directory}."
                )
            )
