DROP FUNCTION trap_count;
DROP PROCEDURE add_trap;
DROP TRIGGER trap_before_insert;
DELETE FROM trap WHERE id >= 1000;
