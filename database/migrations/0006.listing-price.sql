-- ix_products_listing carries current_price (after id, so its order is still the newest-first listing's
-- created_at, id): a price filter sorted by date walks it and filters in the index, reading about
-- 24 / (share of the catalog in the range) entries whatever the catalog size, instead of every product in
-- the range by ix_products_price plus a row read each for created_at and a sort.
-- Safe to re-run; runs on MySQL 8 and MariaDB 10.11 alike (mysql shop < 0006.listing-price.sql).

SET @sql = (SELECT IF(COUNT(*) = 0,
  'ALTER TABLE products DROP INDEX ix_products_listing, ADD KEY ix_products_listing (is_archived, created_at, id, current_price)',
  'DO 0')
  FROM information_schema.statistics WHERE table_schema = DATABASE()
  AND table_name = 'products' AND index_name = 'ix_products_listing' AND column_name = 'current_price');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;
