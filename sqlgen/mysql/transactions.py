"""Which statements InnoDB can roll back: a file of only these runs in one transaction."""

from __future__ import annotations

import re

from ..migrations import FIRST_WORD, WHOLLY_VERSIONED
from ..splitter import assignments

TRANSACTIONAL = frozenset({"insert", "update", "delete", "replace", "select", "with", "set", "do", "values", "table"})
# What a SET assignment may name to end, start or shape transactions itself.
_TRANSACTION_CONTROL = re.compile(
    r"\s*(?:(?:session|global|local)\s+)?(?:@@(?:session\.|global\.|local\.)?)?"
    r"(?:transaction|autocommit|tx_isolation|transaction_isolation|completion_type)\b", re.I)
_SET_WORD = re.compile(r"(?:/\*!\d*\s*)?set\s+", re.I)


def is_transactional(text: str) -> bool:
    versioned = WHOLLY_VERSIONED.fullmatch(text)
    if versioned:
        # What the server runs is inside; code after another */ would be read differently.
        return "*/" not in versioned.group(1) and "/*" not in versioned.group(1) and is_transactional(versioned.group(1))
    match = FIRST_WORD.match(text)
    return bool(match) and match.group(1).lower() in TRANSACTIONAL and not _controls_transactions(text)


def _controls_transactions(text: str) -> bool:
    """A SET any of whose assignments ends, starts or shapes transactions (`SET @a = 1, autocommit = 0`)."""
    prefix = _SET_WORD.match(text)
    return bool(prefix) and any(_TRANSACTION_CONTROL.match(part) for part in assignments(text[prefix.end():]))
