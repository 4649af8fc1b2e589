"""The bulletin's pages: a section's dashboard, contributions and their workflow, the editorial desk, issues and their
assembly, the items' permalinks and the open-pages report.

Views stay thin: they parse a form, call a service, and turn its refusals into form errors (``LiaisonError``) or a
403 (``NotAllowed``). Every rule lives in ``services`` and ``access``; the lists come from ``queries``.

Who sees what (``access``): a draft only its section; a contribution in the workflow its section and the editors; a
published item the periodical's audience (everyone for a public bulletin, members for an internal one). The history
of a contribution (decisions and revisions) stays with its section and the editors, even once published. The
open-pages report is open to every member: it is about the openness of the bulletin's pages.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from liaison import languages as language_codes
from liaison.editorial import access, forms, markdown, queries, services
from liaison.editorial.models import Contribution, Item, State
from liaison.errors import LiaisonError, NotAllowed
from liaison.federation.access import Actor, actor_for_request
from liaison.federation.forms import apply_error, submitted
from liaison.federation.guards import allow, signed_in
from liaison.federation.models import Section
from liaison.periodicals.models import Issue, IssueStatus, Periodical
from liaison.publishing import views as publishing_views
from liaison.publishing.models import Edition, FileFormat
from liaison.translations import services as translation_services

editors_only = allow(access.is_editor)
members_only = allow(lambda actor: actor.is_member)


def _refuse(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors are asked to log in; anyone else is refused."""
    if not actor_for_request(request).is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _bulletin(slug: str) -> Periodical:
    return get_object_or_404(Periodical, slug=slug, section__isnull=True)


def _issue(periodical: str, number: int) -> Issue:
    return get_object_or_404(
        Issue.objects.select_related("periodical"), periodical=_bulletin(periodical), number=number
    )


# Reading in one's language ------------------------------------------------------------------------------------------


def _asked_language(request: HttpRequest) -> str:
    """The language a reader asked for with ``?lang=``, as a code to compare (never looked up as it is)."""
    return language_codes.normalize(request.GET.get("lang", ""))[:15]


def _render_reading(reading: queries.Reading) -> str:
    """The chosen version as sanitized HTML: a translation goes through the same Markdown and sanitizer as its
    original, its citations linked to their items and its footnote anchors kept apart from the original's."""
    translation = reading.shown.translation
    if translation is None:
        return services.render_body(reading.contribution)

    def resolve(ref: markdown.CitationRef) -> tuple[str, str] | None:
        item = services.resolve_citation(ref)
        if item is None:
            return None
        url = reverse("editorial:item", args=[item.issue.periodical.slug, item.issue.number, item.position])
        return url, services.citation_label(item)

    doc_id = f"c{reading.contribution.pk}-{translation.language}"
    return markdown.render(translation.body, doc_id=doc_id, resolve=resolve)


def _reading_context(
    request: HttpRequest, contribution: Contribution, *, editor: bool, insider: bool
) -> dict[str, Any]:
    """What the reading pages show of the text. The editors, the translators and the contribution's section also
    see every translation's state, machine drafts labelled as such; the editors and translators a link to each on
    the translators' desk."""
    translator = actor_for_request(request).is_translator
    translations = queries.translations_of(contribution)
    chosen = queries.reading(
        contribution, translations, asked=_asked_language(request), interface=get_language() or "en"
    )
    return {
        "reading": chosen,
        "body": _render_reading(chosen),
        "translations": translations if (editor or insider or translator) else [],
        "desk_access": editor or translator,
        "asked": bool(request.GET.get("lang")),
    }


# A section's dashboard ----------------------------------------------------------------------------------------------


@require_safe
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section.objects.select_related("region"), slug=slug)
    actor = actor_for_request(request)
    if not queries.may_see_dashboard(actor, section):
        return _refuse(request)
    context = {
        "section": section,
        "calls": queries.open_calls_for(section),
        "groups": queries.grouped(queries.section_contributions(section)),
        "notices": queries.section_notices(section),
        "may_write": access.can_write_for(actor, section.pk),
        "editor": access.is_editor(actor),
    }
    return render(request, "editorial/dashboard.html", context)


