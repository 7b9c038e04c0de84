"""Products with variants in a real browser, against the real API: staff add, edit and delete variants in
the admin panel; a shopper picks options on the product page (price, stock and the button follow without a
reload), adds the variant, sees its label in the cart, checks out with a test card and finds the label on
the thank-you page and in the order history; an out-of-stock variant cannot be added."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.catalog_support import product, word
from tests.conftest import uid
from tests.orders_support import order_body

API = "/api/v1"


def _variant(client, staff, product_id: int, options: dict[str, str], stock: int, price: str | None = None,
             sku: str = "") -> dict:
    body = {"sku": sku or f"SKU-{uid()}", "options": options, "stock": stock}
    if price is not None:
        body["price"] = price
    answer = client.post(f"{API}/products/{product_id}/variants", json=body, headers=staff["headers"])
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _detail(client, product_id: int) -> dict:
    answer = client.get(f"{API}/products/{product_id}")
    assert answer.status_code == 200
    return answer.get_json()


def _open_product_in_panel(page, name: str) -> None:
    page.click("#admin-nav a[data-view=products]")
    expect(page.locator("#admin-main")).to_have_attribute("data-view", "products")
    page.fill("#admin-main input[type=search]", name)
    page.click("#admin-main form[role=search] button[type=submit]")
    page.locator("#admin-main [role=status]", has_text="1 products matching").wait_for()
    page.locator("table[data-resource=products] .row-view").click()
    page.locator("#variants").wait_for()


def _fill_pair(page, index: int, name: str | None, value: str) -> None:
    pair = page.locator("form[data-form=variant-add] .option-pair").nth(index)
    if name is not None:
        pair.locator(".option-name").fill(name)
    pair.locator(".option-value").fill(value)


def test_a_product_manager_adds_edits_and_deletes_variants(page, make_user, services, client):
    page.on("dialog", lambda dialog: dialog.accept())
    name = f"Panel Tee {uid()}"
    tee = product(services, name, "20.00", 0)
    log_in(page, make_user("product_manager"), "/admin")
    _open_product_in_panel(page, name)
    expect(page.locator("#variants [role=status]")).to_contain_text("No variants")

    # The first variant brings the option names: Size, then a second pair for Colour.
    form = page.locator("form[data-form=variant-add]")
    sku_m = f"TEE-M-RED-{uid()}"
    _fill_pair(page, 0, "Size", "M")
    form.locator(".option-more").click()
    _fill_pair(page, 1, "Colour", "Red")
    page.fill("#variant-sku", sku_m)
    page.fill("#variant-stock", "3")
    form.locator("button[type=submit]").click()
    expect(page.locator("#variants [role=status]")).to_have_text(f"Added {sku_m}.")
    row_m = page.locator(f"table[data-view=variants] tr[data-sku='{sku_m}']")
    expect(row_m.locator("[data-column=options]")).to_have_text("M / Red")
    assert row_m.locator("[data-column=price] input").get_attribute("placeholder") == "product price"

    # The next form starts with the product's option names.
    assert [n.input_value() for n in form.locator(".option-name").all()] == ["Size", "Colour"]
    sku_l = f"TEE-L-BLUE-{uid()}"
    _fill_pair(page, 0, None, "L")
    _fill_pair(page, 1, None, "Blue")
    page.fill("#variant-sku", sku_l)
    page.fill("#variant-price", "25.00")
    page.fill("#variant-stock", "0")
    form.locator("button[type=submit]").click()
    expect(page.locator("#variants [role=status]")).to_have_text(f"Added {sku_l}.")
    expect(page.locator("table[data-view=variants] tbody tr")).to_have_count(2)

    # The API's refusals land beside the form: a taken SKU (409), then option names not the product's (422).
    _fill_pair(page, 0, None, "S")
    _fill_pair(page, 1, None, "Red")
    page.fill("#variant-sku", sku_m)
    page.fill("#variant-stock", "1")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-notice")).to_be_visible()
    assert form.locator(".form-notice").get_attribute("role") == "alert"
    page.fill("#variant-sku", f"TEE-S-{uid()}")
    _fill_pair(page, 1, "Color", "Red")
    form.locator("button[type=submit]").click()
    expect(form.locator("fieldset[name=options] + .field-error")).to_be_visible()
    expect(page.locator("table[data-view=variants] tbody tr")).to_have_count(2)

    # In place: stock 3 -> 7 and an own price for M / Red; then L / Blue goes back to the product's price.
    row_m.locator("[data-column=stock] input").fill("7")
    row_m.locator("[data-column=price] input").fill("22.50")
    row_m.locator(".variant-save").click()
    expect(page.locator("#variants [role=status]")).to_have_text(f"Saved {sku_m}.")
    row_l = page.locator(f"table[data-view=variants] tr[data-sku='{sku_l}']")
    row_l.locator("[data-column=price] input").fill("")
    row_l.locator(".variant-save").click()
    expect(page.locator("#variants [role=status]")).to_have_text(f"Saved {sku_l}.")
    row_l.locator("[data-column=stock] input").fill("-1")
    row_l.locator(".variant-save").click()
    expect(page.locator("#variants [role=alert]")).to_contain_text(sku_l)
    assert row_l.locator("[data-column=stock] input").get_attribute("aria-invalid") == "true"

    variants = {v["sku"]: v for v in _detail(client, tee["id"])["variants"]}
    assert (variants[sku_m]["stock"], variants[sku_m]["price"]) == (7, "22.50")
    assert (variants[sku_l]["stock"], variants[sku_l]["price"]) == (0, "20.00")

    # Delete L / Blue (never ordered: erased).
    row_l.locator(".variant-delete").click()
    expect(page.locator("#variants [role=status]")).to_have_text(f"Deleted {sku_l}.")
    expect(page.locator("table[data-view=variants] tbody tr")).to_have_count(1)
    assert [v["sku"] for v in _detail(client, tee["id"])["variants"]] == [sku_m]
    # The product's edit form has the same variants block under it.
    page.locator("table[data-resource=products] .row-edit").click()
    page.locator("form[data-form=edit]").wait_for()
    expect(page.locator("#variants table[data-view=variants] tbody tr")).to_have_count(1)
    expect(page.locator("form[data-form=variant-add] .option-name")).to_have_count(2)


def _shirt(services, client, staff) -> dict:
    """A shirt at 20.00: S / Red (2 left), M / Red at 24.00 (5 left), M / Blue (none left)."""
    w = word()
    shirt = product(services, f"{w} Oxford Shirt", "20.00", 0)
    ids = {
        "S/Red": _variant(client, staff, shirt["id"], {"Size": "S", "Colour": "Red"}, 2),
        "M/Red": _variant(client, staff, shirt["id"], {"Size": "M", "Colour": "Red"}, 5, price="24.00"),
        "M/Blue": _variant(client, staff, shirt["id"], {"Size": "M", "Colour": "Blue"}, 0),
    }
    return {"word": w, "id": shirt["id"], "variants": ids}


def _pick(page, option: str, value: str) -> None:
    page.locator(f"#product-options fieldset[data-option='{option}'] button[data-value='{value}']").click()


def test_a_shopper_picks_a_variant_adds_it_and_checks_out(page, make_user, services, client):
    shirt = _shirt(services, client, make_user("product_manager"))
    shopper = make_user()

    # The grid lists the shirt at its lowest variant price, in stock.
    page.goto(f"/?q={shirt['word']}")
    card = page.locator(f"#product-grid .product-card[data-product-id='{shirt['id']}']")
    expect(card.locator(".price")).to_have_text(re.compile(r"^From \$20\.00$"))
    expect(card.locator(".stock")).to_have_text("In stock")

    log_in(page, shopper, f"/products/{shirt['id']}")
    page.locator("#product-main").wait_for()
    page.evaluate("window.stillHere = true")  # gone if anything below reloads the page
    price, stock = page.locator("#product-price"), page.locator("#product-stock")
    button = page.locator("#add-to-cart-button")
    assert page.locator("#product-options legend").all_inner_texts() == ["Size", "Colour"]
    assert page.locator("#product-options fieldset[data-option=Size] button").all_inner_texts() == ["S", "M"]
    expect(price).to_have_text("From $20.00")
    expect(stock).to_have_text("Choose Size and Colour.")
    expect(button).to_be_disabled()

    # M: Blue is marked (M / Blue has none left), Red is not; M / Red shows its own price and stock.
    _pick(page, "Size", "M")
    blue = page.locator("#product-options fieldset[data-option=Colour] button[data-value=Blue]")
    expect(blue).to_have_attribute("data-available", "false")
    expect(blue).to_have_class(re.compile(r"\bunavailable\b"))
    expect(page.locator("#product-options button[data-value=Red]")).to_have_attribute("data-available", "true")
    expect(button).to_be_disabled()
    _pick(page, "Colour", "Red")
    expect(price).to_have_text("$24.00")
    expect(stock).to_have_text("Only 5 left")
    expect(button).to_be_enabled()
    # M / Blue: the product's price, out of stock, no button.
    _pick(page, "Colour", "Blue")
    expect(price).to_have_text("$20.00")
    expect(stock).to_have_text("Out of stock")
    expect(button).to_be_disabled()
    # S / Red: 2 left at the product's price.
    _pick(page, "Size", "S")
    _pick(page, "Colour", "Red")
    expect(stock).to_have_text("Only 2 left")
    expect(button).to_be_enabled()
    _pick(page, "Size", "M")
    expect(price).to_have_text("$24.00")
    page.fill("#quantity", "2")
    button.click()
    expect(page.locator("#cart-message")).to_have_text("Added to your cart.")
    expect(page.locator("#cart-badge")).to_have_text("2")
    assert page.evaluate("window.stillHere") is True

    # The cart line carries the label; its quantity change goes to the variant's line.
    m_red = shirt["variants"]["M/Red"]
    page.goto("/cart")
    line = page.locator(f"#cart-lines .cart-line[data-variant-id='{m_red['id']}']")
    expect(line.locator(".variant-label")).to_have_text("M / Red")
    line.locator("input.qty").fill("3")
    line.locator("input.qty").dispatch_event("change")
    expect(page.locator("#cart-total")).to_contain_text("72.00")
    # Saved for later and back, still the same variant.
    line.get_by_role("button", name="Save for later").click()
    saved = page.locator(f"#saved-lines .cart-line[data-variant-id='{m_red['id']}']")
    expect(saved.locator(".variant-label")).to_have_text("M / Red")
    saved.get_by_role("button", name="Move to cart").click()
    expect(line.locator("input.qty")).to_have_value("3")

    page.click("#cart-checkout")
    page.wait_for_url(re.compile(r"/checkout$"))
    page.locator("#checkout").wait_for()
    expect(page.locator("#summary-items .variant-label")).to_have_text("M / Red")
    for field, value in (("#ship-full-name", "Ada Lovelace"), ("#ship-line1", "12 St James's Square"),
                         ("#ship-city", "London"), ("#ship-postal", "SW1Y 4JH"), ("#ship-country", "GB"),
                         ("#card-number", "4242 4242 4242 4242"), ("#card-month", "12"), ("#card-year", "2099"),
                         ("#card-cvc", "123"), ("#card-holder", "Ada Lovelace")):
        page.fill(field, value)
    page.click("#place-order")
    page.wait_for_url(re.compile(r"/orders/\d+/thanks$"))
    order_id = int(re.search(r"/orders/(\d+)/thanks", page.url).group(1))
    thanks_line = page.locator("#thanks-items li")
    expect(thanks_line.locator(".variant-label")).to_have_text("M / Red")
    expect(thanks_line).to_contain_text("3 × ")
    expect(thanks_line).to_contain_text("72.00")

    page.goto("/account#orders")
    card = page.locator(f'#order-list .order-card[data-order-id="{order_id}"]')
    expect(card.locator(".variant-label")).to_have_text("M / Red")
    variants = {v["id"]: v for v in _detail(client, shirt["id"])["variants"]}
    assert variants[m_red["id"]]["stock"] == 2
    assert variants[shirt["variants"]["S/Red"]["id"]]["stock"] == 2


def test_an_out_of_stock_variant_cannot_be_added_and_a_guest_removes_a_variant_line(page, make_user, services,
                                                                                     client):
    shirt = _shirt(services, client, make_user("product_manager"))
    m_blue = shirt["variants"]["M/Blue"]
    page.goto(f"/products/{shirt['id']}?variant_id={m_blue['id']}")   # a link straight to the variant
    page.locator("#product-main").wait_for()
    expect(page.locator("#product-options button[aria-pressed=true]")).to_have_count(2)
    expect(page.locator("#product-stock")).to_have_text("Out of stock")
    expect(page.locator("#add-to-cart-button")).to_be_disabled()
    # Even with the button forced on, the API refuses and the page says so; the cart stays empty.
    page.evaluate("document.getElementById('add-to-cart-button').disabled = false")
    page.click("#add-to-cart-button")
    expect(page.locator("#cart-message")).to_have_text("Not enough stock for that quantity.")
    expect(page.locator("#cart-badge")).to_be_hidden()
    # The guest takes S / Red instead, then removes that line from the cart page.
    _pick(page, "Size", "S")
    _pick(page, "Colour", "Red")
    page.click("#add-to-cart-button")
    expect(page.locator("#cart-badge")).to_have_text("1")
    page.goto("/cart")
    line = page.locator(f"#cart-lines .cart-line[data-variant-id='{shirt['variants']['S/Red']['id']}']")
    expect(line.locator(".variant-label")).to_have_text("S / Red")
    assert line.locator("h3 a").get_attribute("href") == (
        f"/products/{shirt['id']}?variant_id={shirt['variants']['S/Red']['id']}")
    line.get_by_role("button", name="Remove").click()
    expect(page.locator("#cart-status")).to_have_text("Your cart is empty.")


def test_staff_see_sku_and_label_of_ordered_variants_and_deleting_one_archives_it(page, make_user, services, client,
                                                                                  db):
    staff = make_user("product_manager")
    shirt = _shirt(services, client, staff)
    s_red = shirt["variants"]["S/Red"]
    buyer = make_user()
    added = client.post(f"{API}/cart/items", json={"product_id": shirt["id"], "variant_id": s_red["id"], "quantity": 1},
                        headers=buyer["headers"])
    assert added.status_code == 201, added.get_json()
    placed = client.post(f"{API}/orders", json=order_body(), headers={**buyer["headers"], "Idempotency-Key": uid()})
    assert placed.status_code == 201, placed.get_json()
    order_id = placed.get_json()["id"]

    log_in(page, make_user("supervisor"), "/admin")
    page.locator("#admin-nav a").first.wait_for()
    page.click("#admin-nav a[data-view=orders]")
    page.locator(f"table[data-resource=orders] tr[data-id='{order_id}'] .row-view").click()
    item = page.locator(f"#order-items tr[data-variant-id='{s_red['id']}']")
    expect(item).to_contain_text(s_red["sku"])
    expect(item).to_contain_text("S / Red")

    _open_product_in_panel(page, f"{shirt['word']} Oxford Shirt")
    rows = page.locator("table[data-view=variants] tbody tr")
    expect(rows).to_have_count(3)
    s_red_price = page.locator(f"table[data-view=variants] tr[data-sku='{s_red['sku']}'] [data-column=price]")
    expect(s_red_price).to_contain_text("product price")
    assert page.locator("#variants input, #variants button, form[data-form=variant-add]").count() == 0

    # A product manager deletes the ordered variant: it is archived, the order keeps its sku and label.
    page.on("dialog", lambda dialog: dialog.accept())
    page.context.clear_cookies()
    log_in(page, staff, "/admin")
    _open_product_in_panel(page, f"{shirt['word']} Oxford Shirt")
    page.locator(f"table[data-view=variants] tr[data-sku='{s_red['sku']}'] .variant-delete").click()
    expect(page.locator("#variants [role=status]")).to_have_text(f"Deleted {s_red['sku']}.")
    expect(rows).to_have_count(2)
    with db.cursor() as cur:
        cur.execute("SELECT is_archived FROM product_variants WHERE id = %s", (s_red["id"],))
        assert cur.fetchone()["is_archived"] == 1
    item = client.get(f"{API}/orders/{order_id}", headers=buyer["headers"]).get_json()["items"][0]
    assert (item["variant_id"], item["sku"], item["variant_label"]) == (s_red["id"], s_red["sku"], "S / Red")
