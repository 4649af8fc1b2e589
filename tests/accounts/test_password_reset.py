"""Choosing a new password by email, the invitation that uses the same link, and changing one's password."""

from __future__ import annotations

import re

from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.utils import timezone

from liaison.accounts.models import User
from liaison.federation.services import invite

RESET = "/accounts/password-reset/"
NEW = "a brand new passphrase 42"


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password-reset/[^/\s]+/[^/\s]+/)", message.body).group(1)


def without_csrf_tokens(html: bytes) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", html.decode())


def choose_password(client, link: str, password: str = NEW):
    set_password = client.get(link)
    assert set_password.status_code == 302  # Django moves the token out of the address before showing the form
    assert client.get(set_password.headers["Location"]).status_code == 200
    return client.post(set_password.headers["Location"], {"new_password1": password, "new_password2": password})


def test_it_shows_the_request_form(client, world):
    html = client.get(RESET).content.decode()
    assert '<label for="id_email">' in html


def test_the_whole_reset_flow(client, world):
    response = client.post(RESET, {"email": "corr_a@example.org"})
    assert response.headers["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["corr_a@example.org"]
    assert message.subject == "Choose a new password for Test Federation"
    assert "“corr_a”" in message.body

    response = choose_password(client, link_in(message))
    assert response.headers["Location"] == "/accounts/password-reset/complete/"
    assert "Your new password is saved." in client.get(response.headers["Location"]).content.decode()

    response = client.post("/accounts/login/", {"username": "corr_a", "password": NEW})
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == world.users["corr_a"].pk


def test_a_link_works_once(client, world):
    client.post(RESET, {"email": "corr_a@example.org"})
    link = link_in(mail.outbox[0])
    choose_password(client, link)
    assert "This link does not work any more" in client.get(link, follow=True).content.decode()


def test_an_unknown_email_shows_the_same_page_and_sends_nothing(client, world):
    known = client.post(RESET, {"email": "corr_a@example.org"}, follow=True)
    unknown = client.post(RESET, {"email": "nobody@example.org"}, follow=True)
    assert unknown.redirect_chain == known.redirect_chain == [("/accounts/password-reset/sent/", 302)]
    assert without_csrf_tokens(unknown.content) == without_csrf_tokens(known.content)
    assert len(mail.outbox) == 1


def test_a_bad_email_is_refused_next_to_the_field(client, world):
    html = client.post(RESET, {"email": "not an address"}).content.decode()
    assert "Enter a valid email address." in html


def test_a_tampered_link_is_refused(client, world):
    html = client.get("/accounts/password-reset/MQ/abc-123/", follow=True).content.decode()
    assert "This link does not work any more" in html


def test_a_weak_password_is_refused_next_to_the_field(client, world):
    client.post(RESET, {"email": "corr_a@example.org"})
    response = choose_password(client, link_in(mail.outbox[0]), password="short")
    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()


# The invitation ---------------------------------------------------------------------------------------------------


def test_an_invitation_lets_a_person_choose_a_password(client, world):
    invite(world.actor("editor"), world.people["offline"], username="quiet", email="quiet@example.org")
    message = mail.outbox[0]
    assert message.subject == "Your account on Test Federation"
    assert "Your user name: quiet" in message.body
    choose_password(client, link_in(message))
    assert client.post("/accounts/login/", {"username": "quiet", "password": NEW}).status_code == 302


def test_an_invited_person_can_ask_for_a_new_link(client, world):
    invite(world.actor("editor"), world.people["offline"], username="quiet", email="quiet@example.org")
    client.post(RESET, {"email": "quiet@example.org"})
    assert len(mail.outbox) == 2
    choose_password(client, link_in(mail.outbox[1]))
    assert client.post("/accounts/login/", {"username": "quiet", "password": NEW}).status_code == 302


def test_an_account_whose_password_was_disabled_gets_no_link(client, world):
    user = User.objects.get(username="member")
    user.set_unusable_password()
    user.last_login = timezone.now()
    user.save()
    client.post(RESET, {"email": "member@example.org"})
    assert mail.outbox == []


# Changing one's password ----------------------------------------------------------------------------------------


def test_changing_the_password_needs_login(client, world):
    response = client.get("/accounts/password/")
    assert response.headers["Location"] == "/accounts/login/?next=/accounts/password/"


def test_it_changes_the_password(client_as, world):
    client = client_as("member")
    response = client.post(
        "/accounts/password/",
        {"old_password": "correct horse battery", "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )
    assert response.redirect_chain == [("/accounts/me/", 302)]
    assert "Your password is changed." in response.content.decode()
    assert SESSION_KEY in client.session  # still signed in
    world.users["member"].refresh_from_db()
    assert world.users["member"].check_password(NEW)


def test_it_refuses_a_wrong_old_password(client_as, world):
    response = client_as("member").post(
        "/accounts/password/", {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}
    )
    assert "Your old password was entered incorrectly." in response.content.decode()
    world.users["member"].refresh_from_db()
    assert not world.users["member"].check_password(NEW)
