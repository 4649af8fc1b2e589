"""The editorial desk: what waits for the editors, grouped by state, oldest first, filtered by state and section,
in a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from liaison.editorial.models import Decision, State


def test_it_groups_by_state_oldest_first(client_as, issue, make_contribution):
    old = make_contribution(State.SUBMITTED, title="Old one")
    new = make_contribution(State.SUBMITTED, section="b", title="New one")
    Decision.objects.filter(contribution=old).update(created=timezone.now() - datetime.timedelta(days=12))
    make_contribution(State.ACCEPTED, title="Accepted one")
    make_contribution(State.PLACED, section="b", title="Placed one", issue=issue)
    make_contribution(State.DRAFT, title="A draft")
    make_contribution(State.DECLINED, title="Declined one")
    response = client_as("editor").get("/editorial/")
    groups = {group.state: [c.title for c in group.contributions] for group in response.context["groups"]}
    assert groups == {
        State.SUBMITTED: ["Old one", "New one"],
        State.ACCEPTED: ["Accepted one"],
        State.PLACED: ["Placed one"],
    }
    html = response.content.decode()
    assert "1\xa0week, 5\xa0days" in html
    assert "No. 1, item 1" in html
    assert new.section.name in html


def test_it_filters_by_state_and_section(world, client_as, make_contribution):
    make_contribution(State.SUBMITTED, title="Alpha submitted")
    make_contribution(State.RESUBMITTED, section="b", title="Beta resubmitted")
    make_contribution(State.ACCEPTED, section="b", title="Beta accepted")
    client = client_as("editor")
    html = client.get(f"/editorial/?section={world.section_b.pk}").content.decode()
    assert "Beta resubmitted" in html and "Beta accepted" in html and "Alpha submitted" not in html
    html = client.get(f"/editorial/?state=accepted&section={world.section_b.pk}").content.decode()
    assert "Beta accepted" in html and "Beta resubmitted" not in html
    html = client.get(f"/editorial/?state=placed&section={world.section_a.pk}").content.decode()
    assert "Nothing on the desk matches these filters" in html
    # Declined is not on the desk: the filter says so, and everything stays in view.
    response = client.get("/editorial/?state=declined")
    assert response.context["filters"].errors["state"]
    assert "Alpha submitted" in response.content.decode()


def test_an_empty_desk_says_so(world, client_as):
    assert "The desk is clear" in client_as("editor").get("/editorial/").content.decode()


@pytest.mark.parametrize("count", [2, 20])
def test_the_number_of_queries_does_not_grow(client_as, issue, make_contribution, django_assert_num_queries, count):
    states = [State.SUBMITTED, State.RESUBMITTED, State.ACCEPTED, State.PLACED]
    for index in range(count):
        make_contribution(states[index % 4], section="ab"[index % 2], issue=issue, title=f"Text {index}")
    client = client_as("editor")
    client.get("/editorial/")
    with django_assert_num_queries(8):
        response = client.get("/editorial/")
    assert sum(len(group.contributions) for group in response.context["groups"]) == count
