"""Product images through the HTTP API: upload, detail and listing fields, PATCH, DELETE, /media/ files,
and every refusal (docs/api.md, "Product images")."""
from __future__ import annotations

import io
import time
from dataclasses import replace
from decimal import Decimal

import pytest
from PIL import Image

from backend.app import create_app
from backend.context import SYSTEM
from tests.conftest import uid
from tests.helpers import TcpProxy, assert_error
from tests.images_support import gif, jpeg, png, png_bomb, truncated_jpeg, webp


@pytest.fixture
def manager(make_user):
    return make_user("product_manager")


@pytest.fixture
def product_id(services):
    made = services.products.create_product(SYSTEM, {"name": f"Pictured {uid()}", "price": Decimal("5.00"),
                                                     "stock": 3, "image_url": "https://example.test/typed.png"})
    return made["id"]


def upload(client, user, product_id, data: bytes, filename: str = "photo.jpg", alt: str | None = None,
           content_type: str = "image/jpeg"):
    form = {"file": (io.BytesIO(data), filename, content_type)}
    if alt is not None:
        form["alt"] = alt
    return client.post(f"/api/v1/products/{product_id}/images", data=form, headers=user["headers"],
                       content_type="multipart/form-data")


def test_upload_answers_the_image_with_three_sizes_and_location(client, manager, product_id):
    response = upload(client, manager, product_id, jpeg(2000, 1000), alt="Front view")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == {"id", "alt", "position", "width", "height", "urls"}
    assert body["alt"] == "Front view" and body["position"] == 0
    assert (body["width"], body["height"]) == (1600, 800)
    assert response.headers["Location"] == f"/api/v1/products/{product_id}/images/{body['id']}"
    sizes = {}
    for label, url in body["urls"].items():
        assert url.startswith("/media/") and url.endswith(".jpg")
        served = client.get(url)
        assert served.status_code == 200
        sizes[label] = Image.open(io.BytesIO(served.data)).size
    assert sizes == {"thumb": (320, 160), "medium": (800, 400), "large": (1600, 800)}
    assert client.get(response.headers["Location"]).get_json() == body


def test_detail_lists_images_in_position_order_and_the_listing_shows_the_first_thumb(client, manager, product_id):
    before = client.get(f"/api/v1/products/{product_id}").get_json()
    assert before["images"] == [] and before["image_url"] == "https://example.test/typed.png"
    first = upload(client, manager, product_id, jpeg(640, 480), alt="one").get_json()
    second = upload(client, manager, product_id, png(300, 200, alpha=True), filename="b.png",
                    content_type="image/png").get_json()
    assert second["position"] == 1 and second["urls"]["thumb"].endswith(".webp")
    detail = client.get(f"/api/v1/products/{product_id}").get_json()
    assert [image["id"] for image in detail["images"]] == [first["id"], second["id"]]
    assert detail["images"][0] == first
    assert detail["image_url"] == first["urls"]["thumb"]
    name = detail["name"]
    listed = client.get("/api/v1/products", query_string={"q": name, "per_page": 5}).get_json()["items"]
    assert [item["image_url"] for item in listed if item["id"] == product_id] == [first["urls"]["thumb"]]


def test_a_cart_line_shows_the_first_thumb_too(client, manager, product_id):
    first = upload(client, manager, product_id, jpeg(640, 480)).get_json()
    upload(client, manager, product_id, jpeg(480, 640))
    assert client.post("/api/v1/cart/items", json={"product_id": product_id, "quantity": 1}).status_code == 201
    lines = client.get("/api/v1/cart").get_json()["items"]
    assert [line["image_url"] for line in lines if line["product_id"] == product_id] == [first["urls"]["thumb"]]


