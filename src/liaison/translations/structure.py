"""A translation's Markdown against its original's: the structure check, the side-by-side alignment of blocks, and
the segmentation that lets a machine translate the words while the markup stays as it was.

All three read the same tokens as the renderer (editorial's markdown-it parser, with footnotes and citations), so what
counts as a footnote or a citation here is exactly what a reader will see as one.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from markdown_it.token import Token

# The renderer's own parser. TODO: import a public ``parse`` once editorial.markdown exposes one.
from liaison.editorial.markdown import _MD


def _parse(text: str) -> tuple[list[Token], dict[str, object]]:
    env: dict[str, object] = {}
    return _MD.parse(text or "", env), env


def _walk(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


# The structure check ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One way the translation's structure differs from the original's; ``code`` is for programs, ``message`` for
    people."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Shape:
    footnote_refs: Counter[str]
    footnote_defs: frozenset[str]
    inline_footnotes: int
    citations: Counter[str]
    headings: int
    lists: int
    list_items: int


def shape(text: str) -> Shape:
    tokens, env = _parse(text)
    refs: Counter[str] = Counter()
    citations: Counter[str] = Counter()
    inline_notes = headings = lists = items = 0
    for token in _walk(tokens):
        if token.type == "footnote_ref":
            label = token.meta.get("label")
            if label is None:
                inline_notes += 1
            else:
                refs[label] += 1
        elif token.type == "citation":
            citations[str(token.meta["ref"])] += 1
        elif token.type == "heading_open":
            headings += 1
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif token.type == "list_item_open":
            items += 1
    footnotes = env.get("footnotes")
    defined = footnotes.get("refs", {}) if isinstance(footnotes, dict) else {}
    # The plugin keys definitions ":label"; a definition nobody references is dropped from the page, but it is
    # still part of the text a translator must keep.
    defs = frozenset(key[1:] for key in defined)
    return Shape(refs, defs, inline_notes, citations, headings, lists, items)


def check_structure(original_md: str, translated_md: str) -> list[Problem]:
    """What the translation lost or added of the original's footnotes, citations, headings and lists."""
    a, b = shape(original_md), shape(translated_md)
    problems: list[Problem] = []
    for label in sorted(set(a.footnote_refs) - set(b.footnote_refs)):
        problems.append(
            Problem("footnote_missing", _("Footnote [^%(label)s] of the original is missing.") % {"label": label})
        )
    for label in sorted(set(b.footnote_refs) - set(a.footnote_refs)):
        problems.append(
            Problem("footnote_extra", _("Footnote [^%(label)s] is not in the original.") % {"label": label})
        )
    for label in sorted(set(a.footnote_refs) & set(b.footnote_refs)):
        if a.footnote_refs[label] != b.footnote_refs[label]:
            problems.append(
                Problem(
                    "footnote_count",
                    ngettext(
                        "Footnote [^%(label)s] is referred to %(a)s time in the original, %(b)s in the translation.",
                        "Footnote [^%(label)s] is referred to %(a)s times in the original, %(b)s in the translation.",
                        a.footnote_refs[label],
                    )
                    % {"label": label, "a": a.footnote_refs[label], "b": b.footnote_refs[label]},
                )
            )
    for label in sorted(a.footnote_defs - b.footnote_defs - (set(a.footnote_refs) - set(b.footnote_refs))):
        problems.append(
            Problem("footnote_text_missing", _("The text of footnote [^%(label)s] is missing.") % {"label": label})
        )
    for label in sorted(b.footnote_defs - a.footnote_defs - (set(b.footnote_refs) - set(a.footnote_refs))):
        problems.append(
            Problem("footnote_text_extra", _("Footnote text [^%(label)s] is not in the original.") % {"label": label})
        )
    if a.inline_footnotes != b.inline_footnotes:
        problems.append(
            Problem(
                "inline_footnotes",
                ngettext(
                    "The original has %(a)s inline footnote, the translation %(b)s.",
                    "The original has %(a)s inline footnotes, the translation %(b)s.",
                    a.inline_footnotes,
                )
                % {"a": a.inline_footnotes, "b": b.inline_footnotes},
            )
        )
    for ref in sorted(set(a.citations) - set(b.citations)):
        problems.append(
            Problem("citation_missing", _("Citation [[%(ref)s]] of the original is missing.") % {"ref": ref})
        )
    for ref in sorted(set(b.citations) - set(a.citations)):
        problems.append(Problem("citation_extra", _("Citation [[%(ref)s]] is not in the original.") % {"ref": ref}))
    # Whole sentences per kind, so that languages that inflect the noun by number and case can say it right.
    counted = (
        (
            "headings",
            a.headings,
            b.headings,
            ngettext(
                "The original has %(a)s heading, the translation %(b)s.",
                "The original has %(a)s headings, the translation %(b)s.",
                a.headings,
            ),
        ),
        (
            "lists",
            a.lists,
            b.lists,
            ngettext(
                "The original has %(a)s list, the translation %(b)s.",
                "The original has %(a)s lists, the translation %(b)s.",
                a.lists,
            ),
        ),
        (
            "list_items",
            a.list_items,
            b.list_items,
            ngettext(
                "The original has %(a)s list item, the translation %(b)s.",
                "The original has %(a)s list items, the translation %(b)s.",
                a.list_items,
            ),
        ),
    )
    for code, x, y, sentence in counted:
        if x != y:
            problems.append(Problem(code, sentence % {"a": x, "b": y}))
    return problems


