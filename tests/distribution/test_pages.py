"""Distribution's pages, for every role: who reaches which page, what each one shows, and their query counts."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from liaison.distribution import services
from liaison.distribution.models import (
    Claim,
    ClaimState,
    Dispatch,
    DispatchState,
    Receipt,
    Subscriber,
    Subscription,
    SubscriptionChannel,
    SubscriptionState,
)
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import data_queries, paper_issue, publish, reader, subscription

D = datetime.date
ROLES = ("anonymous", "member", "corr_a", "corr_b", "translator", "editor")
ClientAs = Callable[[str], Client]


@pytest.fixture
def scene(world: World, bulletin: Periodical, paper: Periodical, section_a: Subscriber, member_sub: Subscriber) -> dict:
    """Section A: the bulletin by post (issues 1–2 out, No. 1 posted) and section B's paper (No. 1 out).
    The member of A: the bulletin by email. A claim by section A for the paper's No. 1 (to section B)."""
    member_sub.email = "member@example.org"
    member_sub.save()
    post = subscription(section_a, bulletin, channel=SubscriptionChannel.POST, started_on=D(2024, 1, 1))
    exchange = subscription(section_a, paper, "es", channel=SubscriptionChannel.POST, started_on=D(2024, 1, 1))
    own = subscription(member_sub, bulletin, started_on=D(2024, 1, 1))
    for n in (1, 2):
        services.create_dispatches(publish(bulletin, n, "en", D(2024, n + 1, 1)))
    Dispatch.objects.filter(subscription=post, issue__number=1).update(state=DispatchState.POSTED)
    paper_one = paper_issue(paper, 1, D(2024, 2, 10))
    claim = services.claim(world.actor("corr_a"), section_a, [(exchange.pk, paper_one.pk)])
    return {"post": post, "exchange": exchange, "own": own, "claim": claim}


def expect(client: Client, method: str, url: str, status: int, data: dict | None = None) -> object:
    answer = client.get(url) if method == "get" else client.post(url, data or {})
    assert answer.status_code == status, (url, answer.status_code)
    return answer


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member", 200), ("corr_a", 200), ("corr_b", 404), ("translator", 404), ("editor", 200)],
)
def test_a_sections_gaps_page(client_as: ClientAs, scene: dict, section_a: Subscriber, role: str, status: int) -> None:
    page = expect(client_as(role), "get", f"/distribution/subscribers/{section_a.pk}/gaps/", status)
    if status == 302:
        assert "/accounts/login/" in page["Location"]  # type: ignore[index]
    if status == 200:
        content = page.content.decode()  # type: ignore[attr-defined]
        assert "Section Alpha" in content and "Voz Beta" in content
        forms_shown = 'name="items"' in content
        assert forms_shown == (role in ("corr_a", "editor"))


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member", 200), ("corr_a", 404), ("corr_b", 404), ("translator", 404), ("editor", 200)],
)
def test_a_persons_gaps_page(client_as: ClientAs, scene: dict, member_sub: Subscriber, role: str, status: int) -> None:
    page = expect(client_as(role), "get", f"/distribution/subscribers/{member_sub.pk}/gaps/", status)
    if status == 200:
        assert b"member@example.org" in page.content  # type: ignore[attr-defined]


def test_an_unknown_subscriber(client_as: ClientAs, scene: dict) -> None:
    expect(client_as("editor"), "get", "/distribution/subscribers/999999/gaps/", 404)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member", 403), ("corr_a", 302), ("corr_b", 404), ("translator", 404), ("editor", 302)],
)
def test_claiming_from_the_page(
    client_as: ClientAs, scene: dict, bulletin: Periodical, section_a: Subscriber, role: str, status: int
) -> None:
    item = f"{scene['post'].pk}:{bulletin.issues.get(number=2).pk}"
    before = Claim.objects.count()
    answer = expect(
        client_as(role), "post", f"/distribution/subscribers/{section_a.pk}/claims/", status, {"items": [item]}
    )
    made = Claim.objects.count() - before
    assert made == (1 if role in ("corr_a", "editor") else 0)
    if made:
        assert answer["Location"].endswith(f"/distribution/subscribers/{section_a.pk}/gaps/")  # type: ignore[index]


