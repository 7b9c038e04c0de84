"""Product images in a real browser, against the real image API and /media/ files: staff upload two
pictures at once, describe and reorder them; shoppers see the gallery (alt text, srcset, lazy loading,
thumbnail buttons) and the grid thumbnail; a deleted image leaves the page; a file that is not an image,
or is too large, gets its error on its own row."""
from __future__ import annotations

import io
import re
from decimal import Decimal

from PIL import Image
from playwright.sync_api import expect

from backend.context import SYSTEM
from tests.browser.conftest import log_in
from tests.catalog_support import product, word
from tests.conftest import uid

# Resolves with the picture's naturalWidth once it has loaded (0 when it failed): > 0 means real image bytes
# came back and decoded, not just an <img> element in the page.
LOADED_WIDTH = """(img) => img.complete ? img.naturalWidth : new Promise((done) => {
  img.addEventListener("load", () => done(img.naturalWidth), { once: true });
  img.addEventListener("error", () => done(0), { once: true });
})"""


def _picture(fmt: str, size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    """A picture made here: a coloured field with a darker band, so it is not one flat colour."""
    image = Image.new("RGB", size, colour)
    band = tuple(c // 2 for c in colour)
    image.paste(band, (0, size[1] // 3, size[0], size[1] // 2))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def _file(name: str, mime: str, data: bytes) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def _open_product(page, name: str, action: str = ".row-edit"):
    """The product's edit form (or view) in the products view; returns its images block."""
    page.click("#admin-nav a[data-view=products]")
    expect(page.locator("#admin-main")).to_have_attribute("data-view", "products")
    page.fill("#admin-main input[type=search]", name)
    page.click("#admin-main form[role=search] button[type=submit]")
    page.locator("#admin-main [role=status]", has_text="1 products matching").wait_for()
    page.locator("table[data-resource=products] tbody tr").locator(action).click()
    block = page.locator(".product-images")
    expect(block.locator(".images-status")).not_to_have_text("Loading images…")
    return block


def _detail(client, product_id: int) -> dict:
    return client.get(f"/api/v1/products/{product_id}").get_json()


def test_staff_upload_describe_and_reorder_images_and_shoppers_see_the_gallery(
        page, browser, live_server, make_user, services, client):
    page.on("dialog", lambda dialog: dialog.accept())
    w = word()
    name = f"{w} Desk Lamp"
    item = product(services, name, "49.00", 8)
    log_in(page, make_user("product_manager"))
    block = _open_product(page, name)
    expect(block.locator(".images-status")).to_have_text("No images yet.")
    assert block.locator("input[type=file]").get_attribute("multiple") == ""
    assert block.locator("input[type=file]").get_attribute("accept") == "image/jpeg,image/png,image/webp"

    # Two files chosen at once: one request each, each row says how it went, both previews appear.
    block.locator("input[type=file]").set_input_files([
        _file("front.jpg", "image/jpeg", _picture("JPEG", (2000, 1500), (200, 40, 40))),
        _file("back.png", "image/png", _picture("PNG", (1800, 1200), (40, 60, 200)))])
    expect(block.locator(".upload[data-state=done]")).to_have_count(2)
    assert block.locator(".upload .upload-status").all_inner_texts() == ["Uploaded", "Uploaded"]
    items = block.locator(".image-item")
    expect(items).to_have_count(2)
    expect(block.locator(".images-status")).to_have_text("2 images, the first is the cover.")
    jpeg_id, png_id = (int(i) for i in items.evaluate_all("rows => rows.map((r) => r.dataset.imageId)"))
    for thumb in block.locator(".image-thumb").all():
        assert thumb.evaluate(LOADED_WIDTH) == 320  # the thumb copy of a wide picture, served from /media/
        assert thumb.get_attribute("src").startswith("/media/")

    # Alt text for each, then the PNG moves to the front.
    for image_id, alt in ((jpeg_id, "Red lamp, front"), (png_id, "Blue lamp, back")):
        row = block.locator(f".image-item[data-image-id='{image_id}']")
        row.locator("input[name=alt]").fill(alt)
        row.locator(".image-save-alt").click()
        expect(row.locator(".image-note")).to_have_text("Alt text saved.")
    block.locator(f".image-item[data-image-id='{jpeg_id}'] .image-down").click()
    expect(block.locator(f".image-item[data-image-id='{jpeg_id}'] .image-note")).to_have_text("Moved.")
    assert items.evaluate_all("rows => rows.map((r) => Number(r.dataset.imageId))") == [png_id, jpeg_id]
    assert block.locator(".image-thumb").evaluate_all("imgs => imgs.map((i) => i.alt)") == [
        "Blue lamp, back", "Red lamp, front"]
    assert block.locator(".image-item").first.locator(".image-up").is_disabled()
    images = _detail(client, item["id"])["images"]
    assert [(i["id"], i["alt"], i["position"]) for i in images] == [
        (png_id, "Blue lamp, back", 0), (jpeg_id, "Red lamp, front", 1)]
    assert [(i["width"], i["height"]) for i in images] == [(1600, 1067), (1600, 1200)]

    # A shopper (no session) sees the gallery: the first picture loaded from /media/ at the size it needs.
    shopper_context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    try:
        shopper = shopper_context.new_page()
        shopper.goto(f"/products/{item['id']}")
        mains = shopper.locator("#gallery .gallery-main")
        expect(mains).to_have_count(2)
        first, second = mains.nth(0), mains.nth(1)
        expect(first).to_be_visible()
        expect(second).to_be_hidden()
        urls = images[0]["urls"]
        assert first.get_attribute("alt") == "Blue lamp, back"
        assert first.get_attribute("srcset") == f"{urls['thumb']} 320w, {urls['medium']} 800w, {urls['large']} 1600w"
        assert first.get_attribute("sizes")
        assert first.get_attribute("loading") is None and second.get_attribute("loading") == "lazy"
        assert (first.get_attribute("width"), first.get_attribute("height")) == ("1600", "1067")
        assert first.evaluate(LOADED_WIDTH) > 0
        assert first.evaluate("img => img.currentSrc").startswith(f"{live_server}/media/")

        # Thumbnail buttons switch the picture, by click and by arrow keys.
        thumbs = shopper.locator("#gallery .gallery-thumb")
        expect(thumbs).to_have_count(2)
        assert thumbs.nth(1).get_attribute("aria-label") == "Show image 2 of 2: Red lamp, front"
        thumbs.nth(1).click()
        expect(second).to_be_visible()
        expect(first).to_be_hidden()
        expect(thumbs.nth(1)).to_have_attribute("aria-pressed", "true")
        assert second.get_attribute("alt") == "Red lamp, front"
        assert second.evaluate(LOADED_WIDTH) > 0  # the lazy picture loads once shown
        thumbs.nth(1).press("ArrowLeft")
        expect(first).to_be_visible()
        expect(thumbs.nth(0)).to_be_focused()
        expect(thumbs.nth(0)).to_have_attribute("aria-pressed", "true")

        # The grid shows the cover's thumb instead of the letter.
        shopper.goto(f"/?q={w}")
        card = shopper.locator(f"#product-grid .product-card[data-product-id='{item['id']}']")
        picture = card.locator("img")
        expect(picture).to_have_attribute("src", urls["thumb"])
        assert picture.get_attribute("alt") == name
        assert picture.get_attribute("loading") == "lazy"
        # Its box is sized before the picture arrives (4:3, as the letter's), so the grid does not jump.
        assert (picture.get_attribute("width"), picture.get_attribute("height")) == ("320", "240")
        box = picture.bounding_box()
        assert abs(box["width"] / box["height"] - 4 / 3) < 0.02
        assert picture.evaluate(LOADED_WIDTH) == 320
        assert card.locator(".placeholder").count() == 0
    finally:
        shopper_context.close()

    # Deleting the cover: it leaves the panel, the page and the disk.
    block.locator(f".image-item[data-image-id='{png_id}'] .image-delete").click()
    expect(items).to_have_count(1)
    expect(block.locator(".images-status")).to_contain_text("Image deleted.")
    for url in urls.values():
        assert page.request.get(url).status == 404
    page.goto(f"/products/{item['id']}")   # a staff session: answers are not cached
    expect(page.locator("#gallery .gallery-main")).to_have_count(1)
    assert page.locator("#gallery .gallery-main").get_attribute("alt") == "Red lamp, front"
    assert page.locator("#gallery .gallery-thumb").count() == 0
    assert page.locator("#gallery .gallery-main").evaluate(LOADED_WIDTH) > 0


def test_a_file_that_is_not_an_image_gets_its_error_and_the_others_still_upload(page, make_user, services, client):
    name = f"{word()} Mug"
    item = product(services, name)
    log_in(page, make_user("product_manager"))
    block = _open_product(page, name)
    block.locator("input[type=file]").set_input_files([
        _file("notes.txt", "text/plain", b"just some words\n"),
        _file("fake.jpg", "image/jpeg", b"\xff\xd8\xff\xe0 not really a jpeg" * 10),
        _file("real.webp", "image/webp", _picture("WEBP", (640, 480), (30, 160, 90)))])
    expect(block.locator(".upload[data-state=done]")).to_have_count(1)
    failed = block.locator(".upload[data-state=failed]")
    expect(failed).to_have_count(2)
    assert failed.evaluate_all("rows => rows.map((r) => r.dataset.fileName)") == ["notes.txt", "fake.jpg"]
    for row in failed.all():
        expect(row.locator(".upload-status")).to_have_class(re.compile(r"\bfield-error\b"))
        assert "JPEG, PNG or WebP" in row.locator(".upload-status").inner_text()
    expect(block.locator(".image-item")).to_have_count(1)
    assert [i["width"] for i in _detail(client, item["id"])["images"]] == [640]


def test_a_file_over_the_size_limit_is_refused_on_its_row(page, make_user, services, settings):
    name = f"{word()} Poster"
    product(services, name)
    log_in(page, make_user("product_manager"))
    block = _open_product(page, name)
    block.locator("input[type=file]").set_input_files([
        _file("huge.jpg", "image/jpeg", b"\xff" * (settings.max_image_bytes + 1024))])
    row = block.locator(".upload[data-state=failed]")
    expect(row).to_have_count(1)
    assert "too large" in row.locator(".upload-status").inner_text().lower()
    expect(block.locator(".images-status")).to_have_text("No images yet.")


def test_a_supervisor_sees_the_previews_without_controls(page, make_user, services, client):
    name = f"{word()} Vase"
    item = product(services, name)
    staff = make_user("product_manager")
    answer = client.post(f"/api/v1/products/{item['id']}/images", headers=staff["headers"],
                         data={"file": (io.BytesIO(_picture("PNG", (300, 200), (90, 90, 90))), "vase.png"),
                               "alt": f"Grey vase {uid()}"})
    assert answer.status_code == 201, answer.get_json()
    log_in(page, make_user("supervisor"))
    block = _open_product(page, name, ".row-view")
    expect(block.locator(".image-item")).to_have_count(1)
    assert block.locator(".image-alt").inner_text() == answer.get_json()["alt"]
    assert block.locator(".image-thumb").evaluate(LOADED_WIDTH) == 300  # never upscaled
    assert block.locator(".image-upload").is_hidden()
    assert block.locator(".image-item button, .image-item input").count() == 0


def test_a_picture_that_fails_to_load_falls_back_to_the_letter(page, services):
    w = word()
    item = services.products.create_product(SYSTEM, {
        "name": f"{w} Kettle", "price": Decimal("20.00"), "stock": 1, "category_id": None, "description": "",
        "image_url": f"/media/missing-{uid()}.jpg"})
    page.goto(f"/?q={w}")
    card = page.locator(f"#product-grid .product-card[data-product-id='{item['id']}']")
    expect(card.locator(".placeholder")).to_have_text(w[0])
    assert card.locator("img").count() == 0
