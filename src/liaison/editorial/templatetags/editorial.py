"""Template helpers of the editorial pages: citations, deferral reasons, languages and the state of their editions,
and a readable diff of two texts.

The diff is built from ``difflib`` as data (rows of segments) and written out by a template, so that every character
of either text is escaped by Django's autoescaping: nothing a contribution contains reaches the page as markup.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from liaison import languages
from liaison.editorial import services
from liaison.editorial.models import DeferralReason, Item, State
from liaison.translations.models import TranslationState

register = template.Library()

# Lines of unchanged text kept around each change; longer unchanged runs are folded.
CONTEXT = 3
# Words, spaces and punctuation; each CJK character is a word of its own, as those scripts write no spaces.
TOKEN = re.compile(r"\s+|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|\w+|[^\w\s]")


@register.filter
def citation(item: Item) -> str:
    """``Bulletin No. 3, item 4``."""
    return services.citation_label(item)


@register.filter
def deferral_reason(code: str) -> str:
    return str(DeferralReason(code).label) if code in DeferralReason.values else code


@register.filter
def state_label(code: str) -> str:
    return str(State(code).label) if code in State.values else code


@register.filter
def language_autonym(code: str) -> str:
    """A language named in itself ("Русский" for ``ru``): how a reader finds their own language in a list."""
    return languages.display_name(code, in_language=code)


# What each item of an edition is waiting for (``translations.services.Coverage.status``).
COVERAGE_LABELS: dict[str, Any] = {
    "original": _("original"),
    "approved": _("approved"),
    "stale": _("out of date: the original changed"),
    "none": _("no translation yet"),
    **{state: label for state, label in TranslationState.choices},
}


@register.filter
def coverage_label(status: str) -> str:
    return str(COVERAGE_LABELS.get(status, status))


@register.filter
def lookup(mapping: dict[Any, Any], key: Any) -> Any:
    """``{{ errors|lookup:item.pk }}``: a dictionary's value for a key that is itself a variable."""
    return (mapping or {}).get(key, "")


Segment = tuple[bool, str]


@dataclass
class Row:
    kind: str  # "equal", "delete", "insert", "replace" or "fold"
    old_number: int | None = None
    old: list[Segment] = field(default_factory=list)
    new_number: int | None = None
    new: list[Segment] = field(default_factory=list)
    folded: int = 0


def _words(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            left.append((False, "".join(a[i1:i2])))
            right.append((False, "".join(b[j1:j2])))
        else:
            if i2 > i1:
                left.append((True, "".join(a[i1:i2])))
            if j2 > j1:
                right.append((True, "".join(b[j1:j2])))
    return left, right


def side_by_side(old: str, new: str, *, context: int = CONTEXT) -> list[Row]:
    """Rows of a side-by-side diff: changed lines paired, with the changed words marked within them."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[Row] = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            lines = list(range(i2 - i1))
            keep_head = context if index > 0 else 0
            keep_tail = context if index < len(opcodes) - 1 else 0
            if len(lines) > keep_head + keep_tail + 1:
                shown = [*lines[:keep_head], -1, *lines[len(lines) - keep_tail :]]
            else:
                shown = lines
            for offset in shown:
                if offset == -1:
                    rows.append(Row("fold", folded=len(lines) - keep_head - keep_tail))
                else:
                    text = [(False, a[i1 + offset])]
                    rows.append(Row("equal", i1 + offset + 1, text, j1 + offset + 1, list(text)))
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + k, j1 + k
            if i < i2 and j < j2:
                left, right = _words(a[i], b[j])
                rows.append(Row("replace", i + 1, left, j + 1, right))
            elif i < i2:
                rows.append(Row("delete", i + 1, [(True, a[i])]))
            else:
                rows.append(Row("insert", None, [], j + 1, [(True, b[j])]))
    return rows


@register.inclusion_tag("editorial/_diff.html")
def diff(old: str, new: str, old_label: str, new_label: str, caption: str = "") -> dict[str, Any]:
    rows = side_by_side(old or "", new or "")
    return {
        "rows": rows,
        "same": all(row.kind in ("equal", "fold") for row in rows),
        "old_label": old_label,
        "new_label": new_label,
        "caption": caption,
    }
