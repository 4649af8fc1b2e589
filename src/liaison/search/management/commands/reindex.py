"""``liaison reindex``: rebuilds the search index from the published issues and their approved translations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from liaison.search import services


class Command(BaseCommand):
    help = "Rebuild the archive's search index from every published issue and its approved translations."

    def handle(self, *args: Any, **options: Any) -> None:
        written = services.reindex_all()
        self.stdout.write(f"Indexed {written} texts.")
