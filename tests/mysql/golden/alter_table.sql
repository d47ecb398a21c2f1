-- up
ALTER TABLE `order`
  DROP FOREIGN KEY `order_ibfk_1`;

ALTER TABLE `order`
  DROP INDEX `ix_note`,
  RENAME INDEX `old_name` TO `ix_total`,
  DROP PRIMARY KEY,
  DROP COLUMN `legacy`,
  MODIFY COLUMN `email` varchar(120) NOT NULL DEFAULT '' COMMENT 'login',
  ADD COLUMN `first` int NULL FIRST,
  ADD COLUMN `status` varchar(20) NOT NULL DEFAULT 'new' AFTER `total`,
  ADD PRIMARY KEY (`id`, `user_id`),
  ADD INDEX `ix_order_status` (`status`),
  DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin,
  COMMENT='new';

ALTER TABLE `order`
  ADD INDEX `fk_order_user` (`user_id`),
  ADD CONSTRAINT `fk_order_user` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- down
ALTER TABLE `order`
  DROP FOREIGN KEY `fk_order_user`,
  DROP INDEX `fk_order_user`;

ALTER TABLE `order`
  DROP INDEX `ix_order_status`,
  RENAME INDEX `ix_total` TO `old_name`,
  DROP PRIMARY KEY,
  DROP COLUMN `first`,
  DROP COLUMN `status`,
  MODIFY COLUMN `email` varchar(50) NULL,
  ADD COLUMN `legacy` tinyint(1) NOT NULL DEFAULT 1 AFTER `note`,
  ADD PRIMARY KEY (`id`),
  ADD INDEX `ix_note` (`note`(20)),
  DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci,
  COMMENT='';

ALTER TABLE `order`
  ADD CONSTRAINT `order_ibfk_1` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`) ON DELETE SET NULL;
