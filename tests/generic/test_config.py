"""Configuration precedence and discovery: option > environment > file > default."""

from __future__ import annotations

import pytest

from sqlgen.config import load_config
from sqlgen.errors import SqlgenError


def test_defaults_without_any_config(tmp_path):
    config = load_config(cwd=tmp_path, environ={})
    assert config.url is None and config.models is None
    assert config.directory == tmp_path / "migrations"
    assert config.version_table == "sqlgen_version"
    assert config.root == tmp_path and config.config_file is None


def test_sqlgen_toml_is_found_searching_up(tmp_path):
    (tmp_path / "sqlgen.toml").write_text(
        'url = "mysql+pymysql://u@h/db"\nmodels = "app.models:Base"\ndirectory = "db/migrations"\n'
        'version_table = "schema_log"\ntemplates = "my_templates"\n'
    )
    nested = tmp_path / "src" / "deep"
    nested.mkdir(parents=True)
    config = load_config(cwd=nested, environ={})
    assert config.url == "mysql+pymysql://u@h/db"
    assert config.models == "app.models:Base"
    # Relative paths in the file are relative to the file's folder, not the cwd.
    assert config.directory == tmp_path / "db" / "migrations"
    assert config.templates == tmp_path / "my_templates"
    assert config.version_table == "schema_log"
    assert config.root == tmp_path and config.config_file == tmp_path / "sqlgen.toml"


def test_pyproject_tool_section(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.sqlgen]\nmodels = "m:Base"\n')
    assert load_config(cwd=tmp_path, environ={}).models == "m:Base"


def test_pyproject_without_section_is_skipped(tmp_path):
    (tmp_path / "sqlgen.toml").write_text('models = "outer:Base"\n')
    inner = tmp_path / "pkg"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_config(cwd=inner, environ={}).models == "outer:Base"


def test_precedence_option_then_environment_then_file(tmp_path):
    (tmp_path / "sqlgen.toml").write_text('url = "mysql://file/db"\nmodels = "file:Base"\ndirectory = "from_file"\n')
    environ = {"SQLGEN_URL": "mysql://env/db", "SQLGEN_DIR": "from_env"}
    config = load_config(cwd=tmp_path, environ=environ, url="mysql://option/db")
    assert config.url == "mysql://option/db"
    assert config.models == "file:Base"
    assert config.directory == tmp_path / "from_env"
    config = load_config(cwd=tmp_path, environ=environ)
    assert config.url == "mysql://env/db"
    config = load_config(cwd=tmp_path, environ={"SQLGEN_MODELS": "env:Base"}, directory="opt")
    assert config.models == "env:Base" and config.directory == tmp_path / "opt"


def test_unknown_key_is_refused(tmp_path):
    (tmp_path / "sqlgen.toml").write_text('modles = "typo:Base"\n')
    with pytest.raises(SqlgenError, match="unknown key 'modles'"):
        load_config(cwd=tmp_path, environ={})


def test_invalid_toml_names_the_file(tmp_path):
    (tmp_path / "sqlgen.toml").write_text('url = "unterminated\n')
    with pytest.raises(SqlgenError, match="sqlgen.toml: invalid TOML"):
        load_config(cwd=tmp_path, environ={})


def test_missing_url_and_models_say_how_to_set_them(tmp_path):
    config = load_config(cwd=tmp_path, environ={})
    with pytest.raises(SqlgenError, match="--url, set SQLGEN_URL"):
        config.require_url()
    with pytest.raises(SqlgenError, match="--models package.module:attr"):
        config.require_models()


@pytest.mark.parametrize("content, message", [
    (b"\xef\xbb\xbfurl = 'sqlite:///a.db'\n", "byte order mark .*save the file as UTF-8 without a BOM"),
    (b"url = 'sqlite:///caf\xe9.db'\n", r"not UTF-8 \(byte 0xe9 at line 1, column 21\)"),
])
def test_a_config_file_must_be_utf8_without_a_bom(tmp_path, content, message):
    (tmp_path / "sqlgen.toml").write_bytes(content)
    with pytest.raises(SqlgenError, match=message):
        load_config(cwd=tmp_path, environ={})


@pytest.mark.parametrize("content", ['tool = "x"\n', "[tool]\nsqlgen = []\n"])
def test_tool_sqlgen_in_pyproject_must_be_a_table(tmp_path, content):
    (tmp_path / "pyproject.toml").write_text(content)
    with pytest.raises(SqlgenError, match="must be a table"):
        load_config(cwd=tmp_path, environ={})


