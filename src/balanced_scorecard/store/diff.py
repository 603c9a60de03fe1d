"""Field-by-field differences between two scorecard definitions (their ``to_dict()`` data).

Paths follow the definition format: dicts by key (``.thresholds.target``), lists of objects
with a unique ``id`` (or, failing that, ``name``) by that key (``objectives[grow].
indicators[revenue]``), other lists of objects by position (``links[0]``). Lists of plain
values (``contributors``, ``tags``, breakpoints) are compared as a whole. An added or removed
object is one row holding the whole object.

Examples
--------
>>> before = {"id": "acme", "indicators": [{"id": "revenue", "thresholds": {"target": 100}}]}
>>> after = {"id": "acme", "indicators": [{"id": "revenue", "thresholds": {"target": 120}},
...                                       {"id": "churn"}]}
>>> print(diff_definitions(before, after).to_string())
                                   path before           after    change
0  indicators[revenue].thresholds.target    100             120  modified
1                      indicators[churn]   None  {'id': 'churn'}     added
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from balanced_scorecard.model.scorecard import Scorecard

__all__ = ["DIFF_COLUMNS", "diff_definitions"]

#: Columns of every diff frame.
DIFF_COLUMNS = ("path", "before", "after", "change")

Row = tuple[str, Any, Any, str]


def _key_field(items: list[Any]) -> str | None:
    for field in ("id", "name"):
        if all(isinstance(x, Mapping) and isinstance(x.get(field), str) for x in items):
            keys = [x[field] for x in items]
            if len(set(keys)) == len(keys):
                return field
    return None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _walk(path: str, a: Any, b: Any, out: list[Row]) -> None:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in a:
            if key not in b:
                out.append((_join(path, str(key)), a[key], None, "removed"))
            else:
                _walk(_join(path, str(key)), a[key], b[key], out)
        out.extend((_join(path, str(k)), None, b[k], "added") for k in b if k not in a)
        return
    if isinstance(a, list) and isinstance(b, list) and (a or b):
        objects = all(isinstance(x, Mapping) for x in [*a, *b])
        if objects:
            key_a = _key_field(a) if a else None
            key_b = _key_field(b) if b else None
            field = (key_a if key_a == key_b else None) if a and b else key_a or key_b
            if field is not None:
                left = {x[field]: x for x in a}
                right = {x[field]: x for x in b}
                for key, item in left.items():
                    if key not in right:
                        out.append((f"{path}[{key}]", item, None, "removed"))
                    else:
                        _walk(f"{path}[{key}]", item, right[key], out)
                out.extend(
                    (f"{path}[{key}]", None, item, "added")
                    for key, item in right.items()
                    if key not in left
                )
                return
            for i in range(max(len(a), len(b))):
                if i >= len(b):
                    out.append((f"{path}[{i}]", a[i], None, "removed"))
                elif i >= len(a):
                    out.append((f"{path}[{i}]", None, b[i], "added"))
                else:
                    _walk(f"{path}[{i}]", a[i], b[i], out)
            return
    if a != b or (type(a) is not type(b) and not (_number(a) and _number(b))):
        out.append((path, a, b, "modified"))


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _plain(value: Scorecard | Mapping[str, Any]) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else value.to_dict()


def diff_definitions(
    before: Scorecard | Mapping[str, Any], after: Scorecard | Mapping[str, Any]
) -> pd.DataFrame:
    """What changed from ``before`` to ``after``, one row per changed field.

    Parameters
    ----------
    before, after
        Two scorecards, or their ``to_dict()`` data.

    Returns
    -------
    pandas.DataFrame
        Columns ``path``, ``before``, ``after``, ``change`` (``added``, ``removed``,
        ``modified``), in document order; empty when nothing changed. ``1`` and ``1.0`` are
        the same number; ``True`` and ``1`` are not.
    """
    rows: list[Row] = []
    _walk("", _plain(before), _plain(after), rows)
    frame = pd.DataFrame(rows, columns=list(DIFF_COLUMNS), dtype=object)
    frame["path"] = frame["path"].astype(str)
    frame["change"] = frame["change"].astype(str)
    return frame
