"""Hostile text in the models, the options and the database never changes what a file does.

Every case runs its files both ways: with sqlgen's runner on one database and with
the real `mariadb` client (or `sqlite3 -bail`) on an identical twin. Each ends by
checking that a sentinel table in the same database survives with its rows (and
a victim database the payload names, where it names one), that the schema equals
what the models declare, and that the down file brings back the start.

Payloads hold every kind of line break, quotes, backticks, `;`, `--`, `/*`,
`DELIMITER` and client commands. Text that cannot be said safely is refused in
one line before anything is written: a name with a line break, tab, control or
text-reordering character or not in NFC, and a value holding a character no
reviewer can see (anything unsafe but a line feed and a tab, which a MySQL
literal writes as escapes, as it does a carriage return).
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import unicodedata
import uuid

import pytest

from sqlgen import commands
from sqlgen.errors import SqlgenError
from sqlgen.safety import has_unsafe_characters, printable
from support import Output, assert_same_schema, execute, hand_written, make_config, snapshot, sqlite_url

BREAKS = {"lf": "\n", "cr": "\r", "crlf": "\r\n", "vt": "\v", "ff": "\f", "nel": "\x85", "ls": "\u2028",
          "ps": "\u2029"}
SENTINEL_ROWS = [(1, "keep"), (2, "me")]
_MODULES = itertools.count(1)


def q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def sql_literal(text: str) -> str:
    """A MySQL string literal of `text` that reads the same with or without backslash escapes
    (no backslash in it)."""
    assert "\\" not in text
    return "'" + text.replace("'", "''") + "'"


def name_payloads(attack: str) -> dict[str, str]:
    """Names of at most 64 characters, each trying to leave a comment or a quote."""
    found = {f"break-{label}": f"x{br}{attack}{br}--x" for label, br in BREAKS.items()}
    found.update({
        "quote": f"x';{attack}-- x",
        "double-quote": f'x";{attack}-- x',
        "backtick": f"x`;{attack}-- x",
        "block-comment": f"x*/{attack}/*",
        "delimiter": f"x\nDELIMITER ;;\n{attack};\nx",
        "client-command": "x\nsystem touch hostile_marker\n\\! touch hostile_marker\nx",
    })
    return found


def value_payloads(attack: str) -> dict[str, str]:
    found = {f"break-{label}": f"x{br}{attack}{br}-- x{br}/*{br}" for label, br in BREAKS.items()}
    found.update({
        "quotes": f"x'; {attack} -- \" ` '' \\' */",
        "delimiter": f"x\nDELIMITER $$\n{attack}$$\nDELIMITER ;\n",
        "client-commands": "x\nquit\nsystem touch hostile_marker\n\\! touch hostile_marker\n\\q\nsource /etc/passwd\n",
        "comment-starts": f"x -- {attack}\n# {attack}\n/* {attack} */",
    })
    return found


def models_module(tmp_path, source: str) -> str:
    module = f"hostile_models_{next(_MODULES)}_{uuid.uuid4().hex[:6]}"
    (tmp_path / f"{module}.py").write_text(source, encoding="utf-8")
    return f"{module}:metadata"


SENTINEL_MODEL = ('sa.Table("sentinel", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False), '
                  'sa.Column("v", sa.String(20)))\n')


# --- MySQL / MariaDB ------------------------------------------------------------------


class Twins:
    """Two identical scratch databases (one for the runner, one for the client), and a
    victim database holding a sentinel of its own."""

    def __init__(self, scratch, run_client, tmp_path):
        self.scratch, self.run_client, self.tmp_path = scratch, run_client, tmp_path
        self.runner_db, self.client_db, self.victim = scratch.new(), scratch.new(), scratch.new()
        for url in (self.runner_db, self.client_db, self.victim):
            execute(url, "CREATE TABLE sentinel (id int PRIMARY KEY, v varchar(20))",
                    "INSERT INTO sentinel VALUES (1, 'keep'), (2, 'me')")

    @property
    def victim_name(self) -> str:
        return self.victim.database

    def setup(self, *statements: str) -> None:
        for url in (self.runner_db, self.client_db):
            execute(url, *statements)

    def config(self, models: str):
        return make_config(self.runner_db, models, self.tmp_path / "migrations", root=self.tmp_path)

    def assert_intact(self) -> None:
        for url in (self.runner_db, self.client_db, self.victim):
            assert execute(url, "SELECT id, v FROM sentinel ORDER BY id")[0] == SENTINEL_ROWS, url.database
        assert not (self.tmp_path / "hostile_marker").exists()

    def up_both_ways(self, config, up) -> None:
        commands.upgrade(config, echo=Output())
        self.run_client(self.client_db, up)
        self.assert_intact()
        for url in (self.runner_db, self.client_db):
            twin = make_config(url, config.models, config.directory, root=self.tmp_path)
            out = Output()
            assert commands.check(twin, echo=out) == 0, f"{url.database} differs from the models: {out.text}"
        rows = [execute(url, "SELECT version, name, checksum, state, statements_applied, statements_total "
                             "FROM sqlgen_version")[0] for url in (self.runner_db, self.client_db)]
        assert rows[0] == rows[1], "the runner and the client recorded different rows"

    def down_both_ways(self, config, down, before) -> None:
        commands.downgrade(config, "base", echo=Output())
        self.run_client(self.client_db, down)
        self.assert_intact()
        for url in (self.runner_db, self.client_db):
            assert_same_schema(snapshot(url), before)


@pytest.fixture
def twins(scratch, run_client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a client command that got out would touch hostile_marker here
    return Twins(scratch, run_client, tmp_path)


def generated(config):
    out = Output()
    result = commands.generate(config, "hostile", echo=out)
    assert len(result.paths) == 2, out.text
    return result


def assert_every_line_is_what_it_looks_like(text: str, payload: str) -> None:
    """No raw break of the payload's is left outside what the splitter reads as a quoted token:
    the strongest proof is running the file; this shows the reviewer sees it escaped."""
    assert printable(payload) in text or payload.replace("`", "``") in text


def readable_name(name: str) -> bool:
    return not has_unsafe_characters(name) and unicodedata.is_normalized("NFC", name)


def readable_value(value: str, escaped: str) -> bool:
    """Whether a file can show `value` in a string literal; `escaped`: what the dialect writes as escapes."""
    return not has_unsafe_characters("".join(char for char in value if char not in "\n\t" + escaped))


# A name a reviewer could not read is refused: test_unreadable_names_in_the_database_are_refused.
WRITABLE_NAMES = {label: name for label, name in name_payloads("DROP TABLE sentinel;").items() if readable_name(name)}
UNREADABLE_NAMES = {label: name for label, name in name_payloads("DROP TABLE sentinel;").items()
                    if not readable_name(name) and "\r\n" not in name}
UNREADABLE_NAMES.update({"tab": "x\ty", "control": "x\x01y", "bidi": "x\u202e;DROP TABLE sentinel;",
                         "zero-width-mark": "x\u200fy", "not-nfc": "cafe\u0301"})


@pytest.mark.mysql
@pytest.mark.parametrize("label, payload", list(WRITABLE_NAMES.items()))
def test_names_in_the_database_are_dropped_and_restored_as_written(twins, label, payload):
    """A database another tool built holds a table, a column, an index and a CHECK whose names try
    to leave their comment (the review notes name them when they are dropped)."""
    twins.setup(
        f"CREATE TABLE legacy (id int PRIMARY KEY, {q(payload)} int, KEY {q(payload)} ({q(payload)}), "
        f"CONSTRAINT {q(payload)} CHECK ({q(payload)} > 0))",
        f"CREATE TABLE {q(payload)} (id int)",
    )
    before = snapshot(twins.runner_db)
    models = models_module(twins.tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n" + SENTINEL_MODEL +
                           'sa.Table("legacy", metadata, sa.Column("id", sa.Integer, primary_key=True, '
                           'autoincrement=False))\n')
    config = twins.config(models)
    result = generated(config)
    assert any(printable(payload) in line for line in result.summary), result.summary
    assert f"DESTRUCTIVE drop-table {printable(payload)}" in result.up_text
    up, down = result.paths
    twins.up_both_ways(config, up)
    twins.down_both_ways(config, down, before)


@pytest.mark.mysql
@pytest.mark.parametrize("label, payload", [(label, payload) for label, payload in value_payloads("@@").items()
                                            if readable_value(payload, "\r")])
def test_values_in_the_models_and_the_database_run_as_written(twins, label, payload):
    """Comments, defaults, ENUM values, CHECK conditions and generated expressions holding
    hostile text: summaries and review notes quote them, the files store them exactly."""
    payload = payload.replace("@@", f"DROP TABLE sentinel; DROP DATABASE {q(twins.victim_name)};")
    # Written raw into CHECK and AS (...), where a carriage return is not escaped (refused below).
    literal = sql_literal(payload.replace("\\", "/").replace("\r", ""))
    twins.setup(
        f"CREATE TABLE item (id int PRIMARY KEY, kind enum('a', 'b', {sql_literal(payload.replace(chr(92), '/'))}), "
        "note varchar(250) DEFAULT 'old' COMMENT 'old') COMMENT 'old'",
        "INSERT INTO item (id, kind, note) VALUES (1, 'a', 'n')",
    )
    before = snapshot(twins.runner_db)
    models = models_module(twins.tmp_path, f"""import sqlalchemy as sa
