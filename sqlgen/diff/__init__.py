"""Compare two Schemas and plan the statements that turn one into the other.

- `plan`: `diff`, the statements in the order the server accepts;
- `core`: the dialect's `Rules`, and the changes inside one table (columns,
  primary key, checks, options);
- `keys`: indexes and foreign keys, which the server pairs;
- `renames`: declared renames, renames of letter case only, and likely ones.

Nothing here knows a dialect by name: what differs comes in `Rules`.
"""

from .core import Rules
from .plan import diff
from .renames import apply_renames, rename_candidates

__all__ = ["Rules", "apply_renames", "diff", "rename_candidates"]
