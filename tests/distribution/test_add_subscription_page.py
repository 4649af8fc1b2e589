"""The form "Add a subscription" on a subscriber's page (``services.add_subscription``): a subscription active at
once, refusals next to their field with nothing changed, who is offered the form and who may post it, and what it
costs the page in queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from liaison.distribution import services, views
from liaison.distribution.models import Subscriber, Subscription, SubscriptionChannel, SubscriptionState
from liaison.periodicals.models import Frequency, Periodical
from tests.conftest import World
from tests.distribution.conftest import data_queries, subscription

D = datetime.date
ClientAs = Callable[[str], Client]
FORM_HEADING = "Add a subscription"
PAGE_QUERIES = 10


def page_url(subscriber: Subscriber) -> str:
    return f"/distribution/subscribers/{subscriber.pk}/"


def add_url(subscriber: Subscriber) -> str:
    return f"/distribution/subscribers/{subscriber.pk}/subscriptions/"


def snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        (s.pk, s.subscriber_id, s.periodical_id, s.language, s.channel, s.state, s.started_on, tuple(s.formats))
        for s in Subscription.objects.all()
    )


def content(answer: Any) -> str:
    return str(answer.content.decode())


# Happy paths --------------------------------------------------------------------------------------------------------


def test_the_secretariat_adds_an_email_subscription(
    client_as: ClientAs, world: World, bulletin: Periodical, org: Subscriber
) -> None:
    client = client_as("editor")
    answer = client.post(
        add_url(org), {"periodical": bulletin.pk, "language": "ru", "formats": ["pdf", "epub"], "channel": "email"}
    )
    assert answer.status_code == 302 and answer["Location"] == page_url(org)
    made = Subscription.objects.get(subscriber=org)
    assert (made.periodical, made.language, made.channel, made.state, made.formats) == (
        bulletin,
        "ru",
        SubscriptionChannel.EMAIL,
        SubscriptionState.ACTIVE,
        ["pdf", "epub"],
    )
    assert made.started_on == services.today() and made.created_by == world.users["editor"]
    shown = content(client.get(page_url(org)))
    assert "Библиотека 図書館 مكتبة now receives Bulletin in Russian by email." in shown


def test_a_correspondent_adds_a_paper_by_post_for_their_section(
    client_as: ClientAs, world: World, paper: Periodical, section_a: Subscriber
) -> None:
    client = client_as("corr_a")
    answer = client.post(
        add_url(section_a),
        {"periodical": paper.pk, "language": "es", "channel": "post", "started_on": "2024-03-01"},
        follow=True,
    )
    assert answer.redirect_chain == [(page_url(section_a), 302)]
    made = Subscription.objects.get(subscriber=section_a)
    assert (made.periodical, made.channel, made.started_on, made.formats) == (paper, "post", D(2024, 3, 1), [])
    assert made.created_by == world.users["corr_a"]
    assert "now receives Voz Beta" in content(answer)


# Refusals: next to their field, nothing changed ---------------------------------------------------------------------


def _refused(client: Client, subscriber: Subscriber, data: dict[str, Any], field: str, words: str) -> None:
    before = snapshot()
    answer = client.post(add_url(subscriber), data)
    assert answer.status_code == 400
    errors = answer.context["add_form"].errors
    assert field in errors, errors
    assert words in " ".join(errors[field])
    assert words in content(answer)
    assert snapshot() == before


def test_already_subscribed_is_refused(
    client_as: ClientAs, world: World, bulletin: Periodical, org: Subscriber
) -> None:
    subscription(org, bulletin, "ru", started_on=D(2024, 1, 1))
    data = {"periodical": bulletin.pk, "language": "ru", "formats": ["pdf"], "channel": "email"}
    _refused(client_as("editor"), org, data, "periodical", "already receives Bulletin")


def test_a_language_the_periodical_does_not_come_out_in_is_refused(
    client_as: ClientAs, world: World, paper: Periodical, section_a: Subscriber
) -> None:
    # Spanish is the paper's language: French is offered (a bulletin comes out in it), but not for this paper.
    data = {"periodical": paper.pk, "language": "fr", "channel": "post"}
    _refused(client_as("corr_a"), section_a, data, "language", "does not come out in")


def test_post_without_a_postal_address_is_refused(
    client_as: ClientAs, world: World, bulletin: Periodical, org: Subscriber
) -> None:
    data = {"periodical": bulletin.pk, "language": "en", "channel": "post"}
    _refused(client_as("editor"), org, data, "channel", "no postal address")


def test_email_without_an_address_or_a_format_is_refused(
    client_as: ClientAs, world: World, bulletin: Periodical, section_a: Subscriber, org: Subscriber
) -> None:
    client = client_as("editor")
    data = {"periodical": bulletin.pk, "language": "en", "formats": ["pdf"], "channel": "email"}
    _refused(client, section_a, data, "channel", "no email address")
    _refused(client, org, {**data, "formats": []}, "formats", "at least one format")


def test_a_start_in_the_future_is_refused(
    client_as: ClientAs, world: World, bulletin: Periodical, org: Subscriber
) -> None:
    later = services.today() + datetime.timedelta(days=3)
    data = {"periodical": bulletin.pk, "language": "en", "formats": ["web"], "channel": "feed"}
    _refused(client_as("editor"), org, {**data, "started_on": later.isoformat()}, "started_on", "future")


def test_an_internal_bulletin_is_not_offered_to_an_organisation(
    client_as: ClientAs, world: World, internal: Periodical, bulletin: Periodical, org: Subscriber
) -> None:
    form = client_as("editor").get(page_url(org)).context["add_form"]
    offered = [value for value, _label in form.fields["periodical"].choices if value]
    assert offered == [bulletin.pk]
    data = {"periodical": internal.pk, "language": "en", "formats": ["pdf"], "channel": "email"}
    _refused(client_as("editor"), org, data, "periodical", "Select a valid choice")


def test_a_section_is_offered_every_periodical_and_their_languages(
    client_as: ClientAs,
    world: World,
    bulletin: Periodical,
    internal: Periodical,
    paper: Periodical,
    section_a: Subscriber,
) -> None:
    form = client_as("corr_a").get(page_url(section_a)).context["add_form"]
    labels = dict(form.fields["periodical"].choices)
    assert set(labels) == {"", bulletin.pk, internal.pk, paper.pk}
    assert labels[paper.pk] == "Voz Beta (paper of Section Beta)"
    assert [code for code, _label in form.fields["language"].choices] == ["en", "fr", "de", "ru", "es"]


# Who is offered the form, who may post it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "page", "post"),
    [
        ("anonymous", 302, 302),
        ("member", 200, 403),  # sees the section's page, without the form
        ("corr_a", 200, 302),
        ("corr_b", 404, 404),  # another section's page is not theirs to see
        ("translator", 404, 404),
        ("editor", 200, 302),
    ],
)
def test_who_adds_on_a_sections_page(
    client_as: ClientAs,
    world: World,
    bulletin: Periodical,
    section_a: Subscriber,
    role: str,
    page: int,
    post: int,
) -> None:
    client = client_as(role)
    shown = client.get(page_url(section_a))
    assert shown.status_code == page
    if page == 200:
        assert (FORM_HEADING in content(shown)) is (role in ("corr_a", "editor"))
    elif page == 302:
        assert shown["Location"].startswith("/accounts/login/")
    before = snapshot()
    answer = client.post(add_url(section_a), {"periodical": bulletin.pk, "language": "en", "channel": "feed"})
    assert answer.status_code == post
    if role == "anonymous":
        assert answer["Location"].startswith("/accounts/login/")
        assert snapshot() == before
    elif post == 302:
        assert answer["Location"] == page_url(section_a)
        assert Subscription.objects.filter(subscriber=section_a, channel="feed").count() == 1
    else:
        assert snapshot() == before


@pytest.mark.parametrize("role", ["member", "corr_a"])
def test_a_person_does_not_add_to_their_own_page(
    client_as: ClientAs, world: World, bulletin: Periodical, member_sub: Subscriber, role: str
) -> None:
    # The member sees their own page; a correspondent of their section does not see a person's page at all.
    client = client_as(role)
    shown = client.get(page_url(member_sub))
    answer = client.post(add_url(member_sub), {"periodical": bulletin.pk, "language": "en", "channel": "feed"})
    if role == "member":
        assert shown.status_code == 200 and FORM_HEADING not in content(shown)
        assert answer.status_code == 403
    else:
        assert shown.status_code == answer.status_code == 404
    assert not Subscription.objects.exists()


def test_the_page_is_only_read(client_as: ClientAs, world: World, section_a: Subscriber) -> None:
    assert client_as("editor").get(add_url(section_a)).status_code == 405


# Queries ------------------------------------------------------------------------------------------------------------


def test_the_form_costs_two_queries_whatever_the_number_of_periodicals(
    client_as: ClientAs,
    world: World,
    bulletin: Periodical,
    paper: Periodical,
    section_a: Subscriber,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    client = client_as("editor")
    url = page_url(section_a)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n, name in enumerate(("Бюллетень", "会報", "نشرة"), start=1):
        made = Periodical.objects.create(name=name, slug=f"p{n}", language="en", frequency=Frequency.MONTHLY)
        subscription(section_a, made, started_on=D(2024, 1, 1))
    subscription(section_a, paper, "es", channel=SubscriptionChannel.POST, started_on=D(2024, 1, 1))
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert len(data_queries(small)) == len(data_queries(large))
    assert all(name in content(page) for name in ("Бюллетень", "会報", "نشرة"))
    # Pinned: the session and user, the subscriber, its subscriptions, the periodicals and working languages of
    # the form, and what the layout reads.
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(url)
    # Without the form (as for a member), the same page costs exactly two queries fewer: the periodicals and the
    # federation's working languages.
    monkeypatch.setattr(views, "may_add_subscription", lambda actor, subscriber: False)
    with CaptureQueriesContext(connection) as without:
        page = client.get(url)
    assert FORM_HEADING not in content(page)
    assert len(data_queries(without)) == len(data_queries(large)) - 2
