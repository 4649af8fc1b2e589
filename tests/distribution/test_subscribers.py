"""Recording subscribers and active subscriptions, and the subscription's transitions."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from liaison.distribution import services
from liaison.distribution.models import Subscriber, SubscriberKind, Subscription, SubscriptionState
from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.periodicals.models import Periodical
from tests.conftest import World


def test_the_secretariat_records_subscribers(world: World) -> None:
    editor = world.actor("editor")
    org = services.add_subscriber(
        editor,
        kind="organisation",
        name="مكتبة الاتحاد",
        email="lib@example.org",
        postal_address="القاهرة",
        language="ar",
    )
    assert org.display_name == "مكتبة الاتحاد" and org.postal_address == "القاهرة"
    section = services.add_subscriber(editor, kind="section", section=world.section_b)
    assert section == services.subscriber_for_section(world.section_b)
    person = services.add_subscriber(editor, kind="person", person=world.people["offline"])
    assert person.display_name == "Quiet One"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "planet"}, "kind"),
        ({"kind": "organisation"}, "name"),
        ({"kind": "organisation", "name": "X", "email": "bad"}, "email"),
        ({"kind": "organisation", "name": "X", "language": "xx-yy-zz"}, "language"),
        ({"kind": "section"}, "section"),
        ({"kind": "person"}, "email"),
    ],
)
def test_bad_subscribers_are_refused(world: World, kwargs: dict, field: str) -> None:
    with pytest.raises(LiaisonError) as refused:
        services.add_subscriber(world.actor("editor"), **kwargs)
    assert refused.value.field == field
    assert not Subscriber.objects.exists()


def test_duplicates_are_refused(world: World) -> None:
    editor = world.actor("editor")
    services.add_subscriber(editor, kind="person", email="one@example.org")
    with pytest.raises(Conflict):
        services.add_subscriber(editor, kind="person", email="ONE@example.org")
    services.subscriber_for_section(world.section_a)
    with pytest.raises(Conflict):
        services.add_subscriber(editor, kind="section", section=world.section_a)
    assert Subscriber.objects.count() == 2


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_a", "translator"])
def test_only_the_secretariat_records_subscribers(world: World, role: str) -> None:
    with pytest.raises(NotAllowed):
        services.add_subscriber(world.actor(role), kind="organisation", name="X")
    assert not Subscriber.objects.exists()


def test_a_person_becomes_a_subscriber_with_their_accounts_address(world: World) -> None:
    made = services.subscriber_for_person(world.people["corr_a"])
    assert (made.kind, made.email, made.display_name) == (SubscriberKind.PERSON, "corr_a@example.org", "Alpha Corr")
    assert services.subscriber_for_person(world.people["corr_a"]) == made


def test_a_correspondent_subscribes_their_section(world: World, bulletin: Periodical, section_a: Subscriber) -> None:
    made = services.add_subscription(world.actor("corr_a"), section_a, bulletin, language="de", channel="post")
    assert (made.state, made.started_on, made.created_by) == (
        SubscriptionState.ACTIVE,
        timezone.localdate(),
        world.users["corr_a"],
    )
    with pytest.raises(NotAllowed):
        services.add_subscription(world.actor("corr_b"), section_a, bulletin, language="fr", channel="post")
    with pytest.raises(LiaisonError, match="future") as refused:
        services.add_subscription(
            world.actor("editor"),
            section_a,
            bulletin,
            language="fr",
            channel="post",
            started_on=timezone.localdate() + datetime.timedelta(days=2),
        )
    assert refused.value.field == "started_on"
    assert Subscription.objects.count() == 1


def test_an_internal_bulletin_goes_to_members_only(world: World, internal: Periodical, org: Subscriber) -> None:
    with pytest.raises(LiaisonError, match="internal bulletin"):
        services.add_subscription(world.actor("editor"), org, internal, language="en", channel="email", formats=["pdf"])


def test_a_papers_language_is_its_own(world: World, paper: Periodical, section_a: Subscriber) -> None:
    with pytest.raises(LiaisonError, match="does not come out"):
        services.add_subscription(world.actor("corr_b"), section_a, paper, language="fr", channel="post")
    made = services.add_subscription(world.actor("corr_b"), section_a, paper, language="es", channel="post")
    assert made.periodical == paper


def test_transitions_follow_the_table(world: World, bulletin: Periodical, org: Subscriber) -> None:
    made = services.add_subscription(
        world.actor("editor"), org, bulletin, language="ru", channel="email", formats=["epub"]
    )
    paused = services.set_subscription_state(made, SubscriptionState.PAUSED, "5 bounces")
    assert (paused.state, paused.state_reason) == (SubscriptionState.PAUSED, "5 bounces")
    again = services.set_subscription_state(paused, SubscriptionState.ACTIVE)
    assert again.bounce_count == 0
    ended = services.set_subscription_state(again, SubscriptionState.ENDED)
    assert ended.ended_on == timezone.localdate()
    with pytest.raises(Conflict):
        services.set_subscription_state(ended, SubscriptionState.ACTIVE)
    with pytest.raises(Conflict):
        services.end_subscription(world.actor("editor"), ended)
