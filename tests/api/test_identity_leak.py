"""No API answer shows a person's identity to a role that may not see it, whatever the endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from liaison.federation import access
from liaison.federation.models import Person, SectionEvent
from liaison.federation.services import IDENTITY_FIELDS
from tests.api.conftest import API, post_json
from tests.conftest import PROTECTED_STRINGS, World


def every_answer(client: Client, world: World) -> list[str]:
    """Every endpoint, reads and writes, with the answers decoded (so escapes cannot hide a string)."""
    SectionEvent.objects.create(
        section=world.section_b, kind="split_from", date="2010-01-01", other_section=world.section_a
    )
    paths = ["/federation", "/regions", "/sections", "/sections/alpha", "/sections/beta", "/me", "/people"]
    paths += ["/sections/alpha/lineage", "/sections/beta/lineage"]
    paths += [f"/people/{person.pk}" for person in Person.objects.all()]
    responses = [client.get(f"{API}{path}") for path in paths]
    responses += [
        post_json(client, "/regions", {"name": "Asia"}),
        post_json(client, "/sections", {"name": "Gamma", "country": "DE", "region": "europe", "languages": ["de"]}),
        post_json(client, "/sections/alpha/events", {"kind": "suspended", "date": "2020-01-01"}),
        post_json(client, "/people", {"pseudonym": "Newcomer", "real_name": "Nina Hidden"}),
    ]
    return [json.dumps(response.json(), ensure_ascii=False) for response in responses]


def forbidden_strings(world: World, role: str) -> set[str]:
    """The identity values of the people ``role`` may not see, less any it may see (fixture values repeat)."""
    if role in ("anonymous", "norole"):
        return set(PROTECTED_STRINGS)
    actor = world.actor(role)
    hidden: set[str] = set()
    seen: set[str] = set()
    for person in Person.objects.all():
        values = {getattr(person, name) for name in IDENTITY_FIELDS} - {""}
        (seen if access.can_see_identity(actor, person) else hidden).update(values)
    return hidden - seen


@pytest.mark.parametrize("role", ["anonymous", "norole", "member", "corr_a", "corr_b", "translator"])
def test_no_answer_shows_an_identity_the_role_may_not_see(
    api_as: Callable[[str], Client], world: World, role: str
) -> None:
    forbidden = forbidden_strings(world, role)
    assert forbidden, "the fixture must hide something from every role tested here"
    for body in every_answer(api_as(role), world):
        for secret in forbidden:
            assert secret not in body, f"{role} sees {secret!r}"


@pytest.mark.parametrize("role", ["member", "corr_b", "translator"])
def test_hidden_identity_keys_are_absent(api_as: Callable[[str], Client], world: World, role: str) -> None:
    offline = api_as(role).get(f"{API}/people/{world.people['offline'].pk}")
    assert offline.status_code == 200
    assert not set(IDENTITY_FIELDS) & set(offline.json())
