"""Storefront catalog pages: search, filter by a sub-category, open a product page, add to cart."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from backend.clock import utcnow
from tests.catalog_support import offer, product, tree, word


def test_search_filter_by_subcategory_and_open_a_product(page, services):
    w = word()
    ids = tree(services, {"Outdoor": {"Tents": {}, "Stoves": {}}})
    product(services, f"{w} Ridge Tent", "120.00", 3, ids["Tents"], description="Sleeps two.\n\nWeighs 2 kg.")
    product(services, f"{w} Camp Stove", "45.00", 0, ids["Stoves"])
    product(services, f"{w} Trail Map", "5.00", 50, ids["Outdoor"])

    page.goto("/")
    page.fill("#search-input", w)
    page.press("#search-input", "Enter")
    page.wait_for_url(f"**/?q={w}")
    cards = page.locator("#product-grid .product-card")
    expect(page.locator("#product-grid .product-card")).to_have_count(3)
    assert "3 products" in page.locator("#catalog-status").inner_text()

    # Open the top category in the tree, then its sub-category.
    page.locator(f"#category-tree a[data-category-id='{ids['Outdoor']}']").click()
    page.wait_for_url(f"**category_id={ids['Outdoor']}**")
    page.locator(f"#category-tree a[data-category-id='{ids['Tents']}']").click()
    page.wait_for_url(f"**category_id={ids['Tents']}**")
    expect(page.locator("#product-grid .product-card")).to_have_count(1)
    assert cards.first.locator("h2").inner_text() == f"{w} Ridge Tent"
    assert cards.first.locator(".stock").inner_text() == "Only 3 left"
    assert page.locator("#search-input").input_value() == w

    cards.first.locator("a").click()
    page.wait_for_url("**/products/*")
    page.locator("#product-name").wait_for()
    assert page.locator("#product-name").inner_text() == f"{w} Ridge Tent"
    assert page.locator("#product-stock").inner_text() == "Only 3 left"
    assert "120.00" in page.locator("#product-price").inner_text()
    assert page.locator("#product-description p").all_inner_texts() == ["Sleeps two.", "Weighs 2 kg."]
    assert page.locator("#breadcrumbs a").all_inner_texts()[-1].startswith("Tents")


def test_price_filter_sort_and_sale_price_on_the_page(page, services):
    w = word()
    ids = tree(services, {"Kitchen": {}})
    cheap = product(services, f"{w} Whisk", "8.00", 10, ids["Kitchen"])
    pan = product(services, f"{w} Pan", "80.00", 0, ids["Kitchen"])
    offer(services, utcnow(), percent="25", product_id=pan["id"], ends=timedelta(days=2))

    page.goto(f"/?category_id={ids['Kitchen']}")
    expect(page.locator("#product-grid .product-card")).to_have_count(2)
    page.select_option("#sort", "price_desc")
    page.wait_for_url("**sort=price_desc**")
    expect(page.locator("#product-grid .product-card")).to_have_count(2)
    assert page.locator("#product-grid h2").all_inner_texts() == [f"{w} Pan", f"{w} Whisk"]
    page.fill("#max-price", "59")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**max_price=59**")
    expect(page.locator("#product-grid .product-card")).to_have_count(1)
    assert page.locator("#product-grid h2").all_inner_texts() == [f"{w} Whisk"]

    page.goto(f"/products/{pan['id']}")
    page.locator("#product-name").wait_for()
    price = page.locator("#product-price")
    assert "80.00" in price.locator("s").inner_text() and "60.00" in price.locator(".sale").inner_text()
    assert page.locator("#product-stock").inner_text() == "Out of stock"
    assert page.locator("#add-to-cart-button").is_disabled()
    assert cheap["id"] != pan["id"]


def test_add_to_cart_updates_the_badge_without_reloading(page, services):
    w = word()
    item = product(services, f"{w} Mug", "12.00", 7)
    page.goto(f"/products/{item['id']}")
    page.locator("#product-name").wait_for()
    assert page.locator("#product-stock").inner_text() == "In stock"
    page.evaluate("window.__stayed = true")
    page.fill("#quantity", "2")
    page.click("#add-to-cart-button")
    expect(page.locator("#cart-badge")).to_have_text("2")
    assert page.locator("#cart-badge").is_visible()
    assert page.locator("#cart-message").inner_text() == "Added to your cart."
    assert page.evaluate("window.__stayed") is True  # the same document: no reload
