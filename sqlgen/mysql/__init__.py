"""MySQL and MariaDB: server facts, types, expressions, reflection, declaration, rendering."""

from ..diff import Rules
from .types import takes_collation

# InnoDB creates an index for a foreign key that has none and refuses to drop one a key needs.
MYSQL_RULES = Rules(implicit_fk_indexes=True, takes_collation=takes_collation)
