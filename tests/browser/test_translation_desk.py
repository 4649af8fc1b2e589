"""A translation's whole path in a browser: a translator claims it on the desk (with HTMX), writes it beside the
original, sends it to review; the secretariat finds it awaiting review and approves it.

The translator and the editor each have their own browser context (their own session); the editor logs in with the
password and a code from the test federation's authenticator device.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from liaison.editorial import services as editorial
from liaison.editorial.models import State
from liaison.periodicals.models import Periodical
from liaison.translations import glossary, services
from liaison.translations.models import Translation, TranslationState
from tests.browser.test_editorial_path import _give_second_factor, _log_in
from tests.editorial.conftest import PATHS, open_issue
from tests.translations.conftest import FRENCH, ORIGINAL

# The texts of the translation tests, without their citation of an item this federation does not have.
ENGLISH_TEXT = ORIGINAL.replace(" [[bulletin/1/1]]", "")
FRENCH_TEXT = FRENCH.replace(" [[bulletin/1/1]]", "")


def _accepted(world: Any, bulletin: Periodical) -> Any:
    contribution = editorial.create_contribution(
        world.actor("corr_a"),
        section=world.section_a,
        periodical=bulletin,
        call=None,
        title="Workers of the port",
        language="en",
        kind="report",
        body=ENGLISH_TEXT,
    )
    for who, target, reason in PATHS[State.ACCEPTED]:
        editorial.transition(
            world.actor("corr_a" if who == "section" else "editor"), contribution, target, reason=reason
        )
    # Acceptance makes the translations due; asking again only makes what is missing.
    services.ensure_translations(contribution)
    return contribution


def test_a_translator_claims_writes_and_sends_a_translation_that_a_reviewer_approves(
    live_server: Any, world: Any, page: Page, browser: Browser
) -> None:
    base = live_server.url
    bulletin = Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")
    open_issue(world, bulletin)
    contribution = _accepted(world, bulletin)

    # The translator finds the text in the French queue and claims it, without leaving the desk.
    _log_in(page, base, "translator", "/translations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Translations")
    french_queue = page.locator("section.queue", has=page.get_by_role("heading", name="Queue: French"))
    french_queue.get_by_role("button", name="Claim “Workers of the port” (French)").click()
    expect(page.locator("#desk").get_by_role("status")).to_contain_text(
        "“Workers of the port” into French is yours now."
    )
    mine = page.locator("section", has=page.get_by_role("heading", name="Assigned to you"))
    expect(mine).to_contain_text("Workers of the port")

    # Beside the original, block by block, the translator writes the text and sends it to review.
    mine.get_by_role("link", name="Workers of the port").click()
    expect(page.get_by_role("heading", name="Original (English), block by block")).to_be_visible()
    expect(page.locator("ol.blocks")).to_contain_text("[^1]: In the hall of the union, 12 March.")
    page.get_by_label("Title").fill("Les travailleurs du port")
    page.locator("textarea[name=body]").fill(FRENCH_TEXT)
    page.get_by_role("button", name="Check the structure").click()
    expect(page.locator("#structure")).to_contain_text("Same footnotes, citations, headings and lists as the original.")
    page.get_by_role("button", name="Save and send to review").click()
    expect(page.get_by_role("status")).to_contain_text("Saved and sent to review")
    expect(page.locator("#workflow .badge").first).to_have_text("In review")
    translation_url = page.url

    # The secretariat finds it awaiting review and approves it.
    editor = browser.new_context().new_page()
    _log_in(editor, base, "editor", "/translations/")
    _give_second_factor(editor, world.devices["editor"])
    review = editor.locator("section", has=editor.get_by_role("heading", name="Awaiting your review"))
    expect(review).to_contain_text("Workers of the port")
    review.get_by_role("link", name="Workers of the port").click()
    expect(editor).to_have_url(translation_url)
    editor.get_by_role("button", name="Approve", exact=True).click()
    expect(editor.locator("#workflow .badge").first).to_have_text("Approved")
    expect(editor.locator("#translation").get_by_role("status")).to_contain_text("is now approved")

    french = Translation.objects.get(contribution=contribution, language="fr")
    assert (french.state, french.translator, french.reviewer) == (
        TranslationState.APPROVED,
        world.users["translator"],
        world.users["editor"],
    )
    assert french.body == FRENCH_TEXT


def test_the_editor_fits_a_phone(live_server: Any, world: Any, page: Page) -> None:
    bulletin = Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")
    open_issue(world, bulletin)
    contribution = _accepted(world, bulletin)
    french = Translation.objects.get(contribution=contribution, language="fr")
    page.set_viewport_size({"width": 375, "height": 740})
    _log_in(page, live_server.url, "translator", f"/translations/{french.pk}/")
    expect(page.locator("textarea[name=body]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.goto(f"{live_server.url}/translations/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    glossary.add_term(world.actor("editor"), concept="general-strike", language="fr", text="grève générale")
    page.goto(f"{live_server.url}/translations/glossary/")
    expect(page.get_by_text("grève générale", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
