"""Who may call what on the distribution endpoints: every operation against every role, by token, on one scene.

A subscriber (or claim) the caller may not see answers 404, the same as one that does not exist; one the caller sees
but may not act for answers 403; a call without a token 401. A refused call changes nothing. ``MATRIX`` is also read
by ``tests/api/test_permissions.py``, which checks that the matrices of all parts cover every endpoint.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.distribution import services
from liaison.distribution.models import Claim, ClaimItem, Dispatch, Receipt, Subscriber, Subscription
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import API, paper_issue, post_json, publish, subscription

ROLES = ("anonymous", "norole", "member", "corr_a", "corr_b", "translator", "editor")
D = datetime.date


def by_role(
    ok: int, who: tuple[str, ...], *, others: int = 404, anonymous: int = 401, **special: int
) -> dict[str, int]:
    found = {role: (ok if role in who else others) for role in ROLES}
    return {**found, "anonymous": anonymous, **special}


ACCOUNTS = by_role(200, ROLES)
SECRETARIAT_READ = by_role(200, ("editor",), others=403)
SECTION_A = ("member", "corr_a", "editor")  # who sees section A's record
ACT_FOR_A = {"member": 403}  # members see their section's record, its correspondents act for it

# (method, path as in the schema, path as called, body, expected status by role)
MATRIX: list[tuple[str, str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("get", "/distribution/subscribers", "/distribution/subscribers", None, ACCOUNTS),
    (
        "get",
        "/distribution/subscribers/{subscriber_id}",
        "/distribution/subscribers/{a}",
        None,
        by_role(200, SECTION_A),
    ),
    ("get", "/distribution/subscriptions", "/distribution/subscriptions", None, ACCOUNTS),
    (
        "get",
        "/distribution/subscribers/{subscriber_id}/dispatches",
        "/distribution/subscribers/{a}/dispatches",
        None,
        by_role(200, SECTION_A),
    ),
    (
        "get",
        "/distribution/subscribers/{subscriber_id}/receipts",
        "/distribution/subscribers/{a}/receipts",
        None,
        by_role(200, SECTION_A),
    ),
    (
        "get",
        "/distribution/subscribers/{subscriber_id}/gaps",
        "/distribution/subscribers/{a}/gaps",
        None,
        by_role(200, SECTION_A),
    ),
    ("get", "/distribution/gaps", "/distribution/gaps", None, SECRETARIAT_READ),
    (
        "get",
        "/distribution/periodicals/{slug}/issues/{number}/dispatches",
        "/distribution/periodicals/bulletin/issues/1/dispatches",
        None,
        SECRETARIAT_READ,
    ),
    ("get", "/distribution/claims", "/distribution/claims", None, ACCOUNTS),
    (
        "post",
        "/distribution/subscribe",
        "/distribution/subscribe",
        {"periodical": "bulletin", "email": "new.reader@example.org", "language": "fr", "formats": ["pdf"]},
        {**{role: 202 for role in ROLES}, "anonymous": 401},
    ),
    (
        "post",
        "/distribution/subscriptions",
        "/distribution/subscriptions",
        {"subscriber": "{a}", "periodical": "bulletin", "language": "de", "channel": "post"},
        by_role(201, ("corr_a", "editor"), others=403),
    ),
    (
        "post",
        "/distribution/subscribers",
        "/distribution/subscribers",
        {"kind": "section", "section": "beta", "postal_address": "Calle Mayor 1\nMadrid"},
        # A section's correspondents record their own section; the secretariat any.
        by_role(201, ("corr_b", "editor"), others=403),
    ),
    (
        "patch",
        "/distribution/subscribers/{subscriber_id}",
        "/distribution/subscribers/{a}",
        {"postal_address": "1 rue de la Paix\n75002 Paris"},
        by_role(200, ("corr_a", "editor"), **ACT_FOR_A),
    ),
    (
        "post",
        "/distribution/subscriptions/{subscription_id}/resume",
        "/distribution/subscriptions/{paused}/resume",
        {},
        by_role(200, ("corr_a", "editor"), **ACT_FOR_A),
    ),
    (
        "post",
        "/distribution/subscriptions/{subscription_id}/end",
        "/distribution/subscriptions/{post}/end",
        {},
        by_role(200, ("corr_a", "editor"), **ACT_FOR_A),
    ),
    (
        "post",
        "/distribution/subscribers/{subscriber_id}/receipts",
        "/distribution/subscribers/{a}/receipts",
        {"periodical": "bulletin", "number": 1, "language": "en", "how": "post"},
        by_role(201, ("corr_a", "editor"), **ACT_FOR_A),
    ),
    (
        "post",
        "/distribution/claims",
        "/distribution/claims",
        {"subscriber": "{a}", "items": [{"subscription": "{post}", "number": 2}]},
        by_role(201, ("corr_a", "editor"), **ACT_FOR_A),
    ),
    (
        "post",
        "/distribution/claims/{claim_id}/answer",
        "/distribution/claims/{claim}/answer",
        {},
        # A claim for the bulletin: the secretariat answers; section A's people see it but may not answer.
        by_role(200, ("editor",), member=403, corr_a=403),
    ),
    (
        "post",
        "/distribution/claims/{claim_id}/refuse",
        "/distribution/claims/{claim}/refuse",
        {"reason": "Épuisé"},
        by_role(200, ("editor",), member=403, corr_a=403),
    ),
]


def rows() -> tuple[object, ...]:
    return (
        sorted((s.pk, s.email, s.postal_address, s.language, s.name) for s in Subscriber.objects.all()),
        Subscription.objects.count(),
        Subscription.objects.filter(state="ended").count(),
        Subscription.objects.filter(state="paused").count(),
        Receipt.objects.count(),
        Claim.objects.count(),
        ClaimItem.objects.count(),
        Claim.objects.filter(state="open").count(),
        Dispatch.objects.filter(kind="back_issue").count(),
    )


@pytest.fixture
def ids(world: World, bulletin: Periodical, paper: Periodical, section_a: Any, member_sub: Any) -> dict[str, int]:
    post = subscription(section_a, bulletin, channel="post", started_on=D(2024, 1, 1))
    subscription(member_sub, bulletin, started_on=D(2024, 1, 1))
    paused = subscription(section_a, bulletin, "fr", started_on=D(2024, 1, 1), state="paused")
    for n in (1, 2, 3):
        services.create_dispatches(publish(bulletin, n, "en", D(2024, n + 1, 1)))
    paper_issue(paper, 1, D(2024, 2, 10))
    claim = services.claim(world.actor("corr_a"), section_a, [(post.pk, bulletin.issues.get(number=3).pk)])
    return {"a": section_a.pk, "post": post.pk, "claim": claim.pk, "paused": paused.pk}


def fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "template", "path", "body", "expected"), MATRIX, ids=lambda v: str(v)[:50])
def test_permission_matrix(
    api_as: Callable[[str], Client],
    ids: dict[str, int],
    role: str,
    method: str,
    template: str,
    path: str,
    body: dict[str, Any] | None,
    expected: dict[str, int],
) -> None:
    client = api_as(role)
    path = path.format(**ids)
    before = rows()
    if method == "get":
        response = client.get(f"{API}{path}")
    elif method == "patch":
        response = client.patch(f"{API}{path}", fill(body or {}, ids), content_type="application/json")
    else:
        response = post_json(client, path, fill(body or {}, ids))
    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert response.json()["detail"]
        assert rows() == before
