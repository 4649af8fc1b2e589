"""The open-pages report: per section, what it submitted and what became of it, for every member to read, in a
fixed number of queries whatever the number of sections and contributions."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from liaison.editorial import services
from liaison.editorial.models import Contribution, State
from tests.federation.conftest import make_section


def row_of(response, name):
    return next(row for row in response.context["rows"] if row.section.name == name)


def test_it_counts_per_section(world, issue, make_contribution, client_as):
    waiting = make_contribution(State.RESUBMITTED, title="Sent back once")
    services.transition(world.actor("editor"), waiting, State.ACCEPTED)
    Contribution.objects.filter(pk=waiting.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=9))
    make_contribution(State.DECLINED)
    make_contribution(State.DRAFT)
    make_contribution(State.WITHDRAWN)
    make_contribution(State.RETURNED)
    response = client_as("member").get("/editorial/open-pages/")
    alpha = row_of(response, "Section Alpha")
    assert (alpha.submitted, alpha.accepted, alpha.published, alpha.waiting) == (4, 1, 0, 1)
    assert (alpha.returned, alpha.declined, alpha.withdrawn) == (2, 1, 1)
    assert alpha.waiting_since is not None and (timezone.now() - alpha.waiting_since).days == 9
    html = response.content.decode()
    assert "1\xa0week, 2\xa0days" in html
    beta = row_of(response, "Section Beta")
    assert beta.submitted == 0
    assert "(nothing submitted yet)" in html
    assert "<caption>" in html and '<th scope="row">' in html


def test_it_can_be_narrowed_to_one_bulletin(world, internal, make_contribution, client_as):
    make_contribution(State.SUBMITTED)
    make_contribution(State.SUBMITTED, periodical=internal)
    client = client_as("corr_b")
    assert row_of(client.get("/editorial/open-pages/"), "Section Alpha").submitted == 2
    narrowed = client.get(f"/editorial/open-pages/?bulletin={internal.pk}")
    assert row_of(narrowed, "Section Alpha").submitted == 1
    assert "Contributions to Internal Bulletin, by section" in narrowed.content.decode()


@pytest.mark.parametrize("count", [2, 20])
def test_one_query_per_aggregate_not_per_section(
    world, issue, make_contribution, client_as, count, django_assert_num_queries
):
    states = [State.SUBMITTED, State.RETURNED, State.ACCEPTED, State.DECLINED, State.PLACED]
    for index in range(count):
        make_section(f"Section {index}", world.europe)
        make_contribution(states[index % len(states)], section="ab"[index % 2], issue=issue, title=f"Text {index}")
    client = client_as("member")
    client.get("/editorial/open-pages/")
    with django_assert_num_queries(11):
        response = client.get("/editorial/open-pages/")
    assert len(response.context["rows"]) == count + 2
    assert sum(row.submitted for row in response.context["rows"]) == count
