"""``liaison demo`` loads a whole demo federation into an empty database, once."""

from __future__ import annotations

from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from liaison.editorial import signals as editorial_signals
from liaison.federation import services
from liaison.federation.access import actor_for_user
from liaison.federation.models import EventKind, Federation, Person, Region, Section, SectionStatus
from liaison.periodicals.models import Issue, Periodical
from liaison.translations import services as translations
from liaison.translations.models import GlossaryTerm, Translation

pytestmark = pytest.mark.django_db


def _demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_it_loads_the_demo_federation() -> None:
    output = _demo()
    federation = Federation.objects.get()
    assert federation.working_languages == ["en", "fr", "de", "ru", "es"]
    assert set(Region.objects.values_list("name", flat=True)) == {"Europe", "The Americas", "Asia", "Africa"}
    assert Section.objects.count() >= 8
    assert Section.objects.filter(status=SectionStatus.SUSPENDED).exists()
    assert Periodical.objects.filter(section__isnull=True).count() == 2
    assert "Demo logins" in output
    for username in ("editor", "correspondent", "translator", "reviewer", "member", "admin"):
        assert username in output
    assert "issue No. 1 is assembled" in output


def test_its_split_shows_on_both_sides() -> None:
    _demo()
    split = Section.objects.get(events__kind=EventKind.SPLIT_FROM)
    parent = split.events.get(kind=EventKind.SPLIT_FROM).other_section
    assert parent is not None
    assert any(event.section_id == split.pk for event in services.lineage(parent))


def test_each_login_has_its_role() -> None:
    _demo()
    actors = {p.user.username: actor_for_user(p.user) for p in Person.objects.filter(user__isnull=False)}
    assert actors["editor"].secretariat
    assert actors["correspondent"].correspondent_of
    assert actors["translator"].translator_languages == {"en", "fr", "de", "ru", "es"}
    # A second translator, so that translations are reviewed by someone who did not write them.
    assert actors["reviewer"].translator_languages == {"en", "fr", "es", "ru"}
    assert actors["member"].member_of and not actors["member"].correspondent_of


def test_it_records_who_held_the_editorial_role() -> None:
    _demo()
    import datetime

    early = services.editorial_holder_on(datetime.date(2019, 3, 1))
    assert early is not None and early.section is not None and early.section.name == "Section française"
    now = services.editorial_holder_on(datetime.date.today())
    assert now is not None and now.section is None


def test_it_loads_only_into_an_empty_database() -> None:
    _demo()
    sections, translations, terms = Section.objects.count(), Translation.objects.count(), GlossaryTerm.objects.count()
    assert translations and terms
    output = _demo()
    assert "already loaded" in output
    assert Section.objects.count() == sections
    assert (Translation.objects.count(), GlossaryTerm.objects.count()) == (translations, terms)


def test_it_says_when_there_are_no_demo_logins() -> None:
    with pytest.raises(CommandError, match="no demo accounts"):
        _demo("--logins-only")


def test_its_translations_need_no_signal_from_the_editorial_services() -> None:
    """The demo makes its translations due and marks the stale one itself, so it loads the same whether or not the
    translations app listens to the editorial services' signals."""
    with (
        mock.patch.object(editorial_signals.contribution_accepted, "send", return_value=[]),
        mock.patch.object(editorial_signals.contribution_saved, "send", return_value=[]),
    ):
        output = _demo()
    assert "Loaded" in output
    assert Translation.objects.filter(stale=True).count() == 1
    assert Translation.objects.filter(machine=True).count() == 1
    one = Issue.objects.get(periodical__slug="bulletin", number=1)
    assert set(translations.complete_languages(one)) == {"en", "fr", "de", "es"}


def test_with_publish_it_publishes_issue_one_in_every_complete_language(settings: Any, tmp_path: Any) -> None:
    from liaison.publishing.models import Edition, EditionStatus

    settings.PUBLISHED_DIR = tmp_path / "published"
    output = _demo("--publish")
    published = set(
        Edition.objects.filter(issue__number=1, status=EditionStatus.PUBLISHED).values_list("language", flat=True)
    )
    assert published == set(translations.complete_languages(Issue.objects.get(periodical__slug="bulletin", number=1)))
    assert published >= {"en", "fr", "de", "es"}
    assert (tmp_path / "published" / "bulletin" / "1" / "fr" / "v1" / "bulletin-1-fr.pdf").is_file()
    assert "Publishing issue No. 1" in output
