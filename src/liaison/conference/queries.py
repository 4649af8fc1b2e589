"""What the conference's reading pages show, assembled in a fixed number of queries: the conferences a reader may
read, a conference with its timeline, agenda and waves, the positions matrix shaped for the page and the CSV
export, and who is overdue with their correspondents.

Texts written by language (question titles, milestones, stances) come in the reader's language through
``services.text_in``; a ``Text`` remembers when it fell back to another language, so that the page marks it with
``lang`` and ``dir`` and says which language it is in.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, QuerySet
from django.utils.translation import gettext

from liaison import languages as language_codes
from liaison.conference import services
from liaison.conference.models import Conference, Milestone, Option, Question, Wave, WaveOverride
from liaison.federation.access import Actor, active_roles
from liaison.federation.models import Role, RoleKind


@dataclass(frozen=True)
class Text:
    """A text in the language it could be had in, and whether that is another than the reader's."""

    text: str
    language: str
    fallback: bool

    @property
    def direction(self) -> str:
        return language_codes.direction(self.language) if self.language else "auto"


def same_language(code: str, reader: str) -> bool:
    """``pt-br`` text read by a ``pt`` reader (or the reverse) is not a fallback: the reader reads it as theirs."""
    code, reader = language_codes.normalize(code), language_codes.normalize(reader)
    return code == reader or code.split("-")[0] == reader.split("-")[0]


def text(texts: Mapping[str, str], reader: str) -> Text:
    shown, code = services.text_in(texts, reader)
    return Text(shown, code, bool(code) and not same_language(code, reader))


def marked(shown: str, code: str, reader: str) -> Text:
    """A text already chosen (the matrix chooses its cells'), marked against the reader's language."""
    return Text(shown, code, bool(code) and not same_language(code, reader))


# Conferences -----------------------------------------------------------------------------------------------------


def readable_conferences(actor: Actor) -> QuerySet[Conference]:
    """The conferences ``actor`` may read (``access.can_read``), the latest first: those without dates yet are
    being planned and come before all, then by planned start, then the most recently created."""
    conferences = Conference.objects.all() if actor.is_member else Conference.objects.filter(public=True)
    return conferences.annotate(question_count=Count("questions")).order_by(
        F("starts_on").desc(nulls_first=True), "-created", "-id"
    )


@dataclass(frozen=True)
class AgendaItem:
    question: Question
    title: Text
    description: Text

    @property
    def options(self) -> list[str]:
        """The options a position on it chooses from, in the reader's language, "abstain" last."""
        return [str(Option(o).label) for o in self.question.offered_options() if o in Option.values]


@dataclass(frozen=True)
class TimelineEntry:
    milestone: Milestone
    title: Text


@dataclass(frozen=True)
class WaveEntry:
    wave: Wave
    # Sections the secretariat moved into this wave from another region's.
    moved_in: list[WaveOverride]


@dataclass(frozen=True)
class ConferencePage:
    conference: Conference
    timeline: list[TimelineEntry]
    agenda: list[AgendaItem]
    waves: list[WaveEntry]


def conference_page(conference: Conference, reader: str) -> ConferencePage:
    """The conference's timeline, agenda and waves in the reader's language: four queries."""
    timeline = [TimelineEntry(m, text(m.title, reader)) for m in conference.milestones.order_by("date", "id")]
    agenda = [
        AgendaItem(q, text(q.title, reader), text(q.description, reader))
        for q in conference.questions.order_by("number")
    ]
    waves = list(
        conference.waves.select_related("issue__periodical")
        .prefetch_related(
            "regions",
            Prefetch("overrides", queryset=WaveOverride.objects.select_related("section").order_by("section__name")),
        )
        .order_by("deadline", "id")
    )
    return ConferencePage(conference, timeline, agenda, [WaveEntry(w, list(w.overrides.all())) for w in waves])


# The matrix ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    head: services.QuestionHead
    title: Text

    @property
    def label(self) -> str:
        """The column's name, repeated before each cell when the table is read as cards on a phone."""
        return f"{self.head.question.number}. {self.title.text}"


