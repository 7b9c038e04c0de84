-- Checkout depth (api.md "Coupon codes", "Shipping methods", "Tax"): coupons and their uses, shipping
-- methods and the countries they serve, tax rates, the cart's coupon and what an order keeps of them.
-- Safe to re-run; runs on MySQL 8 and MariaDB 10.11 alike (mysql shop < 0004.checkout-depth.sql).

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

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE carts ADD COLUMN coupon_id INT UNSIGNED NULL AFTER guest_token_hash', 'DO 0')
  FROM information_schema.columns WHERE table_schema = DATABASE()
  AND table_name = 'carts' AND column_name = 'coupon_id');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE carts ADD CONSTRAINT fk_carts_coupon FOREIGN KEY (coupon_id) REFERENCES coupons (id) ON DELETE SET NULL', 'DO 0')
  FROM information_schema.table_constraints WHERE constraint_schema = DATABASE()
  AND table_name = 'carts' AND constraint_name = 'fk_carts_coupon' AND constraint_type = 'FOREIGN KEY');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE orders ADD COLUMN coupon_id INT UNSIGNED NULL AFTER shipping_address', 'DO 0')
  FROM information_schema.columns WHERE table_schema = DATABASE()
  AND table_name = 'orders' AND column_name = 'coupon_id');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE orders ADD COLUMN coupon_code VARCHAR(40) NULL AFTER coupon_id', 'DO 0')
  FROM information_schema.columns WHERE table_schema = DATABASE()
  AND table_name = 'orders' AND column_name = 'coupon_code');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE orders ADD COLUMN coupon_amount DECIMAL(12,2) NOT NULL DEFAULT 0 AFTER coupon_code', 'DO 0')
  FROM information_schema.columns WHERE table_schema = DATABASE()
  AND table_name = 'orders' AND column_name = 'coupon_amount');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE orders ADD COLUMN shipping_method_id INT UNSIGNED NULL AFTER coupon_amount', 'DO 0')
  FROM information_schema.columns WHERE table_schema = DATABASE()
  AND table_name = 'orders' AND column_name = 'shipping_method_id');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE orders ADD COLUMN shipping_method_name VARCHAR(100) NULL AFTER shipping_method_id', 'DO 0')
  FROM information_schema.columns WHERE table_schema = DATABASE()
  AND table_name = 'orders' AND column_name = 'shipping_method_name');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE orders ADD COLUMN tax_rate DECIMAL(5,2) NOT NULL DEFAULT 0 AFTER shipping_method_name', 'DO 0')
  FROM information_schema.columns WHERE table_schema = DATABASE()
  AND table_name = 'orders' AND column_name = 'tax_rate');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE orders ADD COLUMN tax_total DECIMAL(12,2) NOT NULL DEFAULT 0 AFTER tax_rate', 'DO 0')
  FROM information_schema.columns WHERE table_schema = DATABASE()
  AND table_name = 'orders' AND column_name = 'tax_total');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE orders ADD COLUMN prices_include_tax TINYINT(1) NOT NULL DEFAULT 1 AFTER tax_total', 'DO 0')
  FROM information_schema.columns WHERE table_schema = DATABASE()
  AND table_name = 'orders' AND column_name = 'prices_include_tax');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE orders ADD CONSTRAINT ck_orders_coupon_tax CHECK (coupon_amount >= 0 AND tax_total >= 0 AND tax_rate >= 0 AND tax_rate <= 100)', 'DO 0')
  FROM information_schema.table_constraints WHERE constraint_schema = DATABASE()
  AND table_name = 'orders' AND constraint_name = 'ck_orders_coupon_tax' AND constraint_type = 'CHECK');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE orders ADD CONSTRAINT fk_orders_coupon FOREIGN KEY (coupon_id) REFERENCES coupons (id) ON DELETE SET NULL', 'DO 0')
  FROM information_schema.table_constraints WHERE constraint_schema = DATABASE()
  AND table_name = 'orders' AND constraint_name = 'fk_orders_coupon' AND constraint_type = 'FOREIGN KEY');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE orders ADD CONSTRAINT fk_orders_shipping_method FOREIGN KEY (shipping_method_id) REFERENCES shipping_methods (id) ON DELETE SET NULL', 'DO 0')
  FROM information_schema.table_constraints WHERE constraint_schema = DATABASE()
  AND table_name = 'orders' AND constraint_name = 'fk_orders_shipping_method' AND constraint_type = 'FOREIGN KEY');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;
