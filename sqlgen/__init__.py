"""sqlgen: SQLAlchemy model edits in, plain SQL migrations out."""

__version__ = "0.1.0"