P = {payload!r}
metadata = sa.MetaData()
{SENTINEL_MODEL}
sa.Table("item", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.Enum("a", "b", name="kind")),
    sa.Column("note", sa.String(250), server_default=P, comment=P),
    sa.Column("total", sa.Integer, sa.Computed({f"char_length(note) + (note = {literal})"!r})),
    sa.CheckConstraint({f"note <> {literal}"!r}, name="ck_note"),
    comment=P,
)
""")
    config = twins.config(models)
    result = generated(config)
    for text in (result.up_text, result.down_text):
        for line in text.splitlines():
            if line.startswith("--"):  # a comment line stays one: no break of the payload inside it
                assert not any(br in line for br in BREAKS.values()), line
    up, down = result.paths
    twins.up_both_ways(config, up)
    stored = execute(twins.client_db, "SELECT COLUMN_COMMENT, COLUMN_DEFAULT FROM information_schema.COLUMNS "
                                      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'item' AND "
                                      "COLUMN_NAME = 'note'")[0]
    assert stored == execute(twins.runner_db, "SELECT COLUMN_COMMENT, COLUMN_DEFAULT FROM information_schema.COLUMNS "
                                              "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'item' AND "
                                              "COLUMN_NAME = 'note'")[0]
    twins.down_both_ways(config, down, before)


@pytest.mark.mysql
@pytest.mark.parametrize("label, br", list(BREAKS.items()))
def test_the_message_and_the_models_path_stay_in_the_header(twins, label, br):
    models = models_module(twins.tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n" + SENTINEL_MODEL +
                           'sa.Table("added", metadata, sa.Column("id", sa.Integer, primary_key=True))\n')
    # A models setting may carry trailing whitespace of any kind: it is stripped to import, and shown escaped.
    config = twins.config(models + br)
    message = f"add{br}DROP TABLE sentinel;{br}*/ DROP TABLE sentinel; /*{br}-- sqlgen:tracking begin"
    result = commands.generate(config, message, echo=Output())
    header = result.up_text.split("\n\n", 1)[0]
    assert all(line.startswith("--") for line in header.split("\n")), header
    up, down = result.paths
    twins.up_both_ways(config, up)


@pytest.mark.mysql
def test_a_name_no_file_can_hold_is_refused(twins):
    """A carriage return before a line feed inside a name: both clients drop the CR when they
    read a file, so no file can name it. sqlgen says so instead of writing a file that fails."""
    name = "x\r\nDROP TABLE sentinel;\r\n--x"
    twins.setup(f"CREATE TABLE {q(name)} (id int)")
    models = models_module(twins.tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n" + SENTINEL_MODEL)
    with pytest.raises(SqlgenError, match="carriage return before a line feed") as caught:
        commands.generate(twins.config(models), "drop it", echo=Output())
    assert "\n" not in str(caught.value) and "\r" not in str(caught.value)
    assert not (twins.tmp_path / "migrations").exists()
    twins.assert_intact()


UNREADABLE_PLACES = {
    "table": ("CREATE TABLE {name} (id int)",),
    "column": ("CREATE TABLE legacy (id int PRIMARY KEY, c int, {name} int)",),
    "index": ("CREATE TABLE legacy (id int PRIMARY KEY, c int, KEY {name} (c))",),
    "check": ("CREATE TABLE legacy (id int PRIMARY KEY, c int, CONSTRAINT {name} CHECK (c > 0))",),
    "foreign key": ("CREATE TABLE parent (id int PRIMARY KEY)",
                    "CREATE TABLE legacy (id int PRIMARY KEY, c int, KEY (c), "
                    "CONSTRAINT {name} FOREIGN KEY (c) REFERENCES parent (id))"),
}
LEGACY_MODEL = ('sa.Table("parent", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False))\n'
                'sa.Table("legacy", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False), '
                'sa.Column("c", sa.Integer, index=True))\n')


@pytest.mark.mysql
@pytest.mark.parametrize("place", list(UNREADABLE_PLACES))
@pytest.mark.parametrize("label, name", list(UNREADABLE_NAMES.items()))
def test_unreadable_names_in_the_database_are_refused(twins, place, label, name):
    """A database another tool built holds a name with a line break, a tab, a control or
    reordering character, or a decomposed (not NFC) one. No file can show it so a reviewer
    reads it for what it is, so sqlgen names it, escaped, and writes nothing."""
    statements = [sql.format(name=q(name)) for sql in UNREADABLE_PLACES[place]]
    if place != "foreign key":
        statements.insert(0, "CREATE TABLE parent (id int PRIMARY KEY)")
    twins.setup(*statements)
    models = models_module(twins.tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n" + SENTINEL_MODEL +
                           LEGACY_MODEL)
    with pytest.raises(SqlgenError, match="no reviewer could read|not in Unicode normal form") as caught:
        commands.generate(twins.config(models), "drop it", echo=Output())
    message = str(caught.value)
    assert printable(name) in message and "rename it" in message, message
    assert not has_unsafe_characters(message), message
    assert not (twins.tmp_path / "migrations").exists() or not list((twins.tmp_path / "migrations").iterdir())
    twins.assert_intact()


UNREADABLE_VALUES = {"vt": "x\vy", "ff": "x\fy", "nel": "x\x85y", "ls": "x\u2028-- y", "ps": "x\u2029y",
                     "escape": "x\x1b[2Jy", "bell": "x\x07y", "bidi": "x\u202e', DROP TABLE sentinel; --",
                     "bom": "x\ufeffy", "c1": "x\x9by"}
VALUE_PLACES = {
    "default": "sa.Column('v', sa.String(40), server_default=P)",
    "comment": "sa.Column('v', sa.String(40), comment=P)",
    "enum": "sa.Column('v', sa.Enum('a', P, name='v'))",
    "check": "sa.Column('v', sa.String(40)), sa.CheckConstraint('v <> ' + literal(P), name='ck_v')",
    "table-comment": "sa.Column('v', sa.String(40)), comment=P",
}


@pytest.mark.mysql
@pytest.mark.parametrize("place", list(VALUE_PLACES))
@pytest.mark.parametrize("label, value", list(UNREADABLE_VALUES.items()))
def test_unreadable_values_in_the_models_are_refused(twins, place, label, value):
    """A default, comment, ENUM value or CHECK literal holding a character no reviewer can see
    (a vertical tab, a line separator, a terminal escape, a bidirectional override)."""
    models = models_module(twins.tmp_path, f"""import sqlalchemy as sa
