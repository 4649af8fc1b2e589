"""Fixtures of the publishing core's tests: bulletins (public and internal), an assembled issue whose English (the
originals) and French (approved translations) editions are complete and whose other editions are not, fake
renderers in the registry, and ``PUBLISHED_DIR`` in a temporary folder.

Import them into a test module: ``from tests.publishing.fixtures_core import bulletin, issue, published  # noqa``.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection, connections

from liaison.editorial import services as editorial_services
from liaison.editorial.models import State
from liaison.periodicals.models import Audience, Frequency, Issue, IssueStatus, Periodical
from liaison.publishing import registry, services
from liaison.publishing.models import Edition, PublishJob
from tests.editorial.fixtures_core import bring_to, write
from tests.editorial.translated import translate

FAKES = [
    ("web", "tests.publishing.fakes:web"),
    ("pdf", "tests.publishing.fakes:pdf"),
    ("epub", "tests.publishing.fakes:epub"),
]
BODY = "The dockers' union met on Monday[^1].\n\n[^1]: In the hall of the union."
FRENCH = "Le syndicat des dockers s'est réuni lundi[^1].\n\n[^1]: Dans la salle du syndicat."


@pytest.fixture
def published_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PUBLISHED_DIR = tmp_path / "published"
    return settings.PUBLISHED_DIR  # type: ignore[no-any-return]


@pytest.fixture
def renderers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The fake renderers in place of the real ones (web, PDF, EPUB)."""
    fakes = list(FAKES)
    monkeypatch.setattr(registry, "RENDERERS", fakes)
    return fakes


def _periodical(name: str, slug: str, audience: str) -> Periodical:
    return Periodical.objects.create(
        name=name, slug=slug, language="en", frequency=Frequency.MONTHLY, audience=audience
    )


@pytest.fixture
def bulletin(world: Any) -> Periodical:
    return _periodical("Bulletin", "bulletin", Audience.PUBLIC)


@pytest.fixture
def internal(world: Any) -> Periodical:
    return _periodical("Internal Bulletin", "internal", Audience.MEMBERS)


def assembled_issue(
    world: Any, periodical: Periodical, *, items: int = 2, languages: tuple[str, ...] = ("fr",), assemble: bool = True
) -> Issue:
    """An issue with ``items`` English contributions placed in it, translated and approved into ``languages``."""
    editor = world.actor("editor")
    issue = editorial_services.create_issue(
        editor, periodical, planned_date=datetime.date(2030, 3, 20), budget_pages=16
    )
    for n in range(1, items + 1):
        contribution = write(world, periodical, title=f"Report {n}", body=BODY, language="en")
        bring_to(world, contribution, State.PLACED, issue=issue)
        for language in languages:
            translate(world, contribution, language, f"Rapport {n}", FRENCH)
    if assemble:
        editorial_services.set_issue_status(editor, issue, IssueStatus.OPEN)
        editorial_services.set_issue_status(editor, issue, IssueStatus.ASSEMBLY)
    issue.refresh_from_db()
    return issue


@pytest.fixture
def issue(world: Any, bulletin: Periodical, published_dir: Path, renderers: Any) -> Issue:
    return assembled_issue(world, bulletin)


@pytest.fixture
def internal_issue(world: Any, internal: Periodical, published_dir: Path, renderers: Any) -> Issue:
    return assembled_issue(world, internal)


def publish(world: Any, issue: Issue, language: str = "fr", correction: str = "") -> PublishJob:
    """Ask as the editor and run the job here, as a worker would."""
    job = services.request_publish(world.actor("editor"), issue, language, correction)
    return services.run_job(job.pk)


@pytest.fixture
def published(world: Any, issue: Issue) -> Edition:
    """The issue's French edition, published (version 1)."""
    job = publish(world, issue, "fr")
    assert job.state == "done", job.error
    assert job.edition is not None
    return job.edition


@contextmanager
def file_database(tmp_path: Path) -> Iterator[str]:
    """The test database, where other threads and processes can use it; yields its ``DATABASE_URL``.

    PostgreSQL's test database is that already (with ``transaction=True`` tests, whose writes are committed). An
    in-memory SQLite test database is copied into a file, new connections are pointed at the file while the block
    runs (threads open theirs from the settings), and the file is copied back at the end, so that the test reads
    what the other threads and processes wrote. Data made inside the block must be made through them."""
    database = connections.settings["default"]
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        user = quote(database.get("USER") or "")
        password = quote(database.get("PASSWORD") or "")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = database.get("HOST") or "127.0.0.1"
        port = database.get("PORT") or 5432
        yield f"postgres://{credentials}{host}:{port}/{database['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    name = database["NAME"]
    database["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        database["NAME"] = name
        back = sqlite3.connect(path)
        back.backup(connection.connection)
        back.close()
