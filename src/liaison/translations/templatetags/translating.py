"""Template helpers of the translators' pages: labels for states, blocks and history events."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import pgettext_lazy

from liaison.translations.models import EventKind, TranslationState

register = template.Library()

# What the side-by-side editor calls each block of a text.
BLOCK_KINDS: dict[str, Any] = {
    "heading": pgettext_lazy("text block", "heading"),
    "paragraph": pgettext_lazy("text block", "paragraph"),
    "item": pgettext_lazy("text block", "list item"),
    "quote": pgettext_lazy("text block", "quotation"),
    "table": pgettext_lazy("text block", "table"),
    "code": pgettext_lazy("text block", "code"),
    "rule": pgettext_lazy("text block", "horizontal rule"),
    "footnote": pgettext_lazy("text block", "footnote"),
}


@register.filter
def translation_state(code: str) -> str:
    return str(TranslationState(code).label) if code in TranslationState.values else code


@register.filter
def event_kind(code: str) -> str:
    return str(EventKind(code).label) if code in EventKind.values else code


@register.filter
def block_kind(code: str) -> str:
    return str(BLOCK_KINDS.get(code, code))


@register.filter
def lookup(mapping: dict[Any, Any], key: Any) -> Any:
    """``{{ errors|lookup:term.pk }}``: a dictionary's value for a key that is itself a variable."""
    return (mapping or {}).get(key, "")
