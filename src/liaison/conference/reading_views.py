"""The conference's reading pages: the list of conferences, a conference with its timeline, agenda and waves, the
positions matrix (and its CSV export), the overdue list for the secretariat, and the calendar feed.

Who reads (``access.can_read``): a public conference everyone, any other the federation's members. As on the
bulletin's pages, an anonymous visitor refused is sent to log in and a signed-in reader refused gets 403 with the
reason; an unknown conference is 404 for all. The overdue list is the secretariat's (``access.can_manage``).

Texts written by language come in the reader's: the interface language of the request. Deadlines are shown in the
current time zone (the ``TIME_ZONE`` setting: Liaison keeps no time zone per reader), named next to the time.
"""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from liaison import languages as language_codes
from liaison.conference import access, queries, services
from liaison.conference import calendar as ical
from liaison.conference.models import Conference, PositionState, Wave
from liaison.federation.access import Actor, actor_for_request
from liaison.federation.models import Region


def _refuse(request: HttpRequest, reason: str) -> HttpResponse:
    """Anonymous visitors are asked to log in; anyone else is refused, with the reason."""
    if not actor_for_request(request).is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(reason)


def _reader_language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def _readable(request: HttpRequest, pk: int) -> tuple[Conference, Actor] | HttpResponse:
    conference = get_object_or_404(Conference.objects.select_related("bulletin"), pk=pk)
    actor = actor_for_request(request)
    if not access.can_read(actor, conference):
        return _refuse(request, _("This conference's preparation is for the federation's members."))
    return conference, actor


# The list and a conference ----------------------------------------------------------------------------------------


@require_safe
def conference_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    context = {"conferences": list(queries.readable_conferences(actor)), "manage": access.can_manage(actor)}
    return render(request, "conference/list.html", context)


@require_safe
def conference_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _readable(request, pk)
    if isinstance(found, HttpResponse):
        return found
    conference, actor = found
    context = {
        "conference": conference,
        "page": queries.conference_page(conference, _reader_language()),
        "manage": access.can_manage(actor),
        "zone": timezone.get_current_timezone_name(),
        "now": timezone.now(),
    }
    return render(request, "conference/detail.html", context)


# The positions matrix ---------------------------------------------------------------------------------------------


class MatrixFilters(forms.Form):
    """The matrix's filters, read from the query string: a plain GET form, which works without JavaScript."""

    region = forms.ModelChoiceField(
        label=gettext_lazy("Region"), queryset=Region.objects.order_by("order", "name"), required=False
    )
    wave = forms.ModelChoiceField(label=gettext_lazy("Reply wave"), queryset=Wave.objects.none(), required=False)
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False)

    def __init__(self, conference: Conference, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        wave = self.fields["wave"]
        assert isinstance(region, forms.ModelChoiceField) and isinstance(wave, forms.ModelChoiceField)
        region.empty_label = _("All regions")
        wave.empty_label = _("All waves")
        wave.queryset = conference.waves.order_by("deadline", "id")
        self.fields["state"].choices = [("", _("All states")), *PositionState.choices]  # type: ignore[attr-defined]

    def chosen(self) -> dict[str, Any]:
        """The filters to apply; a value not understood (a region since deleted) is dropped, and said next to its
        field, rather than refusing the whole page."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {
            "region": data.get("region"),
            "wave": data.get("wave"),
            "state": data.get("state") or None,
        }


def _matrix(request: HttpRequest, conference: Conference, actor: Actor) -> tuple[MatrixFilters, queries.MatrixPage]:
    filters = MatrixFilters(conference, request.GET or None)
    reader = _reader_language()
    table = services.matrix(actor, conference, language=reader, **filters.chosen())
    return filters, queries.matrix_page(table, reader)


@require_safe
def conference_matrix(request: HttpRequest, pk: int) -> HttpResponse:
    found = _readable(request, pk)
    if isinstance(found, HttpResponse):
        return found
    conference, actor = found
    filters, page = _matrix(request, conference, actor)
    context = {
        "conference": conference,
        "filters": filters,
        "page": page,
        "filtered": any(filters.chosen().values()),
        "query": request.GET.urlencode(),
        "manage": access.can_manage(actor),
    }
    return render(request, "conference/matrix.html", context)


@require_safe
def conference_matrix_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The matrix with the page's filters as CSV, in UTF-8 with a byte-order mark: without it, spreadsheet programs
    take the file for their local 8-bit code page and garble Cyrillic, CJK and Arabic."""
    found = _readable(request, pk)
    if isinstance(found, HttpResponse):
        return found
    conference, actor = found
    _filters, page = _matrix(request, conference, actor)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(conference.title, allow_unicode=True) or f"conference-{conference.pk}"
    response["Content-Disposition"] = content_disposition_header(True, f"{name}-positions.csv")
    response.write("\ufeff")
    writer = csv.writer(response)

    def statement_url(contribution_id: int) -> str:
        return request.build_absolute_uri(reverse("editorial:contribution", args=[contribution_id]))

    writer.writerows(queries.csv_rows(page, statement_url))
    return response


# The secretariat's overdue list ----------------------------------------------------------------------------------


@require_safe
def conference_overdue(request: HttpRequest, pk: int) -> HttpResponse:
    conference = get_object_or_404(Conference.objects.select_related("bulletin"), pk=pk)
    actor = actor_for_request(request)
    if not access.can_manage(actor):
        return _refuse(request, _("Only the secretariat follows who is overdue."))
    context = {
        "conference": conference,
        "waves": queries.overdue_by_wave(conference, _reader_language()),
        "zone": timezone.get_current_timezone_name(),
    }
    return render(request, "conference/overdue.html", context)


# The calendar feed ------------------------------------------------------------------------------------------------


def _calendar_language(request: HttpRequest) -> str:
    """``?lang=`` when it names a language (a calendar program cannot choose Liaison's interface language, so the
    subscription's address does), else the request's."""
    asked = language_codes.normalize(request.GET.get("lang", ""))[:15]
    return asked if asked and language_codes.is_valid(asked) else _reader_language()


@require_safe
def conference_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    found = _readable(request, pk)
    if isinstance(found, HttpResponse):
        return found
    conference, _actor = found
    # SITE_URL rather than the request's host: the same feed whichever address it was fetched at.
    url = f"{settings.SITE_URL}{reverse('conference_detail', args=[conference.pk])}"
    body = ical.build(conference, language=_calendar_language(request), url=url)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="conference-{conference.pk}.ics"'
    return response
