"""The public Atom feed of a periodical in one language: its entries, enclosures, ids and dates, its bytes, and what it
never shows."""

from __future__ import annotations

import datetime
import re
from typing import Any

import feedparser
import pytest
from django.test import Client
from django.utils import translation

from liaison.periodicals.models import Periodical
from liaison.publishing import feeds
from liaison.publishing.models import EditionStatus, FileFormat
from tests.publishing.feeds_helpers import ATOM, SITE, T0, _site, bulletin, entry, internal, publish, xml

__all__ = ["_site", "bulletin", "internal"]  # fixtures

pytestmark = pytest.mark.django_db


def parse(content: bytes) -> Any:
    parsed = feedparser.parse(content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def get(path: str) -> Any:
    return Client().get(path)


def summaries(content: bytes) -> list[str]:
    """The entries' summaries as written (feedparser gives them back sanitized, its attributes reordered)."""
    parse(content)  # a valid feed first
    return [e.findtext(f"{ATOM}summary") or "" for e in xml(content).findall(f"{ATOM}entry")]


def page(response: Any) -> str:
    """A page without its CSRF token, which differs at each request."""
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", response.content.decode())


def test_it_lists_every_published_edition_in_its_language_newest_first(bulletin: Periodical) -> None:
    publish(bulletin, 1, "en")
    publish(bulletin, 2, "en")
    publish(bulletin, 2, "fr")

    response = get("/feeds/bulletin/en.atom")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = parse(response.content)
    assert [e.title for e in parsed.entries] == ["Bulletin No. 2", "Bulletin No. 1"]
    assert [e.id for e in parsed.entries] == ["urn:liaison:bulletin:2:en", "urn:liaison:bulletin:1:en"]
    assert parsed.entries[0].link == f"{SITE}/editions/bulletin/2/en/index.html"
    assert parsed.feed.id == "urn:liaison:bulletin:en"
    assert parsed.feed.language == "en"
    assert parsed.feed.links[1].href == f"{SITE}/feeds/bulletin/en.atom"


def test_its_enclosures_are_the_pdf_and_the_epub_with_their_type_and_size(bulletin: Periodical) -> None:
    publish(bulletin, 1, "en")

    entry = parse(get("/feeds/bulletin/en.atom").content).entries[0]

    enclosures = [(e.href, e.type, e.length) for e in entry.enclosures]
    assert enclosures == [
        (f"{SITE}/editions/bulletin/1/en/bulletin-1-en.epub", "application/epub+zip", "45679"),
        (f"{SITE}/editions/bulletin/1/en/bulletin-1-en.pdf", "application/pdf", "123457"),
    ]
    # The web pages are the entry's link, not enclosures.
    assert not any("index.html" in e.href for e in entry.enclosures)


def test_its_dates_are_the_editions_publication_never_now(bulletin: Periodical) -> None:
    first = publish(bulletin, 1, "en", published_at=T0)
    second = publish(bulletin, 2, "en", published_at=T0 + datetime.timedelta(days=31))

    parsed = parse(get("/feeds/bulletin/en.atom").content)

    assert parsed.feed.updated == "2030-04-20T12:00:00+00:00"
    assert [e.updated for e in parsed.entries] == [
        second.published_at.isoformat(),
        first.published_at.isoformat(),
    ]


def test_a_corrected_edition_replaces_the_earlier_one_and_says_so(bulletin: Periodical) -> None:
    publish(bulletin, 1, "en", version=1, status=EditionStatus.SUPERSEDED, published_at=T0)
    publish(
        bulletin,
        1,
        "en",
        version=2,
        published_at=T0 + datetime.timedelta(days=2),
        correction="The date of the assembly was wrong.",
    )

    parsed = parse(get("/feeds/bulletin/en.atom").content)

    (entry,) = parsed.entries
    # The same id as version 1, updated: a feed reader replaces the entry instead of showing the issue twice.
    assert entry.id == "urn:liaison:bulletin:1:en"
    assert entry.title == "Bulletin No. 1 (corrected edition, version 2)"
    assert "The date of the assembly was wrong." in entry.summary
    assert entry.published == "2030-03-20T12:00:00+00:00"
    assert entry.updated == "2030-03-22T12:00:00+00:00"
    assert [e.length for e in entry.enclosures] == ["45680", "123458"]  # version 2's files


@pytest.mark.parametrize("status", [EditionStatus.BUILDING, EditionStatus.FAILED, EditionStatus.SUPERSEDED])
def test_it_leaves_out_editions_that_are_not_published(bulletin: Periodical, status: str) -> None:
    publish(bulletin, 1, "en", status=status)

    assert parse(get("/feeds/bulletin/en.atom").content).entries == []


def test_it_never_shows_an_internal_bulletin(world: Any, bulletin: Periodical, internal: Periodical) -> None:
    publish(internal, 1, "en")
    publish(bulletin, 1, "en")

    hidden = get("/feeds/internal/en.atom")
    unknown = get("/feeds/nothing/en.atom")

    # Exactly as for a periodical that does not exist: the address does not reveal that the bulletin exists.
    assert hidden.status_code == unknown.status_code == 404
    assert page(hidden).replace("/feeds/internal/", "/feeds/nothing/") == page(unknown)
    assert b"internal" not in get("/feeds/bulletin/en.atom").content
    with pytest.raises(ValueError):
        feeds.atom_bytes(internal, "en")


def test_it_answers_a_working_language_with_an_empty_feed_and_refuses_others(bulletin: Periodical) -> None:
    empty = get("/feeds/bulletin/ru.atom")  # a working language of the federation, nothing published in it yet

    assert empty.status_code == 200
    parsed = parse(empty.content)
    assert parsed.entries == []
    assert parsed.feed.updated == "2000-01-01T00:00:00+00:00"  # the federation's founding, not "now"
    assert get("/feeds/bulletin/xx.atom").status_code == 404
    assert get("/feeds/bulletin/EN.atom").status_code == 404


def test_a_language_with_editions_has_a_feed_even_outside_the_working_languages(bulletin: Periodical) -> None:
    publish(bulletin, 1, "ar")

    parsed = parse(get("/feeds/bulletin/ar.atom").content)

    assert parsed.feed.language == "ar"
    assert [e.id for e in parsed.entries] == ["urn:liaison:bulletin:1:ar"]


def test_its_bytes_are_the_same_every_time_and_the_same_as_the_static_sites(bulletin: Periodical) -> None:
    publish(bulletin, 1, "en")
    publish(bulletin, 2, "en")

    served = get("/feeds/bulletin/en.atom").content

    assert served == feeds.atom_bytes(bulletin, "en") == feeds.atom_bytes(bulletin, "en")
    assert get("/feeds/bulletin/en.atom").content == served
    # The visitor's interface language does not change a byte of it.
    assert Client(headers={"accept-language": "fr"}).get("/feeds/bulletin/en.atom").content == served


def test_it_is_written_for_another_address_when_asked(bulletin: Periodical) -> None:
    publish(bulletin, 1, "en")

    parsed = parse(feeds.atom_bytes(bulletin, "en", base="https://cdn.example.net/archive/"))

    assert parsed.entries[0].link == "https://cdn.example.net/archive/editions/bulletin/1/en/index.html"
    assert parsed.feed.links[1].href == "https://cdn.example.net/archive/feeds/bulletin/en.atom"


def test_its_words_are_in_the_feeds_language(bulletin: Periodical) -> None:
    edition = publish(bulletin, 1, "fr")
    with translation.override("fr"):
        expected = str(edition.issue)

    parsed = parse(get("/feeds/bulletin/fr.atom").content)

    assert expected.startswith("Bulletin n°")
    assert parsed.feed.language == "fr"
    assert "Français" in parsed.feed.title  # the language named in itself
    assert parsed.entries[0].title == expected


def test_hostile_names_stay_text(world: Any) -> None:
    periodical = Periodical.objects.create(
        name='<script>alert(1)</script> & "co"', slug="hostile", language="en", frequency="monthly"
    )
    publish(periodical, 1, "en", version=2, correction="<img src=x onerror=alert(2)>")

    content = get("/feeds/hostile/en.atom").content

    parsed = parse(content)
    assert b"<script" not in content and b"<img" not in content
    assert parsed.feed.title.startswith('<script>alert(1)</script> & "co"')
    assert "&lt;img src=x onerror=alert(2)&gt;" in parsed.entries[0].summary


def test_a_slug_in_another_script_is_quoted_in_links(world: Any) -> None:
    periodical = Periodical.objects.create(name="Бюллетень", slug="бюллетень", language="ru", frequency="monthly")
    publish(periodical, 1, "ru")

    parsed = parse(get("/feeds/бюллетень/ru.atom").content)

    assert (
        parsed.entries[0].link
        == f"{SITE}/editions/%D0%B1%D1%8E%D0%BB%D0%BB%D0%B5%D1%82%D0%B5%D0%BD%D1%8C/1/ru/index.html"
    )


def test_it_only_answers_reading(bulletin: Periodical) -> None:
    assert Client().post("/feeds/bulletin/en.atom").status_code == 405
    assert Client().head("/feeds/bulletin/en.atom").status_code == 200


def test_its_queries_do_not_grow_with_the_editions(bulletin: Periodical, django_assert_num_queries: Any) -> None:
    publish(bulletin, 1, "en", items=1)
    # periodical, federation, editions (with their first version's date and their contents), their files
    with django_assert_num_queries(4):
        get("/feeds/bulletin/en.atom")
    for number in range(2, 8):
        publish(bulletin, number, "en", formats=(FileFormat.PDF, FileFormat.EPUB), items=number * 30)
    with django_assert_num_queries(4):
        parsed = parse(get("/feeds/bulletin/en.atom").content)
    assert len(parsed.entries) == 7
    assert parsed.entries[0].summary.count("<li>") == 7 * 30 + 3  # the items, then the web pages, PDF and EPUB


# What is in each issue --------------------------------------------------------------------------------------------


def test_each_entry_lists_the_items_as_the_contents_page_shows_them(bulletin: Periodical) -> None:
    publish(
        bulletin,
        1,
        "en",
        items=[entry(1, 1), entry(1, 2, signature="Section B", section="Section B", kind="Position", title="Unity")],
    )

    (summary,) = summaries(get("/feeds/bulletin/en.atom").content)

    assert "<h2>Contents</h2>" in summary
    first = summary.index("Report 1 of No. 1")
    assert first < summary.index("Unity") < summary.index("Read it on the web")
    assert f'<a href="{SITE}/editions/bulletin/1/en/items/1.html"' in summary
    assert f'<a href="{SITE}/editions/bulletin/1/en/items/2.html"' in summary
    assert "Bulletin No. 1, item 1 · Report" in summary and "Bulletin No. 1, item 2 · Position" in summary
    # A person signs with their section; a section signing alone is named once.
    assert "Rosa, Section A" in summary
    assert "Section B, Section B" not in summary and "<p>Section B</p>" in summary


def test_each_entry_lists_the_items_in_the_words_of_its_edition(bulletin: Periodical) -> None:
    publish(bulletin, 1, "fr", items=[entry(1, 1, "fr", label="Bulletin n° 1, article 1", kind="Rapport")])

    (parsed,) = parse(get("/feeds/bulletin/fr.atom").content).entries

    assert "<h2>Sommaire</h2>" in parsed.summary and "Bulletin n° 1, article 1 · Rapport" in parsed.summary


def test_hostile_and_right_to_left_titles_stay_text_in_their_direction(bulletin: Periodical) -> None:
    publish(
        bulletin,
        1,
        "ar",
        items=[
            entry(1, 1, "ar", title="<script>alert(1)</script>", signature='"><img src=x onerror=alert(2)>'),
            entry(1, 2, "ar", title="إضراب عمال الميناء"),
            entry(1, 3, "zh", title="港口工人 & 团结", direction="ltr", section="<b>Section</b>"),
        ],
    )

    content = get("/feeds/bulletin/ar.atom").content

    assert b"<script" not in content and b"<img" not in content and b"<b>" not in content
    (summary,) = summaries(content)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in summary
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in summary
    assert 'lang="ar" dir="rtl">إضراب عمال الميناء</a>' in summary
    assert 'lang="zh" dir="ltr">港口工人 &amp; 团结</a>' in summary
    assert "&lt;b&gt;Section&lt;/b&gt;" in summary


def test_an_edition_published_before_its_contents_were_kept_has_none_listed(bulletin: Periodical) -> None:
    publish(bulletin, 1, "en")
    (parsed,) = parse(get("/feeds/bulletin/en.atom").content).entries
    assert "Contents" not in parsed.summary and "Read it on the web" in parsed.summary
