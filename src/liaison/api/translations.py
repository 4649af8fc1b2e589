"""Endpoints of the translations: their workflow, the translators' queues and workload, editions, and the glossary.

They translate JSON to the translation services and back. Who sees a translation: the secretariat and the translators
every translation of an original being translated; the original's own section (its correspondents and members) every
translation of its contributions; everyone else the approved translations of what they may read. A translation the
caller may not see answers 404, as if it did not exist. Editors' operations check the caller before any lookup.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from liaison import languages as language_codes
from liaison.api.auth import OPTIONAL_SECURITY, actor_of, optional_token, require_account, required_token
from liaison.api.editorial import GUARDED_READ_ERRORS, get_issue, require_editor, visible
from liaison.api.editorial_schemas import MAX_ID, MAX_NUMBER
from liaison.api.registry import READ_ERRORS, WRITE_ERRORS, ref
from liaison.api.schemas import ErrorOut, ShortText
from liaison.api.translations_schemas import (
    AcceptedOut,
    AssignIn,
    ConceptOut,
    EditionDetailOut,
    EditionOut,
    LoadOut,
    StructureErrorOut,
    TermIn,
    TermOut,
    TermUpdateIn,
    TranslationConflictOut,
    TranslationDetailOut,
    TranslationEventOut,
    TranslationIn,
    TranslationOut,
    TranslationRevisionOut,
    TranslationTransitionIn,
)
from liaison.editorial import access, markdown
from liaison.editorial import services as editorial_services
from liaison.editorial.models import Contribution
from liaison.errors import Conflict, LiaisonError, NotAllowed, NotFound
from liaison.federation.access import Actor
from liaison.federation.models import Person
from liaison.periodicals.models import Issue
from liaison.translations import glossary, services, tasks
from liaison.translations.models import (
    GlossaryTerm,
    Translation,
    TranslationEvent,
    TranslationRevision,
    TranslationState,
)
from liaison.translations.providers import MachineTranslationOff, TemporaryProviderError
from liaison.translations.structure import Problem, check_structure

router = Router(tags=["translations"])

MACHINE_ERRORS = {**WRITE_ERRORS, 502: ErrorOut, 503: ErrorOut}


# Who sees what ---------------------------------------------------------------------------------------------------


def behind_the_scenes(actor: Actor, contribution: Contribution, *, editor: bool) -> bool:
    """Who sees a translation's history, its problems and what changed: the secretariat, the translators, and the
    original's own section (as it sees its contribution's decisions)."""
    return editor or actor.is_translator or access.is_of_section(actor, contribution.section_id)


def visible_translations(actor: Actor, *, editor: bool) -> QuerySet[Translation]:
    """The translations ``actor`` may see, to filter on in one query."""
    readable = visible(actor, editor=editor)
    if editor:
        return Translation.objects.filter(contribution__in=readable)
    shown = Q(state=TranslationState.APPROVED, contribution__in=readable) | Q(
        contribution__section_id__in=actor.sections
    )
    if actor.is_translator:
        # A translator works from originals no reader sees yet: accepted, placed in an issue not yet published.
        shown |= Q(contribution__state__in=services.OPEN_STATES)
    return Translation.objects.filter(shown)


def with_details(translations: QuerySet[Translation]) -> QuerySet[Translation]:
    """Translations with what their answer shows, in one query. People are read by pseudonym only."""
    return translations.select_related(
        "contribution__section",
        "contribution__periodical",
        "contribution__item__issue",
        "contribution__target_issue",
    ).annotate(
        translator_name=F("translator__person__pseudonym"),
        reviewer_name=F("reviewer__person__pseudonym"),
        assignee_name=F("assigned_to__person__pseudonym"),
    )


def listing(translations: QuerySet[Translation]) -> QuerySet[Translation]:
    """``with_details`` without the texts, which a list does not show (each may be 200,000 characters)."""
    return with_details(translations).defer("body", "contribution__body")


def get_translation(actor: Actor, translation_id: int, *, editor: bool) -> Translation:
    translation = with_details(visible_translations(actor, editor=editor)).filter(pk=translation_id).first()
    if translation is None:
        raise NotFound(_("No translation with the number %(id)d.") % {"id": translation_id})
    return translation


def language_code(code: str) -> str:
    """A valid language code, normalized; an unknown one is a 404, as an unknown section in a filter is."""
    normalized = language_codes.normalize(code)
    if not language_codes.is_valid(normalized):
        raise NotFound(_("Unknown language code “%(code)s”.") % {"code": code}, field="language")
    return normalized


def in_language(language: str, prefix: str = "") -> Q:
    """Rows in this language or a variant of it: "pt" finds "pt-br", as ``services.same_language`` reads them."""
    base = language.split("-")[0]
    return (
        Q(**{f"{prefix}language": language})
        | Q(**{f"{prefix}language": base})
        | Q(**{f"{prefix}language__startswith": base + "-"})
    )


# Serialization ---------------------------------------------------------------------------------------------------


def translation_out(actor: Actor, translation: Translation, today: datetime.date) -> dict[str, object]:
    """A translation from ``with_details``."""
    contribution = translation.contribution
    issue = services.target_issue(contribution)
    deadline = services.deadline_for(issue)
    user_id = actor.user.pk if actor.user is not None else None
    return {
        "id": translation.pk,
        "contribution_id": contribution.pk,
        "original_title": contribution.title,
        "original_language": contribution.language,
        "section": ref(contribution.section),
        "periodical": contribution.periodical.slug,
        "language": translation.language,
        "dir": language_codes.direction(translation.language),
        "state": translation.state,
        "stale": translation.stale,
        "machine": translation.machine,
        "title": translation.title,
        "version": translation.version,
        "translator": getattr(translation, "translator_name", None),
        "reviewer": getattr(translation, "reviewer_name", None),
        "assigned_to": getattr(translation, "assignee_name", None),
        "assigned_to_me": user_id is not None and translation.assigned_to_id == user_id,
        "issue": issue.number if issue is not None else None,
        "deadline": deadline,
        "overdue": deadline is not None and deadline < today and not translation.counts_for_edition,
        "approved_at": translation.approved_at,
        "updated": translation.updated,
    }


def render(translation: Translation) -> str:
    """The translation as sanitized HTML, its citations linked to their items as in the original."""

    def resolve(citation: markdown.CitationRef) -> tuple[str, str] | None:
        item = editorial_services.resolve_citation(citation)
        if item is None:
            return None
        url = reverse("editorial:item", args=[item.issue.periodical.slug, item.issue.number, item.position])
        return url, editorial_services.citation_label(item)

    return markdown.render(translation.body, doc_id=f"t{translation.pk}", resolve=resolve)


def problem_out(problem: Problem) -> dict[str, str]:
    return {"code": problem.code, "message": problem.message}


def term_out(term: GlossaryTerm) -> dict[str, object]:
    """A term whose concept is loaded."""
    return {
        "id": term.pk,
        "concept": term.concept.key,
        "language": term.language,
        "dir": language_codes.direction(term.language),
        "text": term.text,
        "note": term.note,
    }


def event_out(event: TranslationEvent) -> dict[str, object]:
    return {
        "kind": event.kind,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "note": event.note,
        "by": event.actor_name,
        "created": event.created,
    }


def may_save(actor: Actor, translation: Translation) -> bool:
    """The test ``services.save_translation`` makes before saving."""
    return (
        services.may_edit(actor, translation)
        and translation.contribution.state in services.OPEN_STATES
        and translation.state != TranslationState.IN_REVIEW
    )


def detail_out(actor: Actor, translation: Translation, *, editor: bool) -> dict[str, object]:
    """A translation with its text and the original's; its history and working aids only behind the scenes."""
    contribution = translation.contribution
    out = translation_out(actor, translation, timezone.localdate())
    is_open = contribution.state in services.OPEN_STATES
    out.update(
        body=translation.body,
        html=render(translation),
        original={
            "title": contribution.title,
            "language": contribution.language,
            "dir": language_codes.direction(contribution.language),
            "body": contribution.body,
            "revision": services.current_revision(contribution),
        },
        allowed_moves=services.allowed_moves(actor, translation) if is_open and actor.user is not None else [],
        may_edit=may_save(actor, translation),
        override_reason=translation.override_reason,
    )
    if behind_the_scenes(actor, contribution, editor=editor):
        changes = services.changes_since_approval(translation) if translation.stale else None
        problems = check_structure(contribution.body, translation.body) if translation.body.strip() else []
        hits = glossary.terms_in(contribution.body, contribution.language, target=translation.language)
        out.update(
            revision_count=translation.revisions.count(),
            events=[event_out(e) for e in translation.events.order_by("created", "id")],
            changes=(
                None
                if changes is None
                else {
                    "from_revision": changes.from_revision,
                    "to_revision": changes.to_revision,
                    "title_before": changes.title_before,
                    "title_after": changes.title_after,
                    "diff": changes.diff,
                }
            ),
            problems=[problem_out(p) for p in problems],
            pairs=[
                {"kind": p.kind, "label": p.label, "original": p.original, "translation": p.translation}
                for p in services.side_by_side(translation)
            ],
            glossary=[
                {
                    "concept": hit.concept.key,
                    "definition": hit.concept.definition,
                    "found": hit.found,
                    "count": hit.count,
                    "equivalents": [term_out(term) for term in hit.equivalents],
                }
                for hit in hits
            ],
        )
    return out


