"""Receiving sections record, by hand and in one click, what arrived: once, never twice."""

from __future__ import annotations

import datetime

import pytest

from liaison.distribution.models import Receipt, ReceiptHow
from liaison.errors import Conflict, LiaisonError, NotAllowed, NotFound
from liaison.exchange import services
from liaison.periodicals.models import Issue

D = datetime.date


def url(number: int) -> str:
    return f"/exchange/papers/voix/issues/{number}/arrived/"


def test_one_click_records_the_arrival(world, paper, partnership, register, client_as) -> None:
    issue = register(1, D(2025, 5, 1))
    client = client_as("corr_b")
    response = client.post(url(1), {"section": "beta", "next": "/sections/beta/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/sections/beta/dashboard/"
    receipt = Receipt.objects.get()
    assert (receipt.issue, receipt.subscriber.section, receipt.how) == (issue, world.section_b, ReceiptHow.POST)
    assert receipt.recorded_by == world.users["corr_b"]
    page = client.get("/sections/beta/dashboard/").content.decode()
    assert "No. 1 of La Voix d&#x27;Alpha recorded as arrived at Section Beta." in page


def test_twice_is_refused_with_a_clear_message_and_nothing_is_doubled(
    world, paper, partnership, register, client_as
) -> None:
    register(1, D(2025, 5, 1))
    client = client_as("corr_b")
    client.post(url(1), {"section": "beta"})
    response = client.post(url(1), {"section": "beta"}, follow=True)
    assert "was already recorded as arrived, on" in response.content.decode()
    assert "nothing was changed" in response.content.decode()
    assert Receipt.objects.count() == 1


def test_the_service_refuses_twice_too(world, paper, partnership, register, arrive) -> None:
    issue = register(1, D(2025, 5, 1))
    arrive(issue)
    with pytest.raises(Conflict, match="already recorded as arrived"):
        arrive(issue)
    assert Receipt.objects.count() == 1


def test_an_outside_address_to_go_back_to_is_ignored(world, paper, partnership, register, client_as) -> None:
    register(1, D(2025, 5, 1))
    response = client_as("corr_b").post(url(1), {"section": "beta", "next": "https://evil.example/"})
    assert response["Location"] == "/exchange/sections/beta/"


def test_a_section_that_is_not_a_partner_records_nothing(world, paper, register) -> None:
    issue = register(1, D(2025, 5, 1))
    with pytest.raises(LiaisonError, match="does not receive La Voix d'Alpha in exchange"):
        services.record_arrival(world.actor("corr_b"), world.section_b, issue)
    assert not Receipt.objects.exists()


def test_an_issue_not_registered_cannot_have_arrived(world, paper, partnership, client_as) -> None:
    issue = Issue.objects.create(periodical=paper, number=9)
    with pytest.raises(NotFound, match="has not been registered by its section"):
        services.record_arrival(world.actor("corr_b"), world.section_b, issue)
    assert client_as("corr_b").post(url(10), {"section": "beta"}).status_code == 404
    assert not Receipt.objects.exists()


@pytest.mark.parametrize("role", ["corr_a", "member", "editor", "translator"])
def test_only_the_receiving_sections_correspondents_record_arrivals(
    world, paper, partnership, register, client_as, role: str
) -> None:
    issue = register(1, D(2025, 5, 1))
    with pytest.raises(NotAllowed):
        services.record_arrival(world.actor(role), world.section_b, issue)
    assert client_as(role).post(url(1), {"section": "beta"}).status_code == 403
    assert not Receipt.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(world, paper, partnership, register, client_as) -> None:
    register(1, D(2025, 5, 1))
    response = client_as("anonymous").post(url(1), {"section": "beta"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Receipt.objects.exists()


def test_arrivals_are_posts_only(world, paper, partnership, register, client_as) -> None:
    register(1, D(2025, 5, 1))
    assert client_as("corr_b").get(url(1)).status_code == 405
