"""The archive's search: the index of every text a reader may find, and the search itself.

What is indexed is what the bulletin's readers may read: each item of a published issue in its original language,
and each of its translations that is approved and not stale. Who finds what follows the periodical's audience: a
public bulletin is found by everyone, an internal one by the federation's members only (``editorial.access``).

The index follows the texts by itself (``receivers``): an issue is indexed when it is published, a translation when
it is approved, and it leaves the index when it goes stale or back to work. ``reindex_issue`` is there for whoever
wants to be sure after writing an issue's contents by other means, and ``liaison reindex`` rebuilds everything.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils import translation as i18n
from django.utils.safestring import SafeString

from liaison import languages as language_codes
from liaison.editorial import access
from liaison.editorial.markdown import CitationRef
from liaison.editorial.models import Citation, Contribution, Item, State
from liaison.editorial.services import citation_label
from liaison.federation.access import Actor
from liaison.periodicals.models import Audience, Issue, IssueStatus, Periodical
from liaison.search import text as texts
from liaison.search.backends import backend, config_for
from liaison.search.models import DocumentKind, SearchDocument
from liaison.search.query import Query, parse
from liaison.translations.models import Translation, TranslationState
from liaison.translations.services import same_language

PER_PAGE = 20
# The contribution states of an item in a published issue: published with it, or still placed while
# ``mark_published`` is moving them (the index is written in the same transaction).
READABLE_STATES = (State.PLACED, State.PUBLISHED)

# Indexing ---------------------------------------------------------------------------------------------------------


def _readable_items() -> QuerySet[Item]:
    return Item.objects.filter(issue__status=IssueStatus.PUBLISHED, contribution__state__in=READABLE_STATES)


def _date(issue: Issue) -> datetime.date:
    """The issue's date, as its editions show it: the planned date, else the day it was published."""
    if issue.planned_date:
        return issue.planned_date
    return timezone.localdate(issue.published_at) if issue.published_at else timezone.localdate()


def _citations(contributions: list[int]) -> dict[CitationRef, Item]:
    cited = Citation.objects.filter(source_id__in=contributions).select_related("target__issue__periodical")
    return {
        CitationRef(c.target.issue.periodical.slug, c.target.issue.number, c.target.position): c.target for c in cited
    }


def _documents(items: list[Item]) -> list[SearchDocument]:
    """The documents of ``items`` (with their issue, periodical and contribution loaded): two queries."""
    contributions = [item.contribution_id for item in items]
    approved: dict[int, list[Translation]] = {}
    for t in Translation.objects.filter(
        contribution_id__in=contributions, state=TranslationState.APPROVED, stale=False
    ).order_by("language"):
        approved.setdefault(t.contribution_id, []).append(t)
    targets = _citations(contributions)

    def resolve(ref: CitationRef) -> tuple[str, str] | None:
        # Citations read as their labels ("Bulletin No. 1, item 2"), in the language of the text citing them.
        target = targets.get(ref)
        return ("#", citation_label(target)) if target is not None else None

    documents = []
    for item in items:
        contribution: Contribution = item.contribution
        original = language_codes.normalize(contribution.language)
        texts_of: list[tuple[str, str, str, Translation | None]] = [
            (original, contribution.title, contribution.body, None)
        ]
        seen = [original]
        for t in approved.get(contribution.pk, []):
            language = language_codes.normalize(t.language)
            # A translation into the original's language (left from before the original's language changed) or a
            # second one into a language already indexed would be the same text twice: the first one stands.
            if not any(same_language(language, other) for other in seen):
                texts_of.append((language, t.title, t.body, t))
                seen.append(language)
        for language, title, body, source in texts_of:
            with i18n.override(language):
                plain = texts.plain_text(body, resolve)
            documents.append(
                SearchDocument(
                    kind=DocumentKind.TRANSLATION if source is not None else DocumentKind.ITEM,
                    item=item,
                    translation=source,
                    language=language,
                    config=config_for(language),
                    title=texts.clean(title or contribution.title),
                    body=plain,
                    section_id=contribution.section_id,
                    periodical_id=item.issue.periodical_id,
                    contribution_kind=contribution.kind,
                    date=_date(item.issue),
                    audience=item.issue.periodical.audience,
                )
            )
    return documents


def _reindex(items: QuerySet[Item]) -> int:
    """Replaces the documents of ``items``: those still readable are written again, the others are gone."""
    with transaction.atomic():
        SearchDocument.objects.filter(item__in=items.values("pk")).delete()
        readable = list(
            items.filter(pk__in=_readable_items().values("pk"))
            .select_related("issue__periodical", "contribution")
            .order_by("issue_id", "position")
        )
        if not readable:
            return 0
        created = SearchDocument.objects.bulk_create(_documents(readable))
        backend().written([document.pk for document in created])
    return len(created)


def reindex_issue(issue: Issue) -> int:
    """Indexes a published issue's items and their approved translations (an issue not published: removes them).
    Idempotent; returns the number of documents written. Publishing indexes the issue by itself (``receivers``)."""
    return _reindex(Item.objects.filter(issue_id=issue.pk))


