"""The second factor: TOTP codes from an authenticator app, required of secretariat editors and superusers."""

from __future__ import annotations

import base64
import datetime
import re
import time

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.accounts.models import User

PAGE = "/accounts/two-factor/"


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


@pytest.fixture
def unverified_editor(world) -> Client:
    """The editor after the password, before the code."""
    client = Client()
    client.force_login(world.users["editor"])
    return client


@pytest.fixture
def admin(world) -> User:
    return User.objects.create_superuser(username="admin", email="admin@example.org", password="x")


def is_verified(client: Client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def test_it_sends_anonymous_visitors_to_login(client, world):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/?next=")


def test_it_holds_an_unverified_editor_at_the_two_factor_page(unverified_editor):
    response = unverified_editor.get("/people/?a=1&b=2")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{PAGE}?next=%2Fpeople%2F%3Fa%3D1%26b%3D2"


@pytest.mark.parametrize("role", ["member", "corr_a", "corr_b", "translator"])
def test_it_does_not_hold_roles_that_need_no_second_factor(client_as, role):
    assert client_as(role).get("/accounts/me/").status_code == 200


def test_it_asks_an_editor_with_a_device_for_the_code(unverified_editor):
    response = unverified_editor.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_code">' in html
    assert "data:image/svg+xml" not in html  # no new set-up: that would let a password replace the second factor
    assert TOTPDevice.objects.count() == 1


def test_it_accepts_the_right_code(world, unverified_editor):
    device = world.devices["editor"]
    response = unverified_editor.post(f"{PAGE}?next=/accounts/password/", {"code": code_for(device)}, follow=True)
    assert response.redirect_chain == [("/accounts/password/", 302)]
    assert "Code accepted." in response.content.decode()
    assert is_verified(unverified_editor)
    assert unverified_editor.get("/accounts/me/").status_code == 200


def test_it_refuses_a_wrong_code(world, unverified_editor):
    device = world.devices["editor"]
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = unverified_editor.post(PAGE, {"code": wrong})
    assert response.status_code == 200
    assert "This code is not right." in response.content.decode()
    assert not is_verified(unverified_editor)
    assert unverified_editor.get("/accounts/me/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_it_refuses_a_code_that_is_not_six_digits(world, unverified_editor):
    response = unverified_editor.post(PAGE, {"code": "12ab56"})
    assert "Enter the 6-digit code" in response.content.decode()
    world.devices["editor"].refresh_from_db()
    assert world.devices["editor"].throttling_failure_count == 0


def test_it_throttles_guesses(world, unverified_editor):
    device = world.devices["editor"]
    unverified_editor.post(PAGE, {"code": "000000" if code_for(device) != "000000" else "111111"})
    response = unverified_editor.post(PAGE, {"code": code_for(device)})
    assert "Too many wrong codes in a row. Wait 1 second," in response.content.decode()
    assert not is_verified(unverified_editor)
    # Once the wait is over, the right code goes through.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=1)
    )
    unverified_editor.post(PAGE, {"code": code_for(device)})
    assert is_verified(unverified_editor)


def test_it_refuses_the_same_code_twice(world, unverified_editor):
    device = world.devices["editor"]
    code = code_for(device)
    unverified_editor.post(PAGE, {"code": code})
    other = Client()
    other.force_login(world.users["editor"])
    response = other.post(PAGE, {"code": code})
    assert "This code is not right." in response.content.decode()
    assert not is_verified(other)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "http://testserver.evil.example/"])
def test_it_ignores_a_next_to_another_site(world, unverified_editor, target):
    response = unverified_editor.post(PAGE, {"code": code_for(world.devices["editor"]), "next": target})
    assert response.headers["Location"] == "/accounts/me/"


def test_it_sends_a_verified_editor_on(client_as):
    response = client_as("editor").get(f"{PAGE}?next=/people/")
    assert response.headers["Location"] == "/people/"


def test_it_sets_up_a_device_for_a_superuser(admin):
    client = Client()
    client.force_login(admin)
    assert client.get("/accounts/me/").headers["Location"] == f"{PAGE}?next=%2Faccounts%2Fme%2F"
    response = client.get(PAGE)
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=admin)
    assert not device.confirmed
    assert re.search(r'<img class="qr-code" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', html)
    assert 'alt="QR code' in html
    secret = base64.b32encode(device.bin_key).decode()
    assert secret[:4] + " " + secret[4:8] in html
    # Reloading keeps the secret the user may already have scanned.
    client.get(PAGE)
    assert list(TOTPDevice.objects.filter(user=admin)) == [device]

    response = client.post(PAGE, {"code": code_for(device)}, follow=True)
    assert "Your authenticator app is set up." in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert is_verified(client)
    assert client.get("/accounts/me/").status_code == 200


def test_a_wrong_code_does_not_confirm_a_new_device(admin):
    client = Client()
    client.force_login(admin)
    client.get(PAGE)
    device = TOTPDevice.objects.get(user=admin)
    response = client.post(PAGE, {"code": f"{(int(code_for(device)) + 1) % 1_000_000:06d}"})
    assert "This code is not right." in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not is_verified(client)


def test_a_member_may_set_up_a_second_factor(client_as, world):
    client = client_as("member")
    client.get(PAGE)
    device = TOTPDevice.objects.get(user=world.users["member"])
    client.post(PAGE, {"code": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed


def test_a_member_who_chose_a_second_factor_must_give_it(world):
    TOTPDevice.objects.create(user=world.users["member"], name="phone", confirmed=True)
    client = Client()
    client.force_login(world.users["member"])
    assert client.get("/accounts/me/").headers["Location"] == f"{PAGE}?next=%2Faccounts%2Fme%2F"


def test_the_page_needs_no_inline_script_or_style(admin):
    client = Client()
    client.force_login(admin)
    html = client.get(PAGE).content.decode()
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "http" not in re.search(r'src="(data:[^"]+)"', html).group(1)[:40]


# The demo's code printer --------------------------------------------------------------------------------------------


def test_the_command_prints_the_code_of_a_demo_device(world, capsys):
    device = TOTPDevice.objects.create(user=world.users["member"], name="demo", confirmed=True)
    call_command("totp_code", "member")
    code = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\d{6}", code)
    assert device.verify_token(code)


def test_the_command_prints_a_fresh_code_once_the_current_one_is_used(world, capsys):
    device = TOTPDevice.objects.create(user=world.users["member"], name="demo", confirmed=True)
    assert device.verify_token(code_for(device))
    call_command("totp_code", "member")
    device.refresh_from_db()
    assert device.verify_token(capsys.readouterr().out.strip())


def test_the_command_refuses_a_real_device(world):
    with pytest.raises(CommandError, match="only demo devices"):
        call_command("totp_code", "editor")


def test_the_command_refuses_an_unknown_user(world):
    with pytest.raises(CommandError, match="nobody has no confirmed device"):
        call_command("totp_code", "nobody")
