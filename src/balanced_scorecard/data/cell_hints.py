"""What a rejected cell probably meant: the fix to put in a quality-report message.

Validation rejects a value that is not a number and a period that is not in the one period
grammar (:func:`balanced_scorecard.data.periods.label_stamps`); it never guesses and goes on.
These functions look at one distinct rejected text each and say how to write it so that it
is read as meant: ``'1,234'`` names both readings of the comma, ``'Jan 2025'`` is written
``'2025-01'``, ``'01/02/2025'`` is ambiguous and gets both ISO dates. They run once per
distinct bad text, never per row.
"""

from __future__ import annotations

import calendar
import re

__all__ = ["ACCEPTED_PERIODS", "number_hint", "number_message", "period_hint", "period_message"]

#: The period forms observations accept, as a message lists them.
ACCEPTED_PERIODS = (
    "'2025-03' (month), '2025-03-31' (date), '2025Q1' or '2025-Q1' (quarter), '2025' (year)"
)

_NA_WORDS = {"n/a", "na", "n.a.", "-", "--", "—", "–", "null", "none", "nan", "#n/a", "?"}
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:([,.' \u00a0\u202f])\d{3})+(?:[.,]\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_WITH_UNIT = re.compile(r"^\s*([^\d\s+-.]*)\s*([+-]?\d+(?:[.,]\d+)?)\s*([^\d\s]+.*)?$")
_MONTHS = {m.lower(): k for k, m in enumerate(calendar.month_abbr) if m} | {
    m.lower(): k for k, m in enumerate(calendar.month_name) if m
}


def number_hint(text: str) -> str:
    """The fix for a value that is not a number.

    Examples
    --------
    >>> print(number_hint("1,234"))  # doctest: +NORMALIZE_WHITESPACE
    ',' may group thousands (1234) or be a decimal comma (1.234): write the number without
    grouping and with a '.' decimal point, or read the file with thousands=',' or decimal=','
    >>> number_hint("12 %")
    "write the number alone (12) and put the unit ('%') in the unit column"
    >>> number_hint("n/a")
    "if it means 'no value', leave the cell empty"
    """
    t = text.strip()
    if t.lower() in _NA_WORDS:
        return "if it means 'no value', leave the cell empty"
    grouped = _GROUPED.match(t)
    if grouped:
        sep = grouped.group(1)
        digits = re.sub(r"[^\d.,+-]", "", t)
        if sep == "," and re.fullmatch(r"[+-]?\d{1,3},\d{3}", t):
            return (
                f"',' may group thousands ({digits.replace(',', '')}) or be a decimal comma "
                f"({digits.replace(',', '.')}): write the number without grouping and with a "
                "'.' decimal point, or read the file with thousands=',' or decimal=','"
            )
        return (
            f"{sep!r} groups thousands: write the number without it, or read the file with "
            f"thousands={sep!r}"
        )
    if _DECIMAL_COMMA.match(t):
        point = t.replace(",", ".")
        return f"write the decimal point as '.' ({point}), or read the file with decimal=','"
    m = _WITH_UNIT.match(t)
    if m and (m.group(1) or m.group(3)):
        unit = (m.group(1) or m.group(3) or "").strip()
        return (
            f"write the number alone ({m.group(2)}) and put the unit ({unit!r}) in the unit column"
        )
    return "write a plain number such as 1234.5"


def number_message(text: str) -> str:
    """The quality-report message for a value that is not a number.

    Examples
    --------
    >>> number_message("tbd")
    "value 'tbd' is not a number; write a plain number such as 1234.5"
    """
    return f"value {text!r} is not a number; {number_hint(text)}"


def period_message(text: str) -> str:
    """The quality-report message for a period that is not a label or an ISO date.

    Examples
    --------
    >>> print(period_message("Q3"))  # doctest: +NORMALIZE_WHITESPACE
    period 'Q3' is not a period label or an ISO date; accepted: '2025-03' (month),
    '2025-03-31' (date), '2025Q1' or '2025-Q1' (quarter), '2025' (year)
    """
    hint = period_hint(text)
    return (
        f"period {text!r} is not a period label or an ISO date; "
        + (f"{hint}. " if hint else "")
        + f"accepted: {ACCEPTED_PERIODS}"
    )


def period_hint(text: str) -> str:
    """The fix for a period that is not a label or an ISO date, or ``""`` when the text
    resembles no period form (the accepted forms, :data:`ACCEPTED_PERIODS`, then say it).

    Examples
    --------
    >>> period_hint("Jan 2025")
    "write it as '2025-01'"
    >>> print(period_hint("01/02/2025"))  # doctest: +NORMALIZE_WHITESPACE
    it is ambiguous: 1 February 2025 (day first) or 2 January 2025 (month first)? write the
    ISO date '2025-02-01' or '2025-01-02'
    """
    t = text.strip()
    if t.lower() in _MONTHS:
        return f"a month needs its year: write {t} 2025 as '2025-{_MONTHS[t.lower()]:02d}'"
    m = re.fullmatch(r"([A-Za-z]+)\.?[\s\-/]*(\d{4})", t)
    if m and m.group(1).lower() in _MONTHS:
        return f"write it as '{m.group(2)}-{_MONTHS[m.group(1).lower()]:02d}'"
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{4})", t)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"write it as '{m.group(2)}-{int(m.group(1)):02d}'"
    m = re.fullmatch(r"(\d{4})\s*-?\s*[Mm](\d{1,2})", t)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"write it as '{m.group(1)}-{int(m.group(2)):02d}'"
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", t)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), m.group(3)
        day_first = _iso(year, b, a)
        month_first = _iso(year, a, b)
        if day_first and month_first and day_first != month_first:
            return (
                f"it is ambiguous: {_spoken(year, b, a)} (day first) or "
                f"{_spoken(year, a, b)} (month first)? write the ISO date "
                f"'{day_first}' or '{month_first}'"
            )
        if day_first or month_first:
            return f"write it as the ISO date '{day_first or month_first}'"
    return ""


def _iso(year: str, month: int, day: int) -> str | None:
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(int(year), month)[1]:
        return None
    return f"{year}-{month:02d}-{day:02d}"


def _spoken(year: str, month: int, day: int) -> str:
    return f"{day} {calendar.month_name[month]} {year}"
