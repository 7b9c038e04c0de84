"""A guest fills a cart, logs in (the cart survives), checks out with a test card, and finds the order."""
from __future__ import annotations

import re

from tests.orders_support import add_product, stock_of


def test_guest_cart_survives_login_and_checks_out(page, live_server, db, make_user):
    user = make_user()
    lamp = add_product(db, "30.00", stock=4, name="Brass Desk Lamp")
    mug = add_product(db, "12.00", stock=9, name="Stoneware Mug")
    page.goto("/")
    # The guest's cart: the same API calls a product page makes, sharing this browser's cookies.
    for product_id, quantity in ((lamp, 1), (mug, 2)):
        added = page.request.post(f"{live_server}/api/v1/cart/items",
                                  data={"product_id": product_id, "quantity": quantity})
        assert added.status == 201
    page.goto("/cart")
    lines = page.locator("#cart-lines .cart-line")
    lines.first.wait_for()
    assert lines.count() == 2

    # Changing a quantity happens in place (no reload): the total follows.
    page.locator(f'.cart-line[data-product-id="{mug}"] input.qty').fill("3")
    page.locator(f'.cart-line[data-product-id="{mug}"] input.qty').dispatch_event("change")
    page.wait_for_function("document.getElementById('cart-total').textContent.includes('66')")

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
    page.wait_for_function("document.getElementById('thanks-status').textContent.includes('4242')")
    assert (stock_of(db, lamp), stock_of(db, mug)) == (3, 6)

    page.goto("/account#orders")
    card = page.locator(f'#order-list .order-card[data-order-id="{order_id}"]')
    card.wait_for()
    assert "66.00" in card.inner_text()
    assert "paid" in card.inner_text()
