"""A reader switches the interface to Russian with the switcher in the page header, and reads a French contribution
in its approved Russian translation; the original is one click away.

The interface's own words are looked up in the Russian catalogue, so the test follows its wording.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from liaison.editorial import services
from liaison.editorial.models import Contribution, State
from liaison.periodicals.models import IssueStatus, Periodical
from tests.editorial.conftest import PATHS, open_issue
from tests.editorial.translated import FRENCH, FRENCH_TITLE, RUSSIAN_TITLE, translate
from tests.test_locales import PACKAGE, catalogue


def _placed(world: Any, issue: Any, title: str, body: str) -> Contribution:
    contribution = services.create_contribution(
        world.actor("corr_a"),
        section=world.section_a,
        periodical=issue.periodical,
        call=None,
        title=title,
        language="fr",
        kind="report",
        body=body,
    )
    for who, target, reason in PATHS[State.PLACED]:
        services.transition(
            world.actor("corr_a" if who == "section" else "editor"), contribution, target, reason=reason
        )
    services.place(world.actor("editor"), contribution, issue, reason="Placed by the test.")
    contribution.refresh_from_db()
    return contribution


def test_a_reader_switches_to_russian_and_reads_the_translation(live_server: Any, world: Any, page: Page) -> None:
    bulletin = Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")
    issue = open_issue(world, bulletin)
    _placed(world, issue, "Le texte cité", "Notre position.")
    text = _placed(world, issue, FRENCH_TITLE, FRENCH)
    translate(world, text, "ru", RUSSIAN_TITLE, "Профсоюз докеров проголосовал за забастовку[^1], как сообщалось "
              "[[bulletin/1/1]].\n\n[^1]: 12 марта.\n")  # fmt: skip
    services.set_issue_status(world.actor("editor"), issue, IssueStatus.ASSEMBLY)
    services.mark_published(world.actor("editor"), issue)

    page.goto(f"{live_server.url}/bulletins/bulletin/1/2/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(FRENCH_TITLE)

    # The switcher in the header posts the choice (the script submits it on change) and comes back to this page.
    page.locator("header.site-header").get_by_label("Interface language").select_option("ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page).to_have_url(f"{live_server.url}/bulletins/bulletin/1/2/")
    russian = {m.id: m.string for m in catalogue(PACKAGE, "ru")}
    expect(page.locator("header.site-header")).to_contain_text(str(russian["Bulletins"]))
    expect(page.locator("header.site-header").get_by_label(str(russian["Interface language"]))).to_be_visible()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(RUSSIAN_TITLE)
    expect(heading).to_have_attribute("lang", "ru")
    body = page.locator(".contribution-body")
    expect(body).to_have_attribute("lang", "ru")
    expect(body).to_contain_text("Профсоюз докеров проголосовал за забастовку")
    expect(body.locator("a.citation")).to_have_attribute("href", "/bulletins/bulletin/1/1/")
    expect(body.locator(".footnotes")).to_contain_text("12 марта.")

    # The original, one click away, named in its own language; the interface stays Russian.
    page.locator('nav.language-versions a[hreflang="fr"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FRENCH_TITLE)
    expect(body).to_have_attribute("lang", "fr")
    expect(body).to_contain_text("Le syndicat des dockers a voté la grève")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
