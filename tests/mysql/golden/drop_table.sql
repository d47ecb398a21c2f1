-- up
DROP TABLE `order`;

-- down
CREATE TABLE `order` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `key` varchar(40) COLLATE utf8mb4_bin NOT NULL COMMENT 'it''s the \\key',
  `group` enum('a','b''c') NULL DEFAULT 'a',
  `total` decimal(10,2) NOT NULL DEFAULT 0,
  `created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  `user_id` int NULL,
  `note` text NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY (`key`),
  KEY `ix_order_group_total` (`group`, `total` DESC),
  KEY `ix_note` (`note`(20)),
  FULLTEXT KEY `ft_note` (`note`),
  CONSTRAINT `order_ibfk_1` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Orders ''placed''';
