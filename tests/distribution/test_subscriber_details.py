"""Recording and changing a subscriber's details (``add_subscriber``, ``update_subscriber``): who may, what is
checked, and that a refusal changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from liaison.distribution import services
from liaison.distribution.models import Subscriber, SubscriberKind, SubscriptionChannel, SubscriptionState, email_hash
from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import reader, subscription

D = datetime.date


def snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        (s.pk, s.kind, s.name, s.email, s.email_hash, s.postal_address, s.language) for s in Subscriber.objects.all()
    )


# add_subscriber -----------------------------------------------------------------------------------------------------


def test_a_correspondent_records_their_own_section(world: World) -> None:
    made = services.add_subscriber(
        world.actor("corr_a"),
        kind="section",
        section=world.section_a,
        email="bureau@alpha.example.org",
        postal_address="  Улица Мира 1\nМосква  ",
        language="RU",
    )
    assert (made.kind, made.section, made.postal_address, made.language) == (
        SubscriberKind.SECTION,
        world.section_a,
        "Улица Мира 1\nМосква",
        "ru",
    )
    assert Subscriber.objects.get(email_hash=email_hash("BUREAU@alpha.example.org")) == made


@pytest.mark.parametrize(
    ("role", "kwargs"),
    [
        ("corr_b", {"kind": "section"}),  # another section
        ("member", {"kind": "section"}),  # a member, not a correspondent
        ("corr_a", {"kind": "organisation", "name": "図書館"}),  # only the secretariat records organisations
        ("corr_a", {"kind": "person", "email": "someone@example.org"}),
        ("anonymous", {"kind": "section"}),
    ],
)
def test_who_may_not_record_a_subscriber(world: World, role: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(NotAllowed):
        services.add_subscriber(world.actor(role), section=world.section_a, **kwargs)
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "organisation", "name": "X", "email": "x@mailinator.com"}, "email"),
        ({"kind": "organisation", "name": "X", "postal_address": "x" * 1001}, "postal_address"),
        ({"kind": "organisation", "name": "x" * 201}, "name"),
    ],
)
def test_bad_details_are_refused(world: World, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(LiaisonError) as refused:
        services.add_subscriber(world.actor("editor"), **kwargs)
    assert refused.value.field == field and str(refused.value)
    assert not Subscriber.objects.exists()


def test_a_persons_name_is_never_recorded(world: World) -> None:
    # A person is shown by pseudonym or masked address: a typed name could be a real name.
    made = services.add_subscriber(world.actor("editor"), kind="person", email="anna@example.org", name="Anna Real")
    assert made.name == "" and made.display_name == "a…@example.org"


def test_a_section_recorded_already_is_refused_with_where_to_go(world: World, section_a: Subscriber) -> None:
    with pytest.raises(Conflict, match="change its details on its page") as refused:
        services.add_subscriber(world.actor("corr_a"), kind="section", section=world.section_a)
    assert refused.value.field == "section"
    assert Subscriber.objects.count() == 1


# update_subscriber --------------------------------------------------------------------------------------------------


def test_the_secretariat_changes_an_organisation(world: World, org: Subscriber) -> None:
    changed = services.update_subscriber(
        world.actor("editor"),
        org,
        name="مكتبة الاتحاد",
        email="Archive@Example.org",
        postal_address="شارع النيل ٣\nالقاهرة",
        language="ar",
    )
    org.refresh_from_db()
    assert (org.name, org.email, org.postal_address, org.language) == (
        "مكتبة الاتحاد",
        "Archive@Example.org",
        "شارع النيل ٣\nالقاهرة",
        "ar",
    )
    assert changed.email_hash == email_hash("archive@example.org") == org.email_hash


def test_a_correspondent_changes_their_sections_postal_address(world: World, section_a: Subscriber) -> None:
    services.update_subscriber(world.actor("corr_a"), section_a, postal_address="東京都千代田区 1-1")
    section_a.refresh_from_db()
    assert section_a.postal_address == "東京都千代田区 1-1"


def test_fields_left_out_stay(world: World, org: Subscriber) -> None:
    before = snapshot()
    services.update_subscriber(world.actor("editor"), org)
    services.update_subscriber(world.actor("editor"), org, email="LIBRARY@example.org")  # the same address
    assert snapshot() == before
    services.update_subscriber(world.actor("editor"), org, language="de")
    org.refresh_from_db()
    assert (org.language, org.email, org.name) == ("de", "library@example.org", "Библиотека 図書館 مكتبة")


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_b", "translator"])
def test_who_may_not_change_a_sections_details(world: World, section_a: Subscriber, role: str) -> None:
    before = snapshot()
    with pytest.raises(NotAllowed):
        services.update_subscriber(world.actor(role), section_a, postal_address="Elsewhere")
    assert snapshot() == before


@pytest.mark.parametrize("role", ["member", "corr_a"])
def test_a_persons_details_are_the_secretariats_to_change(world: World, member_sub: Subscriber, role: str) -> None:
    before = snapshot()
    with pytest.raises(NotAllowed):
        services.update_subscriber(world.actor(role), member_sub, language="fr")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("who", "kwargs", "field"),
    [
        ("section", {"name": "Another name"}, "name"),
        ("org", {"name": "  "}, "name"),
        ("org", {"email": "not an address"}, "email"),
        ("org", {"email": "x@guerrillamail.com"}, "email"),
        ("org", {"language": "xx-yy-zz"}, "language"),
        ("org", {"postal_address": "x" * 1001}, "postal_address"),
        ("reader", {"email": ""}, "email"),  # a reader known only by the address
        ("reader", {"email": "taken@example.org"}, "email"),  # another reader's
    ],
)
def test_bad_changes_are_refused_and_change_nothing(
    world: World, section_a: Subscriber, org: Subscriber, who: str, kwargs: dict[str, Any], field: str
) -> None:
    reader("taken@example.org")
    target = {"section": section_a, "org": org, "reader": reader("mine@example.org")}[who]
    before = snapshot()
    with pytest.raises(LiaisonError) as refused:
        services.update_subscriber(world.actor("editor"), target, **kwargs)
    assert refused.value.field == field and str(refused.value)
    assert snapshot() == before


def test_an_address_a_current_subscription_needs_stays(world: World, bulletin: Periodical, org: Subscriber) -> None:
    org.postal_address = "Невский проспект 1"
    org.save()
    by_post = subscription(org, bulletin, channel=SubscriptionChannel.POST)
    by_email = subscription(org, bulletin, "ru", channel=SubscriptionChannel.EMAIL)
    editor = world.actor("editor")
    before = snapshot()
    with pytest.raises(LiaisonError, match="give the new postal address") as refused:
        services.update_subscriber(editor, org, postal_address="")
    assert refused.value.field == "postal_address"
    with pytest.raises(LiaisonError, match="by email") as refused:
        services.update_subscriber(editor, org, email="")
    assert refused.value.field == "email"
    assert snapshot() == before
    # Replacing them is fine; once the subscriptions ended, removing them too.
    services.update_subscriber(editor, org, postal_address="Литейный проспект 2", email="new@example.org")
    services.end_subscription(editor, by_post)
    services.end_subscription(editor, by_email)
    services.update_subscriber(editor, org, postal_address="", email="")
    org.refresh_from_db()
    assert (org.postal_address, org.email, org.email_hash) == ("", "", "")


def test_a_paused_subscription_still_needs_its_address(world: World, bulletin: Periodical, org: Subscriber) -> None:
    subscription(org, bulletin, state=SubscriptionState.PAUSED)
    with pytest.raises(LiaisonError):
        services.update_subscriber(world.actor("editor"), org, email="")
    org.refresh_from_db()
    assert org.email == "library@example.org"
