"""SQL for filling a catalog fast: batched multi-row inserts."""
from __future__ import annotations

from decimal import Decimal

from backend.repositories import Repository, placeholders
from backend.repositories.images import ADD as ADD_IMAGE
from backend.repositories.images import SET_COVER
from backend.repositories.products import LAST_ID

# Products in new categories, which no offer reaches yet: the price paid now is the list price.
ADD_PRODUCTS = """
INSERT INTO products (category_id, name, slug, description, price, current_price, stock, created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"""
ADD_USERS = """
INSERT INTO users (email, username, password_hash, full_name, role) VALUES (%s, %s, %s, %s, 'customer')"""
# Give a demo product with variants a name that says what it is (its slug stays).
RENAME_PRODUCT = "UPDATE products SET name = %s WHERE id = %s"
# The first product of each of some categories (the demo products that get variants).
LIST_FIRST_IN_CATEGORIES = """
SELECT category_id, MIN(id) AS id FROM products WHERE category_id IN ({ids}) GROUP BY category_id"""
GET_PRICE = "SELECT price FROM products WHERE id = %s"
# The products of one seeding run (ids from its first on), to give them pictures.
LIST_FROM = "SELECT id, name FROM products WHERE id >= %s ORDER BY id"
COUNT_PRODUCTS = "SELECT COUNT(*) AS n FROM products"
MAX_USER_ID = "SELECT COALESCE(MAX(id), 0) AS n FROM users"


class SeedRepository(Repository):
    def add_products(self, rows: list[tuple]) -> int:
        return self._insert_many(ADD_PRODUCTS, rows)

    def add_users(self, rows: list[tuple]) -> int:
        return self._insert_many(ADD_USERS, rows)

    def rename_product(self, product_id: int, name: str) -> int:
        return self._change(RENAME_PRODUCT, (name, product_id))

    def list_first_in_categories(self, category_ids: list[int]) -> dict[int, int]:
        """{category id: its first product's id} for those of the categories that have products."""
        if not category_ids:
            return {}
        rows = self._all(LIST_FIRST_IN_CATEGORIES.format(ids=placeholders(category_ids)), category_ids)
        return {row["category_id"]: row["id"] for row in rows}

    def get_price(self, product_id: int) -> Decimal:
        return self._scalar(GET_PRICE, (product_id,))
    def add_images(self, rows: list[tuple]) -> int:
        """Demo pictures' rows in one batch, as ImageRepository.add_image writes one."""
        return self._insert_many(ADD_IMAGE, rows)

    def update_covers(self, covers: list[tuple[str, int]]) -> int:
        """Each product's cached cover (its first image's thumb URL), as ImageRepository.update_cover sets one."""
        with self.conn.cursor() as cur:
            return cur.executemany(SET_COVER, covers) or 0

    def list_products_from(self, first_id: int) -> list[dict]:
        return self._all(LIST_FROM, (first_id,))

    def count_products(self) -> int:
        return int(self._scalar(COUNT_PRODUCTS))

    def max_product_id(self) -> int:
        return int(self._scalar(LAST_ID))

    def max_user_id(self) -> int:
        return int(self._scalar(MAX_USER_ID))