# Blocks and their alignment --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A unit a translator works on: a paragraph, heading, list item, quote, table, code block, or footnote."""

    kind: str
    text: str
    label: str = ""


TOP_LEVEL = {
    "heading_open": "heading",
    "paragraph_open": "paragraph",
    "blockquote_open": "quote",
    "table_open": "table",
    "fence": "code",
    "code_block": "code",
    "hr": "rule",
}


def blocks(text: str) -> list[Block]:
    """The text's blocks in order, footnotes last (as the reader sees them), each as its Markdown source."""
    lines = (text or "").split("\n")
    tokens, _env = _parse(text)
    found: list[Block] = []
    footnote: str | None = None
    footnote_span: list[int] = []

    def source(start: int, end: int) -> str:
        return "\n".join(lines[start:end]).strip("\n")

    for token in tokens:
        if token.type == "footnote_open":
            footnote, footnote_span = token.meta.get("label"), []
            continue
        if token.type == "footnote_close":
            # Inline footnotes (^[...]) have no source lines of their own: they stay inside their paragraph.
            if footnote is not None and footnote_span:
                found.append(Block("footnote", source(min(footnote_span), max(footnote_span)), footnote))
            footnote = None
            continue
        if footnote is not None:
            if token.map:
                footnote_span.extend(token.map)
            continue
        if token.map is None:
            continue
        if token.level == 0 and token.type in TOP_LEVEL:
            found.append(Block(TOP_LEVEL[token.type], source(*token.map)))
        elif token.level == 1 and token.type == "list_item_open":
            found.append(Block("item", source(*token.map)))
    return found


@dataclass(frozen=True)
class Pair:
    """One row of the side-by-side editor; a side is None where the other text has no counterpart."""

    kind: str
    original: str | None
    translation: str | None
    label: str = ""

    @property
    def matched(self) -> bool:
        return self.original is not None and self.translation is not None


# What survives translation unchanged, and so tells which blocks belong together: footnote references,
# citations and numbers.
ANCHORS = re.compile(r"\[\^[^\]\s]+\]|\[\[[^\]]+\]\]|\d+")


def _key(block: Block) -> tuple[str, tuple[str, ...]]:
    return block.kind, tuple(ANCHORS.findall(block.text))


