"""The post page (address list, labels, "mark posted") and the progress of a distribution on the issue page: who
sees them, what they show, what the action changes, and queries that do not grow with the subscribers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from liaison.distribution import sending, services
from liaison.distribution.models import (
    Dispatch,
    DispatchState,
    Subscriber,
    SubscriberKind,
    SubscriptionChannel,
)
from liaison.periodicals.models import Periodical
from liaison.publishing.models import Edition
from tests.conftest import World
from tests.distribution.conftest import paper_issue, reader, subscription
from tests.distribution.sending_helpers import readers
from tests.publishing.fixtures_core import issue, published, published_dir, renderers

__all__ = ["issue", "published", "published_dir", "renderers"]

POST = "/distribution/post/bulletin/1/"
MARK = "/distribution/post/bulletin/1/mark/"
PROGRESS = "/distribution/post/bulletin/1/progress/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def by_post(periodical: Periodical, subscriber: Subscriber, address: str, language: str = "fr") -> None:
    subscriber.postal_address = address
    subscriber.save()
    subscription(subscriber, periodical, language, channel=SubscriptionChannel.POST, formats=[])


@pytest.fixture
def posted_to(world: World, published: Edition) -> Edition:
    """The French edition, dispatched by post to section A, a member (by their person) and a library; and by email
    to two readers."""
    periodical = published.issue.periodical
    by_post(periodical, services.subscriber_for_section(world.section_a), "Section Alpha\n12 rue de la Paix\nParis")
    by_post(periodical, services.subscriber_for_person(world.people["member"]), "3 Hidden Street\nLyon")
    library = Subscriber.objects.create(kind=SubscriberKind.ORGANISATION, name="Библиотека 図書館 مكتبة", language="fr")
    by_post(periodical, library, "مكتبة\n1 شارع\nالقاهرة")
    readers(periodical, 2)
    services.create_dispatches(published)
    return published


def post_dispatches() -> list[Dispatch]:
    return list(Dispatch.objects.filter(subscription__channel=SubscriptionChannel.POST).order_by("pk"))


# The post page ------------------------------------------------------------------------------------------------------


def test_the_secretariat_gets_the_address_list_and_the_labels(
    posted_to: Edition, client_as: Callable[[str], Client]
) -> None:
    response = client_as("editor").get(POST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 copies to post." in page
    for text in (
        "Section Alpha",
        "12 rue de la Paix",
        "Marcel Hidden",
        "3 Hidden Street",
        "Библиотека 図書館 مكتبة",
        "القاهرة",
    ):
        assert page.count(text) >= 2, text  # in the list and on a label
    assert page.count('class="post-label"') == 3
    assert page.count('name="dispatches"') == 3
    assert "reader0@example.org" not in page  # email dispatches are not posted
    assert "distribution/post.css" in page


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("corr_a", 403), ("corr_b", 403), ("translator", 403)])
def test_only_those_who_post_the_periodical_see_its_addresses(
    posted_to: Edition, client_as: Callable[[str], Client], role: str, status: int
) -> None:
    response = client_as(role).get(POST)
    assert response.status_code == status
    assert b"Hidden Street" not in response.content


def test_an_anonymous_visitor_is_asked_to_log_in(posted_to: Edition, client_as: Callable[[str], Client]) -> None:
    for url in (POST, PROGRESS):
        response = client_as("anonymous").get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    response = client_as("anonymous").post(MARK, {"dispatches": [d.pk for d in post_dispatches()]})
    assert response.status_code == 302
    assert {d.state for d in post_dispatches()} == {DispatchState.PENDING}


def test_an_unknown_issue_is_not_found(posted_to: Edition, client_as: Callable[[str], Client]) -> None:
    assert client_as("editor").get("/distribution/post/bulletin/7/").status_code == 404
    assert client_as("editor").get("/distribution/post/nothing/1/progress/").status_code == 404


def test_a_section_posts_its_own_paper(world: World, paper: Periodical, client_as: Callable[[str], Client]) -> None:
    issue = paper_issue(paper, 4, world.federation.founded.replace(year=2024))
    library = reader("lib@example.org", "es")
    by_post(paper, library, "Biblioteca\nSão Paulo", "es")
    dispatch = Dispatch.objects.create(
        subscription=library.subscriptions.get(), issue=issue, language="es", next_attempt_at=issue.published_at
    )
    url = f"/distribution/post/{paper.slug}/4/"
    assert client_as("corr_b").get(url).status_code == 200
    assert client_as("corr_a").get(url).status_code == 403
    response = client_as("corr_b").post(url + "mark/", {"dispatches": [dispatch.pk]})
    assert response.status_code == 302
    dispatch.refresh_from_db()
    assert dispatch.state == DispatchState.POSTED


def test_the_page_costs_the_same_queries_whatever_the_number_of_copies(
    world: World, published: Edition, client_as: Callable[[str], Client], django_assert_max_num_queries: Any
) -> None:
    client = client_as("editor")
    periodical = published.issue.periodical
    counts = []
    for n in (2, 12):
        for i in range(n - len(post_dispatches())):
            by_post(periodical, reader(f"post{n}-{i}@example.org", "fr"), f"{i} Main Street\nTown")
        services.create_dispatches(published)
        with django_assert_max_num_queries(12) as captured:
            assert client.get(POST).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_secretariat_marks_the_ticked_copies_posted(
    posted_to: Edition, world: World, client_as: Callable[[str], Client]
) -> None:
    first, second, _third = post_dispatches()
    response = client_as("editor").post(MARK, {"dispatches": [first.pk, second.pk]}, follow=True)
    assert response.status_code == 200
    assert "2 dispatches marked posted." in response.content.decode()
    first.refresh_from_db()
    assert (first.state, first.posted_by) == (DispatchState.POSTED, world.users["editor"])
    assert first.sent_at is not None
    assert [d.state for d in post_dispatches()] == [DispatchState.POSTED, DispatchState.POSTED, DispatchState.PENDING]
    page = client_as("editor").get(POST).content.decode()
    assert "1 copy to post." in page


@pytest.mark.parametrize("role", ["member", "corr_a", "corr_b"])
def test_nobody_else_marks_copies_posted(posted_to: Edition, client_as: Callable[[str], Client], role: str) -> None:
    response = client_as(role).post(MARK, {"dispatches": [d.pk for d in post_dispatches()]})
    assert response.status_code == 403
    assert {d.state for d in post_dispatches()} == {DispatchState.PENDING}


def test_marking_posted_is_a_post(posted_to: Edition, client_as: Callable[[str], Client]) -> None:
    assert client_as("editor").get(MARK).status_code == 405
    assert {d.state for d in post_dispatches()} == {DispatchState.PENDING}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose the dispatches that were posted."),
        ({"dispatches": ["x"]}, "The form was altered"),
        ("email", "Only dispatches by post are marked posted."),
        ("other issue", "Some of these dispatches are not of this issue."),
    ],
)
def test_a_bad_request_to_mark_posted_changes_nothing(
    posted_to: Edition, world: World, client_as: Callable[[str], Client], data: Any, message: str
) -> None:
    if data == "email":
        email = Dispatch.objects.filter(subscription__channel=SubscriptionChannel.EMAIL).first()
        assert email is not None
        data = {"dispatches": [post_dispatches()[0].pk, email.pk]}
    elif data == "other issue":
        other = paper_issue(
            Periodical.objects.create(name="P", slug="p", language="fr", frequency="monthly"),
            1,
            world.federation.founded,
        )
        stray = Dispatch.objects.create(subscription=post_dispatches()[0].subscription, issue=other, language="fr")
        data = {"dispatches": [post_dispatches()[0].pk, stray.pk]}
    response = client_as("editor").post(MARK, data, follow=True)
    assert message in response.content.decode()
    assert not Dispatch.objects.filter(state=DispatchState.POSTED).exists()


def test_nothing_to_post_says_so(published: Edition, client_as: Callable[[str], Client]) -> None:
    page = client_as("editor").get(POST).content.decode()
    assert "Nothing is waiting to be posted for this issue." in page


# Progress ----------------------------------------------------------------------------------------------------------


def test_the_progress_counts_each_state_and_polls_while_mail_is_on_its_way(
    posted_to: Edition, client_as: Callable[[str], Client]
) -> None:
    client = client_as("editor")
    fragment = client.get(PROGRESS, **HTMX).content.decode()
    assert 'hx-trigger="every 3s"' in fragment
    assert "By email: 2 dispatches" in fragment
    assert "By post: 3 to post, 0 posted." in fragment
    assert "<html" not in fragment

    sending.send_due()
    fragment = client.get(PROGRESS, **HTMX).content.decode()
    assert "every 3s" not in fragment
    assert 'value="100"' in fragment
    assert "<dt>Sent</dt><dd>2</dd>" in fragment
    # Without HTMX: a page of its own.
    page = client.get(PROGRESS).content.decode()
    assert "<html" in page and "<dt>Sent</dt><dd>2</dd>" in page


def test_the_progress_of_an_issue_not_dispatched_says_what_comes(
    published: Edition, client_as: Callable[[str], Client]
) -> None:
    fragment = client_as("editor").get(PROGRESS, **HTMX).content.decode()
    assert "Nothing is dispatched for this issue yet" in fragment


@pytest.mark.parametrize("role", ["member", "corr_a", "corr_b", "translator"])
def test_only_editors_follow_the_progress(posted_to: Edition, client_as: Callable[[str], Client], role: str) -> None:
    assert client_as(role).get(PROGRESS, **HTMX).status_code == 403


def test_the_issue_page_loads_the_progress_for_editors_only(
    posted_to: Edition, client_as: Callable[[str], Client]
) -> None:
    url = reverse("editorial:issue", args=["bulletin", 1])
    page = client_as("editor").get(url).content.decode()
    assert f'hx-get="{PROGRESS}" hx-trigger="load"' in page
    for role in ("anonymous", "member", "corr_a"):
        assert PROGRESS not in client_as(role).get(url).content.decode()


def test_the_progress_costs_the_same_queries_whatever_the_number_of_dispatches(
    published: Edition, client_as: Callable[[str], Client], django_assert_max_num_queries: Any
) -> None:
    client = client_as("editor")
    counts = []
    for n in (2, 20):
        readers(published.issue.periodical, n, prefix=f"p{n}-")
        services.create_dispatches(published)
        with django_assert_max_num_queries(10) as captured:
            assert client.get(PROGRESS, **HTMX).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
