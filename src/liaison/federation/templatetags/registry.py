"""Template filters of the registry pages: language names in the reader's language, and their writing direction."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from liaison import languages

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    """``ru`` → "Russian" (or "Russe" for a reader of French)."""
    return languages.display_name(code)


@register.filter
def language_names(codes: Iterable[str]) -> str:
    return ", ".join(languages.display_name(code) for code in codes or ())


@register.filter
def language_dir(code: str) -> str:
    return languages.direction(code)
