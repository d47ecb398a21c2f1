"""The lint analysis without a server: acknowledgements, ordering, offline judgements."""

from __future__ import annotations

from sqlgen import dialects
from sqlgen.lint import Finding, acknowledge, acknowledgements, lint_statements, review_lines
from sqlgen.migrations import facts_of_lines
from sqlgen.splitter import Statement, lines_of


def allowed(text: str, dialect: str = "mysql"):
    return acknowledgements(facts_of_lines(lines_of(text), "t.sql", dialects.get(dialect).reading).directives)


def test_acknowledgements_are_comment_lines_only():
    text = ("-- Review notes (sqlgen lint; a line `-- sqlgen: allow CODE TARGET` accepts one):\n"
            "--   DESTRUCTIVE drop-column a.b: drops column a.b and its data\n"
            "  --  SQLGEN: Allow drop-column a.b\n"
            "-- sqlgen: allow drop-table\n"
            "SELECT 1; -- sqlgen: allow truncate t\n")
    assert allowed(text) == {("drop-column", "a.b"), ("drop-table", None)}


def test_acknowledgements_inside_string_literals_or_block_comments_count_for_nothing():
    for quote in ("'", '"', "`"):
        text = f"INSERT INTO t VALUES ({quote}\n-- sqlgen: allow drop-table t\n{quote});\nDROP TABLE t;\n"
        assert allowed(text) == set(), quote
    assert allowed("/*\n-- sqlgen: allow drop-table t\n*/\nDROP TABLE t;\n") == set()
    assert allowed("SELECT '\n-- sqlgen: allow drop-table t\n';\n", "sqlite") == set()
    assert allowed("SELECT 1;\n-- sqlgen: allow drop-table t\n", "sqlite") == {("drop-table", "t")}


def test_acknowledge_by_target_or_by_code():
    findings = [Finding("drop-column", "a.b", "m"), Finding("drop-column", "a.c", "m"),
                Finding("drop-table", "t", "m")]
    marked = acknowledge(findings, {("drop-column", "a.b"), ("drop-table", None)})
    assert [f.acknowledged for f in marked] == [True, False, True]
    assert [f.blocking for f in marked] == [False, True, False]


def test_review_lines_put_destructive_findings_first():
    findings = [Finding("unique", "t.u", "adds it"), Finding("drop-table", "t", "drops it", acknowledged=True)]
    assert review_lines(findings) == ["DESTRUCTIVE drop-table t: drops it (allowed)", "WARNING unique t.u: adds it"]


def test_offline_mysql_analysis():
    statements = [Statement(text, line) for line, text in enumerate([
        "ALTER TABLE `a` DROP COLUMN `b`, MODIFY `c` int NOT NULL",
        "DROP TABLE IF EXISTS `x`, `y`",
        "UPDATE a SET c = 1",
        "INSERT INTO a (c) VALUES (1)",
    ], 1)]
    found = [(f.code, f.target, f.line) for f in lint_statements(statements, dialects.get("mysql").lint)]
    assert found == [("drop-column", "a.b", 1), ("change-type", "a.c", 1), ("drop-table", "x", 2),
                     ("drop-table", "y", 2), ("delete-all", "a", 3)]


def test_sqlite_rebuild_is_not_a_dropped_table():
    statements = [Statement(text, line) for line, text in enumerate([
        'CREATE TABLE "_sqlgen_new_t" ("id" INTEGER NOT NULL, PRIMARY KEY ("id"))',
        'INSERT INTO "_sqlgen_new_t" ("id") SELECT "id" FROM "t"',
        'DROP TABLE "t"',
        'ALTER TABLE "_sqlgen_new_t" RENAME TO "t"',
    ], 1)]
    found = [(f.code, f.target) for f in lint_statements(statements, dialects.get("sqlite").lint)]
    assert found == [("table-rebuild", "t")]
