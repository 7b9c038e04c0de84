-- 0002: product variants (options and SKUs). New tables product_variants, product_options and
-- variant_option_values; products.variant_price; a cart or saved line becomes a (product, variant) pair
-- (variant_id in the primary key, 0 for a product without variants, so existing lines keep working);
-- order items keep the variant's id, sku and label (NULL for existing items and simple products).
-- Safe to re-run: tables with CREATE TABLE IF NOT EXISTS, columns and keys only when information_schema
-- lacks them. Runs on MySQL 8 and MariaDB 10.11, through yoyo or piped into the mysql client:
--   mysql shop < database/migrations/0002.variants.sql

-- ---------------------------------------------------------------- new tables (as in schema.sql)
CREATE TABLE IF NOT EXISTS product_variants (
  id            INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  product_id    INT UNSIGNED  NOT NULL,
  sku           VARCHAR(64)   NOT NULL,
  price         DECIMAL(12,2) NULL,
  current_price DECIMAL(12,2) NULL,
  stock         INT           NOT NULL DEFAULT 0,
  options_key   CHAR(64)      NULL,
  is_archived   TINYINT(1)    NOT NULL DEFAULT 0,
  created_at    DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at    DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_variants_sku (sku),
  UNIQUE KEY uq_variants_options (product_id, options_key),
  KEY ix_variants_price (is_archived, current_price, product_id),
  CONSTRAINT ck_variants_price CHECK (price IS NULL OR price >= 0),
  CONSTRAINT ck_variants_stock CHECK (stock >= 0),
  CONSTRAINT fk_variants_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS product_options (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  product_id  INT UNSIGNED NOT NULL,
  name        VARCHAR(40)  NOT NULL,
  position    INT UNSIGNED NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_product_options_name (product_id, name),
  CONSTRAINT fk_product_options_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS variant_option_values (
  variant_id  INT UNSIGNED NOT NULL,
  option_id   INT UNSIGNED NOT NULL,
  value       VARCHAR(100) NOT NULL,
  PRIMARY KEY (variant_id, option_id),
  KEY ix_variant_values_option (option_id),
  CONSTRAINT fk_variant_values_variant FOREIGN KEY (variant_id) REFERENCES product_variants (id) ON DELETE CASCADE,
  CONSTRAINT fk_variant_values_option FOREIGN KEY (option_id) REFERENCES product_options (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ---------------------------------------------------------------- products
SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE products ADD COLUMN variant_price DECIMAL(12,2) NULL AFTER stock', 'DO 0')
            FROM information_schema.columns WHERE table_schema = DATABASE()
            AND table_name = 'products' AND column_name = 'variant_price');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

-- ---------------------------------------------------------------- cart and saved lines
-- Column and primary key in one statement: a re-run finds the column and changes nothing.
SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE cart_items ADD COLUMN variant_id INT UNSIGNED NOT NULL DEFAULT 0 AFTER product_id, DROP PRIMARY KEY, ADD PRIMARY KEY (cart_id, product_id, variant_id)', 'DO 0')
            FROM information_schema.columns WHERE table_schema = DATABASE()
            AND table_name = 'cart_items' AND column_name = 'variant_id');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE saved_items ADD COLUMN variant_id INT UNSIGNED NOT NULL DEFAULT 0 AFTER product_id, DROP PRIMARY KEY, ADD PRIMARY KEY (user_id, product_id, variant_id)', 'DO 0')
            FROM information_schema.columns WHERE table_schema = DATABASE()
            AND table_name = 'saved_items' AND column_name = 'variant_id');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

-- ---------------------------------------------------------------- order items
SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE order_items ADD COLUMN variant_id INT UNSIGNED NULL AFTER product_id', 'DO 0')
            FROM information_schema.columns WHERE table_schema = DATABASE()
            AND table_name = 'order_items' AND column_name = 'variant_id');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE order_items ADD COLUMN sku VARCHAR(64) NULL AFTER variant_id', 'DO 0')
            FROM information_schema.columns WHERE table_schema = DATABASE()
            AND table_name = 'order_items' AND column_name = 'sku');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE order_items ADD COLUMN variant_label VARCHAR(255) NULL AFTER sku', 'DO 0')
            FROM information_schema.columns WHERE table_schema = DATABASE()
            AND table_name = 'order_items' AND column_name = 'variant_label');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE order_items ADD KEY ix_order_items_variant (variant_id)', 'DO 0')
            FROM information_schema.statistics WHERE table_schema = DATABASE()
            AND table_name = 'order_items' AND index_name = 'ix_order_items_variant');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE order_items ADD CONSTRAINT fk_order_items_variant FOREIGN KEY (variant_id) REFERENCES product_variants (id)', 'DO 0')
            FROM information_schema.table_constraints WHERE constraint_schema = DATABASE()
            AND table_name = 'order_items' AND constraint_name = 'fk_order_items_variant' AND constraint_type = 'FOREIGN KEY');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;
