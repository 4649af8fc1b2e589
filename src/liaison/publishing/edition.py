"""An issue's edition in one language, as plain data: what every renderer (web, PDF, EPUB, feeds, email) is fed.

The data is read from the database once, by ``edition_data``, and frozen: renderers never query, so they can run in
a worker, be tested without a database, and give the same bytes for the same data (every date in here is fixed, none
is "now"). Texts are Markdown; each renderer turns them into its own markup with ``editorial.markdown`` (HTML, always
sanitized) or its own converter (Typst), resolving citations through ``EditionData.citations``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import translation as i18n
from django.utils.translation import gettext as _

from liaison import languages as language_codes
from liaison.editorial.models import Citation, Item
from liaison.editorial.services import citation_label
from liaison.errors import LiaisonError
from liaison.federation.models import Person
from liaison.federation.services import get_federation
from liaison.periodicals.models import Audience, Issue, IssueStatus
from liaison.translations import services as translations


@dataclass(frozen=True)
class CitationTarget:
    """An item a text of the edition cites: in this issue (``in_edition``) or in another issue."""

    ref: str  # "bulletin/1/2", as written in the texts
    label: str  # "Bulletin No. 1, item 2", in the edition's language
    periodical: str  # the periodical's slug
    number: int
    position: int
    title: str  # in the edition's language when available, else the original's; "" when readers may not read it
    in_edition: bool


@dataclass(frozen=True)
class Backlink:
    """An item that cites this one ("cited by")."""

    ref: str
    label: str
    title: str


@dataclass(frozen=True)
class ItemData:
    position: int
    ref: str  # "bulletin/1/2": the stable citation key and the item's address in every format
    label: str  # "Bulletin No. 1, item 2"
    title: str
    body: str  # Markdown with footnotes and [[citations]], in ``language``
    language: str  # the language of title and body: the edition's, or the original's when written in it
    direction: str  # "ltr" or "rtl"
    original_language: str
    translated: bool  # a translation (approved) rather than the original
    translator: str  # the translator's pseudonym, "" for an original
    section: str  # the writing section's name
    signature: str  # the person's pseudonym, or the section's name when the section signs
    kind: str  # report, opinion, position, letter, document
    kind_label: str  # the kind in the edition's language
    backlinks: tuple[Backlink, ...] = ()


@dataclass(frozen=True)
class EditionData:
    federation: str
    periodical: str  # name
    periodical_slug: str
    public: bool  # False: an internal bulletin, for members only (never exported, never in public feeds)
    number: int
    title: str  # "Bulletin No. 3", in the edition's language
    language: str
    direction: str
    date: datetime.date  # the issue's date, shown on the cover and in feeds
    published_at: datetime.datetime  # fixed at publication: every file's timestamp, so rebuilding gives same bytes
    version: int = 1  # 2, 3... for corrected editions
    correction: str = ""  # what a corrected edition corrects
    items: tuple[ItemData, ...] = ()
    citations: Mapping[str, CitationTarget] = field(default_factory=dict)
    # The other languages this issue is published in: the web pages' language links, the only thing that may show
    # them (they grow after publication, and the other formats are never rendered again for that).
    other_languages: tuple[str, ...] = ()

    @property
    def identifier(self) -> str:
        """A stable identifier for the edition (EPUB's dc:identifier, Atom ids): same edition, same identifier."""
        return f"urn:liaison:{self.periodical_slug}:{self.number}:{self.language}:v{self.version}"


def contents_of(data: EditionData) -> list[dict[str, object]]:
    """The edition's contents as its web cover lists them, kept with the published edition (``Edition.contents``)
    for the feeds: each item's position (its page is ``items/<position>.html``), label and kind, title (and the
    language and direction it is written in), signature and section."""
    return [
        {
            "position": item.position,
            "label": item.label,
            "kind": item.kind_label,
            "title": item.title,
            "language": item.language,
            "direction": item.direction,
            "signature": item.signature,
            "section": item.section,
        }
        for item in data.items
    ]


class Incomplete(LiaisonError):
    """The edition cannot be published: some items have no approved translation in its language."""

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message, field="language")
        self.missing = missing


def _ref(item: Item) -> str:
    return f"{item.issue.periodical.slug}/{item.issue.number}/{item.position}"