@signed_in
@require_safe
def my_dashboard(request: HttpRequest) -> HttpResponse:
    """The navigation's "My section": straight to the dashboard of one's section, or a choice among several."""
    actor = actor_for_request(request)
    sections = list(Section.objects.filter(pk__in=actor.sections).order_by("name"))
    if len(sections) == 1:
        return redirect("editorial:dashboard", slug=sections[0].slug)
    if not sections and access.is_editor(actor):
        return redirect("editorial:desk")
    return render(request, "editorial/my_dashboard.html", {"sections": sections})


# Contributions ------------------------------------------------------------------------------------------------------


def _section_to_write_for(request: HttpRequest, actor: Actor) -> Section:
    slug = request.GET.get("section", "")
    if slug:
        return get_object_or_404(Section, slug=slug)
    if len(actor.correspondent_of) == 1:
        return get_object_or_404(Section, pk=next(iter(actor.correspondent_of)))
    raise Http404(_("Choose the section you write for from its dashboard."))


@signed_in
def contribution_new(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    section = _section_to_write_for(request, actor)
    if not access.can_write_for(actor, section.pk):
        raise PermissionDenied
    initial: dict[str, Any] = {"language": section.languages[0] if section.languages else ""}
    asked = request.GET.get("call", "")
    call = queries.calls_for(section).filter(pk=asked).first() if asked.isdigit() else None
    if call is not None:
        initial.update(call=call.pk, periodical=call.issue.periodical_id)
    form = forms.ContributionForm(submitted(request), request.FILES or None, initial=initial, section=section)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contribution = services.create_contribution(
                actor,
                section=section,
                periodical=data["periodical"],
                call=data["call"],
                signed_by=data["signed_by"],
                title=data["title"],
                language=data["language"],
                kind=data["kind"],
                body=data["body"],
            )
        except LiaisonError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("“%(title)s” is saved as a draft: only your section sees it. Submit it when it is ready.")
                % {"title": contribution.title},
            )
            return redirect("editorial:contribution", pk=contribution.pk)
    context = {
        "form": form,
        "section": section,
        "title": _("A contribution of %(section)s") % {"section": section.name},
        "submit": _("Save the draft"),
        "back": reverse("editorial:dashboard", args=[section.slug]),
    }
    return render(request, "editorial/contribution_form.html", context, status=_form_status(form))


def _form_status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


def _insider(actor: Actor, contribution: Contribution, editor: bool) -> bool:
    """The submitting section and the editors: they see a contribution's history, decisions and revisions."""
    return editor or access.is_of_section(actor, contribution.section_id)


ACTION_LABELS: dict[str, Any] = {
    State.SUBMITTED: gettext_lazy("Submit to the editors"),
    State.RESUBMITTED: gettext_lazy("Submit again"),
    State.RETURNED: gettext_lazy("Return to the section"),
    State.ACCEPTED: gettext_lazy("Accept"),
    State.DECLINED: gettext_lazy("Decline"),
    State.WITHDRAWN: gettext_lazy("Withdraw"),
}


def _workflow_context(
    request: HttpRequest,
    contribution: Contribution,
    *,
    errors: dict[str, str] | None = None,
    reasons: dict[str, str] | None = None,
) -> dict[str, Any]:
    actor = actor_for_request(request)
    editor = access.is_editor(actor)
    insider = _insider(actor, contribution, editor)
    actions = []
    for target in services.allowed_moves(actor, contribution):
        rule = services.TRANSITIONS[(contribution.state, target)]
        label = ACTION_LABELS.get(target, State(target).label)
        if contribution.state == State.PLACED and target == State.ACCEPTED:
            label = _("Take out of the issue")
        actions.append(
            {
                "to": target,
                "label": label,
                "needs_reason": rule.needs_reason,
                "error": (errors or {}).get(target, ""),
                "reason": (reasons or {}).get(target, ""),
                "danger": target in (State.DECLINED, State.WITHDRAWN),
            }
        )
    # A refusal for a move no longer offered (someone else acted first) is shown above the buttons.
    shown = {action["to"] for action in actions}
    stale = [message for target, message in (errors or {}).items() if target not in shown]
    return {
        "contribution": contribution,
        "general_error": " ".join(stale),
        "insider": insider,
        "editor": editor,
        "actions": actions,
        "decisions": queries.decisions_of(contribution) if insider else [],
        "may_edit": services.may_edit(actor, contribution),
        "now": timezone.now(),
    }