def _align(a: Sequence[Block], b: Sequence[Block]) -> list[Pair]:
    # Aligning on the sequence of kinds and anchors keeps an extra heading or a dropped paragraph from shifting every
    # row after it; where anchors differ too, blocks in the same place still face each other (the "replace" case).
    pairs: list[Pair] = []
    matcher = difflib.SequenceMatcher(None, [_key(x) for x in a], [_key(y) for y in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = a[i1:i2], b[j1:j2]
        if op == "equal":
            pairs.extend(Pair(x.kind, x.text, y.text) for x, y in zip(left, right, strict=True))
        elif op == "delete":
            pairs.extend(Pair(x.kind, x.text, None) for x in left)
        elif op == "insert":
            pairs.extend(Pair(y.kind, None, y.text) for y in right)
        else:
            # Blocks of other kinds in the same place (a paragraph made a list item): still each other's rows.
            for k in range(max(len(left), len(right))):
                x = left[k] if k < len(left) else None
                y = right[k] if k < len(right) else None
                kind = x.kind if x is not None else y.kind if y is not None else ""
                pairs.append(Pair(kind, x.text if x else None, y.text if y else None))
    return pairs


def paragraphs(original: str, translation: str) -> list[Pair]:
    """The original and the translation block by block, side by side; footnotes are matched by their label."""
    a, b = blocks(original), blocks(translation)
    pairs = _align([x for x in a if x.kind != "footnote"], [y for y in b if y.kind != "footnote"])
    theirs = {y.label: y for y in b if y.kind == "footnote"}
    ours = [x for x in a if x.kind == "footnote"]
    for x in ours:
        y = theirs.pop(x.label, None)
        pairs.append(Pair("footnote", x.text, y.text if y else None, x.label))
    pairs.extend(Pair("footnote", None, y.text, y.label) for y in theirs.values())
    return pairs


# Machine translation of Markdown ---------------------------------------------------------------------------------

# What a machine must not touch inside a line of text: citations, footnote references, code, link targets and URLs,
# emphasis markers. Everything between them is words, and only words are sent.
PROTECTED = re.compile(
    r"""
      \[\[[a-z0-9][a-z0-9-]*/\d{1,5}/\d{1,5}\]\]   # a citation
    | \[\^[^\]\s]+\]                                # a footnote reference
    | \^\[ | !\[ | \[                               # an inline footnote or a link text opens
    | \]\([^)\s]*(?:\s+"[^"]*")?\)                  # a link target closes
    | \]                                            # a bracket closes
    | (`+).*?\1                                     # inline code
    | <[a-z][a-z0-9+.-]*:[^>\s]*>                   # an autolink
    | https?://[^\s<>)\]]+                          # a bare URL
    | \*{1,3} | ~~ | (?<!\w)_{1,3} | _{1,3}(?!\w)   # emphasis markers
    | \\[\\`*_{}\[\]()#+\-.!|]                      # an escaped character
    """,
    re.VERBOSE,
)
HAS_WORDS = re.compile(r"[^\W\d_]")
HARD_BREAK = re.compile(r"( {2,}|\\)$")
TABLE_RULE = re.compile(r"^[\s|:\-]+$")
TABLE_CELL = re.compile(r"(?<!\\)\|")

Translate = Callable[[str], str]


def translate_inline(text: str, translate: Translate, cache: dict[str, str] | None = None) -> str:
    """Translate the words of one line of inline Markdown, keeping its markup, spacing and references as they are."""
    cache = {} if cache is None else cache
    out: list[str] = []
    position = 0

    def words(run: str) -> None:
        core = run.strip()
        if not HAS_WORDS.search(core):
            out.append(run)
            return
        if core not in cache:
            # A line break from the machine would split a paragraph in two: the structure must stay the original's.
            cache[core] = " ".join(translate(core).split())
        start = run[: len(run) - len(run.lstrip())]
        end = run[len(run.rstrip()) :]
        out.append(start + cache[core] + end)

    for match in PROTECTED.finditer(text):
        if match.start() > position:
            words(text[position : match.start()])
        out.append(match.group(0))
        position = match.end()
    if position < len(text):
        words(text[position:])
    return "".join(out)


def _translate_table(lines: list[str], start: int, end: int, translate: Translate, cache: dict[str, str]) -> None:
    for index in range(start, end):
        if TABLE_RULE.match(lines[index]):
            continue
        cells = TABLE_CELL.split(lines[index])
        lines[index] = "|".join(translate_inline(cell, translate, cache) for cell in cells)


def _translate_inline_token(
    lines: list[str], token: Token, translate: Translate, cache: dict[str, str], dropped: set[int]
) -> None:
    assert token.map is not None
    start = token.map[0]
    content = token.content.split("\n")
    # Where each content line sits in its source line: after the block's markers ("> ", "- ", "[^1]: ", "## ").
    places: list[tuple[str, str, str]] = []
    for offset, piece in enumerate(content):
        line = lines[start + offset] if start + offset < len(lines) else ""
        core = piece.strip()
        at = line.rfind(core) if core else -1
        if at < 0:
            return  # Not where expected: leave this block in the original rather than risk breaking it.
        places.append((line[:at], core, line[at + len(core) :]))
    # Lines joined into sentences translate far better; a hard line break stays one.
    group: list[int] = []
    for offset in range(len(places)):
        group.append(offset)
        last = offset == len(places) - 1
        brk = HARD_BREAK.search(content[offset]) if not last else None
        if not (brk or last):
            continue
        first = group[0]
        text = " ".join(places[k][1] for k in group)
        marker = brk.group(1) if brk else ""
        if marker == "\\":
            text = text[:-1].rstrip()
        suffix = places[group[-1]][2] if last else ""
        lines[start + first] = places[first][0] + translate_inline(text, translate, cache) + marker + suffix
        dropped.update(start + k for k in group[1:])
        group = []


def translate_markdown(source: str, translate: Translate) -> str:
    """The original with its words translated one block at a time, and every marker, footnote label, citation, code
    block and link target exactly where it was, so that ``check_structure`` finds nothing to object to."""
    lines = source.split("\n")
    tokens, _env = _parse(source)
    cache: dict[str, str] = {}
    dropped: set[int] = set()
    table_lines: set[int] = set()
    for token in _walk(tokens):
        if token.type == "table_open" and token.map:
            _translate_table(lines, token.map[0], token.map[1], translate, cache)
            table_lines.update(range(*token.map))
        elif token.type == "inline" and token.map and token.map[0] not in table_lines:
            _translate_inline_token(lines, token, translate, cache, dropped)
    return "\n".join(line for index, line in enumerate(lines) if index not in dropped)