@pytest.mark.parametrize(("data", "filename", "content_type", "why"), [
    (b"just some text, not a picture", "x.jpg", "image/jpeg", "JPEG, PNG or WebP"),
    (gif(), "anim.gif", "image/gif", "JPEG, PNG or WebP"),
    (gif(), "disguised.png", "image/png", "JPEG, PNG or WebP"),
    (truncated_jpeg(), "half.jpg", "image/jpeg", "could not be decoded"),
    (png_bomb(), "bomb.png", "image/png", "40 megapixels"),
    (png_bomb(20_000, 20_000), "bigger-bomb.png", "image/png", "40 megapixels"),
    (b"", "empty.jpg", "image/jpeg", "JPEG, PNG or WebP"),
])
def test_anything_but_a_decodable_jpeg_png_or_webp_is_422_naming_file(client, manager, product_id, data, filename,
                                                                     content_type, why):
    error = assert_error(upload(client, manager, product_id, data, filename, content_type=content_type),
                         422, "validation_error")
    assert list(error["fields"]) == ["file"] and why in error["fields"]["file"][0]
    assert client.get(f"/api/v1/products/{product_id}").get_json()["images"] == []


def test_the_declared_type_and_name_do_not_matter_for_a_real_image(client, manager, product_id):
    response = upload(client, manager, product_id, webp(120, 80), filename="notes.txt", content_type="text/plain")
    assert response.status_code == 201
    assert (response.get_json()["width"], response.get_json()["height"]) == (120, 80)


def test_missing_file_part_is_422_naming_file(client, manager, product_id):
    response = client.post(f"/api/v1/products/{product_id}/images", data={"alt": "no file"},
                           headers=manager["headers"], content_type="multipart/form-data")
    error = assert_error(response, 422, "validation_error")
    assert list(error["fields"]) == ["file"]


def test_a_text_part_named_file_is_not_a_file(client, manager, product_id):
    response = client.post(f"/api/v1/products/{product_id}/images", data={"file": "plain text"},
                           headers=manager["headers"], content_type="multipart/form-data")
    assert list(assert_error(response, 422, "validation_error")["fields"]) == ["file"]


def test_alt_over_300_characters_is_422_with_file_problems_named_too(client, manager, product_id):
    response = client.post(f"/api/v1/products/{product_id}/images", data={"alt": "a" * 301},
                           headers=manager["headers"], content_type="multipart/form-data")
    assert set(assert_error(response, 422, "validation_error")["fields"]) == {"file", "alt"}


