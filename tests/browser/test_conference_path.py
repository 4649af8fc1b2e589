"""A conference's positions in a browser: a correspondent states their section's position in Russian from the
conference's page; the statement goes through the bulletin's workflow into the wave's issue; a member of another
section, reading the interface in German, finds it in the positions matrix — on a desktop and at a phone's width.

The correspondent and the reader each have their own browser context (their own session). The interface's words
the reader sees are computed from the catalogue (``translation.override``), so the test follows its wording; the
question's title, written by the secretariat in German too, shows the reader's language whatever the catalogue.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils import timezone, translation
from django.utils.text import capfirst
from playwright.sync_api import Browser, Page, ViewportSize, expect

from liaison.accounts.models import User
from liaison.conference import services
from liaison.conference.models import Conference, Option, PositionState
from liaison.editorial import services as editorial
from liaison.editorial.models import Contribution, State
from liaison.federation.models import Person, Role, RoleKind, Section
from liaison.periodicals.models import Issue, IssueStatus, Periodical
from tests.browser.test_editorial_path import _log_in
from tests.editorial.conftest import open_issue

PHONE: ViewportSize = {"width": 375, "height": 740}
READER_LANGUAGE = "de"

STANCE = "Мы поддерживаем резолюцию, но требуем права фракций."
STATEMENT = "Секция Альфа **поддерживает** резолюцию с поправками.\n\n- право фракций;\n- выборность редакции.\n"
# What the reader's language says of the first question (the secretariat wrote it in German too).
Q1_TITLES = {
    "en": "The general strike",
    "fr": "La grève générale",
    "de": "Der Generalstreik",
}
# The second question only in English and French: a German reader gets it in another language, marked as such.
Q2_TITLES = {"en": "The united front", "fr": "Le front unique"}


def _conference(world: Any) -> tuple[Conference, Issue]:
    """A conference with two questions, and a wave for Europe (Section Alpha's region) due in ten days, whose
    replies appear in the bulletin's first issue."""
    editor = world.actor("editor")
    bulletin = Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")
    issue = open_issue(world, bulletin)
    conference = services.create_conference(editor, title="Conférence de Genève", bulletin=bulletin, place="Genève")
    services.create_question(
        editor,
        conference,
        title=Q1_TITLES,
        description={"en": "Should the federation call for it?", "fr": "La fédération doit-elle l'appeler ?"},
        options=[Option.SUPPORT, Option.OPPOSE, Option.AMEND],
    )
    services.create_question(editor, conference, title=Q2_TITLES)
    services.create_wave(
        editor,
        conference,
        name="Europe",
        regions=[world.europe],
        deadline=timezone.now() + datetime.timedelta(days=10),
        issue=issue,
    )
    # Section Alpha writes in Russian as well as in French.
    Section.objects.filter(pk=world.section_a.pk).update(languages=["fr", "ru"])
    return conference, issue


def _member_of_beta(world: Any) -> User:
    """A member of Section Beta (another region, another wave) with an account."""
    user = User.objects.create_user(username="member_b", email="member_b@example.org", password="correct horse battery")
    person = Person.objects.create(pseudonym="Beta Member", user=user, real_name="Bruno Hidden")
    Role.objects.create(person=person, kind=RoleKind.MEMBER, section=world.section_b, since=datetime.date(2020, 1, 1))
    return user


def _publish(world: Any, contribution: Contribution, issue: Issue) -> None:
    """The editor accepts the statement, places it in the wave's issue and publishes the issue."""
    editor = world.actor("editor")
    editorial.transition(editor, contribution, State.ACCEPTED)
    editorial.place(editor, contribution, issue, reason="The Europe wave's replies.")
    editorial.set_issue_status(editor, issue, IssueStatus.ASSEMBLY)
    editorial.mark_published(editor, issue)


def _in_reader_language(message: Any) -> str:
    with translation.override(READER_LANGUAGE):
        return capfirst(str(message))


def test_a_correspondent_states_a_position_that_a_member_reads_in_the_matrix_in_german(
    live_server: Any, world: Any, page: Page, browser: Browser
) -> None:
    base = live_server.url
    conference, issue = _conference(world)
    _member_of_beta(world)

    # The correspondent goes from the conference's page to the section's positions, then to the first question.
    _log_in(page, base, "corr_a", f"/conferences/{conference.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Conférence de Genève")
    page.get_by_role("link", name="Your section's positions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Positions of Section Alpha")
    page.get_by_role("link", name="State the position (question 1)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Section Alpha on question 1")
    expect(page.get_by_role("heading", name="State the position")).to_be_visible()

    # An option, a stance in Russian, a statement in Markdown; saved as a draft.
    form = page.locator("form.position-form")
    # Whether the form writes the label with a capital or not is the form's business.
    form.get_by_role("radio", name=re.compile(r"^support with amendments$", re.IGNORECASE)).check()
    form.get_by_label("Language").select_option("ru")
    form.get_by_label("Stance").fill(STANCE)
    form.get_by_label("Full statement").fill(STATEMENT)
    expect(form.get_by_role("radio", name=re.compile(r"^abstain$", re.IGNORECASE))).to_be_visible()
    form.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("status")).to_contain_text("Section Alpha's position on question 1 is stated.")
    expect(page.locator(".position-option")).to_have_text("Support with amendments")
    stance = page.locator("blockquote.stance")
    expect(stance).to_have_text(STANCE)
    expect(stance).to_have_attribute("lang", "ru")
    expect(page.locator(".contribution-body strong")).to_have_text("поддерживает")
    history = page.locator("table.position-history tbody tr")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Support with amendments")
    expect(history.first).to_contain_text(STANCE)
    expect(history.first.locator("td").nth(1)).to_have_text("Alpha Corr")
    expect(history.first.locator('span[lang="ru"]')).to_have_text(STANCE)

    # The statement goes to the editors from its page in the bulletin's workflow.
    page.get_by_role("link", name=re.compile(r"^The statement in the bulletin's workflow")).click()
    expect(page.locator("#workflow .badge")).to_have_text("Draft")
    page.get_by_role("button", name="Submit to the editors").click()
    expect(page.locator("#workflow .badge")).to_have_text("Submitted")
    statement = Contribution.objects.get(section=world.section_a, kind="position")
    assert statement.state == State.SUBMITTED
    assert statement.target_issue_id == issue.pk
    _publish(world, statement, issue)

    # A member of Section Beta reads the matrix in German, chosen with the switcher in the page's header.
    reader = browser.new_context().new_page()
    matrix_url = f"{base}/conferences/{conference.pk}/positions/"
    _log_in(reader, base, "member_b", f"/conferences/{conference.pk}/positions/")
    expect(reader.locator("html")).to_have_attribute("lang", "en")
    reader.locator("header.site-header").get_by_label("Interface language").select_option(READER_LANGUAGE)
    expect(reader.locator("html")).to_have_attribute("lang", READER_LANGUAGE)
    expect(reader).to_have_url(matrix_url)

    matrix = reader.locator("table.matrix")
    expect(matrix.locator("thead th#q1")).to_contain_text(Q1_TITLES["de"])
    # The second question has no German title: the English one is shown, marked as English.
    expect(matrix.locator('thead th#q2 span[lang="en"]')).to_have_text(Q2_TITLES["en"])
    row = matrix.locator("tbody tr").filter(has=reader.locator(".section-name", has_text="Section Alpha"))
    expect(row).to_have_count(1)
    cell = row.locator("td").first
    expect(cell).to_have_attribute("data-label", f"1. {Q1_TITLES['de']}")
    expect(cell.locator(".badge")).to_have_text(_in_reader_language(PositionState.PUBLISHED.label))
    expect(cell.locator(".option")).to_have_text(_in_reader_language(Option.AMEND.label))
    expect(cell.locator('.stance span[lang="ru"]')).to_have_text(STANCE)
    # The second question is not stated yet, and its deadline is ten days away.
    expect(row.locator("td").nth(1).locator(".badge")).to_have_text(_in_reader_language(PositionState.NOT_STATED.label))

    # The link to the statement leads to its text in the bulletin.
    cell.locator(f'a[href="/contributions/{statement.pk}/"]').click()
    expect(reader).to_have_url(f"{base}/contributions/{statement.pk}/")
    body = reader.locator(".contribution-body")
    expect(body).to_have_attribute("lang", "ru")
    expect(body.locator("strong")).to_have_text("поддерживает")
    expect(body.locator("li")).to_have_count(2)

    # At a phone's width the matrix reads as cards: the cell is visible, preceded by its question's name, and the
    # page does not scroll sideways.
    reader.set_viewport_size(PHONE)
    reader.goto(matrix_url)
    cell = (
        reader.locator("table.matrix tbody tr")
        .filter(has=reader.locator(".section-name", has_text="Section Alpha"))
        .locator("td")
        .first
    )
    expect(cell).to_be_visible()
    expect(cell.locator('.stance span[lang="ru"]')).to_be_visible()
    expect(reader.locator("table.matrix thead")).to_have_css("position", "absolute")
    expect(cell).to_have_css("display", "block")
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == f'"1. {Q1_TITLES["de"]}"'
    box = cell.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
    assert reader.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"] + 1
