"""Source URIs: their scheme, and a form safe to show in messages."""

from __future__ import annotations

__all__ = ["hide_password", "split_scheme"]


def split_scheme(uri: str) -> tuple[str, str]:
    """``(scheme, rest)`` of a source URI; ``("", uri)`` for a bare path.

    A Windows drive letter (``C:\\data``) and a path with a colon after a slash are not
    schemes.

    Examples
    --------
    >>> split_scheme("csv:data/obs.csv"), split_scheme("data/obs.csv")
    (('csv', 'data/obs.csv'), ('', 'data/obs.csv'))
    >>> split_scheme("postgresql+psycopg://u@h/db")[0], split_scheme("C:\\\\x.csv")[0]
    ('postgresql+psycopg', '')
    """
    head, sep, rest = uri.partition(":")
    if sep and len(head) > 1 and "/" not in head:
        return head.lower(), rest
    return "", uri


def hide_password(uri: str) -> str:
    """``scheme://user:***@host/...`` for display: credentials never reach a message.

    Examples
    --------
    >>> hide_password("postgresql://scott:tiger@db:5432/x")
    'postgresql://scott:***@db:5432/x'
    >>> hide_password("sqlite:///tmp/x.db")
    'sqlite:///tmp/x.db'
    """
    head, sep, rest = uri.partition("://")
    authority = rest.split("/", 1)[0]
    if not sep or "@" not in authority:
        return uri
    creds, _, host = rest.partition("@")
    user = creds.split(":", 1)[0]
    return f"{head}://{user}:***@{host}" if ":" in creds else uri