P = {value!r}
def literal(text):
    return "'" + text.replace("'", "''") + "'"
metadata = sa.MetaData()
{SENTINEL_MODEL}
sa.Table("item", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False), {VALUE_PLACES[place]})
""")
    twins.setup("CREATE TABLE other (id int)")
    with pytest.raises(SqlgenError, match="no reviewer could read") as caught:
        commands.generate(twins.config(models), "add item", echo=Output())
    message = str(caught.value)
    assert "item" in message and "change the value" in message, message
    assert not has_unsafe_characters(message), message
    assert not (twins.tmp_path / "migrations").exists() or not list((twins.tmp_path / "migrations").iterdir())
    twins.assert_intact()


@pytest.mark.mysql
@pytest.mark.parametrize("label, value", list(UNREADABLE_VALUES.items())[:4])
def test_unreadable_values_in_the_database_are_refused(twins, label, value):
    """The down file must restore a dropped column's comment as the database holds it: when no
    reviewer could read it, sqlgen says so rather than write a file hiding it."""
    twins.setup("CREATE TABLE item (id int PRIMARY KEY, v int COMMENT " + sql_literal(value) + ")")
    models = models_module(twins.tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n" + SENTINEL_MODEL +
                           'sa.Table("item", metadata, sa.Column("id", sa.Integer, primary_key=True, '
                           'autoincrement=False))\n')
    with pytest.raises(SqlgenError, match="no reviewer could read"):
        commands.generate(twins.config(models), "drop v", echo=Output())
    twins.assert_intact()


@pytest.mark.mysql
def test_an_unreadable_name_is_one_line_through_the_cli(twins, monkeypatch):
    from click.testing import CliRunner

    from sqlgen.cli import main

    from support import url_text

    twins.setup("CREATE TABLE `x\u202e;DROP TABLE sentinel` (id int)")
    models = models_module(twins.tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n" + SENTINEL_MODEL)
    result = CliRunner().invoke(main, ["--url", url_text(twins.runner_db), "--models", models, "generate", "-m", "x"])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "\\u202e" in lines[0], result.output
    assert "Traceback" not in result.output
    twins.assert_intact()


# --- Names, options and expressions the models give: refused before anything is written ---------

def _refusal(tmp_path, url, source: str, match: str, tables: str = "") -> str:
    models = models_module(tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n" + source)
    config = make_config(url, models, tmp_path / "migrations", root=tmp_path)
    with pytest.raises(SqlgenError, match=match) as caught:
        commands.generate(config, "hostile", echo=Output())
    message = str(caught.value)
    assert not any(br in message for br in BREAKS.values()), message
    assert not (tmp_path / "migrations").exists() or not list((tmp_path / "migrations").iterdir())
    return message


NAME_CASES = {f"break-{label}": f"x{br}DROP TABLE sentinel;{br}--" for label, br in BREAKS.items()}
NAME_CASES.update({"nul": "x\x00y", "control": "x\x01y", "delete": "x\x7fy", "bidi": "x\u202ey", "bom": "x\ufeffy",
                   "tab": "x\ty", "not-nfc": "cafe\u0301"})


@pytest.mark.mysql
@pytest.mark.parametrize("where", ["table", "column", "index", "unique", "foreign key", "check"])
@pytest.mark.parametrize("label, name", list(NAME_CASES.items()) + [
    ("trailing-space", "name "), ("too-long", "n" * 65), ("emoji", "x\U0001F600")])
def test_names_the_server_cannot_store_or_a_reviewer_cannot_read_are_refused(scratch_db, tmp_path, where, label,
                                                                            name):
    column = name if where == "column" else "c"
    source = {
        "table": f"sa.Table({name!r}, metadata, sa.Column('id', sa.Integer, primary_key=True))",
        "column": f"sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column({column!r}, "
                  "sa.Integer))",
        "index": f"sa.Index({name!r}, sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                 "sa.Column('c', sa.Integer)).c.c)",
        "unique": f"sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('c', sa.Integer),"
                  f" sa.UniqueConstraint('c', name={name!r}))",
        "foreign key": "sa.Table('p', metadata, sa.Column('id', sa.Integer, primary_key=True))\n"
                       "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('c', "
                       f"sa.Integer, sa.ForeignKey('p.id', name={name!r})))",
        "check": f"sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.CheckConstraint('id > 0',"
                 f" name={name!r}))",
    }[where]
    execute(scratch_db, "CREATE TABLE sentinel (id int PRIMARY KEY)", "INSERT INTO sentinel VALUES (1)")
    message = _refusal(tmp_path, scratch_db, source, r"rename it|shorter name")
    assert repr(name) in message, message  # the object is named, its characters escaped
    assert execute(scratch_db, "SELECT id FROM sentinel")[0] == [(1,)]


OPTION_CASES = {
    "engine": ("sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
               "mysql_engine='InnoDB;\\nDROP TABLE sentinel;\\n--')", "engine"),
    "unknown-engine": ("sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), mysql_engine='Nope')",
                       "does not exist"),
    "table-collation": ("sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                        "mysql_collate='utf8mb4_bin;\\nDROP TABLE sentinel;\\n--')", "collation"),
    "unknown-collation": ("sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                          "mysql_collate='utf8mb4_nope_ci')", "does not exist"),
    "collation-of-another-charset": ("sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                                     "mysql_charset='latin1', mysql_collate='utf8mb4_bin')", "belongs to"),
    "table-charset": ("sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                      "mysql_charset='utf8mb4 COLLATE utf8mb4_bin; DROP TABLE sentinel; --')", "character set"),
    "column-collation": ("sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                         "sa.Column('c', sa.String(10, collation='utf8mb4_bin;\\nDROP TABLE sentinel;\\n--')))",
                         "collation"),
    "on-delete": ("sa.Table('p', metadata, sa.Column('id', sa.Integer, primary_key=True))\n"
                  "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('c', sa.Integer, "
                  "sa.ForeignKey('p.id', ondelete='CASCADE; DROP TABLE sentinel; --')))", "ON DELETE"),
    "on-update": ("sa.Table('p', metadata, sa.Column('id', sa.Integer, primary_key=True))\n"
                  "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('c', sa.Integer, "
                  "sa.ForeignKey('p.id', onupdate='SET NULL) , DROP COLUMN c, ADD (x')))", "ON UPDATE"),
    "index-length": ("t = sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                     "sa.Column('c', sa.String(50)))\nsa.Index('ix', t.c.c, mysql_length='10); DROP TABLE sentinel; --')",
                     "mysql_length"),
    "index-length-by-column": ("t = sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                               "sa.Column('c', sa.String(50)))\nsa.Index('ix', t.c.c, mysql_length={'c': '1;x'})",
                               "mysql_length"),
    "index-using": ("t = sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                    "sa.Column('c', sa.Integer))\nsa.Index('ix', t.c.c, mysql_using='HASH; DROP TABLE sentinel')",
                    "USING"),
    "index-prefix": ("t = sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                     "sa.Column('c', sa.Text))\nsa.Index('ix', t.c.c, mysql_prefix='FULLTEXT x; DROP TABLE sentinel')",
                     "prefix"),
    "row-format": ("sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                   "mysql_row_format='DYNAMIC; DROP TABLE sentinel')", "ROW_FORMAT"),
    "type-arguments": ("from sqlalchemy.types import UserDefinedType\n"
                       "class Evil(UserDefinedType):\n    cache_ok = True\n"
                       "    def get_col_spec(self, **kw):\n        return 'decimal(10; DROP TABLE sentinel; --,2)'\n"
                       "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('c', Evil()))",
                       "numbers"),
}


@pytest.mark.mysql
@pytest.mark.parametrize("label", list(OPTION_CASES))
def test_options_reach_the_ddl_only_when_the_server_takes_them(scratch_db, tmp_path, label):
    source, match = OPTION_CASES[label]
    execute(scratch_db, "CREATE TABLE sentinel (id int PRIMARY KEY)", "INSERT INTO sentinel VALUES (1)")
    _refusal(tmp_path, scratch_db, source, match)
    assert execute(scratch_db, "SELECT id FROM sentinel")[0] == [(1,)]


EXPRESSION_PAYLOADS = {
    "semicolon": "1); DROP TABLE sentinel; (1",
    "dash-comment": "1 -- )",
    "hash-comment": "1 # )",
    "block-comment": "1 /* ) */",
    "comment-end": "1 */",
    "unclosed-quote": "'a",
    "unclosed-double-quote": '"a',
    "unclosed-backtick": "`a",
    "closes-its-parenthesis": "1) , DROP COLUMN c, ADD COLUMN x int DEFAULT (2",
    "unclosed-parenthesis": "(1",
    "backslash": "1 \\! touch hostile_marker",
    "quote-escaped-only-with-backslashes": "'a\\' ); DROP TABLE sentinel; -- '",
    "carriage-return-before-line-feed": "'a\r\nb'",
}


@pytest.mark.mysql
@pytest.mark.parametrize("kind", ["default", "check", "computed"])
@pytest.mark.parametrize("label", list(EXPRESSION_PAYLOADS))
def test_expressions_must_be_one_expression(scratch_db, tmp_path, kind, label):
    execute(scratch_db, "CREATE TABLE sentinel (id int PRIMARY KEY)", "INSERT INTO sentinel VALUES (1)")
    message = _refusal(tmp_path, scratch_db, _expression_table(kind, EXPRESSION_PAYLOADS[label]),
                       "not one SQL expression")
    assert "table 't'" in message or "t.c" in message, message
    assert execute(scratch_db, "SELECT id FROM sentinel")[0] == [(1,)]


def _expression_table(kind: str, text: str) -> str:
    """A models table holding `text` as a default, a CHECK or a computed column."""
    column = {"default": f"sa.Column('c', sa.Integer, server_default=sa.text({text!r}))",
              "check": "sa.Column('c', sa.Integer)",
              "computed": f"sa.Column('c', sa.Integer, sa.Computed({text!r}))"}[kind]
    check = f", sa.CheckConstraint({text!r}, name='ck')" if kind == "check" else ""
    return f"sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), {column}{check})"


@pytest.mark.mysql
def test_the_tracking_table_name_and_renames_are_names_too(scratch_db, tmp_path):
    models = models_module(tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
                                     "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True))\n")
    config = make_config(scratch_db, models, tmp_path / "m", root=tmp_path,
                         version_table="sqlgen_version\nDROP TABLE sentinel;\n--")
    with pytest.raises(SqlgenError, match="version_table setting"):
        commands.generate(config, "x", echo=Output())
    execute(scratch_db, "CREATE TABLE t (id int PRIMARY KEY, old int)")
    config = make_config(scratch_db, models, tmp_path / "m", root=tmp_path)
    with pytest.raises(SqlgenError, match="new name"):
        commands.generate(config, "x", renames=("t.old:new\u2028DROP TABLE sentinel",), echo=Output())
    assert not (tmp_path / "m").exists()


# --- SQLite: the same, with sqlite3 -bail ------------------------------------------------

@pytest.fixture(scope="module")
def sqlite_shell():
    path = shutil.which("sqlite3")
    if path is None:
        pytest.fail("the sqlite3 shell is not installed (apt-get install sqlite3)")
    return path


class SqliteTwins:
    def __init__(self, tmp_path, shell):
        self.tmp_path, self.shell = tmp_path, shell
        self.runner_db, self.client_db = tmp_path / "runner.db", tmp_path / "client.db"
        self.execute("CREATE TABLE sentinel (id INTEGER NOT NULL PRIMARY KEY, v VARCHAR(20))",
                     "INSERT INTO sentinel VALUES (1, 'keep'), (2, 'me')")

    def execute(self, *statements: str) -> None:
        import sqlite3

        for path in (self.runner_db, self.client_db):
            connection = sqlite3.connect(path)
            for statement in statements:
                connection.execute(statement)
            connection.commit()
            connection.close()

    def rows(self, path, sql: str):
        import sqlite3

        connection = sqlite3.connect(path)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def config(self, models: str, path=None):
        return make_config(sqlite_url(path or self.runner_db), models, self.tmp_path / "migrations",
                           root=self.tmp_path)

    def by_hand(self, file) -> None:
        with open(file, "rb") as handle:
            done = subprocess.run([self.shell, "-bail", str(self.client_db)], stdin=handle, capture_output=True,
                                  timeout=60, cwd=self.tmp_path)
        assert done.returncode == 0, done.stderr.decode()

    def assert_intact(self) -> None:
        for path in (self.runner_db, self.client_db):
            assert self.rows(path, "SELECT id, v FROM sentinel ORDER BY id") == SENTINEL_ROWS
        assert not (self.tmp_path / "hostile_marker").exists()

    def both_ways(self, config, result, before) -> None:
        from support import sqlite_snapshot

        up, down = result.paths
        commands.upgrade(config, echo=Output())
        self.by_hand(up)
        self.assert_intact()
        for path in (self.runner_db, self.client_db):
            assert commands.check(self.config(config.models, path), echo=Output()) == 0, path
        commands.downgrade(config, "base", echo=Output())
        self.by_hand(down)
        self.assert_intact()
        for path in (self.runner_db, self.client_db):
            assert sqlite_snapshot(path) == before


@pytest.mark.parametrize("label, payload", list(name_payloads('DROP TABLE "sentinel";').items()) +
                         [("tab", "x\ty"), ("bidi", "x\u202e;y"), ("not-nfc", "cafe\u0301")])
def test_sqlite_names_in_the_database_are_dropped_and_restored_as_written(tmp_path, sqlite_shell, monkeypatch,
                                                                         label, payload):
    """Readable names run both ways; one no reviewer could read (a break, a tab, a control or
    reordering character, not NFC) is named, escaped, in one line, and nothing is written."""
    from support import sqlite_snapshot

    monkeypatch.chdir(tmp_path)
    twins = SqliteTwins(tmp_path, sqlite_shell)
    quoted = '"' + payload.replace('"', '""') + '"'
    table = '"' + (payload + "2").replace('"', '""') + '"'  # SQLite's indexes and tables share one namespace
    twins.execute(f"CREATE TABLE legacy (id INTEGER NOT NULL PRIMARY KEY, {quoted} INTEGER)",
                  f"CREATE INDEX {quoted} ON legacy ({quoted})", f"CREATE TABLE {table} (id INTEGER)")
    before = sqlite_snapshot(twins.runner_db)
    models = models_module(tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n" + SENTINEL_MODEL +
                           'sa.Table("legacy", metadata, sa.Column("id", sa.Integer, primary_key=True, '
                           'autoincrement=False))\n')
    config = twins.config(models)
    if not readable_name(payload):
        match = "carriage return before a line feed" if "\r\n" in payload else "no reviewer could read|normal form"
        with pytest.raises(SqlgenError, match=match) as caught:
            commands.generate(config, "hostile", echo=Output())
        assert not has_unsafe_characters(str(caught.value)) and "rename it" in str(caught.value)
        assert not (tmp_path / "migrations").exists() or not list((tmp_path / "migrations").iterdir())
        twins.assert_intact()
        return
    result = generated(config)
    assert f"DESTRUCTIVE drop-table {printable(payload + '2')}" in result.up_text
    twins.both_ways(config, result, before)


@pytest.mark.parametrize("label, payload", list(value_payloads('DROP TABLE "sentinel";').items()))
def test_sqlite_values_in_the_models_run_as_written(tmp_path, sqlite_shell, monkeypatch, label, payload):
    from support import sqlite_snapshot

    monkeypatch.chdir(tmp_path)
    twins = SqliteTwins(tmp_path, sqlite_shell)
    twins.execute("CREATE TABLE item (id INTEGER NOT NULL PRIMARY KEY, note VARCHAR(250) DEFAULT 'old')",
                  "INSERT INTO item (id, note) VALUES (1, 'n')")
    before = sqlite_snapshot(twins.runner_db)
    literal = "'" + payload.replace("\r\n", "\n").replace("'", "''") + "'"  # a CR before an LF: refused
    models = models_module(tmp_path, f"""import sqlalchemy as sa
