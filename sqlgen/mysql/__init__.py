"""MySQL and MariaDB: server facts, types, expressions, reflection, declaration, rendering."""

import re

from ..diff import Rules
from .types import takes_collation

_FOUR_BYTE = re.compile("[\U00010000-\U0010FFFF]")


def reported_text(text: str) -> str:
    """Comments and defaults as information_schema shows them: utf8mb3, so any
    4-byte character (emoji) reads back as '?'."""
    return _FOUR_BYTE.sub("?", text)


# InnoDB creates an index for a foreign key that has none and refuses to drop one a key needs.
MYSQL_RULES = Rules(implicit_fk_indexes=True, takes_collation=takes_collation, reported_text=reported_text)
