"""The editions panel on the issue page: publishing from it, following a job live, retrying, and downloading; and the
page of a language's versions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from liaison.periodicals.models import Issue
from liaison.publishing import registry, services
from liaison.publishing.models import Edition, EditionStatus, JobState, PublishJob
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

ISSUE = "/bulletins/bulletin/1/"
PANEL = "/bulletins/bulletin/1/editions/"
PUBLISH = "/bulletins/bulletin/1/editions/publish/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def panel_of(html: str) -> str:
    found = re.search(r'<section id="publishing".*?</section>', html, re.S)
    assert found, "no editions panel"
    return found.group(0)


def test_editors_see_a_publish_form_per_complete_language(world: Any, issue: Issue, client_as: Any) -> None:
    panel = panel_of(client_as("editor").get(ISSUE).content.decode())

    assert "Publish the English edition" in panel and "Publish the French edition" in panel
    assert "Publish the German edition" not in panel
    assert "Not complete: 2 items still need an approved translation." in panel
    assert panel.count('action="/bulletins/bulletin/1/editions/publish/"') == 2
    assert "hx-trigger" not in panel  # no job: nothing to follow


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_a", "corr_b", "translator"])
def test_others_see_no_publish_form(world: Any, issue: Issue, client_as: Any, role: str) -> None:
    page = client_as(role).get(ISSUE).content.decode()
    panel = panel_of(page)
    assert "/editions/publish/" not in panel and "Publish the" not in panel
    assert "No edition of this issue is published yet." in panel


def test_the_panel_is_not_shown_before_the_issue_is_assembled(
    world: Any, bulletin: Any, client_as: Any, published_dir: Any, renderers: Any
) -> None:
    from tests.publishing.fixtures_core import assembled_issue

    assembled_issue(world, bulletin, assemble=False)
    assert 'id="publishing"' not in client_as("editor").get(ISSUE).content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_editor_publishes_from_the_issue_page(world: Any, issue: Issue, client_as: Any) -> None:
    """Without a worker, the job runs as soon as the request's work is committed: the page tells the outcome."""
    client = client_as("editor")
    response = client.post(PUBLISH, {"language": "fr"})

    assert response.status_code == 302 and response["Location"] == ISSUE + "#publishing"
    page = client.get(ISSUE).content.decode()
    assert "The French edition is published (version 1)." in page
    panel = panel_of(page)
    assert 'href="/editions/bulletin/1/fr/index.html"' in panel
    assert 'href="/editions/bulletin/1/fr/bulletin-1-fr.pdf"' in panel and " download" in panel
    # Published: the form asks what a new version would correct.
    assert "What this version corrects" in panel and "Publish a corrected version (2)" in panel


