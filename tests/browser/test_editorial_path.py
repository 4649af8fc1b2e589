"""The bulletin's whole path in a browser: a correspondent submits, the editor returns it with a reason, the
correspondent revises and resubmits, the editor accepts it and assembles the issue, whose contents then show it.

The correspondent and the editor each have their own browser context (their own session); the editor logs in with
the password and a code computed from the test federation's authenticator device.
"""

from __future__ import annotations

import re
from typing import Any

from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect

from liaison.periodicals.models import Periodical
from tests.editorial.conftest import open_issue


def _log_in(page: Page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()


def _give_second_factor(page: Page, device: Any) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Code from your authenticator app").fill(f"{code:0{device.digits}d}")
    page.get_by_role("button", name="Continue").click()


def test_a_contribution_goes_from_the_section_into_the_issue(live_server, world, page: Page, browser: Browser) -> None:
    base = live_server.url
    bulletin = Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")
    open_issue(world, bulletin)

    # The correspondent answers the call from the section's dashboard and submits the draft (with HTMX).
    _log_in(page, base, "corr_a", "/sections/alpha/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Section Alpha")
    page.get_by_role("link", name="Answer this call").click()
    page.get_by_label("Title").fill("Доклад секции Альфа")
    page.get_by_label("Original language").fill("ru")
    page.get_by_label("Text", exact=False).first.fill("Первая версия текста, слишком длинная.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("is saved as a draft")).to_be_visible()
    contribution_url = page.url
    page.get_by_role("button", name="Submit to the editors").click()
    expect(page.locator("#workflow .badge")).to_have_text("Submitted")
    expect(page.locator("#workflow").get_by_role("status")).to_contain_text("is now submitted")

    # The editor finds it on the desk and returns it with a reason.
    editor = browser.new_context().new_page()
    _log_in(editor, base, "editor", "/editorial/")
    _give_second_factor(editor, world.devices["editor"])
    expect(editor.get_by_role("heading", level=1)).to_have_text("Editorial desk")
    editor.get_by_role("link", name="Доклад секции Альфа").click()
    editor.get_by_label("Reason (Return to the section)").fill("Please shorten the first part.")
    editor.get_by_role("button", name="Return to the section").click()
    expect(editor.locator("#workflow .badge")).to_have_text("Returned")
    expect(editor.locator("#workflow")).to_contain_text("Please shorten the first part.")

    # The correspondent reads the reason, revises the text and submits it again.
    page.goto(contribution_url)
    expect(page.locator("#workflow")).to_contain_text("Please shorten the first part.")
    page.get_by_role("link", name="Edit the text").click()
    page.get_by_label("Text", exact=False).first.fill("Вторая, короткая версия.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: version 2")).to_be_visible()
    page.get_by_role("button", name="Submit again").click()
    expect(page.locator("#workflow .badge")).to_have_text("Resubmitted")

    # The editor accepts it and assembles the issue.
    editor.reload()
    editor.get_by_role("button", name="Accept").click()
    expect(editor.locator("#workflow .badge")).to_have_text("Accepted")
    editor.goto(f"{base}/bulletins/bulletin/1/assembly/")
    expect(editor.locator("tr.would-place")).to_contain_text("Доклад секции Альфа")
    editor.get_by_role("button", name="Assemble").click()
    expect(editor.get_by_role("status")).to_contain_text("1 contribution placed")

    # The issue's contents show it, with its citation.
    editor.goto(f"{base}/bulletins/bulletin/1/")
    contents = editor.locator("table.contents")
    expect(contents).to_contain_text("Доклад секции Альфа")
    expect(contents).to_contain_text("Bulletin No. 1, item 1")
    contents.get_by_role("link", name="Доклад секции Альфа").click()
    expect(editor.locator(".contribution-body")).to_contain_text("Вторая, короткая версия.")

    # The section sees where its text went, on its dashboard.
    page.goto(f"{base}/sections/alpha/dashboard/")
    expect(page.get_by_role("link", name="No. 1, item 1")).to_be_visible()


def test_the_contribution_page_fits_a_phone(live_server, world, page: Page) -> None:
    bulletin = Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")
    open_issue(world, bulletin)
    page.set_viewport_size({"width": 375, "height": 740})
    _log_in(page, live_server.url, "corr_a", "/contributions/new/?section=alpha")
    page.get_by_label("Title").fill("تقرير القسم")
    page.get_by_label("Original language").fill("ar")
    page.get_by_label("Text", exact=False).first.fill("نص عربي طويل " * 40)
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator(".contribution-body")).to_have_attribute("dir", "rtl")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.goto(f"{live_server.url}/sections/alpha/dashboard/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
