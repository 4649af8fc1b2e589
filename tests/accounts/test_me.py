"""The personal page: one's own identity, roles, second factor and interface language — never anyone else's."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.accounts.models import User
from tests.helpers import interface

ME = "/accounts/me/"
ACCOUNT_ROLES = ["member", "corr_a", "corr_b", "translator", "editor"]
REAL_NAMES = {
    "editor": "Erika Secretary",
    "corr_a": "Anatole Hidden",
    "corr_b": "Beatriz Hidden",
    "member": "Marcel Hidden",
    "translator": "Tatiana Hidden",
    "offline": "Quentin Hidden",
}


def test_it_sends_anonymous_visitors_to_login(client, world):
    response = client.get(ME)
    assert response.headers["Location"] == "/accounts/login/?next=/accounts/me/"


@pytest.mark.parametrize("role", ACCOUNT_ROLES)
def test_it_shows_the_own_identity_and_nobody_elses(client_as, world, role):
    response = client_as(role).get(ME)
    assert response.status_code == 200
    html = response.content.decode()
    person = world.people[role]
    assert person.pseudonym in html
    assert REAL_NAMES[role] in html
    assert "+33 1 23 45 67 89" in html
    assert f"Notes about {REAL_NAMES[role]}" in html
    for other, name in REAL_NAMES.items():
        if other != role:
            assert name not in html
    assert "Hidden Lane" not in html


def test_it_has_no_way_to_show_someone_else(client_as, world):
    other = world.people["corr_b"]
    html = client_as("editor").get(f"{ME}?person={other.pk}&user={world.users['corr_b'].pk}").content.decode()
    assert "Erika Secretary" in html
    assert "Beatriz Hidden" not in html


def test_it_lists_the_active_roles(client_as, world):
    html = client_as("corr_a").get(ME).content.decode()
    assert "Correspondent" in html and "Section Alpha" in html
    assert "Section Beta" not in html


def test_it_shows_a_translators_languages(client_as):
    html = client_as("translator").get(ME).content.decode()
    assert "Translator" in html
    assert "French, German" in html


def test_it_leaves_out_ended_roles(client_as, world):
    role = world.people["corr_a"].roles.get()
    role.until = datetime.date(2021, 1, 1)
    role.save()
    html = client_as("corr_a").get(ME).content.decode()
    assert "Section Alpha" not in html
    assert "You hold no role at the moment." in html


def test_it_links_to_api_tokens_and_the_password_change(client_as):
    html = client_as("member").get(ME).content.decode()
    assert 'href="/tokens/"' in html
    assert 'href="/accounts/password/"' in html


def test_it_shows_a_confirmed_second_factor(client_as):
    html = client_as("editor").get(ME).content.decode()
    assert "An authenticator app is set up" in html
    assert "You gave its code in this session." in html
    assert "Set up an authenticator app" not in html


def test_it_offers_an_optional_second_factor_to_a_member(client_as):
    html = client_as("member").get(ME).content.decode()
    assert "It is optional for you" in html
    assert 'href="/accounts/two-factor/"' in html


def test_it_shows_a_sensible_page_to_an_account_without_a_person(world):
    user = User.objects.create_user(username="bare", email="bare@example.org", password="x")
    client = Client()
    client.force_login(user)
    html = client.get(ME).content.decode()
    assert "This account is not linked to a person of the federation" in html
    assert "bare@example.org" in html
    for name in REAL_NAMES.values():
        assert name not in html


def test_it_shows_a_verified_superuser_their_page(world):
    admin = User.objects.create_superuser(username="admin", email="admin@example.org", password="x")
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    client = Client()
    client.force_login(admin)
    assert client.get(ME).status_code == 302  # the second factor first
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    html = client.get(ME).content.decode()
    assert "This account is not linked to a person" in html
    assert "Secretariat editors and administrators must log in with a second factor." in html


def test_it_offers_every_language_and_following_the_browser(client_as):
    html = client_as("member").get(ME).content.decode()
    options = re.findall(r'<option value="([^"]*)"', html.split('id="id_language"')[1].split("</select>")[0])
    assert options == ["", *[code for code, _ in settings.LANGUAGES]]
    assert "Follow my browser" in html


def test_it_saves_the_language_preference(client_as, world):
    client = client_as("member")
    response = client.post(ME, {"language": "de"}, follow=True)
    assert response.redirect_chain == [("/accounts/me/", 302)]
    world.users["member"].refresh_from_db()
    assert world.users["member"].language == "de"
    assert '<html lang="de"' in response.content.decode()
    assert len(list(response.context["messages"])) == 1


def test_it_goes_back_to_following_the_browser(client_as, world):
    user = world.users["member"]
    user.language = "fr"
    user.save()
    client = client_as("member")
    response = client.post(ME, {"language": ""}, follow=True, headers={"accept-language": "es"})
    user.refresh_from_db()
    assert user.language == ""
    html = response.content.decode()
    assert '<html lang="es"' in html
    assert interface("es", "Liaison now follows your browser's language.") in html


def test_it_refuses_an_unknown_language_next_to_the_field(client_as, world):
    response = client_as("member").post(ME, {"language": "xx"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    world.users["member"].refresh_from_db()
    assert world.users["member"].language == ""


def test_the_page_needs_no_inline_script_or_style(client_as):
    html = client_as("editor").get(ME).content.decode()
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
