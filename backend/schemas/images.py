"""Product image shapes of docs/api.md ("Product images"), the upload form and the PATCH body."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from werkzeug.datastructures import FileStorage

from backend.schemas.common import PatchSchema, no_control_characters

ALT_MAX = 300


class ImageUrlsSchema(Schema):
    thumb = fields.String(metadata={"description": "/media/... URL of the copy at most 320 px on its longest edge"})
    medium = fields.String(metadata={"description": "/media/... URL of the copy at most 800 px on its longest edge"})
    large = fields.String(metadata={"description": "/media/... URL of the copy at most 1600 px on its longest edge"})


class ImageSchema(Schema):
    id = fields.Integer()
    alt = fields.String()
    position = fields.Integer(metadata={"description": "0 for the first image; a product's positions are 0..n-1"})
    width = fields.Integer(metadata={"description": "Width of the large copy, in pixels"})
    height = fields.Integer(metadata={"description": "Height of the large copy, in pixels"})
    urls = fields.Nested(ImageUrlsSchema)


def _alt_field(**kwargs: Any) -> fields.String:
    return fields.String(validate=[validate.Length(max=ALT_MAX), no_control_characters], **kwargs)


class FilePart(fields.Field):
    """A file part of a multipart form (a part without a filename is text, not a file)."""
    default_error_messages = {"invalid": "Must be a file part (sent with a filename)."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise self.make_error("invalid")
        return value


class ImageUploadSchema(Schema):
    """The parts of the upload form: the image file and its alt text."""
    file = FilePart(required=True)
    alt = _alt_field(load_default="")


class ImagePatchSchema(PatchSchema):
    """PATCH /products/{id}/images/{image_id}: any of alt and position."""
    alt = _alt_field()
    position = fields.Integer(strict=True, validate=validate.Range(min=0, max=10_000), metadata={
        "description": "The new 0-based place; the other images shift. Past the end means last."})


# The multipart request body of the upload, as OpenAPI says it (the form is not a JSON object).
UPLOAD_FORM = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "A JPEG, PNG or WebP image of at most 40 megapixels and MAX_IMAGE_BYTES "
                                "(default 10 MB); decoded whatever its name or declared type says"},
        "alt": {"type": "string", "maxLength": ALT_MAX, "pattern": no_control_characters.json_schema["pattern"],
                "description": "Text alternative for the image"},
    },
}
