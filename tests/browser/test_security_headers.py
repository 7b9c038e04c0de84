"""The Content-Security-Policy in a real browser: it blocks inline code, the CSP watch of conftest sees it,
and every page of the shop runs under it without a single violation."""
from __future__ import annotations

from tests.conftest import uid
from tests.orders_support import add_product


def test_an_injected_inline_script_is_blocked_and_reported(page, csp_violations):
    response = page.goto("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator("#login-form").wait_for()
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.__injectedRan = true";
        document.body.append(script);
        document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: red">x</p>');
    }""")
    for _ in range(100):  # the events reach Python asynchronously (wait_for_function would need 'unsafe-eval')
        if len(page.evaluate("window.__cspViolations")) >= 2:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("window.__injectedRan") is None
    assert page.evaluate("getComputedStyle(document.getElementById('styled')).color") != "rgb(255, 0, 0)"
    seen = " | ".join(csp_violations)
    assert "script-src-elem blocked inline" in seen and "style-src-attr blocked inline" in seen
    csp_violations.clear()  # the violations were the point of this test


def test_every_page_runs_under_the_csp(page, make_user, db):
    """Visited as an admin, so the header, the account page and the admin dashboard all render fully."""
    product_id = add_product(db, name=f"Lamp {uid()}")
    admin = make_user("admin")
    page.goto("/login?next=/admin")
    page.fill("#login-login", admin["email"])
    page.fill("#login-password", admin["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/admin")
    page.locator("#sales-chart svg").wait_for()  # the dashboard chart (inline SVG) is drawn
    for path in ("/", f"/products/{product_id}", "/cart", "/checkout", "/account", "/api/docs",
                 "/register", "/forgot", "/reset?token=x"):
        response = page.goto(path, wait_until="networkidle")
        assert response.status == 200, path
        assert response.headers["x-frame-options"] == "DENY", path
    page.goto("/", wait_until="networkidle")
    page.locator("#product-grid .product-card .placeholder").first.wait_for()
