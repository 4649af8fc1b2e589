"""The interface language: a signed-in user's choice, else the language cookie, else the browser's.

The pages fetched are the account pages themselves (login for visitors, the personal page for users): every page
shares the layout that carries ``<html lang>``.
"""

from __future__ import annotations

from django.conf import settings

SETLANG = "/i18n/setlang/"
LOGIN = "/accounts/login/"
ME = "/accounts/me/"


def test_an_anonymous_switch_sets_the_cookie_and_the_next_page_follows(client, world):
    response = client.post(SETLANG, {"language": "fr", "next": LOGIN})
    assert response.status_code == 302
    assert response.headers["Location"] == LOGIN
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    response = client.get(LOGIN)
    assert '<html lang="fr"' in response.content.decode()
    assert response.wsgi_request.LANGUAGE_CODE == "fr"


def test_a_switch_does_not_redirect_to_another_site(client, world):
    response = client.post(SETLANG, {"language": "fr", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_signed_in_switch_saves_the_preference(client_as, world):
    client = client_as("member")
    client.post(SETLANG, {"language": "ru", "next": "/"})
    world.users["member"].refresh_from_db()
    assert world.users["member"].language == "ru"


def test_a_switch_to_an_unknown_language_changes_nothing(client_as, world):
    client = client_as("member")
    client.post(SETLANG, {"language": "xx", "next": "/"})
    world.users["member"].refresh_from_db()
    assert world.users["member"].language == ""


def test_a_get_does_not_change_the_preference(client_as, world):
    client_as("member").get(SETLANG, {"language": "ru", "next": "/"})
    world.users["member"].refresh_from_db()
    assert world.users["member"].language == ""


def test_the_users_preference_wins_over_the_browser(client_as, world):
    user = world.users["member"]
    user.language = "de"
    user.save()
    response = client_as("member").get(ME, headers={"accept-language": "fr"})
    assert '<html lang="de"' in response.content.decode()
    assert response.wsgi_request.LANGUAGE_CODE == "de"


def test_the_users_preference_follows_them_to_a_new_browser(client_as, world):
    user = world.users["member"]
    user.language = "es"
    user.save()
    client = client_as("member")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(ME)
    assert response.wsgi_request.LANGUAGE_CODE == "es"


def test_without_a_preference_the_browser_is_followed(client_as, world):
    response = client_as("member").get(ME, headers={"accept-language": "fr-CH, fr;q=0.9, en;q=0.8"})
    assert '<html lang="fr"' in response.content.decode()
    assert response.wsgi_request.LANGUAGE_CODE == "fr"


def test_an_anonymous_visitor_gets_the_browsers_language(client, world):
    response = client.get(LOGIN, headers={"accept-language": "ru"})
    assert '<html lang="ru"' in response.content.decode()


def test_with_nothing_to_go_by_the_interface_is_english(client, world):
    response = client.get(LOGIN)
    assert '<html lang="en"' in response.content.decode()
