"""Contributions' Markdown as Typst markup, for the PDF edition.

The Markdown is parsed by the editorial parser (``editorial.markdown``: CommonMark, tables, strikethrough, footnotes,
``[[citations]]``, raw HTML off), never by hand; this module only walks its tokens and writes Typst.

Nothing a contributor writes can become Typst code. Every piece of their text goes through ``escape``, which puts a
backslash before each ASCII punctuation character (Typst's markup escape works for any character but whitespace and
the ``u`` of ``\\u{...}``, which is never escaped), so ``#``, ``$``, ``*``, ``_``, ``@``, ``<``, ``[``, ``//``,
``=``, ``-``, list numbers (``1.``) and the shorthands (``--``, ``~``, ``...``) are all shown as written. Escaping
*all* punctuation rather than a list of markup characters also covers what would continue one of our own
expressions: ``#emph[word].x`` reads a field and ``#emph[word](x)`` calls a function, so a ``.`` or ``(`` right after
an emphasis must be escaped too. The apostrophe alone is left as it is (it is harmless, and Typst turns it into a
typographic one). Text that goes into Typst strings (code, link targets) is escaped as a string (``string``).

What cannot be typeset well degrades and says so in ``notices``: images are never fetched (the bulletin shows their
description), a table too wide for the page becomes one paragraph per row, a word longer than any line gets break
opportunities.
"""

from __future__ import annotations

import re
import string as string_module
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from markdown_it.tree import SyntaxTreeNode

from liaison.editorial import markdown
from liaison.editorial.markdown import CitationRef

# A run of this many characters without a space fits no line: it gets invisible break opportunities (zero-width
# spaces) every BREAK_EVERY characters. Real words, German compounds included, stay whole.
LONG_WORD = 60
BREAK_EVERY = 20
ZERO_WIDTH_SPACE = "\u200b"
LEFT_TO_RIGHT_ISOLATE = "\u2066"
RIGHT_TO_LEFT_ISOLATE = "\u2067"
POP_DIRECTIONAL_ISOLATE = "\u2069"
# Tables wider than SMALL_TABLE_COLUMNS are set in smaller type; wider than MAX_TABLE_COLUMNS they cannot be read on
# a page at all, and each row becomes a paragraph of "column: value" pairs (nothing is dropped).
SMALL_TABLE_COLUMNS = 6
MAX_TABLE_COLUMNS = 12
# Scripts written without spaces between words, where any character is a line-break opportunity.
_NO_SPACE_SCRIPTS = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LONG_RUN = re.compile(r"[^\s\u00ad\u200b\-]{" + str(LONG_WORD) + ",}")

_ESCAPED = frozenset(string_module.punctuation) - {"'"}
# Characters Typst reads as line or paragraph breaks, and control characters, are shown as a space: a contributor's
# text must not open a new paragraph (or list item) inside a title or a table cell.
_BREAKS = {"\u000b", "\u000c", "\u0085", "\u2028", "\u2029", "\r", "\n", "\t"}


# What ``escape`` does to a character, as a table for ``str.translate`` (every character of every text goes through
# it: one pass in C rather than a Python loop). Unicode's control characters (category Cc) are exactly the C0 and C1
# ranges and DEL, a set Unicode's stability policy keeps; the tests check the table against the category of every
# code point.
_ESCAPE_TABLE: dict[int, str] = {
    **{code: "\ufffd" for code in (*range(0x20), *range(0x7F, 0xA0))},
    **{ord(char): " " for char in _BREAKS},
    **{ord(char): "\\" + char for char in _ESCAPED},
}


def escape(text: str) -> str:
    """``text`` as Typst markup that shows exactly ``text``: a backslash before each ASCII punctuation character
    but the apostrophe, a space for each line or paragraph break, U+FFFD for any other control character."""
    return text.translate(_ESCAPE_TABLE)


