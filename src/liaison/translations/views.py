"""The translators' pages: the desk (queues, assignments, reviews, workload), the side-by-side editor with its
workflow, and the glossary.

Views stay thin: they parse a form, call a service, and turn its refusals into form errors or messages
(``LiaisonError``) or a 403 (``NotAllowed``). Every rule lives in ``services`` and ``glossary``; the lists come from
``queries``.

Who reaches what: the desk and the editor are for translators and the editors (the secretariat, or the section
holding the editorial delegation); a translator sees the translations of originals still being translated (accepted,
placed, published), edits only the languages they declared and only what is assigned to them or to nobody, and
reviews only what they wrote no part of. The glossary is read by every member of the federation and kept by the
editors and, each in their languages, the translators.

Actions answer HTMX with the fragment they changed (the desk, the assignment box, the workflow, the machine-draft
box, a glossary concept), and plain forms with a redirect, so that every page works without JavaScript. No action
swaps out a text being typed: saving goes through the editor's own form, and the actions available while a text can
be typed (claiming, asking for a machine draft, checking the structure) only replace their own box.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlparse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from liaison import languages as language_codes
from liaison.editorial import access as editorial_access
from liaison.editorial import markdown
from liaison.editorial import services as editorial_services
from liaison.editorial.diff import diff_texts
from liaison.errors import LiaisonError, NotAllowed, NotFound
from liaison.federation.access import Actor, actor_for_request
from liaison.federation.forms import apply_error, submitted
from liaison.federation.guards import allow
from liaison.federation.services import get_federation
from liaison.translations import forms, glossary, queries, services, tasks
from liaison.translations.models import GlossaryConcept, GlossaryTerm, Translation, TranslationState
from liaison.translations.providers import (
    MachineTranslationError,
    TemporaryProviderError,
    get_provider,
    is_enabled,
)
from liaison.translations.structure import check_structure

desk_users = allow(lambda actor: actor.is_translator or editorial_access.is_editor(actor))
editors_only = allow(editorial_access.is_editor)
members_only = allow(lambda actor: actor.is_member)

GLOSSARY_PAGE_SIZE = 50


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _htmx_target(request: HttpRequest) -> str:
    return str(getattr(getattr(request, "htmx", None), "target", "") or "") if _is_htmx(request) else ""


def _working_languages() -> list[str]:
    try:
        codes = get_federation().working_languages or []
    except NotFound:
        codes = []
    return _unique(codes)


def _unique(codes: Any) -> list[str]:
    found: list[str] = []
    for code in codes:
        code = language_codes.normalize(code)
        if code and code not in found:
            found.append(code)
    return found


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Back where the action was made (a ``next`` on this site), or to ``default``."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return redirect(wanted)
    return redirect(default)


# The desk ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One translation on the desk, with what the person looking may do to it."""

    entry: services.QueueEntry
    assignee: str
    translator: str
    claim: bool
    release: bool
    choices: list[tuple[int, str]] | None

    @property
    def translation(self) -> Translation:
        return self.entry.translation


@dataclass(frozen=True)
class LanguageQueue:
    language: str
    rows: list[Row]

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows if row.entry.overdue)


def _translators_of(loads: list[services.Load]) -> Any:
    """Who may be assigned a language's translations: the translators who declared it (from ``workload``)."""
    found: dict[str, list[tuple[int, str]]] = {}

    def of(code: str) -> list[tuple[int, str]]:
        if code not in found:
            found[code] = [
                (load.user_id, load.name)
                for load in loads
                if any(services.same_language(declared, code) for declared in load.languages)
            ]
        return found[code]

    return of


