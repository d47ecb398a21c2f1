"""Models full of text whose reading depends on the session's sql_mode (tests/mysql/test_sql_mode_mysql.py).

Every value is meant as create_all writes it under the server's default sql_mode: a
backslash in a Python string is one backslash stored; a double-quoted SQL string in a
CHECK or a generated column is a string (not a name, as ANSI_QUOTES would read it); `||`
is OR (not CONCAT, as PIPES_AS_CONCAT would read it).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

# A default that ends its statement early if a backslash were read one way and written
# the other: x\'; DROP TABLE sentinel; --
EARLY_END = "x\\'; DROP TABLE sentinel; -- "
DEFAULTS = {
    "d_backslash": "a\\b",
    "d_early_end": EARLY_END,
    "d_quotes": "it's \"dq\" `bt` ''",
    "d_breaks": "nl\ntab\tcr\rend",
    "d_escapes": "\\n is not a newline, \\\\ two, \\' quote, \\t",
    "d_like": "100% _off_ \\% \\_",
    "d_trailing": "c:\\dir\\",
    "d_ansi": "\"name\" || 'x'",
}
ENUM_VALUES = ("plain", "a\\b", "it's", 'say "hi"', "`bt`", "nl\nx", "tab\tx", "cr\rx", "\\n", "100%_", "end\\",
               "x\\'); DROP TABLE sentinel; --")
SET_VALUES = ("a\\b", "q'", 'd"', "`b`", "\\n", "%", "_", "nl\nx")
COMMENT = "comment: \\ \\\\ \\n ' '' \" ` \n\t\r %_ x\\'; DROP TABLE sentinel; -- "
TABLE_COMMENT = "table \\ ' \" ` \n %_ c:\\dir\\"

# Generated columns and CHECKs: string literals with '' inside, a line break inside, a
# backslash escape, a double-quoted string, and || (OR in the default mode).
GENERATED = ("concat(`d_quotes`, 'it''s', 'line one\nline two', 'a\\\\b \\n', \"dq \"\" x \\\\\", '%_', "
             "`col \"q\" ``b```)")
GENERATED_STORED = "char_length('x''\ny\\\\z') + (`d_backslash` = 'a\\\\b') + (\"a\" = 'a')"
CHECK = ("`d_quotes` <> 'it''s\nlines \\\\ x' AND `d_backslash` <> \"no \"\"dq\"\" here\" "
         "AND (`id` > 0 || `d_like` = '')")
COLUMN_CHECK = "`c_checked` <> 'semi; -- ''x''\n/* c */' || `c_checked` IS NULL"


def _model() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("sentinel", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("v", sa.String(20)))
    sa.Table(
        "we\"ird`na'me %_",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        *[sa.Column(name, sa.String(80), server_default=value) for name, value in DEFAULTS.items()],
        sa.Column("kind", sa.Enum(*ENUM_VALUES, name="kind"), server_default="a\\b"),
        sa.Column("kind2", sa.Enum(*ENUM_VALUES, name="kind2"), server_default=ENUM_VALUES[-1]),
        sa.Column("flags", mysql.SET(*SET_VALUES), server_default="a\\b,q',\\n"),
        sa.Column("order", sa.String(200), comment=COMMENT),
        sa.Column('col "q" `b`', sa.String(20), comment="x\\"),
        sa.Column("c_checked", sa.String(60), sa.CheckConstraint(COLUMN_CHECK)),
        sa.Column("g_virtual", sa.String(250), sa.Computed(GENERATED)),
        sa.Column("g_stored", sa.Integer, sa.Computed(GENERATED_STORED, persisted=True)),
        sa.Column("r", sa.REAL),  # REAL_AS_FLOAT (in ANSI) would make it a float
        sa.CheckConstraint(CHECK, name="ck 'hostile' \"name\" `x`"),
        comment=TABLE_COMMENT,
    )
    return metadata


metadata = _model()


def _sentinel_only() -> sa.MetaData:
    """The models once the hostile table is gone: its drop's down file rebuilds it from the database."""
    only = sa.MetaData()
    metadata.tables["sentinel"].to_metadata(only)
    return only


sentinel_only = _sentinel_only()
