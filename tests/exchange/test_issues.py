"""Registering a paper's issues, with or without their PDF: what is kept, and what is refused (nothing kept)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liaison.errors import Conflict, LiaisonError, NotAllowed
from liaison.exchange import schedule
from liaison.exchange.models import IssueFile
from liaison.periodicals.models import Issue, IssueStatus, Periodical
from tests.exchange.conftest import PDF, TODAY

D = datetime.date
NEW = "/exchange/papers/voix/issues/new/"


def pdf(name: str = "numero-1.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_it_registers_an_issue_as_published_on_its_local_date(world, paper, register) -> None:
    issue = register(1, D(2025, 5, 1), title="Numéro spécial")
    issue.refresh_from_db()
    assert (issue.status, issue.planned_date, issue.title) == (IssueStatus.PUBLISHED, D(2025, 5, 1), "Numéro spécial")
    assert issue.published_at is not None and schedule.local_date(issue.published_at) == D(2025, 5, 1)


def test_it_publishes_a_number_that_was_only_planned(world, paper, register) -> None:
    Issue.objects.create(periodical=paper, number=1, planned_date=D(2025, 6, 1))
    issue = register(1, D(2025, 5, 2))
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.PUBLISHED


def test_it_refuses_a_number_registered_twice(world, paper, register) -> None:
    register(1, D(2025, 5, 1))
    with pytest.raises(Conflict, match=re.escape("No. 1 of La Voix d'Alpha is already registered")):
        register(1, D(2025, 5, 2))
    assert Issue.objects.get().planned_date == D(2025, 5, 1)


@pytest.mark.parametrize(
    ("number", "day", "message"),
    [
        (0, D(2025, 5, 1), "Issue numbers start at 1."),
        (5, TODAY + datetime.timedelta(days=1), "its date cannot be after today"),
        (2, D(2025, 2, 1), "No. 2 cannot be dated before No. 1, which appeared on 2025-03-01."),
        (2, D(2025, 5, 2), "No. 2 cannot be dated after No. 3, which appeared on 2025-05-01."),
    ],
)
def test_it_refuses_a_bad_number_or_date(world, paper, register, number: int, day: datetime.date, message: str) -> None:
    register(1, D(2025, 3, 1))
    register(3, D(2025, 5, 1))
    with pytest.raises(LiaisonError, match=message):
        register(number, day)
    assert sorted(Issue.objects.values_list("number", flat=True)) == [1, 3]


@pytest.mark.parametrize("role", ["corr_b", "member", "editor", "translator", "anonymous"])
def test_only_the_papers_own_correspondents_register_its_issues(world, paper, register, role: str) -> None:
    with pytest.raises(NotAllowed):
        register(1, D(2025, 5, 1), role=role)
    assert not Issue.objects.exists()


def test_a_bulletin_is_not_a_sections_paper(world, register) -> None:
    bulletin = Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")
    with pytest.raises(LiaisonError, match="one of the federation's bulletins"):
        register(1, D(2025, 5, 1), of=bulletin)


# The page --------------------------------------------------------------------------------------------------------


def test_the_page_registers_an_issue_with_its_pdf(world, paper, client_as, media: Path) -> None:
    response = client_as("corr_a").post(NEW, {"number": 7, "date": "2025-05-01", "pdf": pdf()}, follow=True)
    assert response.status_code == 200
    assert "No. 7 of La Voix d&#x27;Alpha registered." in response.content.decode()
    stored = IssueFile.objects.get(issue__number=7)
    assert (stored.name, stored.size) == ("numero-1.pdf", len(PDF))
    path = Path(stored.file.path)
    assert path.read_bytes() == PDF and path.is_relative_to(media / "exchange")


def test_the_form_proposes_the_next_number_and_today(world, paper, register, client_as) -> None:
    register(4, D(2025, 4, 1))
    form = client_as("corr_a").get(NEW).context["form"]
    assert form.initial == {"number": 5, "date": TODAY}


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (pdf("issue.pdf", PNG), "This file is not a PDF"),
        (pdf("issue.pdf", b"<html><script>alert(1)</script></html>"), "This file is not a PDF"),
        (pdf("issue.pdf", PDF[:-7]), "This PDF is incomplete"),
        (pdf("empty.pdf", b""), "The submitted file is empty."),
    ],
)
def test_the_page_refuses_a_file_that_is_not_a_pdf_and_registers_nothing(
    world, paper, client_as, media: Path, upload: Any, message: str
) -> None:
    response = client_as("corr_a").post(NEW, {"number": 1, "date": "2025-05-01", "pdf": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Issue.objects.exists() and not IssueFile.objects.exists()
    assert stored_files(media) == []


def test_the_page_refuses_a_pdf_that_is_too_large_with_the_limit(
    world, paper, client_as, settings, media: Path
) -> None:
    settings.EXCHANGE_PDF_MAX_BYTES = 1024
    big = PDF[:-6] + b" " * 2000 + b"%%EOF\n"
    response = client_as("corr_a").post(NEW, {"number": 1, "date": "2025-05-01", "pdf": pdf("big.pdf", big)})
    assert response.status_code == 400
    assert "The file is too large (2.1\xa0KB): a PDF may be at most 1.0\xa0KB." in response.content.decode()
    assert not Issue.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("\u202egpj.pdf", "gpj.pdf"),
        ("../.htaccess", "htaccess.pdf"),
        ("report\r\nSet-Cookie: x=1.pdf", "reportSet-Cookie: x=1.pdf"),
        ("...", "voix-3.pdf"),
        ("выпуск №3 — 号外 — عدد.pdf", "выпуск №3 — 号外 — عدد.pdf"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_a_hostile_file_name_is_never_used_as_a_path(
    world, paper, register, media: Path, client_as, sent: str, kept: str
) -> None:
    issue = register(3, D(2025, 5, 1), pdf=pdf(sent))
    stored = IssueFile.objects.get(issue=issue)
    assert stored.name == kept
    # Stored under a name Liaison made, inside the media folder.
    path = Path(stored.file.path).resolve()
    assert path.is_relative_to(media.resolve() / "exchange") and path.name.startswith("3-")
    assert [p.resolve() for p in stored_files(media)] == [path]
    # Offered back for download under the cleaned name, as an attachment.
    response = client_as("corr_b").get("/exchange/papers/voix/issues/3/pdf/")
    assert response.status_code == 403  # B is not a partner yet: the paper's page is not B's
    response = client_as("member").get("/exchange/papers/voix/issues/3/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "\r" not in response["Content-Disposition"] and "/" not in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_replacing_the_pdf_deletes_the_old_file(
    world, paper, register, client_as, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    register(1, D(2025, 5, 1), pdf=pdf("first.pdf"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("corr_a").post(
            "/exchange/papers/voix/issues/1/pdf/upload/", {"pdf": pdf("second.pdf", PDF + b"\n")}
        )
    assert response.status_code == 302
    stored = IssueFile.objects.get()
    assert stored.name == "second.pdf"
    assert [p.name for p in stored_files(media)] == [Path(stored.file.name).name]


def test_a_refused_replacement_keeps_the_old_pdf(world, paper, register, client_as, media: Path) -> None:
    register(1, D(2025, 5, 1), pdf=pdf("first.pdf"))
    response = client_as("corr_a").post("/exchange/papers/voix/issues/1/pdf/upload/", {"pdf": pdf("x.pdf", PNG)})
    assert response.status_code == 400 and "This file is not a PDF" in response.content.decode()
    assert IssueFile.objects.get().name == "first.pdf" and len(stored_files(media)) == 1


def test_an_issue_without_a_pdf_has_no_download(world, paper, register, client_as) -> None:
    register(1, D(2025, 5, 1))
    assert client_as("corr_a").get("/exchange/papers/voix/issues/1/pdf/").status_code == 404