def _desk_context(request: HttpRequest, params: QueryDict) -> dict[str, Any]:
    actor = actor_for_request(request)
    editor = editorial_access.is_editor(actor)
    today = timezone.localdate()
    speaking = _unique(sorted(actor.translator_languages)) if actor.is_translator else []
    working = _working_languages()
    filters = forms.DeskFilterForm(params or None, languages=_unique([*working, *speaking]))
    chosen = filters.cleaned_data["language"] if filters.is_bound and filters.is_valid() else ""
    everyone = _unique([*speaking, *working]) if editor else speaking
    # A translator's desk holds their own languages only; the editors see (or pick) any.
    shown = [chosen] if chosen in everyone else everyone
    queues = [(code, services.queue(code, today=today)) for code in shown]
    mine = queries.assigned_to(actor.user.pk, today) if actor.is_translator else []
    review = queries.awaiting_review(actor, shown if editor else speaking, today)
    stale = queries.stale_in(shown, today)
    loads = services.workload() if editor else []
    translators_of = _translators_of(loads)
    everything = [entry for _code, entries in queues for entry in entries] + mine + review + stale
    names = queries.pseudonyms(
        [e.translation.assigned_to_id for e in everything] + [e.translation.translator_id for e in everything]
    )

    def row(entry: services.QueueEntry) -> Row:
        t = entry.translation
        return Row(
            entry,
            assignee=names.get(t.assigned_to_id or 0, ""),
            translator=names.get(t.translator_id or 0, ""),
            claim=actor.is_translator
            and t.assigned_to_id is None
            and services.speaks(actor, t.language)
            and not t.counts_for_edition,
            release=actor.user is not None and t.assigned_to_id == actor.user.pk,
            choices=translators_of(t.language) if editor else None,
        )

    return {
        "filters": filters,
        "filtering": chosen in everyone,
        "editor": editor,
        "translator": actor.is_translator,
        "speaking": speaking,
        "mine": [row(e) for e in mine],
        "review": [row(e) for e in review],
        "stale": [row(e) for e in stale],
        "queues": [LanguageQueue(code, [row(e) for e in entries]) for code, entries in queues],
        "loads": loads,
        "lead_days": services.LEAD_DAYS,
    }


def _current_query(request: HttpRequest) -> QueryDict:
    """The desk's filters as the page that sent an HTMX action had them."""
    current = str(getattr(getattr(request, "htmx", None), "current_url", "") or "") if _is_htmx(request) else ""
    return QueryDict(urlparse(current).query if current else "")


@require_safe
@desk_users
def desk(request: HttpRequest) -> HttpResponse:
    return render(request, "translations/desk.html", _desk_context(request, request.GET))


def _desk_fragment(request: HttpRequest) -> HttpResponse:
    # 200 even after a refusal, so that HTMX swaps the desk in and the message shows at its top.
    context = {**_desk_context(request, _current_query(request)), "fragment": True}
    return render(request, "translations/_desk.html", context)


# Assignment: claim, release, assign ------------------------------------------------------------------------------


def _viewable(request: HttpRequest, pk: int) -> Translation:
    """The translation, if the actor may see it: the editors always; translators while its original is translated."""
    translation = queries.translation(pk)
    if translation is None:
        raise Http404
    actor = actor_for_request(request)
    if editorial_access.is_editor(actor):
        return translation
    if actor.is_translator and translation.contribution.state in services.OPEN_STATES:
        return translation
    raise PermissionDenied


def _after_assignment(request: HttpRequest, pk: int) -> HttpResponse:
    target = _htmx_target(request)
    if target == "desk":
        return _desk_fragment(request)
    if target == "assignment":
        translation = _viewable(request, pk)
        return render(
            request, "translations/_assignment.html", {**_assignment_context(request, translation), "fragment": True}
        )
    return _back(request, reverse("translations:desk"))


@require_POST
@desk_users
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    translation = _viewable(request, pk)
    try:
        services.claim(actor_for_request(request), translation)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except LiaisonError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("“%(title)s” into %(language)s is yours now.")
            % {"title": translation.contribution.title, "language": language_codes.display_name(translation.language)},
        )
    return _after_assignment(request, pk)


