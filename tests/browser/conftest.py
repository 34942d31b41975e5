"""Playwright on Debian's Chromium against Django's live_server; every page visited is scanned with
axe-core for WCAG 2.1 A/AA. Skipped, with the reason printed, where /usr/bin/chromium is absent."""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DEMO_PASSWORD = "browser-test-demo-pw"

# The sync Playwright API runs an event loop in this thread; Django's ORM refuses to run beside one
# unless told this is safe (it is: Playwright's loop never touches the database).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(reason="Debian's chromium is not installed at /usr/bin/chromium")
                )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db, monkeypatch):
    """The demo data, as `make run` loads it."""
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def sign_out(page) -> None:
    page.get_by_role("button", name=re.compile("Sign out")).click()
    page.wait_for_url("**/accounts/login/")


def check_page(page, name: str) -> None:
    """Screenshot the page for people to look at, and fail on any WCAG 2.1 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    summary = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )
    assert not violations, f"axe found {len(violations)} violation(s) on {name} ({page.url}):\n{summary}"


def row(page, name):
    return page.locator(f"tr[data-entry='{name}']")


def dispose(page, name, code, *, on=None, reason=None):
    """The selecting official records one name's disposition from its row on the certificate."""
    entry = row(page, name)
    entry.locator("summary", has_text="Record a disposition").click()
    entry.get_by_label("Disposition", exact=True).select_option(label=code)
    if on:
        entry.get_by_label("Date").fill(on.isoformat())
    if reason:
        entry.get_by_label("Why they declined").fill(reason)
    entry.get_by_role("button", name=f"Record for {name}").click()
