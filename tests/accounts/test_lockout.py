"""Password guessing: after five failures django-axes refuses every login for a quarter of an hour."""

from __future__ import annotations

import re

from django.contrib.auth import SESSION_KEY
from django.core import mail

LOGIN = "/accounts/login/"
PASSWORD = "correct horse battery"


def _fail(client, times: int, username: str = "member"):
    response = None
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": "guess"})
    return response


def test_it_locks_out_after_five_failures(client, world):
    _fail(client, 5)
    response = client.post(LOGIN, {"username": "member", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert SESSION_KEY not in client.session
    assert "accounts/locked_out.html" in [t.name for t in response.templates]


def test_the_locked_out_page_says_what_happened_and_when_to_try_again(client, world):
    response = _fail(client, 5)
    assert response.status_code == 429
    html = response.content.decode()
    assert "5 failed login attempts" in html
    assert "Try again in 15 minutes." in html
    assert 'href="/accounts/password-reset/"' in html
    assert "<html lang=" in html  # the whole site layout, not a bare message


def test_four_failures_do_not_lock_out(client, world):
    response = _fail(client, 4)
    assert response.status_code == 200
    response = client.post(LOGIN, {"username": "member", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == world.users["member"].pk


def test_a_success_resets_the_count(client, world):
    _fail(client, 4)
    client.post(LOGIN, {"username": "member", "password": PASSWORD})
    client.post("/accounts/logout/")
    response = _fail(client, 4)
    assert response.status_code == 200
    assert client.post(LOGIN, {"username": "member", "password": PASSWORD}).status_code == 302


def test_a_password_reset_lifts_the_lockout(client, world):
    _fail(client, 5)
    client.post("/accounts/password-reset/", {"email": "member@example.org"})
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    set_password = client.get(link).headers["Location"]
    new = "a brand new passphrase 42"
    client.post(set_password, {"new_password1": new, "new_password2": new})
    response = client.post(LOGIN, {"username": "member", "password": new})
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == world.users["member"].pk
