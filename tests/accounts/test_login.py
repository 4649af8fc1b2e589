"""Logging in and out with a password; passwords are stored with Argon2."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY

from liaison import settings as liaison_settings
from liaison.accounts.models import User

LOGIN = "/accounts/login/"
PASSWORD = "correct horse battery"


def test_it_shows_the_login_form(client, world):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert '<label for="id_username">' in html
    assert "/accounts/password-reset/" in html


def test_it_logs_in_with_the_right_password(client, world):
    response = client.post(LOGIN, {"username": "member", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[0] == ("/accounts/me/", 302)
    assert int(client.session[SESSION_KEY]) == world.users["member"].pk
    assert "You are signed in as member." in response.content.decode()


def test_it_refuses_a_wrong_password_with_a_clear_error(client, world):
    response = client.post(LOGIN, {"username": "member", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_it_refuses_an_unknown_user_with_the_same_error(client, world):
    response = client.post(LOGIN, {"username": "nobody", "password": PASSWORD})
    assert "Please enter a correct username and password" in response.content.decode()


def test_it_follows_a_next_on_this_site(client, world):
    response = client.post(LOGIN, {"username": "member", "password": PASSWORD, "next": "/people/"})
    assert response.headers["Location"] == "/people/"


def test_it_ignores_a_next_to_another_site(client, world):
    response = client.post(LOGIN, {"username": "member", "password": PASSWORD, "next": "https://evil.example/"})
    assert response.headers["Location"] == "/accounts/me/"


def test_it_asks_an_editor_for_the_second_factor_after_the_password(client, world):
    response = client.post(LOGIN, {"username": "editor", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1] == ("/accounts/two-factor/?next=%2Faccounts%2Fme%2F", 302)
    assert "Enter the code that your authenticator app shows" in response.content.decode()


def test_logout_only_allows_post(client_as):
    client = client_as("member")
    assert client.get("/accounts/logout/").status_code == 405
    assert SESSION_KEY in client.session


def test_it_logs_out(client_as):
    client = client_as("member")
    response = client.post("/accounts/logout/")
    assert response.headers["Location"] == "/"
    assert SESSION_KEY not in client.session
    assert "You are signed out." in client.get(LOGIN).content.decode()


@pytest.mark.django_db
def test_it_hashes_passwords_with_argon2(settings, client):
    # conftest swaps in MD5 for speed; put back what the project really configures.
    settings.PASSWORD_HASHERS = liaison_settings.PASSWORD_HASHERS
    user = User.objects.create_user(username="someone", password=PASSWORD)
    assert user.password.startswith("argon2")
    assert client.post(LOGIN, {"username": "someone", "password": PASSWORD}).status_code == 302
