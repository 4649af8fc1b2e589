"""Bulletins and their issues: the lists and the audience rule, planning an issue and calling for contributions,
an issue's contents with its citations, its status, the assembly page, and an item's permalink."""

from __future__ import annotations

import re

import pytest

from liaison.editorial import services
from liaison.editorial.models import Item, Notice, State
from liaison.periodicals.models import Issue, IssueStatus, Periodical
from tests.editorial.conftest import open_issue

# About three quarters of a page (375 words), and a page and a quarter (600 words).
THREE_QUARTERS = "word " * 375
LONG = "word " * 600


# Lists -----------------------------------------------------------------------------------------------------------


def test_the_bulletins_hide_an_internal_one_from_the_public(world, bulletin, internal, client_as):
    anonymous = client_as("anonymous").get("/bulletins/").content.decode()
    assert "Bulletin" in anonymous and "Internal Bulletin" not in anonymous
    assert "Internal Bulletin" in client_as("translator").get("/bulletins/").content.decode()


def test_a_sections_own_paper_has_no_bulletin_pages(world, client_as):
    Periodical.objects.create(name="Paper", slug="paper", section=world.section_a, language="fr", frequency="monthly")
    assert client_as("editor").get("/bulletins/paper/").status_code == 404


def test_the_issue_list_shows_each_status(world, bulletin, issue, client_as):
    services.create_issue(world.actor("editor"), bulletin, planned_date=None, budget_pages=8)
    html = client_as("anonymous").get("/bulletins/bulletin/").content.decode()
    assert "Open for contributions" in html and "Planned" in html
    assert "Plan an issue" not in html
    assert "Plan an issue" in client_as("editor").get("/bulletins/bulletin/").content.decode()


def test_an_empty_bulletin_says_what_comes_next(bulletin, client_as):
    assert "Plan the first one" in client_as("editor").get("/bulletins/bulletin/").content.decode()
    assert "The editors plan the issues" in client_as("member").get("/bulletins/bulletin/").content.decode()


# Planning --------------------------------------------------------------------------------------------------------


