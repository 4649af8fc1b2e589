"""Distribution's pages: subscribing and the landing pages of the email links (public), one's own subscriptions,
a subscriber's gaps with the claim form, the secretariat's list of subscribers, and open claims.

Every link in an email leads to a page with a button: a link followed by a mail scanner or a preview changes
nothing. The one exception is RFC 8058's one-click unsubscribe, a POST that mail clients send themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from liaison import languages as language_codes
from liaison.distribution import access, forms, services
from liaison.distribution.gaps import gaps_report
from liaison.distribution.models import (
    Claim,
    ClaimItem,
    ClaimState,
    Subscriber,
    SubscriberKind,
    Subscription,
    SubscriptionChannel,
    SubscriptionState,
    email_hashes,
)
from liaison.distribution.queries import last_bounces
from liaison.errors import LiaisonError, NotAllowed
from liaison.federation.access import Actor, actor_for_request
from liaison.federation.forms import apply_error, submitted
from liaison.federation.models import Federation
from liaison.periodicals.models import Audience, Issue, Periodical

SUBSCRIBERS_PER_PAGE = 50


def _refuse(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors are asked to log in; anyone else is refused."""
    if not actor_for_request(request).is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the page the button was on (``next``, when it is this site's), else to ``default``."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return redirect(wanted)
    return redirect(default)


def _with_bounces(subscriptions: list[Subscription]) -> None:
    """Give each paused subscription its last bounces (``last_bounces``): one query, none when none is paused."""
    paused = [s.pk for s in subscriptions if s.state == SubscriptionState.PAUSED]
    found = last_bounces(paused)
    for subscription in subscriptions:
        subscription.last_bounces = found.get(subscription.pk, [])  # type: ignore[attr-defined]


def _link_error(request: HttpRequest, error: LiaisonError, title: str) -> HttpResponse:
    """A link that cannot be followed: the reason, with the status the error carries."""
    return render(request, "distribution/link.html", {"title": title, "error": error}, status=error.status)


# Subscribing and the links of emails (public) ---------------------------------------------------------------------


def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    periodical = get_object_or_404(Periodical, slug=slug, section__isnull=True)
    actor = actor_for_request(request)
    languages = services.languages_of(periodical)
    initial = {"language": request.LANGUAGE_CODE if request.LANGUAGE_CODE in languages else periodical.language}
    form = forms.SubscribeForm(submitted(request), languages=languages, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = services.subscribe(
                actor,
                periodical,
                email=form.cleaned_data["email"],
                language=form.cleaned_data["language"],
                formats=form.cleaned_data["formats"],
            )
        except LiaisonError as error:
            apply_error(form, error)
        else:
            context = {"periodical": periodical, "subscription": subscription}
            return render(request, "distribution/subscribe_sent.html", context)
    return render(request, "distribution/subscribe.html", {"periodical": periodical, "form": form})


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    title = _("Confirm your subscription")
    try:
        if request.method == "POST":
            subscription = services.confirm(token)
            return render(request, "distribution/confirmed.html", {"subscription": subscription})
        # Shown, not done: the link may have been opened by a mail scanner.
        subscription = services.subscription_for_confirmation(token)
    except LiaisonError as error:
        return _link_error(request, error, title)
    return render(request, "distribution/confirm.html", {"subscription": subscription, "title": title})


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    title = _("Unsubscribe")
    try:
        if request.method == "POST":
            subscription = services.unsubscribe(token)
            return render(request, "distribution/unsubscribed.html", {"subscription": subscription})
        subscription = services.subscription_for_link(token)
    except LiaisonError as error:
        return _link_error(request, error, title)
    return render(request, "distribution/unsubscribe.html", {"subscription": subscription, "title": title})


@csrf_exempt  # RFC 8058: the mail client POSTs without a page, hence without a CSRF token; the signed URL is the proof
def one_click(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        # Someone opened the header's address in a browser: the landing page asks before doing anything.
        return redirect("distribution:unsubscribe", token=token)
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return HttpResponseBadRequest(_("Expected the body List-Unsubscribe=One-Click (RFC 8058)."))
    try:
        services.unsubscribe(token)
    except LiaisonError as error:
        return HttpResponse(str(error), status=error.status, content_type="text/plain; charset=utf-8")
    return HttpResponse(_("Unsubscribed."), content_type="text/plain; charset=utf-8")


def receipt(request: HttpRequest, token: str) -> HttpResponse:
    title = _("Say that the issue arrived")
    try:
        if request.method == "POST":
            recorded = services.record_receipt_by_link(token)
            return render(request, "distribution/received.html", {"receipt": recorded})
        dispatch = services.dispatch_for_link(token)
    except LiaisonError as error:
        return _link_error(request, error, title)
    return render(request, "distribution/receipt.html", {"dispatch": dispatch, "title": title})


# One's own ---------------------------------------------------------------------------------------------------------


@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not actor.is_authenticated:
        return _refuse(request)
    subscribers = list(
        Subscriber.objects.filter(_own(actor))
        .select_related("section", "person")
        .prefetch_related(
            Prefetch(
                "subscriptions",
                queryset=Subscription.objects.select_related("periodical").order_by("periodical__name", "language"),
            )
        )
        .order_by("kind", "id")
    )
    _with_bounces([s for subscriber in subscribers for s in subscriber.subscriptions.all()])
    for subscriber in subscribers:
        subscriber.may_act = access.can_act_for_subscriber(actor, subscriber)  # type: ignore[attr-defined]
    return render(request, "distribution/mine.html", {"subscribers": subscribers})


def _own(actor: Actor) -> Q:
    """What "my subscriptions" shows: one's own, and one's sections' (the secretariat sees everyone's elsewhere)."""
    found = access.NOTHING
    if actor.sections:
        found |= Q(kind=SubscriberKind.SECTION, section_id__in=actor.sections)
    if actor.person_id is not None:
        found |= Q(kind=SubscriberKind.PERSON, person_id=actor.person_id)
    return found


def _change_subscription(
    request: HttpRequest, pk: int, change: Callable[[Actor, Subscription], object], done: str
) -> HttpResponse:
    """End or resume a subscription the reader may see: ``done`` said when it worked, the refusal when not."""
    actor = actor_for_request(request)
    if not actor.is_authenticated:
        return _refuse(request)
    subscription = get_object_or_404(Subscription.objects.select_related("subscriber", "periodical"), pk=pk)
    if not access.can_see_subscriber(actor, subscription.subscriber):
        raise Http404
    try:
        change(actor, subscription)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except LiaisonError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return _back(request, reverse("distribution:mine"))


@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_subscription(
        request, pk, services.end_subscription, _("The subscription has ended: nothing more will be sent.")
    )


@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_subscription(
        request,
        pk,
        services.resume_subscription,
        _(
            "The subscription is resumed: what was held is sent now, and the next issues as they come out. "
            "Issues that came out during the pause can be claimed."
        ),
    )


# A subscriber's gaps, claims and receipts --------------------------------------------------------------------------


def _subscriber(request: HttpRequest, pk: int) -> tuple[Actor, Subscriber]:
    actor = actor_for_request(request)
    subscriber = get_object_or_404(Subscriber.objects.select_related("section", "person"), pk=pk)
    if not access.can_see_subscriber(actor, subscriber):
        raise Http404
    return actor, subscriber


def may_add_subscription(actor: Actor, subscriber: Subscriber) -> bool:
    """Who is offered the form "Add a subscription": the secretariat, and a section's correspondents on their
    section's page (``services.add_subscription`` decides, and would refuse anyone else)."""
    return actor.secretariat or (
        subscriber.kind == SubscriberKind.SECTION and actor.is_correspondent_of(subscriber.section_id)
    )


def _subscription_form(subscriber: Subscriber, data: QueryDict | None = None) -> forms.AddSubscriptionForm:
    """The form, with the periodicals the subscriber may receive (an internal bulletin is not offered to an
    organisation or a reader known by the address only: the service refuses it them) and every language one of
    them comes out in: two queries, whatever the number of periodicals."""
    found = Periodical.objects.select_related("section").order_by(
        F("section__name").asc(nulls_first=True), "name", "pk"
    )
    if subscriber.kind == SubscriberKind.ORGANISATION or (
        subscriber.kind == SubscriberKind.PERSON and subscriber.person_id is None
    ):
        found = found.exclude(section__isnull=True, audience=Audience.MEMBERS)
    periodicals = list(found)
    working = Federation.objects.filter(pk=1).values_list("working_languages", flat=True).first() or []
    languages = list(dict.fromkeys([*working, *(p.language for p in periodicals)]))
    initial = {"language": subscriber.language} if subscriber.language in languages else {}
    return forms.AddSubscriptionForm(data, periodicals=periodicals, languages=languages, initial=initial)


def _subscriber_context(
    actor: Actor,
    subscriber: Subscriber,
    form: forms.SubscriberForm | None = None,
    add_form: forms.AddSubscriptionForm | None = None,
) -> dict:
    subscriptions = list(
        Subscription.objects.filter(subscriber=subscriber)
        .select_related("periodical")
        .order_by("periodical__name", "language", "channel", "-id")
    )
    _with_bounces(subscriptions)
    may_edit = access.can_edit_subscriber(actor, subscriber)
    if form is None and may_edit:
        initial = {
            "name": subscriber.name,
            "email": subscriber.email,
            "postal_address": subscriber.postal_address,
            "language": subscriber.language,
        }
        form = forms.SubscriberForm(initial=initial, kind=subscriber.kind)
    if add_form is None and may_add_subscription(actor, subscriber):
        add_form = _subscription_form(subscriber)
    return {
        "subscriber": subscriber,
        "subscriptions": subscriptions,
        "contact": access.can_see_contact(actor, subscriber),
        "may_act": access.can_act_for_subscriber(actor, subscriber),
        "may_edit": may_edit,
        "form": form,
        "add_form": add_form,
    }


@require_safe
def subscriber_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A subscriber: their details (addresses for those who may read them), subscriptions (with why a paused one
    was paused, and the button to resume it), and the form to change the details for those who may."""
    if not actor_for_request(request).is_authenticated:
        return _refuse(request)
    actor, subscriber = _subscriber(request, pk)
    return render(request, "distribution/subscriber.html", _subscriber_context(actor, subscriber))


@require_POST
def subscriber_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not actor_for_request(request).is_authenticated:
        return _refuse(request)
    actor, subscriber = _subscriber(request, pk)
    if not access.can_edit_subscriber(actor, subscriber):
        raise PermissionDenied(
            _("Only the secretariat, or the section's correspondents, change a subscriber's details.")
        )
    form = forms.SubscriberForm(request.POST, kind=subscriber.kind)
    if form.is_valid():
        try:
            services.update_subscriber(actor, subscriber, **form.changes())
        except LiaisonError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The subscriber's details are saved."))
            return redirect("distribution:subscriber", pk=subscriber.pk)
    context = _subscriber_context(actor, subscriber, form)
    return render(request, "distribution/subscriber.html", context, status=400)


@require_POST
def subscription_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a subscription for the subscriber, active at once; a refusal is shown next to its field."""
    if not actor_for_request(request).is_authenticated:
        return _refuse(request)
    actor, subscriber = _subscriber(request, pk)
    if not may_add_subscription(actor, subscriber):
        raise PermissionDenied(
            _("Only the secretariat, or the section's correspondents, add subscriptions on a subscriber's page.")
        )
    form = _subscription_form(subscriber, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = services.add_subscription(
                actor,
                subscriber,
                form.chosen_periodical(),
                language=data["language"],
                formats=data["formats"],
                channel=data["channel"],
                started_on=data["started_on"],
            )
        except LiaisonError as error:
            apply_error(form, error)
        else:
            messages.success(
                request,
                _("%(subscriber)s now receives %(periodical)s in %(language)s by %(channel)s.")
                % {
                    "subscriber": subscriber.display_name,
                    "periodical": made.periodical.name,
                    "language": language_codes.display_name(made.language),
                    "channel": SubscriptionChannel(made.channel).label,
                },
            )
            return redirect("distribution:subscriber", pk=subscriber.pk)
    context = _subscriber_context(actor, subscriber, add_form=form)
    return render(request, "distribution/subscriber.html", context, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def subscriber_new(request: HttpRequest) -> HttpResponse:
    """The secretariat records a subscriber (a section, an organisation, a person); subscriptions follow."""
    actor = actor_for_request(request)
    if not access.sees_all(actor):
        return _refuse(request)
    form = forms.NewSubscriberForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.add_subscriber(
                actor,
                kind=data["kind"],
                section=data["section"],
                person=data["person"],
                name=data["name"],
                email=data["email"],
                postal_address=data["postal_address"],
                language=data["language"],
            )
        except LiaisonError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("%(name)s is recorded as a subscriber.") % {"name": made.display_name})
            return redirect("distribution:subscriber", pk=made.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "distribution/subscriber_new.html", {"form": form}, status=status)


def _gaps_context(
    actor: Actor,
    subscriber: Subscriber,
    claim_form: forms.ClaimForm | None = None,
    receipt_form: forms.ReceiptForm | None = None,
) -> dict[str, object]:
    rows = services.gaps(subscriber)
    may_act = access.can_act_for_subscriber(actor, subscriber)
    claimable = [r for r in rows if r.claimable]
    missing = [r for r in rows if r.missing]
    claims = list(
        Claim.objects.filter(subscriber=subscriber)
        .select_related("periodical")
        .prefetch_related(Prefetch("items", queryset=ClaimItem.objects.select_related("issue")))
        .order_by("-created", "-id")[:20]
    )
    return {
        "subscriber": subscriber,
        "rows": rows,
        "missing_count": len(missing),
        "may_act": may_act,
        "contact": access.can_see_contact(actor, subscriber),
        "claim_form": claim_form or (forms.ClaimForm(rows=claimable) if may_act and claimable else None),
        "receipt_form": receipt_form or (forms.ReceiptForm(rows=missing) if may_act and missing else None),
        "claims": claims,
    }


@require_safe
def gaps_page(request: HttpRequest, pk: int) -> HttpResponse:
    if not actor_for_request(request).is_authenticated:
        return _refuse(request)
    actor, subscriber = _subscriber(request, pk)
    return render(request, "distribution/gaps.html", _gaps_context(actor, subscriber))


@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    if not actor_for_request(request).is_authenticated:
        return _refuse(request)
    actor, subscriber = _subscriber(request, pk)
    if not access.can_act_for_subscriber(actor, subscriber):
        raise PermissionDenied(_("You may not claim issues for this subscriber."))
    rows = [r for r in services.gaps(subscriber) if r.claimable]
    form = forms.ClaimForm(request.POST, rows=rows)
    if form.is_valid():
        try:
            made = services.claim(actor, subscriber, form.pairs(), form.cleaned_data["note"])
        except LiaisonError as error:
            apply_error(form, error)
        else:
            messages.success(
                request,
                _("Your claim for %(n)d issue(s) of %(periodical)s is recorded; its answer will show here.")
                % {"n": made.items.count(), "periodical": made.periodical.name},
            )
            return redirect("distribution:gaps", pk=subscriber.pk)
    return render(request, "distribution/gaps.html", _gaps_context(actor, subscriber, claim_form=form), status=400)


@require_POST
def receipt_by_hand(request: HttpRequest, pk: int) -> HttpResponse:
    if not actor_for_request(request).is_authenticated:
        return _refuse(request)
    actor, subscriber = _subscriber(request, pk)
    if not access.can_act_for_subscriber(actor, subscriber):
        raise PermissionDenied(_("You may not record receipts for this subscriber."))
    rows = [r for r in services.gaps(subscriber) if r.missing]
    form = forms.ReceiptForm(request.POST, rows=rows)
    if form.is_valid():
        issue_id, language = form.issue_and_language()
        try:
            services.record_receipt(
                actor,
                subscriber,
                Issue.objects.select_related("periodical").get(pk=issue_id),
                language,
                how=form.cleaned_data["how"],
                note=form.cleaned_data["note"],
            )
        except LiaisonError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The receipt is recorded."))
            return redirect("distribution:gaps", pk=subscriber.pk)
    return render(request, "distribution/gaps.html", _gaps_context(actor, subscriber, receipt_form=form), status=400)


# The secretariat's and the sections' lists -------------------------------------------------------------------------


def _filtered_subscribers(filters: forms.SubscriberFilters) -> tuple[QuerySet[Subscriber], bool]:
    found = Subscriber.objects.select_related("section", "person").order_by("kind", "id")
    if not filters.is_valid():
        return found, False
    data = filters.cleaned_data
    filtering = False
    if data["kind"]:
        found, filtering = found.filter(kind=data["kind"]), True
    subscription_filter = Q()
    if data["periodical"] is not None:
        subscription_filter &= Q(subscriptions__periodical=data["periodical"])
    if data["state"]:
        subscription_filter &= Q(subscriptions__state=data["state"])
    if subscription_filter:
        found, filtering = found.filter(subscription_filter).distinct(), True
    if data["name"].strip():
        name = data["name"].strip()
        found = found.filter(
            Q(name__icontains=name) | Q(section__name__icontains=name) | Q(person__pseudonym__icontains=name)
        )
        filtering = True
    if data["email"].strip():
        found, filtering = found.filter(email_hash__in=email_hashes(data["email"])), True
    return found, filtering


@require_safe
def subscribers(request: HttpRequest) -> HttpResponse:
    """Every subscriber, with the gap counts of their subscriptions: the secretariat's alone. A constant number of
    queries whatever the page holds (the counts come from one aggregate query for the page)."""
    actor = actor_for_request(request)
    if not access.sees_all(actor):
        return _refuse(request)
    filters = forms.SubscriberFilters(request.GET or None)
    found, filtering = _filtered_subscribers(filters)
    page = Paginator(found.annotate(subscription_count=Count("subscriptions")), SUBSCRIBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    summaries: dict[int, list[object]] = {}
    for summary in gaps_report([s.pk for s in page.object_list]):
        summaries.setdefault(summary.subscriber_id, []).append(summary)
    for subscriber in page.object_list:
        subscriber.summaries = summaries.get(subscriber.pk, [])  # type: ignore[attr-defined]
        subscriber.missing = sum(s.missing for s in subscriber.summaries)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "filtering": filtering, "query": query.urlencode()}
    return render(request, "distribution/subscribers.html", context)


def open_claims_for(actor: Actor) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(access.claim_filter(actor), state=ClaimState.OPEN)
        .select_related("periodical", "subscriber__section", "subscriber__person", "claimed_by")
        .prefetch_related(Prefetch("items", queryset=ClaimItem.objects.select_related("issue", "subscription")))
        .order_by("created", "id")
    )


@require_safe
def claims(request: HttpRequest) -> HttpResponse:
    """Open claims: to answer (the secretariat's for bulletins, a section's for its paper), and one's own."""
    actor = actor_for_request(request)
    if not actor.is_authenticated:
        return _refuse(request)
    found = list(open_claims_for(actor)[:200])
    for item in found:
        item.answerable = access.can_answer_claim(actor, item)  # type: ignore[attr-defined]
        # Whether "already posted" means anything for it (the items and their subscriptions are prefetched).
        item.by_post = any(  # type: ignore[attr-defined]
            claimed.subscription.channel == SubscriptionChannel.POST for claimed in item.items.all()
        )
    return render(request, "distribution/claims.html", {"claims": found})


def _claim_for(request: HttpRequest, pk: int) -> tuple[Actor, Claim]:
    actor = actor_for_request(request)
    found = get_object_or_404(Claim.objects.select_related("periodical", "subscriber"), pk=pk)
    if not access.can_see_claim(actor, found):
        raise Http404
    return actor, found


@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    if not actor_for_request(request).is_authenticated:
        return _refuse(request)
    actor, found = _claim_for(request, pk)
    posted = bool(request.POST.get("posted"))
    try:
        services.answer_claim(actor, found, posted=posted)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except LiaisonError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, answered_message(found, posted=posted))
    return redirect("distribution:claims")


def answered_message(claim: Claim, *, posted: bool) -> str:
    """What answering ``claim`` did, said the same on every page a claim is answered on (the claims desk, the
    exchange pages): the copies by post recorded posted or waiting on the post list, the emails on their way."""
    channels = list(claim.items.values_list("subscription__channel", flat=True))
    by_post = channels.count(SubscriptionChannel.POST)
    by_email = len(channels) - by_post
    said = [_("The claim of %(who)s is answered.") % {"who": claim.subscriber.display_name}]
    if by_post and posted:
        said.append(
            ngettext(
                "The copy by post is recorded as posted.", "The %(n)s copies by post are recorded as posted.", by_post
            )
            % {"n": by_post}
        )
    elif by_post:
        said.append(
            ngettext(
                "The copy to post is on its issue's post list until it is marked posted.",
                "The %(n)s copies to post are on their issues' post lists until they are marked posted.",
                by_post,
            )
            % {"n": by_post}
        )
    if by_email:
        said.append(
            ngettext("The email is sent again.", "The %(n)s emails are sent again.", by_email) % {"n": by_email}
        )
    return " ".join(said)


@require_POST
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    if not actor_for_request(request).is_authenticated:
        return _refuse(request)
    actor, found = _claim_for(request, pk)
    form = forms.RefuseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.refuse_claim(actor, found, reason)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except LiaisonError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The claim is refused; the claimant sees why."))
    return redirect("distribution:claims")
