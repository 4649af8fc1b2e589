"""A readable comparison of two revisions of a contribution: line by line, with the changed words marked.

Every piece of text is escaped here, so a page can show ``line.html`` as it is; the markup is only ``<ins>`` and
``<del>`` around changed words.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from liaison.editorial.models import Revision

Kind = Literal["same", "added", "removed", "gap"]

# Words and the spaces between them, so a changed word is marked without its neighbours.
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class DiffLine:
    """One line of the comparison. ``field`` is "title" or "body"; ``old``/``new`` are line numbers (1-based) in
    each text, None where the line is not in it; a "gap" stands for unchanged lines left out."""

    kind: Kind
    html: SafeString
    field: str = "body"
    old: int | None = None
    new: int | None = None


def _words(before: str, after: str) -> tuple[SafeString, SafeString]:
    """Both lines escaped, with the words only one of them has marked."""
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    old: list[str] = []
    new: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        left, right = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            old.append(left)
            new.append(right)
            continue
        if left:
            old.append(f"<del>{left}</del>")
        if right:
            new.append(f"<ins>{right}</ins>")
    return mark_safe("".join(old)), mark_safe("".join(new))  # every piece was escaped above


def diff_texts(before: str, after: str, *, field: str = "body", context: int | None = 3) -> list[DiffLine]:
    """Compare two texts line by line. ``context`` unchanged lines are kept around each change (None keeps all)."""
    if before == after:
        return []
    a, b = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    groups: list[list[tuple[str, int, int, int, int]]] = (
        [list(matcher.get_opcodes())] if context is None else list(matcher.get_grouped_opcodes(context))
    )
    lines: list[DiffLine] = []
    for index, group in enumerate(groups):
        if index or (group and (group[0][1] > 0 or group[0][3] > 0)):
            lines.append(DiffLine("gap", mark_safe("…"), field))
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                lines.extend(DiffLine("same", escape(a[i]), field, i + 1, j1 + (i - i1) + 1) for i in range(i1, i2))
                continue
            if op == "replace" and i2 - i1 == j2 - j1:
                # Line for line: mark the changed words, which is what a reader looks for.
                for offset in range(i2 - i1):
                    old, new = _words(a[i1 + offset], b[j1 + offset])
                    lines.append(DiffLine("removed", old, field, old=i1 + offset + 1))
                    lines.append(DiffLine("added", new, field, new=j1 + offset + 1))
                continue
            lines.extend(DiffLine("removed", escape(a[i]), field, old=i + 1) for i in range(i1, i2))
            lines.extend(DiffLine("added", escape(b[j]), field, new=j + 1) for j in range(j1, j2))
    if groups and groups[-1]:
        last = groups[-1][-1]
        if last[2] < len(a) or last[4] < len(b):
            lines.append(DiffLine("gap", mark_safe("…"), field))
    return lines


def diff_revisions(a: Revision, b: Revision, *, context: int | None = 3) -> list[DiffLine]:
    """What changed from revision ``a`` to revision ``b``: the title first (when it changed), then the text.

    Empty when both say the same. Each line's ``html`` is escaped and safe to show as it is."""
    lines: list[DiffLine] = []
    if a.title != b.title:
        lines.extend(diff_texts(a.title, b.title, field="title", context=None))
    lines.extend(diff_texts(a.body, b.body, field="body", context=context))
    return lines


def diff_html(a: Revision, b: Revision, *, context: int | None = 3) -> SafeString:
    """The comparison as one HTML fragment (a list of lines with classes ``same``, ``added``, ``removed``, ``gap``)."""
    rows = [
        f'<li class="diff-{line.kind} diff-{line.field}">{line.html}</li>'
        for line in diff_revisions(a, b, context=context)
    ]
    return mark_safe(f'<ol class="diff">{"".join(rows)}</ol>')  # each line was escaped
