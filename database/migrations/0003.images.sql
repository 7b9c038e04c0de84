-- Product images (api.md "Product images"): the product_images table and products.cover_url.
-- Safe to re-run; runs on MySQL 8 and MariaDB 10.11 alike (mysql shop < 0003.images.sql).

SET @sql = (SELECT IF(COUNT(*) = 0,
  'ALTER TABLE products ADD COLUMN cover_url VARCHAR(200) NULL AFTER image_url', 'DO 0')
  FROM information_schema.columns WHERE table_schema = DATABASE()
  AND table_name = 'products' AND column_name = 'cover_url');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

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
  KEY ix_product_images_thumb (thumb_file),
  KEY ix_product_images_medium (medium_file),
  KEY ix_product_images_large (large_file),
  CONSTRAINT fk_product_images_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
