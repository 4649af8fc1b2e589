"""Read-only queries of the editorial pages: each list a page shows, in a fixed number of queries.

Nothing here changes data or decides a rule of the workflow; the rules live in ``services`` and ``access``. People are
only ever read by pseudonym (``signer``, ``author_name``), so that no protected identity is decrypted for a list.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    DateTimeField,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from liaison import languages as language_codes
from liaison.editorial import access
from liaison.editorial.models import Call, Citation, Contribution, Decision, Item, Notice, Revision, State
from liaison.federation.access import Actor, active_roles
from liaison.federation.models import Federation, Person, Role, RoleKind, Section
from liaison.periodicals.models import Audience, Issue, IssueStatus, Periodical
from liaison.publishing.models import Edition as PublishedEdition
from liaison.publishing.models import EditionFile, EditionStatus
from liaison.translations.models import Translation
from liaison.translations.services import Coverage, Edition, same_language

# The states on the secretariat's desk: the contributions it holds, from arrival to placement.
DESK_STATES = (State.SUBMITTED, State.RESUBMITTED, State.ACCEPTED, State.PLACED)
# "Waiting" in the open-pages report: with the editors, from submission until the issue is published.
WAITING_STATES = (State.SUBMITTED, State.RESUBMITTED, State.ACCEPTED, State.PLACED)


# Oldest first: the annotation ``contributions()`` adds (an expression, as the type checker knows no annotations).
def _oldest_first() -> Any:
    return F("since").asc()


def contributions() -> QuerySet[Contribution]:
    """Contributions with what every list shows: section, periodical, the signer's pseudonym, and ``since``, when
    the contribution entered its present state (its last decision, or its creation)."""
    last_decision = Decision.objects.filter(contribution=OuterRef("pk")).order_by("-created", "-id").values("created")
    return Contribution.objects.select_related("section", "periodical").annotate(
        signer=F("signed_by__pseudonym"),
        since=Coalesce(Subquery(last_decision[:1], output_field=DateTimeField()), F("created")),
    )


def contribution(pk: int) -> Contribution | None:
    return contributions().select_related("call", "item__issue__periodical").filter(pk=pk).first()


def may_see_dashboard(actor: Actor, section: Section) -> bool:
    return access.is_of_section(actor, section.pk) or access.is_editor(actor)


# Sections ---------------------------------------------------------------------------------------------------------


def people_of(section: Section) -> QuerySet[Person]:
    """Who may sign for a section: its current correspondents and members, by pseudonym."""
    signers = Role.objects.filter(
        active_roles(), section=section, kind__in=[RoleKind.CORRESPONDENT, RoleKind.MEMBER]
    ).values("person_id")
    return Person.objects.filter(pk__in=signers).only("id", "pseudonym").order_by("pseudonym")


def open_calls_for(section: Section) -> list[Call]:
    """Calls still open that invite a section, by name or by its region, the nearest deadline first."""
    return list(
        Call.objects.filter(Q(invited_sections=section) | Q(invited_regions=section.region_id))
        .filter(deadline__gt=timezone.now())
        .exclude(issue__status=IssueStatus.PUBLISHED)
        .select_related("issue__periodical")
        .distinct()
        .order_by("deadline", "id")
    )


def calls_for(section: Section) -> QuerySet[Call]:
    """Calls a section may answer in a new contribution (a late answer too: the allocation weighs lateness)."""
    return (
        Call.objects.filter(Q(invited_sections=section) | Q(invited_regions=section.region_id))
        .exclude(issue__status=IssueStatus.PUBLISHED)
        .select_related("issue__periodical")
        .distinct()
        .order_by("-deadline", "id")
    )


@dataclass
class StateGroup:
    state: str
    label: str
    contributions: list[Contribution] = field(default_factory=list)


def grouped(items: list[Contribution], states: tuple[str, ...] | None = None) -> list[StateGroup]:
    """Contributions grouped by state, in the workflow's order; groups without any are left out."""
    order = states or tuple(State.values)
    groups = {state: StateGroup(state, str(State(state).label)) for state in order}
    for item in items:
        if item.state in groups:
            groups[item.state].contributions.append(item)
    return [group for group in groups.values() if group.contributions]


