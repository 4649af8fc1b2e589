"""Who may call what on the bulletin's endpoints: every operation against every role, by token, on the scene.

A contribution or a bulletin the caller may not see answers 404, the same as one that does not exist; an operation
the caller may see but not do answers 403; a write without a token 401. A refused call changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.editorial.models import Call, Contribution, Decision, Deferral, Item, Revision
from liaison.periodicals.models import Issue
from tests.api.conftest import API, API_ROLES
from tests.api.test_editorial_scene import Scene, build_scene
from tests.conftest import World

ALL = dict.fromkeys(API_ROLES, 200)
READERS = {**ALL, "anonymous": 404, "norole": 404}  # an internal bulletin: members only
NOBODY = dict.fromkeys(API_ROLES, 404)


def editors(ok: int, *, anonymous: int = 401) -> dict[str, int]:
    return {**dict.fromkeys(API_ROLES, 403), "anonymous": anonymous, "editor": ok}


def seen_by(ok: int, *, anonymous: int = 404, **others: int) -> dict[str, int]:
    """The answer for a draft of section A, seen only by section A's people (corr_a and the member)."""
    return {**NOBODY, "anonymous": anonymous, "member": ok, "corr_a": ok, **others}


# (method, path as in the schema, path as called, body, expected status by role)
MATRIX: list[tuple[str, str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("get", "/bulletins", "/bulletins", None, ALL),
    ("get", "/bulletins/{slug}/issues", "/bulletins/bulletin/issues", None, ALL),
    ("get", "/bulletins/{slug}/issues", "/bulletins/internal/issues", None, READERS),
    ("get", "/bulletins/{slug}/issues/{number}", "/bulletins/bulletin/issues/2", None, ALL),
    ("get", "/bulletins/{slug}/issues/{number}", "/bulletins/internal/issues/1", None, READERS),
    ("post", "/bulletins/{slug}/issues", "/bulletins/bulletin/issues", {"budget_pages": 12}, editors(201)),
    (
        "post",
        "/bulletins/{slug}/issues/{number}/calls",
        "/bulletins/bulletin/issues/2/calls",
        {"topic": "Next", "deadline": "2099-01-01T12:00:00+01:00", "sections": ["beta"]},
        editors(201),
    ),
    ("get", "/bulletins/{slug}/issues/{number}/proposal", "/bulletins/bulletin/issues/2/proposal", None, editors(200)),
    ("post", "/bulletins/{slug}/issues/{number}/assemble", "/bulletins/bulletin/issues/2/assemble", {}, editors(200)),
    (
        "post",
        "/bulletins/{slug}/issues/{number}/items",
        "/bulletins/bulletin/issues/2/items",
        {"contribution": "{accepted_a}"},
        editors(201),
    ),
    (
        "post",
        "/bulletins/{slug}/issues/{number}/items/{position}/move",
        "/bulletins/bulletin/issues/2/items/1/move",
        {"to": 1, "reason": "Stays first."},
        editors(200),
    ),
    (
        "delete",
        "/bulletins/{slug}/issues/{number}/items/{position}",
        "/bulletins/bulletin/issues/2/items/1?reason=Next+time",
        None,
        editors(200),
    ),
    ("get", "/contributions", "/contributions", None, ALL),
    ("get", "/contributions/{contribution_id}", "/contributions/{pub_a}", None, ALL),
    ("get", "/contributions/{contribution_id}", "/contributions/{internal_b}", None, READERS),
    ("get", "/contributions/{contribution_id}", "/contributions/{draft_a}", None, seen_by(200)),
    ("get", "/contributions/{contribution_id}", "/contributions/{submitted_a}", None, seen_by(200, editor=200)),
    (
        "post",
        "/contributions",
        "/contributions",
        {"section": "alpha", "periodical": "bulletin", "title": "New", "language": "fr", "body": "Texte."},
        {**dict.fromkeys(API_ROLES, 403), "anonymous": 401, "corr_a": 201},
    ),
    (
        "put",
        "/contributions/{contribution_id}",
        "/contributions/{draft_a}",
        {"base_version": 1, "title": "Draft", "language": "fr", "kind": "report", "body": "Autre."},
        seen_by(200, anonymous=401, member=403),
    ),
    (
        "put",
        "/contributions/{contribution_id}",
        "/contributions/{submitted_a}",
        {"base_version": 1, "title": "Edited", "language": "fr", "kind": "report", "body": "Edited."},
        seen_by(403, anonymous=401, editor=200),
    ),
    (
        "post",
        "/contributions/{contribution_id}/transitions",
        "/contributions/{draft_a}/transitions",
        {"to": "submitted"},
        seen_by(201, anonymous=401, member=403),
    ),
    (
        "post",
        "/contributions/{contribution_id}/transitions",
        "/contributions/{submitted_a}/transitions",
        {"to": "accepted"},
        seen_by(403, anonymous=401, editor=201),
    ),
    (
        "post",
        "/contributions/{contribution_id}/transitions",
        "/contributions/{placed_b}/transitions",
        {"to": "accepted", "reason": "Next issue."},
        {**NOBODY, "anonymous": 401, "corr_b": 403, "editor": 201},
    ),
    ("get", "/contributions/{contribution_id}/revisions", "/contributions/{draft_a}/revisions", None, seen_by(200)),
    (
        "get",
        "/contributions/{contribution_id}/revisions",
        "/contributions/{pub_a}/revisions",
        None,
        seen_by(200, anonymous=403, norole=403, corr_b=403, translator=403, editor=200),
    ),
]


@pytest.fixture
def scene(world: World) -> Scene:
    return build_scene(world)


def rows() -> tuple[int, ...]:
    return (
        tuple(model.objects.count() for model in (Issue, Call, Contribution, Revision, Decision, Item, Deferral))
        + tuple(Contribution.objects.values_list("state", "version").order_by("pk"))
        + tuple(Item.objects.values_list("position", "override_reason").order_by("pk"))
    )


def format_body(body: dict[str, Any] | None, ids: dict[str, Any]) -> dict[str, Any]:
    return {key: int(value.format(**ids)) if value == "{accepted_a}" else value for key, value in (body or {}).items()}


@pytest.mark.parametrize("role", API_ROLES)
@pytest.mark.parametrize(("method", "template", "path", "body", "expected"), MATRIX, ids=lambda v: str(v)[:50])
def test_permission_matrix(
    api_as: Callable[[str], Client],
    scene: Scene,
    role: str,
    method: str,
    template: str,
    path: str,
    body: dict[str, Any] | None,
    expected: dict[str, int],
) -> None:
    client = api_as(role)
    url = API + path.format(**scene.ids)
    before = rows()
    if method == "get":
        response = client.get(url)
    elif method == "delete":
        response = client.delete(url)
    else:
        response = getattr(client, method)(url, format_body(body, scene.ids), content_type="application/json")
    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert response.json()["detail"]
        assert rows() == before
    elif method != "get":
        assert rows() != before
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_b", "translator"])
def test_a_refused_editor_learns_nothing_about_the_bulletin(
    api_as: Callable[[str], Client], scene: Scene, role: str
) -> None:
    # Checked before any lookup: an unknown bulletin is refused like a known one.
    known = api_as(role).post(f"{API}/bulletins/internal/issues", {}, content_type="application/json")
    unknown = api_as(role).post(f"{API}/bulletins/atlantis/issues", {}, content_type="application/json")
    assert known.status_code == unknown.status_code
    assert known.json() == unknown.json()


@pytest.mark.parametrize("role", ["anonymous", "norole", "corr_b", "translator", "editor"])
def test_a_hidden_contribution_answers_as_a_missing_one(
    api_as: Callable[[str], Client], scene: Scene, role: str
) -> None:
    client = api_as(role)
    hidden = client.get(f"{API}/contributions/{scene.ids['draft_a']}")
    missing = client.get(f"{API}/contributions/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(scene.ids["draft_a"]), "N") == missing.json()["detail"].replace(
        "999999", "N"
    )
    assert "Draft of Alpha" not in hidden.content.decode()
