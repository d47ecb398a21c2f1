-- sqlgen migration 0002 (up): add tags, comments and user emails
--
-- Created:    2026-12-01 22:09:39 UTC
-- Models:     examples.blog.models:Base
-- Dialect:    mariadb
-- Server:     10.11.19-MariaDB-0+deb12u1
-- Undo with:  0002_add_tags_comments_and_user_emails.down.sql
-- Verified:   no (sqlgen generate --verify proves the pair on a scratch database)
--
-- Review notes (sqlgen lint; a line `-- sqlgen: allow CODE TARGET` accepts one):
--   DESTRUCTIVE drop-column post.created_at: drops column post.created_at and its data
--   WARNING not-null post.slug: adds NOT NULL column post.slug without a default: existing rows get the type's implicit value (0, '' or a zero date)
--   WARNING unique post.slug: adds unique index slug on post: the statement fails on duplicates
--   WARNING not-null user.email: adds NOT NULL column user.email without a default: existing rows get the type's implicit value (0, '' or a zero date)
--   WARNING unique user.email: adds unique index email on user: the statement fails on duplicates
--   WARNING table-copy user: expected ALGORITHM=COPY on mariadb 10.11.19-MariaDB-0+deb12u1 (a type change of user.name (varchar(50) to varchar(80))): the whole table is copied and writes wait until it ends
--
-- MySQL and MariaDB commit each DDL statement on its own: if a statement
-- fails, the statements before it stay applied.

SET NAMES utf8mb4;

-- precondition post.slug, read-only (counts the rows of post): it fails with "Subquery returns more
-- than 1 row" when all rows of post take one value in the new unique key slug, and there is more
-- than one row, before anything has changed; its inner SELECT lists those rows
SELECT 'all rows of post take one value in the new unique key slug, and there is more than one row' AS `sqlgen_precondition` FROM DUAL
 WHERE (SELECT 1 UNION ALL SELECT 1 FROM DUAL WHERE EXISTS (
  SELECT COUNT(*) AS `rows` FROM `post` HAVING COUNT(*) > 1
)) IS NULL;

-- precondition user.email, read-only (counts the rows of user): it fails with "Subquery returns
-- more than 1 row" when all rows of user take one value in the new unique key email, and there is
-- more than one row, before anything has changed; its inner SELECT lists those rows
SELECT 'all rows of user take one value in the new unique key email, and there is more than one row' AS `sqlgen_precondition` FROM DUAL
 WHERE (SELECT 1 UNION ALL SELECT 1 FROM DUAL WHERE EXISTS (
  SELECT COUNT(*) AS `rows` FROM `user` HAVING COUNT(*) > 1
)) IS NULL;

-- sqlgen:tracking begin (records this migration in `sqlgen_version` when the file is run by hand;
-- sqlgen upgrade skips these lines and records it the same way. A "Duplicate entry"
-- error here means version 2 is already recorded: see sqlgen status.)
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
VALUES (2, '0002_add_tags_comments_and_user_emails', '54959dcf7d9fa22e93e4fd919b566c4667da0fd1e0d315a4efc9aa6b1736fedf', 'running', 0, 8, NOW(6), CURRENT_USER());
-- sqlgen:tracking end

CREATE TABLE `comment` (
  `id` int NOT NULL AUTO_INCREMENT,
  `post_id` int NOT NULL,
  `author_id` int NULL,
  `body` text NOT NULL,
  `created_at` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  KEY `ix_comment_post_id` (`post_id`),
  UNIQUE KEY `uq_comment_post_id` (`post_id`, `id`),
  KEY `author_id` (`author_id`),
  CONSTRAINT `comment_ibfk_1` FOREIGN KEY (`post_id`) REFERENCES `post` (`id`) ON DELETE CASCADE,
  CONSTRAINT `comment_ibfk_2` FOREIGN KEY (`author_id`) REFERENCES `user` (`id`) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `tag` (
  `id` int NOT NULL AUTO_INCREMENT,
  `name` varchar(50) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `post_tag` (
  `post_id` int NOT NULL,
  `tag_id` int NOT NULL,
  PRIMARY KEY (`post_id`, `tag_id`),
  KEY `tag_id` (`tag_id`),
  CONSTRAINT `post_tag_ibfk_1` FOREIGN KEY (`post_id`) REFERENCES `post` (`id`) ON DELETE CASCADE,
  CONSTRAINT `post_tag_ibfk_2` FOREIGN KEY (`tag_id`) REFERENCES `tag` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- DESTRUCTIVE drop-column post.created_at: drops column post.created_at and its data
-- WARNING not-null post.slug: adds NOT NULL column post.slug without a default: existing rows get the type's implicit value (0, '' or a zero date)
-- WARNING unique post.slug: adds unique index slug on post: the statement fails on duplicates
ALTER TABLE `post`
  DROP INDEX `ix_post_created_at`,
  DROP COLUMN `created_at`,
  ADD COLUMN `slug` varchar(200) NOT NULL AFTER `title`,
  ADD COLUMN `status` varchar(20) NOT NULL DEFAULT 'draft' AFTER `body`,
  ADD COLUMN `published_at` datetime NULL AFTER `status`,
  ADD UNIQUE INDEX `slug` (`slug`),
  ADD INDEX `ix_post_published_at` (`published_at`);

-- WARNING not-null user.email: adds NOT NULL column user.email without a default: existing rows get the type's implicit value (0, '' or a zero date)
-- WARNING unique user.email: adds unique index email on user: the statement fails on duplicates
-- WARNING table-copy user: expected ALGORITHM=COPY on mariadb 10.11.19-MariaDB-0+deb12u1 (a type change of user.name (varchar(50) to varchar(80))): the whole table is copied and writes wait until it ends
ALTER TABLE `user`
  MODIFY COLUMN `name` varchar(80) NOT NULL,
  MODIFY COLUMN `bio` text NULL COMMENT 'Shown on the profile page',
  ADD COLUMN `email` varchar(120) NOT NULL AFTER `name`,
  ADD COLUMN `is_admin` tinyint(1) NOT NULL DEFAULT 0 AFTER `bio`,
  ADD UNIQUE INDEX `email` (`email`),
  COMMENT='People who write posts and comments';

-- sqlgen:tracking begin
UPDATE `sqlgen_version` SET `state` = 'applied', `statements_applied` = `statements_total`,
  `applied_at` = NOW(6), `execution_ms` = TIMESTAMPDIFF(MICROSECOND, `started_at`, NOW(6)) DIV 1000,
  `progress_checksum` = NULL, `error` = NULL
WHERE `version` = 2;
-- sqlgen:tracking end
