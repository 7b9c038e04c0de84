"""Demo and load-test data: a category tree three levels deep and as many products and users as asked."""
from __future__ import annotations

import functools
import itertools
import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from backend.context import SYSTEM
from backend.media_store import MediaStore, media_url
from backend.passwords import hash_password
from backend.repositories.categories import CategoryRepository
from backend.repositories.seed import SeedRepository
from backend.services import imaging
from backend.services.base import Progress, Service
from backend.services.demo_pictures import draw_picture
from backend.services.search_index import SearchIndexService
from backend.services.slugs import slugify
from backend.services.variants import VariantService

BATCH = 2000
# Catalogs up to this size are the demo, with DEMO_TREE's names; larger ones get the wide tree.
DEMO_UP_TO = 500
# Catalogs up to this size (the demo) get pictures; bench catalogs (100k, 1M products) never do.
PICTURES_UP_TO = DEMO_UP_TO
# Every this many products shows a second picture (a pattern without a letter), so galleries have two.
SECOND_PICTURE_EVERY = 3
PATTERNS = 4
DEMO_TREE = {
    "Electronics": {"Computers": ["Laptops", "Monitors", "Keyboards"],
                    "Audio": ["Headphones", "Speakers"], "Phones": ["Smartphones", "Cases"]},
    "Home & Kitchen": {"Cookware": ["Pans", "Knives"], "Furniture": ["Chairs", "Desks"],
                       "Lighting": ["Lamps", "Bulbs"]},
    "Sports & Outdoors": {"Cycling": ["Bikes", "Helmets"], "Camping": ["Tents", "Backpacks"],
                          "Fitness": ["Yoga", "Weights"]},
    "Books": {"Fiction": ["Mystery", "Science Fiction"], "Non-fiction": ["History", "Cooking"]},
}
ADJECTIVES = ["Classic", "Compact", "Deluxe", "Everyday", "Featherweight", "Heritage", "Modern",
              "Nordic", "Pro", "Rugged", "Silent", "Smart", "Studio", "Urban", "Vintage", "Wireless"]
MATERIALS = ["Bamboo", "Carbon", "Ceramic", "Cotton", "Copper", "Graphite", "Linen", "Maple",
             "Oak", "Steel", "Titanium", "Walnut", "Wool"]

# Demo products with variants: the first product of these categories becomes one (name, options as
# {name: values}, extra price per value of the first option: None = the product's price).
VARIANT_DEMOS = {
    "Smartphones": ("Aurora 8 Smartphone", {"Storage": ["128 GB", "256 GB"], "Colour": ["Black", "Silver"]},
                    {"128 GB": None, "256 GB": Decimal("100.00")}),
    "Yoga": ("Organic Cotton T-shirt", {"Size": ["S", "M", "L", "XL"], "Colour": ["White", "Navy"]}, {}),
    "Helmets": ("Trail Helmet", {"Size": ["S/M", "L/XL"]}, {}),
}
# In a large catalog (the wide tree has none of those categories), this many products get T-shirt variants.
WIDE_VARIANT_PRODUCTS = 10

@functools.lru_cache(maxsize=64)
def _picture(key: str, letter: str | None) -> dict[str, imaging.Copy]:
    """A demo picture's three copies, drawn and encoded once per process (the same key, the same bytes)."""
    return imaging.make_copies(draw_picture(key, letter))