@require_POST
@desk_users
def release(request: HttpRequest, pk: int) -> HttpResponse:
    translation = _viewable(request, pk)
    try:
        services.release(actor_for_request(request), translation)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except LiaisonError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("You gave back “%(title)s” into %(language)s: another translator may take it.")
            % {"title": translation.contribution.title, "language": language_codes.display_name(translation.language)},
        )
    return _after_assignment(request, pk)


@require_POST
@editors_only
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    translation = _viewable(request, pk)
    form = forms.AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a translator from the list."))
        return _after_assignment(request, pk)
    wanted = form.cleaned_data["translator"]
    translator = get_user_model().objects.filter(pk=wanted).first() if wanted else None
    if wanted and translator is None:
        messages.error(request, _("This translator does not exist (any more); choose another from the list."))
        return _after_assignment(request, pk)
    try:
        services.assign(actor_for_request(request), translation, translator)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except LiaisonError as exc:
        messages.error(request, str(exc.message))
    else:
        title = translation.contribution.title
        language = language_codes.display_name(translation.language)
        if translator is None:
            messages.success(
                request, _("“%(title)s” into %(language)s is free to claim.") % {"title": title, "language": language}
            )
        else:
            name = queries.pseudonyms([translator.pk]).get(translator.pk) or translator.get_username()
            messages.success(
                request,
                _("“%(title)s” into %(language)s is assigned to %(name)s.")
                % {"title": title, "language": language, "name": name},
            )
    return _after_assignment(request, pk)


def _assignment_context(request: HttpRequest, translation: Translation) -> dict[str, Any]:
    actor = actor_for_request(request)
    editor = editorial_access.is_editor(actor)
    choices = _translators_of(services.workload())(translation.language) if editor else []
    open_original = translation.contribution.state in services.OPEN_STATES
    return {
        "translation": translation,
        "editor": editor,
        "choices": choices,
        "may_claim": open_original
        and actor.is_translator
        and translation.assigned_to_id is None
        and services.speaks(actor, translation.language)
        and not translation.counts_for_edition,
        "may_release": actor.user is not None and translation.assigned_to_id == actor.user.pk,
        "assignee": queries.pseudonyms([translation.assigned_to_id]).get(translation.assigned_to_id or 0, ""),
    }


# The side-by-side editor ------------------------------------------------------------------------------------------


def _move_label(state: str) -> str:
    if state == TranslationState.APPROVED:
        return _("Approve")
    if state == TranslationState.DRAFT:
        return _("Return to the translator")
    if state == TranslationState.IN_REVIEW:
        return _("Send to review")
    return str(TranslationState(state).label)


def _why_not_editable(actor: Actor, translation: Translation) -> str:
    """In words, why this person reads the translation without an editor (the services hold the rules)."""
    if translation.contribution.state not in services.OPEN_STATES:
        return _("The original is %(state)s: its translations are closed.") % {
            "state": translation.contribution.get_state_display()
        }
    if translation.state == TranslationState.IN_REVIEW:
        return _("In review: the reviewer approves it or returns it with a reason before anyone edits it again.")
    if not services.speaks(actor, translation.language):
        return _("Only translators who declared %(language)s work on this translation.") % {
            "language": language_codes.display_name(translation.language)
        }
    name = getattr(translation, "assignee_name", "") or _("another translator")
    return _("This translation is assigned to %(name)s.") % {"name": name}


def _render_translation(translation: Translation) -> str:
    """The translation as its readers will see it: sanitized, its citations linked to their items."""

    def resolve(ref: markdown.CitationRef) -> tuple[str, str] | None:
        item = editorial_services.resolve_citation(ref)
        if item is None:
            return None
        url = reverse("editorial:item", args=[item.issue.periodical.slug, item.issue.number, item.position])
        return url, editorial_services.citation_label(item)

    return markdown.render(translation.body, doc_id=f"t{translation.pk}", resolve=resolve)


