-- sqlgen migration 0001 (up): create users and posts
--
-- Created:    2026-11-22 04:12:47 UTC
-- Models:     examples.blog.models_v1:Base
-- Dialect:    mariadb
-- Server:     10.11.19-MariaDB-0+deb12u1
-- Undo with:  0001_create_users_and_posts.down.sql
--
-- MySQL and MariaDB commit each DDL statement on its own: if a statement
-- fails, the statements before it stay applied.

SET NAMES utf8mb4;

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
