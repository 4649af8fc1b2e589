"""Full-text search on each database Liaison runs on, behind one interface (``backend()``).

- PostgreSQL: a ``tsvector`` per row, built with the text search configuration of the row's language (stemming:
  "забастовки" finds "забастовка" under ``russian``), ranked by ``ts_rank`` and highlighted by ``ts_headline``.
- SQLite: FTS5 over the same rows (``unicode61``, diacritics removed: "greve" finds "grève"), ranked by ``bm25``
  and highlighted by ``snippet()``. FTS5 stems no language but English, so the query does: each word of three
  letters or more is looked for as a prefix, and so are its Snowball stems in the languages PostgreSQL stems
  ("забастовки" → "забастовк", which finds "забастовка"; "strikes" → "strike").

Chinese, Japanese and Korean have no spaces between words, which both tokenizers need: their runs are looked for as
substrings, through FTS5's trigram table on SQLite when the run is long enough for trigrams, by ``LIKE`` otherwise.

Queries are built from the words ``query.parse`` found, each quoted: nothing a reader types is ever read as the
syntax of FTS5 or of ``to_tsquery``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import CombinedExpression, RawSQL

from liaison import languages as language_codes
from liaison.search.models import SearchDocument
from liaison.search.query import Query
from liaison.search.text import ELLIPSIS, START, STOP

try:
    import snowballstemmer
except ImportError:  # pragma: no cover - a dependency (pyproject.toml); without it SQLite finds prefixes only
    snowballstemmer = None

# PostgreSQL's text search configurations by language; every other language (Chinese, Arabic...) gets "simple",
# which lowercases words without stemming them.
POSTGRES_CONFIGS = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nb": "norwegian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ru": "russian",
    "sv": "swedish",
    "tr": "turkish",
}
SIMPLE = "simple"
# Words shorter than this are looked for whole: as prefixes they would match most of the archive.
PREFIX_FROM = 3
# Stems shorter than this are not looked for: "havre" stems to "hav" somewhere, and "hav" begins "have".
STEM_FROM = 4
# FTS5's trigram tokenizer (SQLite 3.34) finds substrings of three characters or more.
TRIGRAMS = sqlite3.sqlite_version_info >= (3, 34, 0)

SQLITE_SCHEMA = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        title, body, content='search_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_update AFTER UPDATE OF title, body ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
]
SQLITE_TRIGRAM_SCHEMA = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_trigram USING fts5(
        title, body, content='search_searchdocument', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER IF NOT EXISTS search_trigram_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_trigram(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
    """CREATE TRIGGER IF NOT EXISTS search_trigram_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_trigram(search_trigram, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
        END""",
    """CREATE TRIGGER IF NOT EXISTS search_trigram_update AFTER UPDATE OF title, body ON search_searchdocument BEGIN
        INSERT INTO search_trigram(search_trigram, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_trigram(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
]


_stemmers = threading.local()  # Snowball's stemmers keep state while they work: one set per thread


def stems(word: str) -> list[str]:
    """``word`` and its distinct Snowball stems in each language of ``POSTGRES_CONFIGS`` (those of ``STEM_FROM``
    letters or more), to be looked for as prefixes; the word first."""
    if snowballstemmer is None:
        return [word]
    if not hasattr(_stemmers, "all"):
        _stemmers.all = [snowballstemmer.stemmer(name) for name in sorted(set(POSTGRES_CONFIGS.values()))]
    found = [word]
    for stemmer in _stemmers.all:
        stem = stemmer.stemWord(word)
        if len(stem) >= STEM_FROM and stem not in found:
            found.append(stem)
    return found


SQLITE_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_{event}"
        for table in ("search_fts", "search_trigram")
        for event in ("insert", "delete", "update")
    ),
    "DROP TABLE IF EXISTS search_fts",
    "DROP TABLE IF EXISTS search_trigram",
]


def config_for(language: str) -> str:
    """The PostgreSQL text search configuration for a language code ("pt-br" → "portuguese")."""
    return POSTGRES_CONFIGS.get(language_codes.normalize(language).split("-")[0], SIMPLE)


def _fts5_string(text: str) -> str:
    """An FTS5 string: in double quotes, which it doubles. Whatever is inside is text, never syntax."""
    return '"' + text.replace('"', '""') + '"'


def _tsquery_lexeme(word: str, *, prefix: bool) -> str:
    """A ``to_tsquery`` operand: quoted, so it is one lexeme whatever it holds."""
    quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + ":*" if prefix else quoted


class Backend:
    """Substring search, which every database can do; subclasses add their full-text index for ``terms``."""

    vendor = ""

    def matching(self, documents: QuerySet[SearchDocument], query: Query) -> QuerySet[SearchDocument]:
        """The documents holding every word and substring of ``query``, best first."""
        for substring in query.substrings:
            documents = documents.filter(self.substring(substring))
        if query.terms:
            return self.words(documents, query)
        return documents.order_by("-date", "pk")

    def substring(self, text: str) -> Q:
        return Q(title__icontains=text) | Q(body__icontains=text)

    def words(self, documents: QuerySet[SearchDocument], query: Query) -> QuerySet[SearchDocument]:
        for term in query.terms:
            documents = documents.filter(self.substring(" ".join(term)))
        return documents.order_by("-date", "pk")

    def marked(self, documents: QuerySet[SearchDocument], query: Query) -> QuerySet[SearchDocument]:
        """``documents`` (a page of results) with ``title_marked`` and ``body_marked``, the title and a snippet with
        the words found between ``START`` and ``STOP``, when the database can mark them (without, it has not)."""
        return documents

    def written(self, ids: list[int]) -> None:
        """Called after documents were written, with their ids: brings the database's own index up to date."""

    def rebuild(self, fill: Callable[[], int]) -> int:
        """Rebuilds the database's own index around ``fill``, which writes every document again (``liaison
        reindex``); returns what ``fill`` returns."""
        return fill()


