"""The pages at /tokens/: list one's tokens, create one (its secret shown once), revoke one."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.accounts.models import User
from liaison.api.models import ApiToken
from liaison.api.services import hash_key
from tests.api.conftest import API, bearer, make_token
from tests.conftest import World

SECRET = re.compile(r'value="(lsn_[^"]+)"')


def create(client: Client, name: str = "My script") -> str:
    response = client.post("/tokens/", {"name": name})
    assert response.status_code == 200
    match = SECRET.search(response.content.decode())
    assert match is not None
    return match.group(1)


def test_it_requires_login(client: Client, world: World) -> None:
    response = client.get("/tokens/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.post("/tokens/", {"name": "x"}).status_code == 302
    assert not ApiToken.objects.exists()


def test_it_lists_only_ones_own_tokens(client_as: Callable[[str], Client], world: World) -> None:
    make_token(world.users["corr_a"], name="Alpha's script")
    make_token(world.users["corr_b"], name="Beta's script")
    page = client_as("corr_a").get("/tokens/").content.decode()
    assert "Alpha&#x27;s script" in page
    assert "Beta&#x27;s script" not in page


def test_it_says_what_a_token_empowers_and_why_two_factor(client_as: Callable[[str], Client]) -> None:
    page = client_as("editor").get("/tokens/").content.decode()
    assert "two-factor" in page
    assert "secretariat" in page
    assert "You have no token yet" in page


def test_it_creates_a_token_and_shows_its_secret_once(client_as: Callable[[str], Client]) -> None:
    client = client_as("corr_a")
    response = client.post("/tokens/", {"name": "My script"})
    assert response.status_code == 200
    assert "Copy it now" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    secret = create(client, "Another")
    token = ApiToken.objects.get(name="Another")
    assert token.key_hash == hash_key(secret)
    listing = client.get("/tokens/").content.decode()
    assert secret not in listing
    assert token.prefix in listing
    assert Client(headers=bearer(secret)).get(f"{API}/me").json()["username"] == "corr_a"


def test_a_verified_editor_creates_a_token_with_secretariat_powers(client_as: Callable[[str], Client]) -> None:
    secret = create(client_as("editor"))
    assert Client(headers=bearer(secret)).get(f"{API}/me").json()["secretariat"] is True


def test_an_editor_without_second_factor_cannot_reach_the_page(client: Client, world: World) -> None:
    client.force_login(world.users["editor"])  # signed in, but no second factor in this session
    response = client.post("/tokens/", {"name": "script"})
    assert response.status_code == 302
    assert "/accounts/two-factor/" in response["Location"]
    assert not ApiToken.objects.exists()


def test_it_shows_a_form_error_for_a_missing_or_duplicate_name(client_as: Callable[[str], Client]) -> None:
    client = client_as("corr_a")
    assert client.post("/tokens/", {"name": ""}).status_code == 400
    create(client, "script")
    response = client.post("/tokens/", {"name": "Script"})
    assert response.status_code == 400
    assert "already have a token named" in response.content.decode()
    assert ApiToken.objects.count() == 1


def test_it_asks_before_revoking(client_as: Callable[[str], Client], world: World) -> None:
    make_token(world.users["corr_a"], name="script")
    token = ApiToken.objects.get()
    response = client_as("corr_a").get(f"/tokens/{token.pk}/revoke/")
    assert response.status_code == 200
    assert "cannot be undone" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_revokes_a_token(client_as: Callable[[str], Client], world: World) -> None:
    key = make_token(world.users["corr_a"], name="script")
    token = ApiToken.objects.get()
    client = client_as("corr_a")
    response = client.post(f"/tokens/{token.pk}/revoke/", follow=True)
    assert response.status_code == 200
    assert "is revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client(headers=bearer(key)).get(f"{API}/me").status_code == 401


def test_revoking_twice_keeps_the_first_date(client_as: Callable[[str], Client], world: World) -> None:
    make_token(world.users["corr_a"], name="script")
    first = timezone.now() - datetime.timedelta(days=3)
    ApiToken.objects.update(revoked_at=first)
    token = ApiToken.objects.get()
    client_as("corr_a").post(f"/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at == first


def test_it_hides_another_users_token(client_as: Callable[[str], Client], world: World) -> None:
    make_token(world.users["corr_b"], name="script")
    token = ApiToken.objects.get()
    client = client_as("corr_a")
    assert client.get(f"/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_needs_login(client: Client, world: World) -> None:
    make_token(world.users["corr_a"])
    token = ApiToken.objects.get()
    assert client.post(f"/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_admin_lists_tokens_but_cannot_create_one(world: World) -> None:
    superuser = User.objects.create_superuser(username="root", password="correct horse battery", email="r@example.org")
    device = TOTPDevice.objects.create(user=superuser, name="phone", confirmed=True)
    admin = Client()
    admin.force_login(superuser)
    session = admin.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    make_token(world.users["corr_a"], name="script")
    assert "script" in admin.get("/admin/api/apitoken/").content.decode()
    assert admin.get("/admin/api/apitoken/add/").status_code == 403
