"""Browser tests: the real app on a loopback port, driven by Playwright in Debian's Chromium."""
from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@contextmanager
def serving(app) -> Iterator[str]:
    """An app served by a threaded werkzeug server on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The test app, served (see serving); yields its base URL."""
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# page.wait_for_function evaluates its predicate with eval inside the page, which the CSP (no 'unsafe-eval')
# refuses: tests wait with locator assertions (expect(...).to_have_count, to_have_text, ...) instead.
expect.set_options(timeout=10_000)

# Each violation of the Content-Security-Policy is kept on the page (for tests that look) and sent to Python.
_CSP_LISTENER = """
window.__cspViolations = [];
window.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile || document.URL}:${e.lineNumber}`;
  const text = `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${where}`;
  window.__cspViolations.push(text);
  window.__reportCspViolation(text);
}, true);
"""


def watch_csp(context, violations: list[str]) -> None:
    """Record into violations every CSP violation in the context: the DOM event and Chromium's console line."""
    context.expose_function("__reportCspViolation", lambda text: violations.append(text))
    context.add_init_script(_CSP_LISTENER)
    context.on("console", lambda msg: violations.append(f"console: {msg.text}")
               if "Content Security Policy" in msg.text else None)


@pytest.fixture(autouse=True)
def csp_violations(browser, monkeypatch) -> Iterator[list[str]]:
    """Pages run with the real CSP on: every context a browser test opens is watched, and any violation fails it."""
    violations: list[str] = []
    new_context = browser.new_context

    def watched_context(**kwargs):
        context = new_context(**kwargs)
        watch_csp(context, violations)
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield violations
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def page(browser, live_server, csp_violations):
    """A fresh browser context (no cookies, no storage) per test, failing on any page script error."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    if not page.is_closed():
        page.wait_for_timeout(50)  # lets a violation event fired by the last action reach Python
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def log_in(page, user, next_path: str = "/admin") -> None:
    """Log in through the login page and wait for next_path (the admin panel: until its menu is drawn)."""
    page.goto(f"/login?next={next_path}")
    page.fill("#login-login", user["email"])
    page.fill("#login-password", user["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"**{next_path}")
    if next_path == "/admin":
        page.locator("#admin-nav a").first.wait_for()
