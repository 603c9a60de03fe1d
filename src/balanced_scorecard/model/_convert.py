"""Small attrs converters shared by the model classes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class FrozenMap(tuple):  # type: ignore[type-arg]
    """A mapping frozen as ``((key, value), ...)`` in its original order, so that it hashes;
    :func:`thaw` turns it back into a dict."""

    __slots__ = ()


def to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Any iterable as a tuple (a typed stand-in for ``converter=to_tuple``, so type checkers
    accept lists where the field is a tuple)."""
    return tuple(value)


def str_tuple(value: Any) -> tuple[str, ...]:
    """A single string or an iterable of strings as a tuple of strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    return (str(value),)


def freeze(value: Any) -> Any:
    """Recursively turn dicts into :class:`FrozenMap` and lists into tuples, for hashing.

    Examples
    --------
    >>> freeze({"b": [1, 2], "a": {"x": 1}})
    (('b', (1, 2)), ('a', (('x', 1),)))
    >>> thaw(freeze({"b": [1, 2], "a": {"x": 1}}))
    {'b': [1, 2], 'a': {'x': 1}}
    """
    if isinstance(value, FrozenMap):
        return value
    if isinstance(value, dict):
        return FrozenMap((_key(k), freeze(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def _key(key: Any) -> str:
    # YAML 1.1 reads unquoted yes/no keys as booleans; the author meant the words.
    if isinstance(key, bool):
        return "yes" if key else "no"
    return str(key)


def frozen_options(value: Any) -> tuple[tuple[str, Any], ...]:
    """Converter for keyword options (scoring params, source options): sorted frozen pairs."""
    if value is None:
        return ()
    if isinstance(value, dict):
        return tuple(sorted((str(k), freeze(v)) for k, v in value.items()))
    return tuple((str(k), freeze(v)) for k, v in value)


def thaw(value: Any) -> Any:
    """Undo :func:`freeze`: dicts and lists again."""
    if isinstance(value, FrozenMap):
        return {k: thaw(v) for k, v in value}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value
