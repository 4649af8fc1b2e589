"""GET and POST /api/v1/regions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.federation.models import Region
from tests.api.conftest import API, post_json
from tests.conftest import World


def test_it_lists_regions_in_order(api_as: Callable[[str], Client]) -> None:
    response = api_as("anonymous").get(f"{API}/regions")
    assert response.status_code == 200
    assert response.json() == [
        {"slug": "europe", "name": "Europe", "order": 1},
        {"slug": "americas", "name": "Americas", "order": 2},
    ]


def test_it_creates_a_region(api_as: Callable[[str], Client]) -> None:
    response = post_json(api_as("editor"), "/regions", {"name": "  Asia  ", "order": 3})
    assert response.status_code == 201
    assert response.json() == {"slug": "asia", "name": "Asia", "order": 3}
    assert Region.objects.filter(name="Asia", order=3).exists()


@pytest.mark.parametrize("name", ["Азия", "亚洲", "آسيا"])
def test_unicode_names_round_trip(api_as: Callable[[str], Client], name: str) -> None:
    created = post_json(api_as("editor"), "/regions", {"name": name})
    assert created.status_code == 201
    slug = created.json()["slug"]
    listed = {region["slug"]: region["name"] for region in api_as("anonymous").get(f"{API}/regions").json()}
    assert listed[slug] == name
    assert name in created.content.decode()  # UTF-8 as it is, not \\u escapes


def test_it_refuses_a_duplicate_name_whatever_the_case(api_as: Callable[[str], Client]) -> None:
    before = Region.objects.count()
    response = post_json(api_as("editor"), "/regions", {"name": "EUROPE"})
    assert response.status_code == 400
    assert response.json() == {"detail": "A region named “EUROPE” already exists.", "field": "name"}
    assert Region.objects.count() == before


def test_it_refuses_an_empty_name_or_a_negative_order(api_as: Callable[[str], Client]) -> None:
    editor = api_as("editor")
    empty = post_json(editor, "/regions", {"name": "   "})
    assert empty.status_code == 400
    assert empty.json()["field"] == "name"
    assert post_json(editor, "/regions", {"name": "Asia", "order": -1}).status_code == 422
    assert Region.objects.count() == 2


@pytest.mark.parametrize("extra", [0, 18])
def test_the_list_costs_the_same_queries_for_2_or_20_regions(
    api_as: Callable[[str], Client], django_assert_num_queries: Any, extra: int
) -> None:
    Region.objects.bulk_create(Region(name=f"Region {n}", slug=f"region-{n}", order=n) for n in range(extra))
    client = api_as("member")
    client.get(f"{API}/regions")  # the token's last use is recorded once, then not again within the minute
    with django_assert_num_queries(4):  # token, person, roles, regions
        response = client.get(f"{API}/regions")
    assert len(response.json()) == 2 + extra


def test_anonymous_list_costs_one_query(world: World, client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        client.get(f"{API}/regions")
