"""Who may call what on the conference endpoints: every operation against every role, by token, on the scene.

A conference the caller may not read answers 404, the same as one that does not exist; an operation the caller may
not do answers 403, checked before any lookup; a write without a token 401. A refused call changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.conference.models import Conference, Endorsement, Position, PositionRevision, Question, Wave
from liaison.editorial.models import Contribution
from tests.api.conftest import API, API_ROLES
from tests.api.test_conference_scene import Scene, build_scene
from tests.conftest import World

ALL = dict.fromkeys(API_ROLES, 200)
MEMBERS = {**ALL, "anonymous": 404, "norole": 404}  # a conference that is not public
NOT_YET = "2099-01-01T12:00:00+01:00"


def editors(ok: int) -> dict[str, int]:
    return {**dict.fromkeys(API_ROLES, 403), "anonymous": 401, "editor": ok}


def correspondent(role: str, ok: int) -> dict[str, int]:
    return {**dict.fromkeys(API_ROLES, 403), "anonymous": 401, role: ok}


STATEMENT = "A new statement, saying what changed and why."

# (method, path as called, body, expected status by role)
MATRIX: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("get", "/conferences", None, ALL),
    ("get", "/conferences/{public}", None, ALL),
    ("get", "/conferences/{internal}", None, MEMBERS),
    ("get", "/conferences/{public}/questions", None, ALL),
    ("get", "/conferences/{internal}/questions", None, MEMBERS),
    ("get", "/conferences/{public}/waves", None, ALL),
    ("get", "/conferences/{internal}/waves", None, MEMBERS),
    ("get", "/conferences/{public}/positions", None, ALL),
    ("get", "/conferences/{internal}/positions", None, MEMBERS),
    ("get", "/conferences/{public}/positions/alpha/1", None, ALL),
    ("get", "/conferences/{public}/positions/beta/1", None, ALL),
    ("get", "/conferences/{internal}/positions/alpha/1", None, MEMBERS),
    ("get", "/conferences/{public}/endorsements", None, ALL),
    ("get", "/conferences/{internal}/endorsements", None, MEMBERS),
    ("post", "/conferences", {"title": "Third Conference", "bulletin": "bulletin"}, editors(201)),
    ("post", "/conferences/{public}/questions", {"title": {"en": "The press"}}, editors(201)),
    (
        "post",
        "/conferences/{public}/waves",
        {"name": "Asia", "regions": ["asia"], "deadline": NOT_YET, "issue": 2},
        editors(201),
    ),
    (
        "post",
        "/conferences/{public}/positions",
        {
            "section": "alpha",
            "question": 3,
            "option": "own",
            "stance": "Youth first.",
            "statement": "Text.",
            "language": "fr",
        },
        correspondent("corr_a", 201),
    ),
    (
        "put",
        "/conferences/{public}/positions/alpha/2",
        {"base_version": 1, "stance": "Revised stance.", "statement": STATEMENT},
        correspondent("corr_a", 200),
    ),
    (
        "put",
        "/conferences/{public}/positions/beta/1",
        {"base_version": 1, "option": "amend"},
        correspondent("corr_b", 200),
    ),
    (
        "post",
        "/conferences/{public}/positions/alpha/1/endorsements",
        {"section": "beta"},
        correspondent("corr_b", 201),
    ),
    ("delete", "/conferences/{internal}/endorsements/{endorsement}", None, correspondent("corr_b", 200)),
]


def _template(path: str) -> str:
    """The schema's path template of a path as the matrix calls it (for the coverage test)."""
    parts = path.split("/")
    names = {"{public}": "{conference_id}", "{internal}": "{conference_id}", "{endorsement}": "{endorsement_id}"}
    parts = [names.get(part, part) for part in parts]
    if len(parts) > 4 and parts[3] == "positions":
        parts[4:6] = ["{section}", "{number}"]
    return "/".join(parts)


# (method, path template) of every operation the matrix calls, as tests/api/test_permissions.py checks them.
OPERATIONS = {(method, _template(path)) for method, path, *_rest in MATRIX}


