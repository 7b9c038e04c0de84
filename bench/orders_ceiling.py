"""The ceiling bench/orders.py measures checkout against: the same two POSTs answered with no work.

Served by gunicorn with backend/gunicorn_conf.py (the settings `make run` uses) and driven by the same
buyer threads, so its rate is what this client, this HTTP server and Flask can do on this machine
at this moment; the checkout's orders/s is reported as a ratio to it.

    gunicorn -c backend/gunicorn_conf.py bench.orders_ceiling:app
"""
from __future__ import annotations

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/api/v1/health")
def health():
    return jsonify(status="ok")


@app.post("/api/v1/cart/items")
def add_item():
    body = request.get_json()
    return jsonify(product_id=body["product_id"], quantity=body["quantity"]), 201


@app.post("/api/v1/orders")
def place_order():
    body = request.get_json()
    return jsonify(id=1, status="paid", key=request.headers["Idempotency-Key"],
                   shipping_address=body["shipping_address"]), 201