def _stale_context(translation: Translation) -> dict[str, Any]:
    if not translation.stale:
        return {}
    changes = services.changes_since_approval(translation)
    if changes is None:
        return {"changes": None}
    before = queries.original_at(translation.contribution, changes.from_revision)
    return {
        "changes": changes,
        "title_lines": diff_texts(changes.title_before, changes.title_after, field="title", context=None),
        "body_lines": diff_texts(before.body if before else "", translation.contribution.body),
    }


def _workflow_context(
    request: HttpRequest,
    translation: Translation,
    *,
    errors: dict[str, str] | None = None,
    reasons: dict[str, str] | None = None,
) -> dict[str, Any]:
    actor = actor_for_request(request)
    contribution = translation.contribution
    problems = check_structure(contribution.body, translation.body) if translation.body.strip() else []
    actions = []
    for target in services.allowed_moves(actor, translation):
        if target == TranslationState.IN_REVIEW:
            continue  # sent from the editor's own form, with the text as it is typed
        rule = services.TRANSITIONS[(translation.state, target)]
        despite = target == TranslationState.APPROVED and bool(problems)
        actions.append(
            {
                "to": target,
                "label": _("Approve despite the differences") if despite else _move_label(target),
                "needs_reason": rule.needs_reason or despite,
                "despite": despite,
                "error": (errors or {}).get(target, ""),
                "reason": (reasons or {}).get(target, ""),
            }
        )
    shown = {action["to"] for action in actions}
    author = (
        translation.state == TranslationState.IN_REVIEW
        and actor.user is not None
        and actor.user.pk in services.authors(translation)
    )
    return {
        "translation": translation,
        "contribution": contribution,
        "actions": actions,
        "author": author,
        "problems": problems,
        "general_error": " ".join(message for target, message in (errors or {}).items() if target not in shown),
        "events": queries.events_of(translation),
    }


def _provider_on() -> bool:
    try:
        return is_enabled(get_provider())
    except ImproperlyConfigured:
        return False  # a half-configured provider is the operator's to fix; the page works without it


def _machine_context(request: HttpRequest, translation: Translation) -> dict[str, Any]:
    actor = actor_for_request(request)
    offered = (
        _provider_on()
        and services.may_edit(actor, translation)
        and translation.contribution.state in services.OPEN_STATES
        and not translation.has_human_text
        and translation.state in (TranslationState.NEEDED, TranslationState.DRAFT)
    )
    failure = translation.events.filter(kind="machine_failed").order_by("-created", "-id").first() if offered else None
    return {"translation": translation, "machine_offered": offered, "machine_failure": failure}