def reindex_contribution(contribution: Contribution) -> int:
    """After a change to a contribution's text: its item, if it has one, is indexed again."""
    return _reindex(Item.objects.filter(contribution_id=contribution.pk))


def reindex_translation(translation: Translation) -> int:
    """After a translation changed: it is indexed if it may be read (approved, not stale, its issue published),
    removed from the index otherwise."""
    if not translation.counts_for_edition:
        SearchDocument.objects.filter(translation_id=translation.pk).delete()
        return 0
    return _reindex(Item.objects.filter(contribution_id=translation.contribution_id))


def follow_audience(periodical: Periodical) -> None:
    """A bulletin made internal (or public) is found by its new audience at once."""
    SearchDocument.objects.filter(periodical_id=periodical.pk).exclude(audience=periodical.audience).update(
        audience=periodical.audience
    )


def reindex_all() -> int:
    """Rebuilds the whole index (``liaison reindex``); returns the number of documents written."""

    def fill() -> int:
        SearchDocument.objects.all().delete()
        published = Issue.objects.filter(status=IssueStatus.PUBLISHED).order_by("pk").values_list("pk", flat=True)
        return sum(_reindex(Item.objects.filter(issue_id=issue_id)) for issue_id in published)

    with transaction.atomic():
        return backend().rebuild(fill)


# Searching --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    section_id: int | None = None
    language: str = ""
    periodical_id: int | None = None
    kind: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


@dataclass(frozen=True)
class Hit:
    document: SearchDocument
    title: SafeString  # HTML: the title, the words found marked
    snippet: SafeString  # HTML: a passage of the text, the words found marked
    url: str
    label: str  # "Bulletin No. 1, item 2", in the interface's language
    direction: str  # of the text: "rtl" for Arabic...
    language_name: str  # the text's language, named in the interface's language


@dataclass
class Results:
    query: Query
    page: Page  # for the paginator; the page's documents are ``hits``
    hits: list[Hit] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.page.paginator.count


def visible_documents(actor: Actor) -> QuerySet[SearchDocument]:
    """The documents ``actor`` may find: a public bulletin's for everyone, an internal one's for members."""
    documents = SearchDocument.objects.all()
    if not access.can_read_periodical(actor, Periodical(audience=Audience.MEMBERS)):
        # Asked of the periodical itself too, so that the index can never be more open than the bulletin.
        documents = documents.filter(audience=Audience.PUBLIC, periodical__audience=Audience.PUBLIC)
    return documents


def filtered(documents: QuerySet[SearchDocument], filters: Filters) -> QuerySet[SearchDocument]:
    if filters.section_id is not None:
        documents = documents.filter(section_id=filters.section_id)
    if filters.language:
        documents = documents.filter(language=language_codes.normalize(filters.language))
    if filters.periodical_id is not None:
        documents = documents.filter(periodical_id=filters.periodical_id)
    if filters.kind:
        documents = documents.filter(contribution_kind=filters.kind)
    if filters.date_from is not None:
        documents = documents.filter(date__gte=filters.date_from)
    if filters.date_to is not None:
        documents = documents.filter(date__lte=filters.date_to)
    return documents


def _hit(document: SearchDocument, query: Query) -> Hit:
    title_marked: str | None = getattr(document, "title_marked", None)
    body_marked: str | None = getattr(document, "body_marked", None)
    item = document.item
    url = reverse("editorial:item", args=[item.issue.periodical.slug, item.issue.number, item.position])
    return Hit(
        document=document,
        title=(
            texts.render_marked(title_marked, query.substrings)
            if title_marked is not None
            else texts.highlight(document.title, query.needles)
        ),
        snippet=(
            texts.render_marked(body_marked, query.substrings)
            if body_marked is not None
            else texts.snippet(document.body, query.needles)
        ),
        url=f"{url}?{urlencode({'lang': document.language})}",
        label=citation_label(item),
        direction=language_codes.direction(document.language),
        language_name=language_codes.display_name(document.language),
    )


def search(actor: Actor, text: str, filters: Filters | None = None, *, page: int | str = 1) -> Results:
    """The documents ``actor`` may find that hold every word of ``text``, best first, a page at a time, with
    snippets. A query that cannot be searched for (empty, only punctuation, too long) raises ``LiaisonError``.

    Three queries whatever the number of results: how many, this page's, and this page's texts with snippets."""
    query = parse(text)
    engine = backend()
    ranked = engine.matching(filtered(visible_documents(actor), filters or Filters()), query)
    paginator = Paginator(ranked.values_list("pk", flat=True), PER_PAGE)
    current = paginator.get_page(page)
    ids: list[int] = list(current.object_list) if paginator.count else []
    rows = engine.marked(
        SearchDocument.objects.filter(pk__in=ids).select_related("item__issue__periodical", "section", "periodical"),
        query,
    )
    by_id = {document.pk: document for document in rows} if ids else {}
    hits = [_hit(by_id[pk], query) for pk in ids if pk in by_id]
    return Results(query=query, page=current, hits=hits)


def languages_found(actor: Actor) -> list[str]:
    """The languages of the texts ``actor`` may find, for the language filter."""
    return sorted(visible_documents(actor).order_by().values_list("language", flat=True).distinct())
