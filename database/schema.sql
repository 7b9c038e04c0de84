-- Shopwright schema: the single source of truth for the database.
-- Apply with:  mysql shop < database/schema.sql   (safe to apply again: it changes nothing)
-- Runs on MySQL 8.0.16+ and MariaDB 10.11 alike: InnoDB, utf8mb4, no vendor-only syntax.
-- Times are UTC (the app sets time_zone = '+00:00'); money is DECIMAL(12,2).
-- MySQL forbids CHECK constraints on columns that carry ON DELETE actions, so CHECKs
-- below only name plain columns.

-- ---------------------------------------------------------------- accounts
CREATE TABLE IF NOT EXISTS users (
  id               INT UNSIGNED NOT NULL AUTO_INCREMENT,
  email            VARCHAR(254) NOT NULL,
  username         VARCHAR(32)  NOT NULL,
  password_hash    VARCHAR(100) NULL,
  full_name        VARCHAR(120) NOT NULL DEFAULT '',
  phone            VARCHAR(32)  NOT NULL DEFAULT '',
  role             VARCHAR(20)  NOT NULL DEFAULT 'customer',
  is_active        TINYINT(1)   NOT NULL DEFAULT 1,
  blocked_until    DATETIME     NULL,
  failed_logins    INT UNSIGNED NOT NULL DEFAULT 0,
  login_locked_until DATETIME   NULL,
  last_login_at    DATETIME     NULL,
  anonymised_at    DATETIME     NULL,
  created_at       DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at       DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_users_email (email),
  UNIQUE KEY uq_users_username (username),
  KEY ix_users_role (role),
  KEY ix_users_created (created_at),
  CONSTRAINT ck_users_role CHECK (role IN ('customer','product_manager','operator','supervisor','admin'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Server-side sessions; only the SHA-256 of the bearer/cookie token and of the CSRF token is kept.
CREATE TABLE IF NOT EXISTS sessions (
  id            INT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id       INT UNSIGNED NOT NULL,
  token_hash    CHAR(64)     NOT NULL,
  csrf_hash     CHAR(64)     NOT NULL,
  ip            VARCHAR(45)  NOT NULL DEFAULT '',
  user_agent    VARCHAR(255) NOT NULL DEFAULT '',
  created_at    DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  last_seen_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  expires_at    DATETIME     NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_sessions_token (token_hash),
  KEY ix_sessions_user (user_id, created_at),
  KEY ix_sessions_seen (last_seen_at),
  CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A registration waits here until its emailed code is verified; no users row exists before.
CREATE TABLE IF NOT EXISTS pending_registrations (
  id            INT UNSIGNED NOT NULL AUTO_INCREMENT,
  email         VARCHAR(254) NOT NULL,
  username      VARCHAR(32)  NOT NULL,
  password_hash VARCHAR(100) NOT NULL,
  full_name     VARCHAR(120) NOT NULL DEFAULT '',
  code_hash     CHAR(64)     NOT NULL,
  attempts      INT UNSIGNED NOT NULL DEFAULT 0,
  expires_at    DATETIME     NOT NULL,
  created_at    DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_pending_email (email),
  KEY ix_pending_expires (expires_at),
  CONSTRAINT ck_pending_attempts CHECK (attempts <= 100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Account emails asked for without logging in: a registration code, a login code, a reset link.
-- The request only queues a row here, the same row for a known and an unknown address, so its
-- answer time tells nobody whether an account exists; the outbox sender then looks the address
-- up, writes the code or token and the right email (or nothing), and deletes the row.
CREATE TABLE IF NOT EXISTS account_mail_requests (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  kind          VARCHAR(20)  NOT NULL,
  email         VARCHAR(254) NOT NULL,
  channel       VARCHAR(10)  NOT NULL DEFAULT 'email',
  username      VARCHAR(32)  NOT NULL DEFAULT '',
  full_name     VARCHAR(120) NOT NULL DEFAULT '',
  password_hash VARCHAR(100) NULL,
  ip            VARCHAR(45)  NOT NULL DEFAULT '',
  request_id    VARCHAR(64)  NOT NULL DEFAULT '',
  created_at    DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  CONSTRAINT ck_account_mail_kind CHECK (kind IN ('registration','login_code','password_reset')),
  CONSTRAINT ck_account_mail_channel CHECK (channel IN ('email','sms'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One-time login codes (purpose 'login'), stored hashed, single use.
CREATE TABLE IF NOT EXISTS one_time_codes (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id     INT UNSIGNED NOT NULL,
  purpose     VARCHAR(20)  NOT NULL DEFAULT 'login',
  code_hash   CHAR(64)     NOT NULL,
  attempts    INT UNSIGNED NOT NULL DEFAULT 0,
  expires_at  DATETIME     NOT NULL,
  used_at     DATETIME     NULL,
  created_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY ix_otc_user (user_id, purpose, created_at),
  KEY ix_otc_expires (expires_at),
  CONSTRAINT fk_otc_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS password_reset_tokens (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id     INT UNSIGNED NOT NULL,
  token_hash  CHAR(64)     NOT NULL,
  expires_at  DATETIME     NOT NULL,
  used_at     DATETIME     NULL,
  created_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_reset_token (token_hash),
  KEY ix_reset_user (user_id),
  KEY ix_reset_expires (expires_at),
  CONSTRAINT fk_reset_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS addresses (
  id           INT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id      INT UNSIGNED NOT NULL,
  full_name    VARCHAR(120) NOT NULL,
  line1        VARCHAR(200) NOT NULL,
  line2        VARCHAR(200) NOT NULL DEFAULT '',
  city         VARCHAR(100) NOT NULL,
  postal_code  VARCHAR(20)  NOT NULL,
  country      VARCHAR(56)  NOT NULL,
  phone        VARCHAR(32)  NOT NULL DEFAULT '',
  created_at   DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY ix_addresses_user (user_id),
  CONSTRAINT fk_addresses_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ---------------------------------------------------------------- catalog
-- A tree of any depth. `path` is the materialised chain of ids ("/1/7/42/"), so a subtree is
-- one indexed prefix range (path LIKE '/1/7/%') instead of a recursive walk per request.
CREATE TABLE IF NOT EXISTS categories (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  parent_id   INT UNSIGNED NULL,
  name        VARCHAR(100) NOT NULL,
  slug        VARCHAR(120) NOT NULL,
  path        VARCHAR(700) NOT NULL DEFAULT '/',
  created_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_categories_slug (slug),
  KEY ix_categories_parent (parent_id),
  KEY ix_categories_path (path),
  CONSTRAINT fk_categories_parent FOREIGN KEY (parent_id) REFERENCES categories (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row whose token changes (a new UUID) with every write to the category tree, in the write's own
-- transaction: each web worker keeps the tree it built while the token it read with it still holds.
-- A random token, not a counter: a restored backup brings back the token of the very tree it restores.
CREATE TABLE IF NOT EXISTS category_tree_version (
  id          TINYINT UNSIGNED NOT NULL,
  token       CHAR(36)     NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS products (
  id           INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  category_id  INT UNSIGNED  NULL,
  name         VARCHAR(200)  NOT NULL,
  slug         VARCHAR(220)  NOT NULL,
  description  TEXT          NOT NULL,
  price        DECIMAL(12,2) NOT NULL,
  -- What a shopper pays now (price less the best active offer): a cache written only by
  -- backend/services/pricing.py so price filters and price sorts are index ranges. NULL = not
  -- priced yet (a row inserted by other code), and the catalog prices such rows before it lists.
  current_price DECIMAL(12,2) NULL,
  stock        INT           NOT NULL DEFAULT 0,
  -- For a product with variants: the lowest list price of its active variants, which the storefront
  -- shows as its price (and stock is then the sum of theirs); NULL for a product without variants.
  -- Kept by backend/services/variants.py in the transaction of every variant write.
  variant_price DECIMAL(12,2) NULL,
  image_url    VARCHAR(500)  NOT NULL DEFAULT '',
  -- The first product image's thumb URL (NULL without images): a cache written only by
  -- backend/services/images.py in the image writes' transaction, so listings need no join.
  cover_url    VARCHAR(200)  NULL,
  is_archived  TINYINT(1)    NOT NULL DEFAULT 0,
  created_at   DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at   DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_products_slug (slug),
  -- The newest-first listing's order (created_at, id), with the price paid after it: a price filter sorted
  -- by date walks this order and tests each entry's price in the index, reading no row to do so.
  KEY ix_products_listing (is_archived, created_at, id, current_price),
  KEY ix_products_category (category_id, is_archived, created_at),
  -- A category's products by name and by price paid, in index order: a category page (and each
  -- category's branch of a subtree page) reads one page of entries instead of sorting the category.
  KEY ix_products_category_name (category_id, is_archived, name),
  KEY ix_products_category_price (category_id, is_archived, current_price),
  KEY ix_products_price (is_archived, current_price),
  KEY ix_products_name (is_archived, name),
  CONSTRAINT ck_products_price CHECK (price >= 0),
  CONSTRAINT ck_products_stock CHECK (stock >= 0),
  CONSTRAINT fk_products_category FOREIGN KEY (category_id) REFERENCES categories (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The search index (backend/services/search_index.py keeps it in every product write's transaction): each
-- visible product's words (backend/services/search_words.py says what a word is) with their weight in it,
-- read one word at a time, best first, by ix_product_terms_best; and how many products carry each word.
-- Archived products have no rows here. After writing products with SQL, run `flask search-index`.
CREATE TABLE IF NOT EXISTS product_terms (
  term        VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  product_id  INT UNSIGNED      NOT NULL,
  weight      SMALLINT UNSIGNED NOT NULL,
  PRIMARY KEY (product_id, term),
  KEY ix_product_terms_best (term, weight, product_id),
  CONSTRAINT fk_product_terms_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS search_terms (
  term      VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  products  INT NOT NULL,
  PRIMARY KEY (term)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A product's variants: each one combination of option values with its own SKU, stock and, optionally,
-- price (NULL = the product's price). A variant that is in past orders is archived, never erased.
-- options_key is the hash of the variant's normalised combination while it is active (NULL once archived),
-- so the unique key refuses a duplicate combination among a product's active variants only.
CREATE TABLE IF NOT EXISTS product_variants (
  id            INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  product_id    INT UNSIGNED  NOT NULL,
  sku           VARCHAR(64)   NOT NULL,
  price         DECIMAL(12,2) NULL,
  -- What a shopper pays for it now: written only by backend/services/pricing.py, like products.current_price.
  current_price DECIMAL(12,2) NULL,
  stock         INT           NOT NULL DEFAULT 0,
  options_key   CHAR(64)      NULL,
  is_archived   TINYINT(1)    NOT NULL DEFAULT 0,
  created_at    DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at    DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_variants_sku (sku),
  UNIQUE KEY uq_variants_options (product_id, options_key),
  -- The listing's price filter: active variants whose price paid is in a range, with their product.
  KEY ix_variants_price (is_archived, current_price, product_id),
  CONSTRAINT ck_variants_price CHECK (price IS NULL OR price >= 0),
  CONSTRAINT ck_variants_stock CHECK (stock >= 0),
  CONSTRAINT fk_variants_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The option names a product's variants use, in the order they were first used (position).
CREATE TABLE IF NOT EXISTS product_options (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  product_id  INT UNSIGNED NOT NULL,
  name        VARCHAR(40)  NOT NULL,
  position    INT UNSIGNED NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_product_options_name (product_id, name),
  CONSTRAINT fk_product_options_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One value per option of a variant ("Size" = "M").
CREATE TABLE IF NOT EXISTS variant_option_values (
  variant_id  INT UNSIGNED NOT NULL,
  option_id   INT UNSIGNED NOT NULL,
  value       VARCHAR(100) NOT NULL,
  PRIMARY KEY (variant_id, option_id),
  KEY ix_variant_values_option (option_id),
  CONSTRAINT fk_variant_values_variant FOREIGN KEY (variant_id) REFERENCES product_variants (id) ON DELETE CASCADE,
  CONSTRAINT fk_variant_values_option FOREIGN KEY (option_id) REFERENCES product_options (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Product images (api.md "Product images"): three re-encoded copies, named by the hash of their bytes
-- (files under MEDIA_DIR; one file may serve several rows). position is 0..n-1 per product, no gaps.
-- width and height are the large copy's.
CREATE TABLE IF NOT EXISTS product_images (
  id           INT UNSIGNED      NOT NULL AUTO_INCREMENT,
  product_id   INT UNSIGNED      NOT NULL,
  position     INT UNSIGNED      NOT NULL,
  alt          VARCHAR(300)      NOT NULL DEFAULT '',
  width        SMALLINT UNSIGNED NOT NULL,
  height       SMALLINT UNSIGNED NOT NULL,
  thumb_file   VARCHAR(80)       NOT NULL,
  medium_file  VARCHAR(80)       NOT NULL,
  large_file   VARCHAR(80)       NOT NULL,
  created_at   DATETIME          NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY ix_product_images_product (product_id, position),
  -- Is a file still used by another row? (before removing it)
  KEY ix_product_images_thumb (thumb_file),
  KEY ix_product_images_medium (medium_file),
  KEY ix_product_images_large (large_file),
  CONSTRAINT fk_product_images_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Exactly one of percent_off/amount_off and one of product_id/category_id is set.
CREATE TABLE IF NOT EXISTS offers (
  id           INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  name         VARCHAR(120)  NOT NULL,
  percent_off  DECIMAL(5,2)  NULL,
  amount_off   DECIMAL(12,2) NULL,
  product_id   INT UNSIGNED  NULL,
  category_id  INT UNSIGNED  NULL,
  starts_at    DATETIME      NOT NULL,
  ends_at      DATETIME      NOT NULL,
  created_at   DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY ix_offers_product (product_id, starts_at, ends_at),
  KEY ix_offers_category (category_id, starts_at, ends_at),
  KEY ix_offers_window (starts_at, ends_at),
  KEY ix_offers_ends (ends_at),
  CONSTRAINT ck_offers_percent CHECK (percent_off IS NULL OR (percent_off > 0 AND percent_off <= 100)),
  CONSTRAINT ck_offers_amount CHECK (amount_off IS NULL OR amount_off > 0),
  CONSTRAINT ck_offers_kind CHECK ((percent_off IS NULL) <> (amount_off IS NULL)),
  CONSTRAINT ck_offers_target CHECK ((product_id IS NULL) <> (category_id IS NULL)),
  CONSTRAINT ck_offers_window CHECK (ends_at > starts_at),
  CONSTRAINT fk_offers_product FOREIGN KEY (product_id) REFERENCES products (id),
  CONSTRAINT fk_offers_category FOREIGN KEY (category_id) REFERENCES categories (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- When products.current_price was last brought up to date with the offers' time windows (one row).
CREATE TABLE IF NOT EXISTS price_cache_state (
  id          TINYINT UNSIGNED NOT NULL,
  priced_at   DATETIME         NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Normalised search terms only: no user id, no IP.
CREATE TABLE IF NOT EXISTS search_log (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  term        VARCHAR(100)    NOT NULL,
  created_at  DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY ix_search_recent (created_at, term)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Terms staff hid from the trending searches (normalised, as search_log holds them); never listed again.
CREATE TABLE IF NOT EXISTS hidden_search_terms (
  term        VARCHAR(100)    NOT NULL,
  created_at  DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (term)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ---------------------------------------------------------------- promotions, shipping and tax
-- Coupon codes (api.md "Coupon codes"). code is kept upper case; the unique key makes codes
-- case-insensitively unique. times_used counts the uses of orders that were not cancelled or refunded;
-- it is changed only under the coupon's row lock, by a conditional UPDATE (no more than max_uses).
CREATE TABLE IF NOT EXISTS coupons (
  id                 INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  code               VARCHAR(40)   NOT NULL,
  percent_off        DECIMAL(5,2)  NULL,
  amount_off         DECIMAL(12,2) NULL,
  min_subtotal       DECIMAL(12,2) NULL,
  starts_at          DATETIME      NULL,
  ends_at            DATETIME      NULL,
  max_uses           INT UNSIGNED  NULL,
  max_uses_per_user  INT UNSIGNED  NULL,
  is_active          TINYINT(1)    NOT NULL DEFAULT 1,
  times_used         INT UNSIGNED  NOT NULL DEFAULT 0,
  created_at         DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at         DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_coupons_code (code),
  CONSTRAINT ck_coupons_percent CHECK (percent_off IS NULL OR (percent_off > 0 AND percent_off <= 100)),
  CONSTRAINT ck_coupons_amount CHECK (amount_off IS NULL OR amount_off > 0),
  CONSTRAINT ck_coupons_kind CHECK ((percent_off IS NULL) <> (amount_off IS NULL)),
  CONSTRAINT ck_coupons_min CHECK (min_subtotal IS NULL OR min_subtotal >= 0),
  CONSTRAINT ck_coupons_window CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Shipping methods (api.md "Shipping methods"): the countries each serves ('*' = everywhere) in
-- shipping_method_countries. free_from NULL = never free.
CREATE TABLE IF NOT EXISTS shipping_methods (
  id          INT UNSIGNED      NOT NULL AUTO_INCREMENT,
  name        VARCHAR(100)      NOT NULL,
  price       DECIMAL(12,2)     NOT NULL,
  free_from   DECIMAL(12,2)     NULL,
  min_days    SMALLINT UNSIGNED NOT NULL,
  max_days    SMALLINT UNSIGNED NOT NULL,
  created_at  DATETIME          NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at  DATETIME          NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  CONSTRAINT ck_shipping_methods_money CHECK (price >= 0 AND (free_from IS NULL OR free_from >= 0)),
  CONSTRAINT ck_shipping_methods_days CHECK (min_days <= max_days)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS shipping_method_countries (
  method_id  INT UNSIGNED NOT NULL,
  country    CHAR(2)      NOT NULL,
  PRIMARY KEY (method_id, country),
  KEY ix_shipping_method_countries_country (country),
  CONSTRAINT fk_shipping_method_countries_method FOREIGN KEY (method_id) REFERENCES shipping_methods (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Tax (api.md "Tax"): one rate per country (ISO 3166-1 alpha-2), a percentage.
CREATE TABLE IF NOT EXISTS tax_rates (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  country     CHAR(2)      NOT NULL,
  rate        DECIMAL(5,2) NOT NULL,
  created_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_tax_rates_country (country),
  CONSTRAINT ck_tax_rates_rate CHECK (rate >= 0 AND rate <= 100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ---------------------------------------------------------------- cart
-- A cart belongs to a user or to a guest (by the hash of a cookie token), never both.
CREATE TABLE IF NOT EXISTS carts (
  id                INT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id           INT UNSIGNED NULL,
  guest_token_hash  CHAR(64)     NULL,
  coupon_id         INT UNSIGNED NULL,
  created_at        DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at        DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_carts_user (user_id),
  UNIQUE KEY uq_carts_guest (guest_token_hash),
  KEY ix_carts_updated (updated_at),
  CONSTRAINT fk_carts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_carts_coupon FOREIGN KEY (coupon_id) REFERENCES coupons (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A line is one (product, variant) pair; variant_id 0 = the product itself (a product without variants),
-- since a primary key cannot hold NULL.
CREATE TABLE IF NOT EXISTS cart_items (
  cart_id     INT UNSIGNED NOT NULL,
  product_id  INT UNSIGNED NOT NULL,
  variant_id  INT UNSIGNED NOT NULL DEFAULT 0,
  quantity    INT          NOT NULL,
  added_at    DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (cart_id, product_id, variant_id),
  KEY ix_cart_items_product (product_id),
  CONSTRAINT ck_cart_items_quantity CHECK (quantity > 0),
  CONSTRAINT fk_cart_items_cart FOREIGN KEY (cart_id) REFERENCES carts (id) ON DELETE CASCADE,
  CONSTRAINT fk_cart_items_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Keyed like cart_items: variant_id 0 = a product without variants.
CREATE TABLE IF NOT EXISTS saved_items (
  user_id     INT UNSIGNED NOT NULL,
  product_id  INT UNSIGNED NOT NULL,
  variant_id  INT UNSIGNED NOT NULL DEFAULT 0,
  quantity    INT          NOT NULL DEFAULT 1,
  saved_at    DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (user_id, product_id, variant_id),
  KEY ix_saved_product (product_id),
  CONSTRAINT ck_saved_quantity CHECK (quantity > 0),
  CONSTRAINT fk_saved_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_saved_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ---------------------------------------------------------------- orders
CREATE TABLE IF NOT EXISTS orders (
  id                INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  user_id           INT UNSIGNED  NULL,
  status            VARCHAR(16)   NOT NULL DEFAULT 'pending',
  subtotal          DECIMAL(12,2) NOT NULL,
  discount_total    DECIMAL(12,2) NOT NULL DEFAULT 0,
  shipping          DECIMAL(12,2) NOT NULL DEFAULT 0,
  total             DECIMAL(12,2) NOT NULL,
  currency          CHAR(3)       NOT NULL,
  shipping_address  TEXT          NOT NULL,
  coupon_id         INT UNSIGNED  NULL,
  coupon_code       VARCHAR(40)   NULL,
  coupon_amount     DECIMAL(12,2) NOT NULL DEFAULT 0,
  shipping_method_id   INT UNSIGNED NULL,
  shipping_method_name VARCHAR(100) NULL,
  tax_rate          DECIMAL(5,2)  NOT NULL DEFAULT 0,
  tax_total         DECIMAL(12,2) NOT NULL DEFAULT 0,
  prices_include_tax TINYINT(1)   NOT NULL DEFAULT 1,
  created_at        DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at        DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY ix_orders_user (user_id, created_at),
  KEY ix_orders_status (status, created_at),
  KEY ix_orders_created (created_at),
  CONSTRAINT ck_orders_status CHECK (status IN ('pending','paid','shipped','delivered','cancelled','refunded')),
  CONSTRAINT ck_orders_money CHECK (subtotal >= 0 AND discount_total >= 0 AND shipping >= 0 AND total >= 0),
  CONSTRAINT ck_orders_coupon_tax CHECK (coupon_amount >= 0 AND tax_total >= 0 AND tax_rate >= 0 AND tax_rate <= 100),
  CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT fk_orders_coupon FOREIGN KEY (coupon_id) REFERENCES coupons (id) ON DELETE SET NULL,
  CONSTRAINT fk_orders_shipping_method FOREIGN KEY (shipping_method_id) REFERENCES shipping_methods (id)
    ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Name and price are copied at purchase: the order keeps what was paid whatever the product becomes.
-- variant_id, sku and variant_label ("M / Red") likewise, for a variant; NULL for a product without variants.
CREATE TABLE IF NOT EXISTS order_items (
  id          INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  order_id    INT UNSIGNED  NOT NULL,
  product_id  INT UNSIGNED  NOT NULL,
  variant_id  INT UNSIGNED  NULL,
  sku         VARCHAR(64)   NULL,
  variant_label VARCHAR(255) NULL,
  name        VARCHAR(200)  NOT NULL,
  unit_price  DECIMAL(12,2) NOT NULL,
  quantity    INT           NOT NULL,
  line_total  DECIMAL(12,2) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_order_items_order (order_id),
  KEY ix_order_items_product (product_id),
  KEY ix_order_items_variant (variant_id),
  CONSTRAINT ck_order_items_price CHECK (unit_price >= 0 AND line_total >= 0),
  CONSTRAINT ck_order_items_quantity CHECK (quantity > 0),
  CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_order_items_product FOREIGN KEY (product_id) REFERENCES products (id),
  CONSTRAINT fk_order_items_variant FOREIGN KEY (variant_id) REFERENCES product_variants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Only brand and last four digits: the card number and CVC are never stored.
CREATE TABLE IF NOT EXISTS payments (
  id          INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  order_id    INT UNSIGNED  NOT NULL,
  gateway     VARCHAR(32)   NOT NULL,
  reference   VARCHAR(64)   NOT NULL,
  brand       VARCHAR(16)   NOT NULL,
  last4       CHAR(4)       NOT NULL,
  amount      DECIMAL(12,2) NOT NULL,
  status      VARCHAR(16)   NOT NULL DEFAULT 'approved',
  created_at  DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_payments_order (order_id),
  CONSTRAINT ck_payments_amount CHECK (amount >= 0),
  CONSTRAINT fk_payments_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS idempotency_keys (
  id            INT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id       INT UNSIGNED NOT NULL,
  idem_key      VARCHAR(255) NOT NULL,
  request_hash  CHAR(64)     NOT NULL,
  order_id      INT UNSIGNED NULL,
  created_at    DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_idem_user_key (user_id, idem_key),
  KEY ix_idem_created (created_at),
  CONSTRAINT fk_idem_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_idem_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per order that used a coupon (per-user limits count them); deleted when the order is
-- cancelled or refunded, as the coupon's times_used goes down.
CREATE TABLE IF NOT EXISTS coupon_uses (
  order_id    INT UNSIGNED NOT NULL,
  coupon_id   INT UNSIGNED NOT NULL,
  user_id     INT UNSIGNED NULL,
  created_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (order_id),
  KEY ix_coupon_uses_coupon_user (coupon_id, user_id),
  CONSTRAINT fk_coupon_uses_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_coupon_uses_coupon FOREIGN KEY (coupon_id) REFERENCES coupons (id) ON DELETE CASCADE,
  CONSTRAINT fk_coupon_uses_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ---------------------------------------------------------------- mail and admin
-- Written in the same transaction as the change that caused it; a sender delivers and retries.
CREATE TABLE IF NOT EXISTS email_outbox (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  to_addr          VARCHAR(254)    NOT NULL,
  subject          VARCHAR(200)    NOT NULL,
  body_text        TEXT            NOT NULL,
  status           VARCHAR(10)     NOT NULL DEFAULT 'pending',
  attempts         INT UNSIGNED    NOT NULL DEFAULT 0,
  next_attempt_at  DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
  last_error       VARCHAR(500)    NOT NULL DEFAULT '',
  created_at       DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
  sent_at          DATETIME        NULL,
  -- The sender holding the message until next_attempt_at (a claim token; see MailService.send_due).
  claimed_by       CHAR(32)        NULL,
  PRIMARY KEY (id),
  KEY ix_outbox_due (status, next_attempt_at),
  KEY ix_outbox_claimed (claimed_by),
  CONSTRAINT ck_outbox_status CHECK (status IN ('pending','sent','failed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS audit_log (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  actor_id     INT UNSIGNED    NULL,
  action       VARCHAR(64)     NOT NULL,
  target_type  VARCHAR(32)     NOT NULL DEFAULT '',
  target_id    VARCHAR(64)     NOT NULL DEFAULT '',
  ip           VARCHAR(45)     NOT NULL DEFAULT '',
  request_id   VARCHAR(64)     NOT NULL DEFAULT '',
  details      TEXT            NULL,
  created_at   DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY ix_audit_created (created_at),
  KEY ix_audit_actor (actor_id, created_at),
  KEY ix_audit_action (action, created_at),
  CONSTRAINT fk_audit_actor FOREIGN KEY (actor_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS backups (
  id           INT UNSIGNED    NOT NULL AUTO_INCREMENT,
  filename     VARCHAR(255)    NOT NULL,
  size_bytes   BIGINT UNSIGNED NOT NULL DEFAULT 0,
  row_counts   TEXT            NULL,
  created_by   INT UNSIGNED    NULL,
  created_at   DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_backups_filename (filename),
  CONSTRAINT fk_backups_user FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Jobs that must run once across every app process and host (cleanup): whoever holds the row's
-- unexpired lease runs it. Taken by a conditional write, so it holds on a Galera cluster too
-- (GET_LOCK is local to one server).
CREATE TABLE IF NOT EXISTS job_leases (
  name         VARCHAR(64)  NOT NULL,
  owner        VARCHAR(100) NOT NULL,
  expires_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
