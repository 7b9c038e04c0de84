-- ix_products_listing carries current_price (after id, so its order is still the newest-first listing's
-- created_at, id): a price filter sorted by date walks it and tests each entry's price in the index,
-- about 24 / (share of the catalog in the range) entries whatever the catalog size, where it read each
-- entry's row for the price (or read the whole range by ix_products_price, a row each, and sorted it).
-- Safe to re-run; runs on MySQL 8 and MariaDB 10.11 alike (mysql shop < 0006.listing-price.sql).

SET @sql = (SELECT IF(COUNT(*) = 0,
  'ALTER TABLE products DROP INDEX ix_products_listing, ADD KEY ix_products_listing (is_archived, created_at, id, current_price)',
  'DO 0')
  FROM information_schema.statistics WHERE table_schema = DATABASE()
  AND table_name = 'products' AND index_name = 'ix_products_listing' AND column_name = 'current_price');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;