def section_contributions(section: Section) -> list[Contribution]:
    return list(contributions().filter(section=section).select_related("item__issue").order_by(_oldest_first(), "id"))


def section_notices(section: Section, limit: int = 20) -> list[Notice]:
    return list(
        Notice.objects.filter(section=section).select_related(
            "call__issue__periodical",
            "decision__contribution",
            "deferral__contribution",
            "deferral__from_issue",
            "deferral__to_issue",
        )[:limit]
    )


# The editorial desk -----------------------------------------------------------------------------------------------


def desk(*, state: str = "", section: Section | None = None) -> list[Contribution]:
    found = contributions().filter(state__in=DESK_STATES).select_related("item__issue", "target_issue")
    if state:
        found = found.filter(state=state)
    if section is not None:
        found = found.filter(section=section)
    return list(found.order_by(_oldest_first(), "id"))


# A contribution's page --------------------------------------------------------------------------------------------


def decisions_of(contribution: Contribution) -> list[Decision]:
    return list(contribution.decisions.order_by("created", "id"))


def revisions_of(contribution: Contribution) -> list[Revision]:
    return list(
        contribution.revisions.annotate(author_name=F("author__person__pseudonym")).defer("body").order_by("number")
    )


def backlinks(item: Item, actor: Actor, *, editor: bool) -> list[Citation]:
    """Who cites an item, among the contributions this actor may see."""
    found = Citation.objects.filter(target=item).select_related(
        "source__section", "source__periodical", "source__item__issue__periodical"
    )
    return [
        citation
        for citation in found.order_by("source__title", "source_id")
        if access.can_see(actor, citation.source, editor=editor)
    ]


# Bulletins and issues ---------------------------------------------------------------------------------------------


def bulletins_for(actor: Actor) -> list[Periodical]:
    found = Periodical.objects.filter(section__isnull=True)
    if not actor.is_member:
        found = found.filter(audience=Audience.PUBLIC)
    return list(found.order_by("name"))


def issues_of(periodical: Periodical) -> list[Issue]:
    return list(
        periodical.issues.annotate(item_count=Count("items"), pages_used=Sum("items__contribution__pages")).order_by(
            "-number"
        )
    )


@dataclass(frozen=True)
class ArchiveLanguage:
    """A language a bulletin's archive can be read in, named in itself: a reader looks for "Русский", not for the
    name of Russian in the language of a page they may not read."""

    code: str
    name: str
    yours: bool = False  # the reader's interface language

    @property
    def direction(self) -> str:
        return language_codes.direction(self.code)


def archive_language(code: str, *, interface: str = "") -> ArchiveLanguage:
    return ArchiveLanguage(
        code, language_codes.display_name(code, code), bool(interface) and same_language(code, interface)
    )


def archive_languages(periodical: Periodical, *, interface: str) -> list[ArchiveLanguage]:
    """The languages in which at least one issue of the periodical has a published edition: two queries.

    The reader's own language comes first, when the bulletin is published in it; then the order of the static site
    (``publishing.site``): the periodical's own language, the federation's working languages, the rest by code."""
    codes = set(
        PublishedEdition.objects.filter(issue__periodical=periodical, status=EditionStatus.PUBLISHED)
        .values_list("language", flat=True)
        .distinct()
        .order_by()
    )
    if not codes:
        return []
    order = [periodical.language, *working_languages()]
    rank = {code: n for n, code in reversed(list(enumerate(order)))}
    found = [archive_language(code, interface=interface) for code in codes]
    return sorted(found, key=lambda lang: (not lang.yours, rank.get(lang.code, len(order)), lang.code))


def archive_in(periodical: Periodical, language: str) -> list[PublishedEdition]:
    """The periodical's current editions in one language, the newest issue first, with their files: two queries.

    Only the current version of each (a correction supersedes the earlier one, which its versions page keeps); an
    edition being built or failed is nobody's to read, editors included."""
    editions = list(
        PublishedEdition.objects.filter(issue__periodical=periodical, language=language, status=EditionStatus.PUBLISHED)
        .select_related("issue")
        .prefetch_related(Prefetch("files", queryset=EditionFile.objects.order_by("format", "path")))
        .order_by("-issue__number")
    )
    for edition in editions:
        edition.issue.periodical = periodical  # at hand already: no query per edition for its addresses
    return editions


