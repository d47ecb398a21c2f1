"""Sequences on MariaDB 10.3+: what the server fills in, what it refuses, how they are written.

MariaDB keeps a sequence as a one-row table; information_schema.TABLES lists it
with TABLE_TYPE 'SEQUENCE', and reading that row gives its options. An option
left out of CREATE SEQUENCE takes the server's default, which depends on the sign
of the increment; `NO MINVALUE` and `NO MAXVALUE` give the positive defaults
whatever the increment (checked against MariaDB 10.11). A declared sequence is
compared with every option filled in so, and written with only those that differ
from what the server would fill in.
"""

from __future__ import annotations

import re

from ..errors import SqlgenError
from ..schema import Sequence
from .dialect import quote_identifier as q

LONGLONG_MAX = 2**63 - 1
LONGLONG_MIN = -(2**63)
DEFAULT_CACHE = 1000
_NO_MINIMUM, _NO_MAXIMUM = 1, LONGLONG_MAX - 1  # what NO MINVALUE / NO MAXVALUE leave


def server_defaults(increment: int) -> dict[str, int | bool]:
    """What the server fills in for options CREATE SEQUENCE leaves out."""
    minimum = LONGLONG_MIN + 1 if increment < 0 else 1
    maximum = -1 if increment < 0 else LONGLONG_MAX - 1
    return {"increment": 1, "minimum": minimum, "maximum": maximum, "start": maximum if increment < 0 else minimum,
            "cache": DEFAULT_CACHE, "cycle": False}


def declared(sequence, name: str, where: str) -> Sequence:
    """The Sequence a SQLAlchemy `sa.Sequence` makes on the server, refused in one line
    (naming it) when the server would not create it."""
    given = {"increment": sequence.increment, "start": sequence.start, "minimum": sequence.minvalue,
             "maximum": sequence.maxvalue, "cache": sequence.cache}
    for option, value in given.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise SqlgenError(f"{where}: its {option} is {value!r}, not a whole number; give a whole number")
    increment = 1 if given["increment"] is None else given["increment"]
    values = server_defaults(increment)
    values["increment"] = increment
    if sequence.nominvalue:
        values["minimum"] = _NO_MINIMUM
    if sequence.nomaxvalue:
        values["maximum"] = _NO_MAXIMUM
    for option in ("minimum", "maximum", "cache"):
        if given[option] is not None:
            values[option] = given[option]
    values["start"] = given["start"] if given["start"] is not None else (
        values["maximum"] if increment < 0 else values["minimum"])
    if sequence.cycle is not None:
        values["cycle"] = bool(sequence.cycle)
    result = Sequence(name, **values)
    check(result, where)
    return result


def check(sequence: Sequence, where: str) -> None:
    """Refuse what MariaDB answers with error 4085 ("out of range value for options")."""
    s = sequence
    for option in ("increment", "start", "minimum", "maximum", "cache"):
        value = getattr(s, option)
        if not LONGLONG_MIN <= value <= LONGLONG_MAX:
            raise SqlgenError(f"{where}: its {option} {value} does not fit in a signed 64-bit integer")
    step = abs(s.increment) or 1
    problem = None
    if s.maximum == LONGLONG_MAX or s.minimum == LONGLONG_MIN:
        problem = f"its values must lie strictly between {LONGLONG_MIN} and {LONGLONG_MAX}"
    elif s.minimum >= s.maximum:
        problem = f"its MINVALUE {s.minimum} is not below its MAXVALUE {s.maximum}"
    elif not s.minimum <= s.start <= s.maximum:
        problem = f"it starts at {s.start}, outside MINVALUE {s.minimum} to MAXVALUE {s.maximum}"
    elif not 0 <= s.cache < (LONGLONG_MAX - step) // step:
        problem = f"its CACHE {s.cache} is out of range"
    if problem:
        raise SqlgenError(f"{where} cannot be created: {problem}, which MariaDB refuses; fix its options")


