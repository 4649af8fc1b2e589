"""Recording, changing and resuming through the API: what each call answers, what a refusal leaves unchanged, and
the addresses present for those who may read them (absent, not null, for anyone else, as in the People API)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.distribution import services, tasks
from liaison.distribution.models import Subscriber, SubscriptionChannel, SubscriptionState
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import API, post_json, subscription

ApiAs = Callable[[str], Client]


def patch(client: Client, subscriber: Subscriber, data: dict[str, Any]) -> Any:
    return client.patch(f"{API}/distribution/subscribers/{subscriber.pk}", data, content_type="application/json")


def details(subscriber: Subscriber) -> tuple[str, str, str, str]:
    found = Subscriber.objects.get(pk=subscriber.pk)
    return found.name, found.email, found.postal_address, found.language


def test_the_secretariat_records_an_organisation(api_as: ApiAs, world: World) -> None:
    data = {"kind": "organisation", "name": "Библиотека", "postal_address": "Невский 1", "language": "ru"}
    answer = post_json(api_as("editor"), "/distribution/subscribers", data)
    assert answer.status_code == 201
    body = answer.json()
    assert body["name"] == "Библиотека" and body["section"] is None
    assert (body["email"], body["postal_address"]) == ("", "Невский 1")  # shown: strings, empty when none


def test_a_correspondent_records_their_section_and_sees_its_addresses(api_as: ApiAs, world: World) -> None:
    data = {"kind": "section", "section": "beta", "email": "oficina@beta.example.org"}
    answer = post_json(api_as("corr_b"), "/distribution/subscribers", data)
    assert answer.status_code == 201
    assert answer.json()["email"] == "oficina@beta.example.org" and answer.json()["section"] == "beta"


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"kind": "section", "section": "nowhere"}, 404, "section"),
        ({"kind": "person", "person": 999999}, 404, "person"),
        ({"kind": "person", "email": "x@mailinator.com"}, 400, "email"),
        ({"kind": "organisation"}, 400, "name"),
        ({"kind": "planet", "name": "X"}, 422, None),
    ],
)
def test_refused_subscribers(api_as: ApiAs, world: World, data: dict, status: int, field: str | None) -> None:
    answer = post_json(api_as("editor"), "/distribution/subscribers", data)
    assert answer.status_code == status
    if field is not None:
        assert answer.json()["field"] == field and answer.json()["detail"]
    assert not Subscriber.objects.exists()


def test_a_correspondent_may_not_name_people(api_as: ApiAs, world: World) -> None:
    answer = post_json(api_as("corr_a"), "/distribution/subscribers", {"kind": "person", "person": 999999})
    assert answer.status_code == 403  # refused as a correspondent, without looking the person up
    assert not Subscriber.objects.exists()


def test_only_the_fields_sent_change(api_as: ApiAs, world: World, org: Subscriber) -> None:
    answer = patch(api_as("editor"), org, {"postal_address": "شارع النيل ٣"})
    assert answer.status_code == 200 and answer.json()["postal_address"] == "شارع النيل ٣"
    assert details(org) == ("Библиотека 図書館 مكتبة", "library@example.org", "شارع النيل ٣", "ru")
    assert patch(api_as("editor"), org, {"language": ""}).json()["language"] == ""  # empty clears
    assert details(org)[3] == ""


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"email": None}, 422, None),  # to clear, send ""; null is not a value
        ({"email": "x@mailinator.com"}, 400, "email"),
        ({"name": ""}, 400, "name"),
        ({"language": "xx-yy-zz"}, 400, "language"),
        ({"postal_address": "x" * 1001}, 422, None),
    ],
)
def test_refused_changes_change_nothing(
    api_as: ApiAs, world: World, org: Subscriber, data: dict, status: int, field: str | None
) -> None:
    before = details(org)
    answer = patch(api_as("editor"), org, data)
    assert answer.status_code == status
    if field is not None:
        assert answer.json()["field"] == field
    assert details(org) == before


def test_a_section_receiving_by_post_keeps_its_postal_address(
    api_as: ApiAs, world: World, bulletin: Periodical, section_a: Subscriber
) -> None:
    patch(api_as("corr_a"), section_a, {"postal_address": "Rua Augusta 1\nLisboa"})
    subscription(section_a, bulletin, channel=SubscriptionChannel.POST)
    answer = patch(api_as("corr_a"), section_a, {"postal_address": ""})
    assert answer.status_code == 400 and answer.json()["field"] == "postal_address"
    assert details(section_a)[2] == "Rua Augusta 1\nLisboa"


def test_the_addresses_are_absent_for_the_sections_members(api_as: ApiAs, world: World, section_a: Subscriber) -> None:
    patch(api_as("editor"), section_a, {"email": "bureau@alpha.example.org"})
    for role, shown in (("member", False), ("corr_a", True), ("editor", True)):
        body = api_as(role).get(f"{API}/distribution/subscribers/{section_a.pk}").json()
        assert ("email" in body, "postal_address" in body) == (shown, shown), role
        if shown:
            assert body["email"] == "bureau@alpha.example.org" and body["postal_address"] == ""


def test_resuming_through_the_api(api_as: ApiAs, world: World, bulletin: Periodical, member_sub: Subscriber) -> None:
    made = subscription(member_sub, bulletin)
    services.set_subscription_state(made, SubscriptionState.PAUSED, "550 no such mailbox")
    url = f"/distribution/subscriptions/{made.pk}/resume"
    assert post_json(api_as("corr_a"), url, {}).status_code == 404  # not theirs to see
    with tasks.quiet():
        answer = post_json(api_as("member"), url, {})
    assert answer.status_code == 200
    assert (answer.json()["state"], answer.json()["bounce_count"]) == ("active", 0)
    assert answer.json()["state_reason"].startswith("resumed by")
    again = post_json(api_as("member"), url, {})
    assert again.status_code == 409 and "Only a paused subscription" in again.json()["detail"]