def items_of(issue: Issue) -> list[Item]:
    return list(
        issue.items.select_related("issue__periodical", "contribution__section")
        .annotate(signer=F("contribution__signed_by__pseudonym"))
        .order_by("position")
    )


def pages_used(items: list[Item]) -> Decimal:
    return sum((item.contribution.pages for item in items), Decimal(0))


def item_at(periodical: Periodical, number: int, position: int) -> Item | None:
    return (
        Item.objects.filter(issue__periodical=periodical, issue__number=number, position=position)
        .select_related("issue__periodical", "contribution__section", "contribution__periodical")
        .annotate(signer=F("contribution__signed_by__pseudonym"))
        .first()
    )


def accepted_elsewhere(issue: Issue) -> list[Contribution]:
    """Accepted contributions of the periodical, for the editor's "place by hand"."""
    return list(
        contributions()
        .filter(periodical_id=issue.periodical_id, state=State.ACCEPTED)
        .select_related("target_issue")
        .order_by("submitted_at", "id")
    )


# The open-pages report --------------------------------------------------------------------------------------------


@dataclass
class OpenPagesRow:
    section: Section
    submitted: int = 0
    accepted: int = 0
    published: int = 0
    waiting: int = 0
    waiting_since: datetime.datetime | None = None
    returned: int = 0
    declined: int = 0
    withdrawn: int = 0


COUNTED = ("submitted", "accepted", "published", "waiting", "waiting_since", "declined", "withdrawn")


def open_pages(periodical: Periodical | None = None) -> list[OpenPagesRow]:
    """Per section, what became of what it sent: three queries, whatever the number of sections.

    Submitted, accepted and returned count contributions that ever were (a text returned, then accepted, counts in
    both); published, waiting, declined and withdrawn count where they are now. Drafts count nowhere: until a
    section submits a text it is the section's own business."""
    rows = {section.pk: OpenPagesRow(section) for section in Section.objects.order_by("name")}
    sent = Contribution.objects.filter(submitted_at__isnull=False)
    decisions = Decision.objects.filter(to_state=State.RETURNED)
    if periodical is not None:
        sent = sent.filter(periodical=periodical)
        decisions = decisions.filter(contribution__periodical=periodical)
    counts = (
        sent.values("section_id")
        .annotate(
            submitted=Count("pk"),
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            published=Count("pk", filter=Q(state=State.PUBLISHED)),
            waiting=Count("pk", filter=Q(state__in=WAITING_STATES)),
            waiting_since=Min("submitted_at", filter=Q(state__in=WAITING_STATES)),
            declined=Count("pk", filter=Q(state=State.DECLINED)),
            withdrawn=Count("pk", filter=Q(state=State.WITHDRAWN)),
        )
        .order_by()
    )
    for entry in counts.values_list("section_id", *COUNTED):
        if entry[0] in rows:
            row = rows[entry[0]]
            for key, value in zip(COUNTED, entry[1:], strict=True):
                setattr(row, key, value)
    returned = (
        decisions.values("contribution__section_id").annotate(n=Count("contribution_id", distinct=True)).order_by()
    )
    for section_id, n in returned.values_list("contribution__section_id", "n"):
        if section_id in rows:
            rows[section_id].returned = n
    return list(rows.values())


# Reading in one's own language ------------------------------------------------------------------------------------
#
# A reader is shown a text in their language when an approved translation that is up to date exists (a draft, a
# text in review, a machine draft or a translation the original has moved away from never reaches a reader); the
# original and every other readable language stay one link away. The language is the interface's, unless the reader
# asked for another with ``?lang=``.


@dataclass(frozen=True)
class Version:
    """One language a contribution can be read in: its original, or a translation approved and up to date."""

    language: str
    translation: Translation | None = None

    @property
    def original(self) -> bool:
        return self.translation is None

    @property
    def direction(self) -> str:
        return language_codes.direction(self.language)