def string(text: str) -> str:
    """``text`` as a Typst string literal, quotes included."""
    out: list[str] = ['"']
    for char in text:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif unicodedata.category(char) == "Cc":
            out.append(f"\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def label_name(text: str) -> str:
    """A Typst label name made from a citation key or anchor ("bulletin/3/1" → "bulletin-3-1")."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


@dataclass(frozen=True)
class Notice:
    """Something that was typeset in a degraded way: formatted later, in the editor's language (``str()``)."""

    message: Promise
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return str(self.message) % self.params


@dataclass(frozen=True)
class Citation:
    """How a citation is typeset: its label, and the anchor (label name) of the item when it is in the edition."""

    label: str
    anchor: str | None = None


# Resolves a citation (None: no such item, the citation is shown as written).
CitationResolver = Callable[[CitationRef], "Citation | None"]


@dataclass
class Converted:
    markup: str
    notices: list[Notice] = field(default_factory=list)


def convert(
    text: str,
    *,
    anchor: str,
    resolve: CitationResolver | None = None,
    direction: str = "ltr",
    parsed: markdown.Parsed | None = None,
) -> Converted:
    """Typst markup for a contribution's Markdown, written in ``direction`` ("ltr" or "rtl").

    ``anchor`` keeps the footnote labels of this text apart from those of the other texts of the same document.
    ``parsed`` is ``text`` already parsed (``editorial.markdown.parse``, the parser of the HTML pages, so the same
    reading of every text), when the caller has it: the text is not parsed again."""
    writer = _Writer(label_name(anchor), resolve, direction)
    root = SyntaxTreeNode((parsed or markdown.parse(text)).tokens)
    for node in root.children:
        if node.type == "footnote_block":
            writer.collect_footnotes(node)
    markup = writer.blocks([node for node in root.children if node.type != "footnote_block"])
    if writer.longest_word:
        writer.notices.append(
            Notice(
                gettext_lazy("a word of %(length)s characters is longer than a line; it was broken to fit."),
                {"length": writer.longest_word},
            )
        )
    return Converted(markup=markup, notices=writer.notices)


def plain(text: str) -> str:
    """A text typeset as it was written, paragraph by paragraph, with no markup at all: the last resort."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n\n".join(escape(break_long_words(p)[0]) for p in paragraphs)


def break_long_words(text: str) -> tuple[str, int]:
    """``text`` with break opportunities inside words too long for a line, and the length of the longest one."""
    longest = 0

    def split(match: re.Match[str]) -> str:
        nonlocal longest
        word = match[0]
        if _NO_SPACE_SCRIPTS.search(word):
            return word  # Chinese, Japanese, Thai...: the line breaker finds its own opportunities
        longest = max(longest, len(word))
        return ZERO_WIDTH_SPACE.join(word[n : n + BREAK_EVERY] for n in range(0, len(word), BREAK_EVERY))

    return _LONG_RUN.sub(split, text), longest


class _Writer:
    def __init__(self, anchor: str, resolve: CitationResolver | None, direction: str) -> None:
        self.anchor = anchor
        self.direction = direction
        self.resolve = resolve
        self.notices: list[Notice] = []
        self.footnotes: dict[int, list[SyntaxTreeNode]] = {}
        self.open_footnotes: set[int] = set()
        self.written_footnotes: set[int] = set()
        self.longest_word = 0

    # Blocks

    def blocks(self, nodes: list[SyntaxTreeNode]) -> str:
        return "\n\n".join(part for part in (self.block(node) for node in nodes) if part)

    def block(self, node: SyntaxTreeNode) -> str:
        kind = node.type
        if kind == "paragraph":
            return self.inlines(node)
        if kind == "heading":
            # The item's title is the level-1 heading of the PDF; the text's own headings come below it and stay
            # out of the contents and the bookmarks.
            level = min(int(node.tag[1:]) + 1, 6)
            return f"#heading(level: {level}, outlined: false, bookmarked: false)[{self.inlines(node)}]"
        if kind in ("bullet_list", "ordered_list"):
            tight = "true" if all(self._tight(child) for child in node.children) else "false"
            items = ", ".join(f"[{self.item_content(child)}]" for child in node.children)
            if kind == "bullet_list":
                return f"#list(tight: {tight}, {items})"
            start = int(node.attrs.get("start", 1) or 1)
            return f"#enum(tight: {tight}, start: {start}, {items})"
        if kind == "blockquote":
            return f"#quote(block: true)[{self.blocks(node.children)}]"
        if kind in ("code_block", "fence"):
            code, _longest = break_long_words(node.content.rstrip("\n"))
            return f"#raw(block: true, {string(code)})"
        if kind == "hr":
            return "#line(length: 100%)"
        if kind == "table":
            return self.table(node)
        # html_block cannot occur (raw HTML is off); anything else unforeseen is kept as its text.
        return escape(node.content)

    def _tight(self, item: SyntaxTreeNode) -> bool:
        return all(child.hidden for child in item.children if child.type == "paragraph")

    def item_content(self, item: SyntaxTreeNode) -> str:
        return self.blocks(item.children)

    def table(self, node: SyntaxTreeNode) -> str:
        rows: list[tuple[bool, list[SyntaxTreeNode]]] = []
        for section in node.children:
            for row in section.children:
                rows.append((section.type == "thead", list(row.children)))
        if not rows:
            return ""
        columns = max(len(cells) for _header, cells in rows)
        if columns > MAX_TABLE_COLUMNS:
            self.notices.append(
                Notice(
                    gettext_lazy(
                        "a table of %(columns)s columns is too wide for the page; each of its rows is shown as a "
                        "paragraph instead."
                    ),
                    {"columns": columns},
                )
            )
            return self.table_as_paragraphs(rows)
        aligns = []
        for cell in rows[0][1]:
            style = str(cell.attrs.get("style", ""))
            aligns.append(
                {"text-align:left": "left", "text-align:right": "right", "text-align:center": "center"}.get(
                    style, "start"
                )
            )
        aligns += ["start"] * (columns - len(aligns))
        cells: list[str] = []
        for is_header, row_cells in rows:
            content = [f"[{self.inlines(cell)}]" for cell in row_cells] + ["[]"] * (columns - len(row_cells))
            if is_header:
                cells.append("table.header(" + ", ".join(f"[#strong{c}]" for c in content) + ")")
            else:
                cells.extend(content)
        table = f"#table(columns: {columns}, align: ({', '.join(aligns)},), {', '.join(cells)})"
        if columns > SMALL_TABLE_COLUMNS:
            self.notices.append(
                Notice(
                    gettext_lazy("a table of %(columns)s columns is set in small type to fit the page."),
                    {"columns": columns},
                )
            )
            return f"#text(size: 0.75em)[{table}]"
        return table

    def table_as_paragraphs(self, rows: list[tuple[bool, list[SyntaxTreeNode]]]) -> str:
        headers = [self.inlines(cell) for cell in rows[0][1]] if rows[0][0] else []
        paragraphs = []
        for is_header, row in rows:
            if is_header:
                continue
            pairs = []
            for n, cell in enumerate(row):
                name = headers[n] if n < len(headers) and headers[n] else str(n + 1)
                # A name stays on the line of its value, and a separator at the end of a line, not the start.
                pairs.append(f"#strong[{name}]\\:\u00a0{self.inlines(cell)}")
            paragraphs.append("\u00a0· ".join(pairs))
        return "#block[" + "\n\n".join(paragraphs) + "]"

    # Inlines

    def inlines(self, node: SyntaxTreeNode) -> str:
        """The inline content of a block (a paragraph, heading or cell holds an ``inline`` node whose children are
        the inline tokens; a footnote's last paragraph also holds the plugin's back-references, which a printed
        note does not need) or of an inline container (emphasis, link)."""
        if node.children and node.children[0].type == "inline":
            children = [child for inline in node.children if inline.type == "inline" for child in inline.children]
        else:
            children = node.children
        return "".join(self.inline(child) for child in children)

    def inline(self, node: SyntaxTreeNode) -> str:
        kind = node.type
        if kind in ("text", "text_special"):
            text, longest = break_long_words(node.content)
            self.longest_word = max(self.longest_word, longest)
            return escape(text)
        if kind == "softbreak":
            return "\n"
        if kind == "hardbreak":
            return "#linebreak()"
        if kind == "code_inline":
            code, longest = break_long_words(node.content)
            self.longest_word = max(self.longest_word, longest)
            return f"#raw({string(code)})"
        if kind == "em":
            return f"#emph[{self.inlines(node)}]"
        if kind == "strong":
            return f"#strong[{self.inlines(node)}]"
        if kind == "s":
            return f"#strike[{self.inlines(node)}]"
        if kind == "link":
            return self.link(node)
        if kind == "image":
            return self.image(node)
        if kind == "citation":
            return self.citation(node)
        if kind == "footnote_ref":
            return self.footnote_ref(node)
        # html_inline cannot occur (raw HTML is off); anything unforeseen is kept as its text.
        return escape(node.content)

    def link(self, node: SyntaxTreeNode) -> str:
        content = self.inlines(node)
        href = str(node.attrs.get("href", ""))
        scheme = href.split(":", 1)[0].lower() if ":" in href else ""
        # Only the schemes the HTML pages allow become links; anything else (javascript:, a path on our server that
        # means nothing in a PDF) is shown as its text.
        if scheme not in markdown.URL_SCHEMES:
            return content
        return f"#link({string(href)})[{content}]"

    def image(self, node: SyntaxTreeNode) -> str:
        # An image is never fetched (it could change after publication, or track the reader), and an edition
        # holds no image files: the reader gets its description.
        src = str(node.attrs.get("src", ""))
        alt = "".join(child.content for child in node.walk() if child.type in ("text", "code_inline")).strip()
        self.notices.append(
            Notice(
                gettext_lazy('the image "%(image)s" is not included; its description is shown instead.'),
                {"image": src[:80] + ("…" if len(src) > 80 else "")},
            )
        )
        description = _("[Image: %(description)s]") % {"description": alt or src}
        return f"#emph[{escape(break_long_words(description)[0])}]"

    def citation(self, node: SyntaxTreeNode) -> str:
        ref: CitationRef = node.meta["ref"]
        target = self.resolve(ref) if self.resolve else None
        if target is None:
            return escape(node.content)
        if target.anchor:
            return f"#link(label({string(label_name(target.anchor))}))[{escape(target.label)}]"
        return escape(target.label)

    # Footnotes

    def collect_footnotes(self, block: SyntaxTreeNode) -> None:
        for note in block.children:
            if note.type == "footnote":
                self.footnotes[int(note.meta["id"])] = list(note.children)

    def footnote_ref(self, node: SyntaxTreeNode) -> str:
        number = int(node.meta["id"])
        name = f"fn-{self.anchor}-{number}"
        if number in self.open_footnotes:
            return ""  # a note that refers to itself: once is enough
        if number in self.written_footnotes:
            # A second call of the same note shows its number again. (Not the parser's "subId": a first call inside
            # an image's description is not typeset, and a label that does not exist would stop Typst.)
            return f"#footnote(label({string(name)}))"
        self.written_footnotes.add(number)
        self.open_footnotes.add(number)
        content = self.blocks(self.footnotes.get(number, []))
        self.open_footnotes.discard(number)
        # Notes are set at the foot of the page, in the page's direction, not the text's: an isolate in the text's
        # direction keeps an Arabic note's full stop at its end in an English edition (and the reverse).
        isolate = RIGHT_TO_LEFT_ISOLATE if self.direction == "rtl" else LEFT_TO_RIGHT_ISOLATE
        return f"#footnote[{isolate}{content}{POP_DIRECTIONAL_ISOLATE}]#label({string(name)})"
