"""Who reaches each exchange page: the paper's section's correspondents manage it, the receiving section's
correspondents record and claim, a section's members see their section's, the secretariat sees all."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.exchange import services
from liaison.federation.models import Section, SectionStatus
from liaison.periodicals.models import Periodical
from tests.conftest import ROLES
from tests.exchange.conftest import PDF, TODAY, grow

D = datetime.date
LOGIN = "login"

# page → role → expected status (LOGIN: sent to log in). Section A publishes "voix"; section B receives it.
PAGES: dict[str, dict[str, int | str]] = {
    "/exchange/": {"anonymous": LOGIN, "member": 200, "corr_a": 200, "corr_b": 200, "translator": 200, "editor": 200},
    "/exchange/sections/alpha/": {
        "anonymous": LOGIN,
        "member": 200,
        "corr_a": 200,
        "corr_b": 403,
        "translator": 403,
        "editor": 200,
    },
    "/exchange/sections/beta/": {
        "anonymous": LOGIN,
        "member": 403,
        "corr_a": 403,
        "corr_b": 200,
        "translator": 403,
        "editor": 200,
    },
    "/exchange/sections/alpha/paper/new/": {
        "anonymous": LOGIN,
        "member": 403,
        "corr_a": 200,
        "corr_b": 403,
        "translator": 403,
        "editor": 403,
    },
    "/exchange/papers/voix/": {
        "anonymous": LOGIN,
        "member": 200,
        "corr_a": 200,
        "corr_b": 200,
        "translator": 403,
        "editor": 200,
    },
    "/exchange/papers/voix/issues/1/pdf/": {
        "anonymous": LOGIN,
        "member": 200,
        "corr_a": 200,
        "corr_b": 200,
        "translator": 403,
        "editor": 200,
    },
    "/exchange/papers/voix/issues/new/": {
        "anonymous": LOGIN,
        "member": 403,
        "corr_a": 200,
        "corr_b": 403,
        "translator": 403,
        "editor": 403,
    },
    "/exchange/papers/voix/issues/1/pdf/upload/": {
        "anonymous": LOGIN,
        "member": 403,
        "corr_a": 200,
        "corr_b": 403,
        "translator": 403,
        "editor": 403,
    },
    "/exchange/papers/voix/partners/": {
        "anonymous": LOGIN,
        "member": 403,
        "corr_a": 200,
        "corr_b": 403,
        "translator": 403,
        "editor": 403,
    },
}


@pytest.fixture
def scene(world, paper, partnership, register):
    from django.core.files.uploadedfile import SimpleUploadedFile

    register(1, D(2025, 3, 1), pdf=SimpleUploadedFile("un.pdf", PDF))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_who_reaches_each_page(scene, client_as, page: str, role: str) -> None:
    expected = PAGES[page][role]
    response = client_as(role).get(page)
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected


def test_a_section_that_is_not_a_partner_does_not_see_the_paper(world, paper, register, client_as) -> None:
    register(1, D(2025, 3, 1))
    assert client_as("corr_b").get("/exchange/papers/voix/").status_code == 403
    assert client_as("corr_b").get("/exchange/papers/voix/issues/1/pdf/").status_code == 403
    assert "La Voix" not in client_as("corr_b").get("/exchange/").content.decode()


def test_a_partner_sees_its_own_arrivals_and_not_the_other_partners(world, paper, partnership, client_as) -> None:
    gamma = Section.objects.create(
        name="Section Gamma",
        slug="gamma",
        country="JP",
        region=world.europe,
        languages=["ja"],
        status=SectionStatus.ADHERING,
    )
    services.add_partner(world.actor("corr_a"), paper, gamma, today=TODAY)
    seen_by_b = client_as("corr_b").get("/exchange/papers/voix/").content.decode()
    assert "Section Beta" in seen_by_b and "Section Gamma" not in seen_by_b
    for role in ("corr_a", "member", "editor"):
        page = client_as(role).get("/exchange/papers/voix/").content.decode()
        assert "Section Beta" in page and "Section Gamma" in page


def test_only_the_paper_and_receiving_correspondents_see_the_buttons(scene, client_as) -> None:
    pages = {
        role: client_as(role).get("/exchange/papers/voix/").content.decode()
        for role in ("corr_a", "corr_b", "member", "editor")
    }
    assert "Register an issue" in pages["corr_a"]
    assert all("Register an issue" not in pages[r] for r in ("corr_b", "member", "editor"))
    assert "No. 1 arrived" in pages["corr_b"]
    assert all("No. 1 arrived" not in pages[r] for r in ("corr_a", "member", "editor"))


def test_the_index_lists_the_papers_of_ones_sections(world, paper, partnership, client_as) -> None:
    Periodical.objects.create(name="Other", slug="other", section=world.section_b, language="pt", frequency="weekly")
    assert "La Voix" in client_as("member").get("/exchange/").content.decode()
    assert "Other" not in client_as("member").get("/exchange/").content.decode()
    page = client_as("editor").get("/exchange/").content.decode()
    assert "La Voix" in page and "Other" in page


def test_the_section_adds_its_paper_from_a_form(world, client_as) -> None:
    response = client_as("corr_a").post(
        "/exchange/sections/alpha/paper/new/", {"name": "Le Lien", "language": "fr", "frequency": "fortnightly"}
    )
    made = Periodical.objects.get()
    assert response["Location"] == f"/exchange/papers/{made.slug}/"
    assert (made.section, made.frequency, made.language) == (world.section_a, "fortnightly", "fr")


def test_a_bad_paper_form_says_why_and_adds_nothing(world, client_as) -> None:
    response = client_as("corr_a").post(
        "/exchange/sections/alpha/paper/new/", {"name": " ", "language": "xx-notalanguage", "frequency": "weekly"}
    )
    assert response.status_code == 400 and not Periodical.objects.exists()


def test_a_bulletin_has_no_exchange_page(world, client_as) -> None:
    Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")
    assert client_as("editor").get("/exchange/papers/bulletin/").status_code == 404


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("corr_b", "/exchange/"),
        ("editor", "/exchange/"),
        ("corr_b", "/exchange/sections/beta/"),
        ("corr_a", "/exchange/sections/alpha/"),
        ("corr_a", "/exchange/papers/voix/"),
        ("corr_b", "/exchange/papers/voix/"),
        ("corr_a", "/exchange/papers/voix/partners/"),
    ],
)
def test_the_pages_cost_the_same_queries_whatever_the_data(world, paper, partnership, client_as, role, page) -> None:
    client = client_as(role)
    grow(world, paper, 1)
    client.get(page)
    with CaptureQueriesContext(connection) as small:
        assert client.get(page).status_code == 200
    grow(world, paper, 6)
    with CaptureQueriesContext(connection) as large:
        assert client.get(page).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries) <= 14