class SQLiteBackend(Backend):
    vendor = "sqlite"

    def _match(self, query: Query) -> str:
        def operand(term: tuple[str, ...]) -> str:
            if len(term) > 1:
                return _fts5_string(" ".join(term))
            word = term[0]
            if len(word) < PREFIX_FROM:
                return _fts5_string(word)
            return "(" + " OR ".join(_fts5_string(variant) + "*" for variant in stems(word)) + ")"

        return " AND ".join(operand(term) for term in query.terms)

    def _joined(self, documents: QuerySet[SearchDocument], query: Query, **extra: Any) -> QuerySet[SearchDocument]:
        # FTS5's ranking and snippets need its table in the query's FROM, next to a MATCH: ``extra`` is the ORM's
        # one way to put it there. Every value goes in as a parameter.
        return documents.extra(
            tables=["search_fts"],
            where=["search_fts.rowid = search_searchdocument.id", "search_fts MATCH %s"],
            params=[self._match(query)],
            **extra,
        )

    def substring(self, text: str) -> Q:
        if TRIGRAMS and len(text) >= 3:
            return Q(
                pk__in=RawSQL("SELECT rowid FROM search_trigram WHERE search_trigram MATCH %s", [_fts5_string(text)])
            )
        return super().substring(text)

    def words(self, documents: QuerySet[SearchDocument], query: Query) -> QuerySet[SearchDocument]:
        # bm25 scores are negative, the best the lowest; a word in the title weighs as five in the text.
        return self._joined(documents, query).order_by(RawSQL("bm25(search_fts, 5.0, 1.0)", ()).asc(), "-date", "pk")

    def marked(self, documents: QuerySet[SearchDocument], query: Query) -> QuerySet[SearchDocument]:
        if not query.terms:
            return super().marked(documents, query)
        return self._joined(
            documents,
            query,
            select={
                "title_marked": "highlight(search_fts, 0, %s, %s)",
                "body_marked": "snippet(search_fts, 1, %s, %s, %s, 32)",
            },
            select_params=(START, STOP, START, STOP, ELLIPSIS),
        )

    def rebuild(self, fill: Callable[[], int]) -> int:
        # The FTS tables may be out of step with the documents (a migration that rebuilt the table dropped the
        # triggers), and deleting a row FTS5 does not hold corrupts its index: they go first, and are built anew
        # from the documents once these are written.
        with connection.cursor() as cursor:
            for statement in SQLITE_DROP:
                cursor.execute(statement)
            written = fill()
            for statement in SQLITE_SCHEMA + (SQLITE_TRIGRAM_SCHEMA if TRIGRAMS else []):
                cursor.execute(statement)
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
            if TRIGRAMS:
                cursor.execute("INSERT INTO search_trigram(search_trigram) VALUES ('rebuild')")
        return written


class PostgresBackend(Backend):
    vendor = "postgresql"

    def _tsquery(self, query: Query) -> str:
        def operand(term: tuple[str, ...]) -> str:
            if len(term) > 1:
                return "(" + " <-> ".join(_tsquery_lexeme(word, prefix=False) for word in term) + ")"
            return _tsquery_lexeme(term[0], prefix=len(term[0]) >= PREFIX_FROM)

        return " & ".join(operand(term) for term in query.terms)

    def _per_row(self, query: Query) -> SearchQuery:
        """The query read with each row's own configuration, for ranking and highlighting that row."""
        return SearchQuery(self._tsquery(query), config=F("config"), search_type="raw")

    def words(self, documents: QuerySet[SearchDocument], query: Query) -> QuerySet[SearchDocument]:
        # One branch per configuration, each comparing with a constant query, so that the GIN index serves them all.
        raw = self._tsquery(query)
        match = Q()
        for config in sorted({*POSTGRES_CONFIGS.values(), SIMPLE}):
            match |= Q(config=config, vector=SearchQuery(raw, config=config, search_type="raw"))
        return (
            documents.filter(match)
            .annotate(score=SearchRank(F("vector"), self._per_row(query)))
            .order_by("-score", "-date", "pk")
        )

    def marked(self, documents: QuerySet[SearchDocument], query: Query) -> QuerySet[SearchDocument]:
        if not query.terms:
            return super().marked(documents, query)
        per_row = self._per_row(query)
        return documents.annotate(
            title_marked=SearchHeadline(
                "title", per_row, config=F("config"), start_sel=START, stop_sel=STOP, highlight_all=True
            ),
            body_marked=SearchHeadline(
                "body",
                per_row,
                config=F("config"),
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=f" {ELLIPSIS} ",
            ),
        )

    def _vectors(self) -> CombinedExpression:
        return SearchVector("title", config=F("config"), weight="A") + SearchVector(
            "body", config=F("config"), weight="B"
        )

    def written(self, ids: list[int]) -> None:
        if ids:
            SearchDocument.objects.filter(pk__in=ids).update(vector=self._vectors())


def backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    return Backend()
