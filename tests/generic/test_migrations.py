"""Migration file names, numbering and the writer's comment safety."""

from __future__ import annotations

import pytest

from sqlgen.errors import SqlgenError
from sqlgen.migrations import next_version, scan, slugify, write_pair
from sqlgen.writer import MigrationText, comment_lines


@pytest.mark.parametrize(
    "message, slug",
    [
        ("add email to user", "add_email_to_user"),
        ("Add Email To User!", "add_email_to_user"),
        ("  café déjà vu  ", "cafe_deja_vu"),
        ("--- ; DROP TABLE x; */", "drop_table_x"),
        ("日本語", "migration"),
        ("", "migration"),
        ("x" * 60, "x" * 48),
        ("a" * 47 + " b", "a" * 47),
        ("v2.0: rename", "v2_0_rename"),
    ],
)
def test_slug(message, slug):
    assert slugify(message) == slug


def pair(directory, name, up=True, down=True):
    if up:
        (directory / f"{name}.up.sql").write_text("SELECT 1;\n")
    if down:
        (directory / f"{name}.down.sql").write_text("SELECT 1;\n")


def test_scan_orders_by_version_and_numbers_the_next(tmp_path):
    pair(tmp_path, "0002_b")
    pair(tmp_path, "0003_c")
    pair(tmp_path, "0001_a")
    (tmp_path / "README.md").write_text("not a migration")
    migrations = scan(tmp_path)
    assert [m.name for m in migrations] == ["0001_a", "0002_b", "0003_c"]
    assert next_version(migrations) == 4
    assert next_version(scan(tmp_path / "missing")) == 1


@pytest.mark.parametrize(
    "files, message",
    [
        (["0001_a.up.sql", "0001_a.down.sql", "0001_b.up.sql", "0001_b.down.sql"], "version 1 is used twice"),
        (["0001_a.up.sql"], "0001_a.up.sql: has no matching .down.sql"),
        (["0001_a.up.sql", "0001_a.down.sql", "0005_e.up.sql", "0005_e.down.sql"],
         "0005_e.up.sql: version 5 follows 1; versions 2-4 are missing"),
        (["0001_a.down.sql"], "0001_a.down.sql: has no matching .up.sql"),
        (["1_a.up.sql"], "1_a.up.sql: cannot read the version"),
        (["0000_zero.up.sql", "0000_zero.down.sql"], "versions start at 1"),
        (["0001_Add-Email.up.sql"], "cannot read the version"),
        # Digits of other scripts, which int() would read as 1: a version is ASCII digits.
        (["\u0660\u0660\u0660\u0661_a.up.sql", "\u0660\u0660\u0660\u0661_a.down.sql"], "cannot read the version"),
        (["\uff10\uff10\uff10\uff11_a.up.sql", "\uff10\uff10\uff10\uff11_a.down.sql"], "cannot read the version"),
        (["000\u00b9_a.up.sql", "000\u00b9_a.down.sql"], "cannot read the version"),
    ],
)
def test_broken_directory_names_the_file(tmp_path, files, message):
    for name in files:
        (tmp_path / name).write_text("SELECT 1;\n")
    with pytest.raises(SqlgenError, match=message):
        scan(tmp_path)


def test_write_pair_never_overwrites(tmp_path):
    write_pair(tmp_path, "0001_a", "up\n", "down\n")
    with pytest.raises(SqlgenError, match="already exists"):
        write_pair(tmp_path, "0001_a", "other\n", "other\n")
    assert (tmp_path / "0001_a.up.sql").read_text() == "up\n"


def test_comment_lines_cannot_break_out():
    lines = comment_lines("one\rtwo\r\nthree\u2028four\x00five\x0bsix\n\n")
    # Every line break starts a new comment line; any other control character shows escaped.
    assert lines == ["one", "two", "three", "four\\0five", "six"]


def test_every_header_line_is_a_comment():
    text = MigrationText(version=3, message="first */ line\nsecond -- line\r\n/* third", created="now",
                         models="m:Base", dialect="mariadb", server="10.11", up_file="u", down_file="d",
                         notice_lines=("MySQL and MariaDB commit each DDL statement on its own: if a statement",
                                       "fails, the statements before it stay applied."),
                         up_blocks=["SELECT 1;"], down_blocks=["SELECT 2;"])
    up, down = text.render(None)
    for content in (up, down):
        header = content.split("\n\n", 1)[0]
        assert all(line.startswith("--") for line in header.splitlines())
    assert up.startswith("-- sqlgen migration 0003 (up): first */ line\n--   second -- line\n--   /* third\n")
    assert up.rstrip().endswith("SELECT 1;") and down.rstrip().endswith("SELECT 2;")


def test_templates_can_be_overridden_per_file(tmp_path):
    (tmp_path / "up.sql.j2").write_text("-- custom {{ version }}\n{% for block in blocks %}{{ block }}\n{% endfor %}")
    text = MigrationText(version=1, message="m", created="now", models="m", dialect="d", server="s",
                         up_blocks=["SELECT 1;"], down_blocks=["SELECT 2;"])
    up, down = text.render(tmp_path)
    assert up == "-- custom 0001\nSELECT 1;\n"
    assert down.startswith("-- sqlgen migration 0001 (down)"), "down falls back to the built-in template"


def test_broken_template_is_one_clear_error(tmp_path):
    (tmp_path / "up.sql.j2").write_text("{{ no_such_variable }}")
    text = MigrationText(version=1, message="m", created="now", models="m", dialect="d", server="s")
    with pytest.raises(SqlgenError, match="template .*up.sql.j2.*no_such_variable"):
        text.render(tmp_path)


def test_rehash_keeps_unusual_line_breaks_inside_strings(tmp_path):
    from sqlgen.migrations import with_tracking
    from sqlgen.mysql.dialect import READING as MYSQL_CLIENT

    text = "-- data\nINSERT INTO t VALUES ('a\x0cb\rc\u2028d');\n"
    opening = "-- sqlgen:tracking begin\nSELECT 1;\n-- sqlgen:tracking end"
    closing = "-- sqlgen:tracking begin\nSELECT 2;\n-- sqlgen:tracking end"
    fresh = with_tracking(text, opening, closing, MYSQL_CLIENT)
    assert "'a\x0cb\rc\u2028d'" in fresh
    assert with_tracking(fresh, opening, closing, MYSQL_CLIENT) == fresh


def test_checks_lead_the_opening_tracking_block_and_a_template_without_them_still_places_them(tmp_path):
    from sqlgen.writer import builtin_templates

    opening = "-- sqlgen:tracking begin\nINSERT INTO v VALUES (1);\n-- sqlgen:tracking end"
    closing = "-- sqlgen:tracking begin\nUPDATE v SET s = 1;\n-- sqlgen:tracking end"
    text = MigrationText(version=1, message="m", created="now", models="m", dialect="d", server="s",
                         up_leading=["SET NAMES utf8mb4;", "SELECT 'check' AS c;"], up_blocks=["ALTER TABLE t;"],
                         up_tracking=(opening, closing), down_blocks=["SELECT 2;"])
    up, _ = text.render(None)
    assert up.index("SET NAMES") < up.index("SELECT 'check'") < up.index(opening) < up.index("ALTER TABLE t;")
    # A template of an earlier sqlgen, which knows no leading_blocks: they come just before its opening block.
    old = (builtin_templates() / "up.sql.j2").read_text()
    old = old.replace("{% for block in leading_blocks %}\n\n{{ block }}\n{% endfor %}\n", "")
    assert "leading_blocks" not in old
    (tmp_path / "up.sql.j2").write_text(old)
    assert text.render(tmp_path)[0] == up
