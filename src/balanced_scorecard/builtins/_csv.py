"""Reading an observation CSV without losing its good lines to a few bad ones.

pandas stops at the first ragged line (more fields than the header) and at a quote that is
never closed, and reports an undecodable byte at an offset within its read buffer. Here:

* a ragged line is left out by pandas' own parser (``on_bad_lines="warn"``) and comes back
  as a placeholder row carrying the reason in the ``quarantine`` column, so validation
  reports it with the file's line number and every other line is used;
* a line that opens a quote never closed is taken out and the file read again, up to
  :data:`MAX_REPAIRS` times, with the same placeholder;
* an encoding error becomes an :class:`~balanced_scorecard.exceptions.ObservationError`
  naming the file, the byte, its offset and line in the file, and the ``encoding`` to try.

The good path is one ``pandas.read_csv`` call; the repairs only run on a broken file.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from balanced_scorecard.exceptions import ObservationError

__all__ = ["MAX_REPAIRS", "read_observation_csv"]

#: How many never-closed quotes a file may have before reading it is given up.
MAX_REPAIRS = 20

# pandas' C parser: "Skipping line 3: expected 4 fields, saw 5"; the Python one adds "in line 3".
_SKIPPED = re.compile(r"Skipping line (\d+): [Ee]xpected (\d+) fields(?: in line \d+)?, saw (\d+)")
_EOF_IN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def read_observation_csv(location: Any, options: dict[str, Any]) -> pd.DataFrame:
    """``pandas.read_csv(location, **options)``, with bad lines as ``quarantine`` rows.

    When ``options`` name their own ``on_bad_lines``, pandas' behaviour is what the caller
    asked for and only encoding errors are rewritten.
    """
    name = os.fspath(location) if isinstance(location, str | os.PathLike) else repr(location)
    own = "on_bad_lines" not in options
    kwargs = {"on_bad_lines": "warn", **options} if own else dict(options)
    removed: list[int] = []  # original line numbers taken out for a quote
    spanning: set[int] = set()  # those of them whose quote closes lines later
    source: Any = location
    data: bytes | None = None
    for _ in range(MAX_REPAIRS + 1):
        try:
            frame, skipped = _read(source, kwargs, capture=own)
        except UnicodeDecodeError as exc:
            raise ObservationError(_encoding_problem(location, name, kwargs, exc)) from exc
        except pd.errors.ParserError as exc:
            found = _EOF_IN_QUOTE.search(str(exc))
            if data is None:
                data = _ascii_compatible_bytes(location, kwargs)
            line = int(found.group(1)) + 1 if found else None
            if line is None or data is None or not own:
                raise ObservationError(_parser_problem(name, exc, line)) from exc
            data, taken = _without_line(data, line, kwargs)
            if not taken:
                raise ObservationError(_parser_problem(name, exc, line)) from exc
            removed.append(_original(line, removed))
            source = io.BytesIO(data)
            continue
        # Two stray quotes parse without an error: the lines between them become one field.
        if not own or not _may_span_lines(frame, source if data is None else data, skipped):
            break
        if data is None:
            data = _ascii_compatible_bytes(location, kwargs)
        line = None if data is None else _spanning_line(frame, data, kwargs)
        if data is None or line is None:
            break
        data, _ = _without_line(data, line, kwargs)
        removed.append(_original(line, removed))
        spanning.add(removed[-1])
        source = io.BytesIO(data)
    else:
        raise ObservationError(
            f'cannot read {name!r}: more than {MAX_REPAIRS} lines open a quote (") that is '
            "never closed; check the file's quoting (is the separator right?)"
        )
    _reject_utf16_as_text(frame, name)
    if not skipped and not removed:
        return frame
    # Lines of skipped rows count in the repaired text: name them by the file's numbers.
    originals = [(_original(line, removed), exp, saw) for line, exp, saw in skipped]
    bad_lines = [(line, _ragged(name, line, exp, saw, kwargs)) for line, exp, saw in originals]
    bad_lines += [(line, _quote_reason(name, line, line in spanning)) for line in removed]
    return _with_placeholders(frame, bad_lines)


def _read(
    source: Any, kwargs: dict[str, Any], *, capture: bool
) -> tuple[pd.DataFrame, list[tuple[int, int, int]]]:
    """The frame and the (line, expected, saw) of every ragged line pandas skipped."""
    if not capture:
        return pd.read_csv(source, **kwargs), []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        frame = pd.read_csv(source, **kwargs)
    skipped: list[tuple[int, int, int]] = []
    for w in caught:
        found = list(_SKIPPED.finditer(str(w.message)))
        if found and issubclass(w.category, pd.errors.ParserWarning):
            skipped += [(int(m.group(1)), int(m.group(2)), int(m.group(3))) for m in found]
        else:  # not ours to swallow
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return frame, skipped


_ID_COLUMNS = ("indicator", "org_unit", "period")


def _newlines(source: Any) -> int | None:
    """Line breaks in a local file or in bytes (counted in chunks), None when unknown."""
    if isinstance(source, bytes):
        return source.count(b"\n")
    if not isinstance(source, str | os.PathLike) or not Path(source).is_file():
        return None
    count = 0
    with open(source, "rb") as fh:
        while chunk := fh.read(1 << 24):
            count += chunk.count(b"\n")
    return count


def _may_span_lines(frame: pd.DataFrame, source: Any, skipped: list[Any]) -> bool:
    """Whether some field may hold a line break. Cheap: a file with one line per record has
    as many line breaks as records, header and skipped lines (the last break optional);
    only when it does not (blank lines, multi-line fields) are the id columns searched."""
    breaks = _newlines(source)
    records = len(frame) + len(skipped)
    if breaks is not None and records <= breaks <= records + 1:
        return False
    return any(
        c in frame.columns and bool(frame[c].astype("string").str.contains("\n").any())
        for c in _ID_COLUMNS
    )


def _spanning_line(frame: pd.DataFrame, data: bytes, kwargs: dict[str, Any]) -> int | None:
    """The line that opens the first quoted id field holding a line break (1-based)."""
    quote = str(kwargs.get("quotechar", '"'))
    encoding = kwargs.get("encoding") or "utf-8"
    for c in _ID_COLUMNS:
        if c not in frame.columns:
            continue
        text = frame[c].astype("string")
        hits = np.flatnonzero(text.str.contains("\n").fillna(False).to_numpy(dtype=bool))
        if len(hits):
            head = str(text.iloc[hits[0]]).split("\n", 1)[0]
            at = data.find((quote + head).encode(encoding))
            return None if at < 0 else data.count(b"\n", 0, at) + 1
    return None


def _original(line: int, removed: list[int]) -> int:
    """A line number of the repaired text as a line number of the original file."""
    for r in sorted(removed):
        if r <= line:
            line += 1
    return line


def _ascii_compatible_bytes(location: Any, kwargs: dict[str, Any]) -> bytes | None:
    """The file's bytes when lines can be cut at b"\\n" (a local file, not UTF-16/32)."""
    encoding = kwargs.get("encoding") or "utf-8"
    try:
        if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
            return None
    except LookupError:
        return None
    if not isinstance(location, str | os.PathLike) or not Path(location).is_file():
        return None
    if kwargs.get("compression") not in (None, "infer") or str(location).endswith(
        (".gz", ".bz2", ".zip", ".xz", ".zst", ".tar")
    ):
        return None
    return Path(location).read_bytes()


