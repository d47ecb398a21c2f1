"""Bad input in the config files, the database URL and the options: one clear line, exit 1.

Each case once gave `unexpected error: <exception>` or a traceback. Each must
give exactly one line `Error: ...` saying what is wrong and what to do, exit
code 1, and no traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sqlgen.cli import main
from sqlgen.config import load_config
from sqlgen.errors import SqlgenError

SQLITE = "sqlite:///app.db"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project folder with a migrations folder, as the current directory."""
    monkeypatch.chdir(tmp_path)
    for variable in ("SQLGEN_URL", "SQLGEN_MODELS", "SQLGEN_DIR", "SQLGEN_VERIFY_URL"):
        monkeypatch.delenv(variable, raising=False)
    (tmp_path / "migrations").mkdir()
    return tmp_path


def invoke(*args, env=None):
    return CliRunner(env=env).invoke(main, list(args))


def assert_one_error_line(result, *parts: str) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: "), lines[0]
    assert "Traceback" not in result.output and "unexpected error" not in result.output, result.output
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


# --- The config files -------------------------------------------------------------

LATIN_1 = 'url = "sqlite:///caf\xe9.db"\n'.encode("latin-1")
BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("name, content", [
    ("sqlgen.toml", LATIN_1),
    ("sqlgen.toml", b'models = "app:Base"\n# a comment in Latin-1: \xe9t\xe9\n'),
    ("pyproject.toml", b'[project]\nname = "x"\n\n[tool.sqlgen]\n' + LATIN_1),
    ("pyproject.toml", b'[project]\ndescription = "caf\xe9"\n'),
])
def test_a_config_file_that_is_not_utf8_names_the_byte_and_says_to_save_as_utf8(project, name, content):
    (project / name).write_bytes(content)
    line = assert_one_error_line(invoke("current"), name, "not UTF-8", "byte 0xe9 at line", "save the file as UTF-8")
    assert str(project / name) in line


def test_the_position_of_the_bad_byte_is_its_line_and_column(project):
    (project / "sqlgen.toml").write_bytes(b'models = "app:Base"\nurl = "x\xff"\n')
    assert_one_error_line(invoke("current"), "byte 0xff at line 2, column 9")


@pytest.mark.parametrize("name, content", [
    ("sqlgen.toml", BOM + f'url = "{SQLITE}"\n'.encode()),
    ("pyproject.toml", BOM + f'[tool.sqlgen]\nurl = "{SQLITE}"\n'.encode()),
    ("pyproject.toml", BOM + b'[project]\nname = "x"\n'),
])
def test_a_byte_order_mark_is_refused_with_how_to_save_the_file(project, name, content):
    (project / name).write_bytes(content)
    assert_one_error_line(invoke("current"), name, "byte order mark", "save the file as UTF-8 without a BOM")


@pytest.mark.parametrize("content, kind", [
    ('tool = "x"\n', "tool must be a table"),
    ("tool = []\n", "tool must be a table"),
    ("[tool]\nsqlgen = []\n", "tool.sqlgen must be a table"),
    ('[tool]\nsqlgen = "x"\n', "tool.sqlgen must be a table"),
    ("[tool]\nsqlgen = 1979-05-27\n", "tool.sqlgen must be a table"),
    ("tool.sqlgen = 3\n", "tool.sqlgen must be a table"),
])
def test_tool_and_tool_sqlgen_in_pyproject_must_be_tables(project, content, kind):
    (project / "pyproject.toml").write_text(content)
    assert_one_error_line(invoke("current"), "pyproject.toml", kind, "fix the file")


def test_a_pyproject_whose_tool_table_has_no_sqlgen_is_still_skipped(project):
    (project / "pyproject.toml").write_text('[tool.black]\nline-length = 100\n')
    assert load_config(cwd=project, environ={}).config_file is None


# --- Path settings: no NUL, no control characters ------------------------------------

