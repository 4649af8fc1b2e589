"""Distribution follows publishing: an edition that becomes visible is dispatched to its subscribers."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from liaison.distribution import services
from liaison.publishing.models import Edition
from liaison.publishing.signals import edition_published


@receiver(edition_published)
def dispatch_edition(sender: Any, edition: Edition, **kwargs: Any) -> None:
    # Idempotent: a correction (version 2) publishes again and finds every dispatch already made.
    services.create_dispatches(edition)
