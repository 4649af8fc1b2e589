"""API clients for each role of the ``world``: a test client sending that account's bearer token.

``api_as("anonymous")`` sends no token; ``api_as("norole")`` is an account that holds no role in the federation.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.accounts.models import User
from liaison.api.models import ApiToken
from liaison.api.services import KEY_START, PREFIX_LENGTH, hash_key
from tests.conftest import World

API = "/api/v1"
API_ROLES = ("anonymous", "norole", "member", "corr_a", "corr_b", "translator", "editor")


def make_token(user: Any, name: str = "test") -> str:
    """A token's secret, its row made directly (``create_token`` wants a session that passed two-factor login)."""
    key = KEY_START + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key))
    return key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def tokens(world: World) -> dict[str, str]:
    world.users["norole"] = User.objects.create_user(username="norole", password="correct horse battery")
    return {role: make_token(user) for role, user in world.users.items()}


@pytest.fixture
def api_as(tokens: dict[str, str]) -> Callable[[str], Client]:
    def make(role: str) -> Client:
        if role == "anonymous":
            return Client()
        return Client(headers=bearer(tokens[role]))

    return make


def post_json(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", data, content_type="application/json")
