-- sqlgen migration 0001 (up): create users and posts
--
-- Created:    2026-12-01 22:09:39 UTC
-- Models:     examples.blog.models_v1:Base
-- Dialect:    mariadb
-- Server:     10.11.19-MariaDB-0+deb12u1
-- Undo with:  0001_create_users_and_posts.down.sql
-- Verified:   no (sqlgen generate --verify proves the pair on a scratch database)
--
-- Review notes: nothing risky found by sqlgen lint.
--
-- MySQL and MariaDB commit each DDL statement on its own: if a statement
-- fails, the statements before it stay applied.

SET NAMES utf8mb4;

-- sqlgen:tracking begin (records this migration in `sqlgen_version` when the file is run by hand;
-- sqlgen upgrade skips these lines and records it the same way. A "Duplicate entry"
-- error here means version 1 is already recorded: see sqlgen status.)
CREATE TABLE IF NOT EXISTS `sqlgen_version` (
  `version` int NOT NULL COMMENT 'NNNN of NNNN_name.up.sql',
  `name` varchar(255) NOT NULL,
  `checksum` char(64) NOT NULL COMMENT 'sha256 of the up file''s statements',
  `state` varchar(16) NOT NULL COMMENT 'running, applied, failed, reverting or revert_failed',
  `statements_applied` int NOT NULL DEFAULT 0 COMMENT 'statements of the running file that completed',
  `statements_total` int NOT NULL,
  `progress_checksum` char(64) NULL COMMENT 'sha256 of the statements that completed, to resume safely',
  `down_checksum` char(64) NULL COMMENT 'sha256 of the down file''s statements while it runs',
  `started_at` datetime(6) NOT NULL,
  `applied_at` datetime(6) NULL,
  `execution_ms` bigint NULL,
  `applied_by` varchar(255) NOT NULL,
  `error` text NULL,
  PRIMARY KEY (`version`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='sqlgen: migrations applied to this database';
INSERT INTO `sqlgen_version` (`version`, `name`, `checksum`, `state`, `statements_applied`, `statements_total`, `started_at`, `applied_by`)
VALUES (1, '0001_create_users_and_posts', 'b0a83bdb3a33624366fa17168a3027547848a1795b81316b804b630feb920247', 'running', 0, 3, NOW(6), CURRENT_USER());
-- sqlgen:tracking end

CREATE TABLE `user` (
  `id` int NOT NULL AUTO_INCREMENT,
  `name` varchar(50) NOT NULL,
  `bio` text NULL,
  `created_at` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `post` (
  `id` int NOT NULL AUTO_INCREMENT,
  `author_id` int NOT NULL,
  `title` varchar(200) NOT NULL,
  `body` text NOT NULL,
  `created_at` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  KEY `ix_post_created_at` (`created_at`),
  KEY `author_id` (`author_id`),
  CONSTRAINT `post_ibfk_1` FOREIGN KEY (`author_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- sqlgen:tracking begin
UPDATE `sqlgen_version` SET `state` = 'applied', `statements_applied` = `statements_total`,
  `applied_at` = NOW(6), `execution_ms` = TIMESTAMPDIFF(MICROSECOND, `started_at`, NOW(6)) DIV 1000,
  `progress_checksum` = NULL, `error` = NULL
WHERE `version` = 1;
-- sqlgen:tracking end
