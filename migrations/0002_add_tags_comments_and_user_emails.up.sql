-- sqlgen migration 0002 (up): add tags, comments and user emails
--
-- Created:    2026-11-22 04:12:47 UTC
-- Models:     examples.blog.models:Base
-- Dialect:    mariadb
-- Server:     10.11.19-MariaDB-0+deb12u1
-- Undo with:  0002_add_tags_comments_and_user_emails.down.sql
--
-- MySQL and MariaDB commit each DDL statement on its own: if a statement
-- fails, the statements before it stay applied.

SET NAMES utf8mb4;

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

-- DESTRUCTIVE: drops column post.created_at and its data
-- WARNING: post.slug is NOT NULL without a default: existing rows get the type's implicit default (0, '' or a zero date)
-- WARNING: unique index slug on post: the statement fails if existing rows hold duplicates
ALTER TABLE `post`
  DROP INDEX `ix_post_created_at`,
  DROP COLUMN `created_at`,
  ADD COLUMN `slug` varchar(200) NOT NULL AFTER `title`,
  ADD COLUMN `status` varchar(20) NOT NULL DEFAULT 'draft' AFTER `body`,
  ADD COLUMN `published_at` datetime NULL AFTER `status`,
  ADD UNIQUE INDEX `slug` (`slug`),
  ADD INDEX `ix_post_published_at` (`published_at`);

-- WARNING: user.email is NOT NULL without a default: existing rows get the type's implicit default (0, '' or a zero date)
-- WARNING: unique index email on user: the statement fails if existing rows hold duplicates
ALTER TABLE `user`
  MODIFY COLUMN `name` varchar(80) NOT NULL,
  MODIFY COLUMN `bio` text NULL COMMENT 'Shown on the profile page',
  ADD COLUMN `email` varchar(120) NOT NULL AFTER `name`,
  ADD COLUMN `is_admin` tinyint(1) NOT NULL DEFAULT 0 AFTER `bio`,
  ADD UNIQUE INDEX `email` (`email`),
  COMMENT='People who write posts and comments';
