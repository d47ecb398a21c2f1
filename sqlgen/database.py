"""What the dialects' connection code shares: database URLs read without importing
SQLAlchemy, passwords masked in every message, and errors that name the server."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import SqlgenError

EXAMPLE_URL = "mysql+pymysql://user:password@host/dbname"  # the form error messages show; no secret in it
# A URL option whose name says it holds a secret: its value is never shown.
_SECRET_WORDS = ("pass", "pwd", "secret", "token")


def _is_secret_key(key: str) -> bool:
    from urllib.parse import unquote_plus

    name = unquote_plus(key).lower()  # as parse_qsl reads it: %70asswd is passwd
    return any(word in name for word in _SECRET_WORDS)


def mask_url(url: str) -> str:
    """The URL with its password, and the values of secret-named options, replaced by ***,
    even when it does not parse (an unencoded '@' in the password, no '@host' at all)."""
    if "@" in url.partition("://")[2]:
        # Greedy up to the last '@': an unencoded '@' in the password stays hidden.
        url = re.sub(r"(://[^:/@]*:).*@", r"\1***@", url, count=1, flags=re.S)
        url = re.sub(r"(://[^:/@]*@).*@", r"\1***@", url, count=1, flags=re.S)  # user@secret@host
    else:
        # user:secret without '@host' reads as host:port; a "port" that is no port is the password.
        url = re.sub(r"(://(?!\[)[^:/?]*:)([^/?]+)",
                     lambda match: match[0] if _is_port(match[2]) else match[1] + "***", url, count=1)
    base, mark, query = url.partition("?")
    return base + mark + "&".join(_mask_option(part) for part in query.split("&")) if mark else url


def _is_port(text: str) -> bool:
    return re.fullmatch(r"[0-9]{1,5}", text) is not None and 1 <= int(text) <= 65535


def _mask_option(part: str) -> str:
    key, equals, _ = part.partition("=")
    return f"{key}=***" if equals and _is_secret_key(key) else part


# A URL ends at a space; quotes and punctuation after it are the sentence's. The scheme's length is
# bounded so that a long word without "://" costs one pass, not one per letter.
_URL_IN_TEXT = re.compile(r"""[A-Za-z][\w+.-]{0,30}://\S+?(?=['"),;:.]*(?:\s|$))""")
_OPTION_IN_TEXT = re.compile(r"""(?<![\w%.+-])([\w%.+-]+)=(?:'[^']*'|"[^"]*"|[^&\s'"]*)""")


def mask_text(text: str) -> str:
    """Any text with every URL in it masked (see mask_url), and every secret-named key=value.

    The last line of defence, for error messages and tracebacks: the sources mask
    URLs themselves, but a message may quote a URL or an option some other way.
    """
    def mask(piece: str) -> str:
        piece = _URL_IN_TEXT.sub(lambda match: mask_url(match[0]), piece)
        return _OPTION_IN_TEXT.sub(lambda match: f"{match[1]}=***" if _is_secret_key(match[1]) else match[0], piece)

    return EXAMPLE_URL.join(mask(piece) for piece in text.split(EXAMPLE_URL))


# scheme://user:password@host:port/database?options, as SQLAlchemy's make_url reads it.
_URL = re.compile(r"""
    (?P<scheme>[\w+]+)://
    (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
    (?:\[(?P<ipv6>[^/?]+)\]|(?P<host>[^/:?]+))?
    (?::(?P<port>[^/?]*))?
    (?:/(?P<database>[^?]*))?
    (?:\?(?P<query>.*))?
    $""", re.X | re.S)


def url_parts(url: str) -> re.Match:
    """The parts of a database URL (scheme, username, password, host, port, database, query)."""
    control = re.search(r"[\x00-\x1f\x7f-\x9f]", url.strip())
    if control:  # a NUL reaches no server or file; the others garble the messages that show the URL
        raise SqlgenError(f"invalid database URL {mask_url(url)!r}: it holds the control character "
                          f"{control[0]!r}; remove it, or write it percent-encoded")
    match = _URL.match(url.strip())
    if not match:
        raise invalid_url(url)
    return match


def invalid_url(url: str) -> SqlgenError:
    return SqlgenError(f"invalid database URL {mask_url(url)!r}: expected e.g. {EXAMPLE_URL}")


@dataclass
class Database:
    """How to open sessions on one database (each dialect's subclass says how), plus what
    error messages may say about it (never the password)."""

    where: str

    def cannot_connect(self, reason: str) -> SqlgenError:
        return SqlgenError(f"cannot connect to {self.where}: {reason}")


def close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # the session may already be gone; nothing is left to keep
        pass


def reason(exc, known: dict[int, str] | None = None) -> str:
    """The driver's message, with any URL in it masked (the password is never replaced as a
    substring: a short one would mangle every word that contains it)."""
    original = getattr(exc, "orig", exc)
    args = getattr(original, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    message = mask_text(str(args[1]) if len(args) > 1 else str(original))
    reason = (known or {}).get(code)
    if reason:
        return f"{reason} (server said: {message})"
    return message
