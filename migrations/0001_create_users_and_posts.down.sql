-- sqlgen migration 0001 (down): undo create users and posts
--
-- Created:    2026-12-01 22:09:39 UTC
-- Models:     examples.blog.models_v1:Base
-- Dialect:    mariadb
-- Server:     10.11.19-MariaDB-0+deb12u1
-- Undoes:     0001_create_users_and_posts.up.sql
-- Verified:   no (sqlgen generate --verify proves the pair on a scratch database)
--
-- Review notes (sqlgen lint; a line `-- sqlgen: allow CODE TARGET` accepts one):
--   DESTRUCTIVE drop-table post: drops table post and every row in it
--   DESTRUCTIVE drop-table user: drops table user and every row in it
--
-- MySQL and MariaDB commit each DDL statement on its own: if a statement
-- fails, the statements before it stay applied.

SET NAMES utf8mb4;

-- sqlgen:tracking begin (marks version 1 as being undone in `sqlgen_version` when the file is
-- run by hand; sqlgen downgrade skips these lines and records it the same way. A
-- "Subquery returns more than 1 row" error here means version 1 is not applied:
-- nothing was changed.)
SET @sqlgen_guard = (SELECT 1 UNION ALL SELECT 1 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `sqlgen_version`
  WHERE `version` = 1 AND `state` IN ('applied', 'reverting', 'revert_failed')));
UPDATE `sqlgen_version` SET `state` = 'reverting', `statements_applied` = 0, `statements_total` = 3,
  `down_checksum` = 'eba428baca09707b5babc01efe7e2cfad1057ae815b99aba9bcee1407424beae', `started_at` = NOW(6), `applied_at` = NULL,
  `execution_ms` = NULL, `progress_checksum` = NULL, `error` = NULL
WHERE `version` = 1;
-- sqlgen:tracking end

-- DESTRUCTIVE drop-table post: drops table post and every row in it
DROP TABLE `post`;

-- DESTRUCTIVE drop-table user: drops table user and every row in it
DROP TABLE `user`;

-- sqlgen:tracking begin
DELETE FROM `sqlgen_version` WHERE `version` = 1;
-- sqlgen:tracking end
