"""The search page: open to everyone, answering each reader with what they may find, safely and in few queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.search import services
from tests.search.conftest import INTERNAL_TITLE, Archive

URL = "/search/"
ROLES = ("anonymous", "member", "corr_a", "corr_b", "translator", "editor")


def text(response: Any) -> str:
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_the_form_to_everyone(client_as: Callable[[str], Client], role: str) -> None:
    response = client_as(role).get(URL)
    assert response.status_code == 200
    page = text(response)
    assert 'name="q"' in page and 'role="search"' in page
    assert "Type a few words" in page
    assert "result" not in page


def test_it_shows_results_with_snippets_and_links(client_as: Callable[[str], Client], archive: Archive) -> None:
    response = client_as("anonymous").get(URL, {"q": "strike"})
    assert response.status_code == 200
    page = text(response)
    assert "1 result for “strike”" in page
    assert (
        '<a href="/bulletins/bulletin/1/1/?lang=en" lang="en" dir="ltr">The dockers on <mark>strike</mark></a>' in page
    )
    assert "general <mark>strike</mark>" in page
    assert 'Bulletin No. 1, item 1 · <span dir="auto">Section Alpha</span> · report · English (translation)' in page


def test_the_link_opens_the_item_in_the_language_found(client_as: Callable[[str], Client], archive: Archive) -> None:
    client = client_as("anonymous")
    [url] = re.findall(r'<a href="(/bulletins/[^"]+)" lang="ru"', text(client.get(URL, {"q": "забастовка"})))
    assert "Докеры бастуют" in text(client.get(url.replace("&amp;", "&")))


def test_right_to_left_texts_are_marked_so(client_as: Callable[[str], Client], archive: Archive) -> None:
    page = text(client_as("anonymous").get(URL, {"q": "نقابة"}))
    assert 'lang="ar" dir="rtl">إضراب عمال الميناء</a>' in page
    assert '<p class="snippet" lang="ar" dir="rtl">' in page


def test_it_echoes_the_query_safely(client_as: Callable[[str], Client], archive: Archive) -> None:
    page = text(client_as("anonymous").get(URL, {"q": '<script>alert("q")</script> strike'}))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt; strike" in page  # in the field and in the answer
    assert "No results for “&lt;script&gt;" in page


def test_snippets_escape_hostile_text(client_as: Callable[[str], Client], archive: Archive) -> None:
    page = text(client_as("anonymous").get(URL, {"q": "tactics"}))
    assert "1 result for" in page
    for raw in ("<script>alert", "<img src=x", "<b onclick", "<b>tricks", "\ue000", "\ue001"):
        assert raw not in page
    assert "&lt;img src=x onerror=alert(1)&gt; <mark>Tactics</mark> &amp; &lt;b&gt;tricks&lt;/b&gt;" in page
    # Only the word searched for is marked: the private-use marks the text carried forged nothing.
    assert {mark.lower() for mark in re.findall(r"<mark>(.*?)</mark>", page)} == {"tactics"}


def test_it_says_when_nothing_is_found(client_as: Callable[[str], Client], archive: Archive) -> None:
    page = text(client_as("anonymous").get(URL, {"q": "clandestine"}))
    assert "No results for “clandestine”." in page
    assert "Members: log in to search the internal bulletin too." in page
    page = text(client_as("member").get(URL, {"q": "clandestine"}))
    assert "1 result for “clandestine”" in page and INTERNAL_TITLE.replace("the ", "the <mark>") not in page


def test_an_empty_search_asks_for_words(client_as: Callable[[str], Client], archive: Archive) -> None:
    response = client_as("anonymous").get(URL, {"q": "  "})
    assert response.status_code == 200
    assert "Type the words you are looking for." in text(response)


def test_the_filters_offer_only_what_the_reader_may_find(client_as: Callable[[str], Client], archive: Archive) -> None:
    anonymous = text(client_as("anonymous").get(URL))
    member = text(client_as("member").get(URL))
    assert '<option value="bulletin">Bulletin</option>' in anonymous
    assert '<option value="internal">' not in anonymous
    assert '<option value="internal">Internal Bulletin</option>' in member
    for code, name in (("ar", "Arabic"), ("zh", "Chinese"), ("ru", "Russian")):
        assert f'<option value="{code}">{name}</option>' in anonymous
    # A bulletin the reader may not read is not a choice: asking for it is refused, not answered.
    refused = text(client_as("anonymous").get(URL, {"q": "clandestine", "periodical": "internal"}))
    assert "Select a valid choice." in refused and "result" not in refused.split("</form>")[1]


def test_the_page_filters(client_as: Callable[[str], Client], archive: Archive) -> None:
    client = client_as("anonymous")
    page = text(client.get(URL, {"q": "havre", "language": "de", "section": "alpha", "kind": "report"}))
    assert "1 result for “havre”" in page and "Die Hafenarbeiter im Streik" in page
    assert "Clear the filters" in page
    page = text(client.get(URL, {"q": "havre", "date_from": "2030-01-02"}))
    assert "No results for “havre”." in page and "Try without the filters" in page
    page = text(client.get(URL, {"q": "havre", "date_from": "2030-02-01", "date_to": "2030-01-01"}))
    assert "The end of the period comes before its start." in page


def test_it_pages_through_results(
    client_as: Callable[[str], Client], archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "PER_PAGE", 3)
    client = client_as("anonymous")
    first = text(client.get(URL, {"q": "havre", "section": "alpha"}))
    assert "4 results for “havre”" in first and "Page 1 of 2" in first
    assert first.count('<li class="card">') == 3
    assert '<a href="?q=havre&amp;section=alpha&amp;page=2" rel="next">' in first
    second = text(client.get(URL, {"q": "havre", "section": "alpha", "page": "2"}))
    assert second.count('<li class="card">') == 1 and '<ol class="search-results" start="4">' in second
    assert '<a href="?q=havre&amp;section=alpha&amp;page=1" rel="prev">' in second
    titles = set(re.findall(r'dir="ltr">(.*?)</a></h2>', first + second))
    assert len(titles) == 4
    # Pages that do not exist: the nearest one.
    assert "Page 2 of 2" in text(client.get(URL, {"q": "havre", "page": "99"}))
    assert "Page 1 of 2" in text(client.get(URL, {"q": "havre", "page": "first"}))


@pytest.mark.parametrize(
    ("role", "queries"),
    [
        # the federation (for the layout); the sections, the bulletins, the languages; how many found, the page's
        # documents, their texts and snippets
        ("anonymous", 7),
        # and the session, the account, whether a second factor is due, the person and their roles
        ("member", 13),
    ],
)
def test_the_page_costs_the_same_whatever_it_finds(
    client_as: Callable[[str], Client],
    archive: Archive,
    django_assert_num_queries: Any,
    monkeypatch: pytest.MonkeyPatch,
    role: str,
    queries: int,
) -> None:
    monkeypatch.setattr(services, "PER_PAGE", 50)
    client = client_as(role)
    for words in ("havre", "strike", "罢工", "工人工会", "Докеры"):
        with django_assert_num_queries(queries):
            page = text(client.get(URL, {"q": words, "language": "", "section": "alpha"}))
        assert re.search(r"\d+ results? for “", page), words
    with django_assert_num_queries(queries - 2):  # nothing found: no page to read
        assert client.get(URL, {"q": "nothing"}).status_code == 200
