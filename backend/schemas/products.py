"""Product shapes of docs/api.md, and the validation of listing queries and staff writes."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.clock import iso
from backend.repositories.products import SORT_KEYS
from backend.schemas.common import INT_MAX, Flag, Money, PageQuery, UtcDateTime, name_field, page_schema
from backend.schemas.images import ImageSchema
from backend.services.pricing import CENT, MONEY_MAX


class MoneyIn(fields.Field):
    """Money in a request: a decimal string ("12.50") or a number, at most two places; never rounded silently.

    A string is plain decimal text (up to 10 digits, up to 2 places): no sign, spaces, exponent or digit
    separators, so what the document promises is exactly what is accepted. No amount a client sends (a price,
    a price filter, an offer) can be negative, and the pattern saying so lets the document say it for strings too.
    """

    TEXT = re.compile(r"\d{1,10}(\.\d{1,2})?", re.ASCII)  # ASCII: as \d in the document's (ECMA) pattern
    # The number branch lets backend.openapi add the Range validators as minimum/maximum.
    json_schema = {"anyOf": [{"type": "string", "format": "decimal", "pattern": f"^{TEXT.pattern}$"},
                             {"type": "number", "multipleOf": 0.01}],
                   "description": "A decimal string such as \"12.50\" (preferred) or a number; at most two places."}
    default_error_messages = {"invalid": "Must be a decimal number from 0 to 9999999999.99 with at most two "
                                         "places, such as \"12.50\".",
                              "places": "At most two decimal places.",
                              "too_large": "Must be at most 9999999999.99."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.make_error("invalid")
        if isinstance(value, str) and not self.TEXT.fullmatch(value):
            raise self.make_error("invalid")
        try:
            # A JSON number arrives as a float: its shortest repr is what the client wrote.
            amount = Decimal(str(value))
        except InvalidOperation as exc:
            raise self.make_error("invalid") from exc
        if not amount.is_finite():
            raise self.make_error("invalid")
        if abs(amount) > MONEY_MAX:
            raise self.make_error("too_large")
        if amount != amount.quantize(CENT):
            raise self.make_error("places")
        return amount.quantize(CENT)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{Decimal(value):.2f}"


class ProductListQuery(PageQuery):
    # Any text is a search (docs/api.md: any q answers 200); the service reads its first Q_MAX characters.
    q = fields.String()
    category_id = fields.Integer(validate=validate.Range(min=1))
    min_price = MoneyIn(validate=validate.Range(min=0, max=MONEY_MAX))
    max_price = MoneyIn(validate=validate.Range(min=0, max=MONEY_MAX))
    in_stock = fields.Boolean(load_default=False)
    sort = fields.String(validate=validate.OneOf(SORT_KEYS))

    @validates_schema(skip_on_field_errors=False)  # named with any other bad argument, in one answer
    def _range(self, data: dict[str, Any], **kwargs: Any) -> None:
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            raise ValidationError("Must not be below min_price.", field_name="max_price")


class ProductWriteSchema(Schema):
    """POST /products; PATCH loads it with partial=True."""
    name = name_field(200)
    description = fields.String(load_default="", validate=validate.Length(max=20_000))
    price = MoneyIn(required=True, validate=validate.Range(min=0, max=MONEY_MAX))
    stock = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=INT_MAX))
    category_id = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(min=1))
    image_url = fields.String(load_default="", validate=[validate.Length(max=500), validate.Regexp(
        r"^(|https?://\S+|/\S*)$", error="Must be an http(s) URL or a path starting with /.")])
    is_archived = Flag(load_only=True)


class OfferBriefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    percent_off = Money(allow_none=True)
    amount_off = Money(allow_none=True)
    starts_at = UtcDateTime()
    ends_at = UtcDateTime()


class CategoryRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()


class ProductSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()
    price = Money(metadata={"description": "With variants: the lowest variant price"})
    sale_price = Money(allow_none=True)
    currency = fields.String()
    stock = fields.Integer(metadata={"description": "With variants: the sum of theirs"})
    in_stock = fields.Boolean()
    category_id = fields.Integer(allow_none=True)
    image_url = fields.String()
    has_variants = fields.Boolean(metadata={"description": "True: add a variant_id to the cart (see variants)"})


class ProductDetailSchema(ProductSchema):
    description = fields.String()
    images = fields.List(fields.Nested(ImageSchema), metadata={"description": "In position order ([] without images)"})
    category_path = fields.List(fields.Nested(CategoryRefSchema))
    offer = fields.Nested(OfferBriefSchema, allow_none=True)
    created_at = UtcDateTime()
    base_price = Money(metadata={"description": "The product's own price (PATCH price), the price of variants "
                                                "without one of their own"})
    # By name: schemas.variants builds on this module's MoneyIn.
    options = fields.List(fields.Nested("ProductOptionSchema"))
    variants = fields.List(fields.Nested("VariantSchema"))


class ProductAdminSchema(ProductDetailSchema):
    """What staff writes answer: the detail plus whether it is archived."""
    is_archived = fields.Boolean()
    updated_at = UtcDateTime()


# total_capped: True when there are more matches than `total` says (totals stop counting at a cap: see README).
ProductPageSchema = page_schema(ProductSchema, "ProductPage", total_capped=fields.Boolean())


# ---------------------------------------------------------------- the hot-path serialiser
# GET /products answers 24 items per request: marshmallow's field-by-field dump of them cost about
# as much as the rest of the request. These builders give the same JSON as ProductPageSchema for the
# list item shape (tests/unit/test_catalog_serialise.py holds them equal); change both together.


def _money(value: Any) -> str | None:
    # What Money (fields.Decimal, places=2, as_string) does: quantize in the default context, format "f".
    return None if value is None else format(Decimal(str(value)).quantize(CENT), "f")


def dump_product_item(row: dict[str, Any]) -> dict[str, Any]:
    """One product of a listing, as ProductSchema dumps it."""
    return {"id": row["id"], "name": row["name"], "slug": row["slug"], "price": _money(row["price"]),
            "sale_price": _money(row["sale_price"]), "currency": row["currency"], "stock": row["stock"],
            "in_stock": bool(row["in_stock"]), "category_id": row["category_id"], "image_url": row["image_url"],
            "has_variants": bool(row["has_variants"])}


def dump_product_page(page: dict[str, Any]) -> dict[str, Any]:
    """A listing page, as ProductPageSchema dumps it."""
    return {"items": [dump_product_item(row) for row in page["items"]], "page": page["page"],
            "per_page": page["per_page"], "total": page["total"], "pages": page["pages"],
            "total_capped": bool(page["total_capped"])}


def _offer(offer: dict[str, Any] | None) -> dict[str, Any] | None:
    if offer is None:
        return None
    return {"id": offer["id"], "name": offer["name"], "percent_off": _money(offer["percent_off"]),
            "amount_off": _money(offer["amount_off"]), "starts_at": iso(offer["starts_at"]),
            "ends_at": iso(offer["ends_at"])}


def _image(image: dict[str, Any]) -> dict[str, Any]:
    urls = image["urls"]
    return {"id": image["id"], "alt": image["alt"], "position": image["position"], "width": image["width"],
            "height": image["height"], "urls": {"thumb": urls["thumb"], "medium": urls["medium"],
                                                "large": urls["large"]}}


def _variant(variant: dict[str, Any]) -> dict[str, Any]:
    # As schemas.variants.VariantSchema (which builds on this module, so it cannot be imported here).
    return {"id": variant["id"], "product_id": variant["product_id"], "sku": variant["sku"],
            "options": dict(variant["options"]), "variant_label": variant["variant_label"],
            "price": _money(variant["price"]), "own_price": _money(variant["own_price"]),
            "sale_price": _money(variant["sale_price"]), "currency": variant["currency"], "stock": variant["stock"],
            "in_stock": variant["in_stock"]}


def dump_product_detail(product: dict[str, Any]) -> dict[str, Any]:
    """One product as ProductDetailSchema dumps it (GET /products/{id}, the storefront's product page).

    Building the schema and its nested ones per request, then dumping field by field, cost about a third
    of the request; tests/unit/test_catalog_serialise.py holds the two equal, so change both together.
    """
    return {**dump_product_item(product), "description": product["description"],
            "images": [_image(image) for image in product["images"]],
            "category_path": [{"id": c["id"], "name": c["name"], "slug": c["slug"]} for c in product["category_path"]],
            "offer": _offer(product["offer"]), "created_at": iso(product["created_at"]),
            "base_price": _money(product["base_price"]),
            "options": [{"name": o["name"], "values": list(o["values"])} for o in product["options"]],
            "variants": [_variant(v) for v in product["variants"]]}