def test_a_refused_claim_shows_why(client_as: ClientAs, scene: dict, section_a: Subscriber) -> None:
    answer = client_as("corr_a").post(f"/distribution/subscribers/{section_a.pk}/claims/", {"items": ["1:999999"]})
    assert answer.status_code == 400
    assert Claim.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member", 403), ("corr_a", 302), ("corr_b", 404), ("translator", 404), ("editor", 302)],
)
def test_recording_a_receipt_from_the_page(
    client_as: ClientAs, scene: dict, bulletin: Periodical, section_a: Subscriber, role: str, status: int
) -> None:
    data = {"item": f"{bulletin.issues.get(number=1).pk}:en", "how": "post", "note": "ok"}
    expect(client_as(role), "post", f"/distribution/subscribers/{section_a.pk}/receipts/", status, data)
    assert Receipt.objects.count() == (1 if role in ("corr_a", "editor") else 0)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member", 403), ("corr_a", 403), ("corr_b", 403), ("translator", 403), ("editor", 200)],
)
def test_the_list_of_subscribers_is_the_secretariats(client_as: ClientAs, scene: dict, role: str, status: int) -> None:
    page = expect(client_as(role), "get", "/distribution/subscribers/", status)
    if status == 200:
        content = page.content.decode()  # type: ignore[attr-defined]
        assert "Section Alpha" in content and "Alpha Member" in content
        assert "member@example.org" not in content  # names only on the list


def test_the_list_filters(client_as: ClientAs, scene: dict, org: Subscriber) -> None:
    editor = client_as("editor")
    assert "Библиотека" in editor.get("/distribution/subscribers/?kind=organisation").content.decode()
    assert "Section Alpha" not in editor.get("/distribution/subscribers/?kind=organisation").content.decode()
    assert "Библиотека" in editor.get("/distribution/subscribers/?email=LIBRARY@example.org").content.decode()
    assert "Библиотека" in editor.get("/distribution/subscribers/?name=図書館").content.decode()
    content = editor.get(f"/distribution/subscribers/?periodical={scene['exchange'].periodical_id}").content.decode()
    assert "Section Alpha" in content and "Alpha Member" not in content
    assert "No subscriber matches" in editor.get("/distribution/subscribers/?name=nobody").content.decode()


def test_the_list_costs_the_same_queries_whatever_it_shows(
    client_as: ClientAs, world: World, bulletin: Periodical
) -> None:
    editor = client_as("editor")
    publish(bulletin, 1)

    def grow(n: int) -> None:
        for _ in range(n):
            s = subscription(reader(f"r{Subscriber.objects.count()}@example.org"), bulletin)
            Receipt.objects.create(subscriber=s.subscriber, issue=bulletin.issues.get(), language="en", how="by_hand")
        Subscriber.objects.create(kind="organisation", name=f"Org {Subscriber.objects.count()}")

    grow(2)
    editor.get("/distribution/subscribers/")  # warm the session and the caches
    with CaptureQueriesContext(connection) as small:
        assert editor.get("/distribution/subscribers/").status_code == 200
    grow(20)
    with CaptureQueriesContext(connection) as large:
        page = editor.get("/distribution/subscribers/")
    assert page.status_code == 200 and page.content.decode().count("/gaps/") == 24
    assert len(small) == len(large)
    assert len(data_queries(large)) <= 12, [q[:80] for q in data_queries(large)]


@pytest.mark.parametrize("role", ["member", "corr_a", "corr_b", "translator", "editor"])
def test_open_claims_for_each_role(client_as: ClientAs, scene: dict, role: str) -> None:
    content = client_as(role).get("/distribution/claims/").content.decode()
    claim = scene["claim"]
    shown = f"claim-{claim.pk}" in content
    # Section A made it (its people see it); section B must answer it; the secretariat sees everything.
    assert shown == (role in ("member", "corr_a", "corr_b", "editor"))
    assert (f"/distribution/claims/{claim.pk}/answer/" in content) == (role == "corr_b")


def test_open_claims_need_an_account(client: Client, scene: dict) -> None:
    assert client.get("/distribution/claims/").status_code == 302


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member", 403), ("corr_a", 403), ("corr_b", 302), ("translator", 404), ("editor", 403)],
)
def test_answering_a_papers_claim(client_as: ClientAs, scene: dict, role: str, status: int) -> None:
    claim = scene["claim"]
    expect(client_as(role), "post", f"/distribution/claims/{claim.pk}/answer/", status)
    claim.refresh_from_db()
    assert (claim.state == ClaimState.ANSWERED) == (role == "corr_b")


