"""Whatever is typed or sent, the search answers: results or a clear message, never an error page. Nothing typed
reaches FTS5 or ``to_tsquery`` as syntax."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.errors import LiaisonError
from liaison.periodicals.models import Periodical
from liaison.search import services
from tests.search.conftest import published_issue

URL = "/search/"
FOUND = "1 result for"
NO_WORDS = "Type words to search for"

# What is typed, and what the page answers: a result, no result, or the message saying why it cannot search.
QUERIES: list[tuple[str, str]] = [
    ('"', NO_WORDS),
    ('""', NO_WORDS),
    ("*", NO_WORDS),
    ('"*"', NO_WORDS),
    ("NEAR", NO_WORDS),
    ("AND", NO_WORDS),
    ("OR NOT", NO_WORDS),
    ("-", NO_WORDS),
    (":", NO_WORDS),
    ("^", NO_WORDS),
    ("(", NO_WORDS),
    ("()", NO_WORDS),
    ("( ) : ^ * - \" ' \\ & | ! <-> @@", NO_WORDS),
    ("🙂✊", NO_WORDS),
    ("strike*", FOUND),
    ("-strike", FOUND),
    ("^strike", FOUND),
    ('"strike', FOUND),
    ('strike"', FOUND),
    ("strike AND", FOUND),
    ("NEAR(strike fund)", "No results"),
    ("title:strike", "No results"),
    ("body : strike", "No results"),
    ("strike OR fund", "No results"),
    ("(strike", FOUND),
    ("'strike':*", FOUND),
    ("strike & !union", "No results"),
    ("strike <-> dockers", FOUND),
    ("strike\\", FOUND),
    ("'", NO_WORDS),
    ("strike'; DROP TABLE search_searchdocument; --", "No results"),
    ('strike" OR "x', "No results"),
    ("\x00", "Null characters are not allowed."),
    ("strike\x00", "Null characters are not allowed."),
    ("x" * 10_000, "Search for at most 200 characters (this search has 10000)."),
    ("工" * 201, "Search for at most 200 characters"),
    (" ".join(["strike"] * 11), FOUND),  # the same word eleven times is one word
    (" ".join(f"w{n}" for n in range(11)), "Search for at most 10 words at a time."),
    ("   ", "Type the words you are looking for."),
    ("s", "No results"),
    ("工", "No results"),
    ("\u200b\u202e strike \u202c", FOUND),
    ("\ue000strike\ue001", FOUND),
]


@pytest.fixture
def one_item(world: Any, bulletin: Periodical, make_contribution: Any) -> None:
    published_issue(
        world,
        bulletin,
        make_contribution,
        [{"title": "The dockers strike", "body": "The port is closed.", "language": "en"}],
    )


@pytest.mark.parametrize(("words", "answer"), QUERIES)
def test_the_page_answers_any_query(
    client_as: Callable[[str], Client], one_item: None, words: str, answer: str
) -> None:
    response = client_as("anonymous").get(URL, {"q": words})
    assert response.status_code == 200
    assert answer in response.content.decode()


@pytest.mark.parametrize(("words", "answer"), QUERIES)
def test_the_service_answers_any_query(world: Any, one_item: None, words: str, answer: str) -> None:
    try:
        results = services.search(world.actor("member"), words)
    except LiaisonError as refused:
        assert answer not in (FOUND, "No results")
        assert refused.field == "q" and str(refused.message)
    else:
        assert results.total == (1 if answer == FOUND else 0)


@pytest.mark.parametrize(
    ("params", "answer"),
    [
        ({"section": "<script>"}, "Select a valid choice."),
        ({"language": "\x00"}, "Select a valid choice."),
        ({"language": "xx"}, "Select a valid choice."),
        ({"periodical": "nope"}, "Select a valid choice."),
        ({"kind": "'; --"}, "Select a valid choice."),
        ({"date_from": "2030-02-30"}, "Enter a valid date."),
        ({"date_to": "x" * 5000}, "Enter a valid date."),
        ({"page": "abc"}, FOUND),
        ({"page": "-1"}, FOUND),
        ({"page": "0"}, FOUND),
        ({"page": "1e400"}, FOUND),
        ({"page": "9" * 50}, FOUND),
        ({"page": "\x00"}, FOUND),
        ({"unknown": "x"}, FOUND),
    ],
)
def test_the_page_answers_any_filter(
    client_as: Callable[[str], Client], one_item: None, params: dict[str, str], answer: str
) -> None:
    response = client_as("anonymous").get(URL, {"q": "strike", **params})
    assert response.status_code == 200
    assert answer in response.content.decode()


def test_only_get_and_head_are_answered(client_as: Callable[[str], Client], one_item: None) -> None:
    client = client_as("anonymous")
    assert client.post(URL, {"q": "strike"}).status_code == 405
    assert client.head(URL, {"q": "strike"}).status_code == 200
