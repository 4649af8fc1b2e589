"""Conference preparation's operations: conferences, their agenda and reply waves, positions with their history,
endorsements, and the positions matrix with what follows from it (who is overdue, who is to be reminded).

A position's state is never stored: it follows from its statement's editorial state and its wave's deadline, so
a position becomes overdue by itself when the deadline passes, at the same instant in every time zone (deadlines
are aware datetimes, compared with ``timezone.now()``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liaison import languages as language_codes
from liaison.conference import access
from liaison.conference.models import (
    OFFERABLE,
    Conference,
    ConferenceStatus,
    Endorsement,
    Milestone,
    Option,
    Position,
    PositionRevision,
    PositionState,
    Question,
    Wave,
    WaveOverride,
)
from liaison.editorial import access as editorial_access
from liaison.editorial import services as editorial
from liaison.editorial.models import Contribution, Kind, Revision, State
from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.federation.access import Actor
from liaison.federation.models import EventKind, Region, Section, SectionEvent, SectionStatus
from liaison.federation.services import get_federation
from liaison.periodicals.models import Audience, Issue, IssueStatus, Periodical

MAX_STANCE = 500
MAX_TITLE = 300
MAX_DESCRIPTION = 5000

# Statement states in which the section has stated something the editors hold; before, nothing is stated yet.
STATED = {State.SUBMITTED, State.RETURNED, State.RESUBMITTED, State.ACCEPTED, State.PLACED, State.PUBLISHED}


# Texts by language -----------------------------------------------------------------------------------------------


def clean_texts(
    texts: Mapping[str, str] | None,
    *,
    field: str,
    limit: int,
    required: bool = True,
    languages: Iterable[str] | None = None,
) -> dict[str, str]:
    """A mapping language → text, cleaned: known codes (and, given ``languages``, only those), no empty texts."""
    cleaned: dict[str, str] = {}
    allowed = set(languages) if languages is not None else None
    for code, text in (texts or {}).items():
        code = language_codes.normalize(str(code))
        text = (text or "").replace("\r\n", "\n").strip()
        if not text:
            continue
        if not language_codes.is_valid(code):
            raise LiaisonError(_("Unknown language code “%(code)s”.") % {"code": code}, field=field)
        if allowed is not None and code not in allowed:
            raise LiaisonError(
                _("%(language)s is not one of the federation's working languages.")
                % {"language": language_codes.display_name(code)},
                field=field,
            )
        if "\x00" in text:
            raise LiaisonError(_("The text contains a NUL character; remove it and try again."), field=field)
        if len(text) > limit:
            raise LiaisonError(_("At most %(n)d characters.") % {"n": limit}, field=field)
        cleaned[code] = text
    if required and not cleaned:
        raise LiaisonError(_("Write it in at least one language."), field=field)
    return cleaned


def text_in(texts: Mapping[str, str], language: str | None = None) -> tuple[str, str]:
    """The text in the reader's language (the active one by default), else in the site's default language
    (``LANGUAGE_CODE``), else in the first language by code, so that every reader without their own gets the same
    one; with the language it is in, so a page can mark it (``lang``, ``dir``).

    The default language rather than the federation's working languages: the matrix calls this for every cell, and
    the fallback must not cost a query."""
    if not texts:
        return "", ""
    language = language_codes.normalize(language or translation.get_language() or "en")
    default = language_codes.normalize(settings.LANGUAGE_CODE)
    for code in (language, language.split("-")[0], default, default.split("-")[0]):
        if code in texts:
            return texts[code], code
    code = sorted(texts)[0]
    return texts[code], code


def missing_languages(texts: Mapping[str, str]) -> list[str]:
    """The working languages a text still lacks (for the secretariat's to-do list)."""
    return [code for code in get_federation().working_languages if code not in texts]


def _working_languages() -> list[str]:
    return list(get_federation().working_languages)


# Conferences -----------------------------------------------------------------------------------------------------


def _require_manager(actor: Actor, message: str) -> None:
    if not access.can_manage(actor):
        raise NotAllowed(message)


def _check_public(public: bool, bulletin: Periodical) -> None:
    # The statements are the bulletin's contributions: a public conference whose bulletin is internal would
    # publish to everyone what the bulletin keeps for members.
    if public and bulletin.audience != Audience.PUBLIC:
        raise LiaisonError(
            _("%(bulletin)s is for members only: a conference whose statements appear in it cannot be public.")
            % {"bulletin": bulletin.name},
            field="public",
        )


def create_conference(
    actor: Actor,
    *,
    title: str,
    bulletin: Periodical,
    place: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    public: bool = False,
) -> Conference:
    _require_manager(actor, _("Only the editors prepare conferences."))
    title = " ".join((title or "").split())
    if not title:
        raise LiaisonError(_("A conference needs a title."), field="title")
    if len(title) > MAX_TITLE or "\x00" in title:
        raise LiaisonError(_("A title is one line of at most 300 characters."), field="title")
    place = " ".join((place or "").split())
    if len(place) > 200 or "\x00" in place:
        raise LiaisonError(_("A place is one line of at most 200 characters."), field="place")
    if not bulletin.is_bulletin:
        raise LiaisonError(_("The statements appear in one of the federation's bulletins."), field="bulletin")
    if starts_on and ends_on and ends_on < starts_on:
        raise LiaisonError(_("The conference cannot end before it starts."), field="ends_on")
    _check_public(public, bulletin)
    return Conference.objects.create(
        title=title,
        place=place,
        starts_on=starts_on,
        ends_on=ends_on,
        bulletin=bulletin,
        public=public,
        created_by=actor.user,
    )


CONFERENCE_MOVES = {
    (ConferenceStatus.PREPARING, ConferenceStatus.CONVENED),
    (ConferenceStatus.CONVENED, ConferenceStatus.CLOSED),
    # A conference postponed after it was opened goes back to preparation.
    (ConferenceStatus.CONVENED, ConferenceStatus.PREPARING),
}


def set_conference_status(actor: Actor, conference: Conference, status: str) -> Conference:
    _require_manager(actor, _("Only the editors change a conference's status."))
    if status not in ConferenceStatus.values:
        raise LiaisonError(_("Unknown status “%(status)s”.") % {"status": status}, field="status")
    with transaction.atomic():
        current = Conference.objects.select_for_update().get(pk=conference.pk)
        if (current.status, status) not in CONFERENCE_MOVES:
            raise LiaisonError(
                _("A conference that is %(from)s cannot become %(to)s.")
                % {"from": current.get_status_display(), "to": ConferenceStatus(status).label}
            )
        current.status = status
        current.save(update_fields=["status"])
    conference.refresh_from_db()
    return conference


def add_milestone(actor: Actor, conference: Conference, *, date: datetime.date, title: Mapping[str, str]) -> Milestone:
    _require_manager(actor, _("Only the editors set a conference's timeline."))
    if date is None:
        raise LiaisonError(_("Give the milestone's date."), field="date")
    texts = clean_texts(title, field="title", limit=MAX_TITLE, languages=_working_languages())
    return Milestone.objects.create(conference=conference, date=date, title=texts)


def _refuse_closed(conference: Conference) -> None:
    if conference.status == ConferenceStatus.CLOSED:
        raise LiaisonError(
            _("The conference “%(title)s” is closed: its positions can no longer change.") % {"title": conference}
        )


# Questions -------------------------------------------------------------------------------------------------------


def _clean_options(options: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for option in options or ():
        option = str(option).strip()
        if option == Option.ABSTAIN:
            continue  # always offered; listing it changes nothing
        if option not in OFFERABLE:
            raise LiaisonError(
                _("“%(option)s” is not an option a question can offer; choose among %(options)s.")
                % {"option": option, "options": ", ".join(str(Option(o).label) for o in OFFERABLE)},
                field="options",
            )
        if option not in cleaned:
            cleaned.append(option)
    return cleaned


def create_question(
    actor: Actor,
    conference: Conference,
    *,
    title: Mapping[str, str],
    description: Mapping[str, str] | None = None,
    options: Iterable[str] = (),
) -> Question:
    """Add a question at the end of the agenda. Without options, sections answer in their own words or abstain."""
    _require_manager(actor, _("Only the editors set a conference's agenda."))
    _refuse_closed(conference)
    working = _working_languages()
    titles = clean_texts(title, field="title", limit=MAX_TITLE, languages=working)
    descriptions = clean_texts(
        description, field="description", limit=MAX_DESCRIPTION, required=False, languages=working
    )
    chosen = _clean_options(options)
    with transaction.atomic():
        # The conference's row serializes numbering: two editors adding questions at once get two numbers.
        Conference.objects.select_for_update().get(pk=conference.pk)
        number = (conference.questions.aggregate(n=Max("number"))["n"] or 0) + 1
        return Question.objects.create(
            conference=conference, number=number, title=titles, description=descriptions, options=chosen
        )


def edit_question(
    actor: Actor,
    question: Question,
    *,
    title: Mapping[str, str],
    description: Mapping[str, str] | None = None,
    options: Iterable[str] = (),
) -> Question:
    """The secretariat rewrites a question's texts (adding the working languages still missing) or its options.

    An option a section has chosen stays offered: removing it would leave that position choosing what the question
    no longer offers."""
    _require_manager(actor, _("Only the editors set a conference's agenda."))
    _refuse_closed(question.conference)
    working = _working_languages()
    titles = clean_texts(title, field="title", limit=MAX_TITLE, languages=working)
    descriptions = clean_texts(
        description, field="description", limit=MAX_DESCRIPTION, required=False, languages=working
    )
    chosen = _clean_options(options)
    offered = [*(chosen or [Option.OWN.value]), Option.ABSTAIN.value]
    with transaction.atomic():
        current = Question.objects.select_for_update().get(pk=question.pk)
        held = sorted(
            set(Position.objects.filter(question=current).exclude(option__in=offered).values_list("option", flat=True))
        )
        if held:
            raise LiaisonError(
                _("Sections have chosen %(options)s on this question: what they chose stays offered.")
                % {"options": ", ".join(f"“{Option(o).label}”" for o in held if o in Option.values)},
                field="options",
            )
        current.title, current.description, current.options = titles, descriptions, chosen
        current.save(update_fields=["title", "description", "options"])
    question.refresh_from_db()
    return question


def move_question(actor: Actor, question: Question, *, to: int) -> Question:
    """Put a question at place ``to`` of the agenda, the others following in their order.

    Only before any position is stated: statements are titled with their question's number ("on question 2"), and
    the positions' pages are addressed by it, so renumbering afterwards would make them name another question."""
    _require_manager(actor, _("Only the editors set a conference's agenda."))
    conference = question.conference
    _refuse_closed(conference)
    with transaction.atomic():
        Conference.objects.select_for_update().get(pk=conference.pk)
        if Position.objects.filter(conference=conference).exists():
            raise LiaisonError(
                _("Sections have already stated positions: the questions keep their numbers."), field="number"
            )
        agenda = list(conference.questions.order_by("number"))
        if not 1 <= to <= len(agenda):
            raise LiaisonError(
                _("Choose a place between 1 and %(n)d.") % {"n": len(agenda)},
                field="number",
            )
        moved = next(q for q in agenda if q.pk == question.pk)
        agenda.remove(moved)
        agenda.insert(to - 1, moved)
        # Two passes: the numbers are unique at every step, so the old ones are first moved out of the way.
        offset = max(q.number for q in agenda) + len(agenda)
        for index, item in enumerate(agenda, start=1):
            Question.objects.filter(pk=item.pk).update(number=offset + index)
        for index, item in enumerate(agenda, start=1):
            Question.objects.filter(pk=item.pk).update(number=index)
    question.refresh_from_db()
    return question


# Waves -----------------------------------------------------------------------------------------------------------


def _aware(moment: datetime.datetime | None, field: str) -> datetime.datetime:
    if moment is None:
        raise LiaisonError(_("Give the deadline."), field=field)
    # A deadline typed without a time zone is in the federation's (the project's) time zone, never UTC by accident.
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def create_wave(
    actor: Actor,
    conference: Conference,
    *,
    name: str,
    regions: Iterable[Region],
    deadline: datetime.datetime,
    issue: Issue,
) -> Wave:
    """A reply wave: the regions' sections answer by ``deadline``, in ``issue`` of the conference's bulletin."""
    _require_manager(actor, _("Only the editors set the reply waves."))
    _refuse_closed(conference)
    name = " ".join((name or "").split())
    if not name or len(name) > 200 or "\x00" in name:
        raise LiaisonError(_("A wave needs a name of at most 200 characters."), field="name")
    deadline = _aware(deadline, "deadline")
    if issue.periodical_id != conference.bulletin_id:
        raise LiaisonError(
            _("The replies appear in %(bulletin)s: choose one of its issues.") % {"bulletin": conference.bulletin},
            field="issue",
        )
    if issue.status == IssueStatus.PUBLISHED:
        raise LiaisonError(_("That issue is already published: choose a later one."), field="issue")
    regions = list(regions)
    if not regions:
        raise LiaisonError(_("A wave covers at least one region."), field="regions")
    with transaction.atomic():
        Conference.objects.select_for_update().get(pk=conference.pk)
        taken = list(
            Wave.regions.through.objects.filter(
                wave__conference=conference, region_id__in=[r.pk for r in regions]
            ).select_related("region")
        )
        if taken:
            raise LiaisonError(
                _("%(regions)s already reply in another wave of this conference.")
                % {"regions": ", ".join(sorted({str(t.region) for t in taken}))},
                field="regions",
            )
        wave = Wave.objects.create(conference=conference, name=name, deadline=deadline, issue=issue)
        wave.regions.set(regions)
    return wave


def move_section(actor: Actor, wave: Wave, section: Section, *, reason: str) -> WaveOverride:
    """The secretariat moves a section into another wave than its region's (say, a section of the Americas that
    asked to reply with Europe); the reason is recorded. Moving it again replaces the earlier move."""
    _require_manager(actor, _("Only the editors move sections between waves."))
    conference = wave.conference
    _refuse_closed(conference)
    reason = (reason or "").strip()
    if not reason:
        raise LiaisonError(_("Say why the section replies in another wave."), field="reason")
    override, _created = WaveOverride.objects.update_or_create(
        conference=conference, section=section, defaults={"wave": wave, "reason": reason, "recorded_by": actor.user}
    )
    return override


def wave_of(conference: Conference, section: Section) -> Wave | None:
    override = WaveOverride.objects.filter(conference=conference, section=section).select_related("wave").first()
    if override is not None:
        return override.wave
    return Wave.objects.filter(conference=conference, regions=section.region_id).first()


# Positions -------------------------------------------------------------------------------------------------------


def _check_option(question: Question, option: str) -> str:
    option = (option or "").strip()
    offered = question.offered_options()
    if option not in offered:
        raise LiaisonError(
            _("Question %(n)s does not offer “%(option)s”; choose one of: %(options)s.")
            % {
                "n": question.number,
                "option": option,
                "options": ", ".join(str(Option(o).label) for o in offered),
            },
            field="option",
        )
    return option


def _clean_stance(stance: str, language: str) -> dict[str, str]:
    language = language_codes.normalize(language or "")
    if not language_codes.is_valid(language):
        raise LiaisonError(_("Unknown language code “%(code)s”.") % {"code": language}, field="language")
    stance = " ".join((stance or "").split())
    if not stance:
        raise LiaisonError(_("Say the position in a sentence or two: the matrix shows it."), field="stance")
    if len(stance) > MAX_STANCE:
        raise LiaisonError(
            _("A stance is a sentence or two: at most %(n)d characters. The full text goes in the statement.")
            % {"n": MAX_STANCE},
            field="stance",
        )
    if "\x00" in stance:
        raise LiaisonError(_("The text contains a NUL character; remove it and try again."), field="stance")
    return {language: stance}


def _statement_title(question: Question, section: Section, language: str) -> str:
    # Written in the statement's language: it is the statement's own title, printed with it in the bulletin.
    with translation.override(language):
        title, _lang = text_in(question.title, language)
        return _("%(section)s on question %(n)s: %(title)s") % {
            "section": section.name,
            "n": question.number,
            "title": title,
        }


def _latest_revision_number(contribution: Contribution) -> int:
    return Revision.objects.filter(contribution=contribution).aggregate(n=Max("number"))["n"] or 1


def state_position(
    actor: Actor,
    conference: Conference,
    question: Question,
    section: Section,
    *,
    option: str,
    stance: str,
    statement: str,
    language: str,
    title: str = "",
    submit: bool = False,
) -> Position:
    """A section states its position on a question: an option, a stance, and the full statement as a draft
    contribution of kind "position" meant for its wave's issue (submitted at once when ``submit``)."""
    if not access.can_state_for(actor, section.pk):
        raise NotAllowed(_("Only the correspondents of %(section)s state its positions.") % {"section": section})
    if question.conference_id != conference.pk:
        raise LiaisonError(
            _("Question %(n)s is on the agenda of another conference, “%(other)s”.")
            % {"n": question.number, "other": question.conference},
            field="question",
        )
    _refuse_closed(conference)
    option = _check_option(question, option)
    stances = _clean_stance(stance, language)
    language = next(iter(stances))
    if Position.objects.filter(question=question, section=section).exists():
        raise Conflict(
            _("%(section)s has already stated its position on question %(n)s: revise it instead.")
            % {"section": section, "n": question.number}
        )
    wave = wave_of(conference, section)
    try:
        with transaction.atomic():
            contribution = editorial.create_contribution(
                actor,
                section=section,
                periodical=conference.bulletin,
                title=title or _statement_title(question, section, language),
                language=language,
                kind=Kind.POSITION,
                body=statement,
            )
            if wave is not None:
                Contribution.objects.filter(pk=contribution.pk).update(target_issue=wave.issue)
            position = Position.objects.create(
                conference=conference,
                question=question,
                section=section,
                option=option,
                stance=stances,
                language=language,
                contribution=contribution,
            )
            _record_revision(actor, position, contribution)
            if submit:
                editorial.submit(actor, contribution)
    except IntegrityError as error:  # stated at the same moment by another correspondent
        raise Conflict(
            _("%(section)s has already stated its position on question %(n)s: revise it instead.")
            % {"section": section, "n": question.number}
        ) from error
    return position


def _record_revision(actor: Actor, position: Position, contribution: Contribution) -> PositionRevision:
    number = (position.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    return PositionRevision.objects.create(
        position=position,
        number=number,
        option=position.option,
        stance=position.stance,
        language=position.language,
        contribution=contribution,
        contribution_revision=_latest_revision_number(contribution),
        author=actor.user,
    )


def revise_position(
    actor: Actor,
    position: Position,
    *,
    base_version: int,
    option: str | None = None,
    stance: str | None = None,
    statement: str | None = None,
    language: str | None = None,
    title: str = "",
    submit: bool = False,
) -> Position:
    """A section changes its position; what it held before stays in the history.

    While the statement is in the section's hands (a draft, or returned) it is edited in place. Once it is with
    the editors or published, the revision needs a new statement saying what changed: the earlier one, if not yet
    placed, is withdrawn (so one issue never prints two statements of the same position), and a published one
    stays published, as the record of what the section held then."""
    if not access.can_state_for(actor, position.section_id):
        raise NotAllowed(
            _("Only the correspondents of %(section)s state its positions.") % {"section": position.section}
        )
    _refuse_closed(position.conference)
    question = position.question
    with transaction.atomic():
        current = Position.objects.select_for_update().select_related("contribution").get(pk=position.pk)
        if current.version != base_version:
            raise Conflict(_("Someone revised this position in the meantime: reload it and revise again."))
        new_option = _check_option(question, option) if option is not None else current.option
        language = language_codes.normalize(language or current.language)
        new_stance = _clean_stance(stance, language) if stance is not None else current.stance
        statement_changes = statement is not None and statement.replace("\r\n", "\n") != current.contribution.body
        if new_option == current.option and new_stance == current.stance and not statement_changes:
            raise LiaisonError(_("Nothing changed: the position is as it was."))
        contribution = current.contribution
        if contribution.state in editorial.SECTION_EDITS:
            if statement_changes:
                assert statement is not None
                editorial.save_contribution(
                    actor,
                    contribution,
                    base_version=contribution.version,
                    title=title or contribution.title,
                    language=language,
                    kind=Kind.POSITION,
                    body=statement,
                )
        else:
            if not statement_changes:
                raise LiaisonError(
                    _(
                        "Your statement is already with the editors or published: a revision comes with a new "
                        "statement saying what changed and why."
                    ),
                    field="statement",
                )
            if contribution.state == State.PLACED:
                raise LiaisonError(
                    _(
                        "Your statement is placed in an issue that is being assembled; ask the editors to take it "
                        "out before revising, or revise once it is published."
                    )
                )
            assert statement is not None
            previous = contribution
            contribution = editorial.create_contribution(
                actor,
                section=current.section,
                periodical=current.conference.bulletin,
                title=title or _statement_title(question, current.section, language),
                language=language,
                kind=Kind.POSITION,
                body=statement,
            )
            target = previous.target_issue
            if target is None or target.status == IssueStatus.PUBLISHED:
                wave = wave_of(current.conference, current.section)
                target = wave.issue if wave and wave.issue.status != IssueStatus.PUBLISHED else None
            Contribution.objects.filter(pk=contribution.pk).update(target_issue=target)
            if (previous.state, State.WITHDRAWN) in editorial.TRANSITIONS:
                editorial.transition(
                    actor,
                    previous,
                    State.WITHDRAWN,
                    reason=_("Replaced by a revised statement of the position."),
                )
        current.option, current.stance, current.language = new_option, new_stance, language
        current.contribution = contribution
        current.version += 1
        current.save()
        _record_revision(actor, current, contribution)
        if submit and contribution.state in editorial.SECTION_EDITS:
            editorial.submit(actor, contribution)
    position.refresh_from_db()
    return position


def history(actor: Actor, position: Position) -> list[PositionRevision]:
    """The versions of a position this actor may see, oldest first."""
    if not access.can_read(actor, position.conference):
        raise NotAllowed(_("This conference's positions are for the federation's members."))
    editor = editorial_access.is_editor(actor)
    revisions = list(position.revisions.select_related("contribution").order_by("number"))
    return [
        r
        for r in revisions
        if access.can_see_statement(
            actor,
            position.conference,
            position.section_id,
            r.contribution.state,
            r.contribution.submitted_at is not None,
            editor=editor,
        )
    ]


# Endorsements ----------------------------------------------------------------------------------------------------


def endorse(actor: Actor, section: Section, position: Position) -> Endorsement:
    """``section`` endorses another section's published position (the version published last)."""
    if not access.can_state_for(actor, section.pk):
        raise NotAllowed(_("Only the correspondents of %(section)s endorse in its name.") % {"section": section})
    if position.section_id == section.pk:
        raise LiaisonError(_("A section does not endorse its own position; it states it."), field="position")
    _refuse_closed(position.conference)
    if section.status == SectionStatus.DISSOLVED:
        raise LiaisonError(_("%(section)s is dissolved.") % {"section": section}, field="section")
    published = (
        position.revisions.filter(contribution__state=State.PUBLISHED).order_by("-number").values("number").first()
    )
    if published is None:
        raise LiaisonError(_("Only a published position can be endorsed."), field="position")
    try:
        with transaction.atomic():
            return Endorsement.objects.create(
                section=section, position=position, revision=published["number"], created_by=actor.user
            )
    except IntegrityError as error:
        raise Conflict(
            _("%(section)s already endorses this position.") % {"section": section}, field="position"
        ) from error


def withdraw_endorsement(actor: Actor, endorsement: Endorsement) -> Endorsement:
    if not access.can_state_for(actor, endorsement.section_id):
        raise NotAllowed(
            _("Only the correspondents of %(section)s endorse in its name.") % {"section": endorsement.section}
        )
    _refuse_closed(endorsement.position.conference)
    if endorsement.withdrawn_at is not None:
        raise LiaisonError(_("This endorsement was already withdrawn."))
    endorsement.withdrawn_at = timezone.now()
    endorsement.save(update_fields=["withdrawn_at"])
    return endorsement


# The matrix ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineageNote:
    """A split or merger that explains a row: "split from X on date", "X split from it on date"."""

    kind: str
    other: str
    date: datetime.date
    # True when the event is the other section's (it split from this one).
    reverse: bool


@dataclass
class Cell:
    question_id: int
    state: str
    position_id: int | None = None
    option: str = ""
    option_label: str = ""
    stance: str = ""
    stance_language: str = ""
    revision: int | None = None
    revised: bool = False
    contribution_id: int | None = None
    endorsed_by: list[str] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return str(PositionState(self.state).label)


@dataclass
class Row:
    section: Section
    wave: Wave | None
    deadline: datetime.datetime | None
    lineage: list[LineageNote]
    cells: list[Cell]


@dataclass
class RegionGroup:
    region: Region
    rows: list[Row]


@dataclass
class QuestionHead:
    question: Question
    title: str
    language: str


@dataclass
class Matrix:
    conference: Conference
    questions: list[QuestionHead]
    groups: list[RegionGroup]

    @property
    def rows(self) -> list[Row]:
        return [row for group in self.groups for row in group.rows]


@dataclass
class _Revision:
    number: int
    option: str
    stance: dict[str, str]
    state: str
    submitted: bool
    contribution_id: int


def _cell_state(revisions: list[_Revision], deadline: datetime.datetime | None, now: datetime.datetime) -> str:
    """The state of a position from all its versions (as its section and the editors know it)."""
    stated = [r for r in revisions if r.state in STATED]
    if stated:
        return PositionState.PUBLISHED if stated[-1].state == State.PUBLISHED else PositionState.SUBMITTED
    # Nothing stated: a draft is not a position yet, so a passed deadline makes it overdue.
    if deadline is not None and now > deadline:
        return PositionState.OVERDUE
    return (
        PositionState.DRAFT
        if revisions and revisions[-1].state in editorial.SECTION_EDITS
        else (PositionState.NOT_STATED)
    )


def _public_state(state: str) -> str:
    # Drafts are their section's business: to others a position in draft is not stated (or overdue).
    return PositionState.NOT_STATED if state == PositionState.DRAFT else state


def _sections_for(conference: Conference, section_ids_with_positions: set[int]) -> list[Section]:
    return list(
        Section.objects.filter(~Q(status=SectionStatus.DISSOLVED) | Q(pk__in=section_ids_with_positions))
        .select_related("region")
        .order_by("region__order", "region__name", "name")
    )


def matrix(
    actor: Actor,
    conference: Conference,
    *,
    now: datetime.datetime | None = None,
    language: str | None = None,
    region: Region | None = None,
    wave: Wave | None = None,
    state: str | None = None,
    section: Section | None = None,
) -> Matrix:
    """Sections (grouped by region, with their lineage) by questions, each cell what this actor may see of the
    position. A constant number of queries, whatever the number of sections, questions and positions.

    Given ``section``, only its row, whatever its status (a section's own page reads it)."""
    if not access.can_read(actor, conference):
        raise NotAllowed(_("This conference's positions are for the federation's members."))
    now = now or timezone.now()
    editor = editorial_access.is_editor(actor)
    questions = list(conference.questions.order_by("number"))
    waves = list(
        conference.waves.select_related("issue__periodical").prefetch_related("regions").order_by("deadline", "id")
    )
    wave_by_region = {r.pk: w for w in waves for r in w.regions.all()}
    wave_by_id = {w.pk: w for w in waves}
    overrides = dict(conference.wave_overrides.values_list("section_id", "wave_id"))
    revisions: dict[tuple[int, int], list[_Revision]] = defaultdict(list)
    position_ids: dict[tuple[int, int], int] = {}
    found = PositionRevision.objects.filter(position__conference=conference)
    standing = Endorsement.objects.filter(position__conference=conference, withdrawn_at__isnull=True)
    if section is not None:
        found = found.filter(position__section=section)
        standing = standing.filter(position__section=section)
    for row in found.order_by("position_id", "number").values_list(
        "position_id",
        "position__section_id",
        "position__question_id",
        "number",
        "option",
        "stance",
        "contribution__state",
        "contribution__submitted_at",
        "contribution_id",
    ):
        position_id, section_id, question_id, number, option, stance, c_state, submitted_at, c_id = row
        revisions[(section_id, question_id)].append(
            _Revision(number, option, stance, c_state, submitted_at is not None, c_id)
        )
        position_ids[(section_id, question_id)] = position_id
    endorsers: dict[int, list[str]] = defaultdict(list)
    for position_id, name in standing.order_by("section__name").values_list("position_id", "section__name"):
        endorsers[position_id].append(name)
    if section is not None:
        sections = list(Section.objects.filter(pk=section.pk).select_related("region"))
    else:
        sections = _sections_for(conference, {s for s, _q in revisions})
    lineage = _lineage([s.pk for s in sections])

    heads = []
    for q in questions:
        title, lang = text_in(q.title, language)
        heads.append(QuestionHead(q, title, lang))
    groups: dict[int, RegionGroup] = {}
    for listed in sections:
        if region is not None and listed.region_id != region.pk:
            continue
        section_wave = wave_by_id.get(overrides[listed.pk]) if listed.pk in overrides else None
        section_wave = section_wave or wave_by_region.get(listed.region_id)
        if wave is not None and (section_wave is None or section_wave.pk != wave.pk):
            continue
        deadline = section_wave.deadline if section_wave else None
        cells = []
        for q in questions:
            cell = _cell(actor, conference, listed, q, revisions.get((listed.pk, q.pk), []), deadline, now, editor)
            cell.position_id = position_ids.get((listed.pk, q.pk))
            if cell.position_id is not None and cell.revision is not None:
                cell.endorsed_by = endorsers.get(cell.position_id, [])
            cells.append(cell)
        if state is not None and not any(c.state == state for c in cells):
            continue
        group = groups.setdefault(listed.region_id, RegionGroup(listed.region, []))
        group.rows.append(Row(listed, section_wave, deadline, lineage.get(listed.pk, []), cells))
    return Matrix(conference, heads, list(groups.values()))


def _cell(
    actor: Actor,
    conference: Conference,
    section: Section,
    question: Question,
    revisions: list[_Revision],
    deadline: datetime.datetime | None,
    now: datetime.datetime,
    editor: bool,
) -> Cell:
    state = _cell_state(revisions, deadline, now)
    own = editorial_access.is_of_section(actor, section.pk)
    if not own:
        state = _public_state(state)
    visible = [
        r
        for r in revisions
        if access.can_see_statement(actor, conference, section.pk, r.state, r.submitted, editor=editor)
    ]
    if not own and not editor and visible and visible[-1].state == State.PUBLISHED:
        # A revision with the editors is not the readers' business yet: they read, and are told they read, the
        # position as last published.
        state = PositionState.PUBLISHED
    cell = Cell(question_id=question.pk, state=state)
    if visible:
        shown = visible[-1]
        stance, stance_language = text_in(shown.stance)
        cell.option = shown.option
        cell.option_label = str(Option(shown.option).label) if shown.option in Option.values else shown.option
        cell.stance, cell.stance_language = stance, stance_language
        cell.revision = shown.number
        cell.revised = shown.number > 1
        cell.contribution_id = shown.contribution_id
    return cell


def _lineage(section_ids: list[int]) -> dict[int, list[LineageNote]]:
    """Splits and mergers naming these sections, both ways, in one query."""
    notes: dict[int, list[LineageNote]] = defaultdict(list)
    events = (
        SectionEvent.objects.filter(kind__in=[EventKind.SPLIT_FROM, EventKind.MERGED_INTO])
        .filter(Q(section_id__in=section_ids) | Q(other_section_id__in=section_ids))
        .order_by("date", "id")
        .values_list("section_id", "section__name", "other_section_id", "other_section__name", "kind", "date")
    )
    for section_id, section_name, other_id, other_name, kind, date in events:
        notes[section_id].append(LineageNote(kind, other_name, date, reverse=False))
        if other_id is not None:
            notes[other_id].append(LineageNote(kind, section_name, date, reverse=True))
    return notes


# Deadlines -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """A section with positions still to state (or only in draft) before, or after, its wave's deadline."""

    section: Section
    wave: Wave
    questions: list[Question]


def _pending(conference: Conference, now: datetime.datetime, states: set[str]) -> list[Pending]:
    # Computed as the secretariat sees it: a draft counts as nothing stated, whoever asks.
    secretariat = Actor(secretariat=True)
    table = matrix(secretariat, conference, now=now)
    result = []
    for row in table.rows:
        if row.wave is None or row.section.status == SectionStatus.DISSOLVED:
            continue
        waiting = [h.question for h, c in zip(table.questions, row.cells, strict=True) if c.state in states]
        if waiting:
            result.append(Pending(row.section, row.wave, waiting))
    return result


def overdue(conference: Conference, *, now: datetime.datetime | None = None) -> list[Pending]:
    """The sections whose wave's deadline has passed with positions not stated (a draft is not stated)."""
    return _pending(conference, now or timezone.now(), {PositionState.OVERDUE})


def reminders_due(
    conference: Conference, *, now: datetime.datetime | None = None, within: datetime.timedelta | None = None
) -> list[Pending]:
    """The sections to remind now: their wave's deadline falls in the coming ``within`` (a week by default) and
    some of their positions are not stated yet. Sending (mail, dashboard) is the caller's, and remembering what was
    sent so that nobody is reminded twice."""
    now = now or timezone.now()
    within = within if within is not None else datetime.timedelta(days=7)
    if conference.status == ConferenceStatus.CLOSED:
        return []
    return [p for p in _pending(conference, now, {PositionState.NOT_STATED}) if now < p.wave.deadline <= now + within]