@dataclass(frozen=True)
class PageCell:
    cell: services.Cell
    column: Column
    stance: Text


@dataclass(frozen=True)
class PageRow:
    row: services.Row
    cells: list[PageCell]


@dataclass(frozen=True)
class PageGroup:
    group: services.RegionGroup
    rows: list[PageRow]


@dataclass(frozen=True)
class MatrixPage:
    matrix: services.Matrix
    columns: list[Column]
    groups: list[PageGroup]

    @property
    def row_count(self) -> int:
        return sum(len(g.rows) for g in self.groups)


def matrix_page(table: services.Matrix, reader: str) -> MatrixPage:
    """The matrix shaped for the page: each cell knows its column (for the phone's labels) and whether its stance
    is in another language than the reader's. No query: everything is in ``table``."""
    columns = [Column(h, marked(h.title, h.language, reader)) for h in table.questions]
    groups = [
        PageGroup(
            group,
            [
                PageRow(
                    row,
                    [
                        PageCell(cell, column, marked(cell.stance, cell.stance_language, reader))
                        for cell, column in zip(row.cells, columns, strict=True)
                    ],
                )
                for row in group.rows
            ],
        )
        for group in table.groups
    ]
    return MatrixPage(table, columns, groups)


# The CSV export -------------------------------------------------------------------------------------------------

# A spreadsheet evaluates a cell that starts like a formula: what sections wrote (a stance, a name) must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_rows(page: MatrixPage, statement_url: Callable[[int], str]) -> Iterator[list[str]]:
    """The matrix as rows of a table, one per section and question, with a header row in the reader's language."""
    yield [
        gettext("Region"),
        gettext("Section"),
        gettext("Wave"),
        gettext("Question number"),
        gettext("Question"),
        gettext("Option"),
        gettext("Stance"),
        gettext("Language of the stance"),
        gettext("State"),
        gettext("Endorsed by"),
        gettext("Statement"),
    ]
    for group in page.groups:
        for row in group.rows:
            for cell in row.cells:
                yield [
                    spreadsheet_safe(group.group.region.name),
                    spreadsheet_safe(row.row.section.name),
                    spreadsheet_safe(row.row.wave.name) if row.row.wave else "",
                    str(cell.column.head.question.number),
                    spreadsheet_safe(cell.column.title.text),
                    cell.cell.option_label,
                    spreadsheet_safe(cell.stance.text),
                    cell.stance.language,
                    cell.cell.state_label,
                    spreadsheet_safe(", ".join(cell.cell.endorsed_by)),
                    statement_url(cell.cell.contribution_id) if cell.cell.contribution_id else "",
                ]


# Who is overdue --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueSection:
    pending: services.Pending
    correspondents: list[str]
    questions: list[AgendaItem]


@dataclass(frozen=True)
class OverdueWave:
    wave: Wave
    sections: list[OverdueSection]


def overdue_by_wave(conference: Conference, reader: str, *, now: datetime.datetime | None = None) -> list[OverdueWave]:
    """``services.overdue`` grouped by wave (earliest deadline first), each section with the pseudonyms of its
    current correspondents, to write to: the matrix's queries and one more."""
    pending = services.overdue(conference, now=now)
    names: dict[int, list[str]] = defaultdict(list)
    for section_id, pseudonym in (
        Role.objects.filter(active_roles(), kind=RoleKind.CORRESPONDENT, section_id__in={p.section.pk for p in pending})
        .order_by("person__pseudonym")
        .values_list("section_id", "person__pseudonym")
    ):
        names[section_id].append(pseudonym)
    waves: dict[int, OverdueWave] = {}
    for p in sorted(pending, key=lambda p: (p.wave.deadline, p.wave.pk, p.section.name.casefold())):
        entry = waves.setdefault(p.wave.pk, OverdueWave(p.wave, []))
        questions = [AgendaItem(q, text(q.title, reader), text(q.description, reader)) for q in p.questions]
        entry.sections.append(OverdueSection(p, names.get(p.section.pk, []), questions))
    return list(waves.values())
