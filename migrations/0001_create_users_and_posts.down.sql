-- sqlgen migration 0001 (down): undo create users and posts
--
-- Created:    2026-11-22 04:12:47 UTC
-- Models:     examples.blog.models_v1:Base
-- Dialect:    mariadb
-- Server:     10.11.19-MariaDB-0+deb12u1
-- Undoes:     0001_create_users_and_posts.up.sql
--
-- MySQL and MariaDB commit each DDL statement on its own: if a statement
-- fails, the statements before it stay applied.

SET NAMES utf8mb4;

-- DESTRUCTIVE: drops table post and every row in it
DROP TABLE `post`;

-- DESTRUCTIVE: drops table user and every row in it
DROP TABLE `user`;
