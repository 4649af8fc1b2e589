"""Print the current two-factor code of a demo account, for newcomers who have no authenticator app at hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.accounts.services import demo_code
from liaison.errors import LiaisonError


class Command(BaseCommand):
    help = 'Print the current code of USERNAME\'s two-factor device named "demo" (demo accounts only).'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        try:
            code = demo_code(username)
        except LiaisonError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(code)