@pytest.mark.parametrize("key", ["directory", "templates"])
@pytest.mark.parametrize("char", ["\x00", "\x01", "\t", "\n", "\x1b", "\x7f", "\x85"])
def test_a_control_character_in_a_path_setting_of_sqlgen_toml_is_refused(project, key, char):
    # json-like escapes: TOML basic strings spell every control character as \uXXXX.
    (project / "sqlgen.toml").write_text(f'url = "{SQLITE}"\n{key} = "db\\u{ord(char):04x}x"\n')
    line = assert_one_error_line(invoke("generate", "--empty", "-m", "x"), f"sqlgen.toml: {key}",
                                 f"holds the control character {char!r}", "without control characters")
    assert char not in line


@pytest.mark.parametrize("char", ["\x00", "\x01", "\t", "\x1b"])
def test_a_control_character_in_dir_is_refused(project, char):
    value = f"db{char}x"
    assert_one_error_line(invoke("--url", SQLITE, "--dir", value, "current"), f"--dir {value!r} holds",
                          "without control characters")


@pytest.mark.parametrize("char", ["\x01", "\t", "\x1b", "\x7f"])
def test_a_control_character_in_sqlgen_dir_is_refused(project, char):
    # The environment itself cannot hold a NUL (see the next test).
    assert_one_error_line(invoke("--url", SQLITE, "current", env={"SQLGEN_DIR": f"db{char}x"}),
                          "SQLGEN_DIR", "holds the control character", "without control characters")


def test_a_nul_in_sqlgen_dir_is_refused(tmp_path):
    with pytest.raises(SqlgenError, match=r"SQLGEN_DIR 'db\\x00x' holds the control character '\\x00'"):
        load_config(cwd=tmp_path, environ={"SQLGEN_DIR": "db\x00x"})


def test_ordinary_folder_names_are_kept(tmp_path):
    config = load_config(cwd=tmp_path, environ={"SQLGEN_DIR": "db migrations/été"})
    assert config.directory == tmp_path / "db migrations" / "été"


def test_a_control_character_in_the_url_is_refused(project):
    (project / "sqlgen.toml").write_text('url = "sqlite:///app\\u0000.db"\n')
    assert_one_error_line(invoke("upgrade"), "invalid database URL", r"'\x00'", "percent-encoded")


# --- Numbers in the URL: checked before PyMySQL sees them ---------------------------

@pytest.mark.parametrize("option, expected", [
    ("client_flag=99999999999999999999", "client_flag"),
    ("client_flag=2147483648", "client_flag"),
    ("client_flag=-1", "client_flag"),
    ("connect_timeout=0", "connect_timeout"),
    ("connect_timeout=31536001", "connect_timeout"),
    ("connect_timeout=-5", "connect_timeout"),
    ("read_timeout=0", "read_timeout"),
    ("read_timeout=99999999999999999999", "read_timeout"),
    ("write_timeout=99999999999999", "write_timeout"),
    ("max_allowed_packet=0", "max_allowed_packet"),
    ("max_allowed_packet=999999999999999999999", "max_allowed_packet"),
    ("max_allowed_packet=\u0663", "max_allowed_packet"),  # an Arabic-Indic 3: a digit to str.isdigit
])
def test_whole_number_url_options_out_of_range_are_refused(project, option, expected):
    url = f"mysql+pymysql://root@127.0.0.1:1/db?{option}"
    assert_one_error_line(invoke("--url", url, "current"), f"invalid option {expected} in the database URL",
                          "expected a whole number from")


@pytest.mark.parametrize("command", [
    "USE%20other", "use%20other", "SET%20a%3D1%3B%20DROP%20TABLE%20sentinel", "DROP%20TABLE%20sentinel",
    "SET", "SET%20a%3D1%0AUSE%20other", "%20%20select%201",
])
def test_an_init_command_other_than_one_set_is_refused(project, command):
    """init_command runs in every session sqlgen opens: a USE there would run the files (and
    generate --verify's scratch work) in another database."""
    url = f"mysql+pymysql://root@127.0.0.1:1/db?init_command={command}"
    for args in (["current"], ["upgrade"], ["status"]):
        assert_one_error_line(invoke("--url", url, *args), "invalid option init_command",
                              "expected one SET statement")


