"""Browser tests: Debian's Chromium driven through Playwright's sync API against the live server.

Every test in tests/browser is marked ``browser``. Without /usr/bin/chromium they are skipped
(with the reason), except in CI (``CI=true``), where a missing browser is a failure.

Each test gets a fresh browser context (no cookies shared between tests) and a page whose
console errors, Content-Security-Policy violations among them, are collected: a test whose
pages logged any fails with the list (``console.allow(pattern)`` admits an expected one). A
failing test leaves a full-page screenshot under ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an asyncio event loop running in this thread; Django's ORM would
# then refuse to run (SynchronousOnlyOperation) in fixtures and in the in-process live server.
# Only the browser tests need this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
DEFAULT_TIMEOUT_MS = 10_000
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    # Keep each phase's report on the test, so the page fixture can tell a failure happened.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    # A test that passed still fails when its pages logged errors or CSP violations.
    result = yield
    log = getattr(item, "funcargs", {}).get("console")
    if isinstance(log, ConsoleLog):
        log.assert_clean()
    return result


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if _in_ci():
            pytest.fail(f"Browser tests cannot run in CI: {message}.", pytrace=False)
        pytest.skip(f"browser tests need Debian's Chromium: {message}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - dev dependency missing
        if _in_ci():
            pytest.fail(f"Browser tests cannot run in CI: {exc}.", pytrace=False)
        pytest.skip(f"browser tests need playwright (pip install -e '.[dev]'): {exc}")

    from playwright.sync_api import expect

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@dataclass
class ConsoleLog:
    """Console errors (CSP violations among them) and uncaught exceptions seen by a page."""

    errors: list[str] = field(default_factory=list)
    # Messages a test expects, e.g. the 400 of a refused login; matched with re.search.
    allowed: list[str] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        self.allowed.append(pattern)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(re.search(p, e) for p in self.allowed)]

    def assert_clean(self) -> None:
        problems = self.unexpected()
        assert not problems, "Console errors / CSP violations:\n  " + "\n  ".join(problems)


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(
    browser: Any, live_server: Any, console: ConsoleLog, request: pytest.FixtureRequest
) -> Generator[Any]:
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1366, "height": 900}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()

    def on_console(message: Any) -> None:
        if message.type == "error":
            location = message.location or {}
            where = location.get("url", "") or page.url
            console.errors.append(f"{message.text} (at {where})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console.errors.append(f"Uncaught: {error}"))
    try:
        yield page
        if any(
            getattr(getattr(request.node, f"report_{when}", None), "failed", False)
            for when in ("setup", "call")
        ):
            _screenshot(page, request)
    finally:
        context.close()


def _screenshot(page: Any, request: pytest.FixtureRequest) -> None:
    folder = Path(request.config.rootpath) / "test-artifacts"
    folder.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
    try:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    except Exception as exc:  # the page may be gone; the test's own failure matters more
        print(f"Could not save a screenshot: {exc}")


@dataclass
class LiveDemo:
    url: str

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture
def live_demo(live_server: Any, transactional_db: None) -> LiveDemo:
    """The demo agency in the live server's database (emptied again after each test)."""
    from mediadesk.demo import load_demo

    load_demo()
    return LiveDemo(url=live_server.url)
