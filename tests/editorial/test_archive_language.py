"""A bulletin's archive in one language (``/bulletins/<slug>/?language=fr``): the issues with a published edition in
it, newest first, with their web edition and downloads; the languages offered, each named in itself; bad codes; who
may read it; and its cost, whatever the number of issues.

The editions are published through the real services with the fake renderers (web, PDF, EPUB) of the publishing
tests, so the links are followed to the files themselves; the query-count test makes its editions directly.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from liaison.editorial import services as editorial_services
from liaison.periodicals.models import Issue, IssueStatus, Periodical
from liaison.publishing.models import Edition, EditionFile, EditionStatus
from tests.publishing.fixtures_core import (
    assembled_issue,
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

LINK = re.compile(r'<a href="([^"]+)"')


def _archive(client: Any, language: str, slug: str = "bulletin") -> tuple[int, str]:
    response = client.get(f"/bulletins/{slug}/", {"language": language})
    return response.status_code, response.content.decode()


def _rows(html: str) -> list[str]:
    """The archive table's rows, in order."""
    body = html.split('<table class="archive">', 1)[1].split("</table>", 1)[0] if 'class="archive"' in html else ""
    return re.findall(r'<tr id="issue-(\d+)">', body)


def _published_issue(world: Any, periodical: Periodical, languages: tuple[str, ...]) -> Issue:
    """A new issue of ``periodical``, translated into ``languages`` and published in each of them."""
    issue = assembled_issue(world, periodical, items=1, languages=tuple(code for code in languages if code != "en"))
    for code in languages:
        job = publish(world, issue, code)
        assert job.state == "done", job.error
    return issue


# What the archive in a language lists ----------------------------------------------------------------------------


def test_it_lists_the_issues_published_in_the_language_newest_first_with_their_formats(
    world, bulletin, published_dir, renderers, client_as
):
    _published_issue(world, bulletin, ("en", "fr"))
    _published_issue(world, bulletin, ("fr",))
    _published_issue(world, bulletin, ("en",))
    editorial_services.create_issue(world.actor("editor"), bulletin, planned_date=None, budget_pages=8)  # No. 4
    client = client_as("anonymous")

    status, html = _archive(client, "fr")
    assert status == 200
    assert _rows(html) == ["2", "1"]  # No. 3 is not out in French, No. 4 not at all
    assert 'href="/editions/bulletin/2/fr/index.html"' in html
    assert 'href="/editions/bulletin/2/fr/bulletin-2-fr.pdf"' in html
    assert 'href="/editions/bulletin/2/fr/bulletin-2-fr.epub"' in html
    for url in {u for u in LINK.findall(html) if u.startswith("/editions/bulletin/")}:
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get("/editions/bulletin/2/fr/bulletin-2-fr.pdf")["Content-Type"] == "application/pdf"
    assert client.get("/editions/bulletin/2/fr/bulletin-2-fr.epub")["Content-Type"] == "application/epub+zip"
    assert "Open for contributions" not in html and "Planned" not in html  # statuses belong to the full list

    assert _rows(_archive(client, "en")[1]) == ["3", "1"]


def test_only_the_current_version_is_listed_and_the_correction_said(world, published, client_as):
    correction = publish(world, published.issue, "fr", "The date on the cover was wrong.")
    assert correction.state == "done", correction.error
    html = _archive(client_as("anonymous"), "fr")[1]
    assert _rows(html) == ["1"]
    assert "Corrected edition (version 2)" in html and "The date on the cover was wrong." in html
    assert 'href="/bulletins/bulletin/1/editions/fr/"' in html  # the earlier versions, one link away
    assert "/editions/bulletin/1/fr-v1/" not in html


def test_an_edition_being_built_or_failed_is_listed_to_nobody(world, issue, client_as):
    Edition.objects.create(
        issue=issue, language="fr", status=EditionStatus.BUILDING, published_at=timezone.now().replace(microsecond=0)
    )
    Edition.objects.create(
        issue=issue,
        language="de",
        version=1,
        status=EditionStatus.FAILED,
        published_at=timezone.now().replace(microsecond=0),
    )
    for role in ("anonymous", "editor"):
        client = client_as(role)
        html = _archive(client, "fr")[1]
        assert _rows(html) == []
        assert "Nothing published in this language yet." in html
        # Nor are their languages offered: nothing of the bulletin is published yet.
        assert "Published in:" not in client.get("/bulletins/bulletin/").content.decode()


