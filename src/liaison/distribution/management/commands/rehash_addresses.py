"""``liaison rehash-addresses``: hash every subscriber's address again with the current ``SECRET_KEY``.

After a key rotation (the former key moved to ``SECRET_KEY_FALLBACKS``), subscribers are still found by address under
their former hash, and each is re-hashed when it is found or saved. This command does it for all of them at once, so
that the former key can leave ``SECRET_KEY_FALLBACKS`` (once the links it signed may expire too: docs/operators.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from liaison.distribution import services


class Command(BaseCommand):
    help = "Hash every subscriber's email address again with the current SECRET_KEY (after a key rotation)."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = services.rehash_addresses()
        self.stdout.write(
            ngettext(
                "%(n)s address hashed again with the current key.",
                "%(n)s addresses hashed again with the current key.",
                changed,
            )
            % {"n": changed}
        )
