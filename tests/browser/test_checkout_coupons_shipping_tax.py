"""Coupons, shipping methods and tax in the browser: a shopper applies a coupon at checkout, picks a
shipping method for a GB address and sees the tax and total before paying, then the same figures on the
thank-you page and in the order history; a refused code shows the server's message; a saved address's
country picks the methods; tax added on top when prices leave it out; the cart page's coupon box; the admin
panel's Coupons, Shipping methods and Tax rates views (read only for supervisors).

Everything configured here is deleted again at the end of each test: the other checkout tests run with no
shipping method and no tax rate (the flat rule)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import expect

from backend.services.cart import CartOwner
from tests.browser.conftest import log_in, serving
from tests.browser.test_admin_panel import _open
from tests.conftest import uid
from tests.orders_support import add_product


class Shop:
    """Shop settings made through the admin API, each deleted again when the test ends."""

    def __init__(self, client, admin) -> None:
        self.client, self.headers, self.made = client, admin["headers"], []

    def make(self, path: str, body: dict) -> dict:
        response = self.client.post(f"/api/v1{path}", headers=self.headers, json=body)
        assert response.status_code == 201, response.get_json()
        row = response.get_json()
        self.made.append(f"/api/v1{path}/{row['id']}")
        return row

    def forget(self, path: str) -> None:
        """Delete later a row the test made in the browser (path like /coupons/7)."""
        self.made.append(f"/api/v1{path}")

    def clean(self) -> None:
        for path in reversed(self.made):
            assert self.client.delete(path, headers=self.headers).status_code in (204, 404), path


@pytest.fixture
def shop(client, make_user) -> Iterator[Shop]:
    settings = Shop(client, make_user("admin"))
    yield settings
    settings.clean()


def _fill_address_and_card(page, country: str) -> None:
    page.fill("#ship-full-name", "Ada Lovelace")
    page.fill("#ship-line1", "12 St James's Square")
    page.fill("#ship-city", "London")
    page.fill("#ship-postal", "SW1Y 4JH")
    page.fill("#ship-country", country)
    page.fill("#card-number", "4242 4242 4242 4242")
    page.fill("#card-month", "12")
    page.fill("#card-year", "2099")
    page.fill("#card-cvc", "123")
    page.fill("#card-holder", "Ada Lovelace")


def test_a_shopper_pays_with_a_coupon_a_shipping_method_and_tax_included(page, browser, live_server, shop, services,
                                                                           db, client, make_user):
    code = f"TEN-{uid()}".upper()
    shop.make("/coupons", {"code": code, "percent_off": "10"})
    economy = shop.make("/shipping-methods", {"name": "Economy Post", "price": "3.00", "free_from": None,
                                              "countries": ["GB"], "min_days": 3, "max_days": 5})
    tracked = shop.make("/shipping-methods", {"name": "Royal Mail Tracked", "price": "4.50", "free_from": "100.00",
                                              "countries": ["GB", "IE"], "min_days": 1, "max_days": 2})
    france = shop.make("/shipping-methods", {"name": "Colissimo", "price": "2.00", "free_from": None,
                                             "countries": ["FR"], "min_days": 2, "max_days": 4})
    shop.make("/tax-rates", {"country": "GB", "rate": "20.00"})
    user = make_user()
    lamp, mug = add_product(db, "40.00", stock=5, name="Brass Desk Lamp"), add_product(db, "12.50", stock=5)
    services.cart.add_item(CartOwner(user_id=user["id"]), lamp, 2)
    services.cart.add_item(CartOwner(user_id=user["id"]), mug, 1)
    # What the server says of an unknown code, word for word (asked as a guest: it changes no cart of ours).
    bogus = f"NOPE-{uid()}".upper()
    refused = client.post("/api/v1/cart/coupon", json={"code": bogus})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "coupon_invalid"

    log_in(page, user, "/checkout")
    page.locator("#checkout").wait_for()
    # Subtotal 2 x 40.00 + 12.50 = 92.50; no country yet: shipping waits for one, no tax.
    expect(page.locator("#sum-subtotal")).to_contain_text("92.50")
    expect(page.locator("#shipping-note")).to_contain_text("Enter the country")
    expect(page.locator("#sum-tax")).to_have_count(0)

    page.fill("#coupon-code", bogus)
    page.click("#coupon-form button[type=submit]")
    expect(page.locator("#coupon-form .field-error")).to_have_text(refused.get_json()["error"]["message"])
    # Tied to the field, so a screen reader reads the reason with it.
    expect(page.locator("#coupon-code")).to_have_attribute("aria-describedby", "coupon-code-error")
    expect(page.locator("#coupon-code-error")).to_have_text(refused.get_json()["error"]["message"])
    expect(page.locator("#sum-coupon")).to_have_count(0)
    page.fill("#coupon-code", code.lower())                     # codes are case-insensitive
    page.click("#coupon-form button[type=submit]")
    # 10% of 92.50 = 9.25.
    expect(page.locator("#coupon-applied")).to_contain_text(code)
    expect(page.locator("#sum-coupon")).to_contain_text("9.25")
    expect(page.locator("#coupon-form .field-error")).to_have_count(0)

    _fill_address_and_card(page, "gb")
    methods = page.locator("#shipping-methods .method")
    expect(methods).to_have_count(2)                            # Colissimo serves France only
    assert methods.all_inner_texts()[0].startswith("Economy Post")
    assert page.locator(f".method[data-method-id='{france['id']}']").count() == 0
    # The cheapest is chosen first: merchandise 92.50 - 9.25 = 83.25, + 3.00 = 86.25, of which tax
    # 86.25 x 20/120 = 14.375 -> 14.38 (half up).
    expect(page.locator(f".method[data-method-id='{economy['id']}'] input")).to_be_checked()
    expect(page.locator("#sum-shipping")).to_contain_text("3.00")
    expect(page.locator("#sum-tax")).to_contain_text("14.38")
    expect(page.locator("#sum-total")).to_contain_text("86.25")

    # By keyboard: an arrow key moves the choice, and the focus stays on the radios while the figures follow.
    page.locator(f".method[data-method-id='{economy['id']}'] input").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator(f".method[data-method-id='{tracked['id']}'] input")).to_be_checked()
    expect(page.locator(f".method[data-method-id='{tracked['id']}'] input")).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(page.locator(f".method[data-method-id='{economy['id']}'] input")).to_be_focused()
    expect(page.locator("#sum-shipping")).to_contain_text("3.00")

    page.locator(f".method[data-method-id='{tracked['id']}'] input").check()
    # 83.25 + 4.50 = 87.75, of which tax 87.75 x 20/120 = 14.625 -> 14.63; prices include tax: total 87.75.
    expect(page.locator("#sum-shipping")).to_contain_text("4.50")
    expect(page.locator("#sum-tax")).to_contain_text("14.63")
    expect(page.locator("#sum-total")).to_contain_text("87.75")
    figures = {
        "subtotal": ("Subtotal", "92.50"), "discount": ("Discounts", "0.00"), "coupon": (f"Coupon {code}", "9.25"),
        "shipping": ("Shipping (Royal Mail Tracked)", "4.50"), "total": ("Total", "87.75"),
        "tax": ("Includes tax (20%)", "14.63"),
    }

    def assert_figures(scope) -> None:
        shown = scope.locator("dl dd[data-total]")
        assert shown.evaluate_all("ns => ns.map(n => n.dataset.total)") == list(figures)
        for key, (label, amount) in figures.items():
            dd = scope.locator(f"dd[data-total={key}]")
            assert amount in dd.inner_text(), (key, dd.inner_text())
            assert dd.evaluate("n => n.previousElementSibling.textContent") == label

    assert_figures(page.locator("#checkout aside"))

    page.click("#place-order")
    page.wait_for_url(re.compile(r"/orders/\d+/thanks$"))
    order_id = int(re.search(r"/orders/(\d+)/thanks", page.url).group(1))
    expect(page.locator("#thanks-total")).to_contain_text("87.75")
    expect(page.locator("#thanks-status")).to_contain_text("87.75")
    assert_figures(page.locator("#thanks"))

    page.goto("/account#orders")
    card = page.locator(f'#order-list .order-card[data-order-id="{order_id}"]')
    card.wait_for()
    assert_figures(card)

    # The dashboard counts the coupon's order.
    staff = browser.new_context(base_url=live_server)
    try:
        admin_page = staff.new_page()
        log_in(admin_page, make_user("supervisor"))
        expect(admin_page.locator("#dashboard-coupons li", has_text=code)).to_contain_text("1 order ·")
        expect(admin_page.locator("#dashboard-coupons li", has_text=code)).to_contain_text("9.25")
        # The admin order view shows the order's money rows as the shopper saw them.
        _open(admin_page, "orders")
        admin_page.locator(f"table[data-resource=orders] tr[data-id='{order_id}'] .row-view").click()
        expect(admin_page.locator("#order-items dd[data-total=coupon]")).to_contain_text("9.25")
        assert_figures(admin_page.locator("#order-items"))
    finally:
        staff.close()


def test_the_chosen_saved_address_decides_the_shipping_methods(page, shop, services, db, client, make_user):
    post = shop.make("/shipping-methods", {"name": "Royal Mail", "price": "4.00", "free_from": None,
                                           "countries": ["GB"], "min_days": 1, "max_days": 3})
    poste = shop.make("/shipping-methods", {"name": "La Poste", "price": "6.00", "free_from": None,
                                            "countries": ["FR"], "min_days": 2, "max_days": 5})
    user = make_user()
    book = {}
    # An address book keeps the country as typed: a name prices the same as its code.
    for country, city in (("United Kingdom", "London"), ("FR", "Paris")):
        made = client.post("/api/v1/account/addresses", headers=user["headers"], json={
            "full_name": "Ada Lovelace", "line1": "1 Rue de Rivoli", "city": city, "postal_code": "75001",
            "country": country})
        assert made.status_code == 201, made.get_json()
        book[country] = made.get_json()["id"]
    services.cart.add_item(CartOwner(user_id=user["id"]), add_product(db, "20.00", stock=3), 1)
    log_in(page, user, "/checkout")
    page.locator("#checkout").wait_for()
    methods = page.locator("#shipping-methods .method")
    page.select_option("#address-choice", str(book["United Kingdom"]))
    expect(methods).to_have_count(1)
    expect(methods.first).to_have_attribute("data-method-id", str(post["id"]))
    page.select_option("#address-choice", str(book["FR"]))
    expect(methods.first).to_have_attribute("data-method-id", str(poste["id"]))
    expect(page.locator("#sum-shipping")).to_contain_text("6.00")
    expect(page.locator("#sum-total")).to_contain_text("26.00")          # 20.00 + 6.00, no tax rate for FR
    for field, value in (("#card-number", "4242 4242 4242 4242"), ("#card-month", "12"), ("#card-year", "2099"),
                         ("#card-cvc", "123"), ("#card-holder", "Ada Lovelace")):
        page.fill(field, value)
    page.click("#place-order")
    page.wait_for_url(re.compile(r"/orders/\d+/thanks$"))
    expect(page.locator("#thanks-shipping")).to_contain_text("6.00")
    assert page.locator("#thanks-shipping").evaluate("n => n.previousElementSibling.textContent") \
        == "Shipping (La Poste)"


def test_with_prices_before_tax_the_tax_is_added_before_paying(browser, settings, shop, services, db, make_user):
    from backend.app import create_app

    method = shop.make("/shipping-methods", {"name": "Parcelforce", "price": "5.00", "free_from": None,
                                             "countries": ["GB"], "min_days": 1, "max_days": 1})
    shop.make("/tax-rates", {"country": "GB", "rate": "20.00"})
    user = make_user()
    services.cart.add_item(CartOwner(user_id=user["id"]), add_product(db, "50.00", stock=3), 1)
    # The same database behind a second app whose catalog prices leave tax out (PRICES_INCLUDE_TAX=false).
    with serving(create_app(settings=replace(settings, prices_include_tax=False))) as url:
        context = browser.new_context(base_url=url)
        try:
            page = context.new_page()
            script_errors: list[str] = []
            page.on("pageerror", lambda exc: script_errors.append(str(exc)))
            log_in(page, user, "/checkout")
            page.locator("#checkout").wait_for()
            _fill_address_and_card(page, "GB")
            expect(page.locator(f".method[data-method-id='{method['id']}'] input")).to_be_checked()
            # 50.00 + 5.00 = 55.00, tax 20% of it = 11.00 on top: 66.00.
            expect(page.locator("#sum-tax")).to_contain_text("11.00")
            expect(page.locator("#sum-total")).to_contain_text("66.00")
            shown = page.locator("#summary-figures dt")
            assert shown.all_inner_texts() == ["Subtotal", "Discounts", "Shipping (Parcelforce)", "Tax (20%)", "Total"]
            page.click("#place-order")
            page.wait_for_url(re.compile(r"/orders/\d+/thanks$"))
            expect(page.locator("#thanks-total")).to_contain_text("66.00")
            assert page.locator("#thanks-figures dt").all_inner_texts() == [
                "Subtotal", "Discounts", "Shipping (Parcelforce)", "Tax (20%)", "Total"]
            expect(page.locator("#thanks-tax")).to_contain_text("11.00")
            assert not script_errors
        finally:
            context.close()


def test_the_cart_page_applies_and_removes_a_coupon(page, shop, db):
    code = f"FIVE-{uid()}".upper()
    shop.make("/coupons", {"code": code, "amount_off": "5.00", "min_subtotal": "30.00"})
    product = add_product(db, "20.00", stock=5)
    page.goto(f"/products/{product}")
    page.locator("#product-main").wait_for()
    page.click("#add-to-cart-button")
    expect(page.locator("#cart-message")).to_contain_text("Added")
    page.goto("/cart")
    expect(page.locator("#cart-total")).to_contain_text("20.00")

    page.fill("#coupon-code", code)
    page.click("#coupon-form button[type=submit]")
    # Under the coupon's minimum: the server's message says what it needs.
    expect(page.locator("#coupon-form .field-error")).to_contain_text("30.00")
    page.locator(f'.cart-line[data-product-id="{product}"] input.qty').fill("2")
    page.locator(f'.cart-line[data-product-id="{product}"] input.qty').dispatch_event("change")
    expect(page.locator("#cart-total")).to_contain_text("40.00")
    page.click("#coupon-form button[type=submit]")
    expect(page.locator("#coupon-applied")).to_contain_text(code)
    expect(page.locator("#cart-coupon")).to_contain_text("5.00")
    expect(page.locator("#cart-total")).to_contain_text("35.00")       # 40.00 - 5.00; no shipping in a cart

    # Back under the minimum: the coupon stays on the cart, says why it does not apply, and takes nothing off.
    page.locator(f'.cart-line[data-product-id="{product}"] input.qty').fill("1")
    page.locator(f'.cart-line[data-product-id="{product}"] input.qty').dispatch_event("change")
    expect(page.locator("#coupon-applied .problem")).to_have_text(
        f"Coupon {code}: This coupon needs a subtotal of at least 30.00.")
    expect(page.locator("#cart-total")).to_contain_text("20.00")

    page.click("#coupon-remove")
    expect(page.locator("#coupon-applied")).to_be_hidden()
    expect(page.locator("#cart-coupon")).to_have_count(0)
    expect(page.locator("#cart-total")).to_contain_text("20.00")


def _add(page, values: dict[str, str]) -> None:
    page.click(".row-add")
    for name, value in values.items():
        page.fill(f"#f-{name}", value)
    page.click("form[data-form=add] button[type=submit]")
    page.locator("#admin-main .notice", has_text="Added.").wait_for()


def _row(page, view: str, text: str):
    row = page.locator(f"table[data-resource={view}] tbody tr", has_text=text)
    row.wait_for()
    return row


def test_the_admin_adds_coupons_shipping_methods_and_tax_rates_a_supervisor_reads_them(page, browser, live_server,
                                                                                       shop, make_user):
    page.on("dialog", lambda dialog: dialog.accept())
    code, name = f"PANEL-{uid()}".upper(), f"Panel Freight {uid()}"
    log_in(page, make_user("admin"))

    _open(page, "coupons")
    _add(page, {"code": code.lower(), "percent_off": "15", "max_uses": "100"})
    coupon = _row(page, "coupons", code)                        # stored upper case
    shop.forget(f"/coupons/{coupon.get_attribute('data-id')}")
    assert coupon.locator("[data-column=percent_off]").inner_text() == "15.00"
    assert coupon.locator("[data-column=max_uses]").inner_text() == "100"
    assert coupon.locator("[data-column=times_used]").inner_text() == "0"
    assert coupon.locator("[data-column=is_active]").inner_text() == "yes"

    _open(page, "shipping_methods")
    page.locator("table[data-resource=shipping_methods]").wait_for()
    _add(page, {"name": name, "price": "6.50", "countries": "ie, gb, IE",
                                    "min_days": "2", "max_days": "4"})
    method = _row(page, "shipping_methods", name)
    shop.forget(f"/shipping-methods/{method.get_attribute('data-id')}")
    assert method.locator("[data-column=countries]").inner_text() == "GB, IE"
    assert method.locator("[data-column=price]").inner_text() == "6.50"
    # Editing the countries sends them as a list again.
    method.locator(".row-edit").click()
    page.fill("#f-countries", "*")
    page.click("form[data-form=edit] button[type=submit]")
    expect(method.locator("[data-column=countries]")).to_have_text("*")

    _open(page, "tax_rates")
    page.locator("table[data-resource=tax_rates]").wait_for()
    _add(page, {"country": "is", "rate": "24"})
    rate = _row(page, "tax_rates", "IS")
    shop.forget(f"/tax-rates/{rate.get_attribute('data-id')}")
    assert rate.locator("[data-column=rate]").inner_text() == "24.00"
    # One rate per country: the form shows the server's 409 and the list keeps one row for IS.
    page.click(".row-add")
    page.fill("#f-country", "IS")
    page.fill("#f-rate", "10")
    page.click("form[data-form=add] button[type=submit]")
    expect(page.locator("form[data-form=add] [role=alert]")).to_be_visible()
    expect(page.locator("table[data-resource=tax_rates] tbody tr", has_text="IS")).to_have_count(1)

    staff = browser.new_context(base_url=live_server)
    try:
        reader = staff.new_page()
        log_in(reader, make_user("supervisor"))
        for view, text in (("coupons", code), ("shipping_methods", name), ("tax_rates", "IS")):
            _open(reader, view)
            _row(reader, view, text)
            assert reader.locator(".row-edit, .row-delete, .row-add").count() == 0, view
    finally:
        staff.close()
