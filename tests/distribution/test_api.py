"""The distribution endpoints of the API: what each role reads and may do, and refusals that change nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from liaison.distribution import services
from liaison.distribution.models import Claim, ClaimState, Dispatch, DispatchState, Receipt, Subscriber, Subscription
from liaison.periodicals.models import Periodical
from tests.conftest import PROTECTED_STRINGS, World
from tests.distribution.conftest import API, paper_issue, post_json, publish, subscription

D = datetime.date
ApiAs = Callable[[str], Client]
ROLES = ("anonymous", "norole", "member", "corr_a", "corr_b", "translator", "editor")


@pytest.fixture
def scene(world: World, bulletin: Periodical, paper: Periodical, section_a: Subscriber, member_sub: Subscriber) -> dict:
    member_sub.email = "member@example.org"
    member_sub.save()
    post = subscription(section_a, bulletin, channel="post", started_on=D(2024, 1, 1))
    exchange = subscription(section_a, paper, "es", channel="post", started_on=D(2024, 1, 1))
    own = subscription(member_sub, bulletin, started_on=D(2024, 1, 1))
    for n in (1, 2):
        services.create_dispatches(publish(bulletin, n, "en", D(2024, n + 1, 1)))
    Dispatch.objects.filter(subscription=post, issue__number=1).update(state=DispatchState.POSTED)
    paper_issue(paper, 1, D(2024, 2, 10))
    return {"post": post, "exchange": exchange, "own": own}


def ids(answer: Any) -> set[int]:
    return {row["id"] for row in answer.json()}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_which_subscribers(
    api_as: ApiAs, scene: dict, section_a: Subscriber, member_sub: Subscriber, role: str
) -> None:
    answer = api_as(role).get(f"{API}/distribution/subscribers")
    if role == "anonymous":
        assert answer.status_code == 401
        return
    assert answer.status_code == 200
    expected = {
        "norole": set(),
        "member": {section_a.pk, member_sub.pk},
        "corr_a": {section_a.pk},
        "corr_b": set(),
        "translator": set(),
        "editor": {section_a.pk, member_sub.pk},
    }[role]
    assert ids(answer) == expected
    for row in answer.json():
        # As in the People API: hidden addresses are absent (not null); shown, a string (empty when none).
        contact = role == "editor" or (role == "member" and row["id"] == member_sub.pk)
        contact = contact or (role == "corr_a" and row["id"] == section_a.pk)
        assert ("email" in row and "postal_address" in row) == contact, row
        assert None not in row.values() or row["kind"] != "section" or row["section"] is not None
        assert not any(secret in str(row) for secret in PROTECTED_STRINGS)


@pytest.mark.parametrize(
    ("role", "status"),
    [("norole", 404), ("member", 200), ("corr_a", 200), ("corr_b", 404), ("translator", 404), ("editor", 200)],
)
def test_a_sections_gaps_dispatches_and_receipts(
    api_as: ApiAs, scene: dict, section_a: Subscriber, role: str, status: int
) -> None:
    client = api_as(role)
    for what in ("gaps", "dispatches", "receipts"):
        answer = client.get(f"{API}/distribution/subscribers/{section_a.pk}/{what}")
        assert answer.status_code == status, what
    if status == 200:
        gaps = client.get(f"{API}/distribution/subscribers/{section_a.pk}/gaps").json()
        assert {(g["periodical"], g["number"], g["dispatch"]) for g in gaps} == {
            ("bulletin", 1, "posted"),
            ("bulletin", 2, "pending"),
            ("voz-beta", 1, None),
        }


@pytest.mark.parametrize("role", ["norole", "member", "corr_a", "corr_b", "translator"])
def test_the_whole_report_is_the_secretariats(api_as: ApiAs, scene: dict, role: str) -> None:
    assert api_as(role).get(f"{API}/distribution/gaps").status_code == 403


def test_the_whole_report(api_as: ApiAs, scene: dict, section_a: Subscriber) -> None:
    answer = api_as("editor").get(f"{API}/distribution/gaps", {"only_missing": "true"})
    assert answer.status_code == 200
    rows = {r["subscription"]: r for r in answer.json()}
    post = rows[scene["post"].pk]
    assert (post["expected"], post["posted"], post["waiting"], post["name"]) == (2, 1, 1, "Section Alpha")
    assert len(api_as("editor").get(f"{API}/distribution/gaps", {"subscriber": section_a.pk}).json()) == 2


def test_an_issues_distribution_for_whoever_sends_it(api_as: ApiAs, scene: dict) -> None:
    url = f"{API}/distribution/periodicals/bulletin/issues/2/dispatches"
    assert api_as("editor").get(url).json() == [{"language": "en", "counts": {"pending": 2}}]
    for role in ("member", "corr_a", "corr_b", "translator", "norole"):
        assert api_as(role).get(url).status_code == 403
    assert api_as("corr_b").get(f"{API}/distribution/periodicals/voz-beta/issues/1/dispatches").status_code == 200
    assert api_as("editor").get(f"{API}/distribution/periodicals/bulletin/issues/9/dispatches").status_code == 404


def test_subscribing_through_the_api(api_as: ApiAs, scene: dict, django_capture_on_commit_callbacks: Any) -> None:
    data = {"periodical": "bulletin", "email": "reader@пример.рф", "language": "ru", "formats": ["epub"]}
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_json(api_as("norole"), "/distribution/subscribe", data)
    assert answer.status_code == 202 and answer.json()["state"] == "pending"
    assert len(mail.outbox) == 1
    before = Subscription.objects.count()
    again = post_json(api_as("norole"), "/distribution/subscribe", {**data, "email": "x@mailinator.com"})
    assert again.status_code == 400 and again.json()["field"] == "email"
    assert post_json(api_as("norole"), "/distribution/subscribe", {**data, "formats": []}).status_code == 422
    assert post_json(api_as("norole"), "/distribution/subscribe", {**data, "periodical": "nope"}).status_code == 404
    assert Subscription.objects.count() == before


def test_recording_subscriptions(api_as: ApiAs, scene: dict, section_a: Subscriber, org: Subscriber) -> None:
    data = {
        "subscriber": section_a.pk,
        "periodical": "bulletin",
        "language": "fr",
        "channel": "email",
        "formats": ["pdf"],
    }
    # Section A has no address: refused, nothing made.
    answer = post_json(api_as("corr_a"), "/distribution/subscriptions", data)
    assert answer.status_code == 400 and answer.json()["field"] == "channel"
    answer = post_json(api_as("corr_a"), "/distribution/subscriptions", {**data, "channel": "post"})
    assert answer.status_code == 201 and answer.json()["state"] == "active"
    assert post_json(api_as("corr_a"), "/distribution/subscriptions", {**data, "channel": "post"}).status_code == 409
    org_data = {
        "subscriber": org.pk,
        "periodical": "bulletin",
        "language": "ru",
        "channel": "email",
        "formats": ["pdf"],
    }
    for role in ("member", "corr_a", "corr_b", "translator", "norole"):
        assert post_json(api_as(role), "/distribution/subscriptions", org_data).status_code == 403
    assert post_json(api_as("editor"), "/distribution/subscriptions", org_data).status_code == 201
    # Section B records the receivers of its own paper.
    paper_data = {
        "subscriber": org.pk,
        "periodical": "voz-beta",
        "language": "es",
        "channel": "email",
        "formats": ["pdf"],
    }
    assert post_json(api_as("corr_b"), "/distribution/subscriptions", paper_data).status_code == 201


def test_ending_a_subscription(api_as: ApiAs, scene: dict) -> None:
    own = scene["own"]
    assert post_json(api_as("corr_a"), f"/distribution/subscriptions/{own.pk}/end", {}).status_code == 404
    answer = post_json(api_as("member"), f"/distribution/subscriptions/{own.pk}/end", {})
    assert answer.status_code == 200 and answer.json()["state"] == "ended"
    assert post_json(api_as("member"), f"/distribution/subscriptions/{own.pk}/end", {}).status_code == 409


def test_receipts_through_the_api(api_as: ApiAs, scene: dict, section_a: Subscriber) -> None:
    url = f"/distribution/subscribers/{section_a.pk}/receipts"
    data = {"periodical": "bulletin", "number": 1, "how": "post", "note": "Пришло"}
    assert post_json(api_as("member"), url, data).status_code == 403
    assert post_json(api_as("corr_b"), url, data).status_code == 404
    assert post_json(api_as("corr_a"), url, {**data, "number": 9}).status_code == 400
    answer = post_json(api_as("corr_a"), url, data)
    assert answer.status_code == 201 and answer.json()["language"] == "en"
    assert post_json(api_as("corr_a"), url, data).status_code == 409
    assert Receipt.objects.count() == 1
    listed = api_as("member").get(f"{API}{url}").json()
    assert [(r["periodical"], r["number"], r["how"]) for r in listed] == [("bulletin", 1, "post")]


def test_claims_through_the_api(api_as: ApiAs, scene: dict, section_a: Subscriber) -> None:
    exchange = scene["exchange"]
    data = {"subscriber": section_a.pk, "items": [{"subscription": exchange.pk, "number": 1}], "note": "未收到"}
    assert post_json(api_as("member"), "/distribution/claims", data).status_code == 403
    assert post_json(api_as("corr_b"), "/distribution/claims", data).status_code == 404
    bad = {**data, "items": [{"subscription": exchange.pk, "number": 7}]}
    refused = post_json(api_as("corr_a"), "/distribution/claims", bad)
    assert refused.status_code == 400 and refused.json()["field"] == "items"
    assert not Claim.objects.exists()
    answer = post_json(api_as("corr_a"), "/distribution/claims", data)
    assert answer.status_code == 201
    claim = answer.json()
    assert (claim["state"], claim["periodical"], claim["items"][0]["number"]) == ("open", "voz-beta", 1)
    assert post_json(api_as("corr_a"), "/distribution/claims", data).status_code == 409
    # The claim goes to section B: the secretariat and section A may not answer it.
    for role in ("editor", "corr_a"):
        assert post_json(api_as(role), f"/distribution/claims/{claim['id']}/answer", {}).status_code == 403
    assert post_json(api_as("translator"), f"/distribution/claims/{claim['id']}/answer", {}).status_code == 404
    answered = post_json(api_as("corr_b"), f"/distribution/claims/{claim['id']}/answer", {})
    assert answered.status_code == 200 and answered.json()["state"] == ClaimState.ANSWERED
    assert answered.json()["items"][0]["dispatch"] is not None
    assert post_json(api_as("corr_b"), f"/distribution/claims/{claim['id']}/refuse", {"reason": "x"}).status_code == 409
    # Its state is visible to the claimant.
    mine = api_as("corr_a").get(f"{API}/distribution/claims").json()
    assert [(c["id"], c["state"]) for c in mine] == [(claim["id"], "answered")]
    assert api_as("translator").get(f"{API}/distribution/claims").json() == []


def test_refusing_a_claim_through_the_api(
    api_as: ApiAs, scene: dict, section_a: Subscriber, bulletin: Periodical
) -> None:
    data = {"subscriber": section_a.pk, "items": [{"subscription": scene["post"].pk, "number": 2}]}
    claim = post_json(api_as("corr_a"), "/distribution/claims", data).json()
    assert post_json(api_as("editor"), f"/distribution/claims/{claim['id']}/refuse", {"reason": ""}).status_code == 400
    answer = post_json(api_as("editor"), f"/distribution/claims/{claim['id']}/refuse", {"reason": "لا توجد نسخ"})
    assert answer.status_code == 200 and answer.json()["reason"] == "لا توجد نسخ"


@pytest.mark.parametrize("posted", [False, True])
def test_answering_a_claim_for_post_copies_through_the_api(
    api_as: ApiAs, scene: dict, section_a: Subscriber, posted: bool
) -> None:
    data = {"subscriber": section_a.pk, "items": [{"subscription": scene["post"].pk, "number": 2}]}
    claim = post_json(api_as("corr_a"), "/distribution/claims", data).json()
    url = f"/distribution/claims/{claim['id']}/answer" + ("?posted=true" if posted else "")
    answer = post_json(api_as("editor"), url, {})
    assert answer.status_code == 200 and answer.json()["state"] == ClaimState.ANSWERED
    dispatch = Dispatch.objects.get(pk=answer.json()["items"][0]["dispatch"])
    # As on the pages: on the post list until marked posted, unless the answer says they were posted already.
    assert dispatch.state == (DispatchState.POSTED if posted else DispatchState.PENDING)
    assert dispatch.kind == "back_issue"


def test_answering_with_posted_when_nothing_goes_by_post_is_refused(
    api_as: ApiAs, scene: dict, section_a: Subscriber
) -> None:
    email = subscription(section_a, scene["post"].periodical, started_on=D(2024, 1, 1))
    data = {"subscriber": section_a.pk, "items": [{"subscription": email.pk, "number": 2}]}
    claim = post_json(api_as("corr_a"), "/distribution/claims", data).json()
    refused = post_json(api_as("editor"), f"/distribution/claims/{claim['id']}/answer?posted=true", {})
    assert refused.status_code == 400 and refused.json()["field"] == "posted"
    assert Claim.objects.get(pk=claim["id"]).state == ClaimState.OPEN


def test_the_schema_lists_the_endpoints(api_as: ApiAs, world: World) -> None:
    paths = api_as("anonymous").get(f"{API}/openapi.json").json()["paths"]
    for path in (
        "/api/v1/distribution/subscribers",
        "/api/v1/distribution/subscribe",
        "/api/v1/distribution/gaps",
        "/api/v1/distribution/claims",
        "/api/v1/distribution/claims/{claim_id}/answer",
    ):
        assert path in paths


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("norole", 404), ("member", 200), ("corr_a", 404), ("corr_b", 404), ("editor", 200)],
)
def test_one_persons_subscriber_record(
    api_as: ApiAs, scene: dict, member_sub: Subscriber, role: str, status: int
) -> None:
    answer = api_as(role).get(f"{API}/distribution/subscribers/{member_sub.pk}")
    assert answer.status_code == status
    if status == 200:
        assert answer.json()["name"] == "Alpha Member" and answer.json()["email"] == "member@example.org"


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_which_subscriptions(api_as: ApiAs, scene: dict, role: str) -> None:
    answer = api_as(role).get(f"{API}/distribution/subscriptions")
    if role == "anonymous":
        assert answer.status_code == 401
        return
    expected = {
        "norole": set(),
        "member": {scene["post"].pk, scene["exchange"].pk, scene["own"].pk},
        "corr_a": {scene["post"].pk, scene["exchange"].pk},
        "corr_b": set(),
        "translator": set(),
        "editor": {scene["post"].pk, scene["exchange"].pk, scene["own"].pk},
    }[role]
    assert ids(answer) == expected


def test_pages_of_a_list(api_as: ApiAs, scene: dict) -> None:
    first = api_as("editor").get(f"{API}/distribution/subscriptions", {"limit": 2}).json()
    rest = api_as("editor").get(f"{API}/distribution/subscriptions", {"limit": 2, "offset": 2}).json()
    assert len(first) == 2 and len(rest) == 1
    assert api_as("editor").get(f"{API}/distribution/subscriptions", {"limit": 0}).status_code == 422
