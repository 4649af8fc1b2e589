"""The conference's writing pages: a section's positions, the position form with its history and endorsements, and
the secretariat's preparation (the conference, its status, timeline, agenda and reply waves).

Views stay thin: they parse a form, call a service, and turn its refusals into form errors (``LiaisonError``) or a
403 (``NotAllowed``). Who reads what is the services' and ``access``'s: a section's own people see its drafts, the
editors what was submitted, members (everyone, for a public conference) what is published.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from liaison.conference import access, forms, services
from liaison.conference.models import (
    Conference,
    ConferenceStatus,
    Endorsement,
    Position,
    PositionRevision,
    Question,
    Wave,
    WaveOverride,
)
from liaison.editorial import access as editorial_access
from liaison.editorial import services as editorial
from liaison.editorial.models import State
from liaison.errors import LiaisonError, NotAllowed
from liaison.federation.access import Actor, actor_for_request
from liaison.federation.forms import apply_error, submitted
from liaison.federation.guards import allow, signed_in
from liaison.federation.models import Person, Section, SectionStatus

managers_only = allow(access.can_manage)


def _refuse(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors are asked to log in; anyone else is refused."""
    if not actor_for_request(request).is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def _conference(pk: int) -> Conference:
    return get_object_or_404(Conference.objects.select_related("bulletin"), pk=pk)


def _section(slug: str) -> Section:
    return get_object_or_404(Section.objects.select_related("region"), slug=slug)


def _apply(form: Any, error: LiaisonError, aliases: dict[str, str] | None = None) -> None:
    """``apply_error``, with the service's field names translated to the form's where they differ."""
    if error.field and aliases and error.field in aliases:
        error.field = aliases[error.field]
    apply_error(form, error)


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


# A section's positions ----------------------------------------------------------------------------------------------