def reflected(name: str, row) -> Sequence:
    """A Sequence from its row (start_value, increment, minimum_value, maximum_value, cache_size,
    cycle_option, next_not_cached_value)."""
    start, increment, minimum, maximum, cache, cycle, *reached = row
    return Sequence(name, int(start), int(increment), int(minimum), int(maximum), int(cache), bool(int(cycle)),
                    int(reached[0]) if reached and reached[0] is not None else None)


def values_sql(names: list[str]) -> str:
    """One query reading every sequence's options, each row led by its place in `names`."""
    return "\nUNION ALL ".join(
        f"SELECT {number}, start_value, increment, minimum_value, maximum_value, cache_size, cycle_option, "
        f"next_not_cached_value FROM {q(name)}" for number, name in enumerate(names))


_NAME = r"(?:`(?:[^`]|``)+`|[\w$]+)"
_VALUE_FOR = re.compile(r"\b(NEXT|PREVIOUS)\s+VALUE\s+FOR\s+(" + _NAME + r"(?:\s*\.\s*" + _NAME + r")?)", re.I)
_QUOTED = re.compile(r"""('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")""", re.S)
_CALL = re.compile(r"\b(nextval|lastval|setval)\(\s*(" + _NAME + r")\s*\.\s*", re.I)


def calls_in(text: str, database: str | None) -> str:
    """A default's calls on sequences in the form MariaDB reports them, minus the current
    database: `NEXT VALUE FOR s` and `nextval(`app`.`s`)` both read `nextval(s)`. Quoted
    text is left as it is."""
    return "".join(part if part[:1] in ("'", '"') else _calls(part, database) for part in _QUOTED.split(text))


def _calls(text: str, database: str | None) -> str:
    text = _VALUE_FOR.sub(lambda m: ("nextval(" if m.group(1).lower() == "next" else "lastval(") + m.group(2) + ")",
                          text)

    def unqualified(match) -> str:
        name = match.group(2)
        name = name[1:-1].replace("``", "`") if name.startswith("`") else name
        return match.group(1) + "(" if name == database else match.group()

    return _CALL.sub(unqualified, text)


_WORDS = {"increment": "INCREMENT BY {}", "start": "START WITH {}", "minimum": "MINVALUE {}",
          "maximum": "MAXVALUE {}", "cache": "CACHE {}"}


def _option(name: str, value) -> str:
    if name == "cycle":
        return "CYCLE" if value else "NOCYCLE"  # MariaDB refuses "NO CYCLE", which SQLAlchemy writes
    return _WORDS[name].format(value)


def create(sequence: Sequence) -> str:
    """CREATE SEQUENCE with the options the server would not fill in by itself."""
    defaults = server_defaults(sequence.increment)
    defaults["increment"] = 1
    options = [_option(name, getattr(sequence, name)) for name in Sequence.OPTIONS
               if getattr(sequence, name) != defaults[name]]
    return " ".join([f"CREATE SEQUENCE {q(sequence.name)}"] + options)


def alter(old: Sequence, new: Sequence) -> str:
    """ALTER SEQUENCE with the options that change; its next value stays where it is, unless
    the new range leaves it behind: then it restarts at the new start, which is past every value
    handed out (MariaDB refuses the ALTER otherwise, error 4085). Where the sequence has gone
    past the new range's end, it is refused."""
    options = [_option(name, getattr(new, name)) for name in Sequence.OPTIONS if getattr(old, name) != getattr(new, name)]
    reached = old.next_value
    if reached is not None and not new.minimum <= reached <= new.maximum:
        rising = new.increment >= 0
        if (reached < new.minimum) if rising else (reached > new.maximum):
            options.append(f"RESTART WITH {new.start}")
        else:
            end = "MAXVALUE" if rising else "MINVALUE"
            raise SqlgenError(f"sequence {new.name} has already reached {reached}, past its new {end} "
                              f"{new.maximum if rising else new.minimum}, so MariaDB cannot keep it going there; "
                              f"give it a {end} past {reached}, or restart it in a migration of its own "
                              "(ALTER SEQUENCE ... RESTART), knowing its values would come again")
    return " ".join([f"ALTER SEQUENCE {q(new.name)}"] + options)


def drop(sequence: Sequence) -> str:
    return f"DROP SEQUENCE {q(sequence.name)}"
