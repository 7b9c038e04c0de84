"""The admin panel in a real browser: an admin blocks a user who then cannot log in; a supervisor
sees every view but no button that would change anything; the dashboard draws its chart; a product
manager hides a trending search term."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.catalog_support import product, word
from tests.conftest import uid
from tests.orders_support import add_product


def _open(page, view):
    page.click(f"#admin-nav a[data-view={view}]")
    expect(page.locator("#admin-main")).to_have_attribute("data-view", view)


def test_an_admin_blocks_a_user_who_then_cannot_log_in(page, browser, live_server, make_user):
    admin = make_user("admin")
    victim = make_user(full_name=f"Victim {uid()}", password="victim-password-1")
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, admin)
    _open(page, "users")
    page.fill("#admin-main input[type=search]", victim["username"])
    page.click("#admin-main form[role=search] button[type=submit]")
    page.locator("#admin-main [role=status]", has_text="1 users matching").wait_for()
    row = page.locator(f"table[data-resource=users] tr[data-id='{victim['id']}']")
    assert page.locator("table[data-resource=users] tbody tr").count() == 1
    row.locator(".row-select").check()
    page.select_option(".bulk-bar select[name=action]", "block")
    page.fill(".bulk-bar input[name=blocked_until]", "2099-01-01T00:00")
    page.click(".bulk-bar button[type=submit]")
    page.locator(".bulk-bar [role=status]", has_text="1 changed.").wait_for()
    row.locator("[data-column=role]").wait_for()
    # The audit view shows the bulk action.
    _open(page, "audit")
    page.fill("input[name=action]", "users.bulk_block")
    page.click("#admin-main form button[type=submit]")
    page.locator("#admin-main tbody tr").first.wait_for()
    assert str(victim["id"]) in page.locator("#admin-main tbody tr").first.inner_text()

    other = browser.new_context(base_url=live_server)
    try:
        visitor = other.new_page()
        visitor.goto("/login")
        visitor.fill("#login-login", victim["email"])
        visitor.fill("#login-password", victim["password"])
        visitor.click("#login-form button[type=submit]")
        visitor.locator("#login-form [role=alert]", has_text="blocked").wait_for()
        assert visitor.url.endswith("/login")
    finally:
        other.close()


def test_a_supervisor_sees_every_view_but_no_edit_buttons(page, make_user, db):
    supervisor = make_user("supervisor")
    make_user(full_name=f"Someone {uid()}")
    add_product(db)
    log_in(page, supervisor)
    nav = page.locator("#admin-nav a")
    nav.first.wait_for()
    assert nav.all_inner_texts() == ["Dashboard", "Users", "Products", "Categories", "Offers", "Orders", "Coupons",
                                     "Shipping methods", "Tax rates", "Audit log"]
    for view in ("users", "products", "categories", "offers", "orders", "coupons", "shipping_methods", "tax_rates"):
        _open(page, view)
        page.locator(f"table[data-resource={view}]").wait_for()
        page.locator("#admin-main [role=status]").first.wait_for()
        if view in ("users", "products"):
            page.locator(f"table[data-resource={view}] .row-view").first.wait_for()
        assert page.locator(".row-edit, .row-delete, .row-add, .bulk-bar, .row-select").count() == 0, view
    _open(page, "users")
    page.locator("table[data-resource=users] .row-view").first.click()
    page.locator(".panel dl").wait_for()
    assert "email" in page.locator(".panel dl").inner_text()


def test_the_dashboard_draws_sales_per_day(page, make_user):
    log_in(page, make_user("operator"))
    page.locator("#sales-chart svg").wait_for()
    assert page.locator("#sales-chart rect.bar").count() == 30
    assert page.locator("#admin-nav a").all_inner_texts() == ["Dashboard", "Orders"]


def test_a_product_manager_adds_edits_and_deletes_a_product_in_the_panel(page, make_user):
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, make_user("product_manager"))
    assert page.locator("#admin-nav a").all_inner_texts() == ["Products", "Categories", "Offers", "Coupons",
                                                              "Trending searches"]
    _open(page, "products")
    page.locator("table[data-resource=products]").wait_for()
    name = f"Panel product {uid()}"
    page.click(".row-add")
    page.click("form[data-form=add] button[type=submit]")          # empty: the API's validation answers
    page.locator("form[data-form=add] .field-error").first.wait_for()
    page.fill("#f-name", name)
    page.fill("#f-price", "12.34")
    page.fill("#f-stock", "4")
    page.click("form[data-form=add] button[type=submit]")
    page.locator("#admin-main .notice", has_text="Added.").wait_for()
    page.fill("#admin-main input[type=search]", name)
    page.click("#admin-main form[role=search] button[type=submit]")
    page.locator("#admin-main [role=status]", has_text="1 products matching").wait_for()
    row = page.locator("table[data-resource=products] tbody tr")
    row.locator("[data-column=price]", has_text="12.34").wait_for()
    row.locator(".row-edit").click()
    page.fill("#f-price", "-5")
    page.click("form[data-form=edit] button[type=submit]")
    page.locator("form[data-form=edit] .field-error").first.wait_for()
    page.fill("#f-price", "9.50")
    page.click("form[data-form=edit] button[type=submit]")
    row.locator("[data-column=price]", has_text="9.50").wait_for()
    row.locator(".row-delete").click()
    page.locator("#admin-main [role=status]", has_text="0 products").wait_for()


def test_a_product_manager_hides_a_trending_term(page, make_user, client, services):
    page.on("dialog", lambda dialog: dialog.accept())
    w = word()
    product(services, f"{w} Lamp")
    for term, times in ((f"{w} lamp", 9), (w, 8)):  # more often than other tests search: in the top 50
        for _ in range(times):
            client.get("/api/v1/products", query_string={"q": term})
    log_in(page, make_user("product_manager"))
    _open(page, "trending")
    row = page.locator(f"table[data-view=trending] tr[data-term='{w} lamp']")
    assert row.locator("td").nth(1).inner_text() == "9"
    row.locator(".row-hide").click()
    page.locator("#admin-main [role=status]", has_text="is hidden").wait_for()
    assert row.count() == 0
    assert page.locator(f"table[data-view=trending] tr[data-term='{w}']").count() == 1
    assert [t for t in client.get("/api/v1/search/trending?limit=50").get_json() if w in t["term"]] == [
        {"term": w, "count": 8}]