def test_path_settings_refuse_control_characters_wherever_they_come_from(tmp_path):
    (tmp_path / "sqlgen.toml").write_text('templates = "t\\u0000"\n')
    with pytest.raises(SqlgenError, match=r"sqlgen.toml: templates 't\\x00' holds the control character"):
        load_config(cwd=tmp_path, environ={})
    (tmp_path / "sqlgen.toml").write_text("")
    with pytest.raises(SqlgenError, match=r"--dir 'a\\x1bb' holds"):
        load_config(cwd=tmp_path, environ={}, directory="a\x1bb")


def test_precondition_sample_from_the_file_or_the_environment(tmp_path):
    assert load_config(cwd=tmp_path, environ={}).precondition_sample == 0
    (tmp_path / "sqlgen.toml").write_text("precondition_sample = 100000\n")
    assert load_config(cwd=tmp_path, environ={}).precondition_sample == 100000
    assert load_config(cwd=tmp_path, environ={"SQLGEN_PRECONDITION_SAMPLE": "50"}).precondition_sample == 50


@pytest.mark.parametrize("file, environ, message", [
    ("precondition_sample = -1\n", {}, "precondition_sample must be a whole number of rows, 0 or more"),
    ("precondition_sample = '10'\n", {}, "precondition_sample must be a whole number of rows"),
    ("precondition_sample = true\n", {}, "precondition_sample must be a whole number of rows"),
    ("", {"SQLGEN_PRECONDITION_SAMPLE": "ten"}, "SQLGEN_PRECONDITION_SAMPLE is 'ten'; give a whole number of rows"),
])
def test_a_bad_precondition_sample_is_refused_in_one_line(tmp_path, file, environ, message):
    (tmp_path / "sqlgen.toml").write_text(file)
    with pytest.raises(SqlgenError, match=message) as caught:
        load_config(cwd=tmp_path, environ=environ)
    assert "\n" not in str(caught.value)


def test_exclude_from_the_file_the_environment_and_the_options(tmp_path):
    (tmp_path / "sqlgen.toml").write_text('exclude = ["legacy_*", "tmp_?"]\n')
    assert load_config(cwd=tmp_path, environ={}).exclude == ("legacy_*", "tmp_?")
    assert load_config(cwd=tmp_path, environ={"SQLGEN_EXCLUDE": "old_*, audit"}).exclude == ("old_*", "audit")
    assert load_config(cwd=tmp_path, environ={"SQLGEN_EXCLUDE": "old_*"}, exclude=("x",)).exclude == ("x",)


@pytest.mark.parametrize("content, environ, message", [
    ('exclude = "legacy_*"\n', {}, r"exclude must be a list of glob patterns over table names, e\.g\. exclude = \[\"legacy_\*\"\]"),
    ('exclude = ["a", 3]\n', {}, "exclude must be a list of glob patterns"),
    ('exclude = [""]\n', {}, "exclude must be a list of glob patterns"),
    ("", {"SQLGEN_EXCLUDE": "a,,b"}, r"SQLGEN_EXCLUDE: '' is not a pattern of table names"),
    ("", {"SQLGEN_EXCLUDE": "a\tb"}, r"SQLGEN_EXCLUDE: 'a\\tb' is not a pattern of table names"),
])
def test_a_bad_exclude_is_one_line_saying_what_to_write(tmp_path, content, environ, message):
    (tmp_path / "sqlgen.toml").write_text(content)
    with pytest.raises(SqlgenError, match=message):
        load_config(cwd=tmp_path, environ=environ)


def test_column_order_from_the_file_and_the_environment(tmp_path):
    assert load_config(cwd=tmp_path, environ={}).column_order is True
    (tmp_path / "sqlgen.toml").write_text("column_order = false\n")
    assert load_config(cwd=tmp_path, environ={}).column_order is False
    assert load_config(cwd=tmp_path, environ={"SQLGEN_COLUMN_ORDER": "yes"}).column_order is True
    with pytest.raises(SqlgenError, match="SQLGEN_COLUMN_ORDER is 'maybe'; give true or false"):
        load_config(cwd=tmp_path, environ={"SQLGEN_COLUMN_ORDER": "maybe"})
    (tmp_path / "sqlgen.toml").write_text('column_order = "no"\n')
    with pytest.raises(SqlgenError, match="column_order must be true or false"):
        load_config(cwd=tmp_path, environ={})
