"""Exchange partners: a section's paper goes to other sections, each a distribution subscription by post."""

from __future__ import annotations

import datetime
import re

import pytest

from liaison.distribution import services as distribution
from liaison.distribution.models import SubscriberKind, Subscription, SubscriptionChannel, SubscriptionState
from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.exchange import services
from liaison.exchange.models import Partnership
from liaison.federation.models import SectionStatus
from liaison.periodicals.models import Frequency
from tests.exchange.conftest import SINCE, TODAY

PAGE = "/exchange/papers/voix/partners/"


def test_a_partner_is_a_post_subscription_of_the_receiving_section(world, paper, partnership) -> None:
    assert partnership.subscriber.kind == SubscriberKind.SECTION
    assert partnership.subscriber.section == world.section_b
    assert (partnership.periodical, partnership.language, partnership.channel) == (
        paper,
        "fr",
        SubscriptionChannel.POST,
    )
    assert (partnership.state, partnership.started_on) == (SubscriptionState.ACTIVE, SINCE)
    assert Partnership.objects.get(subscription=partnership).frequency == ""


def test_a_section_already_subscribed_on_the_distribution_pages_is_not_doubled(world, paper) -> None:
    subscriber = distribution.subscriber_for_section(world.section_b)
    made = distribution.add_subscription(
        world.actor("corr_b"), subscriber, paper, language="fr", channel=SubscriptionChannel.POST, started_on=SINCE
    )
    partnership = services.add_partner(world.actor("corr_a"), paper, world.section_b, frequency=Frequency.QUARTERLY)
    assert partnership.subscription == made and Subscription.objects.count() == 1


def test_it_refuses_a_partner_twice(world, paper, partnership) -> None:
    with pytest.raises(Conflict, match=re.escape("Section Beta already receives La Voix d'Alpha in exchange.")):
        services.add_partner(world.actor("corr_a"), paper, world.section_b)
    assert Subscription.objects.count() == 1


def test_it_refuses_the_papers_own_section_and_a_dissolved_one(world, paper) -> None:
    with pytest.raises(LiaisonError, match="does not exchange its paper with itself"):
        services.add_partner(world.actor("corr_a"), paper, world.section_a)
    world.section_b.status = SectionStatus.DISSOLVED
    world.section_b.save()
    with pytest.raises(LiaisonError, match="is dissolved"):
        services.add_partner(world.actor("corr_a"), paper, world.section_b)
    assert not Subscription.objects.exists()


def test_it_refuses_a_start_in_the_future_and_an_unknown_frequency(world, paper) -> None:
    with pytest.raises(LiaisonError, match="starts today or on a day past"):
        services.add_partner(world.actor("corr_a"), paper, world.section_b, started_on=TODAY + datetime.timedelta(1))
    with pytest.raises(LiaisonError, match="Choose how often"):
        services.add_partner(world.actor("corr_a"), paper, world.section_b, frequency="daily")
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("role", ["corr_b", "member", "editor", "translator"])
def test_only_the_papers_correspondents_choose_its_partners(world, paper, role: str) -> None:
    with pytest.raises(NotAllowed):
        services.add_partner(world.actor(role), paper, world.section_b)
    assert not Subscription.objects.exists()


def test_the_page_adds_a_partner_with_its_frequency(world, paper, client_as) -> None:
    response = client_as("corr_a").post(
        PAGE, {"section": world.section_b.pk, "frequency": "quarterly", "started_on": "2025-02-01"}, follow=True
    )
    assert "Section Beta now receives La Voix d&#x27;Alpha in exchange." in response.content.decode()
    partnership = Partnership.objects.get()
    assert partnership.frequency == Frequency.QUARTERLY
    assert partnership.subscription.started_on == datetime.date(2025, 2, 1)


def test_the_page_offers_neither_the_papers_section_nor_a_current_partner(world, paper, partnership, client_as) -> None:
    choices = client_as("corr_a").get(PAGE).context["form"].fields["section"].queryset
    assert world.section_a not in choices and world.section_b not in choices


def test_the_page_changes_the_frequency_and_ends_a_partnership(world, paper, partnership, client_as) -> None:
    client = client_as("corr_a")
    response = client.post(f"{PAGE}{partnership.pk}/frequency/", {"frequency": "bimonthly"}, follow=True)
    assert "The expected frequency was changed." in response.content.decode()
    assert Partnership.objects.get().frequency == Frequency.BIMONTHLY
    response = client.post(f"{PAGE}{partnership.pk}/end/", {"reason": "Ils ne répondent plus."}, follow=True)
    assert "no longer receives" in response.content.decode()
    partnership.refresh_from_db()
    assert partnership.state == SubscriptionState.ENDED and partnership.state_reason == "Ils ne répondent plus."
    # Ending it twice: a message, nothing else.
    response = client.post(f"{PAGE}{partnership.pk}/end/", {}, follow=True)
    assert "This partnership has already ended." in response.content.decode()


@pytest.mark.parametrize("role", ["corr_b", "member", "editor", "translator"])
def test_no_one_else_changes_or_ends_a_partnership(world, paper, partnership, client_as, role: str) -> None:
    client = client_as(role)
    assert client.post(f"{PAGE}{partnership.pk}/frequency/", {"frequency": "weekly"}).status_code == 403
    assert client.post(f"{PAGE}{partnership.pk}/end/", {}).status_code == 403
    partnership.refresh_from_db()
    assert partnership.state == SubscriptionState.ACTIVE and Partnership.objects.get().frequency == ""
