-- sqlgen migration 0002 (down): undo add tags, comments and user emails
--
-- Created:    2026-12-01 22:09:39 UTC
-- Models:     examples.blog.models:Base
-- Dialect:    mariadb
-- Server:     10.11.19-MariaDB-0+deb12u1
-- Undoes:     0002_add_tags_comments_and_user_emails.up.sql
-- Verified:   no (sqlgen generate --verify proves the pair on a scratch database)
--
-- Review notes (sqlgen lint; a line `-- sqlgen: allow CODE TARGET` accepts one):
--   DESTRUCTIVE drop-column user.email: drops column user.email and its data
--   DESTRUCTIVE drop-column user.is_admin: drops column user.is_admin and its data
--   DESTRUCTIVE drop-column post.slug: drops column post.slug and its data
--   DESTRUCTIVE drop-column post.status: drops column post.status and its data
--   DESTRUCTIVE drop-column post.published_at: drops column post.published_at and its data
--   DESTRUCTIVE drop-table post_tag: drops table post_tag and every row in it
--   DESTRUCTIVE drop-table tag: drops table tag and every row in it
--   DESTRUCTIVE drop-table comment: drops table comment and every row in it
--   WARNING narrow-type user.name: narrows user.name from varchar(80) to varchar(50): values that do not fit fail (strict mode) or are cut
--   WARNING table-copy user: expected ALGORITHM=COPY on mariadb 10.11.19-MariaDB-0+deb12u1 (a type change of user.name (varchar(80) to varchar(50))): the whole table is copied and writes wait until it ends
--
-- MySQL and MariaDB commit each DDL statement on its own: if a statement
-- fails, the statements before it stay applied.

SET NAMES utf8mb4;

-- precondition user.name, read-only (reads every row of user): it fails with "Subquery returns more
-- than 1 row" when rows of user have name longer than 50 characters, before anything has changed;
-- its inner SELECT lists those rows
SELECT 'rows of user have name longer than 50 characters' AS `sqlgen_precondition` FROM DUAL
 WHERE (SELECT 1 UNION ALL SELECT 1 FROM DUAL WHERE EXISTS (
  SELECT `id` AS `id`, `name` FROM `user` WHERE CHAR_LENGTH(`name`) > 50
)) IS NULL;

-- sqlgen:tracking begin (marks version 2 as being undone in `sqlgen_version` when the file is
-- run by hand; sqlgen downgrade skips these lines and records it the same way. A
-- "Subquery returns more than 1 row" error here means version 2 is not applied:
-- nothing was changed.)
SET @sqlgen_guard = (SELECT 1 UNION ALL SELECT 1 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `sqlgen_version`
  WHERE `version` = 2 AND `state` IN ('applied', 'reverting', 'revert_failed')));
UPDATE `sqlgen_version` SET `state` = 'reverting', `statements_applied` = 0, `statements_total` = 7,
  `down_checksum` = '3eb5d6d285b2ea8d23050798d15a3640ce789455f3e1bf96b8c716139012f4ec', `started_at` = NOW(6), `applied_at` = NULL,
  `execution_ms` = NULL, `progress_checksum` = NULL, `error` = NULL
WHERE `version` = 2;
-- sqlgen:tracking end

-- DESTRUCTIVE drop-column user.email: drops column user.email and its data
-- DESTRUCTIVE drop-column user.is_admin: drops column user.is_admin and its data
-- WARNING narrow-type user.name: narrows user.name from varchar(80) to varchar(50): values that do not fit fail (strict mode) or are cut
-- WARNING table-copy user: expected ALGORITHM=COPY on mariadb 10.11.19-MariaDB-0+deb12u1 (a type change of user.name (varchar(80) to varchar(50))): the whole table is copied and writes wait until it ends
ALTER TABLE `user`
  DROP INDEX `email`,
  DROP COLUMN `email`,
  DROP COLUMN `is_admin`,
  MODIFY COLUMN `name` varchar(50) NOT NULL,
  MODIFY COLUMN `bio` text NULL,
  COMMENT='';

-- DESTRUCTIVE drop-column post.slug: drops column post.slug and its data
-- DESTRUCTIVE drop-column post.status: drops column post.status and its data
-- DESTRUCTIVE drop-column post.published_at: drops column post.published_at and its data
ALTER TABLE `post`
  DROP INDEX `slug`,
  DROP INDEX `ix_post_published_at`,
  DROP COLUMN `slug`,
  DROP COLUMN `status`,
  DROP COLUMN `published_at`,
  ADD COLUMN `created_at` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP AFTER `body`,
  ADD INDEX `ix_post_created_at` (`created_at`);

-- DESTRUCTIVE drop-table post_tag: drops table post_tag and every row in it
DROP TABLE `post_tag`;

-- DESTRUCTIVE drop-table tag: drops table tag and every row in it
DROP TABLE `tag`;

-- DESTRUCTIVE drop-table comment: drops table comment and every row in it
DROP TABLE `comment`;

-- sqlgen:tracking begin
DELETE FROM `sqlgen_version` WHERE `version` = 2;
-- sqlgen:tracking end
