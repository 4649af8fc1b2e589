"""A section's dashboard: its open calls, its contributions by state with their age, its notices; empty states; a
fixed number of queries whatever the number of contributions."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liaison.editorial import services
from liaison.editorial.models import State

STATES = [State.DRAFT, State.SUBMITTED, State.RETURNED, State.ACCEPTED, State.PLACED, State.DECLINED]


def test_it_shows_the_calls_the_contributions_by_state_and_the_notices(client_as, issue, call, make_contribution):
    make_contribution(State.DRAFT, title="Still a draft")
    make_contribution(State.RETURNED, title="Sent back")
    make_contribution(State.SUBMITTED, section="b", title="Beta's text")
    response = client_as("corr_a").get("/sections/alpha/dashboard/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "The coming conference" in html
    assert f"/contributions/new/?section=alpha&amp;call={call.pk}" in html
    assert [group.state for group in response.context["groups"]] == [State.DRAFT, State.RETURNED]
    assert "Still a draft" in html and "Sent back" in html
    assert "Beta's text" not in html
    assert "“Sent back” is now returned. Reason: Please shorten it." in html
    assert "Call for contributions to Bulletin No. 1" in html
    assert "Write a contribution" in html


def test_members_read_it_but_only_correspondents_are_offered_to_write(client_as, issue):
    html = client_as("member").get("/sections/alpha/dashboard/").content.decode()
    assert "The coming conference" in html
    assert "Write a contribution" not in html and "Answer this call" not in html
    assert "Write a contribution" not in client_as("editor").get("/sections/alpha/dashboard/").content.decode()


def test_a_call_to_a_region_reaches_its_sections(world, bulletin, client_as):
    issue = services.create_issue(world.actor("editor"), bulletin, planned_date=None, budget_pages=8)
    services.open_call(
        world.actor("editor"),
        issue,
        topic="Americas only",
        deadline=timezone.now() + datetime.timedelta(days=3),
        regions=[world.americas],
    )
    assert "Americas only" in client_as("corr_b").get("/sections/beta/dashboard/").content.decode()
    assert "Americas only" not in client_as("corr_a").get("/sections/alpha/dashboard/").content.decode()


def test_a_past_deadline_closes_the_call_on_the_dashboard(client_as, call):
    call.deadline = timezone.now() - datetime.timedelta(minutes=1)
    call.save()
    html = client_as("corr_a").get("/sections/alpha/dashboard/").content.decode()
    assert "No call for contributions is open for this section" in html


def test_empty_states_say_what_to_do(world, client_as):
    html = client_as("corr_a").get("/sections/alpha/dashboard/").content.decode()
    assert "No call for contributions is open for this section" in html
    assert "write a contribution of the section's own" in html
    assert "Write the first one" in html
    assert "No notice yet" in html
    assert (
        "Its correspondents write and submit them."
        in client_as("member").get("/sections/alpha/dashboard/").content.decode()
    )


def test_an_unknown_section_is_not_found(world, client_as):
    assert client_as("editor").get("/sections/nowhere/dashboard/").status_code == 404


@pytest.mark.parametrize("count", [2, 20])
def test_the_number_of_queries_does_not_grow_with_the_contributions(client_as, issue, make_contribution, count):
    for index in range(count):
        make_contribution(STATES[index % len(STATES)], section="ab"[index % 2], issue=issue, title=f"Text {index}")
    client = client_as("corr_a")
    client.get("/sections/alpha/dashboard/")
    # 12, and 1 for the conference block (no open conference here: tests/conference/test_dashboard.py pins the rest),
    # 2 for the distribution block (tests/distribution/test_pages.py pins it) and 1 for the exchange block.
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/sections/alpha/dashboard/")
    # Savepoints (an atomic block inside a test's transaction) are PostgreSQL's bookkeeping, not reads of the data.
    reads = [q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    # On PostgreSQL the distribution block's gap report also sets its memory and JIT for its transaction (one
    # statement): 16 on SQLite, 17 there, for 2 and for 20 contributions, where one query per contribution would
    # add 10.
    settings = 1 if connection.vendor == "postgresql" else 0
    assert len(reads) <= 12 + 1 + 2 + 1 + settings, [q["sql"][:80] for q in reads]
    assert sum(len(group.contributions) for group in response.context["groups"]) == count // 2


@pytest.mark.parametrize(
    ("role", "status", "location"),
    [
        ("anonymous", 302, "/accounts/login/?next=/dashboard/"),
        ("member", 302, "/sections/alpha/dashboard/"),
        ("corr_a", 302, "/sections/alpha/dashboard/"),
        ("corr_b", 302, "/sections/beta/dashboard/"),
        ("translator", 200, None),
        ("editor", 302, "/editorial/"),
    ],
)
def test_my_dashboard_leads_each_role_to_its_own(client_as, role, status, location):
    response = client_as(role).get("/dashboard/")
    assert response.status_code == status
    if location:
        assert response["Location"].startswith(location)
    else:
        assert "You hold no role in a section" in response.content.decode()


def test_someone_in_two_sections_chooses(world, client_as):
    from liaison.federation.models import Role

    Role.objects.create(person=world.people["corr_a"], kind="member", section=world.section_b)
    html = client_as("corr_a").get("/dashboard/").content.decode()
    assert "/sections/alpha/dashboard/" in html and "/sections/beta/dashboard/" in html