@require_safe
def contribution_page(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = queries.contribution(pk)
    if contribution is None:
        raise Http404
    actor = actor_for_request(request)
    if not access.can_see(actor, contribution):
        return _refuse(request)
    return _render_contribution(request, contribution)


def _render_contribution(
    request: HttpRequest, contribution: Contribution, *, status: int = 200, **workflow: Any
) -> HttpResponse:
    context = _workflow_context(request, contribution, **workflow)
    item = getattr(contribution, "item", None)
    context.update(
        _reading_context(request, contribution, editor=context["editor"], insider=context["insider"]),
        revisions=queries.revisions_of(contribution) if context["insider"] else [],
        item=item,
        backlinks=queries.backlinks(item, actor_for_request(request), editor=context["editor"]) if item else [],
    )
    return render(request, "editorial/contribution.html", context, status=status)


@require_POST
@signed_in
def contribution_move(request: HttpRequest, pk: int) -> HttpResponse:
    """A workflow action. With HTMX the answer is the workflow fragment; without, a redirect to the page."""
    contribution = queries.contribution(pk)
    if contribution is None:
        raise Http404
    actor = actor_for_request(request)
    if not access.can_see(actor, contribution):
        raise PermissionDenied
    form = forms.MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("This action is not understood."), status=400)
    target, reason = form.cleaned_data["to_state"], form.cleaned_data["reason"]
    try:
        # Out of an issue (placed → accepted) the service also closes up the issue's numbering.
        services.transition(actor, contribution, target, reason=reason)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except LiaisonError as exc:
        errors, reasons = {target: str(exc.message)}, {target: reason}
        if _is_htmx(request):
            # 200, so that HTMX swaps the fragment in and the message shows next to the reason.
            context = _workflow_context(request, contribution, errors=errors, reasons=reasons)
            return render(request, "editorial/_workflow.html", {**context, "fragment": True})
        return _render_contribution(request, contribution, status=400, errors=errors, reasons=reasons)
    contribution = queries.contribution(pk) or contribution
    messages.success(
        request,
        _("“%(title)s” is now %(state)s.") % {"title": contribution.title, "state": contribution.get_state_display()},
    )
    if _is_htmx(request):
        context = _workflow_context(request, contribution)
        return render(request, "editorial/_workflow.html", {**context, "fragment": True})
    return redirect("editorial:contribution", pk=contribution.pk)


@signed_in
def contribution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = queries.contribution(pk)
    if contribution is None:
        raise Http404
    actor = actor_for_request(request)
    if not access.can_see(actor, contribution) or not services.may_edit(actor, contribution):
        raise PermissionDenied
    form = forms.EditForm(
        submitted(request),
        request.FILES or None,
        initial=forms.edit_initial(contribution),
        section=contribution.section,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_contribution(
                actor,
                contribution,
                base_version=data["base_version"],
                title=data["title"],
                language=data["language"],
                kind=data["kind"],
                body=data["body"],
                signed_by=data["signed_by"],
            )
        except services.EditConflict as exc:
            conflict = exc
            current = queries.contribution(pk) or contribution
            # The form starts again from the text this person wrote, against the version now saved: saving it
            # again replaces theirs, knowingly.
            yours = {key: data[key] for key in ("title", "language", "kind", "signed_by", "body")}
            form = forms.EditForm(initial={**yours, "base_version": current.version}, section=contribution.section)
            messages.warning(request, str(exc.message))
        except LiaisonError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("Saved: version %(n)s of “%(title)s”.") % {"n": saved.version, "title": saved.title},
            )
            return redirect("editorial:contribution", pk=saved.pk)
    context = {
        "form": form,
        "section": contribution.section,
        "contribution": contribution,
        "conflict": conflict,
        "title": _("Edit “%(title)s”") % {"title": contribution.title},
        "submit": _("Save"),
        "back": reverse("editorial:contribution", args=[contribution.pk]),
    }
    status = 409 if conflict else _form_status(form)
    return render(request, "editorial/contribution_form.html", context, status=status)


