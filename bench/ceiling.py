"""The ceiling bench/catalog_http.py measures the shop against: what Flask itself gives on the same server.

One Flask view, served by the same gunicorn settings (backend/gunicorn_conf.py) and the same pool code
(backend.db), that runs one indexed 24-row query and answers it with jsonify: no validation, no
services, no second query. No real endpoint can beat it, so an endpoint's requests/s divided by this
view's, measured in the same run, says how close to the framework's own limit the endpoint is,
whatever else the machine is doing.

    gunicorn -c backend/gunicorn_conf.py bench.ceiling:app    (DB_NAME names a seeded database)
"""
from __future__ import annotations

from flask import Flask, jsonify, request

from backend.config import load_settings
from backend.db import Database

# One page of the newest visible products: a range of ix_products_listing, 24 rows.
PAGE = """
SELECT id, name, slug, price, stock, category_id, image_url FROM products
WHERE is_archived = 0 ORDER BY created_at DESC, id DESC LIMIT 24 OFFSET %s"""

db = Database(load_settings())
app = Flask(__name__)


@app.get("/ceiling")
def ceiling():
    page = max(1, request.args.get("page", 1, type=int))
    with db.uow() as uow, uow.conn.cursor() as cur:
        cur.execute(PAGE, ((page - 1) * 24,))
        rows = cur.fetchall()
    return jsonify(items=rows)


@app.get("/health")
def health():
    return jsonify(status="ok")
