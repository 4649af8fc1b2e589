"""Editorial pages (being built)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("")


def item(request: HttpRequest, periodical: str, number: int, position: int) -> HttpResponse:
    return HttpResponse("")
