"""Token authentication: ``Authorization: Bearer <token>``, or anonymous without the header."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from liaison.api import services
from liaison.api.models import ApiToken
from liaison.errors import LiaisonError
from tests.api.conftest import API, bearer, make_token, post_json
from tests.conftest import World


def test_it_acts_as_the_token_account(api_as: Callable[[str], Client]) -> None:
    response = api_as("corr_a").get(f"{API}/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "corr_a"
    assert body["pseudonym"] == "Alpha Corr"
    assert body["correspondent_of"] == ["alpha"]
    assert body["secretariat"] is False
    assert body["token"]["name"] == "test"


def test_an_editor_token_carries_secretariat_powers(api_as: Callable[[str], Client]) -> None:
    assert api_as("editor").get(f"{API}/me").json()["secretariat"] is True


def test_it_reads_public_data_without_a_token(client: Client, world: World) -> None:
    assert client.get(f"{API}/sections").status_code == 200


def test_it_refuses_an_unknown_token_with_a_reason(client: Client, world: World) -> None:
    response = client.get(f"{API}/sections", headers=bearer("lsn_not-a-real-token"))
    assert response.status_code == 401
    assert response.json()["detail"] == "Unknown token."
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_refuses_a_revoked_token(client: Client, world: World) -> None:
    key = make_token(world.users["corr_a"])
    ApiToken.objects.update(revoked_at=timezone.now())
    response = client.get(f"{API}/sections", headers=bearer(key))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_it_refuses_a_token_of_a_disabled_account(client: Client, world: World) -> None:
    key = make_token(world.users["corr_a"])
    world.users["corr_a"].is_active = False
    world.users["corr_a"].save()
    response = client.get(f"{API}/me", headers=bearer(key))
    assert response.status_code == 401
    assert "disabled" in response.json()["detail"]


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc"])
def test_it_refuses_a_malformed_header_rather_than_reading_anonymous(client: Client, world: World, header: str) -> None:
    response = client.get(f"{API}/sections", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["detail"]


def test_it_needs_a_token_for_me(client: Client, world: World) -> None:
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_it_ignores_the_session_cookie(client_as: Callable[[str], Client]) -> None:
    # A signed-in browser is anonymous to the API: the cookie is no credential here, so there is nothing to forge.
    editor = client_as("editor")
    assert editor.get(f"{API}/me").status_code == 401
    assert post_json(editor, "/regions", {"name": "Asia"}).status_code == 401
    assert editor.get(f"{API}/people").status_code == 401


def test_it_needs_no_csrf_token_with_a_bearer_token(tokens: dict[str, str]) -> None:
    client = Client(enforce_csrf_checks=True, headers=bearer(tokens["editor"]))
    assert post_json(client, "/regions", {"name": "Asia"}).status_code == 201


def test_it_stores_only_a_hash_of_the_secret(world: World) -> None:
    key = make_token(world.users["corr_a"])
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix)
    assert key not in {token.name, token.prefix, token.key_hash}


def test_it_records_last_use_at_most_once_a_minute(client: Client, world: World) -> None:
    key = make_token(world.users["corr_a"])
    token = ApiToken.objects.get()
    assert token.last_used is None
    client.get(f"{API}/regions", headers=bearer(key))
    token.refresh_from_db()
    first = token.last_used
    assert first is not None
    client.get(f"{API}/regions", headers=bearer(key))
    token.refresh_from_db()
    assert token.last_used == first
    ApiToken.objects.update(last_used=first - datetime.timedelta(minutes=2))
    client.get(f"{API}/regions", headers=bearer(key))
    token.refresh_from_db()
    assert token.last_used is not None and token.last_used > first - datetime.timedelta(minutes=1)


def test_a_recently_used_token_costs_no_write(client: Client, world: World, django_assert_num_queries: Any) -> None:
    key = make_token(world.users["corr_a"])
    client.get(f"{API}/regions", headers=bearer(key))
    # token and account, person, roles, regions: reads only.
    with django_assert_num_queries(4) as captured:
        client.get(f"{API}/regions", headers=bearer(key))
    assert not any(q["sql"].lstrip().upper().startswith("UPDATE") for q in captured.captured_queries)


def test_create_token_returns_the_secret_once(world: World) -> None:
    token, secret = services.create_token(world.users["corr_a"], name="  My   script ")
    assert token.name == "My script"
    assert ApiToken.objects.get().key_hash == services.hash_key(secret)
    assert services.authenticate(secret) == token


def test_create_token_refuses_an_editor_without_second_factor(world: World) -> None:
    world.users["editor"].is_verified = lambda: False  # type: ignore[attr-defined]
    with pytest.raises(LiaisonError):
        services.create_token(world.users["editor"], name="script")
    assert not ApiToken.objects.exists()


def test_create_token_refuses_a_duplicate_or_empty_name(world: World) -> None:
    user = world.users["corr_a"]
    services.create_token(user, name="script")
    with pytest.raises(LiaisonError) as duplicate:
        services.create_token(user, name="SCRIPT")
    assert duplicate.value.field == "name"
    with pytest.raises(LiaisonError):
        services.create_token(user, name="   ")
    assert ApiToken.objects.count() == 1


def test_revoke_token_refuses_another_account(world: World) -> None:
    token, _secret = services.create_token(world.users["corr_a"], name="script")
    with pytest.raises(LiaisonError) as refused:
        services.revoke_token(world.users["corr_b"], token.pk)
    assert refused.value.status == 404
    token.refresh_from_db()
    assert token.revoked_at is None