def _page_context(
    request: HttpRequest,
    translation: Translation,
    *,
    form: forms.TranslationForm | None = None,
    conflict: services.TranslationConflict | None = None,
    errors: dict[str, str] | None = None,
    reasons: dict[str, str] | None = None,
) -> dict[str, Any]:
    actor = actor_for_request(request)
    contribution = translation.contribution
    editable = (
        services.may_edit(actor, translation)
        and contribution.state in services.OPEN_STATES
        and translation.state != TranslationState.IN_REVIEW
    )
    if form is None and editable:
        form = forms.TranslationForm(
            initial={"base_version": translation.version, "title": translation.title, "body": translation.body},
            language=translation.language,
        )
    issue = services.target_issue(contribution)
    deadline = services.deadline_for(issue)
    occurrences = glossary.terms_in(
        f"{contribution.title}\n\n{contribution.body}", contribution.language, target=translation.language
    )
    return {
        **_workflow_context(request, translation, errors=errors, reasons=reasons),
        **_assignment_context(request, translation),
        **_machine_context(request, translation),
        **_stale_context(translation),
        "form": form if editable else None,
        "editable": editable,
        "why_not": "" if editable else _why_not_editable(actor, translation),
        "conflict": conflict,
        "pairs": services.side_by_side(translation),
        "occurrences": occurrences,
        "issue": issue,
        "deadline": deadline,
        "overdue": deadline is not None and deadline < timezone.localdate() and not translation.counts_for_edition,
        "revisions": queries.revisions_of(translation),
        "preview": _render_translation(translation) if translation.body.strip() else "",
        "glossary_url": reverse("translations:glossary"),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@desk_users
def translation_page(request: HttpRequest, pk: int) -> HttpResponse:
    translation = _viewable(request, pk)
    if request.method != "POST":
        return render(request, "translations/translation.html", _page_context(request, translation))
    actor = actor_for_request(request)
    if not services.may_edit(actor, translation):
        raise PermissionDenied
    form = forms.TranslationForm(request.POST, language=translation.language)
    conflict = None
    if form.is_valid():
        data = form.cleaned_data
        before = translation.version
        try:
            saved = services.save_translation(
                actor, translation, base_version=data["base_version"], title=data["title"], body=data["body"]
            )
        except services.TranslationConflict as exc:
            conflict = exc
            current = queries.translation(pk) or translation
            # The form starts again from this person's text, against the version now saved: saving it again
            # replaces theirs, knowingly; theirs stays a revision either way.
            form = forms.TranslationForm(
                initial={"base_version": current.version, "title": data["title"], "body": data["body"]},
                language=translation.language,
            )
            messages.warning(request, str(exc.message))
            translation = current
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except LiaisonError as exc:
            if exc.field in form.fields:
                apply_error(form, exc)
            else:
                # Not about a field (a text in review, a closed original): the form may not even be shown.
                messages.error(request, str(exc.message))
        else:
            _after_save(request, actor, saved, changed=saved.version != before, action=data["action"])
            return redirect("translations:translation", pk=pk)
    status = 409 if conflict else 400
    return render(
        request,
        "translations/translation.html",
        _page_context(request, translation, form=form, conflict=conflict),
        status=status,
    )


def _after_save(request: HttpRequest, actor: Actor, saved: Translation, *, changed: bool, action: str) -> None:
    if action == forms.SAVE:
        if changed:
            messages.success(request, _("Saved: version %(n)s.") % {"n": saved.version})
        else:
            messages.info(request, _("Nothing to save: the text is as it was."))
        return
    problems = check_structure(saved.contribution.body, saved.body)
    if problems and action == forms.REVIEW:
        messages.warning(
            request,
            _(
                "Saved, but not sent to review: %(problems)s Correct the translation, or send it to review anyway "
                "and say why in a note to the reviewer."
            )
            % {"problems": " ".join(str(p) for p in problems)},
        )
        return
    try:
        services.transition(actor, saved, TranslationState.IN_REVIEW)
    except LiaisonError as exc:
        messages.error(request, _("Saved, but not sent to review: %(reason)s") % {"reason": exc.message})
        return
    messages.success(
        request,
        _("Saved and sent to review: another translator of %(language)s or the secretariat reviews it.")
        % {"language": language_codes.display_name(saved.language)},
    )


@require_POST
@desk_users
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """A workflow action. With HTMX the answer is the whole translation panel (nobody types in it while it is in
    review, the only state these actions start from); without, a redirect to the page."""
    translation = _viewable(request, pk)
    form = forms.MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("This action is not understood."), status=400)
    target, reason = form.cleaned_data["to_state"], form.cleaned_data["reason"]
    actor = actor_for_request(request)
    try:
        services.transition(actor, translation, target, reason=reason)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except LiaisonError as exc:
        context = _page_context(request, translation, errors={target: str(exc.message)}, reasons={target: reason})
        if _is_htmx(request):
            return render(request, "translations/_panel.html", {**context, "fragment": True})
        return render(request, "translations/translation.html", context, status=400)
    translation = queries.translation(pk) or translation
    messages.success(
        request,
        _("“%(title)s” into %(language)s is now %(state)s.")
        % {
            "title": translation.contribution.title,
            "language": language_codes.display_name(translation.language),
            "state": translation.get_state_display(),
        },
    )
    if _is_htmx(request):
        return render(request, "translations/_panel.html", {**_page_context(request, translation), "fragment": True})
    return redirect("translations:translation", pk=pk)


