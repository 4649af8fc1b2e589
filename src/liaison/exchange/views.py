"""The exchange pages: a section's papers and what it receives, a paper's page, registering issues, managing
partners, recording arrivals, claiming and answering claims.

Views stay thin: they parse a form, call a service, and turn its refusals into form errors or messages
(``LiaisonError``) or a 403 (``NotAllowed``). Who sees what is in ``access``; what is late or missing in ``status``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from liaison.distribution import services as distribution
from liaison.distribution.models import CURRENT_SUBSCRIPTION, Claim, Subscription
from liaison.distribution.views import answered_message
from liaison.errors import LiaisonError, NotAllowed
from liaison.exchange import access, forms, schedule, services, status, uploads
from liaison.exchange.models import IssueFile
from liaison.federation.access import Actor, actor_for_request
from liaison.federation.forms import apply_error, submitted
from liaison.federation.guards import signed_in
from liaison.federation.models import Section, SectionStatus
from liaison.periodicals import services as periodicals
from liaison.periodicals.forms import PeriodicalForm
from liaison.periodicals.models import Issue, IssueStatus, Periodical


def _paper(slug: str) -> Periodical:
    return get_object_or_404(Periodical.objects.select_related("section"), slug=slug, section__isnull=False)


def _publisher(paper: Periodical) -> Section:
    assert paper.section is not None
    return paper.section


def _require_publisher(actor: Actor, paper: Periodical) -> None:
    if not access.can_publish(actor, paper.section_id):
        raise PermissionDenied(
            _("Only the correspondents of %(section)s speak for its paper.") % {"section": paper.section}
        )


def _visible_partners(actor: Actor, paper: Periodical) -> set[int] | None:
    """The partners whose rows ``actor`` sees on a paper's page: all (None), their own sections', or a 403."""
    if access.sees_every_partner(actor, paper.section_id):
        return None
    partners = status.partner_section_ids(paper)
    if not access.can_see_paper(actor, paper.section_id, partners):
        raise PermissionDenied(_("This paper's page is for its section, its exchange partners and the secretariat."))
    return partners & actor.sections


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back to the page the action was taken on (the dashboard, the section's page), if it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def _refused(request: HttpRequest, error: LiaisonError) -> None:
    if isinstance(error, NotAllowed):
        raise PermissionDenied(str(error.message)) from error
    messages.error(request, str(error.message))


# Overview pages ------------------------------------------------------------------------------------------------------


@signed_in
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The papers the actor's sections publish or receive (every section's paper, for the secretariat)."""
    actor = actor_for_request(request)
    papers = Periodical.objects.filter(section__isnull=False)
    sections = Section.objects.all()
    if not actor.secretariat:
        received = Subscription.objects.filter(
            status.exchange_subscriptions(), subscriber__section_id__in=actor.sections
        ).values("periodical_id")
        papers = papers.filter(Q(section_id__in=actor.sections) | Q(pk__in=received))
        sections = sections.filter(pk__in=actor.sections)
    partners = Q(subscriptions__subscriber__kind="section", subscriptions__state__in=CURRENT_SUBSCRIPTION)
    papers = (
        papers.select_related("section")
        .annotate(
            partner_count=Count("subscriptions", filter=partners, distinct=True),
            last_number=Max("issues__number", filter=Q(issues__status=IssueStatus.PUBLISHED)),
        )
        .order_by("section__name", "name")
    )
    context = {"papers": list(papers), "sections": list(sections.order_by("name"))}
    return render(request, "exchange/index.html", context)


@signed_in
@require_safe
def section(request: HttpRequest, slug: str) -> HttpResponse:
    """A section's exchange page: "what did I miss" for the papers it receives, and its own papers' partners."""
    found = get_object_or_404(Section, slug=slug)
    actor = actor_for_request(request)
    if not access.can_see_section(actor, found.pk):
        raise PermissionDenied(_("A section's exchange is seen by its own people and the secretariat."))
    context = {
        "section": found,
        "overview": status.section_overview(found, include_ended=True, all_claims=True),
        "may_receive": access.can_receive(actor, found.pk),
        "may_publish": access.can_publish(actor, found.pk),
        "today": schedule.today(),
    }
    return render(request, "exchange/section.html", context)


@signed_in
def paper_new(request: HttpRequest, slug: str) -> HttpResponse:
    """A section's correspondents add the section's paper (name, language, frequency) to exchange it."""
    found = get_object_or_404(Section, slug=slug)
    actor = actor_for_request(request)
    if not access.can_publish(actor, found.pk):
        raise PermissionDenied(_("Only the correspondents of %(section)s add its paper.") % {"section": found})
    form = PeriodicalForm(submitted(request), with_section=False, initial={"language": ",".join(found.languages[:1])})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            paper = periodicals.add_periodical(
                actor, section=found, name=data["name"], language=data["language"], frequency=data["frequency"]
            )
        except LiaisonError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, _("Paper “%(name)s” added: register its issues and its partners.") % {"name": paper.name}
            )
            return redirect("exchange:paper", slug=paper.slug)
    context = {
        "form": form,
        "title": _("Add the paper of %(name)s") % {"name": found.name},
        "submit": _("Add the paper"),
        "back": reverse("exchange:section", args=[found.slug]),
    }
    return render(request, "federation/form.html", context, status=400 if form.errors else 200)