def _without_line(data: bytes, line: int, kwargs: dict[str, Any]) -> tuple[bytes, bool]:
    """``data`` without its ``line``-th line (1-based), if that line holds the quote char."""
    lines = data.split(b"\n")
    quote = str(kwargs.get("quotechar", '"')).encode()
    if not 1 <= line <= len(lines) or quote not in lines[line - 1]:
        return data, False
    return b"\n".join(lines[: line - 1] + lines[line:]), True


def _ragged(name: str, line: int, expected: int, saw: int, kwargs: dict[str, Any]) -> str:
    sep = kwargs.get("sep", kwargs.get("delimiter", ","))
    return (
        f"line {line} of {name!r} has {saw} fields but the header has {expected}, so it was "
        f"left out (the other lines were read): a value probably holds the separator {sep!r}; "
        f'write numbers without grouping (1234, not 1,234) or quote the text ("a{sep}b")'
    )


def _quote_reason(name: str, line: int, spanning: bool) -> str:
    what = (
        "is closed only on a later line, which would read the lines between as one field"
        if spanning
        else "is never closed, which would read the rest of the file as one field"
    )
    return (
        f'line {line} of {name!r} opens a quote (") that {what}; the line was left out (the '
        "other lines were read): close the quote or remove it"
    )


def _parser_problem(name: str, exc: Exception, line: int | None) -> str:
    where = f" at line {line}" if line is not None else ""
    return (
        f"cannot read {name!r}{where}: {exc}. Check the separator (option sep), the quoting "
        "(a quote that is opened must be closed) and that every line has the header's fields"
    )