@require_safe
def section_positions(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """Every question of the agenda with the section's position as this reader may see it, in a constant number of
    queries (the matrix, reduced to the section's row)."""
    conference = _conference(pk)
    section = _section(slug)
    actor = actor_for_request(request)
    if not access.can_read(actor, conference):
        return _refuse(request)
    table = services.matrix(actor, conference, section=section)
    row = table.rows[0] if table.rows else None
    own = editorial_access.is_of_section(actor, section.pk)
    override = None
    if own or actor.secretariat:
        override = WaveOverride.objects.filter(conference=conference, section=section).first()
    context = {
        "conference": conference,
        "section": section,
        "row": row,
        "entries": list(zip(table.questions, row.cells, strict=True)) if row else [],
        "may_state": access.can_state_for(actor, section.pk),
        "own": own,
        "override": override,
        "closed": conference.status == ConferenceStatus.CLOSED,
    }
    return render(request, "conference/positions.html", context)


@signed_in
@require_safe
def my_positions(request: HttpRequest, pk: int) -> HttpResponse:
    """The conference page's link to "your section's positions": straight there, or a choice among several."""
    conference = _conference(pk)
    actor = actor_for_request(request)
    if not access.can_read(actor, conference):
        raise PermissionDenied
    sections = list(Section.objects.filter(pk__in=actor.sections).order_by("name"))
    if not sections:
        raise PermissionDenied(_("You belong to no section."))
    if len(sections) == 1:
        return redirect("conference_section", pk=conference.pk, slug=sections[0].slug)
    return render(request, "conference/positions_choose.html", {"conference": conference, "sections": sections})


# A position -------------------------------------------------------------------------------------------------------


def _position_initial(section: Section, position: Position | None) -> dict[str, Any]:
    if position is None:
        languages = forms.position_languages(section)
        return {"language": languages[0] if languages else ""}
    stance, _lang = services.text_in(position.stance, position.language)
    return {
        "option": position.option,
        "stance": stance,
        "language": position.language,
        "statement": position.contribution.body,
        "base_version": position.version,
    }


def _position_form(
    request: HttpRequest, question: Question, section: Section, position: Position | None
) -> forms.PositionForm:
    return forms.PositionForm(
        submitted(request),
        initial=_position_initial(section, position),
        question=question,
        languages=forms.position_languages(section, position.language if position else ""),
    )


def _authors(revisions: list[PositionRevision]) -> dict[int, str]:
    """The authors' public names (pseudonyms, never the protected identity), in one query."""
    users = {r.author_id for r in revisions if r.author_id is not None}
    return dict(Person.objects.filter(user_id__in=users).values_list("user_id", "pseudonym")) if users else {}


def _endorsing_choices(actor: Actor, section: Section, position: Position | None) -> list[dict[str, Any]]:
    """For a correspondent of other sections: each of them, with its standing endorsement of this position."""
    others = actor.correspondent_of - {section.pk}
    if position is None or not others:
        return []
    standing = {e.section_id: e for e in Endorsement.objects.filter(position=position, withdrawn_at__isnull=True)}
    return [
        {"section": other, "endorsement": standing.get(other.pk)}
        for other in Section.objects.filter(pk__in=others).exclude(status=SectionStatus.DISSOLVED).order_by("name")
    ]


def _render_position(
    request: HttpRequest,
    conference: Conference,
    section: Section,
    question: Question,
    position: Position | None,
    *,
    form: forms.PositionForm | None = None,
    endorse_error: str = "",
    status: int = 200,
) -> HttpResponse:
    actor = actor_for_request(request)
    table = services.matrix(actor, conference, section=section)
    row = table.rows[0] if table.rows else None
    cell = next((c for c in row.cells if c.question_id == question.pk), None) if row else None
    history = services.history(actor, position) if position is not None else []
    authors = _authors(history)
    shown = history[-1] if history else None
    title, title_language = services.text_in(question.title)
    description, description_language = services.text_in(question.description)
    may_state = access.can_state_for(actor, section.pk)
    if may_state and form is None:
        form = _position_form(request, question, section, position)
    endorsements = (
        list(
            Endorsement.objects.filter(position=position, withdrawn_at__isnull=True)
            .select_related("section")
            .order_by("section__name")
        )
        if position is not None
        else []
    )
    published = any(r.contribution.state == State.PUBLISHED for r in history)
    context = {
        "conference": conference,
        "section": section,
        "question": question,
        "question_title": title,
        "question_title_language": title_language,
        "description": description,
        "description_language": description_language,
        "position": position,
        "row": row,
        "cell": cell,
        "history": [
            {
                "revision": r,
                "author": authors.get(r.author_id, "") if r.author_id else "",
                "option": forms.option_choices([r.option])[0][1] if r.option else "",
                "stance": services.text_in(r.stance),
            }
            for r in reversed(history)
        ],
        "shown": shown,
        "statement": editorial.render_body(shown.contribution) if shown is not None else "",
        "may_state": may_state,
        "closed": conference.status == ConferenceStatus.CLOSED,
        "form": form,
        "endorsements": endorsements,
        "endorsing": _endorsing_choices(actor, section, position) if published else [],
        "endorse_error": endorse_error,
    }
    return render(request, "conference/position.html", context, status=status)


def _position_of(pk: int, slug: str, number: int) -> tuple[Conference, Section, Question, Position | None]:
    conference = _conference(pk)
    section = _section(slug)
    question = get_object_or_404(Question, conference=conference, number=number)
    position = (
        Position.objects.select_related("contribution", "conference", "question", "section")
        .filter(question=question, section=section)
        .first()
    )
    return conference, section, question, position


def position_page(request: HttpRequest, pk: int, slug: str, number: int) -> HttpResponse:
    """A section's position on a question: its correspondents state and revise it here, everyone who may read it
    sees it with the history of what the section held."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    conference, section, question, position = _position_of(pk, slug, number)
    actor = actor_for_request(request)
    if not access.can_read(actor, conference):
        return _refuse(request)
    if request.method != "POST":
        return _render_position(request, conference, section, question, position)
    if not access.can_state_for(actor, section.pk):
        return _refuse(request)
    form = _position_form(request, question, section, position)
    if form.is_valid():
        data = form.cleaned_data
        submit = bool(request.POST.get("submit_now"))
        try:
            if position is None:
                position = services.state_position(
                    actor,
                    conference,
                    question,
                    section,
                    option=data["option"],
                    stance=data["stance"],
                    statement=data["statement"],
                    language=data["language"],
                    submit=submit,
                )
                message = _("%(section)s's position on question %(n)s is stated.")
            else:
                if data["base_version"] is None:
                    raise LiaisonError(_("This form is out of date: reload the page and revise again."))
                position = services.revise_position(
                    actor,
                    position,
                    base_version=data["base_version"],
                    option=data["option"],
                    stance=data["stance"],
                    statement=data["statement"],
                    language=data["language"],
                    submit=submit,
                )
                message = _("%(section)s's position on question %(n)s is revised (version %(v)s).")
        except LiaisonError as exc:
            _apply(form, exc, {"body": "statement"})
        else:
            position.contribution.refresh_from_db()
            state = position.contribution.get_state_display()
            messages.success(
                request,
                (message % {"section": section.name, "n": question.number, "v": position.version})
                + " "
                + _("Its statement is %(state)s.") % {"state": state},
            )
            return redirect("conference_position", pk=conference.pk, slug=section.slug, number=question.number)
    # The position as it is now (a refused revision changed nothing), with the form as it was sent.
    position = _position_of(pk, slug, number)[3]
    return _render_position(request, conference, section, question, position, form=form, status=400)


@require_POST
@signed_in
def endorse(request: HttpRequest, pk: int, slug: str, number: int) -> HttpResponse:
    """A correspondent of another section endorses this position in that section's name."""
    conference, section, question, position = _position_of(pk, slug, number)
    actor = actor_for_request(request)
    if not access.can_read(actor, conference):
        raise PermissionDenied
    choice = forms.EndorseForm(request.POST)
    endorsing = Section.objects.filter(pk=choice.cleaned_data["section"]).first() if choice.is_valid() else None
    if endorsing is None:
        return _render_position(
            request,
            conference,
            section,
            question,
            position,
            endorse_error=_("Choose the section that endorses this position."),
            status=400,
        )
    try:
        if position is None:
            raise LiaisonError(_("Only a published position can be endorsed."))
        services.endorse(actor, endorsing, position)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except LiaisonError as exc:
        return _render_position(
            request, conference, section, question, position, endorse_error=str(exc.message), status=400
        )
    messages.success(
        request,
        _("%(endorsing)s endorses the position of %(section)s on question %(n)s.")
        % {"endorsing": endorsing.name, "section": section.name, "n": question.number},
    )
    return redirect("conference_position", pk=conference.pk, slug=section.slug, number=question.number)


@require_POST
@signed_in
def withdraw_endorsement(request: HttpRequest, pk: int, slug: str, number: int, endorsement: int) -> HttpResponse:
    conference, section, question, position = _position_of(pk, slug, number)
    actor = actor_for_request(request)
    if not access.can_read(actor, conference):
        raise PermissionDenied
    if position is None:
        raise Http404
    found = get_object_or_404(
        Endorsement.objects.select_related("section", "position__conference"), pk=endorsement, position=position
    )
    try:
        services.withdraw_endorsement(actor, found)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except LiaisonError as exc:
        return _render_position(
            request, conference, section, question, position, endorse_error=str(exc.message), status=400
        )
    messages.success(
        request,
        _("%(endorsing)s no longer endorses the position of %(section)s on question %(n)s.")
        % {"endorsing": found.section.name, "section": section.name, "n": question.number},
    )
    return redirect("conference_position", pk=conference.pk, slug=section.slug, number=question.number)


# The secretariat's preparation --------------------------------------------------------------------------------------


def _manage_form(
    request: HttpRequest, form: Any, *, title: str, submit: str, conference: Conference | None = None
) -> HttpResponse:
    back = reverse("conference_manage", args=[conference.pk]) if conference else ""
    context = {"form": form, "title": title, "submit": submit, "back": back, "conference": conference}
    return render(request, "conference/manage_form.html", context, status=_status(form))


@managers_only
def conference_new(request: HttpRequest) -> HttpResponse:
    form = forms.ConferenceForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conference = services.create_conference(
                actor_for_request(request),
                title=data["title"],
                bulletin=data["bulletin"],
                place=data["place"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                public=data["public"],
            )
        except LiaisonError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request,
                _("The conference “%(title)s” is in preparation. Set its agenda and its reply waves next.")
                % {"title": conference.title},
            )
            return redirect("conference_manage", pk=conference.pk)
    return _manage_form(request, form, title=_("A new conference"), submit=_("Create the conference"))


def _manage_context(conference: Conference) -> dict[str, Any]:
    questions = list(conference.questions.order_by("number"))
    agenda = []
    for question in questions:
        title, language = services.text_in(question.title)
        agenda.append(
            {
                "question": question,
                "title": title,
                "language": language,
                "options": [label for _code, label in forms.option_choices(question.offered_options())],
                "missing": services.missing_languages(question.title),
            }
        )
    milestones = [
        {"milestone": m, "title": services.text_in(m.title)} for m in conference.milestones.order_by("date", "id")
    ]
    waves = list(
        conference.waves.select_related("issue__periodical").prefetch_related("regions").order_by("deadline", "id")
    )
    overrides = list(
        WaveOverride.objects.filter(conference=conference).select_related("section", "wave").order_by("section__name")
    )
    return {
        "conference": conference,
        "agenda": agenda,
        "milestones": milestones,
        "waves": waves,
        "overrides": overrides,
        "renumbering": not Position.objects.filter(conference=conference).exists(),
        "closed": conference.status == ConferenceStatus.CLOSED,
    }


@managers_only
def conference_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The preparation at a glance, and the conference's status (preparing, convened, closed)."""
    conference = _conference(pk)
    form = forms.StatusForm(submitted(request), initial={"status": conference.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_conference_status(actor_for_request(request), conference, form.cleaned_data["status"])
        except LiaisonError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request,
                _("The conference “%(title)s” is now %(status)s.")
                % {"title": conference.title, "status": conference.get_status_display()},
            )
            return redirect("conference_manage", pk=conference.pk)
    context = {**_manage_context(conference), "form": form}
    return render(request, "conference/manage.html", context, status=_status(form))


@managers_only
def milestone_new(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(pk)
    form = forms.MilestoneForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_milestone(
                actor_for_request(request),
                conference,
                date=form.cleaned_data["date"],
                title=form.texts_of("title"),
            )
        except LiaisonError as exc:
            _apply(form, exc, {"title": form.first_field("title")})
        else:
            messages.success(request, _("The milestone is on the conference's timeline."))
            return redirect("conference_manage", pk=conference.pk)
    return _manage_form(
        request, form, title=_("A milestone of %(c)s") % {"c": conference.title}, submit=_("Add"), conference=conference
    )


@managers_only
def question_new(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(pk)
    form = forms.QuestionForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            question = services.create_question(
                actor_for_request(request),
                conference,
                title=form.texts_of("title"),
                description=form.texts_of("description"),
                options=form.cleaned_data["options"],
            )
        except LiaisonError as exc:
            _apply(form, exc, {"title": form.first_field("title"), "description": form.first_field("description")})
        else:
            messages.success(request, _("Question %(n)s is on the agenda.") % {"n": question.number})
            return redirect("conference_manage", pk=conference.pk)
    return _manage_form(
        request,
        form,
        title=_("A question on the agenda of %(c)s") % {"c": conference.title},
        submit=_("Add the question"),
        conference=conference,
    )


@managers_only
def question_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    conference = _conference(pk)
    question = get_object_or_404(Question.objects.select_related("conference"), conference=conference, number=number)
    initial = {
        **forms.TextsForm.initial_for("title", question.title),
        **forms.TextsForm.initial_for("description", question.description),
        "options": question.options,
    }
    form = forms.QuestionForm(submitted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_question(
                actor_for_request(request),
                question,
                title=form.texts_of("title"),
                description=form.texts_of("description"),
                options=form.cleaned_data["options"],
            )
        except LiaisonError as exc:
            _apply(form, exc, {"title": form.first_field("title"), "description": form.first_field("description")})
        else:
            messages.success(request, _("Question %(n)s is saved.") % {"n": question.number})
            return redirect("conference_manage", pk=conference.pk)
    return _manage_form(
        request,
        form,
        title=_("Question %(n)s of %(c)s") % {"n": question.number, "c": conference.title},
        submit=_("Save"),
        conference=conference,
    )


@require_POST
@managers_only
def question_move(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    conference = _conference(pk)
    question = get_object_or_404(Question.objects.select_related("conference"), conference=conference, number=number)
    form = forms.QuestionMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a place on the agenda."))
        return redirect("conference_manage", pk=conference.pk)
    try:
        services.move_question(actor_for_request(request), question, to=form.cleaned_data["to"])
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except LiaisonError as exc:
        # A button without input of its own: nothing to keep, so the refusal is told on the page it came from.
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The question is now number %(n)s on the agenda.") % {"n": question.number})
    return redirect("conference_manage", pk=conference.pk)


@managers_only
def wave_new(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(pk)
    form = forms.WaveForm(submitted(request), conference=conference)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wave = services.create_wave(
                actor_for_request(request),
                conference,
                name=data["name"],
                regions=data["regions"],
                deadline=data["deadline"],
                issue=data["issue"],
            )
        except LiaisonError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request,
                _("The wave “%(name)s” replies by %(deadline)s, in %(issue)s.")
                % {"name": wave.name, "deadline": _deadline(wave), "issue": wave.issue},
            )
            return redirect("conference_manage", pk=conference.pk)
    return _manage_form(
        request,
        form,
        title=_("A reply wave of %(c)s") % {"c": conference.title},
        submit=_("Create the wave"),
        conference=conference,
    )


def _deadline(wave: Wave) -> str:
    local = timezone.localtime(wave.deadline)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname() or ''}".strip()


@managers_only
def section_move(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(pk)
    form = forms.MoveSectionForm(submitted(request), conference=conference)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.move_section(actor_for_request(request), data["wave"], data["section"], reason=data["reason"])
        except LiaisonError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request,
                _("%(section)s now replies in the wave “%(wave)s”.")
                % {"section": data["section"].name, "wave": data["wave"].name},
            )
            return redirect("conference_manage", pk=conference.pk)
    return _manage_form(
        request,
        form,
        title=_("Move a section to another wave of %(c)s") % {"c": conference.title},
        submit=_("Move the section"),
        conference=conference,
    )