@dataclass(frozen=True)
class Reading:
    """What a reading page shows of a contribution: the version chosen, and every version it links to."""

    contribution: Contribution
    shown: Version
    versions: list[Version]
    # A language asked for by ``?lang=`` in which the text cannot be read (yet): its name, or "" when the code
    # is not one Liaison names (an unknown code is not echoed back).
    unavailable: str = ""
    asked_unknown: bool = False

    @property
    def title(self) -> str:
        return self.shown.translation.title if self.shown.translation else self.contribution.title

    @property
    def markdown(self) -> str:
        return self.shown.translation.body if self.shown.translation else self.contribution.body

    @property
    def translated(self) -> bool:
        return not self.shown.original

    @property
    def original(self) -> Version:
        return self.versions[0]


def translations_of(contribution: Contribution) -> list[Translation]:
    """Every translation of a contribution, in one query, with the pseudonyms of who translated and reviewed it."""
    return list(
        Translation.objects.filter(contribution_id=contribution.pk)
        .annotate(
            translator_name=F("translator__person__pseudonym"),
            reviewer_name=F("reviewer__person__pseudonym"),
        )
        .order_by("language")
    )


def _find(versions: list[Version], code: str) -> Version | None:
    """The version in this language: the exact code first, then the same language ("pt" for "pt-br")."""
    code = language_codes.normalize(code)
    exact = [v for v in versions if language_codes.normalize(v.language) == code]
    if exact:
        return exact[0]
    return next((v for v in versions if same_language(v.language, code)), None)


def interface_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def reading(
    contribution: Contribution, translations: list[Translation], *, asked: str = "", interface: str = "en"
) -> Reading:
    """The version of a contribution to show: the one ``asked`` for, else the interface language's, else the
    original. ``translations`` are the contribution's (from ``translations_of``); only those approved and up to
    date are readable."""
    versions = [Version(contribution.language)] + [Version(t.language, t) for t in translations if t.counts_for_edition]
    original = versions[0]
    if asked:
        found = _find(versions, asked)
        if found is not None:
            return Reading(contribution, found, versions)
        # Only a code Liaison already knows is named back to the reader: the rest of what a URL may carry is not.
        known = interface_languages() + [t.language for t in translations]
        named = next((code for code in known if same_language(code, asked)), "")
        unavailable = language_codes.display_name(named) if named else ""
        return Reading(contribution, original, versions, unavailable=unavailable, asked_unknown=not named)
    return Reading(contribution, _find(versions, interface) or original, versions)


# Editions of an issue ---------------------------------------------------------------------------------------------


def working_languages() -> list[str]:
    """The federation's working languages (none before a federation is set up)."""
    found = Federation.objects.values_list("working_languages", flat=True).first()
    return [language_codes.normalize(code) for code in found or []]


@dataclass(frozen=True)
class EditionSummary:
    """One language's edition of an issue, for the issue page: how far it is, and what is missing, item by item."""

    language: str
    complete: bool
    done: int
    total: int
    missing: list[Coverage]

    @property
    def direction(self) -> str:
        return language_codes.direction(self.language)


def summarize(editions: dict[str, Edition], languages: list[str]) -> list[EditionSummary]:
    summaries = []
    for code in languages:
        edition = editions.get(code)
        if edition is None:
            continue
        missing = edition.missing
        total = len(edition.items)
        summaries.append(EditionSummary(code, edition.complete, total - len(missing), total, missing))
    return summaries


@dataclass(frozen=True)
class ContentsRow:
    """An item of an issue's contents as one reader sees it: its title in their language when it is translated."""

    item: Item
    title: str
    language: str
    translated: bool

    @property
    def direction(self) -> str:
        return language_codes.direction(self.language)


def contents_in(items: list[Item], edition: Edition | None) -> list[ContentsRow]:
    """The items, each titled in the edition's language where an approved, up-to-date translation exists."""
    coverage = {c.item.pk: c for c in edition.items} if edition is not None else {}
    rows = []
    for item in items:
        found = coverage.get(item.pk)
        # "approved" is an approved translation that is up to date; "stale" ones are not for readers.
        translation = found.translation if found is not None and found.status == "approved" else None
        if translation is not None:
            rows.append(ContentsRow(item, translation.title, translation.language, True))
        else:
            rows.append(ContentsRow(item, item.contribution.title, item.contribution.language, False))
    return rows
