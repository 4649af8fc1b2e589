"""The translators' desk through the API: the queue of a language, each translator's workload, and the editions of an
issue (which languages are complete, and what is missing)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.editorial.models import Contribution, Item, State
from liaison.translations import services
from tests.api.conftest import API
from tests.api.test_translations_scene import TranslationScene, build_translation_scene
from tests.conftest import World


@pytest.fixture
def tscene(world: World) -> TranslationScene:
    return build_translation_scene(world)


def ids(client: Client, path: str) -> list[int]:
    response = client.get(f"{API}{path}")
    assert response.status_code == 200, response.content
    return [entry["id"] for entry in response.json()]


# Queues ------------------------------------------------------------------------------------------------------------


def test_the_queue_puts_the_soonest_deadline_first(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    client = api_as("translator")
    # Both meant for issue No. 2 (planned for 1 February 2030): due a week before, in the order they were accepted.
    assert ids(client, "/queues/de") == [tscene.ids["placed_b_de"], tscene.ids["accepted_a_de"]]
    entry = client.get(f"{API}/queues/de").json()[1]
    assert (entry["issue"], entry["deadline"], entry["overdue"], entry["stale"]) == (2, "2030-01-25", False, True)
    # The internal bulletin's issue has no planned date: its translation comes last, with no deadline.
    assert ids(client, "/queues/fr") == [tscene.ids["placed_b_fr"], tscene.ids["internal_b_fr"]]
    assert client.get(f"{API}/queues/fr").json()[1]["deadline"] is None
    assert ids(client, "/queues/FR") == ids(client, "/queues/fr")


def test_a_passed_deadline_is_overdue(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    tscene.scene.issue2.planned_date = datetime.date(2020, 1, 1)
    tscene.scene.issue2.save()
    queue = api_as("editor").get(f"{API}/queues/de").json()
    assert [(e["deadline"], e["overdue"]) for e in queue] == [("2019-12-25", True), ("2019-12-25", True)]


def test_an_unknown_language_has_no_queue(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    response = api_as("editor").get(f"{API}/queues/xx-nowhere")
    assert response.status_code == 404
    assert response.json()["field"] == "language"


def test_the_queue_costs_the_same_queries_however_long(
    api_as: Callable[[str], Client],
    world: World,
    tscene: TranslationScene,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    client = api_as("translator")
    client.get(f"{API}/me")  # the token's last use, written at most once a minute
    with django_assert_num_queries(5):  # token, person, roles; the queue, then what its entries show
        assert len(client.get(f"{API}/queues/fr").json()) == 2
    for n in range(6):
        contribution = Contribution.objects.create(
            section=world.section_b, periodical=tscene.scene.bulletin, title=f"More {n}", language="es", body="Más."
        )
        contribution.state = State.PLACED
        contribution.save()
        Item.objects.create(issue=tscene.scene.issue2, contribution=contribution, position=n + 2)
        services.ensure_translations(contribution)
    with django_assert_num_queries(5):
        assert len(client.get(f"{API}/queues/fr").json()) == 8


# Workload ----------------------------------------------------------------------------------------------------------


def test_the_workload_of_each_translator(
    api_as: Callable[[str], Client], world: World, tscene: TranslationScene, django_assert_num_queries: Any
) -> None:
    client = api_as("editor")
    client.get(f"{API}/me")
    with django_assert_num_queries(6):  # token, person, roles; translators, their assignments, their person ids
        loads = client.get(f"{API}/translators").json()
    assert [(load["name"], load["open"]) for load in loads] == [
        ("Tongues", 2),
        ("Perevodchik", 1),
        ("Zweite Stimme", 0),
    ]
    tongues = loads[0]
    assert tongues["person"] == world.people["translator"].pk
    assert sorted(tongues["languages"]) == ["de", "fr"]
    assert {k: tongues[k] for k in ("needed", "draft", "in_review", "stale", "approved")} == {
        "needed": 0,
        "draft": 1,
        "in_review": 1,
        "stale": 1,
        "approved": 2,
    }


# Editions ----------------------------------------------------------------------------------------------------------


def test_an_issue_shows_which_editions_are_complete(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    editions = api_as("anonymous").get(f"{API}/bulletins/bulletin/issues/1/editions").json()
    assert [(e["language"], e["complete"], e["covered"], e["items"]) for e in editions] == [
        ("en", False, 0, 1),
        ("fr", True, 1, 1),  # the original's language
        ("de", True, 1, 1),
        ("ru", False, 0, 1),
        ("es", False, 0, 1),
    ]
    missing = editions[0]["missing"]
    assert [(m["citation"], m["status"], m["translation_id"]) for m in missing] == [
        ("Bulletin No. 1, item 1", "needed", tscene.ids["pub_a_en"])
    ]
    assert editions[1]["language_name"] == "French" and editions[1]["dir"] == "ltr"


def test_an_edition_counts_only_what_the_caller_may_read(
    api_as: Callable[[str], Client], tscene: TranslationScene
) -> None:
    # Issue No. 2 is not published: a reader learns nothing of its items, the desk sees them all.
    reader = api_as("member").get(f"{API}/bulletins/bulletin/issues/2/editions/de").json()
    assert (reader["items"], reader["complete"], reader["missing"], reader["contents"]) == (0, False, [], [])
    desk = api_as("translator").get(f"{API}/bulletins/bulletin/issues/2/editions/de").json()
    assert [(c["title"], c["status"]) for c in desk["contents"]] == [("Placed of Beta", "in_review")]
    own = api_as("corr_b").get(f"{API}/bulletins/bulletin/issues/2/editions/de").json()
    assert own["items"] == 1


def test_a_stale_translation_leaves_its_edition_incomplete(
    api_as: Callable[[str], Client], tscene: TranslationScene
) -> None:
    editor = api_as("editor")
    placed = editor.post(
        f"{API}/bulletins/bulletin/issues/2/items",
        {"contribution": tscene.ids["accepted_a"], "reason": "Now."},
        content_type="application/json",
    )
    assert placed.status_code == 201, placed.content
    edition = editor.get(f"{API}/bulletins/bulletin/issues/2/editions/de").json()
    assert [(c["title"], c["status"]) for c in edition["contents"]] == [
        ("Placed of Beta", "in_review"),
        ("Accepted of Alpha", "stale"),
    ]
    assert edition["complete"] is False and len(edition["missing"]) == 2


def test_any_language_has_an_edition_but_not_a_made_up_one(
    api_as: Callable[[str], Client], tscene: TranslationScene
) -> None:
    client = api_as("editor")
    arabic = client.get(f"{API}/bulletins/bulletin/issues/1/editions/ar").json()
    assert (arabic["dir"], arabic["complete"], [c["status"] for c in arabic["contents"]]) == ("rtl", False, ["none"])
    made_up = client.get(f"{API}/bulletins/bulletin/issues/1/editions/klingonese")
    assert made_up.status_code == 404 and made_up.json()["field"] == "language"
    hidden = api_as("anonymous").get(f"{API}/bulletins/internal/issues/1/editions/de")
    assert hidden.status_code == 404


def test_the_editions_cost_the_same_queries_however_many_items(
    api_as: Callable[[str], Client],
    world: World,
    tscene: TranslationScene,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    client = api_as("translator")
    client.get(f"{API}/me")
    # Token, person, roles; the bulletin, the issue, the federation's languages, the items, their translations.
    with django_assert_num_queries(8):
        client.get(f"{API}/bulletins/bulletin/issues/2/editions")
    for n in range(4):
        contribution = Contribution.objects.create(
            section=world.section_a, periodical=tscene.scene.bulletin, title=f"More {n}", language="fr", body="Plus."
        )
        contribution.state = State.PLACED
        contribution.save()
        Item.objects.create(issue=tscene.scene.issue2, contribution=contribution, position=n + 2)
        services.ensure_translations(contribution)
    with django_assert_num_queries(8):
        editions = client.get(f"{API}/bulletins/bulletin/issues/2/editions").json()
    assert [e["items"] for e in editions] == [5] * 5