def test_publishing_with_htmx_answers_with_the_panel(
    world: Any, issue: Issue, client_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("editor").post(PUBLISH, {"language": "en"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section id="publishing"') and "<html" not in html
    assert Edition.objects.get().language == "en"


@pytest.mark.parametrize("role", ["member", "corr_a", "corr_b", "translator"])
def test_only_editors_may_publish(world: Any, issue: Issue, client_as: Any, role: str) -> None:
    assert client_as(role).post(PUBLISH, {"language": "fr"}).status_code == 403
    assert not PublishJob.objects.exists()


def test_anonymous_visitors_are_asked_to_log_in_to_publish(world: Any, issue: Issue, client_as: Any) -> None:
    response = client_as("anonymous").post(PUBLISH, {"language": "fr"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not PublishJob.objects.exists()


def test_publishing_an_incomplete_edition_shows_what_is_missing(world: Any, issue: Issue, client_as: Any) -> None:
    response = client_as("editor").post(PUBLISH, {"language": "de"}, **HTMX)

    html = response.content.decode()
    assert "The German edition is not complete" in html
    assert "Report 1" in html and "Report 2" in html
    assert not PublishJob.objects.exists()


@pytest.mark.parametrize("language", ["xx-nonsense", ""])
def test_publishing_what_is_not_a_language_is_refused_clearly(
    world: Any, issue: Issue, client_as: Any, language: str
) -> None:
    html = client_as("editor").post(PUBLISH, {"language": language}, **HTMX).content.decode()
    assert re.search(
        r'<ul class="errorlist" role="alert"><li>(“xx-nonsense” is not a language code|This field is required)', html
    )
    assert not PublishJob.objects.exists()


def test_without_htmx_a_refusal_comes_back_as_a_message(world: Any, issue: Issue, client_as: Any) -> None:
    client = client_as("editor")
    response = client.post(PUBLISH, {"language": "de"}, follow=True)
    assert "The German edition is not complete" in response.content.decode()


def test_a_republication_without_a_note_is_refused_next_to_the_field(
    world: Any, issue: Issue, published: Edition, client_as: Any
) -> None:
    html = client_as("editor").post(PUBLISH, {"language": "fr", "correction": ""}, **HTMX).content.decode()

    assert "To publish it again, say what the new version corrects" in html
    assert re.search(r'class="field has-error".*?What this version corrects', html, re.S)
    assert Edition.objects.count() == 1


def test_a_correction_from_the_page_keeps_the_earlier_version(
    world: Any, issue: Issue, published: Edition, client_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_as("editor")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PUBLISH, {"language": "fr", "correction": "Item 2's date was wrong."})

    panel = panel_of(client.get(ISSUE).content.decode())
    assert "Version 2" in panel and "Item 2&#x27;s date was wrong." in panel
    assert "One earlier version" in panel
    versions = client.get("/bulletins/bulletin/1/editions/fr/").content.decode()
    assert "Version 1" in versions and "Version 2" in versions
    # The earlier version says what corrected it, and links to its own archived files.
    assert "Corrected by version 2:" in versions
    assert 'href="/editions/bulletin/1/fr-v1/bulletin-1-fr.pdf"' in versions
    assert 'href="/editions/bulletin/1/fr/bulletin-1-fr.pdf"' in versions


def test_a_running_job_is_followed_live(world: Any, issue: Issue, client_as: Any) -> None:
    job = services.request_publish(world.actor("editor"), issue, "fr")
    PublishJob.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, steps_total=6, steps_done=3, step="Rendering: PDF", warnings=["A long word broken."]
    )
    status = f"/bulletins/bulletin/1/editions/jobs/{job.pk}/"
    client = client_as("editor")

    html = client.get(PANEL, **HTMX).content.decode()

    # Only the job's status is polled: a correction note being written elsewhere in the panel is left alone.
    assert f'<div class="job-status" id="job-fr" hx-get="{status}" hx-trigger="every 2s" hx-swap="outerHTML">' in html
    assert html.count("hx-trigger") == 1
    assert '<progress id="progress-fr" max="6" value="3">50%</progress>' in html
    assert "Rendering: PDF" in html and "A long word broken." in html
    # While it runs, no second publish form for that language.
    assert 'name="language" value="fr"' not in html

    polled = client.get(status, **HTMX)
    assert polled.content.decode().startswith('<div class="job-status" id="job-fr"')
    assert "HX-Retarget" not in polled

    PublishJob.objects.filter(pk=job.pk).update(state=JobState.DONE)
    ended = client.get(status, **HTMX)
    # Done: the whole panel comes back, in place of the panel.
    assert ended["HX-Retarget"] == "#publishing" and ended["HX-Reswap"] == "outerHTML"
    assert ended.content.decode().startswith('<section id="publishing"')
    assert "hx-trigger" not in ended.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "member", "corr_a", "translator"])
def test_only_editors_follow_a_job(world: Any, issue: Issue, client_as: Any, role: str) -> None:
    job = services.request_publish(world.actor("editor"), issue, "fr")
    response = client_as(role).get(f"/bulletins/bulletin/1/editions/jobs/{job.pk}/", **HTMX)
    assert response.status_code == (302 if role == "anonymous" else 403)


def test_following_a_job_without_htmx_leads_to_the_issue_page(world: Any, issue: Issue, client_as: Any) -> None:
    job = services.request_publish(world.actor("editor"), issue, "fr")
    response = client_as("editor").get(f"/bulletins/bulletin/1/editions/jobs/{job.pk}/")
    assert response.status_code == 302 and response["Location"] == ISSUE + "#publishing"


def test_the_job_status_costs_a_fixed_number_of_queries(
    world: Any, issue: Issue, client_as: Any, django_assert_num_queries: Any
) -> None:
    job = services.request_publish(world.actor("editor"), issue, "fr")
    client = client_as("editor")
    # Session, account, second factor, the actor (2), the issue, the job, the federation (for the page's context).
    with django_assert_num_queries(8):
        assert client.get(f"/bulletins/bulletin/1/editions/jobs/{job.pk}/", **HTMX).status_code == 200


def test_a_failed_job_shows_its_error_and_can_be_retried(
    world: Any, issue: Issue, client_as: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(registry, "RENDERERS", [("pdf", "tests.publishing.fakes:broken")])
    failed = publish(world, issue, "fr")
    client = client_as("editor")

    html = client.get(PANEL, **HTMX).content.decode()
    assert "Publishing failed after 1 attempt:" in html and "RendererBug: the renderer has a bug" in html
    retry = f"/bulletins/bulletin/1/editions/jobs/{failed.pk}/retry/"
    assert f'action="{retry}"' in html and "hx-trigger" not in html

    monkeypatch.setattr(registry, "RENDERERS", [("pdf", "tests.publishing.fakes:pdf")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry, **HTMX)

    assert 'id="job-fr" hx-get=' in response.content.decode()  # queued again: followed live
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (JobState.DONE, 2)
    assert 'href="/editions/bulletin/1/fr/bulletin-1-fr.pdf"' in client.get(PANEL, **HTMX).content.decode()


@pytest.mark.parametrize("role", ["member", "corr_a", "translator"])
def test_only_editors_retry(
    world: Any, issue: Issue, client_as: Any, monkeypatch: pytest.MonkeyPatch, role: str
) -> None:
    monkeypatch.setattr(registry, "RENDERERS", [("pdf", "tests.publishing.fakes:broken")])
    failed = publish(world, issue, "fr")
    assert client_as(role).post(f"/bulletins/bulletin/1/editions/jobs/{failed.pk}/retry/").status_code == 403
    failed.refresh_from_db()
    assert failed.state == JobState.FAILED


def test_retrying_a_job_of_another_issue_is_not_found(world: Any, issue: Issue, client_as: Any) -> None:
    job = services.request_publish(world.actor("editor"), issue, "fr")
    assert client_as("editor").post(f"/bulletins/bulletin/2/editions/jobs/{job.pk}/retry/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_everyone_downloads_a_public_edition(
    world: Any, issue: Issue, published: Edition, client_as: Any, role: str
) -> None:
    panel = panel_of(client_as(role).get(ISSUE).content.decode())
    assert 'href="/editions/bulletin/1/fr/bulletin-1-fr.epub"' in panel
    assert "Read online" in panel


@pytest.mark.parametrize("role", ROLES)
def test_only_members_see_an_internal_bulletins_editions(
    world: Any, internal_issue: Issue, client_as: Any, role: str
) -> None:
    publish(world, internal_issue, "fr")
    response = client_as(role).get("/bulletins/internal/1/editions/")
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    assert response.status_code == 200
    assert 'href="/editions/internal/1/fr/bulletin-1-fr.pdf"'.replace("bulletin-1", "internal-1") in (
        response.content.decode()
    )


def test_an_account_without_a_role_does_not_see_an_internal_bulletins_editions(
    world: Any, internal_issue: Issue
) -> None:
    from liaison.accounts.models import User

    publish(world, internal_issue, "fr")
    client = Client()
    client.force_login(User.objects.create_user(username="outsider", password="x"))
    assert client.get("/bulletins/internal/1/editions/").status_code == 403
    assert client.get("/bulletins/internal/1/editions/fr/").status_code == 403


def test_the_versions_page_of_an_unpublished_language_is_not_found(
    world: Any, issue: Issue, published: Edition, client_as: Any
) -> None:
    assert client_as("editor").get("/bulletins/bulletin/1/editions/de/").status_code == 404


def test_the_panel_page_works_without_htmx(world: Any, issue: Issue, published: Edition, client_as: Any) -> None:
    html = client_as("anonymous").get(PANEL).content.decode()
    assert "<h1>" in html and "Editions of" in html and "/editions/bulletin/1/fr/index.html" in html


@pytest.mark.parametrize("languages", [1, 3])
def test_the_panel_costs_the_same_whatever_the_editions(
    world: Any,
    issue: Issue,
    client_as: Any,
    django_assert_num_queries: Any,
    monkeypatch: pytest.MonkeyPatch,
    languages: int,
) -> None:
    for code in ["fr", "en"][: min(languages, 2)]:
        publish(world, issue, code)
    if languages == 3:
        publish(world, issue, "fr", correction="A typo.")
    monkeypatch.setattr(registry, "RENDERERS", [("pdf", "tests.publishing.fakes:broken")])
    assert publish(world, issue, "fr", correction="Another typo.").state == JobState.FAILED
    # The page's own (session, account, actor, federation...), then the panel: the editions and their files; for
    # the editor also the latest jobs, the working languages, the items and all their translations.
    for role, queries in (("editor", 13), ("anonymous", 4), ("member", 10)):
        client = client_as(role)
        with django_assert_num_queries(queries):
            response = client.get(PANEL, **HTMX)
        assert response.status_code == 200
    assert Edition.objects.filter(status=EditionStatus.PUBLISHED).count() == min(languages, 2)