def revision_out(revision: TranslationRevision) -> dict[str, object]:
    return {
        "number": revision.number,
        "version": revision.version,
        "title": revision.title,
        "body": revision.body,
        "source_revision": revision.source_revision,
        "machine": revision.machine,
        "conflict": revision.conflict,
        "author": getattr(revision, "author_name", None) or "",
        "created": revision.created,
    }


def revisions_with_authors() -> QuerySet[TranslationRevision]:
    return TranslationRevision.objects.annotate(author_name=F("author__person__pseudonym"))


def summary(actor: Actor, translation_id: int, *, editor: bool) -> dict[str, object]:
    return translation_out(actor, get_translation(actor, translation_id, editor=editor), timezone.localdate())


# Translations ----------------------------------------------------------------------------------------------------


class TranslationFilters(Schema):
    language: ShortText | None = None
    state: TranslationState | None = None
    stale: bool | None = None
    contribution: int | None = Field(None, ge=1, le=MAX_ID)
    mine: bool = False


@router.get(
    "/translations",
    response={200: list[TranslationOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Translations the caller may see",
    description="Every translation of an original being translated for the secretariat and the translators; every "
    "translation of its own contributions for a section; approved ones of what they read for everyone else. Filter "
    "by `language` (“pt” finds “pt-br” too), `state`, `stale`, `contribution` (its id), and `mine` (assigned to the "
    "caller). Latest change first.",
)
def list_translations(request: HttpRequest, filters: Query[TranslationFilters]) -> list[dict[str, object]]:
    actor = actor_of(request)
    editor = access.is_editor(actor)
    found = listing(visible_translations(actor, editor=editor))
    if filters.language is not None:
        found = found.filter(in_language(language_code(filters.language)))
    if filters.state:
        found = found.filter(state=filters.state)
    if filters.stale is not None:
        found = found.filter(stale=filters.stale)
    if filters.contribution is not None:
        found = found.filter(contribution_id=filters.contribution)
    if filters.mine:
        require_account(actor)
        found = found.filter(assigned_to=actor.user)
    today = timezone.localdate()
    result = [translation_out(actor, t, today) for t in found.order_by("-updated", "-id")]
    if not result and filters.contribution is not None:
        # Checked only for an empty answer, so that a list costs the same queries whatever it holds.
        known = (
            visible(actor, editor=editor).filter(pk=filters.contribution).exists()
            or visible_translations(actor, editor=editor).filter(contribution_id=filters.contribution).exists()
        )
        if not known:
            raise NotFound(
                _("No contribution with the number %(id)d.") % {"id": filters.contribution}, field="contribution"
            )
    return result


@router.get(
    "/translations/{translation_id}",
    response={200: TranslationDetailOut, **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    exclude_unset=True,
    summary="One translation, with the original, its history and what changed",
    description="The text in Markdown and as sanitized HTML, beside the original's. For the secretariat, the "
    "translators and the original's section also its history (who did what, when, why), the structure problems "
    "that approval would meet, the original and the translation block by block, the glossary's terms found in the "
    "original with their equivalents, and, when the translation is stale, the original's changes since its approval. "
    "A translation the caller may not see answers 404.",
)
def get_one_translation(request: HttpRequest, translation_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, object]:
    actor = actor_of(request)
    editor = access.is_editor(actor)
    return detail_out(actor, get_translation(actor, translation_id, editor=editor), editor=editor)


@router.put(
    "/translations/{translation_id}",
    response={200: TranslationDetailOut, **WRITE_ERRORS, 409: TranslationConflictOut},
    auth=required_token,
    exclude_unset=True,
    summary="Save a translation's text",
    description="A translator of its language, on a translation assigned to them or to nobody (saving takes it), or "
    "the secretariat; not while it is in review. A first save makes a draft; saving an approved text reopens it as a "
    "draft. Send the `version` you started from as `base_version`: if someone saved in between, the answer is 409 "
    "with both texts, yours kept as a revision marked as a conflict, and nothing is lost. A machine draft that "
    "arrived in between is simply replaced by your text.",
)
def save_translation(
    request: HttpRequest, payload: TranslationIn, translation_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[dict[str, object]]:
    actor = actor_of(request)
    editor = access.is_editor(actor)
    translation = get_translation(actor, translation_id, editor=editor)
    try:
        services.save_translation(
            actor, translation, base_version=payload.base_version, title=payload.title, body=payload.body
        )
    except services.TranslationConflict as conflict:
        revisions = revisions_with_authors()
        theirs = revisions.get(pk=conflict.theirs.pk) if conflict.theirs is not None else None
        return Status(
            409,
            {
                "detail": str(conflict),
                "field": conflict.field,
                "theirs": revision_out(theirs) if theirs is not None else None,
                "yours": revision_out(revisions.get(pk=conflict.yours.pk)),
            },
        )
    return Status(200, detail_out(actor, get_translation(actor, translation_id, editor=editor), editor=editor))


@router.post(
    "/translations/{translation_id}/transitions",
    response={201: TranslationEventOut, **WRITE_ERRORS, 400: StructureErrorOut},
    auth=required_token,
    summary="Send to review, approve, or return",
    description="Moves the translation to another state and answers the recorded event. Its translator (or the "
    "secretariat) sends a draft to review; a reviewer approves it or returns it with a `reason`. The reviewer is the "
    "secretariat or another translator of the language, never someone who wrote part of the text. Approving a text "
    "whose footnotes, citations, headings or lists differ from the original's is refused with the list of "
    "`problems`, unless a `reason` says why they may differ (kept with the approval).",
)
def make_transition(
    request: HttpRequest, payload: TranslationTransitionIn, translation_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[dict[str, object]]:
    actor = actor_of(request)
    editor = access.is_editor(actor)
    translation = get_translation(actor, translation_id, editor=editor)
    try:
        event = services.transition(actor, translation, payload.to, reason=payload.reason)
    except services.StructureProblems as refused:
        return Status(
            400,
            {"detail": str(refused), "field": refused.field, "problems": [problem_out(p) for p in refused.problems]},
        )
    return Status(201, event_out(event))


@router.get(
    "/translations/{translation_id}/revisions",
    response={200: list[TranslationRevisionOut], **GUARDED_READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Every saved text of a translation (the secretariat, translators, the original's section)",
    description="Numbered from 1; machine drafts are marked, and a save refused because someone else saved first "
    "is kept, marked as a conflict.",
)
def list_revisions(request: HttpRequest, translation_id: int = Path(..., ge=1, le=MAX_ID)) -> list[dict[str, object]]:
    actor = actor_of(request)
    editor = access.is_editor(actor)
    translation = get_translation(actor, translation_id, editor=editor)
    if not behind_the_scenes(actor, translation.contribution, editor=editor):
        raise NotAllowed(_("Only the secretariat, the translators and its section see a translation's revisions."))
    revisions = revisions_with_authors().filter(translation=translation).order_by("number")
    return [revision_out(revision) for revision in revisions]


@router.post(
    "/translations/{translation_id}/claim",
    response={200: TranslationOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Take a translation (translators of its language)",
    description="Assigns an unassigned translation to the caller, so that two translators do not do the same work. "
    "Taken by someone else already: 409. Claiming one's own again changes nothing.",
)
def claim(request: HttpRequest, translation_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, object]:
    actor = actor_of(request)
    editor = access.is_editor(actor)
    services.claim(actor, get_translation(actor, translation_id, editor=editor))
    return summary(actor, translation_id, editor=editor)


@router.post(
    "/translations/{translation_id}/release",
    response={200: TranslationOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Give a translation back (the translator it is assigned to)",
    description="Frees it for another translator to claim; its text and state stay as they are.",
)
def release(request: HttpRequest, translation_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, object]:
    actor = actor_of(request)
    editor = access.is_editor(actor)
    services.release(actor, get_translation(actor, translation_id, editor=editor))
    return summary(actor, translation_id, editor=editor)


@router.post(
    "/translations/{translation_id}/assign",
    response={200: TranslationOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Assign a translation to a translator (editors)",
    description="`translator` is the id of a person who declared the translation's language; null frees it. The "
    "assignment is recorded in its history.",
)
def assign(
    request: HttpRequest, payload: AssignIn, translation_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, object]:
    actor = actor_of(request)
    require_editor(actor, _("Only the editors assign translations; a translator claims one."))
    translation = get_translation(actor, translation_id, editor=True)
    user = None
    if payload.translator is not None:
        # Only the pseudonym is read: no protected identity is decrypted to check an assignment.
        person = Person.objects.only("id", "pseudonym", "user_id").filter(pk=payload.translator).first()
        if person is None:
            raise LiaisonError(_("No person with the number %(id)d.") % {"id": payload.translator}, field="translator")
        user = get_user_model().objects.filter(pk=person.user_id).first() if person.user_id is not None else None
        if user is None:
            raise LiaisonError(
                _("%(name)s has no account, so cannot translate in Liaison.") % {"name": person.pseudonym},
                field="translator",
            )
    services.assign(actor, translation, user)
    return summary(actor, translation_id, editor=True)


@router.post(
    "/translations/{translation_id}/machine-draft",
    response={202: AcceptedOut, **MACHINE_ERRORS},
    auth=required_token,
    summary="Ask for a machine draft",
    description="Whoever may edit the translation asks; the draft is made in the background and arrives as a draft "
    "marked as machine-made (`machine: true`), which a person must review. It never replaces a person's text: a "
    "translation with one, or past drafting, answers 409. Machine translation off or not configured: 503 with what "
    "to do. A provider that is down, slow or answers garbage is tried again later; every failure is recorded in "
    "the translation's history. Without background workers (no REDIS_URL) the draft is made within the request, "
    "and a failure is the answer: 503 (down, slow, garbage: ask again later) or 502 (the provider refused).",
)
def request_machine_draft(
    request: HttpRequest, translation_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[dict[str, object]]:
    actor = actor_of(request)
    editor = access.is_editor(actor)
    translation = get_translation(actor, translation_id, editor=editor)
    try:
        services.check_machine_draft(actor, translation)
    except ImproperlyConfigured:
        raise MachineTranslationOff(
            _("Machine translation is not configured correctly: an administrator must check MT_PROVIDER and MT_URL.")
        ) from None
    return Status(202, {"detail": start_machine_draft(translation, actor.user.pk), "translation_id": translation.pk})


def start_machine_draft(translation: Translation, user_id: int) -> str:
    """Queue the machine draft for a worker, or, without workers (no REDIS_URL), make it now; as the pages do."""
    if not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True):
        # On commit: were requests ever run in a transaction (ATOMIC_REQUESTS), no worker may start before it ends.
        transaction.on_commit(lambda: tasks.machine_draft_task.delay(translation.pk, user_id))
        return _(
            "A machine draft is on its way: it appears in the translation when the translation service answers. If "
            "the service is down it is tried again later; a text written meanwhile is never replaced."
        )
    # Without a worker the draft is made now, once: a failure is the answer (and kept in the history), not retried.
    try:
        outcome = tasks.request_machine_draft(translation.pk, user_id)
    except TemporaryProviderError as exc:
        raise TemporaryProviderError(
            _("%(error)s Nothing was changed; ask again later.") % {"error": exc.message}
        ) from None
    if outcome != "drafted":
        # Someone saved a text, or the original was withdrawn, between the check and the draft.
        raise Conflict(_("The translation changed meanwhile and got no machine draft; read it again."))
    return _("The machine draft is ready. It is marked “machine draft” until a person reviews and approves it.")


# Queues and workload ---------------------------------------------------------------------------------------------


@router.get(
    "/queues/{language}",
    response={200: list[TranslationOut], **GUARDED_READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="The work waiting in one language (its translators and the editors)",
    description="Translations not approved, or approved but stale, of originals being translated; soonest "
    "deadline first (a week before the issue's planned date), those with no issue yet last.",
)
def queue(request: HttpRequest, language: str) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_account(actor)
    code = language_code(language)
    if not (access.is_editor(actor) or services.speaks(actor, code)):
        raise NotAllowed(
            _("Only the editors and the translators of %(language)s see its queue.")
            % {"language": language_codes.display_name(code)}
        )
    entries = services.queue(code)
    order = {entry.translation.pk: n for n, entry in enumerate(entries)}
    found = sorted(listing(Translation.objects.filter(pk__in=order)), key=lambda t: order[t.pk])
    today = timezone.localdate()
    return [translation_out(actor, t, today) for t in found]


@router.get(
    "/translators",
    response={200: list[LoadOut], **GUARDED_READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Each translator's workload (editors)",
    description="Every translator, and anyone else holding assignments, with their languages and the translations "
    "assigned to them by state; the most loaded first.",
)
def workload(request: HttpRequest) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_editor(actor, _("Only the editors see the translators' workload."))
    loads = services.workload()
    people = dict(Person.objects.filter(user_id__in=[load.user_id for load in loads]).values_list("user_id", "id"))
    return [
        {
            "person": people.get(load.user_id),
            "name": load.name,
            "languages": load.languages,
            "needed": load.needed,
            "draft": load.draft,
            "in_review": load.in_review,
            "stale": load.stale,
            "approved": load.approved,
            "open": load.open,
        }
        for load in loads
    ]


# Editions --------------------------------------------------------------------------------------------------------


def edition_out(
    issue: Issue, edition: services.Edition, shown: set[int] | None, *, contents: bool
) -> dict[str, object]:
    """An edition, counting only the items whose contribution is in ``shown`` (every item when None)."""
    items = [c for c in edition.items if shown is None or c.item.contribution_id in shown]

    def coverage_out(coverage: services.Coverage) -> dict[str, object]:
        item = coverage.item
        item.issue = issue
        return {
            "position": item.position,
            "citation": editorial_services.citation_label(item),
            "contribution_id": item.contribution_id,
            "title": item.contribution.title,
            "original_language": item.contribution.language,
            "status": coverage.status,
            "translation_id": coverage.translation.pk if coverage.translation is not None else None,
            "machine": coverage.translation.machine if coverage.translation is not None else False,
        }

    out: dict[str, object] = {
        "language": edition.language,
        "language_name": language_codes.display_name(edition.language),
        "dir": language_codes.direction(edition.language),
        "complete": bool(items) and all(c.covered for c in items),
        "items": len(items),
        "covered": sum(1 for c in items if c.covered),
        "missing": [coverage_out(c) for c in items if not c.covered],
    }
    if contents:
        out["contents"] = [coverage_out(c) for c in items]
    return out


def shown_items(actor: Actor, issue: Issue) -> set[int] | None:
    """The contributions of an issue whose coverage the caller may see: all for the secretariat and the translators;
    those they may read for everyone else, so that an edition never discloses an item."""
    editor = access.is_editor(actor)
    if editor or actor.is_translator:
        return None
    return set(visible(actor, editor=False).filter(item__issue=issue).values_list("pk", flat=True))


@router.get(
    "/bulletins/{slug}/issues/{number}/editions",
    response={200: list[EditionOut], **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="An issue's editions: which languages are complete",
    description="For each of the federation's working languages: whether every item can be read in it (written in "
    "it, or with an approved translation that is up to date), and what is missing. The secretariat and the "
    "translators count every item; everyone else the items they may read.",
)
def list_editions(
    request: HttpRequest, slug: str, number: int = Path(..., ge=1, le=MAX_NUMBER)
) -> list[dict[str, object]]:
    actor = actor_of(request)
    issue = get_issue(actor, slug, number)
    shown = shown_items(actor, issue)
    return [edition_out(issue, edition, shown, contents=False) for edition in services.edition_statuses(issue).values()]


@router.get(
    "/bulletins/{slug}/issues/{number}/editions/{language}",
    response={200: EditionDetailOut, **READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="An issue's edition in one language, item by item",
    description="Any language, working language or not: every item the caller may see, with its status in it.",
)
def get_edition(
    request: HttpRequest, slug: str, language: str, number: int = Path(..., ge=1, le=MAX_NUMBER)
) -> dict[str, object]:
    actor = actor_of(request)
    code = language_code(language)
    issue = get_issue(actor, slug, number)
    return edition_out(issue, services.edition_status(issue, code), shown_items(actor, issue), contents=True)


# Glossary --------------------------------------------------------------------------------------------------------


def require_member(actor: Actor) -> None:
    require_account(actor)
    if not actor.is_member:
        raise NotAllowed(_("Only the federation's members read its glossary."))


def require_glossary_keeper(actor: Actor) -> None:
    """Checked before any lookup; the services then check the language (a translator keeps only their own)."""
    require_account(actor)
    if not (access.is_editor(actor) or actor.is_translator):
        raise NotAllowed(_("The secretariat and the translators of a language keep its glossary."))


def concepts_out(terms: list[GlossaryTerm]) -> list[dict[str, object]]:
    """Terms (ordered by concept) grouped into their concepts."""
    concepts: dict[int, dict[str, object]] = {}
    grouped: dict[int, list[dict[str, object]]] = {}
    for term in terms:
        if term.concept_id not in concepts:
            grouped[term.concept_id] = []
            concepts[term.concept_id] = {
                "key": term.concept.key,
                "definition": term.concept.definition,
                "terms": grouped[term.concept_id],
            }
        grouped[term.concept_id].append(term_out(term))
    return list(concepts.values())


class GlossaryFilters(Schema):
    language: ShortText | None = None
    q: ShortText = ""


@router.get(
    "/glossary",
    response={200: list[ConceptOut], **GUARDED_READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="The glossary (members)",
    description="The federation's concepts, each with its terms by language. `language` shows only the terms in "
    "that language (and only the concepts that have one); `q` keeps the concepts whose key, definition or a term in "
    "any language contains it, ignoring case in every script.",
)
def list_glossary(request: HttpRequest, filters: Query[GlossaryFilters]) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_member(actor)
    code = language_code(filters.language) if filters.language is not None else None
    # Compared in Python: SQLite's lower() knows only ASCII, and "ЗАБАСТОВКА" contains "забастовка" too.
    terms = list(GlossaryTerm.objects.select_related("concept").order_by("concept__key", "language", "text", "id"))
    needle = filters.q.strip().casefold()
    if needle:
        matching = {
            t.concept_id
            for t in terms
            if needle in t.text.casefold()
            or needle in t.concept.key.casefold()
            or needle in t.concept.definition.casefold()
        }
        terms = [t for t in terms if t.concept_id in matching]
    if code is not None:
        terms = [t for t in terms if services.same_language(t.language, code)]
    return concepts_out(terms)


@router.get(
    "/glossary/concepts/{key}",
    response={200: ConceptOut, **GUARDED_READ_ERRORS},
    auth=optional_token,
    openapi_extra=OPTIONAL_SECURITY,
    summary="One concept of the glossary, with its terms in every language (members)",
)
def get_concept(request: HttpRequest, key: str) -> dict[str, object]:
    actor = actor_of(request)
    require_member(actor)
    terms = list(
        GlossaryTerm.objects.select_related("concept").filter(concept__key=key).order_by("language", "text", "id")
        if "\x00" not in key
        else []
    )
    if not terms:
        raise NotFound(_("No concept “%(key)s” in the glossary.") % {"key": key})
    return concepts_out(terms)[0]


@router.post(
    "/glossary/terms",
    response={201: TermOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Add a term (the secretariat, translators in their languages)",
    description="Adds a language's term for a concept, the concept created on first use with its `definition`. The "
    "same term twice for a concept and language (ignoring case) answers 409.",
)
def add_term(request: HttpRequest, payload: TermIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    require_glossary_keeper(actor)
    term = glossary.add_term(
        actor,
        concept=payload.concept,
        language=payload.language,
        text=payload.text,
        note=payload.note,
        definition=payload.definition,
    )
    return Status(201, term_out(GlossaryTerm.objects.select_related("concept").get(pk=term.pk)))


def get_term(term_id: int) -> GlossaryTerm:
    term = GlossaryTerm.objects.select_related("concept").filter(pk=term_id).first()
    if term is None:
        raise NotFound(_("No glossary term with the number %(id)d.") % {"id": term_id})
    return term


@router.put(
    "/glossary/terms/{term_id}",
    response={200: TermOut, **WRITE_ERRORS},
    auth=required_token,
    summary="Correct a term (the secretariat, translators in its language)",
    description="Changes the term's words and usage note; its concept and language stay.",
)
def edit_term(
    request: HttpRequest, payload: TermUpdateIn, term_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, object]:
    actor = actor_of(request)
    require_glossary_keeper(actor)
    term = glossary.change_term(actor, get_term(term_id), text=payload.text, note=payload.note)
    return term_out(get_term(term.pk))


@router.delete(
    "/glossary/terms/{term_id}",
    response={200: list[TermOut], **WRITE_ERRORS},
    auth=required_token,
    summary="Remove a term (the secretariat, translators in its language)",
    description="Answers the concept's remaining terms; a concept left without terms is removed with its last one.",
)
def remove_term(request: HttpRequest, term_id: int = Path(..., ge=1, le=MAX_ID)) -> list[dict[str, object]]:
    actor = actor_of(request)
    require_glossary_keeper(actor)
    term = get_term(term_id)
    concept_id = term.concept_id
    glossary.remove_term(actor, term)
    remaining = GlossaryTerm.objects.select_related("concept").filter(concept_id=concept_id)
    return [term_out(t) for t in remaining.order_by("language", "text", "id")]
