"""A claim for a section's paper goes to that section: its correspondents see it, send the issues again or refuse."""

from __future__ import annotations

import datetime

import pytest

from liaison.distribution.models import Claim, ClaimState, Dispatch, DispatchKind, DispatchState
from liaison.errors import LiaisonError, NotAllowed
from liaison.exchange import services, status
from tests.exchange.conftest import TODAY

D = datetime.date
CLAIMS = "/exchange/papers/voix/claims/"


@pytest.fixture
def missing(world, partnership, register, arrive):
    """No. 1 and No. 3 arrived at section B; No. 2 did not."""
    arrive(register(1, D(2025, 2, 10)))
    two = register(2, D(2025, 3, 10))
    arrive(register(3, D(2025, 4, 10)))
    return two


def test_a_claim_from_the_dashboard_reaches_the_papers_section(world, missing, client_as) -> None:
    client = client_as("corr_b")
    response = client.post(
        CLAIMS, {"section": "beta", "issues": ["2"], "note": "Пропал в пути?", "next": "/sections/beta/dashboard/"}
    )
    assert response["Location"] == "/sections/beta/dashboard/"
    page = client.get("/sections/beta/dashboard/").content.decode()
    assert "Claim sent to Section Alpha for No. 2 of La Voix d&#x27;Alpha." in page
    claim = Claim.objects.get()
    assert (claim.subscriber.section, claim.periodical_id, claim.note) == (
        world.section_b,
        missing.periodical_id,
        "Пропал в пути?",
    )
    assert [item.issue for item in claim.items.all()] == [missing]
    # Section A's correspondents see it on their dashboard, with the button to answer it.
    alpha = client_as("corr_a").get("/sections/alpha/dashboard/").content.decode()
    assert "Claims to answer" in alpha and "Пропал в пути?" in alpha
    assert "Send them again" in alpha and "We already posted them" in alpha
    # Section B sees it as claimed, and is not offered to claim it again.
    (exchange,) = status.section_overview(world.section_b, today=TODAY).received
    assert exchange.missing[0].claim is not None and exchange.claimable == []


def test_answering_puts_the_copy_on_the_post_list_until_it_is_marked_posted(world, missing, client_as) -> None:
    claim = services.claim_missing(world.actor("corr_b"), world.section_b, missing.periodical, [missing])
    client = client_as("corr_a")
    response = client.post(f"/exchange/claims/{claim.pk}/answer/", follow=True)
    assert "is answered. The copy to post is on its issue&#x27;s post list" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.state, claim.answered_by) == (ClaimState.ANSWERED, world.users["corr_a"])
    dispatch = Dispatch.objects.get()
    assert (dispatch.issue, dispatch.kind, dispatch.state) == (missing, DispatchKind.BACK_ISSUE, DispatchState.PENDING)
    # The paper's page says what is left to post and leads to the labels, where the section finds section B's copy.
    page = client.get("/exchange/papers/voix/").content.decode()
    assert "To post again: No. 2." in page and 'href="/distribution/post/voix/2/"' in page
    labels = client.get("/distribution/post/voix/2/")
    assert [label.dispatch for label in labels.context["to_post"]] == [dispatch]
    client.post("/distribution/post/voix/2/mark/", {"dispatches": [dispatch.pk]})
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.posted_by) == (DispatchState.POSTED, world.users["corr_a"])
    assert "To post again" not in client.get("/exchange/papers/voix/").content.decode()
    # The claimant reads the answer on its own page.
    assert "answered: sent again" in client_as("corr_b").get("/exchange/sections/beta/").content.decode()


