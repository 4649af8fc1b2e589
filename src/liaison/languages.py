"""Language codes: which are valid, how they are named, and which way they are written.

Codes are BCP 47 tags in the short form Django uses ("en", "fr", "pt-br"); Babel's locale data decides what is a
real language, so a typo such as "xx" or "english" is refused rather than stored.
"""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "ckb", "dv", "sd", "ug"})


def normalize(code: str) -> str:
    return code.strip().replace("_", "-").lower()


@cache
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def is_valid(code: str) -> bool:
    code = normalize(code)
    if not code or len(code) > 15:
        return False
    locale = _locale(code)
    # Babel also parses codes it can only guess at; a known display name is the sign of a real language.
    return locale is not None and bool(locale.get_display_name("en"))


def invalid_codes(codes: list[str]) -> list[str]:
    return [code for code in codes if not is_valid(code)]


def display_name(code: str, in_language: str | None = None) -> str:
    """The language's name in the reader's language ("Russe" for ``ru`` read in French)."""
    locale = _locale(normalize(code))
    if locale is None:
        return code
    reader = _locale(normalize(in_language or get_language() or "en")) or Locale("en")
    name = locale.get_display_name(reader) or code
    return name[:1].upper() + name[1:]


def direction(code: str) -> str:
    return "rtl" if normalize(code).split("-")[0] in RTL_LANGUAGES else "ltr"
