"""Translations of contributions: who works on which, their workflow, staleness, queues, editions and machine drafts.

A translation's state changes in one place, ``transition``, which checks the table of allowed moves and who may make
each, records the event (who, when, why) and applies it; the two moves that follow from saving a text (a first draft,
and an approved text edited again) happen in ``save_translation`` through the same table and record. A save against
an outdated version is refused as a conflict and its text kept, never lost; a machine draft never replaces a
person's text.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liaison import languages as language_codes
from liaison.editorial import access as editorial_access
from liaison.editorial.markdown import MAX_BODY_CHARS
from liaison.editorial.models import Contribution, Item, Revision, State
from liaison.errors import Conflict, LiaisonError, NotAllowed, NotFound
from liaison.federation.access import Actor, active_roles, actor_for_user
from liaison.federation.models import Person, Role, RoleKind
from liaison.federation.services import get_federation
from liaison.periodicals.models import Issue
from liaison.translations.models import (
    EventKind,
    Translation,
    TranslationEvent,
    TranslationRevision,
    TranslationState,
)
from liaison.translations.providers import (
    MachineTranslationError,
    Provider,
    get_provider,
    is_enabled,
    machine_translation_off,
)
from liaison.translations.structure import Pair, Problem, check_structure, paragraphs, translate_markdown

# A translation is due this many days before its issue's planned date, leaving time to review and lay out.
LEAD_DAYS = 7

# The original's states in which its translations are worked on: from acceptance on.
OPEN_STATES = (State.ACCEPTED, State.PLACED, State.PUBLISHED)


class Who(Enum):
    TRANSLATOR = "translator"
    REVIEWER = "reviewer"


@dataclass(frozen=True)
class Rule:
    who: Who
    needs_reason: bool = False
    on_save: bool = False  # made by saving a text, not asked for


# The translation workflow: (from, to) → who may make the move, whether it needs a reason, whether a save makes it.
TRANSITIONS: dict[tuple[str, str], Rule] = {
    (TranslationState.NEEDED, TranslationState.DRAFT): Rule(Who.TRANSLATOR, on_save=True),
    (TranslationState.DRAFT, TranslationState.IN_REVIEW): Rule(Who.TRANSLATOR),
    (TranslationState.IN_REVIEW, TranslationState.APPROVED): Rule(Who.REVIEWER),
    (TranslationState.IN_REVIEW, TranslationState.DRAFT): Rule(Who.REVIEWER, needs_reason=True),
    (TranslationState.APPROVED, TranslationState.DRAFT): Rule(Who.TRANSLATOR, on_save=True),
}


# Languages and who may do what ------------------------------------------------------------------------------------


def same_language(a: str, b: str) -> bool:
    """ "pt-br" and "pt" are one language for a reader and a translator; "pt" and "es" are not."""
    a, b = language_codes.normalize(a), language_codes.normalize(b)
    return a == b or a.split("-")[0] == b.split("-")[0]


def speaks(actor: Actor, language: str) -> bool:
    """The actor holds a translator role that declares this language."""
    return actor.is_translator and any(same_language(code, language) for code in actor.translator_languages)


def _user_id(actor: Actor) -> int | None:
    return actor.user.pk if actor.user is not None else None


def may_edit(actor: Actor, translation: Translation) -> bool:
    """The secretariat, or a translator of the language on a translation assigned to them or to nobody."""
    if actor.user is None:
        return False
    if editorial_access.is_editor(actor):
        return True
    return speaks(actor, translation.language) and translation.assigned_to_id in (None, actor.user.pk)


def authors(translation: Translation) -> set[int]:
    """Everyone who wrote part of this text, and whoever answers for it as its translator."""
    ids = set(
        translation.revisions.filter(machine=False, conflict=False, author__isnull=False).values_list(
            "author_id", flat=True
        )
    )
    if translation.translator_id is not None:
        ids.add(translation.translator_id)
    return ids


def may_review(actor: Actor, translation: Translation) -> bool:
    """The secretariat or a translator of the language, who wrote none of it: nobody reviews their own text."""
    if actor.user is None:
        return False
    if not (editorial_access.is_editor(actor) or speaks(actor, translation.language)):
        return False
    return actor.user.pk not in authors(translation)


def _language_name(code: str) -> str:
    return language_codes.display_name(code)


def _require_edit(actor: Actor, translation: Translation) -> None:
    if may_edit(actor, translation):
        return
    if actor.user is None:
        raise NotAllowed(_("Log in to translate."))
    if not speaks(actor, translation.language):
        raise NotAllowed(
            _("Only translators who declared %(language)s work on this translation.")
            % {"language": _language_name(translation.language)}
        )
    raise NotAllowed(
        _("This translation is assigned to %(name)s.") % {"name": _name_of_user(translation.assigned_to_id)}
    )


def _require_review(actor: Actor, translation: Translation) -> None:
    if may_review(actor, translation):
        return
    if actor.user is not None and actor.user.pk in authors(translation):
        raise NotAllowed(
            _("You translated this text: another translator of %(language)s or the secretariat reviews it.")
            % {"language": _language_name(translation.language)}
        )
    raise NotAllowed(
        _("Only the secretariat or a translator of %(language)s reviews this translation.")
        % {"language": _language_name(translation.language)}
    )


def _require_open(contribution: Contribution) -> None:
    if contribution.state not in OPEN_STATES:
        raise LiaisonError(
            _("The original is %(state)s: its translations are closed.") % {"state": contribution.get_state_display()}
        )


def _name_of_user(user_id: int | None) -> str:
    if user_id is None:
        return ""
    name = Person.objects.filter(user_id=user_id).values_list("pseudonym", flat=True).first()
    return name or _("another translator")


def _actor_name(actor: Actor) -> str:
    if actor.pseudonym:
        return actor.pseudonym
    return str(actor.user.get_username()) if actor.user is not None else ""


def _record(
    translation: Translation,
    *,
    kind: str = EventKind.TRANSITION,
    to_state: str | None = None,
    from_state: str | None = None,
    note: str = "",
    actor: Actor | None = None,
    user: Any = None,
) -> TranslationEvent:
    return TranslationEvent.objects.create(
        translation=translation,
        kind=kind,
        from_state=from_state or translation.state,
        to_state=to_state or translation.state,
        note=note,
        actor=actor.user if actor is not None else user,
        actor_name=_actor_name(actor) if actor is not None else (_name_of_user(user.pk) if user is not None else ""),
    )


def allowed_moves(actor: Actor, translation: Translation) -> list[str]:
    """The states this actor may move the translation to now (for the buttons a page shows)."""
    moves = []
    for (source, target), rule in TRANSITIONS.items():
        if source != translation.state or rule.on_save:
            continue
        if (rule.who is Who.TRANSLATOR and may_edit(actor, translation)) or (
            rule.who is Who.REVIEWER and may_review(actor, translation)
        ):
            moves.append(target)
    return moves


# Creating and assigning -------------------------------------------------------------------------------------------


def ensure_translations(contribution: Contribution) -> list[Translation]:
    """A ``needed`` translation for each working language other than the original's. Call it when a contribution
    is accepted; calling it again (or after a working language was added) only creates what is missing."""
    try:
        working = get_federation().working_languages or []
    except NotFound:
        working = []
    wanted: list[str] = []
    for code in working:
        code = language_codes.normalize(code)
        if code and not same_language(code, contribution.language) and code not in wanted:
            wanted.append(code)
    # ignore_conflicts: two calls at once (an accept and a retry) must not fail on the unique constraint.
    Translation.objects.bulk_create(
        [Translation(contribution=contribution, language=code) for code in wanted], ignore_conflicts=True
    )
    return list(contribution.translations.order_by("language"))


def assign(actor: Actor, translation: Translation, translator: Any) -> Translation:
    """The secretariat assigns a translation to a translator of its language, or (``translator=None``) frees it."""
    if not editorial_access.is_editor(actor):
        raise NotAllowed(_("Only the editors assign translations; a translator claims one."))
    name = ""
    if translator is not None:
        them = actor_for_user(translator)
        name = them.pseudonym or str(translator.get_username())
        if not them.is_translator:
            raise LiaisonError(_("%(name)s is not a translator.") % {"name": name}, field="translator")
        if not speaks(them, translation.language):
            raise LiaisonError(
                _("%(name)s has not declared %(language)s among their languages.")
                % {"name": name, "language": _language_name(translation.language)},
                field="translator",
            )
    with transaction.atomic():
        current = Translation.objects.select_for_update().get(pk=translation.pk)
        current.assigned_to = translator
        current.save(update_fields=["assigned_to", "updated"])
        _record(current, kind=EventKind.ASSIGNED, note=name, actor=actor)
    translation.refresh_from_db()
    return current


def claim(actor: Actor, translation: Translation) -> Translation:
    """A translator takes an unassigned translation in one of their languages."""
    if actor.user is None or not actor.is_translator:
        raise NotAllowed(_("Only translators claim translations."))
    if not speaks(actor, translation.language):
        raise NotAllowed(
            _("You have not declared %(language)s among your languages.")
            % {"language": _language_name(translation.language)}
        )
    with transaction.atomic():
        current = Translation.objects.select_for_update().select_related("contribution").get(pk=translation.pk)
        if current.assigned_to_id == actor.user.pk:
            return current
        if current.assigned_to_id is not None:
            raise Conflict(
                _("%(name)s already took this translation.") % {"name": _name_of_user(current.assigned_to_id)}
            )
        _require_open(current.contribution)
        if current.counts_for_edition:
            raise LiaisonError(_("This translation is approved and up to date: there is nothing to do."))
        current.assigned_to = actor.user
        current.save(update_fields=["assigned_to", "updated"])
        _record(current, kind=EventKind.ASSIGNED, note=_actor_name(actor), actor=actor)
    translation.refresh_from_db()
    return current


def release(actor: Actor, translation: Translation) -> Translation:
    """A translator gives back a translation they had taken, for someone else to claim."""
    if actor.user is None or translation.assigned_to_id != actor.user.pk:
        raise NotAllowed(_("Only the translator it is assigned to gives a translation back."))
    with transaction.atomic():
        current = Translation.objects.select_for_update().get(pk=translation.pk)
        current.assigned_to = None
        current.save(update_fields=["assigned_to", "updated"])
        _record(current, kind=EventKind.ASSIGNED, note="", actor=actor)
    translation.refresh_from_db()
    return current


# Saving and the workflow ------------------------------------------------------------------------------------------


class TranslationConflict(Conflict):
    """Someone saved the translation after this edit began: both texts are kept, this one as a revision."""

    def __init__(self, theirs: TranslationRevision | None, yours: TranslationRevision) -> None:
        super().__init__(
            _(
                "Someone else saved this translation while you were editing it. Your text is kept as revision "
                "%(n)s; compare both and save again."
            )
            % {"n": yours.number},
            field="body",
        )
        self.theirs, self.yours = theirs, yours


def _clean(title: str, body: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    body = (body or "").replace("\r\n", "\n")
    if not title:
        raise LiaisonError(_("A translation needs a title."), field="title")
    if len(title) > 300:
        raise LiaisonError(_("A title has at most 300 characters."), field="title")
    if not body.strip():
        raise LiaisonError(_("The text is empty."), field="body")
    if "\x00" in title or "\x00" in body:
        raise LiaisonError(_("The text contains a NUL character; paste it as plain text."), field="body")
    if len(body) > MAX_BODY_CHARS:
        raise LiaisonError(
            ngettext(
                "The text is too long: %(n)s character, where a translation has at most %(max)s.",
                "The text is too long: %(n)s characters, where a translation has at most %(max)s.",
                len(body),
            )
            % {
                "n": number_format(len(body), force_grouping=True),
                "max": number_format(MAX_BODY_CHARS, force_grouping=True),
            },
            field="body",
        )
    return title, body


def current_revision(contribution: Contribution) -> int | None:
    """The number of the original's latest saved text (a save that lost a conflict is not its text)."""
    number: int | None = contribution.revisions.filter(conflict=False).aggregate(n=Max("number"))["n"]
    return number