def test_alt_with_bytes_that_are_not_utf8_is_422_naming_alt(client, manager, product_id):
    boundary = "sw-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode() + jpeg(64, 48) + (
        f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n").encode() + \
        b"lamp \xed\xa0\x80" + f"\r\n--{boundary}--\r\n".encode()
    response = client.post(f"/api/v1/products/{product_id}/images", data=body, headers=manager["headers"],
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert set(assert_error(response, 422, "validation_error")["fields"]) == {"alt"}
    assert client.get(f"/api/v1/products/{product_id}").get_json()["images"] == []


def test_a_body_that_is_not_multipart_is_400(client, manager, product_id):
    response = client.post(f"/api/v1/products/{product_id}/images", json={"file": "x"}, headers=manager["headers"])
    assert_error(response, 400, "unsupported_media_type")
    response = client.post(f"/api/v1/products/{product_id}/images", data=jpeg(), headers=manager["headers"],
                           content_type="image/jpeg")
    assert_error(response, 400, "unsupported_media_type")


def test_unknown_product_is_404(client, manager):
    assert_error(upload(client, manager, 999_999_999, jpeg()), 404, "not_found")


@pytest.mark.parametrize("role", [None, "customer", "operator", "supervisor"])
def test_only_product_managers_and_admins_upload_change_or_delete(client, make_user, manager, product_id, role):
    image = upload(client, manager, product_id, jpeg()).get_json()
    user = make_user(role) if role else {"headers": {}}
    status, code = (401, "unauthenticated") if role is None else (403, "forbidden")
    assert_error(upload(client, user, product_id, jpeg()), status, code)
    path = f"/api/v1/products/{product_id}/images/{image['id']}"
    assert_error(client.patch(path, json={"alt": "x"}, headers=user["headers"]), status, code)
    assert_error(client.delete(path, headers=user["headers"]), status, code)
    assert client.get(f"/api/v1/products/{product_id}").get_json()["images"] == [image]


def test_an_admin_may_upload(client, make_user, product_id):
    assert upload(client, make_user("admin"), product_id, jpeg()).status_code == 201


def test_exif_and_gps_are_gone_and_orientation_is_applied(client, manager, product_id):
    photo = jpeg(400, 300, orientation=6, gps=True, icc=True, comment=True)
    body = upload(client, manager, product_id, photo).get_json()
    assert (body["width"], body["height"]) == (300, 400)  # turned upright
    for url in set(body["urls"].values()):
        served = client.get(url).data
        image = Image.open(io.BytesIO(served))
        assert dict(image.getexif()) == {} and "icc_profile" not in image.info and "comment" not in image.info
        assert b"Exif" not in served and b"TestCam" not in served and b"secret comment" not in served
        assert image.getpixel((image.width // 2, 5))[0] > 200  # the red left half is now the top


def test_media_headers(client, manager, product_id):
    body = upload(client, manager, product_id, png(64, 64, alpha=True), filename="a.png").get_json()
    response = client.get(body["urls"]["large"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/webp"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(response.data)).mode == "RGBA"  # alpha kept
    again = client.get(body["urls"]["large"], headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/media/nothing.jpg", "/media/" + "a" * 40 + ".jpg", "/media/..%2F.env",
                                  "/media/../.env", "/media/%2e%2e/backend/config.py", "/media/" + "A" * 40 + ".jpg",
                                  "/media/" + "a" * 40 + ".png", "/media/"])
def test_media_answers_404_for_any_name_it_did_not_make(client, path):
    assert client.get(path).status_code == 404


def test_patch_moves_an_image_and_the_others_shift(client, manager, product_id):
    ids = [upload(client, manager, product_id, jpeg(100 + i, 100)).get_json()["id"] for i in range(4)]
    path = f"/api/v1/products/{product_id}/images"
    moved = client.patch(f"{path}/{ids[3]}", json={"position": 0, "alt": "now first"}, headers=manager["headers"])
    assert moved.status_code == 200
    assert moved.get_json()["position"] == 0 and moved.get_json()["alt"] == "now first"
    detail = client.get(f"/api/v1/products/{product_id}").get_json()
    assert [(i["id"], i["position"]) for i in detail["images"]] == list(zip([ids[3], ids[0], ids[1], ids[2]],
                                                                           range(4), strict=True))
    assert detail["image_url"] == detail["images"][0]["urls"]["thumb"]
    # Past the end means last.
    client.patch(f"{path}/{ids[3]}", json={"position": 99}, headers=manager["headers"])
    listed = client.get(path).get_json()
    assert [(i["id"], i["position"]) for i in listed] == list(zip(ids, range(4), strict=True))
    # alt alone keeps the position.
    only_alt = client.patch(f"{path}/{ids[1]}", json={"alt": ""}, headers=manager["headers"]).get_json()
    assert only_alt["position"] == 1 and only_alt["alt"] == ""


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"_schema"}), ({"position": -1}, {"position"}), ({"position": "1"}, {"position"}),
    ({"alt": "x" * 301}, {"alt"}), ({"alt": "a\u0000b", "position": 1.5}, {"alt", "position"}),
])
def test_patch_refuses_bad_bodies_naming_the_fields(client, manager, product_id, body, fields):
    image = upload(client, manager, product_id, jpeg()).get_json()
    response = client.patch(f"/api/v1/products/{product_id}/images/{image['id']}", json=body,
                            headers=manager["headers"])
    assert set(assert_error(response, 422, "validation_error")["fields"]) == fields


def test_another_products_image_is_404(client, manager, product_id, services):
    other = services.products.create_product(SYSTEM, {"name": f"Other {uid()}", "price": Decimal("1.00")})["id"]
    image = upload(client, manager, other, jpeg()).get_json()
    path = f"/api/v1/products/{product_id}/images/{image['id']}"
    assert_error(client.get(path), 404, "not_found")
    assert_error(client.patch(path, json={"alt": "x"}, headers=manager["headers"]), 404, "not_found")
    assert_error(client.delete(path, headers=manager["headers"]), 404, "not_found")
    assert client.get(f"/api/v1/products/{other}/images/{image['id']}").get_json() == image


