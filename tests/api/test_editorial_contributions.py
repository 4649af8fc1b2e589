"""Contributions through the API: who sees which, writing and saving (conflicts too), hostile and foreign texts,
the workflow's moves, and the whole path from a draft to an issue's contents."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from liaison.editorial.models import Contribution, Revision, State
from tests.api.conftest import API
from tests.api.test_editorial_scene import Scene, build_scene
from tests.conftest import World


@pytest.fixture
def scene(world: World) -> Scene:
    return build_scene(world)


def send(client: Client, method: str, path: str, data: dict[str, Any]) -> Any:
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json")


def titles(client: Client, query: str = "") -> set[str]:
    response = client.get(f"{API}/contributions{query}")
    assert response.status_code == 200, response.content
    return {c["title"] for c in response.json()}


def new_draft(client: Client, **fields: Any) -> Any:
    data = {"section": "alpha", "periodical": "bulletin", "title": "T", "language": "fr", "body": "Texte.", **fields}
    return send(client, "post", "/contributions", data)


# Who sees which ----------------------------------------------------------------------------------------------------

PUBLIC = {"Published of Alpha"}
MEMBERS = PUBLIC | {"Internal of Beta"}
EDITORS = MEMBERS | {"Placed of Beta", "Accepted of Alpha", "Submitted of Alpha", "Returned of Beta"}
SECTION_A = MEMBERS | {"Accepted of Alpha", "Draft of Alpha", "Submitted of Alpha"}
SECTION_B = MEMBERS | {"Placed of Beta", "Draft of Beta", "Returned of Beta"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", PUBLIC),
        ("norole", PUBLIC),
        ("translator", MEMBERS),
        ("member", SECTION_A),
        ("corr_a", SECTION_A),
        ("corr_b", SECTION_B),
        ("editor", EDITORS),
    ],
)
def test_the_list_shows_only_what_the_caller_may_see(
    api_as: Callable[[str], Client], scene: Scene, role: str, expected: set[str]
) -> None:
    assert titles(api_as(role)) == expected


def test_drafts_stay_with_their_section(api_as: Callable[[str], Client], scene: Scene) -> None:
    draft_a = scene.ids["draft_a"]
    for role in ("anonymous", "norole", "corr_b", "translator", "editor"):
        assert "Draft of Alpha" not in titles(api_as(role), "?state=draft")
        assert api_as(role).get(f"{API}/contributions/{draft_a}").status_code == 404
        assert api_as(role).get(f"{API}/contributions/{draft_a}/revisions").status_code == 404
    assert titles(api_as("corr_a"), "?state=draft") == {"Draft of Alpha"}
    assert titles(api_as("editor"), "?state=draft") == set()


def test_it_filters_by_state_section_and_bulletin(api_as: Callable[[str], Client], scene: Scene) -> None:
    editor = api_as("editor")
    assert titles(editor, "?state=submitted") == {"Submitted of Alpha"}
    assert titles(editor, "?section=beta&state=placed") == {"Placed of Beta"}
    assert titles(editor, "?periodical=internal") == {"Internal of Beta"}
    assert titles(editor, "?section=beta&state=accepted") == set()


def test_an_unknown_filter_is_named_and_an_internal_bulletin_is_unknown_to_outsiders(
    api_as: Callable[[str], Client], scene: Scene
) -> None:
    response = api_as("editor").get(f"{API}/contributions?section=atlantis")
    assert response.status_code == 404
    assert response.json() == {"detail": "No section “atlantis”.", "field": "section"}
    hidden = api_as("anonymous").get(f"{API}/contributions?periodical=internal")
    unknown = api_as("anonymous").get(f"{API}/contributions?periodical=atlantis")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["field"] == "periodical"


def test_a_contribution_shows_its_history_to_its_section(api_as: Callable[[str], Client], scene: Scene) -> None:
    response = api_as("corr_b").get(f"{API}/contributions/{scene.ids['returned_b']}")
    assert response.status_code == 200
    data = response.json()
    assert data["state"] == "returned"
    assert data["allowed_moves"] == ["resubmitted", "withdrawn"]
    assert data["may_edit"] is True
    assert data["revision_count"] == 1
    assert [(d["to_state"], d["reason"], d["by"]) for d in data["decisions"]] == [
        ("submitted", "", "Beta Corr"),
        ("returned", "Shorter, please.", "Editor Pseud"),
    ]


def test_a_reader_sees_the_text_but_not_the_history(api_as: Callable[[str], Client], scene: Scene) -> None:
    data = api_as("anonymous").get(f"{API}/contributions/{scene.ids['pub_a']}").json()
    assert data["body"] == "Text."
    assert data["html"] == "<p>Text.</p>\n"
    assert data["placement"] == {"issue": 1, "position": 1, "citation": "Bulletin No. 1, item 1"}
    assert data["allowed_moves"] == []
    assert data["may_edit"] is False
    assert not {"decisions", "deferrals", "revision_count"} & set(data)


def test_the_editor_is_offered_the_decisions(api_as: Callable[[str], Client], scene: Scene) -> None:
    data = api_as("editor").get(f"{API}/contributions/{scene.ids['submitted_a']}").json()
    assert data["allowed_moves"] == ["returned", "accepted", "declined"]
    assert data["may_edit"] is True


# Writing ---------------------------------------------------------------------------------------------------------


def test_a_correspondent_writes_a_draft(api_as: Callable[[str], Client], world: World, scene: Scene) -> None:
    response = new_draft(api_as("corr_a"), kind="opinion", call=scene.ids["call"], signed_by=world.people["member"].pk)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["state"], data["version"], data["kind"], data["signature"]) == ("draft", 1, "opinion", "Alpha Member")
    assert data["decisions"] == [] and data["revision_count"] == 1
    contribution = Contribution.objects.get(pk=data["id"])
    assert contribution.call_id == scene.ids["call"] and contribution.target_issue == scene.issue2


def test_it_refuses_a_signer_from_outside_the_section(
    api_as: Callable[[str], Client], world: World, scene: Scene
) -> None:
    response = new_draft(api_as("corr_a"), signed_by=world.people["editor"].pk)
    assert response.status_code == 400
    assert response.json()["field"] == "signed_by"
    assert not Contribution.objects.filter(title="T").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"section": "atlantis"}, "section"),
        ({"periodical": "atlantis"}, "periodical"),
        ({"call": 999999}, "call"),
        ({"language": "xx-nowhere"}, "language"),
        ({"body": "   "}, "body"),
        ({"body": "See [[bulletin/9/9]]."}, "body"),
        ({"body": "nul \x00 here"}, "body"),
    ],
)
def test_it_names_the_input_at_fault(
    api_as: Callable[[str], Client], scene: Scene, fields: dict[str, Any], field: str
) -> None:
    response = new_draft(api_as("corr_a"), **fields)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert response.json()["detail"]


def test_a_two_megabyte_text_is_refused_with_a_reason(api_as: Callable[[str], Client], scene: Scene) -> None:
    before = Contribution.objects.count()
    response = new_draft(api_as("corr_a"), body="word " * (2 * 1024 * 1024 // 5))
    assert response.status_code == 400
    assert response.json()["field"] == "body"
    assert "at most 200,000" in response.json()["detail"]
    assert Contribution.objects.count() == before


HOSTILE = """\
<script>alert(1)</script>

