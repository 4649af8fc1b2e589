"""The interface's catalogues are complete: every message of the source is in each language's catalogue, translated,
not fuzzy, with its placeholders and every plural form — a missing or doubtful string fails here, not in front of a
reader. English is the source language and needs no catalogue."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from django.test import Client
from django.utils.html import escape

import liaison
from tests.helpers import have_program, need

PACKAGE = Path(liaison.__file__).parent
LANGUAGES = ("fr", "de", "ru", "es")


def catalogue(root: Path, language: str) -> Catalog:
    with (root / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as po:
        return read_po(po, locale=language)


def translated(message: Message) -> bool:
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def keys(catalog: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_checked(language: str) -> None:
    catalog = catalogue(PACKAGE, language)
    untranslated = [m.id for m in catalog if m.id and not translated(m)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    # Babel's checkers: the same %-placeholders as the source, and as many plural forms as the language has.
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalog.check()]
    assert len(catalog) > 500, "the catalogue looks truncated"
    assert not untranslated, f"{len(untranslated)} untranslated in {language}: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {language}: {fuzzy[:10]}"
    assert not problems, f"{len(problems)} wrong in {language}: {problems[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pages_speak_each_language(client: Client, db: None, language: str) -> None:
    strings = {m.id: m.string for m in catalogue(PACKAGE, language)}
    html = client.get("/accounts/login/", headers={"accept-language": language}).content.decode()
    for source in ("Interface language", "Log in"):
        assert escape(str(strings[source])) in html, f"{language}: {source!r} not translated on the login page"


# Django's makemessages is run on a copy of the source, which it scans as a fresh checkout would be scanned.
EXTRACT = """
import django
from django.conf import settings
settings.configure(USE_I18N=True, INSTALLED_APPS=[], LOCALE_PATHS=[])
django.setup()
from django.core.management import call_command
call_command("makemessages", locale={languages!r}, no_obsolete=True, verbosity=0)
"""


@pytest.mark.xdist_group("locales")
def test_the_catalogues_hold_exactly_the_messages_of_the_source(tmp_path: Path) -> None:
    need(have_program("xgettext") and have_program("msgmerge"), "GNU gettext is missing (apt-get install gettext)")
    copy = tmp_path / "liaison"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
    subprocess.run(
        [sys.executable, "-c", EXTRACT.format(languages=list(LANGUAGES))], cwd=copy, check=True, capture_output=True
    )
    for language in LANGUAGES:
        source, committed = keys(catalogue(copy, language)), keys(catalogue(PACKAGE, language))
        missing, obsolete = sorted(source - committed, key=str), sorted(committed - source, key=str)
        hint = "run `cd src/liaison && liaison makemessages -a --no-obsolete` and translate what is new"
        assert not missing, f"{len(missing)} messages missing from {language}: {missing[:10]}; {hint}"
        assert not obsolete, f"{len(obsolete)} messages no longer used in {language}: {obsolete[:10]}; {hint}"
