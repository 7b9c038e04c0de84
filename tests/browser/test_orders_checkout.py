"""A guest fills a cart, logs in (the cart survives), checks out with a test card, and finds the order."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.orders_support import add_product, stock_of


def test_guest_cart_survives_login_and_checks_out(page, db, make_user):
    user = make_user()
    lamp = add_product(db, "30.00", stock=4, name="Brass Desk Lamp")
    mug = add_product(db, "12.00", stock=9, name="Stoneware Mug")
    # The guest adds both from their product pages.
    for product_id, quantity in ((lamp, 1), (mug, 2)):
        page.goto(f"/products/{product_id}")
        page.locator("#product-main").wait_for()
        page.fill("#quantity", str(quantity))
        page.click("#add-to-cart-button")
        expect(page.locator("#cart-message")).to_contain_text("Added")
    expect(page.locator("#cart-badge")).to_have_text("3")
    assert any(c["name"] == "sw_cart" and c["httpOnly"] for c in page.context.cookies())
    page.goto("/cart")
    lines = page.locator("#cart-lines .cart-line")
    lines.first.wait_for()
    assert lines.count() == 2

    # Changing a quantity happens in place (no reload): the total follows.
    page.locator(f'.cart-line[data-product-id="{mug}"] input.qty').fill("3")
    page.locator(f'.cart-line[data-product-id="{mug}"] input.qty').dispatch_event("change")
    expect(page.locator("#cart-total")).to_contain_text("66")

    page.goto("/login?next=/cart")
    page.fill("#login-login", user["email"])
    page.fill("#login-password", user["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/cart$"))
    lines.first.wait_for()
    assert sorted(int(n.get_attribute("data-product-id")) for n in lines.all()) == sorted([lamp, mug])

    page.click("#cart-checkout")
    page.wait_for_url(re.compile(r"/checkout$"))
    page.locator("#checkout").wait_for()
    page.fill("#ship-full-name", "Grace Hopper")
    page.fill("#ship-line1", "1 Harbor Way")
    page.fill("#ship-city", "Arlington")
    page.fill("#ship-postal", "22201")
    page.fill("#ship-country", "US")
    page.fill("#card-number", "4242 4242 4242 4241")
    assert "not valid" in page.locator("#card-brand").inner_text()
    page.fill("#card-number", "4242 4242 4242 4242")
    assert page.locator("#card-brand").inner_text().startswith("Visa")
    page.fill("#card-month", "12")
    page.fill("#card-year", "2099")
    page.fill("#card-cvc", "123")
    page.fill("#card-holder", "Grace Hopper")
    page.click("#place-order")
    page.wait_for_url(re.compile(r"/orders/\d+/thanks$"))
    order_id = int(re.search(r"/orders/(\d+)/thanks", page.url).group(1))
    assert page.locator("#order-number").inner_text() == f"#{order_id}"
    expect(page.locator("#thanks-status")).to_contain_text("4242")
    assert (stock_of(db, lamp), stock_of(db, mug)) == (3, 6)

    page.goto("/account#orders")
    card = page.locator(f'#order-list .order-card[data-order-id="{order_id}"]')
    card.wait_for()
    assert "66.00" in card.inner_text()
    assert "paid" in card.inner_text()


def test_cart_page_changes_everything_in_place(page, services, db, make_user):
    from backend.services.cart import CartOwner

    user = make_user()
    first, second = add_product(db, "5.00", stock=5), add_product(db, "7.00", stock=5)
    for product_id in (first, second):
        services.cart.add_item(CartOwner(user_id=user["id"]), product_id, 1)
    page.goto("/login?next=/cart")
    page.fill("#login-login", user["username"])
    page.fill("#login-password", user["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/cart$"))
    lines = page.locator("#cart-lines .cart-line")
    lines.first.wait_for()
    page.evaluate("window.stillHere = true")  # gone if anything below reloads the page

    line = page.locator(f'#cart-lines .cart-line[data-product-id="{second}"]')
    line.get_by_role("button", name="Save for later").click()
    page.locator(f'#saved-lines .cart-line[data-product-id="{second}"]').wait_for()
    assert lines.count() == 1
    page.locator("#saved-lines").get_by_role("button", name="Move to cart").click()
    line.wait_for()
    expect(page.locator("#saved-section")).to_have_attribute("hidden", "")
    line.get_by_role("button", name="Remove").click()
    line.wait_for(state="detached")
    assert lines.count() == 1
    page.click("#cart-clear")
    expect(page.locator("#cart-status")).to_have_text("Your cart is empty.")
    assert page.evaluate("window.stillHere") is True
    assert services.cart.get_cart(CartOwner(user_id=user["id"])).cart["items"] == []