P = {payload.replace(chr(13) + chr(10), chr(10))!r}
metadata = sa.MetaData()
{SENTINEL_MODEL}
sa.Table("item", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("note", sa.String(250), server_default=P),
    sa.CheckConstraint({f"note <> {literal}"!r}, name="ck_note"),
)
""")
    config = twins.config(models)
    if not readable_value(payload.replace("\r\n", "\n"), ""):  # SQLite has no escapes: a CR stays raw
        with pytest.raises(SqlgenError, match="no reviewer could read") as caught:
            commands.generate(config, "hostile", echo=Output())
        assert not has_unsafe_characters(str(caught.value)) and "change the value" in str(caught.value)
        twins.assert_intact()
        return
    result = generated(config)
    twins.both_ways(config, result, before)


SQLITE_EXPRESSIONS = {key: value for key, value in EXPRESSION_PAYLOADS.items()
                      if key not in ("hash-comment", "backslash", "quote-escaped-only-with-backslashes")}
SQLITE_EXPRESSIONS["bracket"] = "[a"
SQLITE_EXPRESSIONS["dash-without-space"] = "1 --)"


@pytest.mark.parametrize("kind", ["default", "check", "computed"])
@pytest.mark.parametrize("label", list(SQLITE_EXPRESSIONS))
def test_sqlite_expressions_must_be_one_expression(tmp_path, kind, label):
    _refusal(tmp_path, sqlite_url(tmp_path / "app.db"), _expression_table(kind, SQLITE_EXPRESSIONS[label]),
             "not one SQL expression")


@pytest.mark.parametrize("label, name", list(NAME_CASES.items()))
def test_sqlite_names_with_control_characters_are_refused(tmp_path, label, name):
    source = f"sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column({name!r}, sa.Integer))"
    message = _refusal(tmp_path, sqlite_url(tmp_path / "app.db"), source, "rename it")
    assert repr(name) in message


def test_sqlite_types_and_actions_reach_the_ddl_only_when_valid(tmp_path):
    evil_type = ("from sqlalchemy.types import UserDefinedType\nclass Evil(UserDefinedType):\n    cache_ok = True\n"
                 "    def get_col_spec(self, **kw):\n        return 'INTEGER); DROP TABLE sentinel; --'\n"
                 "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('c', Evil()))")
    _refusal(tmp_path, sqlite_url(tmp_path / "a.db"), evil_type, "type")
    action = ("sa.Table('p', metadata, sa.Column('id', sa.Integer, primary_key=True))\n"
              "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('c', sa.Integer, "
              "sa.ForeignKey('p.id', ondelete='CASCADE); DROP TABLE sentinel; --')))")
    _refusal(tmp_path, sqlite_url(tmp_path / "b.db"), action, "ON DELETE")


def test_sqlite_comments_ending_expressions_of_a_hand_written_table_stay_out_of_its_rebuild(
        tmp_path, sqlite_shell, monkeypatch):
    """SQLite keeps `CHECK (a > 0 -- positive\\n)` as written, and reports `DEFAULT (1 -- one\\n)`
    as `1 -- one`: an expression read without the line break ending its comment, written back
    into a rebuild, would put the rest of the CREATE TABLE inside the comment."""
    from support import sqlite_snapshot

    monkeypatch.chdir(tmp_path)
    twins = SqliteTwins(tmp_path, sqlite_shell)
    twins.execute("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a INT CHECK (a > 0 -- positive\n), "
                  "b INT DEFAULT (1 -- one\n), c INT GENERATED ALWAYS AS (a + 1 -- next\n) /* c */)",
                  "INSERT INTO t (id, a) VALUES (1, 5)")
    models = models_module(tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n" + SENTINEL_MODEL +
                           "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True, autoincrement=False),\n"
                           "         sa.Column('a', sa.Integer, sa.CheckConstraint('a > 0'), nullable=False),\n"
                           "         sa.Column('b', sa.Integer, server_default=sa.text('1')),\n"
                           "         sa.Column('c', sa.Integer, sa.Computed('a + 1')))\n")
    config = twins.config(models)
    result = generated(config)
    # The same table, without its comments, is what the down file brings back.
    assert '"a" INTEGER NOT NULL CHECK (a > 0)' in result.up_text
    assert '"a" INT CHECK (a > 0),\n  "b" INT DEFAULT 1,\n  "c" INT GENERATED ALWAYS AS (a + 1) VIRTUAL,' \
        in result.down_text
    (tmp_path / "uncommented").mkdir()
    uncommented = SqliteTwins(tmp_path / "uncommented", sqlite_shell)
    uncommented.execute("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a INT CHECK (a > 0), "
                        "b INT DEFAULT (1), c INT GENERATED ALWAYS AS (a + 1))")
    up, down = result.paths
    commands.upgrade(config, echo=Output())
    twins.by_hand(up)
    twins.assert_intact()
    for path in (twins.runner_db, twins.client_db):
        assert commands.check(twins.config(models, path), echo=Output()) == 0, path
        assert twins.rows(path, "SELECT id, a, b, c FROM t") == [(1, 5, 1, 6)]
    commands.downgrade(config, "base", echo=Output())
    twins.by_hand(down)
    twins.assert_intact()
    for path in (twins.runner_db, twins.client_db):
        assert sqlite_snapshot(path) == sqlite_snapshot(uncommented.runner_db)
        assert twins.rows(path, "SELECT id, a, b, c FROM t") == [(1, 5, 1, 6)]


@pytest.mark.mysql
def test_a_bad_option_is_one_line_through_the_cli(scratch_db, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sqlgen.cli import main

    monkeypatch.chdir(tmp_path)
    models = models_module(tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
                                     "t = sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                                     "sa.Column('c', sa.String(50)))\n"
                                     "sa.Index('ix', t.c.c, mysql_length='10); DROP TABLE sentinel; --')\n")
    from support import url_text

    result = CliRunner().invoke(main, ["--url", url_text(scratch_db), "--models", models, "generate", "-m", "x"])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("Error: index t.ix: mysql_length"), result.output
    assert "Traceback" not in result.output and not (tmp_path / "migrations").exists()


# --- Found by the adversarial review: each a generated file or an accepted input -----------------

@pytest.mark.mysql
def test_sqlgens_own_spelling_of_an_expression_never_makes_a_comment(twins):
    """`1 / * 2` is written back as `1/ *2`, never `1/*2`, which would comment out the next columns
    and turn a default the server refuses into a table missing two columns, by hand only."""
    models = models_module(twins.tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n" + SENTINEL_MODEL + '''
sa.Table("t", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("a", sa.Integer, server_default=sa.text("1 / * / * ! * / + 2")),
    sa.Column("b", sa.Integer, nullable=False, comment="visible"),
    sa.Column("c", sa.Integer, server_default=sa.text("3 * / + 4")),
    sa.Column("z", sa.Integer, comment="*/)); DROP TABLE sentinel; -- "))
''')
    config = twins.config(models)
    result = generated(config)
    assert "DEFAULT (1/ * / *!* /+2)" in result.up_text and "DEFAULT (3* /+4)" in result.up_text
    up, _ = result.paths
    # The server refuses the defaults both ways, and says so: nothing silently half-made.
    with pytest.raises(SqlgenError, match="error 1064"):
        commands.upgrade(config, echo=Output())
    assert twins.run_client(twins.client_db, up, check=False).returncode != 0
    for url in (twins.runner_db, twins.client_db):
        assert "t" not in {row[0] for row in execute(url, "SHOW TABLES")[0]}
    twins.assert_intact()


@pytest.mark.mysql
def test_a_check_with_a_line_starting_delimiter_is_refused(scratch_db, tmp_path):
    """The client joins such a line to the next without its line break: `-\\n-` would become `--`."""
    source = ("sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('c', sa.Integer), "
              "sa.CheckConstraint(\"c < 5 OR 'note:\\ndelimiter' = 'b' -\\n- 0 OR 1\\n\", name='ck_c'))")
    message = _refusal(tmp_path, scratch_db, source, "would not run as one statement")
    assert "table t" in message


@pytest.mark.mysql
@pytest.mark.parametrize("label, source, match", [
    ("surrogate-in-a-name", "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                            "sa.Column('c\\udcff', sa.Integer))", "rename it"),
    ("surrogate-in-a-comment", "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True, "
                               "comment='x\\udcff'))", "lone surrogate"),
    ("primary-index", "t = sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                      "sa.Column('c', sa.Integer))\nsa.Index('PRIMARY', t.c.c)", "PRIMARY"),
    ("primary-unique", "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                       "sa.Column('c', sa.Integer), sa.UniqueConstraint('c', name='primary'))", "PRIMARY"),
    ("columns-equal-but-for-case", "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                                   "sa.Column('C', sa.Integer), sa.Column('c', sa.Integer))", "letter case"),
])
def test_what_the_server_or_a_file_cannot_take_is_refused_in_one_line(scratch_db, tmp_path, label, source, match):
    _refusal(tmp_path, scratch_db, source, match)


@pytest.mark.mysql
def test_an_index_on_a_column_given_a_key_is_a_column_index(scratch_db, tmp_path):
    models = models_module(tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
                                     "t = sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                                     "sa.Column('real', sa.Integer, key='k'))\nsa.Index('ix', t.c.k)\n")
    config = make_config(scratch_db, models, tmp_path / "m", root=tmp_path)
    result = generated(config)
    assert "KEY `ix` (`real`)" in result.up_text
    commands.upgrade(config, echo=Output())
    assert commands.check(config, echo=Output()) == 0


@pytest.mark.mysql
def test_a_server_starting_without_backslash_escapes_is_read_so(scratch_db, tmp_path, run_client):
    """The session's own sql_mode (here from init_command) is where reading starts: under
    NO_BACKSLASH_ESCAPES 'a\\' is a whole string, and the DROP after it a statement lint sees."""
    url = url_with(scratch_db, "init_command=SET sql_mode='NO_BACKSLASH_ESCAPES'")
    execute(scratch_db, "CREATE TABLE sentinel (id int PRIMARY KEY)")
    config = make_config(url, None, tmp_path / "m")
    up = hand_written(config, "SELECT 'a\\'; DROP TABLE sentinel; -- ';")
    out = Output()
    assert commands.lint(config, (str(up),), echo=out) == 1
    assert "DESTRUCTIVE drop-table sentinel" in out.text
    plain = make_config(scratch_db, None, tmp_path / "m")  # the server's default mode: all one string
    out = Output()
    commands.lint(plain, (str(up),), echo=out)
    assert "drop-table" not in out.text


def url_with(url, option: str) -> str:
    from support import url_text

    return url_text(url) + ("&" if "?" in url_text(url) else "?") + option