# The languages offered ---------------------------------------------------------------------------------------------


def test_the_languages_offered_are_those_published_each_named_in_itself(
    world, bulletin, published_dir, renderers, client_as
):
    world.federation.working_languages = [*world.federation.working_languages, "ar"]
    world.federation.save()
    _published_issue(world, bulletin, ("en", "fr", "ar"))
    _published_issue(world, bulletin, ("ru",))
    html = client_as("anonymous").get("/bulletins/bulletin/").content.decode()
    nav = html.split('class="language-versions archive-languages"', 1)[1].split("</nav>", 1)[0]
    assert 'href="?language=ar" hreflang="ar" lang="ar" dir="rtl">العربية</a>' in nav
    assert 'lang="fr" dir="ltr">français</a>' in nav.lower()
    assert 'lang="ru" dir="ltr">русский</a>' in nav.lower()
    assert "?language=de" not in nav and "?language=es" not in nav  # nothing published in them
    # The bulletin's own language first, then the working languages' order: what the static site does.
    assert [code for code in re.findall(r"\?language=([a-z-]+)", nav)] == ["en", "fr", "ru", "ar"]
    # The chosen one is marked, not linked; the heading names it in itself too.
    arabic = _archive(client_as("anonymous"), "ar")[1]
    assert '<strong aria-current="page" lang="ar" dir="rtl">العربية</strong>' in arabic
    assert '<span lang="ar" dir="rtl">العربية</span>' in arabic


def test_the_readers_own_language_comes_first(world, bulletin, published_dir, renderers, client_as):
    _published_issue(world, bulletin, ("en", "fr", "ru"))
    client = client_as("anonymous")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = client.get("/bulletins/bulletin/").content.decode()
    assert re.findall(r"\?language=([a-z-]+)", html) == ["ru", "en", "fr"]
    # No language chosen: still every issue with its status, as before (a list narrowed silently would hide the
    # issues still being translated into the reader's language).
    assert '<tr id="issue-' not in html and "/bulletins/bulletin/1/" in html


def test_a_regional_variant_finds_the_language_and_case_does_not_matter(world, published, client_as):
    client = client_as("anonymous")
    for asked in ("FR", "fr-CA", " fr "):
        status, html = _archive(client, asked)
        assert status == 200 and _rows(html) == ["1"], asked


# Bad input ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("asked", ["xx<script>", "xx", "english", "f" * 40, "fr/../../etc"])
def test_a_code_that_names_no_language_is_refused_clearly_and_lists_nothing(world, published, client_as, asked):
    status, html = _archive(client_as("anonymous"), asked)
    assert status == 400
    assert "This address does not name a language." in html
    assert _rows(html) == [] and "<table" not in html  # not even the full list, under a wrong heading
    main = html.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    assert asked not in main and escape(asked) not in main  # never echoed back
    assert 'href="?language=fr"' in html  # the languages there are, to choose from


def test_a_real_language_with_nothing_published_says_so(world, published, client_as):
    status, html = _archive(client_as("anonymous"), "de")
    assert status == 200
    assert "Nothing published in this language yet." in html
    assert '<span lang="de" dir="ltr">Deutsch</span>' in html
    assert _rows(html) == []


def test_an_empty_bulletin_has_no_language_to_offer(world, bulletin, client_as):
    status, html = _archive(client_as("anonymous"), "fr")
    assert status == 200 and "Nothing published in this language yet." in html
    assert "Published in:" not in html


# Who may read it ----------------------------------------------------------------------------------------------------


