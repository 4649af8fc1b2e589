"""The filters narrow a search: section, language, bulletin, kind and period; they never widen what one may see."""

from __future__ import annotations

import datetime
from typing import Any

from tests.search.conftest import (
    ENGLISH_TITLE,
    FRENCH_TITLE,
    GERMAN_LETTER_TITLE,
    GERMAN_TITLE,
    HOSTILE_TITLE,
    INTERNAL_TITLE,
    SPANISH_TITLE,
    Archive,
    find,
)

HAVRE = [FRENCH_TITLE, ENGLISH_TITLE, GERMAN_TITLE, SPANISH_TITLE]


def test_it_filters_by_language(world: Any, archive: Archive) -> None:
    anonymous = world.actor("anonymous")
    assert sorted(find(anonymous, "havre")) == sorted(HAVRE)
    assert find(anonymous, "havre", language="de") == [GERMAN_TITLE]
    assert find(anonymous, "havre", language="DE") == [GERMAN_TITLE]
    assert find(anonymous, "havre", language="ru") == []


def test_it_filters_by_section(world: Any, archive: Archive) -> None:
    anonymous = world.actor("anonymous")
    assert find(anonymous, "tactics", section_id=world.section_b.pk) == [HOSTILE_TITLE]
    assert find(anonymous, "tactics", section_id=world.section_a.pk) == []
    assert sorted(find(anonymous, "havre", section_id=world.section_a.pk)) == sorted(HAVRE)


def test_it_filters_by_kind(world: Any, archive: Archive) -> None:
    anonymous = world.actor("anonymous")
    assert find(anonymous, "solidarität", kind="letter") == [GERMAN_LETTER_TITLE]
    assert find(anonymous, "solidarität", kind="report") == []
    assert find(anonymous, "tactics", kind="opinion") == [HOSTILE_TITLE]


def test_it_filters_by_bulletin(world: Any, archive: Archive) -> None:
    member = world.actor("member")
    assert find(member, "clandestine", periodical_id=archive.internal.pk) == [INTERNAL_TITLE]
    assert find(member, "clandestine", periodical_id=archive.bulletin.pk) == []
    assert find(member, "strike", periodical_id=archive.internal.pk) == []


def test_it_filters_by_period(world: Any, archive: Archive) -> None:
    anonymous = world.actor("anonymous")
    day = archive.issue.planned_date
    assert day == datetime.date(2030, 1, 1)
    after, before = day + datetime.timedelta(days=1), day - datetime.timedelta(days=1)
    assert find(anonymous, "strike", date_from=day, date_to=day) == [ENGLISH_TITLE]
    assert find(anonymous, "strike", date_from=before) == [ENGLISH_TITLE]
    assert find(anonymous, "strike", date_from=after) == []
    assert find(anonymous, "strike", date_to=before) == []


def test_filters_add_up(world: Any, archive: Archive) -> None:
    anonymous = world.actor("anonymous")
    day = archive.issue.planned_date
    assert find(
        anonymous,
        "havre",
        language="es",
        section_id=world.section_a.pk,
        kind="report",
        periodical_id=archive.bulletin.pk,
        date_from=day,
        date_to=day,
    ) == [SPANISH_TITLE]
    assert find(anonymous, "havre", language="es", kind="letter") == []