def test_an_editor_plans_the_next_issue(bulletin, client_as):
    response = client_as("editor").post(
        "/bulletins/bulletin/new/", {"budget_pages": "12", "planned_date": "2031-02-01"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/bulletins/bulletin/1/"
    issue = Issue.objects.get()
    assert (issue.number, issue.budget_pages, issue.status) == (1, 12, IssueStatus.PLANNED)


def test_skipping_a_number_needs_a_reason_next_to_the_field(bulletin, client_as):
    response = client_as("editor").post("/bulletins/bulletin/new/", {"budget_pages": "12", "number": "4"})
    assert response.status_code == 400
    assert "record why" in str(response.context["form"].errors["gap_reason"])
    response = client_as("editor").post("/bulletins/bulletin/new/", {"budget_pages": "0"})
    assert "between 1 and 1000" in str(response.context["form"].errors["budget_pages"])
    assert not Issue.objects.exists()


def test_an_editor_opens_a_call_and_the_sections_are_told(world, bulletin, client_as):
    services.create_issue(world.actor("editor"), bulletin, planned_date=None, budget_pages=8)
    client = client_as("editor")
    page = client.get("/bulletins/bulletin/1/call/")
    assert 'type="datetime-local"' in page.content.decode()
    refused = client.post("/bulletins/bulletin/1/call/", {"topic": "Conference", "deadline": "2001-01-01T10:00"})
    assert refused.status_code == 400
    form = refused.context["form"]
    assert "in the future" in str(form.errors["deadline"]) or "at least one" in str(form.errors["sections"])
    response = client.post(
        "/bulletins/bulletin/1/call/",
        {"topic": "Conference", "deadline": "2099-01-01T10:00", "sections": [world.section_a.pk, world.section_b.pk]},
    )
    assert response.status_code == 302
    assert Notice.objects.filter(kind="call").count() == 2
    assert "2 invited sections were notified" in client.get(response["Location"]).content.decode()


# An issue's page -------------------------------------------------------------------------------------------------


def test_the_contents_show_numbers_titles_signatures_pages_and_citations(world, issue, make_contribution, client_as):
    make_contribution(State.PLACED, title="Первый текст", issue=issue, language="ru")
    make_contribution(State.PLACED, section="b", title="نص ثان", issue=issue, language="ar")
    services.set_issue_status(world.actor("editor"), issue, IssueStatus.ASSEMBLY)
    services.mark_published(world.actor("editor"), issue)
    html = client_as("anonymous").get("/bulletins/bulletin/1/").content.decode()
    assert "Первый текст" in html and "نص ثان" in html
    assert "Bulletin No. 1, item 1" in html and "Bulletin No. 1, item 2" in html
    assert "Section Alpha" in html and "Section Beta" in html
    assert '<th scope="col">' in html and "<caption" in html
    assert "pages used" not in html  # the budget is the editors' business


def test_editors_move_an_issue_through_its_statuses(world, issue, make_contribution, client_as):
    make_contribution(State.PLACED, issue=issue)
    client = client_as("editor")
    page = client.get("/bulletins/bulletin/1/").content.decode()
    assert "0.25 of 16 pages used" in page
    assert "Publish" not in page
    response = client.post("/bulletins/bulletin/1/status/", {"status": "assembly"})
    assert response.status_code == 302
    page = client.get("/bulletins/bulletin/1/").content.decode()
    assert "is now in assembly" in page and "Publish: fix the contents" in page
    response = client.post("/bulletins/bulletin/1/status/", {"status": "planned"})
    assert "cannot become planned" in client.get(response["Location"]).content.decode()
    client.post("/bulletins/bulletin/1/status/", {"status": "publish"})
    issue.refresh_from_db()
    assert issue.status == IssueStatus.PUBLISHED
    assert Item.objects.get().contribution.state == State.PUBLISHED
    assert "its citations are now fixed" in client.get("/bulletins/bulletin/1/").content.decode()


@pytest.mark.parametrize("count", [2, 20])
def test_the_issue_page_has_a_fixed_number_of_queries(
    issue, make_contribution, client_as, django_assert_num_queries, count
):
    for index in range(count):
        make_contribution(State.PLACED, section="ab"[index % 2], issue=issue, title=f"Text {index}")
    # The editor's page also shows the editions: the working languages, the items and all their translations.
    for role, queries in (("editor", 13), ("anonymous", 5)):
        client = client_as(role)
        client.get("/bulletins/bulletin/1/")
        with django_assert_num_queries(queries):
            response = client.get("/bulletins/bulletin/1/")
        assert len(response.context["items"]) == (count if role == "editor" else 0)


# Assembly --------------------------------------------------------------------------------------------------------


@pytest.fixture
def tight(world, bulletin):
    """An issue of one page, with a call to sections A and B."""
    return open_issue(world, bulletin, budget=1)


def test_the_proposal_says_what_would_be_placed_and_deferred_and_why(tight, make_contribution, client_as):
    make_contribution(State.ACCEPTED, title="Alpha's text", body=THREE_QUARTERS, call=tight.calls.get())
    make_contribution(State.ACCEPTED, section="b", title="Beta's text", body=THREE_QUARTERS, call=tight.calls.get())
    response = client_as("editor").get("/bulletins/bulletin/1/assembly/")
    assert [c.title for c in response.context["would_place"]] == ["Alpha's text"]
    html = response.content.decode()
    assert "would place" in html
    assert "would defer (it is longer than the space that was left)" in html


def test_assembling_places_and_defers_with_the_reason_told_to_the_section(
    tight, make_contribution, client_as, world, bulletin
):
    open_issue(world, bulletin)  # No. 2, to move the rest to
    make_contribution(State.ACCEPTED, title="Alpha's text", body=THREE_QUARTERS, call=tight.calls.get())
    make_contribution(State.ACCEPTED, section="b", title="Beta's text", body=THREE_QUARTERS, call=tight.calls.get())
    client = client_as("editor")
    response = client.post("/bulletins/bulletin/1/assembly/assemble/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "1 contribution placed. 1 contribution moved to a later issue" in page
    assert list(Item.objects.values_list("contribution__title", flat=True)) == ["Alpha's text"]
    dashboard = client_as("corr_b").get("/sections/beta/dashboard/").content.decode()
    assert "“Beta&#x27;s text” did not go into issue No. 1: it is longer than the space that was left." in dashboard
    assert "It is moved to issue No. 2." in dashboard


def test_placing_by_hand_past_the_budget_needs_a_reason(tight, make_contribution, client_as):
    contribution = make_contribution(State.ACCEPTED, title="Too long", body=LONG)
    client = client_as("editor")
    response = client.post("/bulletins/bulletin/1/assembly/place/", {"contribution": contribution.pk, "reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "record why" in html
    assert f'id="place-{contribution.pk}-error"' in html
    assert not Item.objects.exists()
    response = client.post(
        "/bulletins/bulletin/1/assembly/place/", {"contribution": contribution.pk, "reason": "The congress needs it."}
    )
    assert response.status_code == 302
    html = client.get("/bulletins/bulletin/1/assembly/").content.decode()
    assert "is placed as item 1" in html
    assert "Editor&#x27;s override: The congress needs it." in html or "Editor's override:" in html
    assert "1.25 of 1 pages used" in html


def test_the_editor_reorders_and_removes_items(issue, make_contribution, client_as):
    titles = ["One", "Two", "Three"]
    for index, title in enumerate(titles):
        make_contribution(State.PLACED, section="ab"[index % 2], title=title, issue=issue)
    client = client_as("editor")
    third = Item.objects.get(contribution__title="Three")
    client.post(f"/bulletins/bulletin/1/assembly/items/{third.pk}/move/", {"position": 2})
    assert list(Item.objects.order_by("position").values_list("contribution__title", flat=True)) == [
        "One",
        "Three",
        "Two",
    ]
    first = Item.objects.get(contribution__title="One")
    refused = client.post(f"/bulletins/bulletin/1/assembly/items/{first.pk}/remove/", {"reason": ""})
    assert refused.status_code == 400
    assert "Give the reason" in refused.content.decode()
    assert Item.objects.count() == 3
    response = client.post(f"/bulletins/bulletin/1/assembly/items/{first.pk}/remove/", {"reason": "Next time."})
    assert response.status_code == 302
    assert list(Item.objects.order_by("position").values_list("contribution__title", "position")) == [
        ("Three", 1),
        ("Two", 2),
    ]
    assert "is out of the issue" in client.get(response["Location"]).content.decode()


def test_an_empty_assembly_says_what_to_do(issue, client_as):
    html = client_as("editor").get("/bulletins/bulletin/1/assembly/").content.decode()
    assert "No accepted contribution is waiting for this issue" in html
    assert "Nothing is placed yet" in html
    assert "No other accepted contribution is waiting" in html


# An item's permalink ---------------------------------------------------------------------------------------------


def test_an_item_shows_its_citation_text_and_who_cites_it(world, issue, make_contribution, client_as):
    cited = make_contribution(State.PLACED, title="The cited text", body="Our *position*.", issue=issue)
    services.set_issue_status(world.actor("editor"), issue, IssueStatus.ASSEMBLY)
    services.mark_published(world.actor("editor"), issue)
    citing = make_contribution(State.SUBMITTED, section="b", title="A reply", body="As said in [[bulletin/1/1]].")
    editor = client_as("editor").get("/bulletins/bulletin/1/1/").content.decode()
    assert "Cite as: <strong>Bulletin No. 1, item 1</strong>" in editor
    assert "Our <em>position</em>." in editor
    assert f'href="/contributions/{citing.pk}/"' in editor and "A reply" in editor
    public = client_as("anonymous").get("/bulletins/bulletin/1/1/").content.decode()
    assert "The cited text" in public
    assert "A reply" not in public  # not published yet: not the public's to see
    assert "No contribution cites this item yet" in public
    page = client_as("corr_b").get(f"/contributions/{citing.pk}/").content.decode()
    assert re.search(r'<a class="citation" href="/bulletins/bulletin/1/1/"[^>]*>Bulletin No. 1, item 1</a>', page)
    assert cited.title in client_as("corr_a").get(f"/contributions/{cited.pk}/").content.decode()


def test_an_item_not_yet_published_is_marked_so(issue, make_contribution, client_as):
    make_contribution(State.PLACED, issue=issue)
    html = client_as("corr_a").get("/bulletins/bulletin/1/1/").content.decode()
    assert "Not published yet" in html


def test_an_unknown_item_is_not_found(issue, client_as):
    assert client_as("editor").get("/bulletins/bulletin/1/7/").status_code == 404
    assert client_as("editor").get("/bulletins/bulletin/9/").status_code == 404