@pytest.fixture
def scene(world: World) -> Scene:
    return build_scene(world)


def rows() -> tuple[Any, ...]:
    return (
        tuple(m.objects.count() for m in (Conference, Question, Wave, Position, PositionRevision, Endorsement))
        + tuple(Position.objects.values_list("option", "version", "stance").order_by("pk"))
        + tuple(Endorsement.objects.values_list("withdrawn_at", flat=True).order_by("pk"))
        + tuple(Contribution.objects.values_list("state", "version").order_by("pk"))
    )


@pytest.mark.parametrize("role", API_ROLES)
@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=lambda v: str(v)[:60])
def test_permission_matrix(
    api_as: Callable[[str], Client],
    scene: Scene,
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: dict[str, int],
) -> None:
    client = api_as(role)
    url = API + path.format(**scene.ids)
    before = rows()
    if method in ("get", "delete"):
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(url, body, content_type="application/json")
    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert response.json()["detail"]
        assert rows() == before
    elif method != "get":
        assert rows() != before
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("role", ["anonymous", "norole"])
def test_a_conference_for_members_answers_as_a_missing_one(
    api_as: Callable[[str], Client], scene: Scene, role: str
) -> None:
    client = api_as(role)
    hidden = client.get(f"{API}/conferences/{scene.internal.pk}/positions")
    missing = client.get(f"{API}/conferences/999999/positions")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(scene.internal.pk), "N") == missing.json()["detail"].replace(
        "999999", "N"
    )
    listed = client.get(f"{API}/conferences").json()
    assert [c["title"] for c in listed] == ["Second International Conference"]


@pytest.mark.parametrize("role", ["member", "corr_a", "translator", "editor"])
def test_members_list_every_conference(api_as: Callable[[str], Client], scene: Scene, role: str) -> None:
    titles = {c["title"] for c in api_as(role).get(f"{API}/conferences").json()}
    assert titles == {"Second International Conference", "Internal Conference"}


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_b", "translator"])
def test_a_refused_editor_learns_nothing_about_the_conference(
    api_as: Callable[[str], Client], scene: Scene, role: str
) -> None:
    # Checked before any lookup: a conference one may not read is refused like a readable one.
    body = {"title": {"en": "The press"}}
    known = api_as(role).post(f"{API}/conferences/{scene.internal.pk}/questions", body, content_type="application/json")
    unknown = api_as(role).post(f"{API}/conferences/999999/questions", body, content_type="application/json")
    assert known.status_code == unknown.status_code
    assert known.json() == unknown.json()


def test_another_section_learns_nothing_of_a_draft_it_would_revise(
    api_as: Callable[[str], Client], scene: Scene
) -> None:
    # Section B's draft on question 1, and no position of B on question 3: corr_a is refused alike.
    client = api_as("corr_a")
    body = {"base_version": 1, "option": "support"}
    draft = client.put(f"{API}/conferences/{scene.public.pk}/positions/beta/1", body, content_type="application/json")
    none = client.put(f"{API}/conferences/{scene.public.pk}/positions/beta/3", body, content_type="application/json")
    assert draft.status_code == none.status_code == 403
    assert draft.json() == none.json()
    assert draft.json()["detail"] == "Only the correspondents of Section Beta state its positions."


def test_a_draft_cannot_be_endorsed_nor_told_from_no_position(api_as: Callable[[str], Client], scene: Scene) -> None:
    client = api_as("corr_a")
    draft = client.post(
        f"{API}/conferences/{scene.public.pk}/positions/beta/1/endorsements",
        {"section": "alpha"},
        content_type="application/json",
    )
    none = client.post(
        f"{API}/conferences/{scene.public.pk}/positions/beta/3/endorsements",
        {"section": "alpha"},
        content_type="application/json",
    )
    assert draft.status_code == none.status_code == 404
    assert draft.json()["detail"].replace("1", "N") == none.json()["detail"].replace("3", "N")