@require_POST
@desk_users
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """The structure check on the text as it is typed, without saving it."""
    translation = _viewable(request, pk)
    form = forms.CheckForm(request.POST)
    body = form.cleaned_data["body"] if form.is_valid() else ""
    problems = check_structure(translation.contribution.body, body) if body.strip() else []
    context = {"problems": problems, "checked": True, "empty": not body.strip(), "translation": translation}
    return render(request, "translations/_structure.html", context)


def _request_machine_draft(request: HttpRequest, translation: Translation) -> None:
    user_id = request.user.pk
    if not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True):
        transaction.on_commit(lambda: tasks.machine_draft_task.delay(translation.pk, user_id))
        messages.info(
            request,
            _(
                "A machine draft is on its way: it appears here when the translation service answers. If the service "
                "is down it is tried again later; a text written meanwhile is never replaced."
            ),
        )
        return
    # Without a worker the draft is made now, once: a failure is reported (and kept in the history), not retried.
    try:
        outcome = tasks.request_machine_draft(translation.pk, user_id)
    except TemporaryProviderError as exc:
        messages.error(request, _("%(error)s Nothing was changed; ask again later.") % {"error": exc.message})
        return
    except MachineTranslationError as exc:
        messages.error(request, str(exc.message))
        return
    if outcome == "drafted":
        messages.success(
            request,
            _("The machine draft is ready. It is marked “machine draft” until a person reviews and approves it."),
        )
    elif outcome == "kept":
        messages.warning(request, _("A person's text is already there: a machine draft never replaces it."))
    else:
        messages.error(request, _("The original is no longer being translated: no machine draft was made."))


@require_POST
@desk_users
def machine(request: HttpRequest, pk: int) -> HttpResponse:
    translation = _viewable(request, pk)
    try:
        services.check_machine_draft(actor_for_request(request), translation)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except LiaisonError as exc:
        messages.error(request, str(exc.message))
    else:
        _request_machine_draft(request, translation)
    if _htmx_target(request) == "machine":
        translation = queries.translation(pk) or translation
        context = {**_machine_context(request, translation), "fragment": True, "reload": True}
        return render(request, "translations/_machine.html", context)
    return redirect("translations:translation", pk=pk)


# The glossary -----------------------------------------------------------------------------------------------------


def _keeper(request: HttpRequest) -> Any:
    """Whether the actor keeps a language's glossary (the rule is ``glossary``'s; this only asks it per language)."""
    actor = actor_for_request(request)
    editor = editorial_access.is_editor(actor)

    def keeps(code: str) -> bool:
        return editor or services.speaks(actor, code)

    return keeps


def _glossary_languages(request: HttpRequest) -> list[str]:
    actor = actor_for_request(request)
    return _unique([*_working_languages(), *sorted(actor.translator_languages)])


