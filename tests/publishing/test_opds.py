"""The OPDS catalogue: every public edition, in every language, with links to download its EPUB and PDF."""

from __future__ import annotations

import datetime
from typing import Any

import feedparser
import pytest
from django.test import Client

from liaison.periodicals.models import Periodical
from liaison.publishing import feeds
from liaison.publishing.models import EditionStatus, FileFormat
from tests.publishing.feeds_helpers import ATOM, DC, SITE, T0, _site, bulletin, entry, internal, publish, xml

__all__ = ["_site", "bulletin", "internal"]  # fixtures

pytestmark = pytest.mark.django_db

ACQUISITION = "http://opds-spec.org/acquisition"
KIND = "application/atom+xml;profile=opds-catalog;kind=acquisition"


def catalogue() -> Any:
    response = Client().get("/feeds/opds.xml")
    assert response.status_code == 200
    return response


def test_it_is_an_opds_acquisition_feed(bulletin: Periodical) -> None:
    publish(bulletin, 1, "en")

    response = catalogue()

    assert response["Content-Type"] == f"{KIND};charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    root = xml(response.content)
    links = {link.get("rel"): (link.get("href"), link.get("type")) for link in root.findall(f"{ATOM}link")}
    # The catalogue is its own navigation root.
    assert links["self"] == (f"{SITE}/feeds/opds.xml", KIND)
    assert links["start"] == (f"{SITE}/feeds/opds.xml", KIND)
    assert root.findtext(f"{ATOM}id") == "urn:liaison:opds"
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Test Federation"  # type: ignore[union-attr]


def test_each_entry_has_its_language_and_acquisition_links(bulletin: Periodical) -> None:
    publish(bulletin, 1, "en", published_at=T0)
    publish(bulletin, 1, "ar", published_at=T0 + datetime.timedelta(hours=1))

    root = xml(catalogue().content)

    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == ["urn:liaison:bulletin:1:ar", "urn:liaison:bulletin:1:en"]
    arabic = entries[0]
    assert arabic.findtext(f"{DC}language") == "ar"
    assert arabic.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    assert arabic.findtext(f"{DC}identifier") == "urn:liaison:bulletin:1:ar:v1"
    assert arabic.findtext(f"{DC}issued") == "2030-02-01"
    assert arabic.findtext(f"{ATOM}updated") == "2030-03-20T13:00:00+00:00"
    acquisitions = [
        (link.get("href"), link.get("type"), link.get("length"))
        for link in arabic.findall(f"{ATOM}link")
        if link.get("rel") == ACQUISITION
    ]
    assert acquisitions == [
        (f"{SITE}/editions/bulletin/1/ar/bulletin-1-ar.epub", "application/epub+zip", "45679"),
        (f"{SITE}/editions/bulletin/1/ar/bulletin-1-ar.pdf", "application/pdf", "123457"),
    ]
    web = [link for link in arabic.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
    assert [(w.get("href"), w.get("type")) for w in web] == [(f"{SITE}/editions/bulletin/1/ar/index.html", "text/html")]


def test_an_edition_without_one_format_offers_the_others(bulletin: Periodical) -> None:
    publish(bulletin, 1, "en", formats=(FileFormat.PDF, FileFormat.WEB))

    (entry,) = xml(catalogue().content).findall(f"{ATOM}entry")

    assert [link.get("type") for link in entry.findall(f"{ATOM}link") if link.get("rel") == ACQUISITION] == [
        "application/pdf"
    ]


def test_it_lists_public_editions_only_and_the_latest_version(bulletin: Periodical, internal: Periodical) -> None:
    publish(internal, 1, "en")
    publish(bulletin, 1, "en", version=1, status=EditionStatus.SUPERSEDED)
    publish(bulletin, 1, "en", version=2, correction="A name was misspelt.")
    publish(bulletin, 2, "en", status=EditionStatus.BUILDING)

    content = catalogue().content

    entries = xml(content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{DC}identifier") for e in entries] == ["urn:liaison:bulletin:1:en:v2"]
    assert entries[0].findtext(f"{ATOM}summary") == "Corrected edition (version 2): A name was misspelt."
    assert b"internal" not in content.lower()


def test_its_bytes_are_the_same_every_time_and_the_same_as_the_static_sites(bulletin: Periodical) -> None:
    publish(bulletin, 1, "en")
    publish(bulletin, 1, "fr")

    served = catalogue().content

    assert served == feeds.opds_bytes() == feeds.opds_bytes()
    assert Client(headers={"accept-language": "de"}).get("/feeds/opds.xml").content == served


def test_an_empty_catalogue_is_dated_by_the_federation_not_by_now(world: Any) -> None:
    root = xml(catalogue().content)

    assert root.findall(f"{ATOM}entry") == []
    assert root.findtext(f"{ATOM}updated") == "2000-01-01T00:00:00+00:00"


def test_it_only_answers_reading(world: Any) -> None:
    assert Client().post("/feeds/opds.xml").status_code == 405


def test_its_queries_do_not_grow_with_the_editions(bulletin: Periodical, django_assert_num_queries: Any) -> None:
    publish(bulletin, 1, "en")
    # federation, editions (with their first version's date), their files
    with django_assert_num_queries(3):
        catalogue()
    for number in range(2, 6):
        for language in ("en", "fr", "ar"):
            publish(bulletin, number, language, formats=(FileFormat.PDF, FileFormat.EPUB))
    with django_assert_num_queries(3):
        assert len(xml(catalogue().content).findall(f"{ATOM}entry")) == 13


def test_each_entrys_summary_lists_the_items_as_text(bulletin: Periodical) -> None:
    publish(
        bulletin,
        1,
        "en",
        version=2,
        correction="A date was wrong.",
        items=[entry(1, 1), entry(1, 2, title="<script>x</script>", signature="Section B", section="Section B")],
    )

    content = catalogue().content

    assert b"<script" not in content
    (summary,) = [e.find(f"{ATOM}summary") for e in xml(content).findall(f"{ATOM}entry")]
    assert summary is not None and summary.get("type") == "text"
    assert summary.text == (
        "Corrected edition (version 2): A date was wrong.\n\n"
        "Contents:\n1. Report 1 of No. 1 — Rosa, Section A\n2. <script>x</script> — Section B"
    )
