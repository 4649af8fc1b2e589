"""Serving published files: to whom, with which headers, the current and the archived versions, and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from liaison.accounts.models import User
from liaison.periodicals.models import Issue
from liaison.publishing import registry
from liaison.publishing.models import Edition, EditionFile, JobState
from tests.conftest import ROLES
from tests.publishing.fixtures_core import (
    bulletin,
    internal,
    internal_issue,
    issue,
    publish,
    published,
    published_dir,
    renderers,
)

__all__ = ["bulletin", "internal", "internal_issue", "issue", "published", "published_dir", "renderers"]

PDF = "/editions/bulletin/1/fr/bulletin-1-fr.pdf"


def content(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_it_serves_a_file_with_its_type_size_and_digest(
    world: Any, issue: Issue, published: Edition, published_dir: Path, client: Client
) -> None:
    row = EditionFile.objects.get(path="bulletin/1/fr/v1/bulletin-1-fr.pdf")

    response = client.get(PDF)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="bulletin-1-fr.pdf"'
    assert response["ETag"] == f'"{row.sha256}"'
    assert response["Content-Length"] == str(row.size)
    assert "public" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert content(response) == (published_dir / row.path).read_bytes()


def test_web_pages_are_shown_not_downloaded(world: Any, issue: Issue, published: Edition, client: Client) -> None:
    for url in ("/editions/bulletin/1/fr/", "/editions/bulletin/1/fr/index.html"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert response["Content-Disposition"].startswith("inline")
        assert b"Rapport 1" in content(response)
    item = client.get("/editions/bulletin/1/fr/items/2.html")
    assert item.status_code == 200 and b"Rapport 2" in content(item)
    css = client.get("/editions/bulletin/1/fr/style.css")
    assert css["Content-Type"].startswith("text/css")


def test_an_unchanged_file_is_not_sent_again(world: Any, issue: Issue, published: Edition, client: Client) -> None:
    etag = client.get(PDF)["ETag"]

    response = client.get(PDF, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304 and response["ETag"] == etag
    assert client.get(PDF, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_head_and_only_reading(world: Any, issue: Issue, published: Edition, client: Client) -> None:
    assert client.head(PDF).status_code == 200
    assert client.post(PDF).status_code == 405


def test_after_a_correction_the_address_serves_the_new_version_and_the_old_one_stays(
    world: Any, issue: Issue, published: Edition, client: Client
) -> None:
    first = content(client.get(PDF))
    publish(world, issue, "fr", correction="A typo in item 1.")

    current = content(client.get(PDF))
    archived = client.get("/editions/bulletin/1/fr-v1/bulletin-1-fr.pdf")

    assert content(archived) == first
    assert current != first and b'"version": 2' in current
    # An archived version never changes: caches may keep it.
    assert "immutable" in archived["Cache-Control"]
    assert client.get("/editions/bulletin/1/fr-v1/").status_code == 200
    assert client.get("/editions/bulletin/1/fr-v2/bulletin-1-fr.pdf").status_code == 200
    assert client.get("/editions/bulletin/1/fr-v3/bulletin-1-fr.pdf").status_code == 404


def test_the_versioned_address_of_the_brief_leads_to_the_archived_one(
    world: Any, issue: Issue, published: Edition, client: Client
) -> None:
    response = client.get("/editions/bulletin/1/fr/v1/bulletin-1-fr.pdf")
    assert response.status_code == 301
    assert response["Location"] == "/editions/bulletin/1/fr-v1/bulletin-1-fr.pdf"


@pytest.mark.parametrize(
    "url",
    [
        "/editions/bulletin/1/fr/nothing.pdf",
        "/editions/bulletin/1/fr/../../../../etc/passwd",
        "/editions/bulletin/1/fr/%2e%2e/%2e%2e/secret",
        "/editions/bulletin/1/de/bulletin-1-de.pdf",
        "/editions/bulletin/2/fr/bulletin-2-fr.pdf",
        "/editions/nobulletin/1/fr/bulletin-1-fr.pdf",
        "/editions/bulletin/1/FR-v9/x.pdf",
    ],
)
def test_nothing_else_is_served(
    world: Any, issue: Issue, published: Edition, published_dir: Path, client: Client, url: str
) -> None:
    (published_dir / "secret").write_text("not published")
    assert client.get(url).status_code == 404


def test_an_edition_being_built_or_failed_is_not_served(
    world: Any, issue: Issue, published_dir: Path, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "RENDERERS", [("pdf", "tests.publishing.fakes:broken")])
    assert publish(world, issue, "fr").state == JobState.FAILED
    # Even a file that happens to be on disk where the edition would be.
    folder = published_dir / "bulletin/1/fr/v1"
    folder.mkdir(parents=True)
    (folder / "bulletin-1-fr.pdf").write_bytes(b"half")

    assert client.get(PDF).status_code == 404
    assert client.get("/editions/bulletin/1/fr-v1/bulletin-1-fr.pdf").status_code == 404


def test_a_file_lost_from_disk_is_not_found_and_logged(
    world: Any, issue: Issue, published: Edition, published_dir: Path, client: Client, caplog: Any
) -> None:
    shutil.rmtree(published_dir)
    assert client.get(PDF).status_code == 404
    assert "liaison publish --rebuild" in caplog.text


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_a_public_edition(
    world: Any, issue: Issue, published: Edition, client_as: Any, role: str
) -> None:
    assert client_as(role).get(PDF).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_only_members_read_an_internal_edition_in_every_format(
    world: Any, internal_issue: Issue, client_as: Any, role: str
) -> None:
    publish(world, internal_issue, "fr")
    client = client_as(role)
    for name in ("index.html", "items/1.html", "internal-1-fr.pdf", "internal-1-fr.epub"):
        response = client.get(f"/editions/internal/1/fr/{name}")
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 200, name
            assert "private" in response["Cache-Control"]


def test_an_account_without_a_role_reads_no_internal_edition(world: Any, internal_issue: Issue) -> None:
    publish(world, internal_issue, "fr")
    client = Client()
    client.force_login(User.objects.create_user(username="outsider", password="x"))
    assert client.get("/editions/internal/1/fr/internal-1-fr.pdf").status_code == 403
    assert client.get("/editions/internal/1/fr-v1/internal-1-fr.pdf").status_code == 403
