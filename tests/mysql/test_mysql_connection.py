"""Reading database URLs and opening MySQL sessions without SQLAlchemy's engine."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sqlgen.dialects import parse_url
from sqlgen.mysql.connection import MysqlUrl, _pymysql_args
from sqlgen.errors import SqlgenError
from support import url_text


def test_a_mysql_url_is_read_into_its_parts_with_escapes_undone():
    url = parse_url("mysql+pymysql://app%40ops:p%40ss%3Aw@db.example.com:3307/shop?charset=utf8mb4")
    assert url == MysqlUrl("mysql+pymysql", "app@ops", "p@ss:w", "db.example.com", 3307, "shop",
                           (("charset", "utf8mb4"),))
    assert url.get_backend_name() == "mysql" and url.get_driver_name() == "pymysql"
    assert url.render_as_string() == "mysql+pymysql://app%40ops:***@db.example.com:3307/shop?charset=utf8mb4"
    assert parse_url(url.render_as_string(hide_password=False)) == url


@pytest.mark.parametrize("text, expected", [
    ("mysql://root@localhost/app", MysqlUrl("mysql+pymysql", "root", None, "localhost", None, "app")),
    ("mariadb+pymysql://u:@[::1]:3306/", MysqlUrl("mariadb+pymysql", "u", "", "::1", 3306, None)),
    ("mysql+pymysql://h", MysqlUrl("mysql+pymysql", None, None, "h", None, None)),
])
def test_bare_schemes_ipv6_hosts_and_missing_parts(text, expected):
    assert parse_url(text) == expected


def test_url_options_become_pymysql_arguments_of_the_right_type(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("not read here")
    url = parse_url(f"mysql+pymysql://u:pw@h/db?connect_timeout=3&compress=true&ssl_ca={ca}"
                    "&ssl_verify_identity=true&unix_socket=/run/mysqld.sock&charset=latin1")
    kwargs = _pymysql_args(url, "x")
    assert kwargs == {"host": "h", "user": "u", "password": "pw", "database": "db", "connect_timeout": 3,
                      "compress": True, "ssl": {"ca": str(ca), "check_hostname": True, "verify_mode": True},
                      "unix_socket": "/run/mysqld.sock", "charset": "latin1", "autocommit": True}


def test_tls_options_combine_into_one_set_of_tls_settings(tmp_path):
    """A client certificate with verification, a key password, a cipher: all reach PyMySQL together."""
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("x")
    key.write_text("x")
    url = parse_url(f"mysql+pymysql://u@h/db?ssl_cert={cert}&ssl_key={key}&ssl_key_password=s3cret"
                    "&ssl_verify_cert=true&ssl_cipher=ECDHE-RSA-AES256-GCM-SHA384&ssl_check_hostname=false")
    assert _pymysql_args(url, "x")["ssl"] == {"cert": str(cert), "key": str(key), "password": "s3cret",
                                              "verify_mode": True, "cipher": "ECDHE-RSA-AES256-GCM-SHA384",
                                              "check_hostname": False}
    assert "ssl" not in _pymysql_args(parse_url(f"mysql+pymysql://u@h/db?ssl_cert={cert}&ssl_disabled=1"), "x")


@pytest.mark.parametrize("text, message", [
    ("mysql+pymysql://u:pw@h/db?connect_timeout=soon", "invalid option connect_timeout .*expected a whole number"),
    ("mysql+pymysql://u:pw@h/db?colour=blue", "unknown option 'colour' in the database URL"),
    ("mysql+pymysql://u:pw@h/db?defer_connect=true", "unknown option 'defer_connect'"),
    ("mysql+pymysql://u:pw@h/db?database=other", "option 'database' .*write it in the URL itself"),
    ("mysql+pymysql://u:x@h/db?password=pw", "option 'password' .*write it in the URL itself"),
    ("mysql+pymysql://u:x@h/db?ssl_key_password=pw&ssl_ca=/nowhere/ca.pem", "invalid option ssl_ca .*no such file"),
    ("mysql+pymysql://u:pw@h/db?charset=bogus", "unknown character set 'bogus'"),
    ("mysql+pymysql://u:pw@h/db?compress=maybe", "expected true or false"),
    ("mysql+mysqldb://u:pw@h/db", "sqlgen talks to MySQL and MariaDB through PyMySQL"),
])
def test_bad_url_options_are_one_clear_error_without_the_password(text, message):
    with pytest.raises(SqlgenError, match=message) as caught:
        _pymysql_args(parse_url(text), text)
    assert "pw" not in str(caught.value)


@pytest.mark.parametrize("text, message", [
    ("not a url", "invalid database URL"),
    ("mysql+pymysql://u:pw@h:port/db", "invalid database URL"),
    ("mysql+pymysql://u:p@ss@h/db", "more than one '@'"),
    ("postgresql://u@h/db", "unsupported database 'postgresql'"),
])
def test_malformed_urls_are_refused(text, message):
    with pytest.raises(SqlgenError, match=message):
        parse_url(text)


def test_sqlite_urls_keep_sqlalchemys_reading():
    url = parse_url("sqlite:///app.db")
    assert url.get_backend_name() == "sqlite" and url.database == "app.db"


def test_runner_commands_on_mysql_never_import_sqlalchemy(scratch_db, tmp_path):
    """SQLAlchemy costs about a third of a second to import; only generate needs it."""
    (tmp_path / "0001_a.up.sql").write_text("CREATE TABLE a (id INT PRIMARY KEY);\n")
    (tmp_path / "0001_a.down.sql").write_text("DROP TABLE a;\n")
    script = (
        "import sys\n"
        "from sqlgen.cli import main\n"
        "for command in (['upgrade'], ['current'], ['status'], ['history'], ['downgrade', 'base']):\n"
        f"    try: main(['--url', {url_text(scratch_db)!r}, '--dir', {str(tmp_path)!r}, *command])\n"
        "    except SystemExit as exc: assert not exc.code, exc.code\n"
        "print(sorted(name for name in sys.modules if name.startswith('sqlalchemy')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "Database is now at version 0" in result.stdout


MODELS = '''
import sqlalchemy as sa

metadata = sa.MetaData()
for n in range({count}):
    parent = [sa.Column("parent_id", sa.Integer, sa.ForeignKey(f"t{{n - 1}}.id"))] if n else []
    sa.Table(f"t{{n}}", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(50), index=True, comment="a name"),
             sa.Column("n", sa.Integer, server_default=sa.text("0")), *parent)
'''


def test_generate_makes_the_same_few_round_trips_whatever_the_table_count(scratch, tmp_path, monkeypatch):
    """Reflection is a fixed handful of bulk queries sent in two round trips (server facts,
    then the schema), and no engine start-up queries: on a remote server each round trip counts."""
    import pymysql

    from sqlgen import commands
    from support import Output, create_all, make_config

    sent = []
    original = pymysql.connections.Connection.query
    monkeypatch.setattr(pymysql.connections.Connection, "query",
                        lambda self, sql, unbuffered=False: sent.append(sql) or original(self, sql, unbuffered))
    counts = {}
    for count in (2, 40):
        (tmp_path / f"models_{count}.py").write_text(MODELS.format(count=count))
        url = scratch.new()
        namespace = {}
        exec(MODELS.format(count=count), namespace)
        create_all(namespace["metadata"], url)
        config = make_config(url, f"models_{count}:metadata", tmp_path / f"m{count}", root=tmp_path)
        sent.clear()
        out = Output()
        commands.generate(config, "nothing", dry_run=True, echo=out)
        assert "No changes detected" in out.lines
        counts[count] = len(sent)
    assert counts[2] == counts[40] == 2, counts


def test_the_default_tls_context_is_made_once_and_only_when_asked_for():
    """PyMySQL would build it for every connection (some 20 ms of reading CA files each)."""
    import ssl

    from sqlgen.mysql import connection as database

    connection_class = database._connection_class()
    first = connection_class(host="127.0.0.1", defer_connect=True)
    second = connection_class(host="127.0.0.1", defer_connect=True)
    assert first._ctx is database._DEFAULT_TLS  # nothing made yet
    assert isinstance(first.ctx, ssl.SSLContext)  # made when the handshake needs it
    assert second.ctx is first.ctx
    explicit = connection_class(host="127.0.0.1", defer_connect=True, ssl_verify_cert=False, ssl_ca=None,
                                ssl={"check_hostname": False})
    assert explicit.ctx is not first.ctx  # TLS options of the URL get their own context


@pytest.mark.parametrize("option", ["client_flag=99999999999999999999", "client_flag=2147483648", "client_flag=-1",
                                    "connect_timeout=0", "connect_timeout=31536001", "read_timeout=0",
                                    "write_timeout=99999999999999", "max_allowed_packet=1023",
                                    "max_allowed_packet=1073741825", "read_timeout=\u0663"])
def test_whole_number_options_out_of_range_are_refused_before_pymysql(option):
    text = f"mysql+pymysql://u:pw@h/db?{option}"
    with pytest.raises(SqlgenError, match=f"invalid option {option.split('=')[0]} .*expected a whole number from"):
        _pymysql_args(parse_url(text), text)


def test_whole_number_options_at_their_bounds_are_taken():
    text = ("mysql+pymysql://u:pw@h/db?client_flag=0&connect_timeout=31536000&read_timeout=1&write_timeout=1"
            "&max_allowed_packet=1073741824")
    kwargs = _pymysql_args(parse_url(text), text)
    assert (kwargs["client_flag"], kwargs["connect_timeout"], kwargs["max_allowed_packet"]) == (0, 31536000, 1 << 30)


@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_a_port_out_of_range_is_refused(port):
    with pytest.raises(SqlgenError, match="invalid port in the database URL .*from 1 to 65535"):
        parse_url(f"mysql+pymysql://u:pw@h:{port}/db")


def test_ports_at_the_bounds_are_taken():
    assert parse_url("mysql://h:1/db").port == 1 and parse_url("mysql://h:65535/db").port == 65535


def test_an_unknown_user_gets_the_same_hint_as_a_wrong_password(scratch_db, tmp_path):
    from click.testing import CliRunner

    from sqlgen.cli import main

    for user in ("nosuchuser_sqlgen", "root:wrong-password"):
        url = f"mysql+pymysql://{user}@{scratch_db.host or '127.0.0.1'}:{scratch_db.port or 3306}/{scratch_db.database}"
        result = CliRunner().invoke(main, ["--url", url, "--dir", str(tmp_path), "current"])
        assert result.exit_code == 1 and "access denied; check the user name and password in the URL" in \
            result.output, result.output
        assert "wrong-password" not in result.output
