"""Subscribing with double opt-in: a pending subscription and a mailed link; the link confirms it. Every refusal
says why and changes nothing."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from liaison.distribution import links, services
from liaison.distribution.models import Subscriber, Subscription, SubscriptionState
from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.periodicals.models import Periodical
from tests.conftest import World

ANYONE = None


def counts() -> tuple[int, int]:
    return Subscriber.objects.count(), Subscription.objects.count()


def subscribe(world: World, periodical: Periodical, email: str = "reader@example.org", **kwargs: Any) -> Subscription:
    options: dict[str, Any] = {"language": "en", "formats": ["email", "pdf"]}
    options.update(kwargs)
    actor = options.pop("actor", world.actor("anonymous"))
    return services.subscribe(actor, periodical, email=email, **options)


def confirm_link(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+/distribution/confirm/\S+/", str(message.body))
    assert found, message.body
    return found.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_it_records_a_pending_subscription_and_mails_a_link(
    world: World, bulletin: Periodical, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        made = subscribe(world, bulletin, "ana@пример.рф", language="ru", formats=["pdf", "email"])
    assert made.state == SubscriptionState.PENDING
    assert made.started_on is None
    assert made.formats == ["pdf", "email"] or made.formats == ["email", "pdf"]
    assert made.subscriber.email == "ana@пример.рф"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@пример.рф"]
    assert message.extra_headers["Content-Language"] == "ru"
    assert "Bulletin" in message.subject
    assert confirm_link(message).startswith("http")


def test_the_link_confirms_once_and_a_second_time_is_harmless(
    world: World, bulletin: Periodical, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        made = subscribe(world, bulletin)
    url = path_of(confirm_link(mail.outbox[0]))
    client = Client()
    page = client.get(url)
    assert page.status_code == 200 and b"Confirm my subscription" in page.content
    made.refresh_from_db()
    assert made.state == SubscriptionState.PENDING  # a GET (a mail scanner) confirms nothing
    done = client.post(url)
    assert done.status_code == 200
    made.refresh_from_db()
    assert made.state == SubscriptionState.ACTIVE
    assert made.started_on == timezone.localdate()
    assert made.confirmed_at is not None
    confirmed_at = made.confirmed_at
    assert client.post(url).status_code == 200
    made.refresh_from_db()
    assert made.confirmed_at == confirmed_at


def test_a_forged_confirmation_link_is_refused(world: World, bulletin: Periodical) -> None:
    made = subscribe(world, bulletin)
    token = links.sign(links.CONFIRM_SALT, made.pk)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for bad in (forged, f"{made.pk}:xyz:abc", links.sign(links.UNSUBSCRIBE_SALT, made.pk)):
        with pytest.raises(links.BadLink):
            services.confirm(bad)
        page = Client().post(f"/distribution/confirm/{bad}/")
        assert page.status_code == 400
        assert b"not valid" in page.content
    made.refresh_from_db()
    assert made.state == SubscriptionState.PENDING


def test_an_expired_confirmation_link_is_refused(world: World, bulletin: Periodical, settings: object) -> None:
    made = subscribe(world, bulletin)
    token = links.sign(links.CONFIRM_SALT, made.pk)
    settings.DISTRIBUTION_CONFIRM_DAYS = -1  # type: ignore[attr-defined]
    with pytest.raises(links.BadLink, match="expired"):
        services.confirm(token)
    page = Client().get(f"/distribution/confirm/{token}/")
    assert page.status_code == 400 and b"expired" in page.content
    made.refresh_from_db()
    assert made.state == SubscriptionState.PENDING


def test_confirming_an_ended_subscription_is_refused(world: World, bulletin: Periodical) -> None:
    made = subscribe(world, bulletin)
    services.set_subscription_state(made, SubscriptionState.ENDED)
    with pytest.raises(Conflict, match="ended"):
        services.confirm(links.sign(links.CONFIRM_SALT, made.pk))


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Give an email address"),
        ("not an address", "not a valid email address"),
        ("a@b", "not a valid email address"),
        ("someone@mailinator.com", "disposable"),
        ("someone@inbox.yopmail.fr", "disposable"),
    ],
)
def test_malformed_or_disposable_addresses_are_refused(
    world: World, bulletin: Periodical, email: str, message: str
) -> None:
    before = counts()
    with pytest.raises(LiaisonError, match=message) as refused:
        subscribe(world, bulletin, email)
    assert refused.value.field == "email"
    assert counts() == before
    assert not mail.outbox


def test_an_address_already_subscribed_is_refused(world: World, bulletin: Periodical) -> None:
    made = subscribe(world, bulletin)
    services.confirm(links.sign(links.CONFIRM_SALT, made.pk))
    before = counts()
    with pytest.raises(Conflict, match="already receives") as refused:
        subscribe(world, bulletin, "READER@example.org ")
    assert refused.value.field == "email"
    assert counts() == before
    # Another language is another subscription.
    subscribe(world, bulletin, "reader@example.org", language="fr")


def test_a_second_request_soon_after_is_refused_then_renewed_later(world: World, bulletin: Periodical) -> None:
    made = subscribe(world, bulletin)
    with pytest.raises(Conflict, match="a few minutes ago"):
        subscribe(world, bulletin, formats=["epub"])
    made.refresh_from_db()
    assert made.formats == ["pdf", "email"] or set(made.formats) == {"pdf", "email"}
    Subscription.objects.filter(pk=made.pk).update(confirmation_sent_at=timezone.now() - datetime.timedelta(hours=1))
    again = subscribe(world, bulletin, formats=["epub"])
    assert again.pk == made.pk and again.formats == ["epub"]
    assert Subscription.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"language": "xx"}, "language", "does not come out"),
        ({"language": "ja"}, "language", "does not come out"),
        ({"formats": []}, "formats", "at least one format"),
        ({"formats": ["mp3"]}, "formats", "Unknown format"),
        ({"channel": "post"}, "channel", "by email"),
    ],
)
def test_bad_choices_are_refused(
    world: World, bulletin: Periodical, kwargs: dict[str, Any], field: str, message: str
) -> None:
    before = counts()
    with pytest.raises(LiaisonError, match=message) as refused:
        subscribe(world, bulletin, **kwargs)
    assert refused.value.field == field
    assert counts() == before


def test_a_sections_paper_is_not_subscribed_to_here(world: World, paper: Periodical) -> None:
    with pytest.raises(LiaisonError, match="section's paper"):
        subscribe(world, paper, language="es")
    assert counts() == (0, 0)


def test_an_internal_bulletin_needs_a_member(world: World, internal: Periodical) -> None:
    with pytest.raises(NotAllowed, match="internal bulletin"):
        subscribe(world, internal)
    assert counts() == (0, 0)
    made = subscribe(world, internal, "member@example.org", actor=world.actor("member"))
    # Their own account's address: the subscription is linked to their person, and shows on their page.
    assert made.subscriber.person == world.people["member"]


def test_a_member_with_another_address_subscribes_as_a_reader(world: World, bulletin: Periodical) -> None:
    made = subscribe(world, bulletin, "elsewhere@example.org", actor=world.actor("member"))
    assert made.subscriber.person is None


# The page ------------------------------------------------------------------------------------------------------------


def test_the_form_subscribes_and_says_to_check_the_inbox(
    world: World, bulletin: Periodical, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    page = client.get("/distribution/subscribe/bulletin/")
    assert page.status_code == 200 and b'name="email"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            "/distribution/subscribe/bulletin/",
            {"email": "li@例子.中国", "language": "fr", "formats": ["pdf"]},
        )
    assert done.status_code == 200 and b"Check your inbox" in done.content
    assert Subscription.objects.get().language == "fr"
    assert len(mail.outbox) == 1 and mail.outbox[0].extra_headers["Content-Language"] == "fr"


def test_the_form_shows_a_refusal_next_to_the_field(world: World, bulletin: Periodical) -> None:
    page = Client().post(
        "/distribution/subscribe/bulletin/", {"email": "x@mailinator.com", "language": "en", "formats": ["pdf"]}
    )
    assert page.status_code == 200
    assert b"disposable" in page.content and b"Nothing was saved" in page.content
    assert counts() == (0, 0)


def test_the_form_of_an_internal_bulletin_refuses_the_public(world: World, internal: Periodical) -> None:
    page = Client().post(
        "/distribution/subscribe/internal/", {"email": "x@example.org", "language": "en", "formats": ["pdf"]}
    )
    assert page.status_code == 403
    assert counts() == (0, 0)


def test_there_is_no_form_for_a_paper_or_an_unknown_periodical(world: World, paper: Periodical) -> None:
    assert Client().get("/distribution/subscribe/voz-beta/").status_code == 404
    assert Client().get("/distribution/subscribe/nothing/").status_code == 404
