"""Who may use each editorial page and action, for every role of ``world``.

Allowed: a GET answers 200, a valid POST does its work and redirects (302). Refused: an anonymous visitor is sent to
log in, anyone else gets 403, and a refused POST changes nothing. Drafts are seen only by their section; submitted
contributions by their section and the editors; published ones by the periodical's audience; an internal
bulletin's items never by anonymous visitors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from liaison.editorial.models import Contribution, Decision, Item, State
from liaison.periodicals.models import Issue
from tests.conftest import ROLES

EVERYONE = frozenset(ROLES)
MEMBERS = EVERYONE - {"anonymous"}
EDITOR = frozenset({"editor"})
SECTION_A = frozenset({"member", "corr_a"})
CORR_A = frozenset({"corr_a"})


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    may_get: frozenset[str]
    # Valid input for a POST, or None for a page that is only read (which answers a POST with 405).
    post: dict[str, Any] | None = None
    may_post: frozenset[str] = frozenset()
    # Only POST is accepted (an action): a GET answers 405.
    action: bool = False


@pytest.fixture
def scene(world, bulletin, internal, issue, make_contribution):
    """One contribution in each state that matters, in both bulletins, and an internal issue published."""
    draft = make_contribution(State.DRAFT, title="A draft")
    submitted = make_contribution(State.SUBMITTED, title="A submitted text")
    accepted = make_contribution(State.ACCEPTED, section="b", title="An accepted text")
    placed = make_contribution(State.PLACED, title="A placed text", issue=issue)
    published_internal = make_contribution(State.PUBLISHED, periodical=internal, title="An internal text")
    return {
        "draft": draft,
        "submitted": submitted,
        "accepted": accepted,
        "placed": placed,
        "internal": published_internal,
        "issue": issue,
    }


@pytest.fixture
def published(world, bulletin, make_contribution):
    """A second issue of the public bulletin, published, with one item."""
    from tests.editorial.conftest import open_issue

    second = open_issue(world, bulletin)
    return make_contribution(State.PUBLISHED, title="A published text", issue=second)


def pages(scene: dict[str, Any], published: Contribution) -> list[Page]:
    draft, submitted, accepted, placed = scene["draft"], scene["submitted"], scene["accepted"], scene["placed"]
    internal = scene["internal"]
    placed_item = Item.objects.get(contribution=placed)
    public_item = Item.objects.get(contribution=published)
    internal_item = Item.objects.get(contribution=internal)
    edit = {"title": "New title", "language": "fr", "kind": "report", "body": "A new text."}
    return [
        Page("dashboard_a", "/sections/alpha/dashboard/", SECTION_A | EDITOR),
        Page("dashboard_b", "/sections/beta/dashboard/", frozenset({"corr_b", "editor"})),
        Page(
            "contribution_new",
            "/contributions/new/?section=alpha",
            CORR_A,
            {"periodical": scene["issue"].periodical_id, **edit},
            CORR_A,
        ),
        Page("draft", f"/contributions/{draft.pk}/", SECTION_A),
        Page("submitted", f"/contributions/{submitted.pk}/", SECTION_A | EDITOR),
        Page("published", f"/contributions/{published.pk}/", EVERYONE),
        Page("published_internal", f"/contributions/{internal.pk}/", MEMBERS),
        Page("draft_edit", f"/contributions/{draft.pk}/edit/", CORR_A, {**edit, "base_version": 1}, CORR_A),
        Page("submitted_edit", f"/contributions/{submitted.pk}/edit/", EDITOR, {**edit, "base_version": 1}, EDITOR),
        Page("published_edit", f"/contributions/{published.pk}/edit/", frozenset(), {**edit, "base_version": 1}),
        Page("draft_diff", f"/contributions/{draft.pk}/diff/", SECTION_A),
        Page("submitted_diff", f"/contributions/{submitted.pk}/diff/", SECTION_A | EDITOR),
        Page("published_diff", f"/contributions/{published.pk}/diff/", SECTION_A | EDITOR),
        Page(
            "submit_draft",
            f"/contributions/{draft.pk}/move/",
            frozenset(),
            {"to_state": State.SUBMITTED},
            CORR_A,
            action=True,
        ),
        Page(
            "accept_submitted",
            f"/contributions/{submitted.pk}/move/",
            frozenset(),
            {"to_state": State.ACCEPTED},
            EDITOR,
            action=True,
        ),
        Page(
            "withdraw_submitted",
            f"/contributions/{submitted.pk}/move/",
            frozenset(),
            {"to_state": State.WITHDRAWN},
            CORR_A,
            action=True,
        ),
        Page("desk", "/editorial/", EDITOR),
        Page("desk_filtered", f"/editorial/?state=submitted&section={scene['draft'].section_id}", EDITOR),
        Page("open_pages", "/editorial/open-pages/", MEMBERS),
        Page("bulletins", "/bulletins/", EVERYONE),
        Page("issues", "/bulletins/bulletin/", EVERYONE),
        Page("issues_internal", "/bulletins/internal/", MEMBERS),
        Page("issue", "/bulletins/bulletin/1/", EVERYONE),
        Page("issue_internal", "/bulletins/internal/1/", MEMBERS),
        Page("issue_new", "/bulletins/bulletin/new/", EDITOR, {"budget_pages": "12"}, EDITOR),
        Page(
            "call_new",
            "/bulletins/bulletin/1/call/",
            EDITOR,
            {"topic": "Another topic", "deadline": "2099-01-01T12:00", "regions": [scene["draft"].section.region_id]},
            EDITOR,
        ),
        Page("issue_status", "/bulletins/bulletin/1/status/", frozenset(), {"status": "assembly"}, EDITOR, True),
        Page("assembly", "/bulletins/bulletin/1/assembly/", EDITOR),
        Page("assemble", "/bulletins/bulletin/1/assembly/assemble/", frozenset(), {}, EDITOR, True),
        Page(
            "place",
            "/bulletins/bulletin/1/assembly/place/",
            frozenset(),
            {"contribution": accepted.pk, "reason": "Urgent."},
            EDITOR,
            True,
        ),
        Page(
            "item_move",
            f"/bulletins/bulletin/1/assembly/items/{placed_item.pk}/move/",
            frozenset(),
            {"position": 1, "reason": "First."},
            frozenset(),  # already first: valid but changes nothing, see test_the_assembly_reorders
            True,
        ),
        Page(
            "item_remove",
            f"/bulletins/bulletin/1/assembly/items/{placed_item.pk}/remove/",
            frozenset(),
            {"reason": "It waits for the next issue."},
            EDITOR,
            True,
        ),
        Page("item_placed", f"/bulletins/bulletin/1/{placed_item.position}/", SECTION_A | EDITOR),
        Page("item_published", f"/bulletins/bulletin/{public_item.issue.number}/{public_item.position}/", EVERYONE),
        Page("item_internal", f"/bulletins/internal/1/{internal_item.position}/", MEMBERS),
    ]


PAGE_NAMES = [
    "dashboard_a",
    "dashboard_b",
    "contribution_new",
    "draft",
    "submitted",
    "published",
    "published_internal",
    "draft_edit",
    "submitted_edit",
    "published_edit",
    "draft_diff",
    "submitted_diff",
    "published_diff",
    "submit_draft",
    "accept_submitted",
    "withdraw_submitted",
    "desk",
    "desk_filtered",
    "open_pages",
    "bulletins",
    "issues",
    "issues_internal",
    "issue",
    "issue_internal",
    "issue_new",
    "call_new",
    "issue_status",
    "assembly",
    "assemble",
    "place",
    "item_move",
    "item_remove",
    "item_placed",
    "item_published",
    "item_internal",
]


def state() -> list[Any]:
    """Everything an editorial page can change, to show that a refused request changed nothing."""
    from liaison.editorial.models import Call

    return [
        list(Contribution.objects.order_by("pk").values_list("title", "state", "version", "body")),
        list(Decision.objects.order_by("pk").values_list("contribution", "to_state")),
        list(Item.objects.order_by("pk").values_list("contribution", "issue", "position")),
        list(Issue.objects.order_by("pk").values_list("periodical", "number", "status")),
        list(Call.objects.order_by("pk").values_list("topic")),
    ]


def _page(scene, published, name):
    return next(page for page in pages(scene, published) if page.name == name)


def test_the_matrix_covers_every_page(scene, published):
    assert [page.name for page in pages(scene, published)] == PAGE_NAMES


@pytest.mark.parametrize("role", ROLES)
def test_get(scene, published, client_as, role):
    # Reading changes nothing, so one scene serves every page for a role.
    client = client_as(role)
    for page in pages(scene, published):
        response = client.get(page.url)
        if page.action:
            assert response.status_code == 405, page.name
        elif role in page.may_get:
            assert response.status_code == 200, (page.name, response.content.decode()[:3000])
        elif role == "anonymous":
            assert response.status_code == 302, page.name
            assert response["Location"].startswith("/accounts/login/?next="), page.name
        else:
            assert response.status_code == 403, page.name


def test_pages_that_are_only_read_refuse_a_post(scene, published, client_as):
    client = client_as("editor")
    for page in pages(scene, published):
        if page.post is None:
            assert client.post(page.url, {}).status_code == 405, page.name


POSTED = [
    "contribution_new",
    "draft_edit",
    "submitted_edit",
    "published_edit",
    "submit_draft",
    "accept_submitted",
    "withdraw_submitted",
    "issue_new",
    "call_new",
    "issue_status",
    "assemble",
    "place",
    "item_move",
    "item_remove",
]


def test_every_page_taking_a_post_is_in_the_post_matrix(scene, published):
    assert [page.name for page in pages(scene, published) if page.post is not None] == POSTED


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", POSTED)
def test_post(scene, published, client_as, name, role):
    page = _page(scene, published, name)
    before = state()
    response = client_as(role).post(page.url, page.post or {})
    if role in page.may_post:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert not response["Location"].startswith("/accounts/login/")
        assert state() != before
        return
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    elif page.name == "item_move" and role == "editor":
        # Moving the only item to where it is: allowed, and nothing changes.
        assert response.status_code == 302
    else:
        assert response.status_code == 403, response.content.decode()[:3000]
    assert state() == before


def test_an_internal_bulletins_item_never_reaches_an_anonymous_visitor(scene, client):
    internal = scene["internal"]
    for url in (f"/contributions/{internal.pk}/", "/bulletins/internal/1/1/", "/bulletins/internal/1/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert internal.title not in response.content.decode()
    assert "Internal Bulletin" not in client.get("/bulletins/").content.decode()


def test_a_draft_is_hidden_from_the_other_section_and_the_editors(scene, client_as):
    draft = scene["draft"]
    for role in ("corr_b", "editor", "translator"):
        assert client_as(role).get(f"/contributions/{draft.pk}/").status_code == 403
        assert draft.title not in client_as(role).get("/sections/beta/dashboard/").content.decode()
    assert draft.title not in client_as("editor").get("/editorial/").content.decode()
    assert draft.title in client_as("member").get("/sections/alpha/dashboard/").content.decode()


def test_an_unpublished_issue_shows_its_contents_to_editors_and_to_the_section_its_own(scene, client_as):
    placed = scene["placed"]
    assert placed.title in client_as("editor").get("/bulletins/bulletin/1/").content.decode()
    assert placed.title in client_as("corr_a").get("/bulletins/bulletin/1/").content.decode()
    for role in ("anonymous", "corr_b", "translator"):
        assert placed.title not in client_as(role).get("/bulletins/bulletin/1/").content.decode()


def test_the_secretariat_without_its_second_factor_is_sent_to_give_it(world, client):
    client.force_login(world.users["editor"])
    response = client.get("/editorial/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")


def test_a_section_holding_the_editorial_delegation_reaches_the_desk(world, client_as):
    import datetime

    from liaison.federation.models import EditorialDelegation

    EditorialDelegation.objects.create(section=world.section_b, start=datetime.date(2020, 1, 1))
    assert client_as("corr_b").get("/editorial/").status_code == 200
    assert client_as("corr_a").get("/editorial/").status_code == 403
