// What the pages say about placing and cancelling an order. The statuses are the backend's
// (backend/order_status.py MOVES), kept equal by tests/unit/test_js_facts.py.
export const CANCELLABLE = ["pending", "paid"];

// Why a cart line cannot be ordered as it stands (a cart line's problem, a summary problem with a product_id).
export const LINE_PROBLEMS = {
  "out_of_stock": "Out of stock",
  "insufficient_stock": "Not enough stock for this quantity",
  "archived": "No longer sold"
};

// Why the whole order cannot be placed (a summary problem without a product_id).
export const ORDER_PROBLEMS = {
  "no_shipping_method": "We do not ship to this country yet.",
  "coupon_invalid": "The coupon no longer applies to this order.",
  "coupon_exhausted": "The coupon has been used up."
};