def _with_placeholders(frame: pd.DataFrame, bad_lines: list[tuple[int, str]]) -> pd.DataFrame:
    """``frame`` with an empty row per bad line, in file order, its reason in ``quarantine``.

    Row numbers of the report are positions in the frame (first data line is 2), so a
    placeholder keeps the good lines after it on their own numbers.
    """
    lines = np.array(sorted(line for line, _ in bad_lines), dtype=np.int64)
    reasons = dict(bad_lines)
    total = len(frame) + len(lines)
    # The good rows fill the line numbers the bad ones leave free (first data line is 2).
    free = np.setdiff1d(np.arange(2, total + 2 + len(lines)), lines)[: len(frame)]
    placeholders = pd.DataFrame({c: _empty(frame[c], len(lines)) for c in frame.columns})
    placeholders["quarantine"] = [reasons[int(x)] for x in lines]
    out = pd.concat([frame, placeholders], ignore_index=True)
    order = np.argsort(np.concatenate([free, lines]), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def _empty(column: pd.Series, n: int) -> pd.Series:
    # NaN keeps a numeric column numeric; text columns keep their dtype with NA.
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return pd.Series(np.full(n, np.nan))
    try:
        return pd.Series([pd.NA] * n, dtype=column.dtype)
    except (TypeError, ValueError):
        return pd.Series([None] * n, dtype=object)


def _encoding_problem(
    location: Any, name: str, kwargs: dict[str, Any], exc: UnicodeDecodeError
) -> str:
    encoding = kwargs.get("encoding") or "utf-8"
    data = None
    if isinstance(location, str | os.PathLike) and Path(location).is_file():
        data = Path(location).read_bytes()
    if data is None:
        return (
            f"cannot read {name!r} as {encoding}: {exc}; pass the file's encoding as the "
            "encoding option (e.g. encoding='cp1252' or 'utf-16')"
        )
    # pandas reports an offset within its buffer; decoding the bytes finds the one in the file.
    try:
        data.decode(encoding)
        offset, byte = exc.start, exc.object[exc.start : exc.start + 1]
    except UnicodeDecodeError as again:
        offset, byte = again.start, data[again.start : again.start + 1]
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    text = data[start : end if end >= 0 else len(data)].decode(encoding, errors="replace")
    shown = "" if "\x00" in text else f": {text.strip()[:80]!r}"
    return (
        f"cannot read {name!r} as {encoding}: byte 0x{byte.hex()} at offset {offset} (line "
        f"{line}{shown}) is not valid {encoding}. {_guess(data)} (in a definition file, under "
        "the source: options: {encoding: ...})"
    )


def _guess(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "The file starts with a UTF-16 byte-order mark: pass encoding='utf-16'"
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 4:
        even_nuls = head[0::2].count(b"\x00") > head[1::2].count(b"\x00")
        return (
            "Every other byte is 0, so the file is UTF-16 without a byte-order mark: pass "
            f"encoding={'utf-16-be' if even_nuls else 'utf-16-le'!r}"
        )
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "Pass the file's encoding, e.g. encoding='latin-1'"
    return (
        "It is probably Windows-1252 or Latin-1 text, as Excel on Windows saves CSV: pass "
        "encoding='cp1252'"
    )


def _reject_utf16_as_text(frame: pd.DataFrame, name: str) -> None:
    # UTF-16 without a byte-order mark decodes as UTF-8 with a NUL between the letters.
    if any("\x00" in str(c) for c in frame.columns):
        raise ObservationError(
            f"cannot read {name!r}: its header holds NUL bytes "
            f"({str(frame.columns[0])[:20]!r}), so the file is UTF-16 read as a one-byte "
            "encoding; pass encoding='utf-16' (or 'utf-16-le' / 'utf-16-be' without a "
            "byte-order mark)"
        )
