"""GET /api/v1/sections, /sections/{slug}, and POST /sections."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.federation.models import Person, Role, RoleKind, Section, SectionStatus
from liaison.periodicals.models import Frequency, Periodical
from tests.api.conftest import API, post_json
from tests.conftest import World

NEW_SECTION = {"name": "Section Gamma", "country": "de", "region": "europe", "languages": ["de", "fr"]}


def add_section(world: World, n: int) -> Section:
    section = Section.objects.create(
        name=f"Section {n}", slug=f"section-{n}", country="DE", region=world.europe, languages=["de"]
    )
    Periodical.objects.create(
        name=f"Paper {n}", slug=f"paper-{n}", section=section, language="de", frequency=Frequency.MONTHLY
    )
    person = Person.objects.create(pseudonym=f"Correspondent {n}")
    Role.objects.create(person=person, kind=RoleKind.CORRESPONDENT, section=section)
    return section


def test_it_lists_sections_with_their_details(api_as: Callable[[str], Client], world: World) -> None:
    Periodical.objects.create(
        name="La Voix", slug="la-voix", section=world.section_a, language="fr", frequency=Frequency.WEEKLY
    )
    response = api_as("anonymous").get(f"{API}/sections")
    assert response.status_code == 200
    alpha, beta = response.json()
    assert alpha == {
        "slug": "alpha",
        "name": "Section Alpha",
        "country": {"code": "FR", "name": "France"},
        "languages": ["fr"],
        "status": "adhering",
        "region": {"slug": "europe", "name": "Europe"},
        "periodicals": [{"slug": "la-voix", "name": "La Voix", "language": "fr", "frequency": "weekly"}],
        "correspondents": ["Alpha Corr"],
    }
    assert beta["slug"] == "beta"
    assert beta["correspondents"] == ["Beta Corr"]


def test_it_shows_only_current_correspondents(api_as: Callable[[str], Client], world: World) -> None:
    Role.objects.filter(person=world.people["corr_a"]).update(until=datetime.date(2021, 1, 1))
    alpha = api_as("anonymous").get(f"{API}/sections/alpha").json()
    assert alpha["correspondents"] == []


def test_it_filters_by_region_and_status(api_as: Callable[[str], Client], world: World) -> None:
    client = api_as("anonymous")
    assert [s["slug"] for s in client.get(f"{API}/sections", {"region": "americas"}).json()] == ["beta"]
    Section.objects.filter(slug="beta").update(status=SectionStatus.SUSPENDED)
    assert [s["slug"] for s in client.get(f"{API}/sections", {"status": "suspended"}).json()] == ["beta"]
    assert client.get(f"{API}/sections", {"status": "suspended", "region": "europe"}).json() == []


def test_it_refuses_an_unknown_filter(api_as: Callable[[str], Client], world: World) -> None:
    client = api_as("anonymous")
    unknown_region = client.get(f"{API}/sections", {"region": "atlantis"})
    assert unknown_region.status_code == 404
    assert unknown_region.json() == {"detail": "No region “atlantis”.", "field": "region"}
    assert client.get(f"{API}/sections", {"status": "sleeping"}).status_code == 422


def test_it_shows_one_section(api_as: Callable[[str], Client], world: World) -> None:
    response = api_as("anonymous").get(f"{API}/sections/beta")
    assert response.status_code == 200
    assert response.json()["country"] == {"code": "BR", "name": "Brazil"}


def test_it_answers_404_for_an_unknown_section(api_as: Callable[[str], Client], world: World) -> None:
    response = api_as("anonymous").get(f"{API}/sections/nowhere")
    assert response.status_code == 404
    assert response.json()["detail"] == "No section “nowhere”."


@pytest.mark.parametrize("extra", [0, 18])
def test_the_list_costs_the_same_queries_for_2_or_20_sections(
    api_as: Callable[[str], Client], world: World, django_assert_num_queries: Any, extra: int
) -> None:
    for n in range(extra):
        add_section(world, n)
    client = api_as("member")
    client.get(f"{API}/sections")
    with django_assert_num_queries(6):  # token, person, roles; sections, periodicals, correspondents
        response = client.get(f"{API}/sections")
    assert len(response.json()) == 2 + extra
    with django_assert_num_queries(6):
        client.get(f"{API}/sections", {"region": "europe", "status": "adhering"})


def test_it_creates_a_section(api_as: Callable[[str], Client], world: World) -> None:
    response = post_json(api_as("editor"), "/sections", NEW_SECTION)
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "section-gamma"
    assert body["country"]["code"] == "DE"
    assert body["status"] == "applicant"
    assert body["periodicals"] == body["correspondents"] == []
    section = Section.objects.get(slug="section-gamma")
    assert (section.region, section.languages) == (world.europe, ["de", "fr"])


@pytest.mark.parametrize("name", ["Российская секция", "中国支部", "القسم العربي"])
def test_unicode_names_round_trip(api_as: Callable[[str], Client], world: World, name: str) -> None:
    created = post_json(api_as("editor"), "/sections", {**NEW_SECTION, "name": name})
    assert created.status_code == 201
    slug = created.json()["slug"]
    fetched = api_as("anonymous").get(f"{API}/sections/{slug}")
    assert fetched.status_code == 200
    assert fetched.json()["name"] == name
    assert Section.objects.get(slug=slug).name == name


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"country": "XX"}, "country", "Unknown country code"),
        ({"languages": ["fr", "klingonish"]}, "languages", "Unknown language code: klingonish"),
        ({"languages": []}, "languages", "at least one language"),
        ({"name": "SECTION ALPHA"}, "name", "already exists"),
        ({"name": "section  alpha "}, "name", "already exists"),
        ({"region": "atlantis"}, "region", "No region “atlantis”"),
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(
    api_as: Callable[[str], Client], world: World, change: dict[str, Any], field: str, words: str
) -> None:
    before = Section.objects.count()
    response = post_json(api_as("editor"), "/sections", {**NEW_SECTION, **change})
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert words in response.json()["detail"]
    assert Section.objects.count() == before


def test_a_cyrillic_duplicate_is_caught_whatever_the_case(api_as: Callable[[str], Client], world: World) -> None:
    editor = api_as("editor")
    assert post_json(editor, "/sections", {**NEW_SECTION, "name": "Секция"}).status_code == 201
    response = post_json(editor, "/sections", {**NEW_SECTION, "name": "СЕКЦИЯ"})
    assert response.status_code == 400
    assert Section.objects.filter(name__icontains="екц").count() == 1
