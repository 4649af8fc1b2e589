"""Texts for the index and for the result list: Markdown made plain, and highlighted snippets made safe HTML.

Highlights are marked by the databases (``snippet()``, ``ts_headline``) with two private-use characters, never with
HTML: the text around them is escaped here, and only then are the two characters turned into ``<mark>`` tags. The
indexed text never contains them (``plain_text`` removes them), so a contribution cannot forge a highlight, and
whatever it contains (``<script>``, quotes, entities) reaches the page as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape
from html.parser import HTMLParser

from django.utils.safestring import SafeString, mark_safe

from liaison.editorial import markdown

START = "\ue000"
STOP = "\ue001"
_SENTINELS = re.compile(f"[{START}{STOP}\x00]")
ELLIPSIS = "…"

# Tags after which the text goes on as a new block: the words on either side must not run together.
_BLOCKS = {
    "blockquote", "br", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "section", "table",
    "td", "th", "tr", "ul",
}  # fmt: skip


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")
        # A footnote's way back ("↩") is a link, not words of the text.
        if self.skipping or (tag == "a" and "footnote-backref" in (dict(attrs).get("class") or "")):
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            self.skipping -= 1
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def clean(text: str) -> str:
    """Text without the highlight marks and NUL characters, which no indexed text or query may carry."""
    return _SENTINELS.sub("", text)


def plain_text(source: str, resolve: markdown.Resolver | None = None) -> str:
    """The words of a Markdown text, as a reader sees them (citations by their labels when ``resolve`` knows them),
    one block to a line. Rendered by the editorial Markdown module, so the index sees exactly what readers do."""
    parser = _TextOf()
    parser.feed(markdown.render(source, resolve=resolve))
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return clean("\n".join(line for line in lines if line))


def has_cjk(text: str) -> bool:
    return markdown.CJK.search(text) is not None


def _intervals(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    found = []
    for needle in needles:
        if needle:
            found += [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text, re.IGNORECASE)]
    return found


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def render_marked(marked: str, also: Sequence[str] = ()) -> SafeString:
    """Safe HTML of a text the database marked with START/STOP; the substrings in ``also`` (Chinese words, found
    by substring rather than by the full-text index) are marked too."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    opened: int | None = None
    for piece in re.split(f"([{START}{STOP}])", marked):
        if piece == START:
            opened = position
        elif piece == STOP:
            if opened is not None:
                spans.append((opened, position))
            opened = None
        else:
            piece = piece.replace("\x00", "")
            plain.append(piece)
            position += len(piece)
    text = "".join(plain)
    return _html(text, _merge(spans + _intervals(text, also)))


def _html(text: str, spans: list[tuple[int, int]]) -> SafeString:
    out: list[str] = []
    position = 0
    for start, end in spans:
        out.append(escape(text[position:start], quote=False))
        out.append(f"<mark>{escape(text[start:end], quote=False)}</mark>")
        position = end
    out.append(escape(text[position:], quote=False))
    return mark_safe("".join(out))  # every piece of text above is escaped


def snippet(text: str, needles: Sequence[str], *, width: int = 200) -> SafeString:
    """A window of ``text`` around the first of ``needles`` found in it, with every one of them marked: the
    snippet of a result found by substring, where the database has none to give."""
    spans = _intervals(text, needles)
    first = min((start for start, _ in spans), default=0)
    begin = max(0, first - width // 3)
    end = min(len(text), begin + width)
    begin = max(0, min(begin, end - width))
    window = text[begin:end]
    html = _html(window, _merge([(s - begin, e - begin) for s, e in spans if s >= begin and e <= end]))
    before = ELLIPSIS if begin > 0 else ""
    after = ELLIPSIS if end < len(text) else ""
    return mark_safe(f"{before}{html}{after}")  # ``_html`` escaped the text


def highlight(text: str, needles: Sequence[str]) -> SafeString:
    """The whole of a short text (a title), with ``needles`` marked."""
    return _html(text, _merge(_intervals(text, needles)))
