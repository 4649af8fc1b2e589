"""Published editions made directly in the database, for the feeds' and the catalogue's tests: an ``Edition`` row
with its ``EditionFile`` rows (PDF, EPUB, web pages), as the publish job leaves them."""

from __future__ import annotations

import datetime
import hashlib
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from liaison.periodicals.models import Audience, Frequency, Issue, IssueStatus, Periodical
from liaison.publishing.models import Edition, EditionFile, EditionStatus, FileFormat

T0 = datetime.datetime(2030, 3, 20, 12, 0, tzinfo=datetime.UTC)
SITE = "https://liaison.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/terms/}"
SIZES = {FileFormat.PDF: 123_456, FileFormat.EPUB: 45_678}
MEDIA = {FileFormat.PDF: "application/pdf", FileFormat.EPUB: "application/epub+zip", FileFormat.WEB: "text/html"}


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = SITE


@pytest.fixture
def bulletin(world: Any) -> Periodical:
    return Periodical.objects.create(
        name="Bulletin", slug="bulletin", language="en", frequency=Frequency.MONTHLY, audience=Audience.PUBLIC
    )


@pytest.fixture
def internal(world: Any) -> Periodical:
    return Periodical.objects.create(
        name="Internal Bulletin", slug="internal", language="en", frequency=Frequency.MONTHLY, audience=Audience.MEMBERS
    )


def publish(
    periodical: Periodical,
    number: int,
    language: str = "en",
    *,
    version: int = 1,
    status: str = EditionStatus.PUBLISHED,
    published_at: datetime.datetime | None = None,
    correction: str = "",
    formats: tuple[str, ...] = (FileFormat.PDF, FileFormat.EPUB, FileFormat.WEB),
    items: int | list[dict[str, object]] = 0,
) -> Edition:
    """An edition of issue ``number`` in ``language`` with its files, as if the publish job had written them, and
    its contents: ``items`` items (or those given, as ``edition.contents_of`` makes them)."""
    issue, _created = Issue.objects.get_or_create(
        periodical=periodical,
        number=number,
        defaults={"planned_date": datetime.date(2030, number % 12 + 1, 1), "status": IssueStatus.PUBLISHED},
    )
    edition = Edition.objects.create(
        issue=issue,
        language=language,
        version=version,
        status=status,
        correction=correction,
        published_at=published_at or T0 + datetime.timedelta(days=30 * number),
        contents=items if isinstance(items, list) else [entry(number, n, language) for n in range(1, items + 1)],
    )
    folder = f"{periodical.slug}/{number}/{language}/v{version}"  # as ``storage.edition_folder`` names it
    stem = f"{periodical.slug}-{number}-{language}"
    for fmt in formats:
        names = ["index.html", "items/1.html"] if fmt == FileFormat.WEB else [f"{stem}.{fmt}"]
        for name in names:
            EditionFile.objects.create(
                edition=edition,
                format=fmt,
                path=f"{folder}/{name}",
                media_type=MEDIA[FileFormat(fmt)],
                size=SIZES.get(FileFormat(fmt), 2_000) + version,
                sha256=hashlib.sha256(f"{folder}/{name}".encode()).hexdigest(),
            )
    return edition


def entry(number: int, position: int, language: str = "en", **changes: object) -> dict[str, object]:
    """An item of an edition's contents, as the publish job keeps it: signed by a person of a section."""
    return {
        "position": position,
        "label": f"Bulletin No. {number}, item {position}",
        "kind": "Report",
        "title": f"Report {position} of No. {number}",
        "language": language,
        "direction": "rtl" if language == "ar" else "ltr",
        "signature": "Rosa",
        "section": "Section A",
        **changes,
    }


def xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - Liaison's own output, under test
