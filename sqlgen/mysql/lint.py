"""What each MySQL/MariaDB statement risks, and how the server will run it.

Statements are read clause by clause. With the current schema, a MODIFY is
compared with the column it replaces (narrowing, NOT NULL, ENUM values); with
the server's version, each ALTER TABLE gets the algorithm the server's online
DDL rules give it: INSTANT and INPLACE without a rebuild are silent, a
rebuild or a copy of the table is reported (ALGORITHM_RULES below).
"""

from __future__ import annotations

import re

from ..lint import CODES, Finding
from . import types

_TOKEN = re.compile(
    r"""(?P<string>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")"""
    r"""|(?P<ident>`(?:[^`]|``)*`)"""
    r"""|(?P<word>[A-Za-z0-9_$.@]+)"""
    r"""|(?P<op>\S)""",
    re.S,
)
# Words after a column's type that end it.
_TYPE_END = {"not", "null", "default", "auto_increment", "comment", "as", "generated", "primary", "unique", "key",
             "first", "after", "on", "check", "references", "invisible", "visible", "constraint", "collate"}

# How the server runs each kind of change, cheapest first. "rebuild" is
# ALGORITHM=INPLACE rewriting every row; "copy" is ALGORITHM=COPY.
RANK = {"instant": 0, "inplace": 1, "rebuild": 2, "copy": 3}


class _Clause:
    def __init__(self, tokens, text: str):
        self.tokens = tokens
        self.words = [value.lower() if kind == "word" else value for kind, value, _, _ in tokens]
        self.text = text

    def name(self, i: int) -> str:
        return _unquote(self.tokens[i][1]) if i < len(self.tokens) else ""

    def index_of(self, *words) -> int | None:
        for i, word in enumerate(self.words):
            if word in words:
                return i
        return None


