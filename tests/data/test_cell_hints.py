"""Hints for rejected cells: each names the fix, and an ambiguous text gets both readings."""

from __future__ import annotations

import pytest

from balanced_scorecard.data.cell_hints import number_hint, period_hint


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("1,234", "',' may group thousands (1234) or be a decimal comma (1.234)"),
        ("1.234.567", "'.' groups thousands: write the number without it"),
        ("1,234.50", "',' groups thousands"),
        ("1,5", "write the decimal point as '.' (1.5), or read the file with decimal=','"),
        ("12 %", "write the number alone (12) and put the unit ('%') in the unit column"),
        ("€1200", "write the number alone (1200) and put the unit ('€') in the unit column"),
        ("n/a", "if it means 'no value', leave the cell empty"),
        ("—", "if it means 'no value', leave the cell empty"),
        ("lots", "write a plain number such as 1234.5"),
    ],
)
def test_number_hints(text: str, hint: str) -> None:
    assert hint in number_hint(text)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("Jan 2025", "write it as '2025-01'"),
        ("September 2025", "write it as '2025-09'"),
        ("03/2025", "write it as '2025-03'"),
        ("2025M11", "write it as '2025-11'"),
        ("01/02/2025", "'2025-02-01' or '2025-01-02'"),
        ("25/12/2025", "write it as the ISO date '2025-12-25'"),
        ("12/25/2025", "write it as the ISO date '2025-12-25'"),
        ("05/05/2025", "write it as the ISO date '2025-05-05'"),  # both readings agree
        ("March", "a month needs its year: write March 2025 as '2025-03'"),
    ],
)
def test_period_hints(text: str, hint: str) -> None:
    assert hint in period_hint(text)


@pytest.mark.parametrize("text", ["31/02/2025", "13/2025", "Q3", "soon"])
def test_no_hint_for_what_resembles_no_period(text: str) -> None:
    # No such day, no 13th month, no year: only the list of accepted forms applies.
    assert period_hint(text) == ""