def test_delete_removes_the_image_its_files_and_renumbers(client, manager, product_id, services):
    first = upload(client, manager, product_id, jpeg(500, 400)).get_json()
    second = upload(client, manager, product_id, jpeg(600, 400)).get_json()
    response = client.delete(f"/api/v1/products/{product_id}/images/{first['id']}", headers=manager["headers"])
    assert response.status_code == 204 and response.data == b""
    for url in first["urls"].values():
        assert client.get(url).status_code == 404
        assert not (services.media.directory / url.rsplit("/", 1)[1]).exists()
    detail = client.get(f"/api/v1/products/{product_id}").get_json()
    assert [(i["id"], i["position"]) for i in detail["images"]] == [(second["id"], 0)]
    assert detail["image_url"] == second["urls"]["thumb"]
    client.delete(f"/api/v1/products/{product_id}/images/{second['id']}", headers=manager["headers"])
    detail = client.get(f"/api/v1/products/{product_id}").get_json()
    assert detail["images"] == [] and detail["image_url"] == "https://example.test/typed.png"


def test_a_file_shared_by_two_images_stays_until_the_last_goes(client, manager, product_id, services):
    data = jpeg(700, 500)
    first = upload(client, manager, product_id, data).get_json()
    second = upload(client, manager, product_id, data).get_json()
    assert first["urls"] == second["urls"] and first["id"] != second["id"]
    client.delete(f"/api/v1/products/{product_id}/images/{first['id']}", headers=manager["headers"])
    assert all(client.get(url).status_code == 200 for url in second["urls"].values())
    client.delete(f"/api/v1/products/{product_id}/images/{second['id']}", headers=manager["headers"])
    assert all(client.get(url).status_code == 404 for url in second["urls"].values())


def test_erasing_a_product_removes_its_images_and_files_archiving_keeps_them(client, manager, services, db):
    erased = services.products.create_product(SYSTEM, {"name": f"Erased {uid()}", "price": Decimal("1.00")})["id"]
    body = upload(client, manager, erased, jpeg(321, 200)).get_json()
    assert client.delete(f"/api/v1/products/{erased}", headers=manager["headers"]).status_code == 204
    assert all(client.get(url).status_code == 404 for url in body["urls"].values())
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM product_images WHERE product_id = %s", (erased,))
        assert cur.fetchone()["n"] == 0
    # Archived (it is in an order): images and files stay.
    kept = services.products.create_product(SYSTEM, {"name": f"Kept {uid()}", "price": Decimal("1.00")})["id"]
    body = upload(client, manager, kept, jpeg(322, 200)).get_json()
    with db.cursor() as cur:
        cur.execute("INSERT INTO orders (subtotal, total, currency, shipping_address) VALUES (1, 1, 'USD', 'x')")
        cur.execute("INSERT INTO order_items (order_id, product_id, name, unit_price, quantity, line_total) "
                    "VALUES (%s, %s, 'Kept', 1, 1, 1)", (cur.lastrowid, kept))
    assert services.products.delete_product(SYSTEM, kept) == "archived"
    assert all(client.get(url).status_code == 200 for url in body["urls"].values())
    assert client.get(f"/api/v1/products/{kept}/images").get_json() == [body]


def test_media_answers_while_the_database_stalls(settings, client, manager, product_id):
    body = upload(client, manager, product_id, jpeg(333, 222)).get_json()
    proxy = TcpProxy(settings.db_host, settings.db_port)
    proxy.start()
    stalled = create_app(settings=replace(settings, db_host="127.0.0.1", db_port=proxy.port)).test_client()
    try:
        assert stalled.get("/api/v1/health").status_code == 200
        proxy.pause()  # open and silent, as a frozen server
        started = time.monotonic()
        for url in body["urls"].values():
            response = stalled.get(url, headers=manager["headers"])  # credentials do not make it look anyone up
            assert response.status_code == 200 and response.headers["Content-Type"] == "image/jpeg"
        assert time.monotonic() - started < 1
        assert stalled.get("/media/" + "0" * 40 + ".jpg").status_code == 404
    finally:
        proxy.stop()


def test_pages_allow_images_from_this_origin(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "img-src 'self'" in policy  # /media/ is this origin