class SeedService(Service):
    def __init__(self, *args: Any, media: MediaStore, variants: VariantService,
                 search_index: SearchIndexService) -> None:
        super().__init__(*args)
        self.media = media
        self.variants = variants
        self.search_index = search_index

    def catalog_is_empty(self) -> bool:
        with self.db.uow() as uow:
            return SeedRepository(uow.conn).count_products() == 0

    def seed_catalog(self, products: int, progress: Progress | None = None, seed: int = 7,
                     pictures: bool | None = None) -> list[int]:
        """Add a category tree (demo names for small catalogs, a wide tree for large ones) and products;
        with pictures (default: catalogs up to PICTURES_UP_TO products) each product gets generated images."""
        rng = random.Random(seed)
        with self.db.uow() as uow:
            first_id = SeedRepository(uow.conn).max_product_id() + 1
            tag = f"s{first_id}"
            tree = DEMO_TREE if products <= DEMO_UP_TO else self._wide_tree()
            leaves = self._add_tree(CategoryRepository(uow.conn), tree, tag)
            uow.commit()
        self._add_products(products, leaves, tag, rng, progress)
        self._add_variants(leaves, tag, rng)
        self.search_index.index_missing(after=first_id - 1)  # once named for good (_add_variants renames some)
        if (products <= PICTURES_UP_TO) if pictures is None else pictures:
            self._add_pictures(first_id)
        return [leaf_id for leaf_id, _ in leaves]

    def _add_variants(self, leaves: list[tuple[int, str]], tag: str, rng: random.Random) -> None:
        """Turn a few of the new products into products with variants, through the variants service."""
        with self.db.uow() as uow:
            repo = SeedRepository(uow.conn)
            first = repo.list_first_in_categories([leaf_id for leaf_id, _ in leaves])
            demos = [(first[leaf_id], VARIANT_DEMOS[name]) for leaf_id, name in leaves
                     if name in VARIANT_DEMOS and leaf_id in first]
            if not demos:
                shirt_name, options, extra = VARIANT_DEMOS["Yoga"]
                demos = [(pid, (f"{shirt_name} {n}", options, extra))
                         for n, pid in enumerate(sorted(first.values())[:WIDE_VARIANT_PRODUCTS], 1)]
            for product_id, (name, _, _) in demos:
                repo.rename_product(product_id, name)
            uow.commit()
        for product_id, (_, options, extra) in demos:
            with self.db.uow() as uow:
                base = SeedRepository(uow.conn).get_price(product_id)
            names = list(options)
            for combo in itertools.product(*options.values()):
                bump = extra.get(combo[0])
                self.variants.create_variant(SYSTEM, product_id, {
                    "sku": f"{slugify('-'.join([str(product_id), *combo]))}-{tag}".upper(),
                    "options": dict(zip(names, combo, strict=True)), "stock": rng.choice([0, 3, 8, 15]),
                    "price": base + bump if bump is not None else None})

    def _add_pictures(self, first_id: int) -> None:
        """One picture per product (its initial), a second on every SECOND_PICTURE_EVERY-th: each distinct
        picture drawn, re-encoded and stored once, then every row written in one transaction."""
        written: set[str] = set()

        def stored(key: str, letter: str | None) -> dict[str, imaging.Copy]:
            copies = _picture(key, letter)
            if key not in written:
                for copy in copies.values():
                    self.media.write(copy.name, copy.data)  # a no-op for a file there already
                written.add(key)
            return copies

        now = self.now()
        with self.db.uow() as uow:
            repo = SeedRepository(uow.conn)
            rows, covers = [], []
            for n, product in enumerate(repo.list_products_from(first_id)):
                initial = (product["name"][:1] or "?").upper()
                pictures = [(stored(f"letter-{initial}", initial), product["name"])]
                if n % SECOND_PICTURE_EVERY == 0:
                    pictures.append((stored(f"pattern-{n % PATTERNS}", None), f"{product['name']}, pattern"))
                for position, (picture, alt) in enumerate(pictures):
                    large = picture["large"]
                    rows.append((product["id"], position, alt[:300], large.width, large.height,
                                 picture["thumb"].name, picture["medium"].name, large.name, now))
                covers.append((media_url(pictures[0][0]["thumb"].name), product["id"]))
            repo.add_images(rows)
            repo.update_covers(covers)
            uow.commit()

    @staticmethod
    def _wide_tree() -> dict:
        return {f"Department {a}": {f"Aisle {a}.{b}": [f"Shelf {a}.{b}.{c}" for c in range(1, 5)]
                                    for b in range(1, 6)} for a in range(1, 11)}

    @staticmethod
    def _add_tree(repo: CategoryRepository, tree: dict, tag: str) -> list[tuple[int, str]]:
        def add(parent: tuple[int, str] | None, name: str) -> tuple[int, str]:
            parent_id, parent_path = parent or (None, "/")
            new_id = repo.add_category(parent_id, name, f"{slugify(name)}-{tag}", parent_path)
            return new_id, f"{parent_path}{new_id}/"

        leaves: list[tuple[int, str]] = []
        for top, middles in tree.items():
            top_node = add(None, top)
            for middle, bottoms in middles.items():
                mid_node = add(top_node, middle)
                leaves += [(add(mid_node, bottom)[0], bottom) for bottom in bottoms]
        return leaves

    def _add_products(self, count: int, leaves: list[tuple[int, str]], tag: str,
                      rng: random.Random, progress: Progress | None) -> None:
        now = self.now()
        done = 0
        while done < count:
            rows = []
            for n in range(done, min(count, done + BATCH)):
                leaf_id, leaf_name = leaves[n % len(leaves)]
                name = f"{rng.choice(ADJECTIVES)} {rng.choice(MATERIALS)} {leaf_name.rstrip('s')} {n + 1}"
                description = (f"A {name.lower()} from our {leaf_name.lower()} range: built to last, "
                               f"easy to care for, and backed by a two-year warranty.")
                price = Decimal(rng.randrange(199, 199_999)) / 100
                rows.append((leaf_id, name, f"{slugify(name)}-{tag}", description, price, price,
                             rng.choice([0, 2, 5, 12, 25, 40, 100]), now - timedelta(minutes=n)))
            with self.db.uow() as uow:
                SeedRepository(uow.conn).add_products(rows)
                uow.commit()
            done += len(rows)
            if progress:
                progress(len(rows))

    def seed_users(self, count: int, password: str, progress: Progress | None = None) -> None:
        """Add count customers sharing one password (hashed once: bcrypt per row would take minutes)."""
        password_hash = hash_password(password)
        with self.db.uow() as uow:
            start = SeedRepository(uow.conn).max_user_id() + 1
        for first in range(start, start + count, BATCH):
            last = min(start + count, first + BATCH)
            rows = [(f"shopper{n}@example.test", f"shopper{n}", password_hash, f"Shopper {n}")
                    for n in range(first, last)]
            with self.db.uow() as uow:
                SeedRepository(uow.conn).add_users(rows)
                uow.commit()
            if progress:
                progress(len(rows))