@signed_in
@require_safe
def paper(request: HttpRequest, slug: str) -> HttpResponse:
    """A paper's page: its issues, its partners and what each received, the claims made for it."""
    found = _paper(slug)
    actor = actor_for_request(request)
    partner_ids = _visible_partners(actor, found)
    state = status.paper_overview(found, partner_ids=partner_ids)
    context = {
        "paper": found,
        "section": found.section,
        "state": state,
        "issues": [(issue, status.issue_date(issue)) for issue in reversed(state.issues)],
        "may_publish": access.can_publish(actor, found.section_id),
        "partner_rows": [(p, p.current and access.can_receive(actor, p.partner.pk)) for p in state.partners],
        "refuse_form": forms.RefuseForm(),
        "every_partner": partner_ids is None,
    }
    return render(request, "exchange/paper.html", context)


# The paper's section: issues and partners ----------------------------------------------------------------------------


@signed_in
def issue_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Register an issue of the paper that appeared (number, date, optional PDF)."""
    found = _paper(slug)
    actor = actor_for_request(request)
    _require_publisher(actor, found)
    last = Issue.objects.filter(periodical=found).aggregate(n=Max("number"))["n"] or 0
    form = forms.IssueForm(
        submitted(request),
        request.FILES or None,
        initial={"number": last + 1, "date": schedule.today()},
        max_size=filesizeformat(uploads.max_bytes()),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = services.register_issue(
                actor,
                found,
                number=data["number"],
                date=data["date"],
                title=data["title"],
                gap_reason=data["gap_reason"],
                pdf=data.get("pdf") or None,
            )
        except LiaisonError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, _("No. %(n)s of %(paper)s registered.") % {"n": issue.number, "paper": found.name}
            )
            return redirect("exchange:paper", slug=found.slug)
    context = {
        "form": form,
        "paper": found,
        "title": _("Register an issue of %(paper)s") % {"paper": found.name},
        "submit": _("Register the issue"),
    }
    return render(request, "exchange/form.html", context, status=400 if form.errors else 200)


@signed_in
def issue_pdf_upload(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Attach or replace the PDF of a registered issue."""
    found = _paper(slug)
    actor = actor_for_request(request)
    _require_publisher(actor, found)
    issue = get_object_or_404(Issue.objects.select_related("periodical"), periodical=found, number=number)
    form = forms.PdfForm(submitted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attach_pdf(actor, issue, form.cleaned_data["pdf"])
        except LiaisonError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The PDF of No. %(n)s was saved.") % {"n": issue.number})
            return redirect("exchange:paper", slug=found.slug)
    context = {
        "form": form,
        "paper": found,
        "title": _("The PDF of %(issue)s") % {"issue": issue},
        "intro": _("At most %(size)s.") % {"size": filesizeformat(uploads.max_bytes())},
        "submit": _("Upload the PDF"),
    }
    return render(request, "exchange/form.html", context, status=400 if form.errors else 200)


@login_required
@require_safe
def issue_pdf(request: HttpRequest, slug: str, number: int) -> FileResponse:
    """The PDF of an issue, for whoever sees the paper's page; always as a download, never shown in our origin."""
    found = _paper(slug)
    _visible_partners(actor_for_request(request), found)
    stored = IssueFile.objects.filter(issue__periodical=found, issue__number=number).first()
    if stored is None:
        raise Http404(_("This issue has no PDF."))
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("This issue has no PDF.")) from exc
    return FileResponse(handle, as_attachment=True, filename=stored.name, content_type="application/pdf")


def _partner_candidates(found: Periodical) -> Any:
    current = Subscription.objects.filter(
        status.exchange_subscriptions(), periodical=found, state__in=CURRENT_SUBSCRIPTION
    ).values("subscriber__section_id")
    return (
        Section.objects.exclude(pk=_publisher(found).pk)
        .exclude(status=SectionStatus.DISSOLVED)
        .exclude(pk__in=current)
        .order_by("name")
    )


@signed_in
def partners(request: HttpRequest, slug: str) -> HttpResponse:
    """The paper's section manages its exchange partners: add one, change the frequency it expects, end one."""
    found = _paper(slug)
    actor = actor_for_request(request)
    _require_publisher(actor, found)
    form = forms.PartnerForm(submitted(request), paper=found, candidates=_partner_candidates(found))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_partner(
                actor, found, data["section"], frequency=data["frequency"], started_on=data["started_on"]
            )
        except LiaisonError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("%(section)s now receives %(paper)s in exchange.")
                % {"section": data["section"], "paper": found.name},
            )
            return redirect("exchange:partners", slug=found.slug)
    state = status.paper_overview(found)
    rows = [(p, forms.FrequencyForm(paper=found, initial={"frequency": _own_frequency(p)})) for p in state.partners]
    context = {"paper": found, "form": form, "rows": rows, "state": state}
    return render(request, "exchange/partners.html", context, status=400 if form.errors else 200)


