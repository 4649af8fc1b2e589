"""Bulletins, issues and calls through the API, the issue's assembly, and the query counts of the lists."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liaison.editorial import services
from liaison.editorial.models import Call, Contribution, Deferral, Item, Notice, State
from liaison.periodicals.models import Issue, IssueStatus
from tests.api.conftest import API
from tests.api.test_editorial_scene import Scene, accepted, build_scene, write
from tests.conftest import World


@pytest.fixture
def scene(world: World) -> Scene:
    return build_scene(world)


def send(client: Client, method: str, path: str, data: dict[str, Any]) -> Any:
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json")


# Bulletins and issues --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "slugs"),
    [("anonymous", ["bulletin"]), ("norole", ["bulletin"]), ("translator", ["bulletin", "internal"])],
)
def test_an_internal_bulletin_is_listed_for_members_only(
    api_as: Callable[[str], Client], scene: Scene, role: str, slugs: list[str]
) -> None:
    response = api_as(role).get(f"{API}/bulletins")
    assert [b["slug"] for b in response.json()] == slugs


def test_the_issues_count_only_what_the_reader_sees(api_as: Callable[[str], Client], scene: Scene) -> None:
    public = api_as("anonymous").get(f"{API}/bulletins/bulletin/issues").json()
    assert [(i["number"], i["status"], i["item_count"]) for i in public] == [(2, "open", 0), (1, "published", 1)]
    editor = api_as("editor").get(f"{API}/bulletins/bulletin/issues").json()
    assert [(i["number"], i["item_count"], i["pages_used"]) for i in editor] == [(2, 1, 0.25), (1, 1, 0.25)]


@pytest.mark.parametrize(
    ("role", "items"),
    [("anonymous", []), ("member", []), ("corr_b", ["Placed of Beta"]), ("editor", ["Placed of Beta"])],
)
def test_an_issue_lists_only_the_items_the_reader_may_see(
    api_as: Callable[[str], Client], scene: Scene, role: str, items: list[str]
) -> None:
    data = api_as(role).get(f"{API}/bulletins/bulletin/issues/2").json()
    assert [i["title"] for i in data["items"]] == items
    assert data["calls"][0]["topic"] == "The conference"
    assert data["calls"][0]["sections"] == [{"slug": "alpha", "name": "Section Alpha"}]
    assert data["calls"][0]["regions"] == [{"slug": "americas", "name": "Americas"}]


def test_a_published_issue_shows_its_contents_to_everyone(api_as: Callable[[str], Client], scene: Scene) -> None:
    data = api_as("anonymous").get(f"{API}/bulletins/bulletin/issues/1").json()
    assert data["bulletin"]["slug"] == "bulletin" and data["status"] == "published"
    assert data["items"] == [
        {
            "position": 1,
            "citation": "Bulletin No. 1, item 1",
            "cite_as": "[[bulletin/1/1]]",
            "contribution_id": scene.ids["pub_a"],
            "title": "Published of Alpha",
            "section": {"slug": "alpha", "name": "Section Alpha"},
            "signature": "Section Alpha",
            "pages": 0.25,
            "override_reason": "",
        }
    ]


def test_an_unknown_issue_is_missing(api_as: Callable[[str], Client], scene: Scene) -> None:
    response = api_as("editor").get(f"{API}/bulletins/bulletin/issues/9")
    assert response.status_code == 404
    assert response.json()["detail"] == "Bulletin has no issue No. 9."


def test_the_editor_plans_the_next_issue(api_as: Callable[[str], Client], scene: Scene) -> None:
    response = send(api_as("editor"), "post", "/bulletins/bulletin/issues", {"budget_pages": 12.5, "title": "Spring"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["number"], data["title"], data["status"], data["budget_pages"]) == (3, "Spring", "planned", 12.5)
    assert Issue.objects.get(periodical=scene.bulletin, number=3).budget_pages == Decimal("12.50")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"number": 5}, 400, "gap_reason"),
        ({"number": 2}, 409, "number"),
        ({"budget_pages": 0}, 422, None),
        ({"budget_pages": 0.001}, 400, "budget_pages"),
    ],
)
def test_a_wrong_issue_is_refused_with_the_reason(
    api_as: Callable[[str], Client], scene: Scene, body: dict[str, Any], status: int, field: str | None
) -> None:
    response = send(api_as("editor"), "post", "/bulletins/bulletin/issues", body)
    assert response.status_code == status, response.content
    if field:
        assert response.json()["field"] == field
    assert Issue.objects.filter(periodical=scene.bulletin).count() == 2


def test_a_skipped_number_records_why(api_as: Callable[[str], Client], scene: Scene) -> None:
    response = send(api_as("editor"), "post", "/bulletins/bulletin/issues", {"number": 5, "gap_reason": "Seized."})
    assert response.status_code == 201
    assert response.json()["gap_reason"] == "Seized."


# Calls -----------------------------------------------------------------------------------------------------------


def call_body(**fields: Any) -> dict[str, Any]:
    return {"topic": "Next", "deadline": "2099-03-01T18:00:00+01:00", "sections": ["beta"], **fields}


def test_a_call_invites_and_notifies(api_as: Callable[[str], Client], scene: Scene) -> None:
    before = Notice.objects.filter(kind="call").count()
    response = send(
        api_as("editor"),
        "post",
        "/bulletins/bulletin/issues/2/calls",
        call_body(questions="1. Why?", regions=["europe"]),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["deadline"] == "2099-03-01T17:00:00Z"
    assert (data["sections"], data["regions"]) == (
        [{"slug": "beta", "name": "Section Beta"}],
        [{"slug": "europe", "name": "Europe"}],
    )
    assert Notice.objects.filter(kind="call").count() == before + 2


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"sections": ["beta", "atlantis"]}, 400, "atlantis"),
        ({"regions": ["mu"]}, 400, "mu"),
        ({"sections": []}, 400, "Invite"),
        ({"deadline": "2020-01-01T00:00:00+00:00"}, 400, "future"),
        ({"deadline": "2099-03-01T18:00:00"}, 422, "timezone"),
        ({"deadline": "9999-12-31T23:00:00-05:00"}, 400, "range"),
    ],
)
def test_a_wrong_call_is_refused_and_named(
    api_as: Callable[[str], Client], scene: Scene, fields: dict[str, Any], status: int, words: str
) -> None:
    response = send(api_as("editor"), "post", "/bulletins/bulletin/issues/2/calls", call_body(**fields))
    assert response.status_code == status, response.content
    assert words in response.content.decode()
    assert Call.objects.count() == 1


# Assembly --------------------------------------------------------------------------------------------------------


def test_the_proposal_changes_nothing(api_as: Callable[[str], Client], scene: Scene) -> None:
    response = api_as("editor").get(f"{API}/bulletins/bulletin/issues/2/proposal")
    assert response.status_code == 200
    data = response.json()
    assert [e["contribution_id"] for e in data["placed"]] == [scene.ids["accepted_a"]]
    assert (data["deferred"], data["budget_pages"], data["pages_used"]) == ([], 8.0, 0.5)
    assert Contribution.objects.get(pk=scene.ids["accepted_a"]).state == State.ACCEPTED


def test_an_over_full_issue_defers_with_the_reason(api_as: Callable[[str], Client], world: World, scene: Scene) -> None:
    Issue.objects.filter(pk=scene.issue2.pk).update(budget_pages=Decimal("0.5"))
    call = scene.issue2.calls.get()
    second_b = accepted(world, "corr_b", scene.bulletin, "Second of Beta", call=call)
    editor = api_as("editor")
    proposal = editor.get(f"{API}/bulletins/bulletin/issues/2/proposal").json()
    assert [e["contribution_id"] for e in proposal["placed"]] == [scene.ids["accepted_a"]]
    assert [(e["contribution_id"], e["reason"]) for e in proposal["deferred"]] == [(second_b.pk, "no_space")]
    assembled = send(editor, "post", "/bulletins/bulletin/issues/2/assemble", {})
    assert assembled.json() == proposal
    assert Deferral.objects.get(contribution=second_b).reason == "no_space"
    seen = api_as("corr_b").get(f"{API}/contributions/{second_b.pk}").json()
    assert [(d["from_issue"], d["reason"]) for d in seen["deferrals"]] == [(2, "no_space")]
    assert seen["deferrals"][0]["reason_label"] == "the issue's pages were full"
    assert Issue.objects.get(pk=scene.issue2.pk).status == IssueStatus.ASSEMBLY


def test_placing_past_the_budget_needs_a_reason(api_as: Callable[[str], Client], scene: Scene) -> None:
    Issue.objects.filter(pk=scene.issue2.pk).update(budget_pages=Decimal("0.25"))
    editor = api_as("editor")
    path = "/bulletins/bulletin/issues/2/items"
    refused = send(editor, "post", path, {"contribution": scene.ids["accepted_a"]})
    assert refused.status_code == 400
    assert refused.json()["field"] == "reason"
    placed = send(editor, "post", path, {"contribution": scene.ids["accepted_a"], "reason": "Urgent."})
    assert placed.status_code == 201, placed.content
    assert (placed.json()["position"], placed.json()["override_reason"]) == (2, "Urgent.")


@pytest.mark.parametrize(("name", "words"), [("submitted_a", "Only an accepted"), ("draft_a", "No contribution")])
def test_only_an_accepted_contribution_is_placed(
    api_as: Callable[[str], Client], scene: Scene, name: str, words: str
) -> None:
    response = send(
        api_as("editor"), "post", "/bulletins/bulletin/issues/2/items", {"contribution": scene.ids[name], "reason": "x"}
    )
    assert response.status_code == 400
    assert words in response.json()["detail"]
    assert Item.objects.count() == 3


def test_the_editor_reorders_and_takes_out_items(api_as: Callable[[str], Client], scene: Scene) -> None:
    editor = api_as("editor")
    send(editor, "post", "/bulletins/bulletin/issues/2/items", {"contribution": scene.ids["accepted_a"]})
    moved = send(editor, "post", "/bulletins/bulletin/issues/2/items/2/move", {"to": 1, "reason": "Lead."})
    assert moved.status_code == 200, moved.content
    assert [(i["position"], i["title"]) for i in moved.json()] == [(1, "Accepted of Alpha"), (2, "Placed of Beta")]
    refused = editor.delete(f"{API}/bulletins/bulletin/issues/2/items/1")
    assert refused.status_code == 400 and refused.json()["field"] == "reason"
    removed = editor.delete(f"{API}/bulletins/bulletin/issues/2/items/1?reason=Next+issue.")
    assert removed.status_code == 200, removed.content
    assert [(i["position"], i["title"]) for i in removed.json()] == [(1, "Placed of Beta")]
    contribution = Contribution.objects.get(pk=scene.ids["accepted_a"])
    assert contribution.state == State.ACCEPTED
    assert contribution.decisions.last().reason == "Next issue."  # type: ignore[union-attr]
    assert editor.delete(f"{API}/bulletins/bulletin/issues/2/items/7?reason=x").status_code == 404


def test_a_published_issue_is_fixed(api_as: Callable[[str], Client], scene: Scene) -> None:
    response = api_as("editor").delete(f"{API}/bulletins/bulletin/issues/1/items/1?reason=Oops")
    assert response.status_code == 400
    assert "published" in response.json()["detail"]
    assert Item.objects.filter(issue=scene.issue1).count() == 1
    assert Contribution.objects.get(pk=scene.ids["pub_a"]).state == State.PUBLISHED


# Query counts ----------------------------------------------------------------------------------------------------


def queries(client: Client, path: str) -> int:
    client.get(f"{API}{path}")  # The token's first use of the minute is written down: not counted here.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{API}{path}")
    assert response.status_code == 200, response.content
    return len(captured)


def add_contributions(world: World, scene: Scene, n: int) -> None:
    for index in range(n):
        role = "corr_a" if index % 2 else "corr_b"
        contribution = write(world, role, scene.bulletin, f"Extra {index}", signed_by=None)
        services.submit(world.actor(role), contribution)


# Before the list: the token, its account's person and roles, and for a correspondent the editorial delegation.
@pytest.mark.parametrize(("role", "expected"), [("anonymous", 1), ("member", 4), ("corr_a", 5), ("editor", 4)])
def test_the_contributions_list_costs_the_same_for_2_and_for_20(
    api_as: Callable[[str], Client], world: World, scene: Scene, role: str, expected: int
) -> None:
    client = api_as(role)
    add_contributions(world, scene, 2)
    few = queries(client, "/contributions")
    add_contributions(world, scene, 18)
    many = queries(client, "/contributions")
    assert few == many == expected
    if role == "editor":
        assert len(client.get(f"{API}/contributions").json()) == 6 + 20


def published_issue(world: World, scene: Scene, n: int) -> int:
    editor = world.actor("editor")
    issue = services.create_issue(editor, scene.bulletin, planned_date=None, budget_pages=100)
    deadline = timezone.now() + datetime.timedelta(days=1)
    services.open_call(
        editor, issue, topic="Any", deadline=deadline, sections=[world.section_a], regions=[world.europe]
    )
    for index in range(n):
        role = "corr_a" if index % 2 else "corr_b"
        services.place(editor, accepted(world, role, scene.bulletin, f"Item {index}"), issue, reason="Test.")
    services.mark_published(editor, issue)
    return issue.number


# The bulletin, the issue with its counts, its calls (with their sections and regions), and its items.
@pytest.mark.parametrize(("role", "expected"), [("anonymous", 6), ("corr_a", 10), ("editor", 9)])
def test_the_issue_contents_cost_the_same_for_1_and_for_10_items(
    api_as: Callable[[str], Client], world: World, scene: Scene, role: str, expected: int
) -> None:
    small, large = published_issue(world, scene, 1), published_issue(world, scene, 10)
    client = api_as(role)
    assert len(client.get(f"{API}/bulletins/bulletin/issues/{large}").json()["items"]) == 10
    assert (
        queries(client, f"/bulletins/bulletin/issues/{small}")
        == queries(client, f"/bulletins/bulletin/issues/{large}")
        == expected
    )
