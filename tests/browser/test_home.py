"""The storefront home page shows the catalog grid from the API."""
from __future__ import annotations


def test_home_page_shows_the_product_grid(page, services):
    services.seed.seed_catalog(30)
    page.goto("/")
    cards = page.locator("#product-grid .product-card")
    cards.first.wait_for()
    assert cards.count() == 24
    first = services.products.list_products(1, 24)["items"][0]
    assert cards.first.locator("h2").inner_text() == first["name"]
    # Four columns on a desktop-wide window: the first four cards share one row.
    tops = [cards.nth(i).bounding_box()["y"] for i in range(5)]
    assert tops[0] == tops[1] == tops[2] == tops[3] < tops[4]
    assert "products" in page.locator("#catalog-status").inner_text()
