"""Papers named in any script: Cyrillic, CJK and Arabic names are kept, linked, shown and offered for download."""

from __future__ import annotations

import datetime
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liaison.distribution.models import Receipt
from liaison.exchange import services
from liaison.periodicals.models import Periodical
from tests.exchange.conftest import PDF, TODAY

NAMES = ["Голос секции", "支部通讯", "صوت الفرع"]


@pytest.mark.parametrize("name", NAMES)
def test_a_paper_named_in_any_script_goes_through_the_whole_exchange(world, client_as, name: str) -> None:
    corr_a = client_as("corr_a")
    response = corr_a.post(
        reverse("exchange:paper_new", args=["alpha"]), {"name": name, "language": "ru", "frequency": "monthly"}
    )
    paper = Periodical.objects.get()
    assert paper.name == name and response["Location"] == reverse("exchange:paper", args=[paper.slug])
    services.add_partner(
        world.actor("corr_a"), paper, world.section_b, started_on=datetime.date(2025, 1, 1), today=TODAY
    )
    upload = SimpleUploadedFile(f"{name} №1.pdf", PDF, content_type="application/pdf")
    response = corr_a.post(
        reverse("exchange:issue_new", args=[paper.slug]), {"number": 1, "date": "2025-02-01", "pdf": upload}
    )
    assert response.status_code == 302
    page = corr_a.get(reverse("exchange:paper", args=[paper.slug])).content.decode()
    assert name in page and f"{name} №1.pdf" in page
    # Section B sees it late and missing on its dashboard, records its arrival, and downloads the PDF.
    corr_b = client_as("corr_b")
    dashboard = corr_b.get("/sections/beta/dashboard/").content.decode()
    assert name in dashboard and "late since" in dashboard
    corr_b.post(reverse("exchange:arrival", args=[paper.slug, 1]), {"section": "beta"})
    assert Receipt.objects.filter(issue__periodical=paper).count() == 1
    download = corr_b.get(reverse("exchange:issue_pdf", args=[paper.slug, 1]))
    assert download.status_code == 200
    assert quote(f"{name} №1.pdf") in download["Content-Disposition"]


def test_a_unicode_name_does_not_collide_with_another(world, client_as) -> None:
    for name in NAMES:
        client_as("corr_a").post(
            reverse("exchange:paper_new", args=["alpha"]), {"name": name, "language": "ru", "frequency": "weekly"}
        )
    assert sorted(Periodical.objects.values_list("name", flat=True)) == sorted(NAMES)
    assert len(set(Periodical.objects.values_list("slug", flat=True))) == 3