def _own_frequency(exchange: status.Exchange) -> str:
    partnership = getattr(exchange.subscription, "partnership", None)
    return partnership.frequency if partnership is not None else ""


def _partner_subscription(found: Periodical, pk: int) -> Subscription:
    return get_object_or_404(
        Subscription.objects.filter(status.exchange_subscriptions()).select_related("periodical__section"),
        pk=pk,
        periodical=found,
    )


@signed_in
@require_POST
def partner_frequency(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = _paper(slug)
    actor = actor_for_request(request)
    _require_publisher(actor, found)
    subscription = _partner_subscription(found, pk)
    form = forms.FrequencyForm(request.POST, paper=found)
    if not form.is_valid():
        messages.error(request, _("Choose how often the partner expects the paper."))
    else:
        try:
            services.change_frequency(actor, subscription, form.cleaned_data["frequency"])
        except LiaisonError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The expected frequency was changed."))
    return redirect("exchange:partners", slug=found.slug)


@signed_in
@require_POST
def partner_end(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = _paper(slug)
    actor = actor_for_request(request)
    _require_publisher(actor, found)
    subscription = _partner_subscription(found, pk)
    form = forms.EndForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.end_partner(actor, subscription, reason=reason)
    except LiaisonError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("%(section)s no longer receives %(paper)s in exchange; its record stays.")
            % {"section": subscription.subscriber.display_name, "paper": found.name},
        )
    return redirect("exchange:partners", slug=found.slug)


# Receiving sections: arrivals and claims -----------------------------------------------------------------------------


@signed_in
@require_POST
def arrival(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A receiving section's correspondent records, in one click, that an issue arrived."""
    found = _paper(slug)
    issue = get_object_or_404(Issue.objects.select_related("periodical"), periodical=found, number=number)
    form = forms.ArrivalForm(request.POST)
    if not form.is_valid():
        raise Http404(_("Say which section received it."))
    receiver = form.cleaned_data["section"]
    try:
        services.record_arrival(actor_for_request(request), receiver, issue, note=form.cleaned_data["note"])
    except LiaisonError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("No. %(n)s of %(paper)s recorded as arrived at %(section)s.")
            % {"n": issue.number, "paper": found.name, "section": receiver.name},
        )
    return _back(request, reverse("exchange:section", args=[receiver.slug]))


@signed_in
@require_POST
def claim(request: HttpRequest, slug: str) -> HttpResponse:
    """A receiving section's correspondent claims missing issues from the paper's section."""
    found = _paper(slug)
    form = forms.ClaimForm(request.POST, paper=found)
    receiver = Section.objects.filter(slug=request.POST.get("section", "")).first()
    if receiver is None:
        raise Http404(_("Say which section claims."))
    if not form.is_valid():
        if not access.can_receive(actor_for_request(request), receiver.pk):
            raise PermissionDenied
        messages.error(request, _("Choose the missing issues to claim."))
    else:
        data = form.cleaned_data
        try:
            services.claim_missing(actor_for_request(request), receiver, found, list(data["issues"]), note=data["note"])
        except LiaisonError as exc:
            _refused(request, exc)
        else:
            numbers = ", ".join(str(issue.number) for issue in sorted(data["issues"], key=lambda i: i.number))
            messages.success(
                request,
                _("Claim sent to %(section)s for No. %(numbers)s of %(paper)s.")
                % {"section": found.section, "numbers": numbers, "paper": found.name},
            )
    return _back(request, reverse("exchange:section", args=[receiver.slug]))


def _claim(pk: int) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related("periodical__section", "subscriber__section"),
        pk=pk,
        periodical__section__isnull=False,
    )


@signed_in
@require_POST
def claim_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The paper's section answers a claim: the claimed issues go again (``posted``: it already posted them)."""
    found = _claim(pk)
    posted = bool(request.POST.get("posted"))
    try:
        distribution.answer_claim(actor_for_request(request), found, posted=posted)
    except LiaisonError as exc:
        _refused(request, exc)
    else:
        messages.success(request, answered_message(found, posted=posted))
    return _back(request, reverse("exchange:paper", args=[found.periodical.slug]))


@signed_in
@require_POST
def claim_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    """The paper's section cannot send the claimed issues again, and says why."""
    found = _claim(pk)
    form = forms.RefuseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        distribution.refuse_claim(actor_for_request(request), found, reason)
    except LiaisonError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request, _("The claim of %(section)s is refused.") % {"section": found.subscriber.display_name}
        )
    return _back(request, reverse("exchange:paper", args=[found.periodical.slug]))
