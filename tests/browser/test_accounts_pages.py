"""The account pages in a real browser: register with the emailed code, log out, log in again."""
from __future__ import annotations

from playwright.sync_api import expect

from tests import accounts_support
from tests.accounts_support import STRONG_PASSWORD, code_in, wait_for_mail
from tests.browser.conftest import log_in
from tests.conftest import uid

# The SMTP sink and the real sender aimed at it (fixtures shared by the accounts tests).
smtp_sink, smtp_sender = accounts_support.smtp_sink, accounts_support.smtp_sender


def test_register_with_the_emailed_code_log_out_and_log_in_again(page, live_server, smtp_sink, smtp_sender):
    email, username = f"browser-{uid()}@example.test", f"browser_{uid()}"
    page.goto("/register")
    page.fill("#reg-email", email)
    page.fill("#reg-username", username)
    page.fill("#reg-full-name", "Browser Person")
    page.fill("#reg-password", STRONG_PASSWORD)
    page.click("#register-form button[type=submit]")
    page.locator("#verify-form").wait_for(state="visible")
    assert email in page.locator("#verify-hint").inner_text()

    code = code_in(wait_for_mail(smtp_sink, smtp_sender, email, "code"))
    page.fill("#verify-code", code)
    page.click("#verify-form button[type=submit]")
    page.wait_for_url("**/account#profile")
    page.locator("#nav-logout").wait_for(state="visible")
    assert page.locator("#nav-login").inner_text() == username
    assert page.locator("#nav-login").get_attribute("href") == "/account"
    assert page.locator("#nav-admin").is_hidden()
    assert page.input_value("#profile-username") == username
    assert page.locator("#profile-email").inner_text() == email

    page.click("#tab-btn-sessions")
    page.locator("#session-list li").first.wait_for()
    assert page.locator("#session-list li").count() == 1
    assert "(this one)" in page.locator("#session-list li").inner_text()
    page.click("#tab-btn-orders")
    page.locator("#tab-orders").get_by_text("No orders yet.").wait_for()

    page.click("#nav-logout")
    page.wait_for_url(f"{live_server}/")
    page.locator("#nav-login").get_by_text("Log in").wait_for()
    assert page.locator("#nav-logout").is_hidden()

    page.goto("/login")
    page.fill("#login-login", username)
    page.fill("#login-password", "not-my-password")
    page.click("#login-form button[type=submit]")
    assert "Wrong login or password" in page.locator("#login-form .form-notice").inner_text()
    page.fill("#login-password", STRONG_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/account#profile")
    page.locator("#nav-logout").wait_for(state="visible")
    assert page.locator("#nav-login").inner_text() == username


def test_register_shows_field_errors_from_the_api(page):
    page.goto("/register")
    page.fill("#reg-email", f"weak-{uid()}@example.test")
    page.fill("#reg-username", f"weak_{uid()}")
    page.fill("#reg-password", "password123")
    page.click("#register-form button[type=submit]")
    assert "too common" in page.locator("#reg-password + .field-error").inner_text()
    assert page.locator("#verify-form").is_hidden()


def test_login_with_an_emailed_code_and_staff_see_the_admin_link(page, make_user, smtp_sink, smtp_sender):
    user = make_user("operator")
    page.goto("/login")
    page.fill("#otp-email", user["email"])
    page.click("#otp-form button[type=submit]")
    page.locator("#otp-verify-form").wait_for(state="visible")
    page.fill("#otp-code", code_in(wait_for_mail(smtp_sink, smtp_sender, user["email"], "login code")))
    page.click("#otp-verify-form button[type=submit]")
    page.wait_for_url("**/account#profile")
    page.locator("#nav-admin").wait_for(state="visible")
    assert page.locator("#nav-admin").get_attribute("href") == "/admin"


def test_addresses_tab_adds_edits_and_deletes(page, make_user, live_server):
    user = make_user()
    page.context.add_cookies([{"name": "sw_session", "value": user["token"], "url": live_server}])
    page.goto("/")
    page.evaluate("token => localStorage.setItem('sw_csrf', token)", user["csrf_token"])
    page.goto("/account#addresses")
    page.locator("#address-list li").first.wait_for()
    assert page.locator("#address-list").inner_text() == "No addresses yet."
    for field, value in {"#addr-full-name": "Ada L", "#addr-line1": "12 Analytical St", "#addr-city": "London",
                         "#addr-postal": "N1 9GU", "#addr-country": "UK"}.items():
        page.fill(field, value)
    page.click("#address-form button[type=submit]")
    page.locator("#address-list li[data-address-id]").wait_for()
    assert "12 Analytical St" in page.locator("#address-list").inner_text()
    page.click("#address-list li[data-address-id] button:text('Edit')")
    page.fill("#addr-city", "Cambridge")
    page.click("#address-form button[type=submit]")
    page.locator("#address-list").get_by_text("Cambridge").wait_for()
    page.click("#address-list li[data-address-id] button:text('Delete')")
    page.locator("#address-list").get_by_text("No addresses yet.").wait_for()


def test_a_page_asks_who_is_logged_in_once(page, make_user):
    """The header's GET /auth/me serves the pages that need the user too (account, cart, admin), guest or not."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if request.url.endswith("/api/v1/auth/me") else None)

    def visit(path: str, ready: str) -> None:
        asked.clear()
        page.goto(path)
        page.locator(ready).first.wait_for()
        page.wait_for_load_state("networkidle")
        assert len(asked) == 1, f"{path} asked /auth/me {len(asked)} times"

    empty_cart = "#cart-status:has-text('Your cart is empty.')"
    visit("/cart", empty_cart)
    admin = make_user("admin")
    log_in(page, admin)
    for path, ready in [("/admin", "#admin-nav a"), ("/account", "#account:visible"), ("/cart", empty_cart)]:
        visit(path, ready)
        expect(page.locator("#nav-login")).to_have_text(admin["username"])
        expect(page.locator("#nav-admin")).to_be_visible()
