"""Staff flows in a real browser: Debian's Chromium driven by Playwright against pytest-django's ``live_server``.

One browser serves every test of this package; each test gets a fresh browser context (no cookies), a page, and
staff in the demo roles who log in through the admin's own login form. ``shot(page, "step")`` writes a
screenshot under var/screenshots/<suite>/<test>/ for people to look at (var/ is ignored by git).

Chromium is required, never skipped: without it every test here fails with what to install.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apps.accounts.tests.factories import install_chart
from apps.organization.demo import ROLE_SLUGS
from apps.organization.models import Branch, User
from apps.organization.services import create_staff_user
from apps.organization.tests.factories import TEST_PASSWORD, BankFactory, open_test_branch

CHROMIUM = os.environ.get("OGPGY_CHROMIUM", "/usr/bin/chromium")
MISSING_CHROMIUM = (
    f"The browser tests (tests/browser/) drive Debian's Chromium, and {CHROMIUM} is missing. Install it with "
    "`apt-get install -y chromium` (as root; CI's .ci/run does this), or point OGPGY_CHROMIUM at a Chromium "
    "binary. `playwright install` is not used: it downloads a browser build of its own.")
VIEWPORT = {"width": 1440, "height": 900}
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
STEP_TIMEOUT_MS = 15_000


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """Headless Chromium for the whole package, closed before the rest of the suite runs.

    Playwright's sync API runs an asyncio event loop on this (the test) thread for as long as it is started,
    and Django refuses ORM calls from a thread with a running event loop (SynchronousOnlyOperation). The tests
    here use the ORM on this thread (factories before, database asserts after each step) while no coroutine of
    ours touches the database, so DJANGO_ALLOW_ASYNC_UNSAFE is set exactly while Playwright runs, and unset
    before the next package's tests."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    from playwright.sync_api import sync_playwright

    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            yield chromium
            chromium.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture
def page(request, browser, live_server, shot):
    """A page in a fresh context (its own cookies) that knows the live server's address. A failed test leaves a
    screenshot of where it stopped ("failed.png")."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    if getattr(request.node, "browser_test_failed", False):
        shot(tab, "failed")
    context.close()


def _suite() -> str:
    """Which suite is running (the three run side by side in CI): postgresql, sqlite, postgresql-clock-400."""
    shift = os.environ.get("OGPGY_TEST_CLOCK_SHIFT_DAYS")  # the moved clock of the root conftest.py
    return f"{connection.vendor}-clock-{shift}" if shift and int(shift) else connection.vendor


@pytest.fixture
def shot(request) -> Callable:
    """``shot(page, "02-receipt")``: a full-page screenshot of this step, for people to look at."""
    folder = SCREENSHOTS / _suite() / re.sub(r"[^\w-]+", "-", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)  # only this run's steps (and no failed.png of an earlier run)

    def take(tab, step: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{step}.png"
        tab.evaluate("window.scrollTo(0, 0)")  # else the sticky sidebar lands mid-page in a full-page shot
        tab.screenshot(path=str(path), full_page=True)
        return path

    take.folder = folder  # for files worth looking at beside the screenshots (a downloaded statement)
    return take


@pytest.fixture
def bank(transactional_db):
    return BankFactory()


@pytest.fixture
def lisbon(bank) -> Branch:
    """The demo's branches: a head office and Lisbon Baixa, where the branch staff work; the chart is installed
    and each vault holds its opening cash."""
    open_test_branch(bank, "HQ", "Head office", is_head_office=True)
    branch = open_test_branch(bank, "LIS01", "Lisbon Baixa")
    install_chart()
    return branch


@pytest.fixture
def staff(lisbon) -> Callable[[str], User]:
    """``staff(roles.TELLER)``: the demo's staff member in that role at Lisbon Baixa ("teller.lis01"), made by the
    same service as the demo's, with a password to type into the login form."""
    made: dict[str, User] = {}

    def member(role: str) -> User:
        if role not in made:
            slug = ROLE_SLUGS[role]
            made[role] = create_staff_user(username=f"{slug}.lis01", password=TEST_PASSWORD, role=role,
                                           home_branch=lisbon, first_name=slug.title(), last_name=lisbon.name)
        return made[role]

    return member


@pytest.fixture
def log_in() -> Callable:
    """``log_in(page, user)``: through the admin's login form, as a person would; lands on the admin home."""

    def enter(tab, user: User) -> None:
        tab.goto("/admin/login/?next=/admin/")
        tab.fill("#id_username", user.get_username())
        tab.fill("#id_password", TEST_PASSWORD)
        tab.click("input[type=submit]")
        tab.wait_for_selector("#user-tools")

    return enter


# The credit bureau's simulator on loopback (``bureau``: answering, the settings pointing at it), as the loans
# app's own tests start it, for the walks through loan applications.
from apps.loans.tests.application_fixtures import bureau, bureau_server  # noqa: E402, F401
