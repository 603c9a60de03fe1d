"""Bad input through the CSV source: every case gets a clear message, and nothing valid is lost.

Each test writes a small CSV file whose good lines are known, evaluates it, and checks both
the message (file, line, value, fix) and that the good lines' values are the ones used.
Missing FX rates, the last case of the issue's list, are covered in test_adjusters.py
(``test_fx_missing_rate_through_the_engine_is_the_same_error``).
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import numpy as np
import pandas as pd
import pytest

from balanced_scorecard import (
    DataSource,
    Engine,
    Evaluation,
    Indicator,
    Objective,
    ObservationError,
    OrgChart,
    OrgUnit,
    Scorecard,
)
from balanced_scorecard.builtins.sources import CsvSource

ENGINE = Engine(entry_points=False)
HEADER = "indicator,org_unit,period,value\n"


def _scorecard() -> Scorecard:
    return Scorecard(
        id="csv",
        objectives=[Objective(id="o", perspective="financial")],
        indicators=[Indicator(id="rev", objective="o", unit="EUR", time_aggregation="sum")],
        org_chart=OrgChart(
            units=[
                OrgUnit(id="group"),
                OrgUnit(id="north", parent="group"),
                OrgUnit(id="zürich", parent="group"),
            ]
        ),
    )


def _write(tmp_path: Path, text: str, name: str = "actuals.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def _with_source(sc: Scorecard, path: str, **options: object) -> Scorecard:
    """The scorecard reading ``path`` with CSV ``options`` as its own source."""
    return attrs.evolve(sc, sources=(DataSource(id="erp", uri=path, options=options),))


def _actuals(ev: Evaluation, org_unit: str = "north") -> dict[str, float]:
    frame = ev.to_frame(period=False, org_unit=org_unit).query("node == 'rev'")
    return {p: a for p, a in zip(frame["period"], frame["actual"], strict=True) if not np.isnan(a)}


def _report(ev: Evaluation, rule: str) -> pd.DataFrame:
    return ev.quality[ev.quality["rule"] == rule].reset_index(drop=True)


# -- malformed CSV --------------------------------------------------------------------------


def test_ragged_lines_are_quarantined_with_their_line_and_the_rest_is_read(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path,
        HEADER
        + "rev,north,2025-01,100\n"
        + "rev,north,2025-02,1,234\n"  # line 3: the thousands comma makes five fields
        + "rev,north,2025-03,300\n"
        + "rev,north,2025-04,400,x,y\n"  # line 5: six fields
        + "rev,north,2025-05,500\n",
    )
    ev = ENGINE.evaluate(_scorecard(), path)
    bad = _report(ev, "unreadable-row")
    assert bad["row"].tolist() == [3, 5]
    assert set(bad["severity"]) == {"error"}
    first = bad.loc[0, "message"]
    assert f"line 3 of {path!r} has 5 fields but the header has 4" in first
    assert "write numbers without grouping (1234, not 1,234)" in first
    assert "line 5 of" in bad.loc[1, "message"]
    assert "has 6 fields" in bad.loc[1, "message"]
    # Nothing valid lost: the three good months are used, and their own row numbers hold.
    assert _actuals(ev) == {"2025-01": 100.0, "2025-03": 300.0, "2025-05": 500.0}


def test_an_unclosed_quote_loses_only_its_own_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER
        + "rev,north,2025-01,100\n"
        + 'rev,"north,2025-02,200\n'  # line 3 opens a quote that is never closed
        + "rev,north,2025-03,300\n",
    )
    ev = ENGINE.evaluate(_scorecard(), path)
    bad = _report(ev, "unreadable-row")
    assert bad["row"].tolist() == [3]
    assert "line 3 of" in bad.loc[0, "message"]
    assert 'opens a quote (") that is never closed' in bad.loc[0, "message"]
    assert "close the quote or remove it" in bad.loc[0, "message"]
    assert _actuals(ev) == {"2025-01": 100.0, "2025-03": 300.0}


def test_two_stray_quotes_do_not_swallow_the_lines_between(tmp_path: Path) -> None:
    # Without the repair, lines 3 to 5 would be read as one org unit 'north,2025-02,...'.
    path = _write(
        tmp_path,
        HEADER
        + "rev,north,2025-01,100\n"
        + 'rev,"north,2025-02,200\n'
        + "rev,north,2025-03,300\n"
        + 'rev,north,2025-04,"400\n'
        + "rev,north,2025-05,500\n",
    )
    ev = ENGINE.evaluate(_scorecard(), path)
    bad = _report(ev, "unreadable-row")
    assert bad["row"].tolist() == [3, 5]
    assert "is closed only on a later line" in bad.loc[0, "message"]
    assert "is never closed" in bad.loc[1, "message"]
    assert _actuals(ev) == {"2025-01": 100.0, "2025-03": 300.0, "2025-05": 500.0}


def test_line_numbers_after_a_repair_are_the_files_own(tmp_path: Path) -> None:
    # The quote line is taken out before the file is read again; the ragged line after it
    # must still be named by its line in the file (5), not in the repaired text (4).
    path = _write(
        tmp_path,
        HEADER
        + "rev,north,2025-01,100\n"
        + 'rev,"north,2025-02,200\n'
        + "rev,north,2025-03,300\n"
        + "rev,north,2025-04,1,234\n"
        + "rev,north,2025-05,500\n",
    )
    ev = ENGINE.evaluate(_scorecard(), path)
    bad = _report(ev, "unreadable-row")
    assert bad["row"].tolist() == [3, 5]
    assert bad.loc[1, "message"].startswith(f"line 5 of {path!r} has 5 fields")
    assert _actuals(ev) == {"2025-01": 100.0, "2025-03": 300.0, "2025-05": 500.0}


def test_a_stream_cannot_be_repaired_and_says_where_it_broke(tmp_path: Path) -> None:
    # A stream cannot be cut into lines and read again: the error names the parser's line.
    broken = _write(tmp_path, HEADER + 'rev,"north,2025-02,200\n')
    with open(broken, encoding="utf-8") as fh, pytest.raises(ObservationError) as err:
        CsvSource().load(fh)
    assert "at line 2" in str(err.value)
    assert "a quote that is opened must be closed" in str(err.value)


def test_a_file_that_cannot_be_read_fails_alone(tmp_path: Path) -> None:
    good = _write(tmp_path, HEADER + "rev,north,2025-01,100\n", name="good.csv")
    latin = _write(tmp_path, HEADER + "rev,zürich,2025-01,50\n", "latin.csv", "latin-1")
    ev = ENGINE.evaluate(_scorecard(), [good, latin])
    failed = _report(ev, "source-failed")
    assert failed["source"].tolist() == [latin]
    assert "encoding='cp1252'" in failed.loc[0, "message"]
    assert _actuals(ev) == {"2025-01": 100.0}


def test_own_on_bad_lines_option_is_respected(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "rev,north,2025-01,100\nrev,north,2025-02,1,234\n")
    frame = CsvSource().load(path, on_bad_lines="skip")
    assert len(frame) == 1
    assert "quarantine" not in frame.columns


# -- encodings ------------------------------------------------------------------------------


def test_latin1_read_as_utf8_names_file_byte_line_and_encoding(tmp_path: Path) -> None:
    text = HEADER + "rev,north,2025-01,100\nrev,zürich,2025-01,50\n"
    path = _write(tmp_path, text, encoding="latin-1")
    with pytest.raises(ObservationError) as err:
        ENGINE.evaluate(_scorecard(), path)
    message = str(err.value)
    # Offset of 'ü' in the file, counted by hand: header 32 bytes, line 2 22 bytes, "rev,z".
    assert f"cannot read {path!r} as utf-8: byte 0xfc at offset 59 (line 3" in message
    assert "encoding='cp1252'" in message
    # With the encoding option, every line is read.
    ev = ENGINE.evaluate(_with_source(_scorecard(), path, encoding="cp1252"))
    assert _actuals(ev, "zürich") == {"2025-01": 50.0}
    assert _actuals(ev) == {"2025-01": 100.0}


@pytest.mark.parametrize(
    ("encoding", "advice"),
    [
        ("utf-16", "byte-order mark: pass encoding='utf-16'"),
        ("utf-16-le", "UTF-16 without a byte-order mark: pass encoding='utf-16-le'"),
    ],
)
def test_utf16_read_as_utf8_says_so(tmp_path: Path, encoding: str, advice: str) -> None:
    path = _write(tmp_path, HEADER + "rev,zürich,2025-01,50\n", encoding=encoding)
    with pytest.raises(ObservationError, match=re.escape(advice)) as err:
        CsvSource().load(path)
    assert repr(path) in str(err.value)
    assert CsvSource().load(path, encoding=encoding)["org_unit"].tolist() == ["zürich"]


def test_utf16_without_a_mark_and_only_ascii_is_caught_by_its_header(tmp_path: Path) -> None:
    # Plain ASCII in UTF-16-LE decodes "fine" as UTF-8, with a NUL after every letter.
    path = _write(tmp_path, HEADER + "rev,north,2025-01,50\n", encoding="utf-16-le")
    with pytest.raises(ObservationError, match="its header holds NUL bytes") as err:
        CsvSource().load(path)
    assert "encoding='utf-16'" in str(err.value)


# -- text in numeric columns ----------------------------------------------------------------


def test_text_in_the_value_column_is_quarantined_with_the_fix(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER
        + "rev,north,2025-01,100\n"
        + 'rev,north,2025-02,"1,234"\n'  # quoted: one field, still not a number
        + "rev,north,2025-03,n/a\n"  # pandas' NA marker: an empty cell
        + "rev,north,2025-04,12 %\n"
        + "rev,north,2025-05,tbd\n"
        + "rev,north,2025-06,600\n",
    )
    ev = ENGINE.evaluate(_scorecard(), path)
    q = ev.quality.set_index("row")
    assert q.loc[3, "rule"] == "not-a-number"
    assert (
        "value '1,234' is not a number; ',' may group thousands (1234) or be a decimal "
        in (q.loc[3, "message"])
    )
    assert "thousands=',' or decimal=','" in q.loc[3, "message"]
    assert q.loc[4, "rule"] == "missing-value"
    assert q.loc[4, "severity"] == "warning"
    assert q.loc[5, "message"] == (
        "value '12 %' is not a number; write the number alone (12) and put the unit ('%') "
        "in the unit column"
    )
    assert q.loc[6, "message"] == "value 'tbd' is not a number; write a plain number such as 1234.5"
    assert _actuals(ev) == {"2025-01": 100.0, "2025-06": 600.0}


def test_the_thousands_option_reads_grouped_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + 'rev,north,2025-01,"1,234"\n')
    ev = ENGINE.evaluate(_with_source(_scorecard(), path, thousands=","))
    assert _actuals(ev) == {"2025-01": 1234.0}


# -- unknown org codes ----------------------------------------------------------------------


def test_unknown_org_codes_are_quarantined_with_a_suggestion(tmp_path: Path) -> None:
    path = _write(
        tmp_path, HEADER + "rev,north,2025-01,100\nrev,nort,2025-01,7\nrev,NORTH,2025-02,8\n"
    )
    ev = ENGINE.evaluate(_scorecard(), path)
    q = _report(ev, "unknown-org-unit")
    assert q["row"].tolist() == [3, 4]
    assert q.loc[0, "message"] == (
        "unknown org unit 'nort'. Did you mean 'north'? Add it to the org chart or map the code."
    )
    assert "Did you mean 'north'?" in q.loc[1, "message"]
    assert _actuals(ev) == {"2025-01": 100.0}


# -- periods in mixed formats ---------------------------------------------------------------


def test_mixed_period_formats_accept_iso_and_report_the_rest(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER
        + "rev,north,2025-01,1\n"  # accepted: a month
        + "rev,north,2025-02-28,2\n"  # accepted: a date
        + "rev,north,Mar 2025,3\n"
        + "rev,north,04/2025,4\n"
        + "rev,north,2025M05,5\n"
        + "rev,north,01/06/2025,6\n"  # 1 June or 6 January? never guessed
        + "rev,north,13/07/2025,7\n",  # unambiguous day first, still written the ISO way
    )
    ev = ENGINE.evaluate(_scorecard(), path)
    q = _report(ev, "bad-period").set_index("row")["message"]
    accepted = "accepted: '2025-03' (month), '2025-03-31' (date), '2025Q1' or '2025-Q1'"
    assert all(accepted in m for m in q)
    assert "period 'Mar 2025' is not a period label or an ISO date; write it as '2025-03'" in q[4]
    assert "write it as '2025-04'" in q[5]
    assert "write it as '2025-05'" in q[6]
    assert (
        "it is ambiguous: 1 June 2025 (day first) or 6 January 2025 (month first)? write "
        "the ISO date '2025-06-01' or '2025-01-06'" in q[7]
    )
    assert "write it as the ISO date '2025-07-13'" in q[8]
    # Only the unambiguous ISO rows were used; nothing was reinterpreted.
    assert _actuals(ev) == {"2025-01": 1.0, "2025-02": 2.0}