def test_a_section_that_already_posted_them_says_so_in_its_answer(world, missing, client_as) -> None:
    claim = services.claim_missing(world.actor("corr_b"), world.section_b, missing.periodical, [missing])
    response = client_as("corr_a").post(
        f"/exchange/claims/{claim.pk}/answer/", {"posted": "1", "next": "/sections/alpha/dashboard/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/sections/alpha/dashboard/"
    assert "The copy by post is recorded as posted." in response.content.decode()
    dispatch = Dispatch.objects.get()
    assert (dispatch.kind, dispatch.state, dispatch.posted_by) == (
        DispatchKind.BACK_ISSUE,
        DispatchState.POSTED,
        world.users["corr_a"],
    )
    assert dispatch.sent_at is not None
    assert Claim.objects.get().state == ClaimState.ANSWERED


ANSWER_PAGES = {"exchange": "/exchange/claims/{pk}/answer/", "claims desk": "/distribution/claims/{pk}/answer/"}


@pytest.mark.parametrize("posted", [False, True], ids=["to post", "already posted"])
def test_a_claim_answered_on_either_page_has_the_same_effect(world, missing, client_as, posted: bool) -> None:
    """The exchange pages and the claims desk answer through the one service: the same request, the same rows."""
    outcomes = {}
    for page, url in ANSWER_PAGES.items():
        claim = services.claim_missing(world.actor("corr_b"), world.section_b, missing.periodical, [missing])
        response = client_as("corr_a").post(url.format(pk=claim.pk), {"posted": "1"} if posted else {})
        assert response.status_code == 302
        claim.refresh_from_db()
        dispatch = Dispatch.objects.get()
        outcomes[page] = (
            claim.state,
            claim.answered_by,
            dispatch.kind,
            dispatch.state,
            dispatch.posted_by,
            list(claim.items.values_list("dispatch_id", flat=True)) == [dispatch.pk],
        )
        # Back to no claim and a dispatch not yet posted, for the other page's turn.
        Claim.objects.all().delete()
        Dispatch.objects.update(state=DispatchState.POSTED)
    expected_state = DispatchState.POSTED if posted else DispatchState.PENDING
    assert outcomes["exchange"] == outcomes["claims desk"]
    assert outcomes["exchange"] == (
        ClaimState.ANSWERED,
        world.users["corr_a"],
        DispatchKind.BACK_ISSUE,
        expected_state,
        world.users["corr_a"] if posted else None,
        True,
    )


def test_refusing_needs_a_reason_which_the_claimant_reads(world, missing, client_as) -> None:
    claim = services.claim_missing(world.actor("corr_b"), world.section_b, missing.periodical, [missing])
    client = client_as("corr_a")
    response = client.post(f"/exchange/claims/{claim.pk}/refuse/", {"reason": ""}, follow=True)
    assert "Say why the claim is refused" in response.content.decode()
    assert Claim.objects.get().state == ClaimState.OPEN
    client.post(f"/exchange/claims/{claim.pk}/refuse/", {"reason": "Tirage épuisé."})
    assert Claim.objects.get().state == ClaimState.REFUSED
    assert "Tirage épuisé." in client_as("corr_b").get("/exchange/sections/beta/").content.decode()
    # A second answer is refused with a message.
    response = client.post(f"/exchange/claims/{claim.pk}/answer/", follow=True)
    assert "This claim is already “refused”." in response.content.decode()
    assert not Dispatch.objects.exists()


@pytest.mark.parametrize("role", ["corr_b", "member", "editor", "translator"])
def test_only_the_papers_correspondents_answer_its_claims(world, missing, client_as, role: str) -> None:
    claim = services.claim_missing(world.actor("corr_b"), world.section_b, missing.periodical, [missing])
    client = client_as(role)
    assert client.post(f"/exchange/claims/{claim.pk}/answer/").status_code == 403
    assert client.post(f"/exchange/claims/{claim.pk}/refuse/", {"reason": "Non."}).status_code == 403
    assert Claim.objects.get().state == ClaimState.OPEN


@pytest.mark.parametrize("role", ["corr_a", "member", "editor", "translator"])
def test_only_the_receiving_sections_correspondents_claim(world, missing, client_as, role: str) -> None:
    with pytest.raises(NotAllowed):
        services.claim_missing(world.actor(role), world.section_b, missing.periodical, [missing])
    assert client_as(role).post(CLAIMS, {"section": "beta", "issues": ["2"]}).status_code == 403
    assert not Claim.objects.exists()


def test_it_refuses_a_claim_for_an_issue_that_arrived_or_is_already_claimed(world, missing, client_as) -> None:
    client = client_as("corr_b")
    response = client.post(CLAIMS, {"section": "beta", "issues": ["1"]}, follow=True)
    assert "was recorded as received" in response.content.decode()
    client.post(CLAIMS, {"section": "beta", "issues": ["2"]})
    response = client.post(CLAIMS, {"section": "beta", "issues": ["2"]}, follow=True)
    assert "already claimed" in response.content.decode()
    assert Claim.objects.count() == 1


def test_it_refuses_a_claim_for_nothing_or_an_issue_that_does_not_exist(world, missing, client_as) -> None:
    client = client_as("corr_b")
    for data in ({"section": "beta"}, {"section": "beta", "issues": ["99"]}):
        response = client.post(CLAIMS, data, follow=True)
        assert "Choose the missing issues to claim." in response.content.decode()
    assert not Claim.objects.exists()


def test_it_refuses_a_claim_for_an_issue_never_due(world, paper, partnership, register) -> None:
    before = register(1, D(2024, 12, 1))
    with pytest.raises(LiaisonError, match="was never due to this subscription"):
        services.claim_missing(world.actor("corr_b"), world.section_b, paper, [before])
    assert not Claim.objects.exists()
