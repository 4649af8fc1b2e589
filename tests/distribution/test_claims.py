"""Claims: a subscriber asks again for missing issues; the secretariat (a bulletin) or the section (its paper)
answers by sending them again as back issues, or refuses with a reason. Every refusal changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from liaison.distribution import services
from liaison.distribution.models import (
    Claim,
    ClaimItem,
    ClaimState,
    Dispatch,
    DispatchKind,
    DispatchState,
    Receipt,
    ReceiptHow,
    Subscriber,
    Subscription,
    SubscriptionChannel,
)
from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.periodicals.models import Issue, Periodical
from tests.conftest import World
from tests.distribution.conftest import paper_issue, publish, subscription

D = datetime.date


@pytest.fixture
def post(world: World, bulletin: Periodical, section_a: Subscriber) -> Subscription:
    """Section A receives the bulletin by post since 1 Jan 2024; issues 1–3 came out, No. 1 was posted."""
    made = subscription(section_a, bulletin, channel=SubscriptionChannel.POST, started_on=D(2024, 1, 1))
    for n in (1, 2, 3):
        services.create_dispatches(publish(bulletin, n, "en", D(2024, n + 1, 1)))
    Dispatch.objects.filter(issue__number=1).update(state=DispatchState.POSTED)
    return made


def issue(periodical: Periodical, number: int) -> Issue:
    return periodical.issues.get(number=number)


def nothing_changed() -> tuple[int, int, list[tuple[str, str, int]]]:
    return (
        Claim.objects.count(),
        ClaimItem.objects.count(),
        sorted(Dispatch.objects.values_list("state", "kind", "resends")),
    )


def test_a_correspondent_claims_and_the_secretariat_answers(
    world: World, bulletin: Periodical, section_a: Subscriber, post: Subscription
) -> None:
    made = services.claim(
        world.actor("corr_a"),
        section_a,
        [(post.pk, issue(bulletin, 1).pk), (post.pk, issue(bulletin, 2).pk)],
        "Выпуск не пришёл / 未收到",
    )
    assert made.state == ClaimState.OPEN and made.periodical == bulletin
    assert made.claimed_by == world.users["corr_a"]
    assert made.items.count() == 2
    assert {r.number: r.claim_state for r in services.gaps(section_a)} == {1: "open", 2: "open", 3: None}
    answered = services.answer_claim(world.actor("editor"), made)
    assert answered.state == ClaimState.ANSWERED and answered.answered_by == world.users["editor"]
    one = Dispatch.objects.get(subscription=post, issue__number=1)
    two = Dispatch.objects.get(subscription=post, issue__number=2)
    # No. 1 had been posted: re-opened for a new round. No. 2 was still waiting: only marked a back issue.
    assert (one.state, one.kind, one.resends, one.sent_at) == (DispatchState.PENDING, DispatchKind.BACK_ISSUE, 1, None)
    assert (two.state, two.kind, two.resends) == (DispatchState.PENDING, DispatchKind.BACK_ISSUE, 0)
    assert set(made.items.values_list("dispatch_id", flat=True)) == {one.pk, two.pk}
    assert Dispatch.objects.count() == 3  # still one row per subscription, issue and language
    assert {r.number: r.claim_state for r in services.gaps(section_a)}[1] == ClaimState.ANSWERED


def test_an_answer_makes_a_dispatch_that_never_was(
    world: World, bulletin: Periodical, section_a: Subscriber, post: Subscription
) -> None:
    Dispatch.objects.filter(issue__number=3).delete()  # the subscription was paused when it came out
    made = services.claim(world.actor("editor"), section_a, [(post.pk, issue(bulletin, 3).pk)])
    services.answer_claim(world.actor("editor"), made)
    created = Dispatch.objects.get(issue__number=3)
    assert (created.kind, created.state, created.resends) == (DispatchKind.BACK_ISSUE, DispatchState.PENDING, 0)
    assert created.edition is not None


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("nothing", "Choose the missing issues"),
        ("no such issue", "no issue with the identifier"),
        ("other periodical", "is not an issue of"),
        ("not out in the language", "never due"),
        ("before it started", "never due"),
        ("not my subscription", "no subscription number"),
        ("received", "recorded as received"),
        ("feed", "read in a feed"),
        ("already claimed", "already claimed"),
    ],
)
def test_refusals_change_nothing(
    world: World,
    bulletin: Periodical,
    internal: Periodical,
    section_a: Subscriber,
    org: Subscriber,
    post: Subscription,
    case: str,
    message: str,
) -> None:
    corr_a = world.actor("corr_a")
    items: list[tuple[int, int]]
    if case == "nothing":
        items = []
    elif case == "no such issue":
        items = [(post.pk, 999_999)]
    elif case == "other periodical":
        items = [(post.pk, publish(internal, 1).issue.pk)]
    elif case == "not out in the language":
        items = [(subscription(section_a, bulletin, "de").pk, issue(bulletin, 1).pk)]
    elif case == "before it started":
        late = subscription(section_a, bulletin, "en", started_on=D(2024, 3, 15))
        items = [(late.pk, issue(bulletin, 2).pk)]
    elif case == "not my subscription":
        items = [(subscription(org, bulletin).pk, issue(bulletin, 2).pk)]
    elif case == "received":
        Receipt.objects.create(subscriber=section_a, issue=issue(bulletin, 2), language="en", how=ReceiptHow.POST)
        items = [(post.pk, issue(bulletin, 2).pk)]
    elif case == "feed":
        feed = subscription(section_a, bulletin, channel=SubscriptionChannel.FEED)
        items = [(feed.pk, issue(bulletin, 2).pk)]
    else:
        services.claim(corr_a, section_a, [(post.pk, issue(bulletin, 2).pk)])
        items = [(post.pk, issue(bulletin, 3).pk), (post.pk, issue(bulletin, 2).pk)]
    before = nothing_changed()
    with pytest.raises(LiaisonError, match=message) as refused:
        services.claim(corr_a, section_a, items)
    assert refused.value.field == "items"
    assert nothing_changed() == before


def test_one_periodical_per_claim(
    world: World, bulletin: Periodical, paper: Periodical, section_a: Subscriber, post: Subscription
) -> None:
    exchange = subscription(section_a, paper, "es", channel=SubscriptionChannel.POST)
    paper_one = paper_issue(paper, 1, D(2024, 2, 2))
    with pytest.raises(LiaisonError, match="one periodical at a time"):
        services.claim(
            world.actor("corr_a"), section_a, [(post.pk, issue(bulletin, 1).pk), (exchange.pk, paper_one.pk)]
        )
    assert not Claim.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_b", "translator"])
def test_only_the_subscriber_its_correspondents_and_the_secretariat_claim(
    world: World, bulletin: Periodical, section_a: Subscriber, post: Subscription, role: str
) -> None:
    with pytest.raises(NotAllowed):
        services.claim(world.actor(role), section_a, [(post.pk, issue(bulletin, 1).pk)])
    assert not Claim.objects.exists()


def test_a_person_claims_for_themselves(world: World, bulletin: Periodical, member_sub: Subscriber) -> None:
    mine = subscription(member_sub, bulletin, started_on=D(2024, 1, 1))
    publish(bulletin, 1, "en", D(2024, 2, 1))
    made = services.claim(world.actor("member"), member_sub, [(mine.pk, issue(bulletin, 1).pk)])
    assert made.items.get().subscription == mine
    with pytest.raises(NotAllowed):
        services.answer_claim(world.actor("member"), made)


def test_a_papers_claim_goes_to_its_section(world: World, paper: Periodical, section_a: Subscriber) -> None:
    exchange = subscription(section_a, paper, "es", channel=SubscriptionChannel.POST, started_on=D(2024, 1, 1))
    one = paper_issue(paper, 1, D(2024, 2, 2))
    made = services.claim(world.actor("corr_a"), section_a, [(exchange.pk, one.pk)])
    for role in ("editor", "corr_a", "member"):
        with pytest.raises(NotAllowed):
            services.answer_claim(world.actor(role), made)
    services.answer_claim(world.actor("corr_b"), made)
    dispatch = Dispatch.objects.get()
    assert (dispatch.kind, dispatch.state, dispatch.subscription) == (
        DispatchKind.BACK_ISSUE,
        DispatchState.PENDING,
        exchange,
    )
    # Section B posts it.
    assert services.mark_posted(world.actor("corr_b"), [dispatch]) == 1


def test_refusing_needs_a_reason_the_claimant_reads(
    world: World, bulletin: Periodical, section_a: Subscriber, post: Subscription
) -> None:
    made = services.claim(world.actor("corr_a"), section_a, [(post.pk, issue(bulletin, 1).pk)])
    with pytest.raises(LiaisonError, match="Say why") as refused:
        services.refuse_claim(world.actor("editor"), made, "  ")
    assert refused.value.field == "reason"
    made.refresh_from_db()
    assert made.state == ClaimState.OPEN
    services.refuse_claim(world.actor("editor"), made, "Нет экземпляров — 已售完 — نفدت النسخ")
    made.refresh_from_db()
    assert made.state == ClaimState.REFUSED and made.reason.startswith("Нет")
    before = nothing_changed()
    with pytest.raises(Conflict, match="refused"):
        services.answer_claim(world.actor("editor"), made)
    with pytest.raises(Conflict):
        services.refuse_claim(world.actor("editor"), made, "again")
    assert nothing_changed() == before
    # Refused, it may be claimed again.
    services.claim(world.actor("corr_a"), section_a, [(post.pk, issue(bulletin, 1).pk)])


def test_answering_twice_is_refused(
    world: World, bulletin: Periodical, section_a: Subscriber, post: Subscription
) -> None:
    made = services.claim(world.actor("corr_a"), section_a, [(post.pk, issue(bulletin, 1).pk)])
    services.answer_claim(world.actor("editor"), made)
    before = nothing_changed()
    with pytest.raises(Conflict, match="answered"):
        services.answer_claim(world.actor("editor"), made)
    assert nothing_changed() == before


# Answering, and copies by post ---------------------------------------------------------------------------------------


@pytest.fixture
def mixed(world: World, bulletin: Periodical, section_a: Subscriber, post: Subscription) -> Claim:
    """Section A claims No. 1 and No. 2 by post, and No. 2 by email (its bureau's subscription)."""
    by_email = subscription(section_a, bulletin, started_on=D(2024, 1, 1))
    services.create_dispatches(bulletin.issues.get(number=2).editions.get())
    Dispatch.objects.filter(subscription=by_email).update(state=DispatchState.SENT)
    return services.claim(
        world.actor("corr_a"),
        section_a,
        [(post.pk, issue(bulletin, 1).pk), (post.pk, issue(bulletin, 2).pk), (by_email.pk, issue(bulletin, 2).pk)],
    )


def states_of(claim: Claim) -> list[tuple[int, str, str, str, object]]:
    return sorted(
        (
            item.issue.number,
            item.subscription.channel,
            item.dispatch.kind,
            item.dispatch.state,
            item.dispatch.posted_by_id,
        )
        for item in claim.items.select_related("issue", "subscription", "dispatch")
    )


def test_an_answer_leaves_the_copies_by_post_on_the_post_list(world: World, mixed: Claim) -> None:
    services.answer_claim(world.actor("editor"), mixed)
    assert states_of(mixed) == [
        (1, "post", DispatchKind.BACK_ISSUE, DispatchState.PENDING, None),
        (2, "email", DispatchKind.BACK_ISSUE, DispatchState.PENDING, None),
        (2, "post", DispatchKind.BACK_ISSUE, DispatchState.PENDING, None),
    ]


def test_whoever_already_posted_them_records_them_posted_with_the_answer(world: World, mixed: Claim) -> None:
    services.answer_claim(world.actor("editor"), mixed, posted=True)
    editor = world.users["editor"].pk
    # The email copy is sent again all the same: "posted" speaks of the post only.
    assert states_of(mixed) == [
        (1, "post", DispatchKind.BACK_ISSUE, DispatchState.POSTED, editor),
        (2, "email", DispatchKind.BACK_ISSUE, DispatchState.PENDING, None),
        (2, "post", DispatchKind.BACK_ISSUE, DispatchState.POSTED, editor),
    ]
    assert Claim.objects.get(pk=mixed.pk).state == ClaimState.ANSWERED


def test_posted_is_refused_for_a_claim_with_nothing_by_post(
    world: World, bulletin: Periodical, member_sub: Subscriber
) -> None:
    mine = subscription(member_sub, bulletin, started_on=D(2024, 1, 1))
    publish(bulletin, 1, "en", D(2024, 2, 1))
    made = services.claim(world.actor("member"), member_sub, [(mine.pk, issue(bulletin, 1).pk)])
    before = nothing_changed()
    with pytest.raises(LiaisonError, match="None of the claimed issues goes by post") as refused:
        services.answer_claim(world.actor("editor"), made, posted=True)
    assert refused.value.field == "posted"
    assert nothing_changed() == before
    assert Claim.objects.get(pk=made.pk).state == ClaimState.OPEN


def test_the_claims_desk_offers_and_records_already_posted(world: World, mixed: Claim, client_as: Any) -> None:
    client = client_as("editor")
    page = client.get("/distribution/claims/").content.decode()
    assert "Send them again" in page and "We already posted them" in page
    response = client.post(f"/distribution/claims/{mixed.pk}/answer/", {"posted": "1"}, follow=True)
    content = response.content.decode()
    assert "The claim of Section Alpha is answered." in content
    assert "The 2 copies by post are recorded as posted." in content and "The email is sent again." in content
    assert [state for _n, _c, _k, state, _p in states_of(mixed)] == [
        DispatchState.POSTED,
        DispatchState.PENDING,
        DispatchState.POSTED,
    ]


def test_the_claims_desk_says_where_the_copies_to_post_wait(world: World, mixed: Claim, client_as: Any) -> None:
    response = client_as("editor").post(f"/distribution/claims/{mixed.pk}/answer/", follow=True)
    assert "The 2 copies to post are on their issues&#x27; post lists until they are marked posted." in (
        response.content.decode()
    )
    labels = client_as("editor").get("/distribution/post/bulletin/1/").context["to_post"]
    assert [label.dispatch.kind for label in labels] == [DispatchKind.BACK_ISSUE]


def test_a_claim_by_email_only_is_not_offered_already_posted(
    world: World, bulletin: Periodical, member_sub: Subscriber, client_as: Any
) -> None:
    mine = subscription(member_sub, bulletin, started_on=D(2024, 1, 1))
    publish(bulletin, 1, "en", D(2024, 2, 1))
    services.claim(world.actor("member"), member_sub, [(mine.pk, issue(bulletin, 1).pk)])
    page = client_as("editor").get("/distribution/claims/").content.decode()
    assert "Send them again" in page and "We already posted them" not in page
