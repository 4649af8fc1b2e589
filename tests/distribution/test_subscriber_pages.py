"""The subscriber's page (details, subscriptions, the form to change the details), adding a subscriber, and the
ways in: the main navigation, the bulletin's page, the post labels that read the address."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from liaison.distribution import services
from liaison.distribution.models import Dispatch, Subscriber, SubscriberKind, SubscriptionChannel
from liaison.periodicals.models import Periodical
from tests.conftest import World
from tests.distribution.conftest import data_queries, publish, subscription

D = datetime.date
ClientAs = Callable[[str], Client]
ADDRESS = "Calle Mayor 1\n28013 Madrid"


@pytest.fixture
def scene(world: World, bulletin: Periodical, section_a: Subscriber, member_sub: Subscriber) -> dict:
    section_a.email = "bureau@alpha.example.org"
    section_a.save()
    member_sub.email = "member@example.org"
    member_sub.save()
    post = subscription(section_a, bulletin, channel=SubscriptionChannel.POST, started_on=D(2024, 1, 1))
    subscription(member_sub, bulletin, started_on=D(2024, 1, 1))
    return {"post": post}


def content(answer: object) -> str:
    return answer.content.decode()  # type: ignore[attr-defined]


# The subscriber's page ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "contact", "form"),
    [
        ("anonymous", 302, False, False),
        ("member", 200, False, False),  # sees the section's subscriptions, not its addresses
        ("corr_a", 200, True, True),
        ("corr_b", 404, False, False),
        ("translator", 404, False, False),
        ("editor", 200, True, True),
    ],
)
def test_a_sections_page(
    client_as: ClientAs, scene: dict, section_a: Subscriber, role: str, status: int, contact: bool, form: bool
) -> None:
    answer = client_as(role).get(f"/distribution/subscribers/{section_a.pk}/")
    assert answer.status_code == status
    if status == 200:
        page = content(answer)
        assert "Section Alpha" in page and "Bulletin" in page
        assert ("bureau@alpha.example.org" in page) == contact
        assert (f"/distribution/subscribers/{section_a.pk}/edit/" in page) == form
        # A post subscription without an address is flagged to those who may add it.
        assert ("no postal address" in page) == contact


@pytest.mark.parametrize(
    ("role", "status", "form"),
    [("member", 200, False), ("corr_a", 404, False), ("corr_b", 404, False), ("editor", 200, True)],
)
def test_a_persons_page(
    client_as: ClientAs, scene: dict, member_sub: Subscriber, role: str, status: int, form: bool
) -> None:
    answer = client_as(role).get(f"/distribution/subscribers/{member_sub.pk}/")
    assert answer.status_code == status
    if status == 200:
        page = content(answer)
        assert "member@example.org" in page  # their own address, or the secretariat's view
        assert "Marcel Hidden" not in page  # never the real name
        assert (f"/distribution/subscribers/{member_sub.pk}/edit/" in page) == form


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member", 403), ("corr_a", 302), ("corr_b", 404), ("translator", 404), ("editor", 302)],
)
def test_changing_a_sections_details(
    client_as: ClientAs, scene: dict, section_a: Subscriber, role: str, status: int
) -> None:
    data = {"email": "bureau@alpha.example.org", "postal_address": ADDRESS, "language": "es"}
    answer = client_as(role).post(f"/distribution/subscribers/{section_a.pk}/edit/", data)
    assert answer.status_code == status
    section_a.refresh_from_db()
    changed = role in ("corr_a", "editor")
    assert (section_a.postal_address == ADDRESS) == changed
    if changed:
        assert answer["Location"] == f"/distribution/subscribers/{section_a.pk}/"  # type: ignore[index]
        assert section_a.language == "es"


def test_a_refused_change_shows_why_next_to_the_field(client_as: ClientAs, scene: dict, section_a: Subscriber) -> None:
    client = client_as("corr_a")
    url = f"/distribution/subscribers/{section_a.pk}/edit/"
    client.post(url, {"email": "bureau@alpha.example.org", "postal_address": ADDRESS, "language": ""})
    # The section receives the bulletin by post: its address may be replaced, not removed.
    answer = client.post(url, {"email": "bureau@alpha.example.org", "postal_address": "", "language": ""})
    assert answer.status_code == 400 and "give the new postal address" in content(answer)
    answer = client.post(url, {"email": "x@mailinator.com", "postal_address": ADDRESS, "language": ""})
    assert answer.status_code == 400 and "disposable" in content(answer)
    section_a.refresh_from_db()
    assert (section_a.email, section_a.postal_address) == ("bureau@alpha.example.org", ADDRESS)


def test_an_organisations_name_is_on_its_form(client_as: ClientAs, scene: dict, org: Subscriber) -> None:
    editor = client_as("editor")
    assert 'name="name"' in content(editor.get(f"/distribution/subscribers/{org.pk}/"))
    answer = editor.post(
        f"/distribution/subscribers/{org.pk}/edit/",
        {"name": "", "email": "library@example.org", "postal_address": "", "language": "ru"},
    )
    assert answer.status_code == 400 and "name" in content(answer)
    org.refresh_from_db()
    assert org.name == "Библиотека 図書館 مكتبة"


def test_the_page_costs_the_same_queries_whatever_it_shows(
    client_as: ClientAs, scene: dict, bulletin: Periodical, paper: Periodical, section_a: Subscriber
) -> None:
    client = client_as("editor")
    url = f"/distribution/subscribers/{section_a.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for language in ("fr", "de", "ru"):
        subscription(section_a, bulletin, language, started_on=D(2024, 1, 1))
    subscription(section_a, paper, "es", channel=SubscriptionChannel.POST, started_on=D(2024, 1, 1))
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert len(data_queries(small)) == len(data_queries(large))
    assert content(page).count("/end/") == 5


# Adding a subscriber ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member", 403), ("corr_a", 403), ("corr_b", 403), ("translator", 403), ("editor", 200)],
)
def test_the_form_to_add_a_subscriber_is_the_secretariats(
    client_as: ClientAs, world: World, role: str, status: int
) -> None:
    assert client_as(role).get("/distribution/subscribers/new/").status_code == status


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_a", "translator"])
def test_only_the_secretariat_adds_from_the_page(client_as: ClientAs, world: World, role: str) -> None:
    client_as(role).post("/distribution/subscribers/new/", {"kind": "organisation", "name": "مكتبة"})
    assert not Subscriber.objects.exists()


def test_the_secretariat_adds_an_organisation(client_as: ClientAs, world: World) -> None:
    data = {"kind": "organisation", "name": "مكتبة الاتحاد", "postal_address": "القاهرة", "language": "ar", "email": ""}
    answer = client_as("editor").post("/distribution/subscribers/new/", data)
    made = Subscriber.objects.get()
    assert (made.kind, made.name, made.postal_address, made.language) == (
        SubscriberKind.ORGANISATION,
        "مكتبة الاتحاد",
        "القاهرة",
        "ar",
    )
    assert answer["Location"] == f"/distribution/subscribers/{made.pk}/"  # type: ignore[index]


def test_the_secretariat_adds_a_section_and_a_reader(client_as: ClientAs, world: World) -> None:
    editor = client_as("editor")
    editor.post("/distribution/subscribers/new/", {"kind": "section", "section": world.section_b.pk})
    editor.post("/distribution/subscribers/new/", {"kind": "person", "email": "reader@пример.рф", "language": "ru"})
    assert sorted(Subscriber.objects.values_list("kind", flat=True)) == ["person", "section"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "organisation"}, "Give the organisation"),
        ({"kind": "person"}, "known by an email address"),
        ({"kind": "person", "email": "x@mailinator.com"}, "disposable"),
        ({"kind": "section"}, "Choose the section"),
    ],
)
def test_a_refused_subscriber_says_why(client_as: ClientAs, world: World, data: dict, message: str) -> None:
    answer = client_as("editor").post("/distribution/subscribers/new/", data)
    assert answer.status_code == 400 and message in content(answer)
    assert not Subscriber.objects.exists()


def test_the_list_leads_to_the_form_and_the_pages(client_as: ClientAs, scene: dict, section_a: Subscriber) -> None:
    page = content(client_as("editor").get("/distribution/subscribers/"))
    assert "/distribution/subscribers/new/" in page
    assert f'href="/distribution/subscribers/{section_a.pk}/"' in page


# The ways in --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "link"),
    [
        ("anonymous", None),
        ("member", "/distribution/mine/"),
        ("corr_a", "/distribution/mine/"),
        ("translator", "/distribution/mine/"),
        ("editor", "/distribution/subscribers/"),
    ],
)
def test_the_main_navigation(client_as: ClientAs, world: World, role: str, link: str | None) -> None:
    page = content(client_as(role).get("/"))
    nav = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    if link is None:
        assert "Subscriptions" not in nav
    else:
        assert f'<a href="{link}">Subscriptions</a>' in nav


@pytest.mark.parametrize("role", ["anonymous", "member", "editor"])
def test_a_bulletins_page_links_to_subscribing(
    client_as: ClientAs, world: World, bulletin: Periodical, role: str
) -> None:
    page = content(client_as(role).get(f"/bulletins/{bulletin.slug}/"))
    assert f'href="/distribution/subscribe/{bulletin.slug}/"' in page


def test_the_section_dashboard_leads_to_the_exchange(client_as: ClientAs, scene: dict, world: World) -> None:
    page = content(client_as("corr_a").get(f"/sections/{world.section_a.slug}/dashboard/"))
    assert f'href="/exchange/sections/{world.section_a.slug}/"' in page


def test_the_dashboard_leads_to_the_sections_subscriber_page(
    client_as: ClientAs, scene: dict, world: World, section_a: Subscriber
) -> None:
    page = content(client_as("corr_a").get(f"/sections/{world.section_a.slug}/dashboard/"))
    assert f'href="/distribution/subscribers/{section_a.pk}/"' in page


def test_the_post_labels_read_the_address_a_correspondent_gave(
    client_as: ClientAs, scene: dict, world: World, bulletin: Periodical, section_a: Subscriber
) -> None:
    services.create_dispatches(publish(bulletin, 1, "en", D(2024, 2, 1)))
    assert Dispatch.objects.filter(subscription=scene["post"]).count() == 1
    services.update_subscriber(world.actor("corr_a"), section_a, postal_address=ADDRESS)
    page = content(client_as("editor").get(f"/distribution/post/{bulletin.slug}/1/"))
    assert "Calle Mayor 1" in page and "28013 Madrid" in page