@require_http_methods(["GET", "HEAD", "POST"])
@members_only
def glossary_page(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    editor = editorial_access.is_editor(actor)
    may_add = editor or actor.is_translator
    if request.method == "POST" and not may_add:
        raise PermissionDenied
    languages = _glossary_languages(request)
    filters = forms.GlossaryFilterForm(request.GET or None, languages=languages)
    language, search = "", ""
    if filters.is_bound and filters.is_valid():
        language, search = filters.cleaned_data["language"], filters.cleaned_data["q"]
    initial = {
        "concept": request.GET.get("concept", "")[:100],
        "language": language or (sorted(actor.translator_languages)[0] if actor.translator_languages else ""),
    }
    form = forms.TermForm(submitted(request), languages=languages, initial=initial) if may_add else None
    status = 200
    if form is not None and request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                term = glossary.add_term(
                    actor,
                    concept=data["concept"],
                    language=data["language"],
                    text=data["text"],
                    note=data["note"],
                    definition=data["definition"],
                )
            except NotAllowed as exc:
                form.add_error("language", str(exc.message))
                status = 403
            except LiaisonError as exc:
                apply_error(form, exc)
                status = 409 if exc.status == 409 else 400
            else:
                messages.success(
                    request,
                    _("“%(text)s” is the %(language)s term for “%(concept)s”.")
                    % {
                        "text": term.text,
                        "language": language_codes.display_name(term.language),
                        "concept": term.concept.key,
                    },
                )
                query = request.GET.urlencode()
                return redirect(reverse("translations:glossary") + (f"?{query}" if query else ""))
    rows = queries.glossary(language=language, search=search, editable=_keeper(request))
    page = Paginator(rows, GLOSSARY_PAGE_SIZE).get_page(request.GET.get("page"))
    kept = [code for code in languages if _keeper(request)(code)]
    context = {
        "filters": filters,
        "filtering": bool(language or search),
        "language": language,
        "search": search,
        "page": page,
        "rows": page.object_list,
        "total": len(rows),
        "form": form,
        "kept": kept,
        "keys": queries.concept_keys() if form is not None else [],
        "query_without_page": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
    }
    return render(request, "translations/glossary.html", context, status=status)


def _term(pk: int) -> GlossaryTerm:
    return get_object_or_404(GlossaryTerm.objects.select_related("concept"), pk=pk)


def _concept_fragment(
    request: HttpRequest, concept_id: int, *, errors: dict[int, str] | None = None, status: int = 200
) -> HttpResponse:
    concept = GlossaryConcept.objects.filter(pk=concept_id).first()
    if concept is None:
        # The last term went, and the concept with it: the row is swapped for the message alone.
        return render(request, "translations/_messages.html", {"fragment": True}, status=status)
    language = _current_query(request).get("language", "")
    if language not in _glossary_languages(request):
        language = ""
    row = queries.concept_row(concept, language=language, editable=_keeper(request))
    context = {
        "row": row,
        "language": language,
        "errors": errors or {},
        "fragment": True,
        "next": request.POST.get("next", ""),
    }
    return render(request, "translations/_concept.html", context, status=status)


@require_POST
@members_only
def term_edit(request: HttpRequest, pk: int) -> HttpResponse:
    term = _term(pk)
    form = forms.TermEditForm(request.POST)
    errors: dict[int, str] = {}
    if not form.is_valid():
        errors[term.pk] = " ".join(str(e) for field in form.errors.values() for e in field)
    else:
        try:
            glossary.change_term(
                actor_for_request(request), term, text=form.cleaned_data["text"], note=form.cleaned_data["note"]
            )
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except LiaisonError as exc:
            errors[term.pk] = str(exc.message)
        else:
            messages.success(request, _("The term now reads “%(text)s”.") % {"text": term.text})
    if _is_htmx(request):
        return _concept_fragment(request, term.concept_id, errors=errors)
    for message in errors.values():
        messages.error(request, message)
    return _back(request, reverse("translations:glossary"))


@require_POST
@members_only
def term_remove(request: HttpRequest, pk: int) -> HttpResponse:
    term = _term(pk)
    try:
        glossary.remove_term(actor_for_request(request), term)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    messages.success(
        request,
        _("“%(text)s” is no longer a %(language)s term for “%(concept)s”.")
        % {"text": term.text, "language": language_codes.display_name(term.language), "concept": term.concept.key},
    )
    if _is_htmx(request):
        return _concept_fragment(request, term.concept_id)
    return _back(request, reverse("translations:glossary"))