<img src=x onerror="alert(2)">

[click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) [ok](https://example.org)

<a href="javascript:alert(4)" onclick="alert(5)">raw</a>

![pic](javascript:alert(6))
"""


def test_deeply_nested_lists_are_refused_with_a_reason(api_as: Callable[[str], Client], scene: Scene) -> None:
    nested = "".join("  " * depth + "- deeper\n" for depth in range(200))
    response = new_draft(api_as("corr_a"), body=nested)
    assert response.status_code == 400
    assert response.json()["field"] == "body" and "nested" in response.json()["detail"]


class Tags(HTMLParser):
    """Every tag and attribute of an HTML fragment, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def test_hostile_markdown_comes_back_inert(api_as: Callable[[str], Client], scene: Scene) -> None:
    response = new_draft(api_as("corr_a"), body=HOSTILE)
    assert response.status_code == 201, response.content
    html = response.json()["html"]
    assert "<script" not in html.lower()
    parser = Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "iframe", "object", "style"), tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith(("javascript:", "data:")), (tag, name, value)
    # What remains of "javascript:" is the section's own words shown as text, never inside a tag.
    assert all("javascript:" not in tag for tag in re.findall(r"<[^>]*>", html.lower()))
    assert ("a", [("href", "https://example.org"), ("rel", "noopener noreferrer nofollow")]) in parser.tags
    # The Markdown itself is kept as written: nothing the section wrote is lost.
    assert response.json()["body"] == HOSTILE