def test_refusing_from_the_page(client_as: ClientAs, scene: dict) -> None:
    claim = scene["claim"]
    corr_b = client_as("corr_b")
    corr_b.post(f"/distribution/claims/{claim.pk}/refuse/", {"reason": ""})
    claim.refresh_from_db()
    assert claim.state == ClaimState.OPEN
    corr_b.post(f"/distribution/claims/{claim.pk}/refuse/", {"reason": "Agotado"})
    claim.refresh_from_db()
    assert (claim.state, claim.reason) == (ClaimState.REFUSED, "Agotado")
    # The claimant sees the answer on its page.
    page = client_as("corr_a").get(f"/distribution/subscribers/{claim.subscriber_id}/gaps/").content.decode()
    assert "Agotado" in page


@pytest.mark.parametrize("role", ROLES)
def test_my_subscriptions(client_as: ClientAs, scene: dict, role: str) -> None:
    page = client_as(role).get("/distribution/mine/")
    if role == "anonymous":
        assert page.status_code == 302
        return
    content = page.content.decode()
    assert ("Alpha Member" in content) == (role == "member")
    assert ("Section Alpha" in content) == (role in ("member", "corr_a"))


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member", 302), ("corr_a", 404), ("corr_b", 404), ("translator", 404), ("editor", 302)],
)
def test_ending_a_subscription_from_the_page(client_as: ClientAs, scene: dict, role: str, status: int) -> None:
    own: Subscription = scene["own"]
    expect(client_as(role), "post", f"/distribution/subscriptions/{own.pk}/end/", status)
    own.refresh_from_db()
    assert (own.state == SubscriptionState.ENDED) == (role in ("member", "editor"))


def test_a_member_may_not_end_the_sections_subscription(client_as: ClientAs, scene: dict) -> None:
    post: Subscription = scene["post"]
    assert client_as("member").post(f"/distribution/subscriptions/{post.pk}/end/").status_code == 403
    post.refresh_from_db()
    assert post.state == SubscriptionState.ACTIVE


@pytest.mark.parametrize(
    ("role", "shown"),
    [("member", True), ("corr_a", True), ("corr_b", False), ("translator", False), ("editor", True)],
)
def test_the_section_dashboard_block(client_as: ClientAs, scene: dict, world: World, role: str, shown: bool) -> None:
    page = client_as(role).get(f"/sections/{world.section_a.slug}/dashboard/")
    if page.status_code != 200:
        assert not shown
        return
    content = page.content.decode()
    assert ("Periodicals received" in content) == shown
    if shown:
        assert "Voz Beta" in content and "Claimed from" in content


def test_the_dashboard_block_of_the_section_that_must_answer(client_as: ClientAs, scene: dict, world: World) -> None:
    content = client_as("corr_b").get(f"/sections/{world.section_b.slug}/dashboard/").content.decode()
    assert "asks again for" in content and "Section Alpha" in content


def test_the_dashboard_block_costs_the_same_queries(
    client_as: ClientAs, scene: dict, world: World, bulletin: Periodical, section_a: Subscriber
) -> None:
    client = client_as("corr_a")
    url = f"/sections/{world.section_a.slug}/dashboard/"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(3, 9):
        services.create_dispatches(publish(bulletin, n, "en", D(2024, 6, n)))
    subscription(section_a, bulletin, "fr", started_on=D(2024, 1, 1))
    services.claim(
        world.actor("corr_a"), section_a, [(scene["post"].pk, bulletin.issues.get(number=n).pk) for n in (3, 4)]
    )
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member", 403), ("corr_a", 403), ("corr_b", 302), ("translator", 404), ("editor", 403)],
)
def test_refusing_a_papers_claim_by_role(client_as: ClientAs, scene: dict, role: str, status: int) -> None:
    claim = scene["claim"]
    expect(client_as(role), "post", f"/distribution/claims/{claim.pk}/refuse/", status, {"reason": "No"})
    claim.refresh_from_db()
    assert (claim.state == ClaimState.REFUSED) == (role == "corr_b")


@pytest.mark.parametrize("role", ROLES)
def test_the_public_pages_are_public(client_as: ClientAs, scene: dict, role: str) -> None:
    assert client_as(role).get("/distribution/subscribe/bulletin/").status_code == 200


@pytest.mark.parametrize("role", ["member", "corr_a", "corr_b", "translator", "editor"])
def test_pages_only_answer_their_methods(client_as: ClientAs, scene: dict, section_a: Subscriber, role: str) -> None:
    client = client_as(role)
    assert client.get(f"/distribution/subscribers/{section_a.pk}/claims/").status_code == 405
    assert client.get(f"/distribution/claims/{scene['claim'].pk}/answer/").status_code == 405
    assert client.post("/distribution/subscribers/").status_code == 405