def test_an_internal_bulletins_archive_is_for_members_only(world, internal_issue, client_as):
    job = publish(world, internal_issue, "fr")
    assert job.state == "done", job.error
    anonymous = client_as("anonymous").get("/bulletins/internal/", {"language": "fr"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    refused_files = client_as("anonymous").get("/editions/internal/1/fr/index.html")
    assert refused_files.status_code == 302
    for role in ("member", "translator", "editor"):
        client = client_as(role)
        status, html = _archive(client, "fr", slug="internal")
        assert status == 200 and _rows(html) == ["1"], role
        assert client.get("/editions/internal/1/fr/index.html").status_code == 200
        # A private bulletin has no public feed to offer.
        assert "/feeds/internal/" not in html


def test_editors_keep_their_tools_and_see_the_same_archive(world, published, client_as):
    editorial_services.create_issue(
        world.actor("editor"), published.issue.periodical, planned_date=None, budget_pages=8
    )
    editor = client_as("editor")
    status, html = _archive(editor, "fr")
    assert status == 200 and _rows(html) == ["1"]  # No. 2 is planned: nothing to read in French yet
    assert "Plan an issue" in html
    full = editor.get("/bulletins/bulletin/").content.decode()
    assert "Plan an issue" in full and "Planned" in full and "/bulletins/bulletin/2/" in full
    member = client_as("member")
    assert _rows(_archive(member, "fr")[1]) == ["1"]
    assert "Plan an issue" not in _archive(member, "fr")[1]


def test_an_edition_without_web_pages_leads_to_the_issue_page_in_its_language(world, bulletin, client_as):
    _issues(world, bulletin, 1)
    issue = Issue.objects.get(periodical=bulletin)
    _edition(issue, "ru", formats=("pdf",))
    html = _archive(client_as("anonymous"), "ru")[1]
    assert _rows(html) == ["1"]
    assert '<a href="/bulletins/bulletin/1/?lang=ru">No. 1</a>' in html
    assert 'href="/editions/bulletin/1/ru/bulletin-1-ru.pdf"' in html and "Read online" not in html


def test_a_public_archive_offers_its_feed_in_that_language(world, published, client_as):
    client = client_as("anonymous")
    html = _archive(client, "fr")[1]
    assert 'href="/feeds/bulletin/fr.atom"' in html
    assert client.get("/feeds/bulletin/fr.atom").status_code == 200


# Cost ---------------------------------------------------------------------------------------------------------------


def _edition(issue: Issue, language: str, formats: tuple[str, ...] = ("web", "pdf", "epub", "email")) -> Edition:
    """An edition published as the job would leave it (rows only: the listing reads no file)."""
    edition = Edition.objects.create(
        issue=issue,
        language=language,
        status=EditionStatus.PUBLISHED,
        published_at=datetime.datetime(2030, 1, issue.number % 28 + 1, tzinfo=datetime.UTC),
    )
    folder = f"{issue.periodical.slug}/{issue.number}/{language}/v1"
    for fmt, name, media in (
        ("web", "index.html", "text/html; charset=utf-8"),
        ("web", "items/1.html", "text/html; charset=utf-8"),
        ("pdf", f"bulletin-{issue.number}-{language}.pdf", "application/pdf"),
        ("epub", f"bulletin-{issue.number}-{language}.epub", "application/epub+zip"),
        ("email", "email.html", "text/html; charset=utf-8"),
    ):
        if fmt not in formats:
            continue
        EditionFile.objects.create(
            edition=edition, format=fmt, path=f"{folder}/{name}", media_type=media, size=1000, sha256="0" * 64
        )
    return edition


def _issues(world: Any, periodical: Periodical, count: int) -> None:
    for _n in range(count):
        issue = editorial_services.create_issue(world.actor("editor"), periodical, planned_date=None, budget_pages=8)
        Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED, published_at=timezone.now())
        _edition(issue, "fr")
        _edition(issue, "en")


@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_the_archive_costs_the_same_for_2_issues_as_for_20(world, bulletin, client_as, role):
    client = client_as(role)
    client.get("/bulletins/bulletin/", {"language": "fr"})  # the session and the federation, once
    counts = {}
    for total in (2, 20):
        _issues(world, bulletin, total - Issue.objects.filter(periodical=bulletin).count())
        for asked in ("fr", ""):
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/bulletins/bulletin/", {"language": asked} if asked else {})
            assert response.status_code == 200
            counts[(total, asked)] = len(queries)
        html = response.content.decode()
        assert html.count("/bulletins/bulletin/") >= total
    assert counts[(2, "fr")] == counts[(20, "fr")], counts
    assert counts[(2, "")] == counts[(20, "")], counts
    assert counts[(20, "fr")] <= 12, counts
    html = client.get("/bulletins/bulletin/", {"language": "fr"}).content.decode()
    assert _rows(html) == [str(n) for n in range(20, 0, -1)]
    assert "email.html" not in html  # the email edition is sent, not offered here
