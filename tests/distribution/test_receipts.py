"""Receipts: the subscriber's own "I received it" link (a page with a button, so that a mail scanner records
nothing), or a record by hand. Never inferred from anything else."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from liaison.distribution import links, services
from liaison.distribution.models import Dispatch, Receipt, ReceiptHow, Subscriber, SubscriptionChannel
from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import paper_issue, publish, reader, subscription


@pytest.fixture
def dispatch(world: World, bulletin: Periodical) -> Dispatch:
    s = subscription(reader("فاطمة@example.org"), bulletin)
    services.create_dispatches(publish(bulletin, 1))
    return Dispatch.objects.get(subscription=s)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_the_link_asks_then_records_once(dispatch: Dispatch) -> None:
    url = path_of(services.receipt_url(dispatch))
    client = Client()
    page = client.get(url)
    assert page.status_code == 200 and b"Yes, I received it" in page.content
    assert not Receipt.objects.exists()  # opening the link records nothing
    assert client.post(url).status_code == 200
    receipt = Receipt.objects.get()
    assert (receipt.how, receipt.dispatch, receipt.language) == (ReceiptHow.LINK, dispatch, "en")
    assert receipt.subscriber_id == dispatch.subscription.subscriber_id
    assert client.post(url).status_code == 200
    assert Receipt.objects.count() == 1


def test_forged_or_expired_receipt_links_record_nothing(dispatch: Dispatch, settings: object) -> None:
    good = links.sign(links.RECEIPT_SALT, dispatch.pk)
    for bad in (good + "x", links.sign(links.UNSUBSCRIBE_SALT, dispatch.pk), f"{dispatch.pk}"):
        with pytest.raises(links.BadLink):
            services.record_receipt_by_link(bad)
        assert Client().post(f"/distribution/receipt/{bad}/").status_code == 400
    settings.DISTRIBUTION_LINK_DAYS = -1  # type: ignore[attr-defined]
    page = Client().post(f"/distribution/receipt/{good}/")
    assert page.status_code == 400 and b"expired" in page.content
    assert not Receipt.objects.exists()


def test_a_correspondent_records_a_receipt_for_their_section(
    world: World, bulletin: Periodical, section_a: Subscriber
) -> None:
    subscription(section_a, bulletin, channel=SubscriptionChannel.POST)
    one = publish(bulletin, 1).issue
    made = services.record_receipt(world.actor("corr_a"), section_a, one, how=ReceiptHow.POST, note="Пришло 通 وصل")
    assert (made.language, made.how, made.recorded_by) == ("en", ReceiptHow.POST, world.users["corr_a"])
    with pytest.raises(Conflict, match="already recorded"):
        services.record_receipt(world.actor("corr_a"), section_a, one)
    assert Receipt.objects.count() == 1


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_b", "translator"])
def test_others_may_not_record_a_sections_receipt(
    world: World, bulletin: Periodical, section_a: Subscriber, role: str
) -> None:
    subscription(section_a, bulletin)
    with pytest.raises(NotAllowed):
        services.record_receipt(world.actor(role), section_a, publish(bulletin, 1).issue)
    assert not Receipt.objects.exists()


def test_refusals_change_nothing(world: World, bulletin: Periodical, paper: Periodical, section_a: Subscriber) -> None:
    editor = world.actor("editor")
    subscription(section_a, bulletin, "en")
    subscription(section_a, bulletin, "fr")
    one = publish(bulletin, 1, "en").issue
    with pytest.raises(LiaisonError, match="which language") as refused:
        services.record_receipt(editor, section_a, one)
    assert refused.value.field == "language"
    with pytest.raises(LiaisonError, match="has not come out") as refused:
        services.record_receipt(editor, section_a, one, "fr")
    assert refused.value.field == "issue"
    with pytest.raises(LiaisonError, match="by post or by hand"):
        services.record_receipt(editor, section_a, one, "en", how=ReceiptHow.LINK)
    planned = paper_issue(paper, 1, datetime.date(2024, 5, 1))
    planned.status = "planned"
    planned.save()
    with pytest.raises(LiaisonError, match="has not come out"):
        services.record_receipt(editor, section_a, planned)
    assert not Receipt.objects.exists()


def test_a_papers_issue_is_recorded_in_its_language(world: World, paper: Periodical, section_a: Subscriber) -> None:
    one = paper_issue(paper, 1, datetime.date(2024, 5, 1))
    made = services.record_receipt(world.actor("corr_a"), section_a, one)
    assert made.language == "es"
