"""The search page: open to everyone; what each reader finds is ``services.search``'s to decide."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from liaison.errors import LiaisonError
from liaison.federation.access import actor_for_request
from liaison.federation.forms import apply_error
from liaison.search import services
from liaison.search.forms import SearchForm


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    # A visit without parameters shows the form; once submitted, even empty, the form is read and answered.
    form = SearchForm(request.GET or None, actor=actor)
    results = None
    if form.is_bound and form.is_valid():
        try:
            results = services.search(actor, form.cleaned_data["q"], form.filters(), page=request.GET.get("page") or 1)
        except LiaisonError as error:
            apply_error(form, error)
    return render(request, "search/search.html", {"form": form, "results": results})
