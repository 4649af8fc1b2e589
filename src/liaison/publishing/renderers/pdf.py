"""The PDF edition, typeset by Typst: cover, contents, running heads and page numbers, one section per item with real
footnotes, in every script the federation writes (Latin, Cyrillic, Greek, Chinese/Japanese/Korean, Arabic).

The layout is ``typst/edition.typ``; this module converts each item's Markdown to Typst markup (``typst_markup``,
which escapes every character a contributor wrote), passes everything else as JSON data, and compiles. The result is
PDF/A-2a (archival, tagged, every character extractable) when it can be; the creation date is the edition's
``published_at``, so the same data gives the same bytes.

Fonts are read only from ``settings.PDF_FONT_DIRS`` (by default the Debian font packages under /usr/share/fonts) and
the few fonts built into the Typst package, never from the network nor from the rest of the system, so that what is
installed elsewhere on the machine cannot change an edition. A script with no font still gives a PDF (with boxes for
the missing letters, and no PDF/A), and the editor is told which script lacked a font.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import typst
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from django.conf import settings
from django.utils import translation as i18n
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison import languages
from liaison.editorial.markdown import CitationRef
from liaison.publishing import parsing, typst_markup
from liaison.publishing.edition import EditionData, ItemData
from liaison.publishing.renderers import Finish, Rendered, file_stem, in_background
from liaison.publishing.typst_markup import Citation

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/pdf"
FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"
PDF_STANDARD: Final = "a-2a"
TEMPLATE = resources.files("liaison.publishing") / "typst" / "edition.typ"

# The families that cover each script, best first: the Debian packages the project installs (fonts-dejavu-core and
# -extra, fonts-hosny-amiri, fonts-noto-cjk) and then the usual alternatives an operator may have instead. Libertinus
# Serif is built into the Typst package, so Latin, Cyrillic and Greek always have a font.
LATIN = ("DejaVu Serif", "Noto Serif", "Liberation Serif", "FreeSerif", "Libertinus Serif")
ARABIC = ("Amiri", "Noto Naskh Arabic", "Scheherazade New", "Noto Sans Arabic", "DejaVu Sans")
_CJK_OTHERS = ("Source Han Serif", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "AR PL UMing CN", "Droid Sans Fallback")
CJK = {
    "SC": ("Noto Serif CJK SC", "Noto Sans CJK SC", *_CJK_OTHERS),
    "TC": ("Noto Serif CJK TC", "Noto Sans CJK TC", "AR PL UMing TW", "Noto Serif CJK SC", *_CJK_OTHERS),
    "HK": ("Noto Serif CJK HK", "Noto Sans CJK HK", "Noto Serif CJK TC", "Noto Serif CJK SC", *_CJK_OTHERS),
    "JP": ("Noto Serif CJK JP", "Noto Sans CJK JP", "IPAexMincho", "IPAMincho", "Noto Serif CJK SC", *_CJK_OTHERS),
    "KR": ("Noto Serif CJK KR", "Noto Sans CJK KR", "UnBatang", "NanumMyeongjo", "Noto Serif CJK SC", *_CJK_OTHERS),
}
ALL_CJK = tuple(dict.fromkeys(name for names in CJK.values() for name in names))

SCRIPTS: dict[str, tuple[re.Pattern[str], tuple[str, ...], Promise]] = {
    "latin": (re.compile(r"[A-Za-z\u00c0-\u024f]"), LATIN, gettext_lazy("Latin")),
    "cyrillic": (re.compile(r"[\u0400-\u052f]"), LATIN, gettext_lazy("Cyrillic")),
    "greek": (re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]"), LATIN, gettext_lazy("Greek")),
    "arabic": (
        re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
        ARABIC,
        gettext_lazy("Arabic"),
    ),
    "cjk": (
        re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"),
        ALL_CJK,
        gettext_lazy("Chinese, Japanese and Korean"),
    ),
}


@dataclass
class _Notes:
    """The warnings for the editor: formatted after the PDF is built, in the editor's language, not the edition's."""

    entries: list[tuple[Promise, dict[str, Any]]] = field(default_factory=list)

    def add(self, message: Promise, **params: Any) -> None:
        self.entries.append((message, params))

    def texts(self) -> list[str]:
        return [str(message) % {k: str(v) for k, v in params.items()} for message, params in self.entries]


@dataclass(frozen=True)
class _Fonts:
    book: typst.Fonts
    families: frozenset[str]


@cache
def _fonts(dirs: tuple[str, ...]) -> _Fonts:
    # Scanning the folders takes a moment (the CJK collections are large): once per process and configuration.
    paths = [d for d in dirs if Path(d).is_dir()]
    book = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=paths)
    return _Fonts(book, frozenset(book.families()))


def prepare(data: EditionData) -> Finish:
    """The PDF in two steps: the Typst source and data, made now (Python's work), and what typesets them (Typst's,
    which lets go of the interpreter's lock), returned to be called in a helper thread while the other formats
    render. ``render`` is the two at once."""
    notes = _Notes()
    fonts = _fonts(tuple(str(d) for d in settings.PDF_FONT_DIRS))
    _check_scripts(data, fonts, notes)
    with i18n.override(data.language):
        edition = _edition(data, fonts)
        bodies = [_body(data, item, notes) for item in data.items]

    def typeset() -> Rendered:
        pdf = _compile(edition, bodies, data, fonts, notes)
        path = f"{file_stem(data)}.pdf"
        return Rendered(files={path: pdf}, warnings=notes.texts(), media_types={path: MEDIA_TYPE})

    return typeset


@in_background(prepare)
def render(data: EditionData) -> Rendered:
    return prepare(data)()


# Fonts and languages


def _check_scripts(data: EditionData, fonts: _Fonts, notes: _Notes) -> None:
    text = "\n".join(
        [data.federation, data.periodical, data.title]
        + [part for item in data.items for part in (item.title, item.body, item.signature, item.section)]
    )
    for pattern, families, name in SCRIPTS.values():
        if pattern.search(text) and not fonts.families.intersection(families):
            notes.add(
                gettext_lazy(
                    "No font for the %(script)s script was found in %(folders)s: its letters may show as empty boxes "
                    "in the PDF. Install one (for example %(font)s)."
                ),
                script=name,
                folders=", ".join(str(d) for d in settings.PDF_FONT_DIRS),
                font=families[0],
            )


def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(languages.normalize(code), sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _typst_language(code: str) -> tuple[str, str | None]:
    """Typst's ``lang`` (an ISO 639 code, which it requires) and ``region`` for a language code."""
    locale = _locale(code)
    lang = locale.language if locale else languages.normalize(code).split("-")[0]
    if not re.fullmatch(r"[a-z]{2,3}", lang or ""):
        lang = "en"
    region = locale.territory if locale and locale.territory and len(locale.territory) == 2 else None
    return lang, region


def _cjk_variant(code: str) -> str:
    locale = _locale(code)
    if locale is None:
        return "SC"
    if locale.language == "ja":
        return "JP"
    if locale.language == "ko":
        return "KR"
    if locale.territory == "HK":
        return "HK"
    if locale.script == "Hant" or locale.territory in ("TW", "MO"):
        return "TC"
    return "SC"


def _font_stack(fonts: _Fonts, language: str, direction: str) -> list[Any]:
    """The fonts for a text in ``language``, in Typst's terms: each character is set in the first that has it."""

    def available(names: Iterable[str]) -> list[str]:
        return [name for name in names if name in fonts.families]

    latin, arabic, cjk = available(LATIN), available(ARABIC), available(CJK[_cjk_variant(language)])
    lang = _typst_language(language)[0]
    if direction == "rtl":
        return list(dict.fromkeys(arabic + latin + cjk))
    if lang in ("zh", "ja", "ko") and latin:
        # Latin letters in a Chinese text come from the Latin font, but the punctuation (full-width commas, quotes)
        # from the CJK one, as Chinese typesetting wants.
        return [{"name": latin[0], "covers": "latin-in-cjk"}, *dict.fromkeys(cjk + latin + arabic)]
    return list(dict.fromkeys(latin + arabic + cjk))


# Data for the template


def _anchor(ref: str) -> str:
    return "item-" + typst_markup.label_name(ref)


def _date(data: EditionData) -> str:
    locale = _locale(data.language) or Locale("en")
    return format_date(data.date, "long", locale=locale)


def _language_name(code: str, in_language: str) -> str:
    """A language's name as written inside a sentence ("traduit du russe": Babel's case, not a label's capital)."""
    locale, reader = _locale(code), _locale(in_language) or Locale("en")
    return (locale.get_display_name(reader) if locale else None) or languages.display_name(code, in_language)


def _short(text: str) -> str:
    """A name or title with break opportunities in words too long for a line."""
    return typst_markup.break_long_words(text)[0]


def _bidi(text: str, direction: str) -> str:
    """``text`` as shown among words written in ``direction``: isolated (Unicode's first-strong isolate) when it
    holds letters written the other way. Without it an Arabic title in a contents line written left to right takes
    the dots and page number after it into its own direction."""
    other = ("R", "AL") if direction == "ltr" else ("L",)
    if any(unicodedata.bidirectional(char) in other for char in text):
        return FIRST_STRONG_ISOLATE + text + POP_DIRECTIONAL_ISOLATE
    return text


def _edition(data: EditionData, fonts: _Fonts) -> dict[str, Any]:
    lang, region = _typst_language(data.language)
    refs = {item.ref for item in data.items}
    number = _("No. %(number)s") % {"number": data.number}

    def shown(text: str) -> str:
        # Even an interface string may be written the other way: a language without a catalogue falls back to
        # English, and an English sentence in an Arabic edition must still end with its full stop on the right.
        return _bidi(text, data.direction)

    correction = None
    if data.version > 1:
        correction = _("Corrected edition (version %(version)s).") % {"version": data.version}
        if data.correction:
            correction += " " + shown(data.correction)

    return {
        "federation": shown(_short(data.federation)),
        "periodical": shown(_short(data.periodical)),
        "title": data.title,
        "number": shown(number),
        "running_head": shown(f"{shown(data.periodical)} · {number}"),
        "date": shown(_date(data)),
        "lang": lang,
        "region": region,
        "dir": data.direction,
        "fonts": _font_stack(fonts, data.language, data.direction),
        "internal": None if data.public else shown(_("Internal bulletin: for members of the federation only.")),
        "correction": shown(correction) if correction else None,
        "contents": shown(_("Contents")),
        "cited_by": shown(_("Cited by:")),
        "items": [_item(data, item, fonts, refs) for item in data.items],
    }


def _item(data: EditionData, item: ItemData, fonts: _Fonts, refs: set[str]) -> dict[str, Any]:
    """An item's data for the template: its title in its own language, and the lines about it (kind, byline,
    translator, "cited by") in the edition's, with the names and titles in them isolated."""
    lang, region = _typst_language(item.language)

    def value(text: str) -> str:
        return _bidi(_short(text), data.direction)

    if item.signature == item.section:
        byline = value(item.section)
    else:
        byline = _("by %(signature)s, %(section)s") % {
            "signature": value(item.signature),
            "section": value(item.section),
        }
    translated = None
    if item.translated:
        original = _language_name(item.original_language, data.language)
        translated = (
            _("Translated from %(language)s by %(translator)s")
            % {"language": original, "translator": value(item.translator)}
            if item.translator
            else _("Translated from %(language)s") % {"language": original}
        )
    return {
        "anchor": _anchor(item.ref),
        # Shown in the item's direction (its heading) and in the edition's (the contents).
        "title": value(item.title),
        "kind": _bidi(item.kind_label, data.direction),
        "byline": _bidi(byline, data.direction),
        "translated": _bidi(translated, data.direction) if translated else None,
        "separator": item is not data.items[0],
        "lang": lang,
        "region": region,
        "dir": item.direction,
        "fonts": _font_stack(fonts, item.language, item.direction),
        "backlinks": [
            {
                "text": _bidi(f"{value(backlink.label)} ({value(backlink.title)})", data.direction),
                "anchor": _anchor(backlink.ref) if backlink.ref in refs else None,
            }
            for backlink in item.backlinks
        ],
    }


def _resolver(data: EditionData) -> typst_markup.CitationResolver:
    # Only an item that is in this PDF can be jumped to (Typst refuses a link to a label that does not exist).
    refs = {item.ref for item in data.items}

    def resolve(ref: CitationRef) -> Citation | None:
        target = data.citations.get(str(ref))
        if target is None:
            return None
        return Citation(target.label, _anchor(target.ref) if target.in_edition and target.ref in refs else None)

    return resolve


def _body(data: EditionData, item: ItemData, notes: _Notes) -> str:
    converted = typst_markup.convert(
        item.body,
        anchor=item.ref,
        resolve=_resolver(data),
        direction=item.direction,
        parsed=parsing.parsed(item.body, item.language),
    )
    for notice in converted.notices:
        notes.add(
            gettext_lazy('Item %(position)s ("%(title)s"): %(problem)s'),
            position=item.position,
            title=item.title,
            problem=notice,
        )
    return converted.markup


# Compiling


def _source(bodies: Sequence[str]) -> str:
    parts = [TEMPLATE.read_text(encoding="utf-8")]
    for n, body in enumerate(bodies):
        parts.append(f"#item(edition.items.at({n}))[\n{body}\n]\n")
    return "\n".join(parts)


def _typeset(source: str, edition: dict[str, Any], data: EditionData, fonts: _Fonts, standard: bool) -> bytes:
    # The template's folder is the root: the only files a document could read (nothing a contributor writes can
    # name a file, but a root there is no harm).
    compiler = typst.Compiler(root=Path(str(TEMPLATE)).parent, font_paths=fonts.book, ignore_system_fonts=True)
    pdf, warnings = compiler.compile_with_warnings(
        input=source.encode("utf-8"),
        format="pdf",
        sys_inputs={"edition": json.dumps(edition, ensure_ascii=False, sort_keys=True)},
        pdf_standards=[PDF_STANDARD] if standard else [],
        timestamp=data.published_at,
    )
    for warning in warnings:
        logger.info("Typst: %s (%s)", warning.message, data.identifier)
    assert isinstance(pdf, bytes)  # one file, since the format is PDF
    return pdf


def _compile(edition: dict[str, Any], bodies: list[str], data: EditionData, fonts: _Fonts, notes: _Notes) -> bytes:
    source = _source(bodies)
    try:
        return _typeset(source, edition, data, fonts, standard=True)
    except typst.TypstError as error:
        if "PDF/A" not in str(error.message):
            return _compile_plain(edition, data, fonts, notes, error)
        _not_archival(notes, error)
    return _typeset(source, edition, data, fonts, standard=False)


def _not_archival(notes: _Notes, error: typst.TypstError) -> None:
    # PDF/A forbids a character that no font can show (Typst names the first one): the PDF is made without PDF/A,
    # with a box for each such character.
    missing = re.findall(r'the text `"(.*?)"` could not be displayed', str(error.message))
    if missing:
        notes.add(
            gettext_lazy(
                'No installed font has some characters (such as "%(characters)s", %(script)s): they show as empty '
                "boxes, and the PDF is not an archival PDF/A."
            ),
            characters=missing[0],
            script=_script_name(missing[0]),
        )
    else:
        notes.add(gettext_lazy("The PDF is not an archival PDF/A: %(reason)s"), reason=error.message)


def _script_name(text: str) -> Promise | str:
    for pattern, _families, name in SCRIPTS.values():
        if pattern.search(text):
            return name
    return unicodedata.name(text[:1], "?").split(" ")[0].title()


def _compile_plain(
    edition: dict[str, Any], data: EditionData, fonts: _Fonts, notes: _Notes, error: typst.TypstError
) -> bytes:
    # A bug of ours, since every text is escaped; the edition is still published, each item's text as written.
    logger.error("Typst could not typeset %s: %s %s", data.identifier, error.message, error.diagnostic)
    notes.add(
        gettext_lazy("The PDF could not be typeset with its formatting (%(reason)s); it shows the texts as written."),
        reason=error.message,
    )
    source = _source([typst_markup.plain(item.body) for item in data.items])
    try:
        return _typeset(source, edition, data, fonts, standard=True)
    except typst.TypstError as second:
        if "PDF/A" not in str(second.message):
            raise
        _not_archival(notes, second)
    return _typeset(source, edition, data, fonts, standard=False)