@pytest.mark.parametrize(
    ("language", "title", "body"),
    [
        ("ru", "Доклад секции", "Текст на русском[^1].\n\n[^1]: Примечание."),
        ("zh", "支部报告", "中文文本，第二段。"),
        ("ar", "تقرير الفرع", "نص باللغة العربية."),
    ],
)
def test_foreign_scripts_round_trip(
    api_as: Callable[[str], Client], scene: Scene, language: str, title: str, body: str
) -> None:
    client = api_as("corr_a")
    created = new_draft(client, title=title, language=language, body=body)
    assert created.status_code == 201, created.content
    assert title in created.content.decode()  # as it is, not as \\u escapes
    data = client.get(f"{API}/contributions/{created.json()['id']}").json()
    assert (data["title"], data["language"], data["body"]) == (title, language, body)
    assert body.split("[^1]")[0] in data["html"]
    assert titles(client, "?state=draft") >= {title}


# Saving ----------------------------------------------------------------------------------------------------------


def test_a_save_needs_the_version_it_started_from(api_as: Callable[[str], Client], scene: Scene) -> None:
    response = send(
        api_as("corr_a"),
        "put",
        f"/contributions/{scene.ids['draft_a']}",
        {"title": "Draft of Alpha", "language": "fr", "kind": "report", "body": "New."},
    )
    assert response.status_code == 422
    assert "base_version" in response.content.decode()


def test_a_stale_save_is_a_conflict_that_keeps_both_texts(api_as: Callable[[str], Client], scene: Scene) -> None:
    client = api_as("corr_a")
    path = f"/contributions/{scene.ids['draft_a']}"
    first = send(
        client, "put", path, {"base_version": 1, "title": "T", "language": "fr", "kind": "report", "body": "Ours."}
    )
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 2
    second = send(
        client,
        "put",
        path,
        {"base_version": 1, "title": "T", "language": "fr", "kind": "report", "body": "Mine, later."},
    )
    assert second.status_code == 409
    data = second.json()
    assert data["field"] == "body" and "revision 3" in data["detail"]
    assert (data["theirs"]["body"], data["theirs"]["number"], data["theirs"]["conflict"]) == ("Ours.", 2, False)
    assert (data["yours"]["body"], data["yours"]["number"], data["yours"]["conflict"]) == ("Mine, later.", 3, True)
    assert data["yours"]["author"] == "Alpha Corr"
    contribution = Contribution.objects.get(pk=scene.ids["draft_a"])
    assert (contribution.body, contribution.version) == ("Ours.", 2)
    revisions = client.get(f"{API}{path}/revisions").json()
    assert [(r["number"], r["body"], r["conflict"]) for r in revisions] == [
        (1, "Text.", False),
        (2, "Ours.", False),
        (3, "Mine, later.", True),
    ]


def test_a_save_keeps_the_signature_unless_it_names_one(
    api_as: Callable[[str], Client], world: World, scene: Scene
) -> None:
    client = api_as("corr_a")
    path = f"/contributions/{scene.ids['draft_a']}"
    text = {"title": "T", "language": "fr", "kind": "report", "body": "Ours."}
    signed = send(client, "put", path, {**text, "base_version": 1, "signed_by": world.people["member"].pk})
    assert signed.json()["signature"] == "Alpha Member"
    kept = send(client, "put", path, {**text, "base_version": 2})
    assert kept.json()["signature"] == "Alpha Member"
    by_section = send(client, "put", path, {**text, "base_version": 3, "signed_by": None})
    assert by_section.status_code == 200, by_section.content
    assert Contribution.objects.get(pk=scene.ids["draft_a"]).signed_by is None


