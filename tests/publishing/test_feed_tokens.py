"""Private feeds: a member's revocable address for the internal bulletins' feeds, and the page that manages it."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import feedparser
import pytest
from django.test import Client

from liaison.accounts.models import User
from liaison.federation.models import Role
from liaison.periodicals.models import Periodical
from liaison.publishing import feed_tokens
from liaison.publishing.models import FeedToken
from tests.publishing.feeds_helpers import SITE, _site, bulletin, internal, publish

__all__ = ["_site", "bulletin", "internal"]  # fixtures

pytestmark = pytest.mark.django_db

ClientAs = Callable[[str], Client]


def token_of(world: Any, role: str) -> str:
    return feed_tokens.token_string(feed_tokens.create_token(world.actor(role)))


def private(token: str, slug: str = "internal", language: str = "en") -> str:
    return f"/feeds/private/{token}/{slug}/{language}.atom"


def entries(response: Any) -> list[str]:
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return [e.id for e in parsed.entries]


# The private feed ---------------------------------------------------------------------------------------------------


def test_a_member_reads_the_internal_bulletin_with_their_token(world: Any, internal: Periodical) -> None:
    publish(internal, 1, "en")
    token = token_of(world, "member")

    response = Client().get(private(token))  # a feed reader: no session

    assert response.status_code == 200
    assert entries(response) == ["urn:liaison:internal:1:en"]
    parsed = feedparser.parse(response.content)
    assert parsed.feed.links[1].href == f"{SITE}{private(token)}"
    assert "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]


def test_the_private_feed_lists_each_issues_items_too(world: Any, internal: Periodical) -> None:
    publish(internal, 1, "en", items=2)

    response = Client().get(private(token_of(world, "member")))

    (entry,) = feedparser.parse(response.content).entries
    assert "Report 1 of No. 1" in entry.summary and "Report 2 of No. 1" in entry.summary
    # Its links lead to the members' pages of the items, which ask a reader to log in.
    assert f'href="{SITE}/editions/internal/1/en/items/2.html"' in entry.summary


@pytest.mark.parametrize("role", ["corr_a", "corr_b", "translator", "editor"])
def test_every_kind_of_member_has_a_working_token(world: Any, internal: Periodical, role: str) -> None:
    publish(internal, 1, "en")

    assert Client().get(private(token_of(world, role))).status_code == 200


def test_the_token_also_reads_public_bulletins(world: Any, bulletin: Periodical) -> None:
    publish(bulletin, 1, "en")

    response = Client().get(private(token_of(world, "member"), "bulletin"))

    assert entries(response) == ["urn:liaison:bulletin:1:en"]


def test_a_revoked_token_reads_nothing(world: Any, internal: Periodical) -> None:
    publish(internal, 1, "en")
    token = feed_tokens.create_token(world.actor("member"))
    secret = feed_tokens.token_string(token)

    feed_tokens.revoke_token(world.actor("member"), token.pk)

    assert Client().get(private(secret)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is not None  # kept, dated


def test_a_new_token_replaces_the_old_one(world: Any, internal: Periodical) -> None:
    publish(internal, 1, "en")
    old = token_of(world, "member")

    new = token_of(world, "member")

    assert Client().get(private(old)).status_code == 404
    assert Client().get(private(new)).status_code == 200
    assert FeedToken.objects.filter(user=world.users["member"], revoked_at__isnull=True).count() == 1
    assert FeedToken.objects.filter(user=world.users["member"]).count() == 2


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t.split(".")[0] + "." + "0" * 64,  # a real public id, a made-up signature
        lambda t: "x" * 24 + "." + t.split(".")[1],  # a real signature on another id
        lambda t: t.split(".")[0],  # no signature
        lambda t: "nothing",
        lambda t: "." + t,
        lambda t: "a" * 200 + "." + t.split(".")[1],
    ],
)
def test_a_forged_token_reads_nothing(world: Any, internal: Periodical, forge: Callable[[str], str]) -> None:
    publish(internal, 1, "en")
    token = token_of(world, "member")

    assert Client().get(private(forge(token))).status_code == 404


def test_every_refusal_looks_the_same(world: Any, internal: Periodical) -> None:
    publish(internal, 1, "en")
    good = token_of(world, "member")

    answers = [
        Client().get(private("forged.token")),
        Client().get(private(good, "no-such-bulletin")),
        Client().get(private(good, "internal", "xx")),
        Client().get("/feeds/internal/en.atom"),  # anonymous, at the public address
    ]

    assert {a.status_code for a in answers} == {404}
    assert not any(b"Internal Bulletin" in a.content for a in answers)


def test_a_former_member_reads_nothing(world: Any, internal: Periodical) -> None:
    publish(internal, 1, "en")
    token = token_of(world, "member")

    Role.objects.filter(person=world.people["member"]).update(until=datetime.date.today() - datetime.timedelta(days=1))

    assert Client().get(private(token)).status_code == 404


def test_a_disabled_account_reads_nothing(world: Any, internal: Periodical) -> None:
    publish(internal, 1, "en")
    token = token_of(world, "member")

    User.objects.filter(pk=world.users["member"].pk).update(is_active=False)

    assert Client().get(private(token)).status_code == 404


def test_a_new_secret_key_keeps_tokens_working_through_the_fallbacks(
    world: Any, internal: Periodical, settings: Any
) -> None:
    publish(internal, 1, "en")
    token = token_of(world, "member")

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a new key for the site, long enough to be a real one: 0123456789"
    assert Client().get(private(token)).status_code == 200

    settings.SECRET_KEY_FALLBACKS = []
    assert Client().get(private(token)).status_code == 404


def test_the_public_feed_never_lists_internal_editions(world: Any, bulletin: Periodical, internal: Periodical) -> None:
    publish(internal, 1, "en")
    publish(bulletin, 1, "en")

    assert entries(Client().get("/feeds/bulletin/en.atom")) == ["urn:liaison:bulletin:1:en"]
    assert Client().get("/feeds/internal/en.atom").status_code == 404


def test_the_private_feed_only_answers_reading(world: Any, internal: Periodical) -> None:
    assert Client().post(private(token_of(world, "member"))).status_code == 405


def test_its_queries_do_not_grow_with_the_editions(
    world: Any, internal: Periodical, django_assert_num_queries: Any
) -> None:
    token = token_of(world, "member")
    publish(internal, 1, "en", items=1)
    # token and account, person, roles, periodical, federation, editions, files
    with django_assert_num_queries(7):
        Client().get(private(token))
    for number in range(2, 7):
        publish(internal, number, "en", items=50)
    with django_assert_num_queries(7):
        assert len(entries(Client().get(private(token)))) == 6


# Creating and revoking ----------------------------------------------------------------------------------------------


def test_only_members_may_have_a_token(world: Any) -> None:
    outsider = User.objects.create_user(username="outsider", password="x")

    with pytest.raises(feed_tokens.NotAllowed):
        feed_tokens.create_token(feed_tokens.actor_for_user(outsider))
    assert not FeedToken.objects.exists()


def test_nobody_revokes_another_members_token(world: Any) -> None:
    token = feed_tokens.create_token(world.actor("member"))

    with pytest.raises(feed_tokens.NotFound):
        feed_tokens.revoke_token(world.actor("corr_a"), token.pk)

    token.refresh_from_db()
    assert token.revoked_at is None


# The page -----------------------------------------------------------------------------------------------------------


def test_the_page_shows_the_members_private_addresses(
    world: Any, client_as: ClientAs, bulletin: Periodical, internal: Periodical
) -> None:
    client = client_as("member")

    response = client.post("/feeds/tokens/new/", follow=True)

    assert response.status_code == 200
    token = FeedToken.objects.get(user=world.users["member"])
    secret = feed_tokens.token_string(token)
    content = response.content.decode()
    assert "Your private feed address is ready" in content
    assert f"{SITE}/feeds/private/{secret}/internal/fr.atom" in content
    assert f"{SITE}/feeds/bulletin/fr.atom" in content
    assert f"{SITE}/feeds/opds.xml" in content
    assert "no-store" in client.get("/feeds/tokens/")["Cache-Control"]


def test_the_page_offers_to_create_an_address_when_there_is_none(client_as: ClientAs, internal: Periodical) -> None:
    content = client_as("member").get("/feeds/tokens/").content.decode()

    assert "Create my private feed address" in content
    assert "/feeds/private/" not in content


def test_the_page_revokes_the_address(world: Any, client_as: ClientAs, internal: Periodical) -> None:
    client = client_as("member")
    token = feed_tokens.create_token(world.actor("member"))
    secret = feed_tokens.token_string(token)

    response = client.post(f"/feeds/tokens/{token.pk}/revoke/", follow=True)

    assert "revoked" in response.content.decode()
    assert secret not in response.content.decode()
    assert Client().get(private(secret)).status_code == 404


def test_the_page_replaces_the_address(world: Any, client_as: ClientAs, internal: Periodical) -> None:
    publish(internal, 1, "en")
    old = token_of(world, "member")

    response = client_as("member").post("/feeds/tokens/new/", follow=True)

    assert "the old one no longer works" in response.content.decode()
    assert Client().get(private(old)).status_code == 404
    new = re.search(r"/feeds/private/([^/]+)/internal/en\.atom", response.content.decode())
    assert new is not None and Client().get(private(new[1])).status_code == 200


def test_a_member_cannot_revoke_someone_elses_address_from_the_page(world: Any, client_as: ClientAs) -> None:
    token = feed_tokens.create_token(world.actor("corr_b"))

    assert client_as("member").post(f"/feeds/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_page_never_shows_another_members_address(world: Any, client_as: ClientAs, internal: Periodical) -> None:
    theirs = token_of(world, "corr_b")

    assert theirs not in client_as("member").get("/feeds/tokens/").content.decode()


def test_anonymous_visitors_are_asked_to_log_in(world: Any) -> None:
    for response in (
        Client().get("/feeds/tokens/"),
        Client().post("/feeds/tokens/new/"),
        Client().post("/feeds/tokens/1/revoke/"),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not FeedToken.objects.exists()


def test_an_account_that_is_no_member_is_refused(world: Any) -> None:
    outsider = User.objects.create_user(username="outsider", password="x")
    client = Client()
    client.force_login(outsider)

    assert client.get("/feeds/tokens/").status_code == 403
    assert client.post("/feeds/tokens/new/").status_code == 403
    assert not FeedToken.objects.exists()


@pytest.mark.parametrize("role", ["member", "corr_a", "corr_b", "translator", "editor"])
def test_every_member_reaches_the_page(client_as: ClientAs, role: str) -> None:
    assert client_as(role).get("/feeds/tokens/").status_code == 200


def test_creating_and_revoking_need_a_post(world: Any, client_as: ClientAs) -> None:
    token = feed_tokens.create_token(world.actor("member"))
    client = client_as("member")

    assert client.get("/feeds/tokens/new/").status_code == 405
    assert client.get(f"/feeds/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_page_queries_do_not_grow_with_the_bulletins(
    world: Any, client_as: ClientAs, django_assert_num_queries: Any
) -> None:
    client = client_as("member")
    feed_tokens.create_token(world.actor("member"))
    Periodical.objects.create(name="Internal", slug="internal", language="en", frequency="monthly", audience="members")
    # session, account, two-factor checks (2), person, roles, tokens, federation, bulletins, the layout's federation
    with django_assert_num_queries(10):
        client.get("/feeds/tokens/")
    for n in range(10):
        Periodical.objects.create(name=f"Bulletin {n}", slug=f"b{n}", language="en", frequency="monthly")
    with django_assert_num_queries(10):
        assert client.get("/feeds/tokens/").content.decode().count("/feeds/b") == 50  # ten bulletins, five languages
