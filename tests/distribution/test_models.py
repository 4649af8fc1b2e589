"""The models' invariants: protected addresses with a keyed hash, the database's constraints, display names."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from liaison.distribution.models import (
    Dispatch,
    Receipt,
    ReceiptHow,
    Subscriber,
    SubscriberKind,
    Subscription,
    SubscriptionState,
    email_hash,
    mask_email,
)
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import publish, reader, subscription


def raw_row(table: str, pk: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test's own constants
        return cursor.fetchone()[0]


def test_it_stores_addresses_encrypted_with_a_keyed_hash(world: World) -> None:
    subscriber = Subscriber.objects.create(
        kind=SubscriberKind.PERSON, email="Ана@Пример.рф", postal_address="北京市 1号", language="ru"
    )
    stored = raw_row("distribution_subscriber", subscriber.pk, "email")
    assert stored.startswith("fernet:") and "Ана" not in stored
    assert raw_row("distribution_subscriber", subscriber.pk, "postal_address").startswith("fernet:")
    assert raw_row("distribution_subscriber", subscriber.pk, "email_hash") == email_hash("ана@пример.рф")
    subscriber.refresh_from_db()
    assert subscriber.email == "Ана@Пример.рф"
    assert subscriber.postal_address == "北京市 1号"


def test_the_hash_is_keyed_and_follows_the_address(world: World, settings: object) -> None:
    subscriber = reader("one@example.org")
    subscriber.email = "two@example.org"
    subscriber.save(update_fields=["email"])
    assert Subscriber.objects.get(pk=subscriber.pk).email_hash == email_hash("TWO@example.org ")
    import hashlib

    assert subscriber.email_hash != hashlib.sha256(b"two@example.org").hexdigest()
    assert email_hash("") == ""


def test_one_reader_per_address(world: World) -> None:
    reader("same@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        reader("SAME@example.org")
    # An organisation may share an office address.
    Subscriber.objects.create(kind=SubscriberKind.ORGANISATION, name="Office", email="same@example.org")


def test_kind_must_match_its_fields(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(kind=SubscriberKind.SECTION)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(kind=SubscriberKind.ORGANISATION, name="")
    Subscriber.objects.create(kind=SubscriberKind.SECTION, section=world.section_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(kind=SubscriberKind.SECTION, section=world.section_a)


def test_one_current_subscription_per_channel(world: World, bulletin: Periodical, section_a: Subscriber) -> None:
    first = subscription(section_a, bulletin)
    with pytest.raises(IntegrityError), transaction.atomic():
        subscription(section_a, bulletin)
    subscription(section_a, bulletin, channel="post")
    subscription(section_a, bulletin, "fr")
    Subscription.objects.filter(pk=first.pk).update(state=SubscriptionState.ENDED)
    subscription(section_a, bulletin)  # once ended, a new one may start


def test_an_active_subscription_has_a_start(world: World, bulletin: Periodical, section_a: Subscriber) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(
            subscriber=section_a, periodical=bulletin, language="en", state=SubscriptionState.ACTIVE
        )


def test_dispatches_and_receipts_are_unique(world: World, bulletin: Periodical, section_a: Subscriber) -> None:
    s = subscription(section_a, bulletin)
    edition = publish(bulletin, 1)
    Dispatch.objects.create(subscription=s, issue=edition.issue, language="en")
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(subscription=s, issue=edition.issue, language="en")
    Receipt.objects.create(subscriber=section_a, issue=edition.issue, language="en", how=ReceiptHow.BY_HAND)
    with pytest.raises(IntegrityError), transaction.atomic():
        Receipt.objects.create(subscriber=section_a, issue=edition.issue, language="en", how=ReceiptHow.POST)


def test_message_id_is_stable_per_round(world: World, bulletin: Periodical, section_a: Subscriber) -> None:
    s = subscription(section_a, bulletin)
    dispatch = Dispatch.objects.create(subscription=s, issue=publish(bulletin, 1).issue, language="en")
    first = dispatch.make_message_id()
    assert first == dispatch.make_message_id()
    assert first.startswith(f"<dispatch-{dispatch.pk}.0@") and first.endswith(">")
    dispatch.resends = 1
    assert dispatch.make_message_id() != first


def test_display_names_never_show_a_real_name_or_a_whole_address(
    world: World, section_a: Subscriber, member_sub: Subscriber, org: Subscriber
) -> None:
    assert section_a.display_name == "Section Alpha"
    assert member_sub.display_name == "Alpha Member"
    assert org.display_name == "Библиотека 図書館 مكتبة"
    assert reader("عائشة@example.org").display_name == "ع…@example.org"
    assert mask_email("not-an-address") == ""
