-- Triggers, procedures and functions between DELIMITER lines.
DELIMITER //
CREATE TRIGGER trap_before_insert BEFORE INSERT ON trap FOR EACH ROW
BEGIN
  -- a comment; inside the body
  IF NEW.id = 1000 THEN
    SET NEW.s = 'set by trigger; really';
  END IF;
END//

CREATE PROCEDURE add_trap(IN new_id int, IN new_s text)
BEGIN
  INSERT INTO trap VALUES (new_id, new_s); /* a body comment; */
END//
DELIMITER $$
CREATE FUNCTION trap_count() RETURNS int READS SQL DATA
BEGIN
  RETURN (SELECT COUNT(*) FROM trap);
END $$
DELIMITER ;
INSERT INTO trap VALUES (1000, 'replaced');
CALL add_trap(1001, 'via procedure; ok');
INSERT INTO trap VALUES (1002, CAST(trap_count() AS CHAR));
