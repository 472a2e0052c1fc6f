"""Browser fixtures: Debian's Chromium, driven by Playwright, against the live server.

The browser is the system's Chromium (``/usr/bin/chromium``, Debian package ``chromium``,
which ``.ci/run`` installs; ``HELSEGRAF_CHROMIUM`` names another), never one that Playwright
downloads. Without it, or without the ``playwright`` package, the tests skip on a developer's
machine and fail in CI, where a missing browser is a broken run, not a reason to pass.

Every page a test opens is watched (:class:`Watch`): a request to any host but the live
server is blocked and recorded, and so are console errors (Chromium reports each Content
Security Policy violation there), uncaught exceptions and ``securitypolicyviolation`` events.
The test fails when any of them happened, unless the test said it expects that error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route

#: Debian's Chromium, unless HELSEGRAF_CHROMIUM names another build.
CHROMIUM = Path(os.environ.get("HELSEGRAF_CHROMIUM", "/usr/bin/chromium"))

#: Flags that let Chromium run here: headless as root, and quiet on a closed network (no
#: background fetches of updates, sync or field trials that would fail, many at a time).
#: Playwright gives each launch a new, empty user-data-dir of its own.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: The vendored CodeMirror (``make vendor``), whose absence the editor tests check for.
VENDORED = Path(__file__).parents[2] / "api" / "static" / "vendor" / "codemirror" / "lib"

#: Reports every CSP violation on the console (init scripts run outside the page's CSP).
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || "?"}:${event.lineNumber}`);
});
"""

#: How long a test waits for the page (ms): generous, the machine runs other tests too.
TIMEOUT_MS = 20_000


def require(condition: bool, message: str) -> None:
    """Skip when ``condition`` is false, or fail in CI (``CI`` set), where it must hold."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class Watch:
    """One browser page on the live server, and what it did that a test must not allow."""

    page: Page
    base_url: str
    #: every URL the page asked for (navigations, subresources, fetches), in order
    requests: list[str] = field(default_factory=list)
    #: requests to other hosts (blocked)
    foreign: list[str] = field(default_factory=list)
    #: console errors, uncaught exceptions and CSP violations
    errors: list[str] = field(default_factory=list)
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def url(self, path: str) -> str:
        """The live server's URL for ``path``."""
        return self.base_url + path

    def expect_error(self, pattern: str) -> None:
        """Allow console errors matching ``pattern`` (e.g. the 400 of a malformed query)."""
        self.expected.append(re.compile(pattern))

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.expected)]

    def assert_clean(self) -> None:
        """No request left this server, and nothing went wrong in the page."""
        assert not self.foreign, f"the page asked other hosts for: {self.foreign}"
        unexpected = self.unexpected_errors()
        assert not unexpected, "the page reported errors:\n" + "\n".join(unexpected)


def _on_route(watch: Watch, origin: str) -> Callable[[Route], None]:
    def handle(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        local = f"{parts.scheme}://{parts.netloc}" == origin
        if local or parts.scheme in ("data", "blob", "about"):
            route.continue_()
        else:
            watch.foreign.append(url)
            route.abort("blockedbyclient")

    return handle


def _on_console(watch: Watch) -> Callable[[ConsoleMessage], None]:
    def handle(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "") if message.location else ""
        # The browser's own request for /favicon.ico, not the page's (base.html names none).
        if urlsplit(where).path == "/favicon.ico":
            return
        watch.errors.append(f"console: {message.text} ({where})")

    return handle


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, started once for the session."""
    require(CHROMIUM.exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright package is not installed")
        raise
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def vendored() -> Path:
    """The vendored CodeMirror; without it (no ``make vendor``) editor tests skip, or fail in CI."""
    require(
        (VENDORED / "codemirror.js").exists(),
        f"the front end is not vendored ({VENDORED} is missing): run 'make vendor'",
    )
    return VENDORED


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, so a fixture can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def open_page(
    browser: Browser, live_server: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Watch]]:
    """Opens watched pages on the live server; ``open_page(**context_options)`` gives one.

    Each page has a context of its own (no cookies, cache or storage shared between tests).
    After a test that passed, every page must be clean (:meth:`Watch.assert_clean`).
    """
    contexts: list[tuple[BrowserContext, Watch]] = []

    def opener(**options: Any) -> Watch:
        options = {"locale": "nb-NO", "viewport": {"width": 1200, "height": 900}, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(_CSP_LISTENER)
        page = context.new_page()
        watch = Watch(page=page, base_url=live_server)
        context.route("**/*", _on_route(watch, live_server))
        page.on("request", lambda r: watch.requests.append(r.url))
        page.on("console", _on_console(watch))
        page.on("pageerror", lambda error: watch.errors.append(f"uncaught: {error}"))
        contexts.append((context, watch))
        return watch

    yield opener
    try:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.passed:
            for _, watch in contexts:
                watch.assert_clean()
    finally:
        for context, _ in contexts:
            context.close()


@pytest.fixture
def watch(open_page: Callable[..., Watch]) -> Watch:
    """One watched page (Norwegian locale; the pages are nb unless ``?lang=en``)."""
    return open_page()