def save_translation(
    actor: Actor, translation: Translation, *, base_version: int, title: str, body: str
) -> Translation:
    """Save a translator's text. ``base_version`` is the version the editor started from: if a person saved in
    between, this text is kept as a conflicting revision and ``TranslationConflict`` raised (a machine draft that
    arrived in between is simply replaced). A first save makes a draft; saving an approved text reopens it."""
    title, body = _clean(title, body)
    with transaction.atomic():
        current = Translation.objects.select_for_update().select_related("contribution").get(pk=translation.pk)
        _require_edit(actor, current)
        _require_open(current.contribution)
        if current.state == TranslationState.IN_REVIEW:
            raise LiaisonError(_("This translation is in review; the reviewer sends it back before it is edited."))
        number = (current.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        people_saved = current.revisions.filter(version__gt=base_version, machine=False, conflict=False).exists()
        conflict: TranslationConflict | None = None
        if current.version != base_version and (people_saved or base_version > current.version):
            yours = TranslationRevision.objects.create(
                translation=current,
                number=number,
                version=current.version,
                title=title,
                body=body,
                source_revision=current.source_revision,
                conflict=True,
                author=actor.user,
            )
            theirs = current.revisions.filter(conflict=False).order_by("-number").first()
            conflict = TranslationConflict(theirs, yours)
        elif (title, body) != (current.title, current.body) or current.machine:
            _apply_save(actor, current, number, title, body)
    # Raised after the transaction commits, so the conflicting text stays saved as a revision.
    if conflict is not None:
        raise conflict
    translation.refresh_from_db()
    return current


def _apply_save(actor: Actor, current: Translation, number: int, title: str, body: str) -> None:
    source = current_revision(current.contribution)
    current.title, current.body = title, body
    current.translator = actor.user
    current.machine = False
    current.source_revision = source
    current.version += 1
    # Whoever starts on an unassigned translation has it, so two translators do not do the same work.
    if current.assigned_to_id is None and not editorial_access.is_editor(actor):
        current.assigned_to = actor.user
    TranslationRevision.objects.create(
        translation=current,
        number=number,
        version=current.version,
        title=title,
        body=body,
        source_revision=source,
        author=actor.user,
    )
    if (current.state, TranslationState.DRAFT) in TRANSITIONS:
        note = _("edited after approval") if current.state == TranslationState.APPROVED else ""
        _record(current, to_state=TranslationState.DRAFT, note=note, actor=actor)
        current.state = TranslationState.DRAFT
    current.save()


class StructureProblems(LiaisonError):
    """Approval refused: the translation's structure differs from the original's and no reason was recorded."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            _("The translation differs from the original: %(problems)s Correct it, or record why it may differ.")
            % {"problems": " ".join(str(p) for p in problems)},
            field="reason",
        )
        self.problems = problems


def _state_label(state: str) -> str:
    return str(TranslationState(state).label) if state in TranslationState.values else state


def transition(actor: Actor, translation: Translation, to_state: str, *, reason: str = "") -> TranslationEvent:
    """Move a translation to another state, if the workflow allows it and the actor may; record it.

    Approving checks the structure against the original: footnotes, citations, headings and lists that differ are
    refused unless ``reason`` says why they may (it is kept as the override reason). Sending back to draft needs a
    reason for the translator."""
    reason = (reason or "").strip()
    with transaction.atomic():
        current = Translation.objects.select_for_update().select_related("contribution").get(pk=translation.pk)
        rule = TRANSITIONS.get((current.state, to_state))
        if rule is None:
            raise LiaisonError(
                _("A translation that is %(from)s cannot become %(to)s.")
                % {"from": _state_label(current.state), "to": _state_label(to_state)}
            )
        if rule.on_save:
            raise LiaisonError(_("A translation becomes a draft when its text is saved."))
        if rule.who is Who.TRANSLATOR:
            _require_edit(actor, current)
        else:
            _require_review(actor, current)
        _require_open(current.contribution)
        if rule.needs_reason and not reason:
            raise LiaisonError(_("Give the reason: the translator will read it."), field="reason")
        if to_state == TranslationState.IN_REVIEW:
            if not (current.title.strip() and current.body.strip()):
                raise LiaisonError(_("Write the title and the text before asking for a review."))
            # A machine draft sent as it is: whoever sends it answers for it, and may not review it.
            if current.translator_id is None:
                current.translator = actor.user
        if to_state == TranslationState.APPROVED:
            _approve(actor, current, reason)
        event = _record(current, to_state=to_state, note=reason, actor=actor)
        current.state = to_state
        current.save()
    translation.refresh_from_db()
    return event


def _approve(actor: Actor, current: Translation, reason: str) -> None:
    contribution = current.contribution
    problems = check_structure(contribution.body, current.body)
    if problems and not reason:
        raise StructureProblems(problems)
    current.override_reason = reason if problems else ""
    current.reviewer = actor.user
    current.approved_at = timezone.now()
    current.machine = False
    # The approved text translates the original it was made from; if the original moved on since, the approval
    # stands but the translation is stale at once, and the translator sees what changed.
    current.approved_revision = current.source_revision or current_revision(contribution)
    current.stale = _changed_since(contribution, current.approved_revision)


def side_by_side(translation: Translation) -> list[Pair]:
    """The side-by-side editor's rows: the original and this translation, block by block, footnotes by label."""
    return paragraphs(translation.contribution.body, translation.body)


# Staleness --------------------------------------------------------------------------------------------------------


def _changed_since(contribution: Contribution, number: int | None) -> bool:
    if number is None:
        return False
    revision = contribution.revisions.filter(number=number, conflict=False).values_list("title", "body").first()
    return revision is None or tuple(revision) != (contribution.title, contribution.body)


def mark_stale(contribution: Contribution) -> list[Translation]:
    """Mark stale every translation approved against an earlier text of this original; call it after each save of
    the original. Idempotent: a translation already stale, or whose approved text is still the original's, is left
    alone. Returns the translations marked now."""
    with transaction.atomic():
        candidates = list(
            Translation.objects.select_for_update().filter(
                contribution_id=contribution.pk, approved_revision__isnull=False, stale=False
            )
        )
        if not candidates:
            return []
        now_text = tuple(Contribution.objects.filter(pk=contribution.pk).values_list("title", "body").get())
        texts = {
            number: (title, body)
            for number, title, body in Revision.objects.filter(
                contribution_id=contribution.pk,
                conflict=False,
                number__in={t.approved_revision for t in candidates},
            ).values_list("number", "title", "body")
        }
        marked = [t for t in candidates if texts.get(t.approved_revision or 0) != now_text]
        if marked:
            Translation.objects.filter(pk__in=[t.pk for t in marked]).update(stale=True, updated=timezone.now())
            TranslationEvent.objects.bulk_create(
                [
                    TranslationEvent(translation=t, kind=EventKind.STALE, from_state=t.state, to_state=t.state)
                    for t in marked
                ]
            )
            for t in marked:
                t.stale = True
    return marked


@dataclass(frozen=True)
class Changes:
    """What changed in the original since a translation was approved: the title, and the text as a unified diff."""

    from_revision: int
    to_revision: int | None
    title_before: str
    title_after: str
    diff: str

    @property
    def changed(self) -> bool:
        return bool(self.diff) or self.title_before != self.title_after

    @property
    def lines(self) -> list[tuple[str, str]]:
        """The diff as (mark, text) rows for a page: "+" added, "-" removed, " " context, "@" a new place."""
        rows = []
        for line in self.diff.splitlines()[2:]:
            mark = "@" if line.startswith("@@") else line[:1]
            rows.append((mark, line if mark == "@" else line[1:]))
        return rows


def changes_since_approval(translation: Translation) -> Changes | None:
    """The original's changes between the revision the translation was approved against and now (None if it was
    never approved, or that revision is gone)."""
    number = translation.approved_revision
    if number is None:
        return None
    contribution = translation.contribution
    before = contribution.revisions.filter(number=number, conflict=False).first()
    if before is None:
        return None
    now = current_revision(contribution)
    diff = difflib.unified_diff(
        before.body.splitlines(),
        contribution.body.splitlines(),
        fromfile=_("revision %(n)s (approved)") % {"n": number},
        tofile=_("revision %(n)s (now)") % {"n": now} if now else _("now"),
        lineterm="",
        n=2,
    )
    return Changes(number, now, before.title, contribution.title, "\n".join(diff))


# Queues and workload ----------------------------------------------------------------------------------------------


def target_issue(contribution: Contribution) -> Issue | None:
    """The issue a contribution is placed in, or else the one it is meant for."""
    item: Item | None = getattr(contribution, "item", None)
    if item is not None:
        return item.issue
    return contribution.target_issue


def deadline_for(issue: Issue | None) -> datetime.date | None:
    if issue is None or issue.planned_date is None:
        return None
    return issue.planned_date - datetime.timedelta(days=LEAD_DAYS)


@dataclass(frozen=True)
class QueueEntry:
    translation: Translation
    issue: Issue | None
    deadline: datetime.date | None
    today: datetime.date

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline < self.today


def queue(language: str, *, today: datetime.date | None = None) -> list[QueueEntry]:
    """The work waiting in one language: translations not approved, or approved but stale, of accepted originals;
    soonest deadline first (those with no issue yet last)."""
    today = today or timezone.localdate()
    language = language_codes.normalize(language)
    translations = (
        Translation.objects.filter(language=language, contribution__state__in=OPEN_STATES)
        .filter(~Q(state=TranslationState.APPROVED) | Q(stale=True))
        .select_related(
            "contribution__item__issue",
            "contribution__target_issue",
            "contribution__section",
            "assigned_to",
        )
    )
    entries = []
    for t in translations:
        issue = target_issue(t.contribution)
        entries.append(QueueEntry(t, issue, deadline_for(issue), today))

    def order(entry: QueueEntry) -> tuple[bool, datetime.date, datetime.datetime, int]:
        c = entry.translation.contribution
        return (entry.deadline is None, entry.deadline or datetime.date.max, c.accepted_at or c.created, c.pk)

    return sorted(entries, key=order)


@dataclass
class Load:
    """A translator's assigned work, by state."""

    user_id: int
    name: str
    languages: list[str] = field(default_factory=list)
    needed: int = 0
    draft: int = 0
    in_review: int = 0
    stale: int = 0
    approved: int = 0

    @property
    def open(self) -> int:
        """What still needs this translator's hand."""
        return self.needed + self.draft + self.stale


def workload() -> list[Load]:
    """Every translator (and anyone else holding assignments) with the translations assigned to them, by state."""
    loads: dict[int, Load] = {}
    for user_id, pseudonym, langs in (
        Role.objects.filter(active_roles(), kind=RoleKind.TRANSLATOR, person__user__isnull=False)
        .values_list("person__user_id", "person__pseudonym", "languages")
        .order_by("person__pseudonym")
    ):
        load = loads.setdefault(user_id, Load(user_id, pseudonym))
        load.languages.extend(code for code in langs or [] if code not in load.languages)
    rows = (
        Translation.objects.filter(assigned_to__isnull=False, contribution__state__in=OPEN_STATES)
        .values_list("assigned_to_id", "state", "stale")
        .annotate(n=Count("id"))
        .order_by()
    )
    for user_id, state, stale, n in rows:
        if user_id not in loads:
            # Only for someone holding assignments without a translator role: one query each, not one per row.
            loads[user_id] = Load(user_id, _name_of_user(user_id))
        load = loads[user_id]
        if stale:
            load.stale += n
        elif state == TranslationState.APPROVED:
            load.approved += n
        else:
            setattr(load, state, getattr(load, state) + n)
    return sorted(loads.values(), key=lambda load: (-load.open, load.name.lower()))


# Editions ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """One item of an issue in one language: ``status`` is "original", "approved", "stale", the translation's state,
    or "none" when no translation exists."""

    item: Item
    status: str
    translation: Translation | None = None

    @property
    def covered(self) -> bool:
        return self.status in ("original", "approved")


@dataclass(frozen=True)
class Edition:
    issue: Issue
    language: str
    items: list[Coverage]

    @property
    def complete(self) -> bool:
        """Every item is readable in this language; an issue with no items has no edition to publish."""
        return bool(self.items) and all(c.covered for c in self.items)

    @property
    def missing(self) -> list[Coverage]:
        return [c for c in self.items if not c.covered]


def _coverage(item: Item, language: str, translation: Translation | None) -> Coverage:
    if same_language(item.contribution.language, language):
        return Coverage(item, "original")
    if translation is None:
        return Coverage(item, "none")
    if translation.state == TranslationState.APPROVED:
        return Coverage(item, "stale" if translation.stale else "approved", translation)
    return Coverage(item, translation.state, translation)


def edition_statuses(issue: Issue, languages: list[str] | None = None) -> dict[str, Edition]:
    """Each language's edition of an issue (the federation's working languages unless named), in two queries."""
    if languages is None:
        try:
            languages = list(get_federation().working_languages or [])
        except NotFound:
            languages = []
    codes = [language_codes.normalize(code) for code in languages]
    items = list(issue.items.select_related("contribution").order_by("position"))
    found: dict[tuple[int, str], Translation] = {}
    for t in Translation.objects.filter(contribution__in=[i.contribution_id for i in items]):
        found[(t.contribution_id, language_codes.normalize(t.language))] = t
    editions = {}
    for code in codes:
        coverage = []
        for item in items:
            translation = found.get((item.contribution_id, code))
            if translation is None:
                # A translation into "pt" serves a "pt-br" edition, and the other way round.
                translation = next(
                    (
                        t
                        for (cid, lang), t in found.items()
                        if cid == item.contribution_id and same_language(lang, code)
                    ),
                    None,
                )
            coverage.append(_coverage(item, code, translation))
        editions[code] = Edition(issue, code, coverage)
    return editions


def edition_status(issue: Issue, language: str) -> Edition:
    """Whether the issue's edition in this language is complete, and what is missing, item by item."""
    return edition_statuses(issue, [language])[language_codes.normalize(language)]


