"""The header's search box offers the week's trending terms on every page."""
from __future__ import annotations

from tests.catalog_support import product, word


def test_trending_terms_are_offered_on_any_page(page, client, services):
    term = word()
    product(services, f"{term} Lamp")  # only searches that found products trend
    for _ in range(6):  # more often than any other test searches its own terms
        client.get(f"/api/v1/products?q={term}")
    page.goto("/cart")
    options = page.locator("#search-suggestions option")
    options.first.wait_for(state="attached")
    assert term in [options.nth(i).get_attribute("value") for i in range(options.count())]
