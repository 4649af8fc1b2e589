"""Each text of an edition parsed once per publication, whatever the number of formats it is rendered in.

The web pages, the PDF's Typst conversion, the EPUB and the email edition's excerpts all start from the same
Markdown, and parsing it is most of what turning it into HTML costs: a publication parses each text once
(``one_publication``) and every renderer renders its own markup from those tokens, with its own ``doc_id`` and its
own citation links. The tokens are the same ones a fresh parse gives (``editorial.markdown.parse``), so the output
is byte for byte the same with or without the cache.

The cache lives exactly as long as the ``with`` block of one publication (or one rebuild): nothing is kept between
editions, nor between languages, nor between two publications of the same edition, so a text corrected in between
is always parsed anew. Outside such a block every call parses afresh, as a renderer called on its own (a preview, a
test) expects. The cache is found through a context variable, so a renderer running in a helper thread sees it when
the thread runs in a copy of the publication's context (``services._render_all`` does that).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from liaison.editorial import markdown


class ParseCache:
    """The texts one publication has parsed, keyed by language and text."""

    def __init__(self) -> None:
        self._parsed: dict[tuple[str, str], markdown.Parsed] = {}
        self._lock = threading.Lock()
        self.parses = 0  # texts actually parsed
        self.hits = 0  # parses saved

    def parsed(self, text: str, language: str) -> markdown.Parsed:
        key = (language, text)
        with self._lock:
            found = self._parsed.get(key)
            if found is not None:
                self.hits += 1
                return found
        # Parsed outside the lock: two threads asking for the same new text at once both parse it, and the first
        # result is kept (the two are equal anyway).
        fresh = markdown.parse(text)
        with self._lock:
            kept = self._parsed.setdefault(key, fresh)
            if kept is fresh:
                self.parses += 1
            else:
                self.hits += 1
        return kept

    def __len__(self) -> int:
        return len(self._parsed)


_current: ContextVar[ParseCache | None] = ContextVar("liaison_publishing_parse_cache", default=None)


@contextmanager
def one_publication() -> Iterator[ParseCache]:
    """A parse cache for the renderers called inside the block; gone when the block ends (nested blocks each get
    their own, and the outer one is back after)."""
    cache = ParseCache()
    token = _current.set(cache)
    try:
        yield cache
    finally:
        _current.reset(token)


def current() -> ParseCache | None:
    return _current.get()


def parsed(text: str, language: str) -> markdown.Parsed:
    """``text`` (Markdown written in ``language``) parsed: from the publication's cache, or afresh outside one."""
    cache = _current.get()
    if cache is None:
        return markdown.parse(text)
    return cache.parsed(text, language)


def html(text: str, language: str, *, doc_id: str = "", resolve: markdown.Resolver | None = None) -> str:
    """``editorial.markdown.render(text, doc_id=..., resolve=...)``, parsing ``text`` at most once a publication."""
    return markdown.render_parsed(parsed(text, language), doc_id=doc_id, resolve=resolve)
