"""Periodicals pages: adding a section's paper or one of the federation's bulletins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.errors import LiaisonError
from liaison.federation import access
from liaison.federation.access import actor_for_request
from liaison.federation.forms import apply_error, submitted
from liaison.federation.guards import secretariat_only, signed_in
from liaison.federation.models import Section
from liaison.periodicals import services
from liaison.periodicals.forms import PeriodicalForm


@signed_in
def add_to_section(request: HttpRequest, slug: str) -> HttpResponse:
    """A section's correspondents (or the secretariat) add one of the section's own papers."""
    section = get_object_or_404(Section, slug=slug)
    if not access.can_manage_periodicals_of(actor_for_request(request), section.pk):
        raise PermissionDenied
    form = PeriodicalForm(submitted(request), with_section=False, initial={"language": ",".join(section.languages[:1])})
    return _add(request, form, section=section, back=reverse("federation:section", args=[section.slug]))


@secretariat_only
def add(request: HttpRequest) -> HttpResponse:
    """The secretariat adds a periodical for any section, or one of the federation's own bulletins."""
    form = PeriodicalForm(submitted(request))
    return _add(request, form, section=None, back=reverse("federation:overview"))


def _add(request: HttpRequest, form: PeriodicalForm, *, section: Section | None, back: str) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        publisher = section if section is not None else data.get("section")
        try:
            periodical = services.add_periodical(
                actor_for_request(request),
                section=publisher,
                name=data["name"],
                language=data["language"],
                frequency=data["frequency"],
            )
        except LiaisonError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Periodical “%(name)s” added.") % {"name": periodical.name})
            if periodical.section is not None:
                return redirect("federation:section", slug=periodical.section.slug)
            return redirect("federation:overview")
    title = _("Add a periodical")
    if section is not None:
        title = _("Add a periodical of %(name)s") % {"name": section.name}
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "title": title, "submit": _("Add the periodical"), "back": back}
    return render(request, "federation/form.html", context, status=status)