def complete_languages(issue: Issue) -> list[str]:
    """The working languages in which every item of the issue can be read."""
    return [code for code, edition in edition_statuses(issue).items() if edition.complete]


# Machine drafts ---------------------------------------------------------------------------------------------------


class MachineDraftRefused(Conflict):
    """A machine draft was not stored: a person's text is there, or the translation is past drafting."""


def _refuse_machine(translation: Translation) -> None:
    if translation.has_human_text:
        raise MachineDraftRefused(_("This translation already has a person's text; a machine draft never replaces it."))
    if translation.state not in (TranslationState.NEEDED, TranslationState.DRAFT):
        raise MachineDraftRefused(
            _("A translation that is %(state)s gets no machine draft.") % {"state": _state_label(translation.state)}
        )
    _require_open(translation.contribution)


def check_machine_draft(actor: Actor, translation: Translation, provider: Provider | None = None) -> None:
    """Whether this actor may ask for a machine draft of this translation now; raises the reason if not. A page
    calls it before queueing ``tasks.request_machine_draft``, so the refusal is shown at once."""
    _require_edit(actor, translation)
    provider = provider if provider is not None else get_provider()
    if not is_enabled(provider):
        raise machine_translation_off()
    _refuse_machine(translation)


def machine_draft(
    translation: Translation, *, requested_by: Any = None, provider: Provider | None = None
) -> Translation:
    """Translate the original by machine, block by block with its Markdown kept, and store it as a machine draft.

    The provider is asked outside any transaction (it may be slow); the result is stored only if, by then, the
    translation still has no person's text. The provider's errors propagate, typed (``TemporaryProviderError`` is
    worth a retry), and leave the translation as it was."""
    provider = provider if provider is not None else get_provider()
    current = Translation.objects.select_related("contribution").get(pk=translation.pk)
    _refuse_machine(current)
    contribution = current.contribution
    source = current_revision(contribution)

    def translate(text: str) -> str:
        return provider.translate(text, contribution.language, current.language)

    title = " ".join(translate(contribution.title).split())[:300]
    body = translate_markdown(contribution.body, translate)
    with transaction.atomic():
        locked = Translation.objects.select_for_update().select_related("contribution").get(pk=current.pk)
        # A person may have saved while the machine was working: their text wins.
        _refuse_machine(locked)
        locked.title, locked.body = title, body
        locked.machine = True
        locked.translator = None
        locked.source_revision = source
        locked.version += 1
        number = (locked.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        TranslationRevision.objects.create(
            translation=locked,
            number=number,
            version=locked.version,
            title=title,
            body=body,
            source_revision=source,
            machine=True,
            author=requested_by,
        )
        _record(locked, kind=EventKind.MACHINE, to_state=TranslationState.DRAFT, note=provider.name, user=requested_by)
        locked.state = TranslationState.DRAFT
        locked.save()
    translation.refresh_from_db()
    return locked


def record_machine_failure(
    translation: Translation, error: MachineTranslationError, *, requested_by: Any = None
) -> None:
    """Keep the provider's failure in the translation's history, so the desk shows why no draft came."""
    _record(translation, kind=EventKind.MACHINE_FAILED, note=str(error)[:1000], user=requested_by)