def test_the_section_cannot_edit_what_the_editors_hold(api_as: Callable[[str], Client], scene: Scene) -> None:
    response = send(
        api_as("corr_a"),
        "put",
        f"/contributions/{scene.ids['submitted_a']}",
        {"base_version": 1, "title": "T", "language": "fr", "kind": "report", "body": "Changed."},
    )
    assert response.status_code == 403
    assert "submitted" in response.json()["detail"]
    assert Revision.objects.filter(contribution_id=scene.ids["submitted_a"]).count() == 1


# Moves -----------------------------------------------------------------------------------------------------------


def move(client: Client, contribution_id: int, to: str, reason: str = "") -> Any:
    return send(client, "post", f"/contributions/{contribution_id}/transitions", {"to": to, "reason": reason})


@pytest.mark.parametrize(
    ("role", "name", "to", "status", "detail"),
    [
        ("editor", "submitted_a", "returned", 400, "Give the reason"),
        ("editor", "submitted_a", "declined", 400, "Give the reason"),
        ("editor", "submitted_a", "published", 400, "published with its issue"),
        ("editor", "accepted_a", "placed", 400, "issue's items"),
        ("editor", "pub_a", "withdrawn", 400, "cannot become withdrawn"),
        ("corr_a", "draft_a", "accepted", 400, "cannot become accepted"),
        ("corr_a", "accepted_a", "submitted", 400, "cannot become submitted"),
        ("corr_a", "submitted_a", "accepted", 403, "Only the editors"),
        ("member", "draft_a", "submitted", 403, "Only the correspondents"),
    ],
)
def test_refused_moves_say_why(
    api_as: Callable[[str], Client], scene: Scene, role: str, name: str, to: str, status: int, detail: str
) -> None:
    before = Contribution.objects.get(pk=scene.ids[name]).state
    response = move(api_as(role), scene.ids[name], to)
    assert response.status_code == status, response.content
    assert detail in response.json()["detail"]
    assert Contribution.objects.get(pk=scene.ids[name]).state == before


def test_taking_a_placed_item_back_closes_up_its_issue(api_as: Callable[[str], Client], scene: Scene) -> None:
    editor = api_as("editor")
    placed = send(editor, "post", "/bulletins/bulletin/issues/2/items", {"contribution": scene.ids["accepted_a"]})
    assert placed.json()["position"] == 2
    response = move(editor, scene.ids["placed_b"], "accepted", "Next issue.")
    assert response.status_code == 201, response.content
    assert (response.json()["from_state"], response.json()["reason"]) == ("placed", "Next issue.")
    items = editor.get(f"{API}/bulletins/bulletin/issues/2").json()["items"]
    assert [(i["position"], i["title"]) for i in items] == [(1, "Accepted of Alpha")]


def test_the_whole_path(api_as: Callable[[str], Client], scene: Scene) -> None:
    corr, editor = api_as("corr_a"), api_as("editor")
    created = new_draft(corr, title="Our answer", call=scene.ids["call"], body="First text.")
    pk = created.json()["id"]
    assert move(corr, pk, "submitted").json()["to_state"] == "submitted"
    assert move(editor, pk, "returned", "Add a conclusion.").status_code == 201
    seen = corr.get(f"{API}/contributions/{pk}").json()
    assert seen["decisions"][-1]["reason"] == "Add a conclusion."
    saved = send(
        corr,
        "put",
        f"/contributions/{pk}",
        {"base_version": seen["version"], "title": "Our answer", "language": "fr", "kind": "report", "body": "Better."},
    )
    assert saved.status_code == 200, saved.content
    assert move(corr, pk, "submitted").json()["to_state"] == "resubmitted"
    assert move(editor, pk, "accepted").status_code == 201
    assembled = send(editor, "post", "/bulletins/bulletin/issues/2/assemble", {})
    assert assembled.status_code == 200, assembled.content
    assert {e["contribution_id"] for e in assembled.json()["placed"]} == {pk, scene.ids["accepted_a"]}
    contents = corr.get(f"{API}/bulletins/bulletin/issues/2").json()["items"]
    assert "Our answer" in [i["title"] for i in contents]
    final = corr.get(f"{API}/contributions/{pk}").json()
    assert final["state"] == "placed" and final["placement"]["issue"] == 2
    assert [d["to_state"] for d in final["decisions"]] == [
        State.SUBMITTED,
        State.RETURNED,
        State.RESUBMITTED,
        State.ACCEPTED,
        State.PLACED,
    ]
