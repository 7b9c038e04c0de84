"""Product images: upload (multipart), list, change alt/position, delete; and the /media/ files themselves."""
from __future__ import annotations

from flask import Blueprint, send_file

from backend import errors
from backend.media_store import MEDIA_URL_PREFIX
from backend.openapi import doc
from backend.routes import actor, created, load_json, load_multipart, services
from backend.routes.guard import requires
from backend.schemas.images import UPLOAD_FORM, ImagePatchSchema, ImageSchema, ImageUploadSchema
from backend.services.imaging import CONTENT_TYPES

bp = Blueprint("images", __name__)
pages = Blueprint("media", __name__)
TAGS = ["catalog"]
# The upload's body may be MAX_IMAGE_BYTES of image plus this much of form around it (boundaries, part
# headers, alt); every other route keeps MAX_BODY_BYTES (see backend.body_limit).
UPLOAD_OVERHEAD = 64 * 1024
UPLOAD_ENDPOINT = "images.add_image"
# docs/api.md: a changed image gets a new URL (names are content hashes), so a copy may be kept for a year.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"
_UPLOAD = ImageUploadSchema()


def upload_body_limit(max_image_bytes: int) -> dict[str, int]:
    """The endpoints whose body limit is not MAX_BODY_BYTES (for backend.body_limit.init_body_limit)."""
    return {UPLOAD_ENDPOINT: max_image_bytes + UPLOAD_OVERHEAD}


@bp.post("/products/<int:product_id>/images")
@requires("catalog.write")
@doc("Upload an image of a product (multipart/form-data: file, alt); it becomes the last one. The server decodes "
     "it (JPEG, PNG or WebP only, at most 40 megapixels), strips its metadata and stores copies at most 320, 800 "
     "and 1600 px on their longest edge", tags=TAGS, form=UPLOAD_FORM, response=ImageSchema, status=201,
     errors=(400, 401, 403, 413, 422))
def add_image(product_id: int):
    form = load_multipart(_UPLOAD)
    image = services().images.add_image(actor(), product_id, form["file"].read(), form["alt"])
    return created(ImageSchema().dump(image), "images.get_image", product_id=product_id, image_id=image["id"])


@bp.get("/products/<int:product_id>/images")
@doc("A product's images in position order", tags=TAGS, response=ImageSchema(many=True), errors=(404,))
def list_images(product_id: int):
    return ImageSchema(many=True).dump(services().images.list_images(product_id))


@bp.get("/products/<int:product_id>/images/<int:image_id>")
@doc("One image of a product", tags=TAGS, response=ImageSchema, errors=(404,))
def get_image(product_id: int, image_id: int):
    return ImageSchema().dump(services().images.get_image(product_id, image_id))


@bp.patch("/products/<int:product_id>/images/<int:image_id>")
@requires("catalog.write")
@doc("Change an image's alt text and/or position (0-based; the other images shift, past the end means last)",
     tags=TAGS, body=ImagePatchSchema, response=ImageSchema, errors=(401, 403, 404))
def update_image(product_id: int, image_id: int):
    changes = load_json(ImagePatchSchema())
    return ImageSchema().dump(services().images.update_image(actor(), product_id, image_id, changes))


@bp.delete("/products/<int:product_id>/images/<int:image_id>")
@requires("catalog.write")
@doc("Delete an image; its files go too unless another image has the same content", tags=TAGS, status=204,
     errors=(401, 403, 404))
def delete_image(product_id: int, image_id: int):
    services().images.delete_image(actor(), product_id, image_id)
    return "", 204


@pages.get(MEDIA_URL_PREFIX + "<name>")
def media_file(name: str):
    """A stored image copy: no database access (it answers while the database stalls), only names our code makes."""
    store = services().media
    path = store.path(name)
    if path is None or not path.is_file():
        raise errors.NotFound("No such file.")
    response = send_file(path, mimetype=CONTENT_TYPES[name.rsplit(".", 1)[1]], conditional=True, etag=True,
                         max_age=31536000)
    response.headers["Cache-Control"] = MEDIA_CACHE_CONTROL
    return response
