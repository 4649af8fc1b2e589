"""Registry pages: the federation at a glance, sections, the editorial role, people and their roles.

Views stay thin: they parse a form, call a service, and turn its refusals into form errors (``LiaisonError``) or a
403 (``NotAllowed``). Every rule lives in ``services`` and ``access``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from liaison.errors import LiaisonError
from liaison.federation import access, forms, services
from liaison.federation.access import actor_for_request
from liaison.federation.guards import members_only, secretariat_only, signed_in
from liaison.federation.models import (
    EditorialDelegation,
    Federation,
    Person,
    Region,
    Role,
    RoleKind,
    Section,
)
from liaison.periodicals.models import Periodical

PEOPLE_PER_PAGE = 100


def _active(prefix: str = "") -> Q:
    """Active roles, seen from a model that reaches them through ``prefix`` (such as ``roles__``)."""
    today = timezone.localdate()
    return Q(**{f"{prefix}since__lte": today}) & (
        Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gte": today})
    )


def _form_page(request: HttpRequest, form: Any, *, title: str, submit: str, back: str, **extra: Any) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "title": title, "submit": submit, "back": back, **extra}
    return render(request, "federation/form.html", context, status=status)


# The federation at a glance ----------------------------------------------------------------------------------------


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    federation = Federation.objects.first()
    periodicals = Prefetch("periodicals", queryset=Periodical.objects.order_by("name"))
    sections = Prefetch("sections", queryset=Section.objects.order_by("name").prefetch_related(periodicals))
    regions = list(Region.objects.prefetch_related(sections))
    today = timezone.localdate()
    context = {
        "federation": federation,
        "regions": regions,
        "has_sections": any(region.sections.all() for region in regions),
        "bulletins": list(Periodical.objects.filter(section__isnull=True).order_by("name")),
        "holder": services.editorial_holder_on(today),
        "today": today,
    }
    return render(request, "federation/overview.html", context)


# Sections ----------------------------------------------------------------------------------------------------------


@require_safe
def section_page(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section.objects.select_related("region"), slug=slug)
    actor = actor_for_request(request)
    events = [(event, event.section_id == section.pk) for event in services.lineage(section)]
    # Only the pseudonym is loaded: the protected identity is never even decrypted for this page.
    correspondents = list(
        Person.objects.filter(Q(roles__kind=RoleKind.CORRESPONDENT) & Q(roles__section=section) & _active("roles__"))
        .only("id", "pseudonym")
        .distinct()
    )
    context = {
        "section": section,
        "events": events,
        "periodicals": list(section.periodicals.order_by("name")),
        "correspondents": correspondents,
        "may_manage": access.can_manage_registry(actor),
        "may_add_periodical": access.can_manage_periodicals_of(actor, section.pk),
    }
    return render(request, "federation/section.html", context)


@secretariat_only
def region_add(request: HttpRequest) -> HttpResponse:
    form = forms.RegionForm(forms.submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            region = services.create_region(
                actor_for_request(request), name=form.cleaned_data["name"], order=form.cleaned_data["order"]
            )
        except LiaisonError as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(request, _("Region “%(name)s” added.") % {"name": region.name})
            return redirect("federation:overview")
    return _form_page(
        request, form, title=_("Add a region"), submit=_("Add the region"), back=reverse("federation:overview")
    )


@secretariat_only
def section_add(request: HttpRequest) -> HttpResponse:
    form = forms.SectionForm(forms.submitted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            section = services.create_section(
                actor_for_request(request),
                name=data["name"],
                country=data["country"],
                region=data["region"],
                languages=data["languages"],
            )
        except LiaisonError as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(
                request,
                _("Section “%(name)s” added as an applicant. Record its adhesion in its lineage when it adheres.")
                % {"name": section.name},
            )
            return redirect("federation:section", slug=section.slug)
    return _form_page(
        request,
        form,
        title=_("Add a section"),
        submit=_("Add the section"),
        back=reverse("federation:overview"),
        needs_region=not Region.objects.exists(),
    )


@secretariat_only
def section_edit(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section, slug=slug)
    initial = {"country": str(section.country), "region": section.region_id, "languages": ", ".join(section.languages)}
    form = forms.SectionEditForm(forms.submitted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_section(
                actor_for_request(request),
                section,
                country=data["country"],
                region=data["region"],
                languages=data["languages"],
            )
        except LiaisonError as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(request, _("Section “%(name)s” saved.") % {"name": section.name})
            return redirect("federation:section", slug=section.slug)
    return _form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": section.name},
        submit=_("Save"),
        back=reverse("federation:section", args=[section.slug]),
        intro=_("A new name is recorded as a lineage event, so that the section's history stays readable."),
    )


@secretariat_only
def event_add(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section, slug=slug)
    form = forms.EventForm(forms.submitted(request), section=section)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.record_event(
                actor_for_request(request),
                section,
                kind=data["kind"],
                date=data["date"],
                other_section=data["other_section"],
                new_name=data["new_name"],
                note=data["note"],
            )
        except LiaisonError as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(
                request,
                _("Recorded in the lineage of %(name)s: %(event)s on %(date)s.")
                % {"name": event.section.name, "event": event.get_kind_display(), "date": event.date.isoformat()},
            )
            return redirect("federation:section", slug=section.slug)
    return _form_page(
        request,
        form,
        title=_("Record an event in the lineage of %(name)s") % {"name": section.name},
        submit=_("Record the event"),
        back=reverse("federation:section", args=[section.slug]),
    )


# The editorial role ------------------------------------------------------------------------------------------------


@secretariat_only
def delegations(request: HttpRequest) -> HttpResponse:
    form = forms.DelegationForm(forms.submitted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            span = services.delegate_editorial_role(
                actor_for_request(request),
                section=data["section"],
                start=data["start"],
                end=data["end"],
                note=data["note"],
            )
        except LiaisonError as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(
                request,
                _("Recorded: %(holder)s holds the editorial role from %(start)s.")
                % {"holder": span.holder_name, "start": span.start.isoformat()},
            )
            return redirect("federation:delegations")
    lookup = forms.HolderLookupForm(request.GET if "on" in request.GET else None)
    answer: dict[str, Any] | None = None
    if lookup.is_bound and lookup.is_valid():
        day: datetime.date = lookup.cleaned_data["on"]
        answer = {"day": day, "holder": services.editorial_holder_on(day)}
    context = {
        "form": form,
        "lookup": lookup,
        "answer": answer,
        "spans": list(EditorialDelegation.objects.select_related("section").order_by("start")),
        "holder": services.editorial_holder_on(timezone.localdate()),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "federation/delegations.html", context, status=status)


# People ------------------------------------------------------------------------------------------------------------


@require_safe
@members_only
def people(request: HttpRequest) -> HttpResponse:
    filters = forms.PeopleFilterForm(request.GET or None)
    match = _active("roles__")
    if filters.is_bound and filters.is_valid():
        if filters.cleaned_data["section"] is not None:
            match &= Q(roles__section=filters.cleaned_data["section"])
        if filters.cleaned_data["kind"]:
            match &= Q(roles__kind=filters.cleaned_data["kind"])
    filtering = filters.is_bound and filters.is_valid() and any(filters.cleaned_data.values())
    # Only pseudonyms are loaded: nobody's protected identity is decrypted for a list.
    found = Person.objects.only("id", "pseudonym")
    if filtering:
        found = found.filter(pk__in=Person.objects.filter(match).values("pk"))
    found = found.prefetch_related(
        Prefetch(
            "roles",
            queryset=Role.objects.filter(_active()).select_related("section").order_by("kind", "section__name"),
            to_attr="active_roles",
        )
    )
    page = Paginator(found, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    for person in page.object_list:
        person.section_list = sorted(  # type: ignore[attr-defined]
            {role.section for role in person.active_roles if role.section is not None},  # type: ignore[attr-defined]
            key=lambda section: section.name,
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "filtering": filtering, "query": query.urlencode()}
    return render(request, "federation/people.html", context)


def _person_with_roles(pk: int) -> tuple[Person, list[Role], set[int]]:
    person = get_object_or_404(Person, pk=pk)
    roles = list(person.roles.select_related("section").order_by("-until", "kind", "section__name"))
    today = timezone.localdate()
    sections = {role.section_id for role in roles if role.section_id and role.is_active(today)}
    return person, roles, sections


@require_safe
@members_only
def person_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    person, roles, section_ids = _person_with_roles(pk)
    today = timezone.localdate()
    context = {
        "person": person,
        "roles": [(role, role.is_active(today)) for role in roles],
        "show_identity": access.can_see_identity(actor, person, section_ids),
        "may_manage": access.can_manage_people(actor),
    }
    return render(request, "federation/person.html", context)


@secretariat_only
def person_add(request: HttpRequest) -> HttpResponse:
    form = forms.PersonForm(forms.submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(
                actor_for_request(request), pseudonym=form.cleaned_data["pseudonym"], **form.identity()
            )
        except LiaisonError as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(request, _("%(name)s added. Give them a role next.") % {"name": person.pseudonym})
            return redirect("federation:person", pk=person.pk)
    return _form_page(
        request,
        form,
        title=_("Add a person"),
        submit=_("Add the person"),
        back=reverse("federation:people"),
        protected_note=True,
    )


@signed_in
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    person, _roles, section_ids = _person_with_roles(pk)
    if not access.can_see_identity(actor, person, section_ids):
        raise PermissionDenied
    with_pseudonym = access.can_manage_people(actor)
    initial = {"pseudonym": person.pseudonym, **{key: getattr(person, key) for key in services.IDENTITY_FIELDS}}
    form = forms.PersonForm(forms.submitted(request), initial=initial, with_pseudonym=with_pseudonym)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(
                actor,
                person,
                pseudonym=form.cleaned_data["pseudonym"] if with_pseudonym else None,
                **form.identity(),
            )
        except LiaisonError as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": person.pseudonym})
            return redirect("federation:person", pk=person.pk)
    return _form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": person.pseudonym},
        submit=_("Save"),
        back=reverse("federation:person", args=[person.pk]),
        protected_note=True,
        intro=None if with_pseudonym else _("Only the secretariat changes a pseudonym."),
    )


@secretariat_only
def role_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.only("id", "pseudonym"), pk=pk)
    form = forms.RoleForm(forms.submitted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            role = services.assign_role(
                actor_for_request(request),
                person,
                kind=data["kind"],
                section=data["section"],
                languages=data["languages"],
                since=data["since"],
            )
        except LiaisonError as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s is now %(role)s.") % {"name": person.pseudonym, "role": _role_label(role)}
            )
            return redirect("federation:person", pk=person.pk)
    return _form_page(
        request,
        form,
        title=_("Give %(name)s a role") % {"name": person.pseudonym},
        submit=_("Assign the role"),
        back=reverse("federation:person", args=[person.pk]),
    )


def _role_label(role: Role) -> str:
    if role.section_id:
        return _("%(role)s of %(section)s") % {"role": role.get_kind_display(), "section": role.section}
    return str(role.get_kind_display())


@secretariat_only
def role_end(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    role = get_object_or_404(
        Role.objects.select_related("section", "person").only(
            "id", "kind", "since", "until", "section__name", "section__slug", "person__id", "person__pseudonym"
        ),
        pk=role_pk,
        person_id=pk,
    )
    form = forms.EndRoleForm(forms.submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.end_role(actor_for_request(request), role, until=form.cleaned_data["until"])
        except LiaisonError as exc:
            forms.apply_error(form, exc)
        else:
            assert role.until is not None
            messages.success(
                request,
                _("%(name)s is %(role)s until %(until)s.")
                % {"name": role.person.pseudonym, "role": _role_label(role), "until": date_format(role.until)},
            )
            return redirect("federation:person", pk=pk)
    return _form_page(
        request,
        form,
        title=_("End the role of %(name)s: %(role)s") % {"name": role.person.pseudonym, "role": _role_label(role)},
        submit=_("End the role"),
        back=reverse("federation:person", args=[pk]),
    )


@secretariat_only
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.only("id", "pseudonym", "user"), pk=pk)
    if person.user_id:
        messages.info(request, _("%(name)s already has an account.") % {"name": person.pseudonym})
        return redirect("federation:person", pk=person.pk)
    form = forms.InviteForm(forms.submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invite(
                actor_for_request(request),
                person,
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                request=request,
            )
        except LiaisonError as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(
                request,
                _("An account “%(username)s” was created for %(name)s; a link to choose a password went to %(email)s.")
                % {"username": user.username, "name": person.pseudonym, "email": user.email},
            )
            return redirect("federation:person", pk=person.pk)
    return _form_page(
        request,
        form,
        title=_("Invite %(name)s") % {"name": person.pseudonym},
        submit=_("Create the account and send the link"),
        back=reverse("federation:person", args=[person.pk]),
        intro=_("The person receives an email with a link to choose their password."),
    )