def edition_data(
    issue: Issue,
    language: str,
    *,
    published_at: datetime.datetime,
    version: int = 1,
    correction: str = "",
    other_languages: tuple[str, ...] = (),
) -> EditionData:
    """The edition of ``issue`` in ``language``, or ``Incomplete`` naming every item without an approved translation.

    A constant number of queries whatever the number of items."""
    code = language_codes.normalize(language)
    status = translations.edition_status(issue, code)
    if not status.complete:
        missing = [f"{c.item.position}. {c.item.contribution.title} ({c.status})" for c in status.missing]
        raise Incomplete(
            _("The %(language)s edition is not complete: %(missing)s.")
            % {"language": language_codes.display_name(code), "missing": "; ".join(missing) or _("no contents")},
            missing,
        )
    items = list(
        issue.items.select_related(
            "issue__periodical", "contribution__section", "contribution__signed_by", "contribution__periodical"
        ).order_by("position")
    )
    covered = {c.item.pk: c for c in status.items}
    used = [c.translation for c in status.items if c.translation is not None]
    pseudonyms = dict(
        Person.objects.filter(user_id__in={t.translator_id for t in used if t.translator_id}).values_list(
            "user_id", "pseudonym"
        )
    )
    translator_names = {t.pk: pseudonyms.get(t.translator_id or 0, "") for t in used}
    cited = Citation.objects.filter(source_id__in=[i.contribution_id for i in items]).select_related(
        "target__issue__periodical", "target__contribution"
    )
    # "Cited by" names only what this edition's readers may read: items of published issues (or of this one), and
    # for a public edition only items of public periodicals, so an internal bulletin's titles never leak.
    citing = Citation.objects.filter(target__in=items, source__item__isnull=False).filter(
        Q(source__item__issue__status=IssueStatus.PUBLISHED) | Q(source__item__issue=issue)
    )
    if issue.periodical.audience == Audience.PUBLIC:
        citing = citing.filter(source__item__issue__periodical__audience=Audience.PUBLIC)
    citing = citing.select_related("source__item__issue__periodical", "source")
    # Each item's citers, in the query's order: looked up per item, not searched for among all the citations.
    cited_by: dict[int, list[Citation]] = {}
    for c in citing:
        cited_by.setdefault(c.target_id, []).append(c)
    with i18n.override(code):
        data_items = []
        kind_labels: dict[str, str] = {}  # a kind's name in the edition's language, looked up once
        for item in items:
            contribution = item.contribution
            coverage = covered[item.pk]
            text = coverage.translation if coverage.translation is not None else None
            backlinks = tuple(
                Backlink(_ref(c.source.item), citation_label(c.source.item), c.source.title)
                for c in cited_by.get(item.pk, ())
            )
            own_language = language_codes.normalize(text.language if text else contribution.language)
            if contribution.kind not in kind_labels:
                kind_labels[contribution.kind] = str(contribution.get_kind_display())
            data_items.append(
                ItemData(
                    position=item.position,
                    ref=_ref(item),
                    label=citation_label(item),
                    title=text.title if text else contribution.title,
                    body=text.body if text else contribution.body,
                    language=own_language,
                    direction=language_codes.direction(own_language),
                    original_language=language_codes.normalize(contribution.language),
                    translated=text is not None,
                    translator=translator_names.get(text.pk, "") if text else "",
                    section=contribution.section.name,
                    signature=contribution.signed_by.pseudonym if contribution.signed_by else contribution.section.name,
                    kind=contribution.kind,
                    kind_label=kind_labels[contribution.kind],
                    backlinks=tuple(sorted(backlinks, key=lambda b: b.ref)),
                )
            )
        targets = {}
        in_edition = {item.pk: data for item, data in zip(items, data_items, strict=True)}
        for c in cited:
            target = c.target
            ref = _ref(target)
            own = in_edition.get(target.pk)
            # A cited item readers of this edition may not read keeps its label (the citation is a fact) but not
            # its title.
            readable = own is not None or (
                target.issue.status == IssueStatus.PUBLISHED
                and (
                    issue.periodical.audience != Audience.PUBLIC or target.issue.periodical.audience == Audience.PUBLIC
                )
            )
            targets[ref] = CitationTarget(
                ref=ref,
                label=citation_label(target),
                periodical=target.issue.periodical.slug,
                number=target.issue.number,
                position=target.position,
                title=own.title if own else (target.contribution.title if readable else ""),
                in_edition=own is not None,
            )
        return EditionData(
            federation=get_federation().name,
            periodical=issue.periodical.name,
            periodical_slug=issue.periodical.slug,
            public=issue.periodical.audience == Audience.PUBLIC,
            number=issue.number,
            title=str(issue),
            language=code,
            direction=language_codes.direction(code),
            date=(issue.planned_date or published_at.date()),
            published_at=published_at,
            version=version,
            correction=correction,
            items=tuple(data_items),
            citations=targets,
            other_languages=tuple(other_languages),
        )
