-- The search index (README "Migrations"): product_terms and search_terms replace the FULLTEXT index on
-- products, which ranked every match of a search before any LIMIT. The tables start empty: `flask migrate`
-- and `flask init-db` then index every visible product (so does `flask search-index`, which a DBA who pipes
-- this file into mysql runs next). Safe to re-run; runs on MySQL 8 and MariaDB 10.11 alike.

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

SET @sql = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE products DROP INDEX ft_products_text', 'DO 0')
            FROM information_schema.statistics WHERE table_schema = DATABASE()
            AND table_name = 'products' AND index_name = 'ft_products_text');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;
