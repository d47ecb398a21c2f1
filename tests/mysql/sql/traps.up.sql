-- A file full of what trips up naive splitters. Each row is what the server received.
# a hash comment; with a semicolon
/* a block comment; with a semicolon */
CREATE TABLE trap (
  id int PRIMARY KEY, -- a trailing comment; with a semicolon
  s text NOT NULL     # a hash comment; with a semicolon
) DEFAULT CHARSET=utf8mb4;

INSERT INTO trap VALUES (1, 'semicolon ; inside');
INSERT INTO trap VALUES (2, 'doubled '' quote; still inside');
INSERT INTO trap VALUES (3, 'backslash \' quote; inside');
INSERT INTO trap VALUES (4, "double ""quoted""; text");
INSERT INTO trap VALUES (5, "double \" escaped; text");
INSERT INTO trap VALUES (6, '-- not a comment; really');
INSERT INTO trap VALUES (7, '/* not a comment; */');
INSERT INTO trap VALUES (8, '# not a comment either;');
INSERT INTO trap VALUES (9, 'multi
line; string
');
INSERT INTO trap VALUES (10, 'DELIMITER //');
INSERT INTO trap VALUES (11, CONCAT('a', /* an inline; comment */ 'b'));
INSERT INTO trap VALUES (12, 'tab\tnewline\nbackslash\\end');
INSERT INTO trap VALUES (13, 'unicode: café ☕ 日本');
INSERT INTO trap (`id`, `s`) VALUES (14, 'backtick `names`; fine');
INSERT INTO trap VALUES (15, CAST(1--1 AS CHAR));
INSERT INTO trap VALUES (16, 'trailing backslash \\');
/*!40101 INSERT INTO trap VALUES (17, 'versioned comment; executed') */;
/*M!100100 INSERT INTO trap VALUES (18, 'MariaDB-only versioned comment') */;
INSERT INTO trap VALUES (19, 'two'), (20, 'rows; one statement');
INSERT INTO trap VALUES (21, 'a string ending in a dash -'); -- then a comment
INSERT INTO trap VALUES (22, '''leading and trailing quotes''');
INSERT INTO trap VALUES (23, "it's");
INSERT INTO trap VALUES (24, 'percent % signs %s %d %%');
SELECT 'a statement with no effect; still fine';
INSERT INTO trap VALUES (25, 'the last statement has no semicolon')
