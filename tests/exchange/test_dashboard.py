"""The exchange block of a section's dashboard: late and missing issues on both sides, in a fixed number of
queries whatever the papers, partners, issues, receipts and claims."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from liaison.federation.access import Actor
from liaison.federation.models import Section
from tests.exchange.conftest import grow

D = datetime.date
HEADING = "Exchange of papers"


def dashboard(client: Any, slug: str) -> str:
    response = client.get(f"/sections/{slug}/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


def block(section: Section, actor: Actor) -> str:
    request = RequestFactory().get("/")
    context = Context({"section": section, "actor": actor, "request": request, "csrf_token": "token"})
    return Template("{% load exchange %}{% exchange_dashboard section %}").render(context)


@pytest.fixture
def late_and_missing(world, partnership, register, arrive):
    """No. 1 arrived at B, No. 2 did not; No. 3, due around 10 April, was never registered."""
    arrive(register(1, D(2025, 2, 10)))
    register(2, D(2025, 3, 10))


def test_the_receiving_section_sees_the_late_and_the_missing_issues(world, late_and_missing, client_as) -> None:
    page = dashboard(client_as("corr_b"), "beta")
    assert HEADING in page and "Papers we receive" in page
    assert (
        "No. 3 was expected around April 10, 2025 and its section has not registered it: late since April 26, 2025."
        in page
    )
    assert "1 missing" in page
    assert 'action="/exchange/papers/voix/issues/2/arrived/"' in page
    assert "Claim the missing issues" in page and 'name="issues" value="2"' in page


def test_the_papers_section_sees_its_paper_late_and_its_partner_missing_an_issue(
    world, late_and_missing, client_as
) -> None:
    page = dashboard(client_as("corr_a"), "alpha")
    assert "No. 3 was expected around April 10, 2025: late since April 26, 2025." in page
    assert "Register an issue" in page and "Exchange partners" in page
    assert '<span class="badge state-declined">2</span>' in page  # No. 2 is missing at section B


def test_a_member_sees_the_block_without_the_buttons(world, late_and_missing, client_as) -> None:
    page = dashboard(client_as("member"), "alpha")
    assert "late since April 26, 2025" in page
    assert "Register an issue" not in page


def test_the_secretariat_sees_both_blocks_without_the_buttons(world, late_and_missing, client_as) -> None:
    client = client_as("editor")
    beta = dashboard(client, "beta")
    assert "1 missing" in beta and "Claim the missing issues" not in beta and "arrived/" not in beta
    assert "Register an issue" not in dashboard(client, "alpha")


def test_a_section_without_paper_is_invited_to_add_it(world, client_as) -> None:
    page = dashboard(client_as("corr_b"), "beta")
    assert "Your section's paper is not registered in Liaison." in page
    assert "/exchange/sections/beta/paper/new/" in page
    assert "/exchange/sections/beta/paper/new/" not in dashboard(client_as("editor"), "beta")


def test_an_empty_section_costs_one_query(world, django_assert_num_queries) -> None:
    actor = world.actor("corr_b")
    with django_assert_num_queries(1):
        block(world.section_b, actor)


@pytest.mark.parametrize("section", ["alpha", "beta"])
def test_the_block_costs_the_same_queries_whatever_the_data(world, paper, partnership, section: str) -> None:
    target = world.section_a if section == "alpha" else world.section_b
    role = "corr_a" if section == "alpha" else "corr_b"
    actor = world.actor(role)
    grow(world, paper, 1)
    with CaptureQueriesContext(connection) as small:
        small_html = block(target, actor)
    grow(world, paper, 6)
    with CaptureQueriesContext(connection) as large:
        large_html = block(target, actor)
    assert len(small.captured_queries) == len(large.captured_queries) == 5
    assert len(large_html) > len(small_html)


def test_the_dashboard_page_costs_the_same_queries_whatever_the_data(world, paper, partnership, client_as) -> None:
    client = client_as("corr_b")
    grow(world, paper, 1)
    dashboard(client, "beta")
    with CaptureQueriesContext(connection) as small:
        dashboard(client, "beta")
    grow(world, paper, 5)
    with CaptureQueriesContext(connection) as large:
        page = dashboard(client, "beta")
    assert shapes(small.captured_queries) == shapes(large.captured_queries)
    assert "Paper 6" in page


def shapes(queries: list[dict[str, Any]]) -> list[str]:
    # Savepoint names (PostgreSQL's atomic blocks) differ between two runs of the same statements.
    return [re.sub(r'"s\d+_x\d+"', '"savepoint"', q["sql"])[:60] for q in queries]
