"""A correspondent logs in and browses to their section's page, on a desktop and at a phone's width."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/me/$"))


def test_a_correspondent_logs_in_and_reaches_the_section_page(live_server, world, page: Page) -> None:
    _log_in(page, live_server.url, "corr_a")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Federation").click()
    page.get_by_role("link", name="Section Alpha").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Section Alpha")
    expect(page.get_by_text("Alpha Corr").first).to_be_visible()
    assert "Anatole Hidden" not in page.content()


def test_the_overview_fits_a_phone(live_server, world, page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Section Alpha").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_failed_login_says_so(live_server, world, page: Page) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("corr_a")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert").or_(page.locator(".errorlist"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
