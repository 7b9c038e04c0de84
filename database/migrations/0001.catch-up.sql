-- 0001: brings a database made from the first release (database/baseline.sql) up to the schema of
-- the release that introduced migrations: the tables account_mail_requests, category_tree_version,
-- hidden_search_terms and job_leases, email_outbox.claimed_by with its key, and two products keys.
-- Safe to re-run, and a no-op on a database that already has these (shops that ran an earlier
-- main, where `flask init-db` created them): tables with CREATE TABLE IF NOT EXISTS, columns and
-- keys only when information_schema lacks them (MySQL 8 has no ADD COLUMN IF NOT EXISTS).
-- Runs on MySQL 8 and MariaDB 10.11, through yoyo (flask migrate) or piped into the mysql client:
--   mysql shop < database/migrations/0001.catch-up.sql

-- ---------------------------------------------------------------- new tables (as in schema.sql)
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

CREATE TABLE IF NOT EXISTS category_tree_version (
  id          TINYINT UNSIGNED NOT NULL,
  token       CHAR(36)     NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The token row the app writes with every category change. An upgraded shop already has a tree,
-- and without the row no web worker keeps its built tree (it rebuilds it on every request) until the
-- first category write. A row already there (a shop that ran an earlier main) is left as it is.
INSERT INTO category_tree_version (id, token) VALUES (1, UUID()) ON DUPLICATE KEY UPDATE id = id;

CREATE TABLE IF NOT EXISTS hidden_search_terms (
  term        VARCHAR(100)    NOT NULL,
  created_at  DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (term)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS job_leases (
  name         VARCHAR(64)  NOT NULL,
  owner        VARCHAR(100) NOT NULL,
  expires_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ---------------------------------------------------------------- email_outbox: the claim token
SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE email_outbox ADD COLUMN claimed_by CHAR(32) NULL', 'DO 0')
            FROM information_schema.columns WHERE table_schema = DATABASE()
            AND table_name = 'email_outbox' AND column_name = 'claimed_by');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE email_outbox ADD KEY ix_outbox_claimed (claimed_by)', 'DO 0')
            FROM information_schema.statistics WHERE table_schema = DATABASE()
            AND table_name = 'email_outbox' AND index_name = 'ix_outbox_claimed');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

-- ---------------------------------------------------------------- products: category pages in index order
SET @sql = (SELECT IF(COUNT(*) = 0,
              'ALTER TABLE products ADD KEY ix_products_category_name (category_id, is_archived, name)', 'DO 0')
            FROM information_schema.statistics WHERE table_schema = DATABASE()
            AND table_name = 'products' AND index_name = 'ix_products_category_name');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @sql = (SELECT IF(COUNT(*) = 0,
              'ALTER TABLE products ADD KEY ix_products_category_price (category_id, is_archived, current_price)', 'DO 0')
            FROM information_schema.statistics WHERE table_schema = DATABASE()
            AND table_name = 'products' AND index_name = 'ix_products_category_price');
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;
