"""GET /api/v1/people, /people/{id} (members of the federation only) and POST /people (secretariat)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.federation.models import Person, Role, RoleKind
from tests.api.conftest import API, post_json
from tests.conftest import World

IDENTITY = {"real_name", "address", "phone", "notes"}


def identities_seen(client: Client) -> set[str]:
    """The pseudonyms whose identity keys are in the list's answer."""
    people = client.get(f"{API}/people").json()
    for person in people:
        assert set(person) >= IDENTITY or not IDENTITY & set(person), "identity keys come all together or not at all"
    return {person["pseudonym"] for person in people if set(person) >= IDENTITY}


def test_it_needs_a_token(api_as: Callable[[str], Client], world: World) -> None:
    client = api_as("anonymous")
    assert client.get(f"{API}/people").status_code == 401
    assert client.get(f"{API}/people/{world.people['offline'].pk}").status_code == 401


def test_it_is_for_members_of_the_federation(api_as: Callable[[str], Client], world: World) -> None:
    client = api_as("norole")
    response = client.get(f"{API}/people")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only members of the federation see its people."
    assert client.get(f"{API}/people/{world.people['offline'].pk}").status_code == 403


def test_a_member_sees_pseudonyms_and_roles(api_as: Callable[[str], Client], world: World) -> None:
    people = api_as("member").get(f"{API}/people").json()
    assert [p["pseudonym"] for p in people] == [
        "Alpha Corr",
        "Alpha Member",
        "Beta Corr",
        "Editor Pseud",
        "Quiet One",
        "Tongues",
    ]
    corr_b = next(p for p in people if p["pseudonym"] == "Beta Corr")
    assert corr_b == {
        "id": world.people["corr_b"].pk,
        "pseudonym": "Beta Corr",
        "roles": [
            {
                "kind": "correspondent",
                "section": {"slug": "beta", "name": "Section Beta"},
                "languages": [],
                "since": "2020-01-01",
                "until": None,
                "active": True,
            }
        ],
    }


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("member", {"Alpha Member"}),
        ("translator", {"Tongues"}),
        ("corr_a", {"Alpha Corr", "Alpha Member", "Quiet One"}),
        ("corr_b", {"Beta Corr"}),
        ("editor", {"Alpha Corr", "Alpha Member", "Beta Corr", "Editor Pseud", "Quiet One", "Tongues"}),
    ],
)
def test_identity_is_present_only_for_who_may_see_it(
    api_as: Callable[[str], Client], role: str, seen: set[str]
) -> None:
    assert identities_seen(api_as(role)) == seen


def test_the_detail_follows_the_same_rule(api_as: Callable[[str], Client], world: World) -> None:
    offline = world.people["offline"].pk
    assert api_as("corr_a").get(f"{API}/people/{offline}").json()["real_name"] == "Quentin Hidden"
    hidden = api_as("corr_b").get(f"{API}/people/{offline}").json()
    assert hidden["pseudonym"] == "Quiet One"
    assert not IDENTITY & set(hidden)


def test_an_ended_membership_ends_the_correspondents_sight(api_as: Callable[[str], Client], world: World) -> None:
    Role.objects.filter(person=world.people["offline"]).update(until=datetime.date(2021, 1, 1))
    person = api_as("corr_a").get(f"{API}/people/{world.people['offline'].pk}").json()
    assert person["roles"][0]["active"] is False
    assert not IDENTITY & set(person)


def test_an_ended_correspondent_role_sees_nothing_more(api_as: Callable[[str], Client], world: World) -> None:
    Role.objects.filter(person=world.people["corr_a"]).update(until=datetime.date(2021, 1, 1))
    Role.objects.create(person=world.people["corr_a"], kind=RoleKind.MEMBER, section=world.section_a)
    assert identities_seen(api_as("corr_a")) == {"Alpha Corr"}


def test_it_answers_404_or_422_for_a_bad_id(api_as: Callable[[str], Client], world: World) -> None:
    client = api_as("member")
    assert client.get(f"{API}/people/999999").status_code == 404
    assert client.get(f"{API}/people/abc").status_code == 422
    assert client.get(f"{API}/people/{2**70}").status_code == 422


@pytest.mark.parametrize("extra", [0, 18])
def test_the_list_costs_the_same_queries_for_few_or_many_people(
    api_as: Callable[[str], Client], world: World, django_assert_num_queries: Any, extra: int
) -> None:
    for n in range(extra):
        person = Person.objects.create(pseudonym=f"Person {n}", real_name=f"Real {n}")
        Role.objects.create(person=person, kind=RoleKind.MEMBER, section=world.section_a)
    client = api_as("corr_a")
    client.get(f"{API}/people")
    with django_assert_num_queries(5):  # token, person, roles; people, their roles with sections
        response = client.get(f"{API}/people")
    assert len(response.json()) == 6 + extra
    assert len(identities_seen(client)) == 3 + extra


def test_it_creates_a_person(api_as: Callable[[str], Client], world: World) -> None:
    response = post_json(
        api_as("editor"), "/people", {"pseudonym": "Newcomer", "real_name": "Nina New", "phone": "+7 495 000"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["pseudonym"] == "Newcomer"
    assert (body["real_name"], body["phone"], body["address"]) == ("Nina New", "+7 495 000", "")
    person = Person.objects.get(pk=body["id"])
    assert person.real_name == "Nina New"


@pytest.mark.parametrize("pseudonym", ["Товарищ Ка", "老张", "أبو علي"])
def test_unicode_pseudonyms_round_trip(api_as: Callable[[str], Client], world: World, pseudonym: str) -> None:
    created = post_json(api_as("editor"), "/people", {"pseudonym": pseudonym, "real_name": pseudonym + " real"})
    assert created.status_code == 201
    fetched = api_as("member").get(f"{API}/people/{created.json()['id']}").json()
    assert fetched["pseudonym"] == pseudonym
    assert "real_name" not in fetched


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"pseudonym": "alpha corr"}, "already taken"),
        ({"pseudonym": "   "}, "needs a pseudonym"),
        ({"pseudonym": "x" * 121}, "at most 120"),
    ],
)
def test_it_refuses_a_bad_pseudonym_and_saves_nothing(
    api_as: Callable[[str], Client], world: World, payload: dict[str, str], words: str
) -> None:
    before = Person.objects.count()
    response = post_json(api_as("editor"), "/people", payload)
    assert response.status_code == 400
    assert response.json()["field"] == "pseudonym"
    assert words in response.json()["detail"]
    assert Person.objects.count() == before
