"""The sender's pages: an issue's post dispatches as an address list and printable labels (with the "mark posted"
action), and the progress of an issue's distribution, which the issue page loads and polls with HTMX.

The post page shows postal addresses and real names, which only those who post the periodical see: the
secretariat for a bulletin, the section's correspondents for its paper (``access.answers_for``). The progress
counts are theirs too, and the bulletin's editors'.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from liaison import languages as language_codes
from liaison.distribution import access, sending, services
from liaison.distribution.models import (
    DISPATCH_DUE,
    Dispatch,
    DispatchState,
    Subscriber,
    SubscriberKind,
    SubscriptionChannel,
)
from liaison.editorial import access as editorial_access
from liaison.errors import LiaisonError, NotAllowed
from liaison.federation.access import Actor, actor_for_request
from liaison.periodicals.models import Issue, Periodical


def _issue(periodical: str, number: int) -> Issue:
    return get_object_or_404(Issue.objects.select_related("periodical"), periodical__slug=periodical, number=number)


def _refuse(request: HttpRequest, reason: str) -> HttpResponse:
    """Anonymous visitors are asked to log in; anyone else is refused, with the reason."""
    if not actor_for_request(request).is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(reason)


def may_post(actor: Actor, periodical: Periodical) -> bool:
    return access.answers_for(actor, periodical)


def may_follow(actor: Actor, periodical: Periodical) -> bool:
    """Who sees a distribution's progress: who posts the periodical, and a bulletin's editors."""
    return may_post(actor, periodical) or (periodical.is_bulletin and editorial_access.is_editor(actor))


# The post -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """One envelope: who it goes to, and where."""

    dispatch: Dispatch
    name: str
    lines: list[str]
    language: str

    @property
    def posted(self) -> bool:
        return self.dispatch.state == DispatchState.POSTED


def addressee(subscriber: Subscriber) -> str:
    """The name on the envelope: a section's or organisation's name, a person's real name (the post needs it; the
    page is the secretariat's), else their pseudonym."""
    if subscriber.kind == SubscriberKind.SECTION and subscriber.section is not None:
        return subscriber.section.name
    if subscriber.kind == SubscriberKind.PERSON and subscriber.person is not None:
        return subscriber.person.real_name or subscriber.person.pseudonym
    return subscriber.display_name


def postal_lines(subscriber: Subscriber) -> list[str]:
    address = subscriber.postal_address or ""
    if not address and subscriber.kind == SubscriberKind.PERSON and subscriber.person is not None:
        address = subscriber.person.address or ""
    return [line.strip() for line in address.splitlines() if line.strip()]


def labels(issue: Issue, language: str | None = None) -> list[Label]:
    """The issue's post dispatches still to post, then those posted: one query."""
    rows = (
        Dispatch.objects.filter(
            issue=issue,
            subscription__channel=SubscriptionChannel.POST,
            state__in=[*DISPATCH_DUE, DispatchState.POSTED],
        )
        .select_related("subscription__subscriber__section", "subscription__subscriber__person")
        .order_by("state", "language", "subscription__subscriber_id", "pk")
    )
    if language:
        rows = rows.filter(language=language)
    found = []
    for dispatch in rows:
        subscriber = dispatch.subscription.subscriber
        found.append(Label(dispatch, addressee(subscriber), postal_lines(subscriber), dispatch.language))
    # Those to post first: the page is a worklist.
    return sorted(found, key=lambda label: label.posted)


@require_safe
def post_list(request: HttpRequest, periodical: str, number: int) -> HttpResponse:
    issue = _issue(periodical, number)
    actor = actor_for_request(request)
    if not may_post(actor, issue.periodical):
        return _refuse(request, _("Only those who post this periodical see its addresses."))
    language = language_codes.normalize(request.GET.get("language", "")) or None
    found = labels(issue, language)
    to_post = [label for label in found if not label.posted]
    context = {
        "issue": issue,
        "periodical": issue.periodical,
        "language": language,
        "labels": found,
        "to_post": to_post,
        "posted": [label for label in found if label.posted],
        "missing_address": [label for label in to_post if not label.lines],
    }
    return render(request, "distribution/post.html", context)


@require_POST
def mark_posted(request: HttpRequest, periodical: str, number: int) -> HttpResponse:
    issue = _issue(periodical, number)
    actor = actor_for_request(request)
    if not may_post(actor, issue.periodical):
        return _refuse(request, _("Only those who post this periodical mark it posted."))
    back = reverse("distribution_sending:post", args=[issue.periodical.slug, issue.number])
    try:
        ids = [int(value) for value in request.POST.getlist("dispatches")]
    except ValueError:
        messages.error(request, _("The form was altered: choose the dispatches again."))
        return redirect(back)
    # Only this issue's: a dispatch of another issue in the form is refused as unknown here.
    if ids and Dispatch.objects.filter(pk__in=ids).exclude(issue=issue).exists():
        messages.error(request, _("Some of these dispatches are not of this issue."))
        return redirect(back)
    try:
        count = services.mark_posted(actor, ids)
    except NotAllowed as error:
        raise PermissionDenied(str(error.message)) from error
    except LiaisonError as error:
        messages.error(request, str(error.message))
        return redirect(back)
    messages.success(
        request,
        ngettext("%(n)s dispatch marked posted.", "%(n)s dispatches marked posted.", count) % {"n": count},
    )
    return redirect(back)


# Progress ----------------------------------------------------------------------------------------------------------


@require_safe
def progress(request: HttpRequest, periodical: str, number: int) -> HttpResponse:
    """The counts by state of an issue's dispatches: a fragment for HTMX (polled while mail is on its way), or a
    small page."""
    issue = _issue(periodical, number)
    actor = actor_for_request(request)
    if not may_follow(actor, issue.periodical):
        return _refuse(request, _("Only the editors follow the distribution of an issue."))
    language = language_codes.normalize(request.GET.get("language", "")) or None
    context = {
        "issue": issue,
        "periodical": issue.periodical,
        "progress": sending.progress(issue.pk, language),
        "may_post": may_post(actor, issue.periodical),
        "states": DispatchState,
    }
    if getattr(request, "htmx", False):
        return render(request, "distribution/_progress.html", context)
    return render(request, "distribution/post_progress.html", context)
