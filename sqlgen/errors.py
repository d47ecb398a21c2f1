"""The one error class the CLI turns into a clean, one-line message."""


class SqlgenError(Exception):
    """A problem the user can fix: bad input, unreachable server, broken file.

    The message is shown as is, on one line, without a traceback (unless
    --verbose). It must say what is wrong and what to do, and must never
    contain a password.
    """