@pytest.mark.parametrize("collation", ["utf8mb4_bin%3B%20DROP%20TABLE%20sentinel", "x%20y", "utf8mb4_bin%0A",
                                       "%60a%60", ""])
def test_a_collation_that_is_not_a_name_is_refused(project, collation):
    """PyMySQL sends the collation inside SET NAMES as it is, and the runner's file sessions take
    several statements in one packet: only a name may pass."""
    url = f"mysql+pymysql://root@127.0.0.1:1/db?collation={collation}"
    for args in (["current"], ["upgrade"]):
        assert_one_error_line(invoke("--url", url, *args), "invalid option collation", "expected a collation name")


@pytest.mark.parametrize("port", ["99999", "65536", "0", "000000"])
def test_a_port_out_of_range_is_refused(project, port):
    assert_one_error_line(invoke("--url", f"mysql+pymysql://root@127.0.0.1:{port}/db", "current"),
                          "invalid port", "a port is a number from 1 to 65535")


@pytest.mark.parametrize("port", ["-1", "+5", "3306x"])
def test_a_port_that_is_not_a_number_is_an_invalid_url(project, port):
    assert_one_error_line(invoke("--url", f"mysql+pymysql://root@127.0.0.1:{port}/db", "current"),
                          "invalid database URL")


# --- --lock-timeout ---------------------------------------------------------------------

@pytest.mark.parametrize("command", [["upgrade"], ["downgrade", "base"], ["stamp", "head"]])
@pytest.mark.parametrize("value", ["-1", "-0.5", "nan", "inf", "-inf", "1e300"])
def test_lock_timeout_must_be_a_number_of_seconds(project, command, value):
    result = invoke("--url", SQLITE, *command, f"--lock-timeout={value}")
    assert_one_error_line(result, "invalid --lock-timeout", "give the seconds to wait, from 0 to")
    assert not (project / "app.db").exists()  # refused before anything ran


def test_a_lock_timeout_in_range_is_taken(project):
    result = invoke("--url", SQLITE, "upgrade", "--lock-timeout", "0")
    assert result.exit_code == 0, result.output


# --- The DIALECT file -------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"\xff\xfe\x00m\x00y", b"\x80\x81binary", bytes(range(256))])
def test_a_binary_dialect_file_is_refused(project, content):
    (project / "migrations" / "DIALECT").write_bytes(content)
    assert_one_error_line(invoke("--url", SQLITE, "status"), "DIALECT is not a text file naming a dialect",
                          "it should say one of mysql, sqlite")


@pytest.mark.parametrize("content", ["my\x1b[31msql\n", "sqlite\x00", "postgres\r\nmysql", "\x07bell"])
def test_an_unknown_dialect_is_shown_escaped(project, content):
    (project / "migrations" / "DIALECT").write_text(content, encoding="utf-8", newline="")
    shown = repr(content.strip().lower())
    line = assert_one_error_line(invoke("--url", SQLITE, "status"), f"names an unknown dialect {shown}",
                                 "it should say one of mysql, sqlite")
    assert not any(ord(char) < 32 for char in line)


def test_a_long_unknown_dialect_is_cut_short(project):
    (project / "migrations" / "DIALECT").write_text("x" * 10_000)
    line = assert_one_error_line(invoke("--url", SQLITE, "status"), "names an unknown dialect 'xxxx")
    assert len(line) < 300


def test_a_dialect_file_in_capitals_still_reads(project):
    (project / "migrations" / "DIALECT").write_text("SQLITE\r\n")
    result = invoke("--url", SQLITE, "upgrade")
    assert result.exit_code == 0, result.output
    assert Path(project / "app.db").exists()
