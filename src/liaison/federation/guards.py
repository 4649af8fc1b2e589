"""Who reaches a page: anonymous visitors are sent to log in, accounts without the right are refused (403)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from liaison.federation import access
from liaison.federation.access import Actor, actor_for_request

View = Callable[..., HttpResponse]


def allow(check: Callable[[Actor], bool]) -> Callable[[View], View]:
    """Log in first, then pass only actors for whom ``check`` holds."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(actor_for_request(request)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def signed_in(view: View) -> View:
    """Log in first; the view decides, per object, what the actor may do."""
    return login_required(view)


secretariat_only = allow(access.can_manage_registry)
members_only = allow(access.can_see_people)
