"""Unsubscribing: the landing page asks, its button does it; RFC 8058's one-click POST does it without a page (and
without a CSRF token). Forged or expired links change nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from liaison.distribution import links, services
from liaison.distribution.models import Dispatch, DispatchState, Subscriber, Subscription, SubscriptionState
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import publish, reader, subscription


@pytest.fixture
def active(world: World, bulletin: Periodical) -> Subscription:
    return subscription(reader("Ли@例子.中国"), bulletin)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_the_headers_name_the_one_click_address(active: Subscription) -> None:
    headers = services.unsubscribe_headers(active)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"]
    assert url.startswith("<http") and url.endswith("/one-click/>")
    assert f"/distribution/unsubscribe/{active.pk}:" in url
    # The address works: it ends the subscription it names.
    token = url.strip("<>").rsplit("/", 3)[1]
    assert services.unsubscribe(token).pk == active.pk


def test_the_landing_page_asks_and_its_button_unsubscribes(active: Subscription) -> None:
    url = path_of(links.unsubscribe_url(active))
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200 and b"Stop receiving" in page.content
    active.refresh_from_db()
    assert active.state == SubscriptionState.ACTIVE
    # Without the page's CSRF token the button's POST is refused: only the one-click endpoint is exempt.
    assert client.post(url).status_code == 403
    active.refresh_from_db()
    assert active.state == SubscriptionState.ACTIVE
    done = Client().post(url)
    assert done.status_code == 200 and b"no more issues" in done.content
    active.refresh_from_db()
    assert active.state == SubscriptionState.ENDED and active.ended_on is not None


def test_one_click_unsubscribes_without_a_csrf_token(active: Subscription) -> None:
    url = path_of(services.unsubscribe_headers(active)["List-Unsubscribe"].strip("<>"))
    client = Client(enforce_csrf_checks=True)
    answer = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    active.refresh_from_db()
    assert active.state == SubscriptionState.ENDED
    # Twice is harmless.
    again = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200


def test_one_click_needs_its_body(active: Subscription) -> None:
    url = path_of(links.one_click_url(active))
    assert Client().post(url, {"something": "else"}).status_code == 400
    active.refresh_from_db()
    assert active.state == SubscriptionState.ACTIVE


def test_opening_the_one_click_address_leads_to_the_landing_page(active: Subscription) -> None:
    token = links.sign(links.UNSUBSCRIBE_SALT, active.pk)
    answer = Client().get(f"/distribution/unsubscribe/{token}/one-click/")
    assert answer.status_code == 302 and answer["Location"] == f"/distribution/unsubscribe/{token}/"
    active.refresh_from_db()
    assert active.state == SubscriptionState.ACTIVE


def test_forged_links_change_nothing(active: Subscription) -> None:
    good = links.sign(links.UNSUBSCRIBE_SALT, active.pk)
    other = links.sign(links.UNSUBSCRIBE_SALT, active.pk + 1)
    forged = f"{active.pk + 1}:{good.split(':', 1)[1]}"  # another id with this one's signature
    for bad in (
        forged,
        other.replace(str(active.pk + 1), str(active.pk), 1),
        links.sign(links.RECEIPT_SALT, active.pk),
    ):
        with pytest.raises(links.BadLink):
            services.unsubscribe(bad)
        assert Client().post(f"/distribution/unsubscribe/{bad}/").status_code == 400
        one_click = Client().post(f"/distribution/unsubscribe/{bad}/one-click/", {"List-Unsubscribe": "One-Click"})
        assert one_click.status_code == 400
    active.refresh_from_db()
    assert active.state == SubscriptionState.ACTIVE


def test_expired_links_change_nothing(active: Subscription, settings: object) -> None:
    token = links.sign(links.UNSUBSCRIBE_SALT, active.pk)
    settings.DISTRIBUTION_LINK_DAYS = -1  # type: ignore[attr-defined]
    page = Client().post(f"/distribution/unsubscribe/{token}/")
    assert page.status_code == 400 and b"expired" in page.content
    active.refresh_from_db()
    assert active.state == SubscriptionState.ACTIVE


def test_ending_cancels_what_was_not_sent(world: World, bulletin: Periodical, active: Subscription) -> None:
    one, two = publish(bulletin, 1), publish(bulletin, 2)
    services.create_dispatches(one)
    services.create_dispatches(two)
    Dispatch.objects.filter(issue=one.issue).update(state=DispatchState.SENT)
    services.unsubscribe(links.sign(links.UNSUBSCRIBE_SALT, active.pk))
    states = dict(Dispatch.objects.values_list("issue__number", "state"))
    assert states == {1: DispatchState.SENT, 2: DispatchState.CANCELLED}


def test_a_subscription_that_no_longer_exists(world: World) -> None:
    token = links.sign(links.UNSUBSCRIBE_SALT, 999_999)
    page = Client().get(f"/distribution/unsubscribe/{token}/")
    assert page.status_code == 404 and b"no longer exists" in page.content
    assert Subscriber.objects.count() == 0
