"""Pure variant rules: combination identity, labels, option order, and variant pricing through best_offer."""
from __future__ import annotations

from decimal import Decimal

import pytest
from marshmallow import ValidationError

from backend.schemas.variants import OptionsField
from backend.services.pricing import apply_offers
from backend.services.variants import attach_options, options_key, product_options, same_names, variant_label


def test_a_combination_is_the_same_whatever_its_order_or_case():
    assert options_key({"Size": "M", "Colour": "Red"}) == options_key({"colour": "red", "SIZE": "m"})
    assert options_key({"Size": "M", "Colour": "Red"}) != options_key({"Size": "M", "Colour": "Blue"})
    # Names and values cannot run into each other: "a b" + "c" is not "a" + "b c".
    assert options_key({"a b": "c"}) != options_key({"a": "b c"})
    assert len(options_key({"Size": "M"})) == 64


def test_label_joins_values_in_option_order():
    assert variant_label(["M", "Red"]) == "M / Red"
    assert variant_label(["128 GB"]) == "128 GB"
    assert variant_label([]) == ""


def test_same_names_ignores_case_and_order():
    assert same_names({"Size": "M", "Colour": "Red"}, ["colour", "size"])
    assert not same_names({"Size": "M"}, ["Size", "Colour"])


def test_attach_options_keeps_the_option_position_order():
    variants = attach_options([{"id": 1}, {"id": 2}, {"id": 3}], [
        {"variant_id": 1, "name": "Size", "value": "M", "position": 1},
        {"variant_id": 1, "name": "Colour", "value": "Red", "position": 2},
        {"variant_id": 2, "name": "Size", "value": "L", "position": 1},
        {"variant_id": 2, "name": "Colour", "value": "Blue", "position": 2}])
    assert [v["options"] for v in variants] == [{"Size": "M", "Colour": "Red"}, {"Size": "L", "Colour": "Blue"}, {}]
    assert [v["variant_label"] for v in variants] == ["M / Red", "L / Blue", ""]


def test_product_options_lists_values_in_the_order_first_used():
    variants = [{"id": 5, "options": {"Size": "L", "Colour": "Red"}},
                {"id": 2, "options": {"Size": "M", "Colour": "Red"}},
                {"id": 9, "options": {"Size": "M", "Colour": "Blue"}}]
    assert product_options(variants) == [{"name": "Size", "values": ["M", "L"]},
                                         {"name": "Colour", "values": ["Red", "Blue"]}]
    assert product_options([]) == []


def test_every_variant_gets_its_products_best_offer():
    offers = {7: [{"id": 1, "percent_off": Decimal("10"), "amount_off": None},
                  {"id": 2, "percent_off": None, "amount_off": Decimal("3.00")}]}
    variants = apply_offers([{"id": 70, "product_id": 7, "price": Decimal("20.00")},
                             {"id": 71, "product_id": 7, "price": Decimal("40.00")},
                             {"id": 80, "product_id": 8, "price": Decimal("5.00")}], offers, key="product_id")
    # 20.00: 3.00 off beats 10 % (17.00 < 18.00); 40.00: 10 % beats 3.00 off (36.00 < 37.00); no offer for 8.
    assert [(v["sale_price"], v["unit_price"], (v["offer"] or {}).get("id")) for v in variants] == [
        (Decimal("17.00"), Decimal("17.00"), 2), (Decimal("36.00"), Decimal("36.00"), 1), (None, Decimal("5.00"), None)]


@pytest.mark.parametrize("value, expected", [
    ({" Size ": " M ", "Colour": "Red"}, {"Size": "M", "Colour": "Red"}),
    ({"Storage": "128 GB"}, {"Storage": "128 GB"})])
def test_options_are_trimmed_and_keep_their_order(value, expected):
    loaded = OptionsField().deserialize(value)
    assert loaded == expected and list(loaded) == list(expected)


@pytest.mark.parametrize("value", [{}, [], "M", {"": "x"}, {"Size": ""}, {"Size": None}, {"a" * 41: "x"},
                                   {"Size": "x" * 101}, {"Size": "M", "SIZE": "L"}, {"Si\nze": "M"},
                                   {str(n): "x" for n in range(6)}])
def test_bad_options_are_refused_as_one_field(value):
    with pytest.raises(ValidationError) as raised:
        OptionsField().deserialize(value)
    assert isinstance(raised.value.messages, list) and len(raised.value.messages) == 1
