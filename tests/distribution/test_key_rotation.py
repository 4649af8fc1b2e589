"""Rotating ``SECRET_KEY`` with ``SECRET_KEY_FALLBACKS``: the links of emails already sent (confirm, unsubscribe, "I
received it") still work, a subscriber whose address was hashed with the former key is still found by it (and
re-hashed with the new key, or all at once by ``liaison rehash-addresses``), and the encrypted fields, which
``SECRET_KEY`` does not encrypt, stay readable. Without the fallback, all of that fails: the tests show both."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from liaison.distribution import links, services
from liaison.distribution.models import (
    Dispatch,
    Receipt,
    Subscriber,
    SubscriberKind,
    Subscription,
    SubscriptionState,
    email_hash,
    email_hashes,
)
from liaison.errors import Conflict
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import publish, reader, subscription

OLD = "the former secret key long enough to be a real one 0123456789"
NEW = "the new secret key which replaced the former one 9876543210abc"
ROTATED = override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD])
REPLACED = override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[])
ADDRESS = "Anna.Reader@example.org"


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def before(world: World, bulletin: Periodical) -> Subscription:
    """A reader subscribed, and an issue mailed to them, while ``OLD`` was the key."""
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[]):
        made = subscription(reader(ADDRESS), bulletin)
        services.create_dispatches(publish(bulletin, 1))
    return made


def test_links_signed_with_the_former_key_still_work_while_it_is_a_fallback(before: Subscription) -> None:
    dispatch = Dispatch.objects.get(subscription=before)
    with override_settings(SECRET_KEY=OLD):
        receipt = path_of(links.receipt_url(dispatch))
        unsubscribe = path_of(links.unsubscribe_url(before))
        confirm = links.sign(links.CONFIRM_SALT, before.pk)
    with REPLACED:
        assert Client().post(receipt).status_code == 400
        assert Client().post(unsubscribe).status_code == 400
        with pytest.raises(links.BadLink):
            services.subscription_for_confirmation(confirm)
    with ROTATED:
        assert services.subscription_for_confirmation(confirm) == before
        assert Client().post(receipt).status_code == 200
        assert Receipt.objects.get().dispatch == dispatch
        page = Client().post(unsubscribe)
        assert page.status_code == 200 and b"no more issues" in page.content
        # What is signed now is signed with the new key alone: it works once the fallback is gone.
        fresh = links.sign(links.UNSUBSCRIBE_SALT, before.pk)
    with REPLACED:
        assert services.subscription_for_link(fresh) == before
    before.refresh_from_db()
    assert before.state == SubscriptionState.ENDED


def test_the_one_click_header_of_an_email_sent_before_the_rotation_still_unsubscribes(before: Subscription) -> None:
    with override_settings(SECRET_KEY=OLD):
        url = path_of(services.unsubscribe_headers(before)["List-Unsubscribe"].strip("<>"))
    with ROTATED:
        answer = Client(enforce_csrf_checks=True).post(
            url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
    assert answer.status_code == 200
    before.refresh_from_db()
    assert before.state == SubscriptionState.ENDED


def test_hashes_try_every_key_the_current_one_first() -> None:
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[]):
        old = email_hash(ADDRESS)
    with ROTATED:
        assert email_hashes(f" {ADDRESS.upper()} ") == [email_hash(ADDRESS), old]
        assert email_hash(ADDRESS) != old
    with REPLACED:
        assert email_hashes(ADDRESS) == [email_hash(ADDRESS)]
    assert email_hashes("  ") == []


def test_a_subscriber_hashed_with_the_former_key_is_found_and_hashed_again(
    world: World, bulletin: Periodical, before: Subscription
) -> None:
    subscriber = before.subscriber
    with override_settings(SECRET_KEY=OLD):
        old = email_hash(ADDRESS)
    assert Subscriber.objects.get(pk=subscriber.pk).email_hash == old
    with REPLACED:
        assert services.find_reader(ADDRESS) is None  # what a rotation without the fallback does
    with ROTATED:
        # The same address subscribing again is recognised, not made a second subscriber. (The refusal rolls its
        # transaction back, the renewed hash with it: the next lookup renews it.)
        with pytest.raises(Conflict, match="already receives"):
            services.subscribe(
                world.actor("anonymous"), bulletin, email=ADDRESS.upper(), language="en", formats=["email"]
            )
        assert Subscriber.objects.count() == 1
        assert Subscriber.objects.get(pk=subscriber.pk).email_hash == old
        found = services.find_reader(ADDRESS)
        assert found is not None and found.pk == subscriber.pk
        assert Subscriber.objects.get(pk=subscriber.pk).email_hash == email_hash(ADDRESS)
    with REPLACED:
        found = services.find_reader(ADDRESS)
        assert found is not None and found.pk == subscriber.pk  # the fallback can go


def test_a_reader_who_asks_again_after_the_rotation_is_the_same_subscriber_hashed_anew(
    world: World, bulletin: Periodical
) -> None:
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[]):
        pending = services.subscribe(
            world.actor("anonymous"), bulletin, email=ADDRESS, language="en", formats=["email"]
        )
    Subscription.objects.filter(pk=pending.pk).update(confirmation_sent_at=timezone.now() - datetime.timedelta(days=1))
    with ROTATED:
        again = services.subscribe(world.actor("anonymous"), bulletin, email=ADDRESS, language="en", formats=["email"])
        assert again.pk == pending.pk
        assert Subscriber.objects.get().email_hash == email_hash(ADDRESS)


def test_the_secretariats_search_by_address_finds_it_without_writing(client_as: object, before: Subscription) -> None:
    with override_settings(SECRET_KEY=OLD):
        old = email_hash(ADDRESS)
    with ROTATED:
        page = client_as("editor").get("/distribution/subscribers/", {"email": ADDRESS})  # type: ignore[operator]
        assert page.status_code == 200
        assert [s.pk for s in page.context["page"]] == [before.subscriber_id]
    assert Subscriber.objects.get(pk=before.subscriber_id).email_hash == old  # a GET writes nothing


def test_a_second_reader_with_the_address_is_refused_while_the_fallback_is_kept(
    world: World, before: Subscription
) -> None:
    with ROTATED, pytest.raises(Conflict):
        services.add_subscriber(world.actor("editor"), kind=SubscriberKind.PERSON, email=ADDRESS)
    assert Subscriber.objects.count() == 1


def test_rehash_addresses_hashes_every_address_with_the_current_key(world: World, before: Subscription) -> None:
    with override_settings(SECRET_KEY=OLD):
        organisation = Subscriber.objects.create(
            kind=SubscriberKind.ORGANISATION, name="Библиотека", email="library@example.org"
        )
    section = services.subscriber_for_section(world.section_a)  # no address: nothing to hash
    out = StringIO()
    with ROTATED:
        call_command("rehash_addresses", stdout=out)
        assert "2 addresses hashed again with the current key." in out.getvalue()
        assert {s.pk: s.email_hash for s in Subscriber.objects.all()} == {
            before.subscriber_id: email_hash(ADDRESS),
            organisation.pk: email_hash("library@example.org"),
            section.pk: "",
        }
        again = StringIO()
        call_command("rehash_addresses", stdout=again)
        assert "0 addresses hashed again" in again.getvalue()
    with REPLACED:
        found = services.find_reader(ADDRESS)
        assert found is not None and found.pk == before.subscriber_id


def test_the_encrypted_fields_do_not_depend_on_the_secret_key(before: Subscription) -> None:
    """``ENCRYPTION_KEYS`` encrypt them; a new ``SECRET_KEY``, even without the fallback, leaves them readable."""
    with REPLACED:
        assert Subscriber.objects.get(pk=before.subscriber_id).email == ADDRESS


def test_the_fallbacks_are_read_from_the_environment(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "LIAISON_VAR_DIR": str(tmp_path),
        "SECRET_KEY": NEW,
        "SECRET_KEY_FALLBACKS": f"{OLD},an older one",
        "DJANGO_SETTINGS_MODULE": "liaison.settings",
    }
    code = "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == repr([OLD, "an older one"])
    del environment["SECRET_KEY_FALLBACKS"]
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