def analyse(statements, schema, server) -> list[Finding]:
    findings: list[Finding] = []
    foreign_key_checks = True
    for statement in statements:
        text = statement.text
        tokens = [(m.lastgroup, m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        words = [value.lower() if kind == "word" else value for kind, value, _, _ in tokens]
        if not words:
            continue

        def add(code: str, target: str, message: str | None = None) -> None:
            findings.append(Finding(code, target, message or CODES[code][1], statement.line))

        if words[:2] == ["set", "foreign_key_checks"] or (len(words) > 3 and "foreign_key_checks" in words[:4]):
            foreign_key_checks = "0" not in words
        if words[0] == "drop" and "table" in words[1:3]:
            for name in _names_after(tokens, words, words.index("table") + 1):
                add("drop-table", name, f"drops table {name} and every row in it")
        elif words[0] == "drop" and words[1:2] == ["sequence"]:
            for name in _names_after(tokens, words, 2):
                add("drop-sequence", name, f"drops sequence {name}: created again, it starts over and hands out "
                                           "values already used")
        elif words[0] == "truncate":
            name = _unquote(tokens[-1][1])
            add("truncate", name, f"deletes every row of {name}")
        elif words[0] == "rename" and words[1] == "table":
            add("rename", _unquote(tokens[2][1]), f"renames table {_unquote(tokens[2][1])}: code that still uses "
                                                    "the old name breaks")
        elif words[0] == "create" and "index" in words[:4]:
            table = _unquote(tokens[words.index("on") + 1][1]) if "on" in words else "?"
            if words[1] == "unique":
                index = _unquote(tokens[3][1]) if len(tokens) > 3 else "?"
                add("unique", f"{table}.{index}", f"adds unique index {index} on {table}: the statement fails on "
                                                  "duplicates")
            if words[1] in ("fulltext", "spatial") and server is not None:
                add("blocks-writes", table, f"a {words[1].upper()} index on {table}: writes wait until it is "
                                            "built (LOCK=SHARED)")
        elif words[0] in ("delete", "update") and "where" not in words:
            target = _unquote(tokens[2][1]) if words[0] == "delete" and len(tokens) > 2 else _unquote(tokens[1][1])
            add("delete-all", target, f"{words[0].upper()} without WHERE touches every row of {target}")
        elif words[0] == "alter" and "table" in words[:4]:
            at = words.index("table") + 1
            table_name = _unquote(tokens[at][1])
            table = schema.table(table_name) if schema is not None else None
            clauses = _clauses(tokens[at + 1:], text)
            algorithms = []
            for clause in clauses:
                algorithms.append(_clause(clause, table_name, table, server, foreign_key_checks, add))
            explicit = _explicit(clauses)
            if server is not None and algorithms:
                worst = max(algorithms, key=lambda pair: RANK[pair[0]])
                _report_algorithm(worst, explicit, table_name, server, add)
    return findings


def _clause(clause: _Clause, table_name: str, table, server, foreign_key_checks: bool, add):
    """Report a clause's risks; return (algorithm, why) the server uses for it."""
    w = clause.words
    if not w:
        return ("instant", "")
    head = w[0]
    if head == "add":
        rest, constraint = w[1:], ""
        if rest and rest[0] == "constraint":
            if len(rest) > 2 and rest[1] not in ("primary", "unique", "foreign", "check"):
                constraint = clause.name(2)
                rest = rest[2:]
            else:
                rest = rest[1:]
        kind = rest[0] if rest else ""
        if kind == "unique":
            # ADD UNIQUE [INDEX|KEY] [name] (columns)
            after = [word for word in rest[1:3] if word not in ("index", "key")]
            constraint = constraint or (clause.name(w.index(after[0])) if after and after[0] != "(" else "")
        target = f"{table_name}.{constraint}" if constraint else table_name
        if kind in ("primary",):
            add("unique", table_name, f"adds a primary key to {table_name}: the statement fails on duplicates "
                                      "or NULLs")
            return ("rebuild", "a new primary key")
        if kind == "unique":
            add("unique", target, f"adds unique index {constraint or '(unnamed)'} on {table_name}: the statement "
                                  "fails on duplicates")
            return ("inplace", "")
        if kind in ("index", "key"):
            return ("inplace", "")
        if kind in ("fulltext", "spatial"):
            add("blocks-writes", table_name, f"a {kind.upper()} index on {table_name}: writes wait until it is "
                                             "built (LOCK=SHARED)")
            return ("inplace", "")
        if kind == "foreign":
            add("add-foreign-key", target, f"adds foreign key {constraint or '(unnamed)'} to {table_name}: the "
                                           "statement fails if rows point at missing parents")
            return ("copy", "a new foreign key, with foreign_key_checks on") if foreign_key_checks else \
                ("inplace", "")
        if kind == "check":
            add("add-check", target, f"adds CHECK {constraint or '(unnamed)'} to {table_name}: the statement fails "
                                     "if rows break it")
            return ("copy", "a new CHECK constraint")
        # ADD [COLUMN] definition
        start = 2 if len(w) > 1 and w[1] == "column" else 1
        return _add_column(clause, start, table_name, table, server, add)
    if head == "drop":
        kind = w[1] if len(w) > 1 else ""
        if kind == "primary":
            add("drop-primary-key", table_name, f"drops the primary key of {table_name}")
            return ("copy", "a dropped primary key")
        if kind == "foreign":
            add("drop-foreign-key", f"{table_name}.{clause.name(3)}",
                f"drops foreign key {clause.name(3)} of {table_name}: rows may now point at missing parents")
            return ("inplace", "")
        if kind in ("check", "constraint"):
            name = clause.name(2)
            add("drop-check", f"{table_name}.{name}", f"drops constraint {name} of {table_name}: rows it kept out "
                                                      "can come in")
            return ("inplace", "")
        if kind in ("index", "key"):
            return ("inplace", "")
        name = clause.name(2 if kind == "column" else 1)
        column = table.column(name) if table is not None else None
        if column is not None and column.generated is not None:
            if not column.generated.stored:
                return ("instant", "")
            add("drop-generated", f"{table_name}.{name}", f"drops stored generated column {table_name}.{name}")
            return ("rebuild", "a dropped stored column")
        add("drop-column", f"{table_name}.{name}", f"drops column {table_name}.{name} and its data")
        return _version_rule(server, instant=((10, 4), (8, 0, 29)), otherwise=("rebuild", "a dropped column"))
    if head in ("modify", "change"):
        skip = 2 if len(w) > 1 and w[1] == "column" else 1
        old_name = clause.name(skip)
        start = skip + 1 if head == "change" else skip
        new_name = clause.name(start)
        if head == "change" and old_name != new_name:
            add("rename", f"{table_name}.{old_name}", f"renames {table_name}.{old_name} to {new_name}: code that "
                                                      "still uses the old name breaks")
        return _modify(clause, start, old_name, table_name, table, server, add)
    if head == "rename":
        if len(w) > 1 and w[1] == "column":
            add("rename", f"{table_name}.{clause.name(2)}", f"renames {table_name}.{clause.name(2)} to "
                                                            f"{clause.name(4)}: code that still uses the old name "
                                                            "breaks")
            return ("instant", "")
        if len(w) > 1 and w[1] in ("to", "as") or (len(w) > 1 and w[1] not in ("index", "key")):
            add("rename", table_name, f"renames table {table_name}: code that still uses the old name breaks")
        return ("instant", "")
    if head == "engine":
        engine = clause.name(len(w) - 1)
        if table is not None and table.options.engine and engine.lower() == table.options.engine.lower():
            return ("rebuild", "ENGINE unchanged (a rebuild)")
        return ("copy", "a change of engine")
    if head == "convert":
        return ("copy", "converting every text column to a new character set")
    if head == "force":
        return ("rebuild", "FORCE")
    return ("instant", "")  # COMMENT, DEFAULT CHARSET, AUTO_INCREMENT, ALGORITHM, LOCK...


def _add_column(clause: _Clause, start: int, table_name: str, table, server, add):
    name, column_type, nullable, has_default, generated, stored, auto = _definition(clause, start)
    w = clause.words
    if not nullable and not has_default and not auto and not generated:
        add("not-null", f"{table_name}.{name}", f"adds NOT NULL column {table_name}.{name} without a default: "
                                                "existing rows get the type's implicit value (0, '' or a zero date)")
    if auto:
        return ("copy", "a new AUTO_INCREMENT column")
    if generated:
        return ("copy", "a new stored generated column") if stored else ("instant", "")
    positioned = "after" in w or "first" in w
    if positioned:
        return _version_rule(server, instant=((10, 4), (8, 0, 29)), otherwise=("rebuild", "a column added in the "
                                                                                      "middle"))
    return _version_rule(server, instant=((10, 3, 2), (8, 0, 12)), otherwise=("rebuild", "a new column"))


def _modify(clause: _Clause, start: int, old_name: str, table_name: str, table, server, add):
    name, new_type, nullable, _, generated, stored, _ = _definition(clause, start)
    where = f"{table_name}.{old_name}"
    old = table.column(old_name) if table is not None else None
    moved = "after" in clause.words or "first" in clause.words
    if old is None:
        if table is None:
            add("change-type", where, f"changes the definition of {where}; without the database sqlgen cannot "
                                      "tell if it narrows")
        return ("copy", "a column change of unknown effect") if server is not None else ("instant", "")
    old_type = old.type
    if new_type and new_type != old_type:
        if types.type_base(old_type) == types.type_base(new_type) and types.type_base(old_type) in ("enum", "set"):
            old_values = types.parse_string_list(old_type[old_type.index("(") + 1: old_type.rindex(")")])
            new_values = types.parse_string_list(new_type[new_type.index("(") + 1: new_type.rindex(")")])
            removed = [value for value in old_values if value not in new_values]
            if removed:
                add("enum-values", where, f"removes {', '.join(repr(v) for v in removed)} from {where}: rows "
                                          "holding them fail (strict mode) or become ''")
            elif new_values[: len(old_values)] != old_values:
                add("enum-values", where, f"changes the order of the values of {where}: ORDER BY and numeric "
                                          "uses of the column change")
            if new_values[: len(old_values)] != old_values:
                return ("copy", f"changed {types.type_base(old_type).upper()} values of {where}")
            return ("instant", "")
        if types.types_narrow(old_type, new_type):
            add("narrow-type", where, f"narrows {where} from {old_type} to {new_type}: values that do not fit "
                                      "fail (strict mode) or are cut")
        if _varchar_grows_in_place(old_type, new_type):
            return ("inplace", "")
        return ("copy", f"a type change of {where} ({old_type} to {new_type})")
    if old.nullable and not nullable:
        add("not-null", where, f"makes {where} NOT NULL: the statement fails if a row holds NULL")
        return ("rebuild", f"{where} becoming NOT NULL")
    if not old.nullable and nullable:
        return ("rebuild", f"{where} becoming nullable")
    if (old.generated is None) != (not generated) or (old.generated and old.generated.stored != stored):
        return ("copy", f"a change to the generated column {where}")
    if moved:
        return _version_rule(server, instant=((10, 4), None), otherwise=("rebuild", f"moving {where}"))
    return ("instant", "")


def _varchar_grows_in_place(old: str, new: str) -> bool:
    """VARCHAR(n) -> VARCHAR(m), m > n, keeping the 1- or 2-byte length prefix: no copy."""
    if types.type_base(old) != "varchar" or types.type_base(new) != "varchar":
        return False
    old_length, new_length = int(old[8:-1]), int(new[8:-1])
    return new_length >= old_length and (new_length * 4 < 256) == (old_length * 4 < 256)


def _definition(clause: _Clause, start: int):
    """(name, canonical type, nullable, has default, generated, stored, auto_increment) of a column definition."""
    tokens, w = clause.tokens, clause.words
    name = clause.name(start)
    i = start + 1
    type_start = tokens[i][2] if i < len(tokens) else len(clause.text)
    depth = 0
    while i < len(tokens):
        if w[i] == "(":
            depth += 1
        elif w[i] == ")":
            depth -= 1
        elif depth == 0 and w[i] in _TYPE_END and not (w[i] == "collate"):
            break
        i += 1
    type_end = tokens[i][2] if i < len(tokens) else len(clause.text)
    type_text = clause.text[type_start:type_end]
    try:
        column_type = types.parse_type(type_text).type if type_text.strip() else ""
    except ValueError:
        column_type = ""
    rest = w[i:]
    nullable = not any(rest[j] == "not" and j + 1 < len(rest) and rest[j + 1] == "null" for j in range(len(rest)))
    generated = "as" in rest
    return (name, column_type, nullable, "default" in rest, generated, "stored" in rest or "persistent" in rest,
            "auto_increment" in rest)


def _version_rule(server, instant, otherwise):
    """INSTANT from the given MariaDB / MySQL versions on, `otherwise` before."""
    if server is None:
        return ("instant", "")
    mariadb, mysql = instant
    since = mariadb if server.is_mariadb else mysql
    if since is not None and server.version >= since:
        return ("instant", "")
    return otherwise


def _explicit(clauses) -> dict:
    found = {}
    for clause in clauses:
        if clause.words and clause.words[0] in ("algorithm", "lock"):
            found[clause.words[0]] = clause.words[-1]
    return found


def _report_algorithm(worst, explicit: dict, table_name: str, server, add) -> None:
    algorithm, why = worst
    chosen = explicit.get("algorithm")
    if chosen in ("instant", "inplace"):
        return  # the server refuses the statement rather than copy: nothing silent
    if algorithm == "copy" or chosen == "copy":
        add("table-copy", table_name, f"expected ALGORITHM=COPY on {server.label} ({why}): the whole table is "
                                      "copied and writes wait until it ends")
    elif algorithm == "rebuild":
        add("table-rebuild", table_name, f"expected ALGORITHM=INPLACE with a rebuild on {server.label} ({why}): "
                                         "every row is rewritten; writes go on meanwhile")


def _clauses(tokens, text: str) -> list[_Clause]:
    clauses, current, depth = [], [], 0
    for token in tokens:
        value = token[1]
        if value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
        if value == "," and depth == 0:
            clauses.append(_Clause(current, text))
            current = []
            continue
        current.append(token)
    if current:
        clauses.append(_Clause(current, text))
    return clauses


def _names_after(tokens, words, start: int) -> list[str]:
    names = []
    i = start
    if words[i:i + 2] == ["if", "exists"]:
        i += 2
    for kind, value, _, _ in tokens[i:]:
        if kind in ("ident", "word") and value.lower() not in ("cascade", "restrict"):
            names.append(_unquote(value))
    return names


def _unquote(value: str) -> str:
    if value[:1] == "`" and value[-1:] == "`":
        return value[1:-1].replace("``", "`")
    return value