@require_safe
def contribution_diff(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = queries.contribution(pk)
    if contribution is None:
        raise Http404
    actor = actor_for_request(request)
    editor = access.is_editor(actor)
    if not access.can_see(actor, contribution, editor=editor) or not _insider(actor, contribution, editor):
        return _refuse(request)
    revisions = {revision.number: revision for revision in contribution.revisions.order_by("number")}
    if not revisions:
        raise Http404
    last = max(revisions)
    choice = forms.DiffForm(request.GET if "a" in request.GET or "b" in request.GET else None)
    if choice.is_bound:
        if not choice.is_valid():
            raise Http404(_("Choose two revisions to compare."))
        a, b = choice.cleaned_data["a"], choice.cleaned_data["b"]
    else:
        a, b = max(1, last - 1), last
    if a not in revisions or b not in revisions:
        raise Http404(_("This contribution has no such revision."))
    context = {
        "contribution": contribution,
        "revisions": list(revisions.values()),
        "old": revisions[a],
        "new": revisions[b],
    }
    return render(request, "editorial/diff.html", context)


# The editorial desk and the open-pages report ------------------------------------------------------------------------


@require_safe
@editors_only
def desk(request: HttpRequest) -> HttpResponse:
    filters = forms.DeskFilterForm(request.GET or None)
    state, section = "", None
    if filters.is_bound and filters.is_valid():
        state, section = filters.cleaned_data["state"], filters.cleaned_data["section"]
    context = {
        "filters": filters,
        "filtering": bool(state or section),
        "groups": queries.grouped(queries.desk(state=state, section=section), queries.DESK_STATES),
        "now": timezone.now(),
    }
    return render(request, "editorial/desk.html", context)


@require_safe
@members_only
def open_pages(request: HttpRequest) -> HttpResponse:
    filters = forms.OpenPagesFilterForm(request.GET or None)
    bulletin = filters.cleaned_data["bulletin"] if filters.is_bound and filters.is_valid() else None
    context = {"filters": filters, "bulletin": bulletin, "rows": queries.open_pages(bulletin)}
    return render(request, "editorial/open_pages.html", context)


# Bulletins and issues ------------------------------------------------------------------------------------------------


@require_safe
def bulletins(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    context = {"bulletins": queries.bulletins_for(actor), "editor": access.is_editor(actor)}
    return render(request, "editorial/bulletins.html", context)


# The formats a reader picks from in the archive, as in the static site's: the email edition is sent, not read there.
ARCHIVE_FORMATS = (FileFormat.WEB, FileFormat.PDF, FileFormat.EPUB)


@dataclass(frozen=True)
class ArchiveRow:
    """An issue in the archive of one language: its current edition there, and where to read or download it."""

    edition: Edition
    web: publishing_views.Download | None
    downloads: list[publishing_views.Download]

    @property
    def issue(self) -> Issue:
        return self.edition.issue

    @property
    def date(self) -> datetime.date:
        # The date on the edition's cover (as in the static site): the issue's, else the day it came out.
        return self.edition.issue.planned_date or self.edition.published_at.date()


def _archive_rows(editions: list[Edition]) -> list[ArchiveRow]:
    rows = []
    for edition in editions:
        offered = [d for d in publishing_views.downloads(edition, current=True) if d.file.format in ARCHIVE_FORMATS]
        web = next((d for d in offered if d.file.format == FileFormat.WEB), None)
        rows.append(ArchiveRow(edition, web, [d for d in offered if d is not web]))
    return rows


def _chosen_language(asked: str, offered: list[queries.ArchiveLanguage]) -> queries.ArchiveLanguage | None:
    """The language asked for with ``?language=``: one the bulletin is published in (the exact code, else the same
    language: "fr" for "fr-ca"), else any real language (which has nothing published yet). None when ``asked``
    is no language code at all; it is never echoed back."""
    code = language_codes.normalize(asked)
    found = next((lang for lang in offered if lang.code == code), None) or next(
        (lang for lang in offered if translation_services.same_language(lang.code, code)), None
    )
    if found is not None:
        return found
    return queries.archive_language(code) if language_codes.is_valid(code) else None


@require_safe
def issues(request: HttpRequest, periodical: str) -> HttpResponse:
    """A bulletin's issues. With no language chosen, every issue and its status, as before: a reader who opens a
    bulletin expects all of it, and a list silently narrowed to their language would hide the issues whose edition
    in it is still being translated. The reader's language is offered first instead, one link away.

    With ``?language=``, the archive in that language: the issues with a published edition in it, newest first,
    each with its web edition and downloads. A plain link, so that it works without JavaScript and can be shared."""
    bulletin = _bulletin(periodical)
    actor = actor_for_request(request)
    if not access.can_read_periodical(actor, bulletin):
        return _refuse(request)
    interface = language_codes.normalize(get_language() or "en")
    languages = queries.archive_languages(bulletin, interface=interface)
    context: dict[str, Any] = {
        "bulletin": bulletin,
        "editor": access.is_editor(actor),
        "archive_languages": languages,
        "chosen": None,
        "language_refused": False,
        "issues": [],
        "archive": [],
    }
    asked = request.GET.get("language", "").strip()
    if not asked:
        context["issues"] = queries.issues_of(bulletin)
        return render(request, "editorial/issues.html", context)
    chosen = _chosen_language(asked, languages)
    if chosen is None:
        # Nothing is listed: a list under a language nobody can name would mislead.
        context["language_refused"] = True
        return render(request, "editorial/issues.html", context, status=400)
    context["chosen"] = chosen
    context["archive"] = _archive_rows(queries.archive_in(bulletin, chosen.code))
    return render(request, "editorial/issues.html", context)


@editors_only
def issue_new(request: HttpRequest, periodical: str) -> HttpResponse:
    bulletin = _bulletin(periodical)
    form = forms.IssueForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = services.create_issue(
                actor_for_request(request),
                bulletin,
                planned_date=data["planned_date"],
                budget_pages=data["budget_pages"],
                number=data["number"],
                title=data["title"],
                gap_reason=data["gap_reason"],
            )
        except LiaisonError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, _("Issue No. %(n)s is planned. Open a call for contributions next.") % {"n": issue.number}
            )
            return redirect("editorial:issue", periodical=bulletin.slug, number=issue.number)
    context = {
        "form": form,
        "title": _("Plan an issue of %(name)s") % {"name": bulletin.name},
        "submit": _("Plan the issue"),
        "back": reverse("editorial:issues", args=[bulletin.slug]),
    }
    return render(request, "federation/form.html", context, status=_form_status(form))


@require_safe
def issue_page(request: HttpRequest, periodical: str, number: int) -> HttpResponse:
    issue = _issue(periodical, number)
    actor = actor_for_request(request)
    if not access.can_read_periodical(actor, issue.periodical):
        return _refuse(request)
    editor = access.is_editor(actor)
    items = queries.items_of(issue)
    published = issue.status == IssueStatus.PUBLISHED
    # Before publication the contents are the editors' work in progress; a section sees its own items in it.
    shown = items if (editor or published) else [i for i in items if i.contribution.section_id in actor.sections]
    # The editions' progress is for those who make them: the editors and the translators (who work on these
    # texts from their desk anyway). Readers get the contents in their language and the complete editions.
    team = editor or actor.is_translator
    context = {
        "issue": issue,
        "bulletin": issue.periodical,
        "items": shown,
        **_editions_context(request, issue, items, shown, team=team, published=published),
        "team": team,
        "published": published,
        "editor": editor,
        "calls": list(issue.calls.order_by("deadline")),
        "used": queries.pages_used(items),
        "moves": [
            (status, IssueStatus(status).label) for source, status in services.ISSUE_MOVES if source == issue.status
        ],
        "may_publish": editor and issue.status == IssueStatus.ASSEMBLY and bool(items),
    }
    return render(request, "editorial/issue.html", context)


def _editions_context(
    request: HttpRequest, issue: Issue, items: list[Item], shown: list[Item], *, team: bool, published: bool
) -> dict[str, Any]:
    """The issue in the reader's language, and its editions: three queries (the working languages, the items and
    all their translations), whatever the number of items and languages."""
    context: dict[str, Any] = {"contents": [], "editions": [], "complete_editions": [], "reading_language": ""}
    if not shown and not (team and items):
        return context
    working = queries.working_languages()
    asked = _asked_language(request)
    known = working + [code for code in queries.interface_languages() if code not in working]
    reading = next((code for code in known if asked and translation_services.same_language(code, asked)), "")
    if asked and not reading:
        messages.info(request, _("This issue has no edition in the language asked for; here it is in yours."))
    reading = reading or language_codes.normalize(get_language() or "en")
    wanted = working if any(code == reading for code in working) else [*working, reading]
    editions = translation_services.edition_statuses(issue, wanted)
    summaries = queries.summarize(editions, working)
    context.update(
        contents=queries.contents_in(shown, editions.get(reading)),
        reading_language=reading,
        asked=bool(asked),
        editions=summaries if team else [],
        complete_editions=[s.language for s in summaries if s.complete] if (published or team) else [],
    )
    return context


@require_POST
@editors_only
def issue_status(request: HttpRequest, periodical: str, number: int) -> HttpResponse:
    issue = _issue(periodical, number)
    form = forms.IssueStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("editorial:issue", periodical=periodical, number=number)
    actor = actor_for_request(request)
    try:
        if form.cleaned_data["status"] == "publish":
            services.mark_published(actor, issue)
            messages.success(request, _("Issue No. %(n)s is published: its citations are now fixed.") % {"n": number})
            _tell_editions(request, issue)
        else:
            services.set_issue_status(actor, issue, form.cleaned_data["status"])
            messages.success(
                request, _("Issue No. %(n)s is now %(status)s.") % {"n": number, "status": issue.get_status_display()}
            )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except LiaisonError as exc:
        messages.error(request, str(exc.message))
    return redirect("editorial:issue", periodical=periodical, number=number)


def _tell_editions(request: HttpRequest, issue: Issue) -> None:
    """After publication, which editions readers get whole and which are still being translated."""
    editions = translation_services.edition_statuses(issue, queries.working_languages())
    complete = [language_codes.display_name(code) for code, edition in editions.items() if edition.complete]
    pending = [language_codes.display_name(code) for code, edition in editions.items() if not edition.complete]
    if not pending:
        return
    if complete:
        messages.info(
            request,
            _(
                "Complete editions: %(complete)s. Still being translated: %(pending)s; until then readers of those "
                "languages see the missing items in their original language."
            )
            % {"complete": ", ".join(complete), "pending": ", ".join(pending)},
        )
    else:
        messages.info(
            request,
            _(
                "No edition is complete yet: readers see each item in its original language until its "
                "translation is approved."
            ),
        )


@editors_only
def call_new(request: HttpRequest, periodical: str, number: int) -> HttpResponse:
    issue = _issue(periodical, number)
    form = forms.CallForm(submitted(request), initial={"deadline": forms.default_deadline()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            call = services.open_call(
                actor_for_request(request),
                issue,
                topic=data["topic"],
                questions=data["questions"],
                deadline=data["deadline"],
                sections=data["sections"],
                regions=data["regions"],
            )
        except LiaisonError as exc:
            apply_error(form, exc)
        else:
            invited = len(services.invited_section_ids(call))
            messages.success(
                request,
                ngettext(
                    "The call “%(topic)s” is open; %(n)s invited section was notified.",
                    "The call “%(topic)s” is open; %(n)s invited sections were notified.",
                    invited,
                )
                % {"topic": call.topic, "n": invited},
            )
            return redirect("editorial:issue", periodical=periodical, number=number)
    context = {
        "form": form,
        "title": _("Call for contributions to %(issue)s") % {"issue": issue},
        "submit": _("Open the call"),
        "back": reverse("editorial:issue", args=[periodical, number]),
        "intro": _("The invited sections see the call on their dashboard and receive it by email."),
    }
    return render(request, "federation/form.html", context, status=_form_status(form))


# Assembly -----------------------------------------------------------------------------------------------------------


def _assembly_page(
    request: HttpRequest,
    issue: Issue,
    *,
    status: int = 200,
    place_errors: dict[int, str] | None = None,
    item_errors: dict[int, str] | None = None,
    place_reasons: dict[int, str] | None = None,
    item_reasons: dict[int, str] | None = None,
) -> HttpResponse:
    allocation, candidates = services.propose(issue)
    by_id = {candidate.pk: candidate for candidate in candidates}
    items = queries.items_of(issue)
    context = {
        "issue": issue,
        "bulletin": issue.periodical,
        "published": issue.status == IssueStatus.PUBLISHED,
        "items": items,
        "used": queries.pages_used(items),
        "would_place": [by_id[pk] for pk in allocation.placed],
        "would_defer": [(by_id[pk], reason) for pk, reason in allocation.deferred.items()],
        "proposal_pages": allocation.pages_used,
        "accepted": queries.accepted_elsewhere(issue),
        "place_errors": place_errors or {},
        "item_errors": item_errors or {},
        "place_reasons": place_reasons or {},
        "item_reasons": item_reasons or {},
    }
    return render(request, "editorial/assembly.html", context, status=status)


@require_safe
@editors_only
def assembly(request: HttpRequest, periodical: str, number: int) -> HttpResponse:
    return _assembly_page(request, _issue(periodical, number))


@require_POST
@editors_only
def assemble(request: HttpRequest, periodical: str, number: int) -> HttpResponse:
    issue = _issue(periodical, number)
    try:
        allocation = services.assemble_issue(actor_for_request(request), issue)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except LiaisonError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            # Two sentences, each with its own plural: "1 placed, 3 moved" must read right in every language.
            ngettext(
                "Assembled: %(placed)s contribution placed.",
                "Assembled: %(placed)s contributions placed.",
                len(allocation.placed),
            )
            % {"placed": len(allocation.placed)}
            + " "
            + ngettext(
                "%(deferred)s contribution moved to a later issue, with the reason.",
                "%(deferred)s contributions moved to a later issue, with the reason.",
                len(allocation.deferred),
            )
            % {"deferred": len(allocation.deferred)},
        )
    return redirect("editorial:assembly", periodical=periodical, number=number)


@require_POST
@editors_only
def place(request: HttpRequest, periodical: str, number: int) -> HttpResponse:
    issue = _issue(periodical, number)
    form = forms.PlaceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a contribution to place."))
        return redirect("editorial:assembly", periodical=periodical, number=number)
    contribution = get_object_or_404(Contribution, pk=form.cleaned_data["contribution"], state=State.ACCEPTED)
    reason = form.cleaned_data["reason"]
    try:
        item = services.place(actor_for_request(request), contribution, issue, reason=reason)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except LiaisonError as exc:
        return _assembly_page(
            request,
            issue,
            status=400,
            place_errors={contribution.pk: str(exc.message)},
            place_reasons={contribution.pk: reason},
        )
    messages.success(
        request,
        _("“%(title)s” is placed as item %(n)s.") % {"title": contribution.title, "n": item.position},
    )
    return redirect("editorial:assembly", periodical=periodical, number=number)


def _item_of(issue: Issue, pk: int) -> Item:
    return get_object_or_404(Item.objects.select_related("issue", "contribution"), pk=pk, issue=issue)


@require_POST
@editors_only
def item_move(request: HttpRequest, periodical: str, number: int, item: int) -> HttpResponse:
    issue = _issue(periodical, number)
    placed = _item_of(issue, item)
    form = forms.PositionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a position."))
        return redirect("editorial:assembly", periodical=periodical, number=number)
    try:
        services.move_item(
            actor_for_request(request),
            placed,
            position=form.cleaned_data["position"],
            reason=form.cleaned_data["reason"],
        )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except LiaisonError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("“%(title)s” is now item %(n)s.")
            % {"title": placed.contribution.title, "n": form.cleaned_data["position"]},
        )
    return redirect("editorial:assembly", periodical=periodical, number=number)


@require_POST
@editors_only
def item_remove(request: HttpRequest, periodical: str, number: int, item: int) -> HttpResponse:
    issue = _issue(periodical, number)
    placed = _item_of(issue, item)
    form = forms.ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.unplace(actor_for_request(request), placed, reason=reason)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except LiaisonError as exc:
        return _assembly_page(
            request, issue, status=400, item_errors={placed.pk: str(exc.message)}, item_reasons={placed.pk: reason}
        )
    messages.success(
        request,
        _("“%(title)s” is out of the issue and accepted again; its section reads your reason.")
        % {"title": placed.contribution.title},
    )
    return redirect("editorial:assembly", periodical=periodical, number=number)


# An item's permalink ------------------------------------------------------------------------------------------------


@require_safe
def item(request: HttpRequest, periodical: str, number: int, position: int) -> HttpResponse:
    bulletin = _bulletin(periodical)
    found = queries.item_at(bulletin, number, position)
    if found is None:
        raise Http404
    actor = actor_for_request(request)
    editor = access.is_editor(actor)
    published = found.issue.status == IssueStatus.PUBLISHED
    readable = published and access.can_read_periodical(actor, bulletin)
    if not (readable or editor or access.is_of_section(actor, found.contribution.section_id)):
        return _refuse(request)
    insider = editor or access.is_of_section(actor, found.contribution.section_id)
    context = {
        "item": found,
        "issue": found.issue,
        "bulletin": bulletin,
        "contribution": found.contribution,
        "published": published,
        "citation": services.citation_label(found),
        "backlinks": queries.backlinks(found, actor, editor=editor),
        "insider": insider,
        **_reading_context(request, found.contribution, editor=editor, insider=insider),
    }
    return render(request, "editorial/item.html", context)
