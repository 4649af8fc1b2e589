"""GET /api/v1/sections/{slug}/lineage and POST /sections/{slug}/events."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from liaison.federation.models import Section, SectionEvent, SectionStatus
from tests.api.conftest import API, post_json
from tests.conftest import World


def record(client: Client, slug: str, **event: Any) -> Any:
    return post_json(client, f"/sections/{slug}/events", event)


def test_it_records_an_event_and_applies_it(api_as: Callable[[str], Client], world: World) -> None:
    response = record(api_as("editor"), "beta", kind="suspended", date="2020-05-01", note="Dues unpaid")
    assert response.status_code == 201
    assert response.json() == {
        "kind": "suspended",
        "date": "2020-05-01",
        "other_section": None,
        "old_name": "",
        "new_name": "",
        "note": "Dues unpaid",
    }
    world.section_b.refresh_from_db()
    assert world.section_b.status == SectionStatus.SUSPENDED


def test_it_shows_a_split_from_both_sides(api_as: Callable[[str], Client], world: World) -> None:
    assert (
        record(api_as("editor"), "beta", kind="split_from", date="2010-03-01", other_section="alpha").status_code == 201
    )
    client = api_as("anonymous")
    beta = client.get(f"{API}/sections/beta/lineage").json()
    alpha = client.get(f"{API}/sections/alpha/lineage").json()
    assert [(e["kind"], e["other_section"]["slug"]) for e in beta] == [("split_from", "alpha")]
    assert [(e["kind"], e["other_section"]["slug"]) for e in alpha] == [("split_off", "beta")]


def test_a_merger_dissolves_and_shows_as_absorbed(api_as: Callable[[str], Client], world: World) -> None:
    assert (
        record(api_as("editor"), "beta", kind="merged_into", date="2015-01-01", other_section="alpha").status_code
        == 201
    )
    world.section_b.refresh_from_db()
    assert world.section_b.status == SectionStatus.DISSOLVED
    alpha = api_as("anonymous").get(f"{API}/sections/alpha/lineage").json()
    assert [(e["kind"], e["other_section"]["name"]) for e in alpha] == [("absorbed", "Section Beta")]


def test_it_records_a_rename_in_unicode(api_as: Callable[[str], Client], world: World) -> None:
    response = record(api_as("editor"), "alpha", kind="renamed", date="2012-06-01", new_name="Секция Альфа")
    assert response.status_code == 201
    assert (response.json()["old_name"], response.json()["new_name"]) == ("Section Alpha", "Секция Альфа")
    lineage = api_as("anonymous").get(f"{API}/sections/alpha/lineage")
    assert lineage.json()[0]["new_name"] == "Секция Альфа"
    assert api_as("anonymous").get(f"{API}/sections/alpha").json()["name"] == "Секция Альфа"


def test_it_lists_events_by_date(api_as: Callable[[str], Client], world: World) -> None:
    editor = api_as("editor")
    record(editor, "alpha", kind="suspended", date="2019-01-01")
    record(editor, "alpha", kind="applied", date="2001-01-01")
    record(editor, "alpha", kind="reinstated", date="2019-06-01")
    kinds = [e["kind"] for e in api_as("anonymous").get(f"{API}/sections/alpha/lineage").json()]
    assert kinds == ["applied", "suspended", "reinstated"]


def test_it_names_an_unknown_other_section(api_as: Callable[[str], Client], world: World) -> None:
    response = record(api_as("editor"), "beta", kind="split_from", date="2010-03-01", other_section="atlantis")
    assert response.status_code == 400
    assert "atlantis" in response.json()["detail"]
    assert response.json()["field"] == "other_section"
    assert not SectionEvent.objects.exists()


@pytest.mark.parametrize(
    ("event", "field", "words"),
    [
        ({"kind": "adhered", "date": "1999-12-31"}, "date", "founded on 2000-01-01"),
        ({"kind": "split_from", "date": "2010-01-01"}, "other_section", "Name the section"),
        ({"kind": "split_from", "date": "2010-01-01", "other_section": "beta"}, "other_section", "itself"),
        ({"kind": "renamed", "date": "2010-01-01", "new_name": "section ALPHA"}, "new_name", "already exists"),
        ({"kind": "renamed", "date": "2010-01-01", "new_name": "  "}, "new_name", "needs a name"),
    ],
)
def test_it_refuses_bad_events_and_saves_nothing(
    api_as: Callable[[str], Client], world: World, event: dict[str, Any], field: str, words: str
) -> None:
    before = SectionEvent.objects.count()
    response = post_json(api_as("editor"), "/sections/beta/events", event)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert words in response.json()["detail"]
    assert SectionEvent.objects.count() == before
    assert Section.objects.get(slug="beta").name == "Section Beta"
    assert Section.objects.get(slug="beta").status == SectionStatus.ADHERING


def test_it_refuses_an_event_in_the_future(api_as: Callable[[str], Client], world: World) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = record(api_as("editor"), "beta", kind="adhered", date=tomorrow.isoformat())
    assert response.status_code == 400
    assert not SectionEvent.objects.exists()


def test_it_refuses_an_unknown_kind_or_date_as_invalid_input(api_as: Callable[[str], Client], world: World) -> None:
    editor = api_as("editor")
    assert record(editor, "beta", kind="exploded", date="2010-01-01").status_code == 422
    assert record(editor, "beta", kind="adhered", date="yesterday").status_code == 422
    assert not SectionEvent.objects.exists()


def test_it_answers_404_for_an_unknown_section(api_as: Callable[[str], Client], world: World) -> None:
    assert api_as("anonymous").get(f"{API}/sections/nowhere/lineage").status_code == 404
    assert record(api_as("editor"), "nowhere", kind="adhered", date="2010-01-01").status_code == 404
