"""What a reader typed, read as words to find: never passed to a database's query syntax as it is.

Words are runs of letters, digits and combining marks; everything else (quotes aside) only separates them, so FTS5's
and PostgreSQL's operators (``*``, ``:``, ``^``, ``-``, parentheses, ``NEAR``...) are never operators here. Text
between double quotes is a phrase. Chinese, Japanese and Korean are written without spaces, so their runs of
characters are looked for as substrings (``substrings``), not as words of the full-text index.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from liaison.errors import LiaisonError
from liaison.search.text import has_cjk

MAX_CHARS = 200
MAX_TERMS = 10
# Words of other search syntaxes that a reader may type out of habit; here they would only narrow the search.
OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
_PHRASE = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class Query:
    text: str  # as typed
    terms: tuple[tuple[str, ...], ...]  # each a word, or a phrase's words in order: all must be found
    substrings: tuple[str, ...]  # Chinese, Japanese or Korean runs: all must be found, as substrings

    @property
    def needles(self) -> list[str]:
        """Every word and substring, for marking them in texts the database did not mark."""
        return [word for term in self.terms for word in term] + list(self.substrings)


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNM"


def runs(text: str) -> list[str]:
    """The words of ``text``: runs of word characters, cut where CJK script begins or ends."""
    found: list[str] = []
    current = ""
    for char in text:
        if not _is_word_char(char):
            if current:
                found.append(current)
            current = ""
        elif current and has_cjk(char) != has_cjk(current[-1]):
            found.append(current)
            current = char
        else:
            current += char
    if current:
        found.append(current)
    return found


def parse(text: str) -> Query:
    """The query in ``text``, or a ``LiaisonError`` saying what to type instead."""
    if "\x00" in text:
        raise LiaisonError(_("The search contains a NUL character, which cannot be searched for."), field="q")
    text = text.strip()
    if not text:
        raise LiaisonError(_("Type the words you are looking for."), field="q")
    if len(text) > MAX_CHARS:
        raise LiaisonError(
            _("Search for at most %(max)d characters (this search has %(count)d).")
            % {"max": MAX_CHARS, "count": len(text)},
            field="q",
        )
    terms: list[tuple[str, ...]] = []
    substrings: list[str] = []

    def add(words: list[str], *, phrase: bool) -> None:
        plain = [w.lower() for w in words if not has_cjk(w) and (phrase or w not in OPERATORS)]
        substrings.extend(w for w in words if has_cjk(w) and w not in substrings)
        groups = [tuple(plain)] if phrase and plain else [(w,) for w in plain]
        terms.extend(g for g in groups if g not in terms)

    # Quotes that pair up make phrases; a quote left over is punctuation like any other.
    for index, part in enumerate(_PHRASE.split(text)):
        add(runs(part), phrase=index % 2 == 1)
    if not terms and not substrings:
        raise LiaisonError(
            _("Type words to search for: punctuation and operators such as AND, NEAR or * are not searched for."),
            field="q",
        )
    if len(terms) + len(substrings) > MAX_TERMS:
        raise LiaisonError(_("Search for at most %(max)d words at a time.") % {"max": MAX_TERMS}, field="q")
    return Query(text=text, terms=tuple(terms), substrings=tuple(substrings))
