"""What every page needs: the federation's name and the actor's roles, for the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from liaison.federation.access import actor_for_request
from liaison.federation.models import Federation


def federation(request: HttpRequest) -> dict[str, Any]:
    return {
        "federation": Federation.objects.first(),
        "actor": actor_for_request(request),
    }
