"""The built-in renderers: text, json, markdown and html."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from balanced_scorecard.builtins.renderers import (
    HtmlRenderer,
    JsonRenderer,
    MarkdownRenderer,
    TextRenderer,
)
from balanced_scorecard.model import (
    Assignment,
    Indicator,
    Objective,
    OrgChart,
    OrgUnit,
    Scorecard,
    StatusBand,
    Thresholds,
)
from balanced_scorecard.plugins.manager import PluginManager
from balanced_scorecard.results import Evaluation

EVIL = "<script>alert(1)</script> \"q\" 'a' & | *b* _i_ [l](x) # `c`"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _scorecard(
    name: str = "Demo", revenue_name: str = "Revenue", bands: tuple[StatusBand, ...] | None = None
) -> Scorecard:
    extra = {"status_bands": bands} if bands else {}
    return Scorecard(
        id="demo",
        name=name,
        org_chart=OrgChart(
            units=[
                OrgUnit(id="acme", name="Acme"),
                OrgUnit(id="north", name="North", parent="acme"),
                OrgUnit(id="south", name="South", parent="acme"),
            ]
        ),
        objectives=[
            Objective(id="grow", name="Grow", perspective="financial"),
            Objective(id="delight", name="Delight customers", perspective="customer"),
        ],
        indicators=[
            Indicator(
                id="revenue",
                name=revenue_name,
                objective="grow",
                unit="EUR",
                time_aggregation="sum",
                thresholds=Thresholds(target=700, red_flag=500),
            ),
            Indicator(
                id="nps",
                name="Net promoter score",
                objective="delight",
                unit="dimensionless",
                time_aggregation="last",
                org_aggregation="mean",
                thresholds=Thresholds(target=40, red_flag=20),
            ),
        ],
        assignments=[
            Assignment(role="owner", person="cfo", node="revenue"),
            Assignment(role="owner", person="cco", node="nps"),
        ],
        **extra,
    )


def _observations() -> pd.DataFrame:
    rows = [
        ("revenue", "north", "2025-01", 300.0),
        ("revenue", "north", "2025-02", 400.0),
        ("revenue", "south", "2025-01", 350.0),
        ("revenue", "south", "2025-02", 300.0),
        ("nps", "north", "2025-01", 30.0),
        ("nps", "north", "2025-02", 10.0),
        ("nps", "south", "2025-01", 30.0),
        ("nps", "south", "2025-02", 10.0),
    ]
    return pd.DataFrame(rows, columns=["indicator", "org_unit", "period", "value"])


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    return _scorecard().evaluate(_observations())


@pytest.fixture(scope="module")
def evil() -> Evaluation:
    bands = (
        StatusBand(name="r<b>", lower=0, color="red;background:url(javascript:x)"),
        StatusBand(name="ok", lower=0.5, color="#3a9a5b"),
    )
    obs = pd.concat(
        [
            _observations(),
            pd.DataFrame(
                [("revenue", "north", "2025-02", "n/a")],
                columns=["indicator", "org_unit", "period", "value"],
            ),
        ],
        ignore_index=True,
    )
    return _scorecard(name=EVIL, revenue_name=EVIL, bands=bands).evaluate(obs)


def test_registered_through_the_hook() -> None:
    reg = PluginManager(entry_points=False).renderers
    assert {"text", "json", "markdown", "html"} <= set(reg)
    assert reg["html"].media_type == "text/html"
    assert [reg[n].suffix for n in ("text", "json", "markdown", "html")] == [
        ".txt",
        ".json",
        ".md",
        ".html",
    ]


# -- text ---------------------------------------------------------------------------------


def test_text_shows_scores_statuses_and_actuals(ev: Evaluation) -> None:
    out = TextRenderer().render(ev)
    assert out.splitlines()[0] == "Demo · org unit Acme · period 2025-02"
    # revenue at acme: 400 + 300 = 700 = target -> 2/3 -> 6.7, green
    line = next(x for x in out.splitlines() if x.strip().startswith("Revenue"))
    assert re.search(r"Revenue\s+700 EUR\s+700 EUR\s+6\.7\s+green\s+↑\s+cfo", line), line
    # nps: 10 against red flag 20 and target 40 -> 1/3 - 1/6 -> 1.7, red, worsening
    nps = next(x for x in out.splitlines() if x.strip().startswith("Net promoter"))
    assert re.search(r"score\s+10\s+40\s+1\.7\s+red\s+↓\s+cco", nps), nps
    assert "Exceptions (" in out
    assert "cco" in out.split("Exceptions")[1]


def test_text_tables_are_aligned(ev: Evaluation) -> None:
    out = TextRenderer().render(ev)
    blocks = out.split("\n\n")
    tree = blocks[1].splitlines()
    assert len({len(x) for x in tree}) == 1, tree
    exc = blocks[2].splitlines()[1:]
    assert len({len(x) for x in exc}) == 1, exc
    # Indentation follows the tree: scorecard, perspective, objective, indicator.
    names = [x.split("  ")[0] if not x.startswith(" ") else x for x in tree[2:6]]
    assert names[0].startswith("Demo")
    assert tree[3].startswith("  Financial")
    assert tree[4].startswith("    Grow")
    assert tree[5].startswith("      Revenue")


def test_text_colour_is_opt_in_and_keeps_alignment(ev: Evaluation) -> None:
    plain = TextRenderer().render(ev)
    assert "\x1b[" not in plain
    coloured = TextRenderer().render(ev, color=True)
    assert "\x1b[38;2;58;154;91m●" in coloured  # the green band's colour
    tree = coloured.split("\n\n")[1].splitlines()
    assert len({len(ANSI.sub("", x)) for x in tree}) == 1


def test_text_truncates_long_names_and_drops_control_characters() -> None:
    long = "A very long indicator name that goes on and on and on forever"
    ev = _scorecard(revenue_name=long + "\x1b[2J").evaluate(_observations())
    out = TextRenderer().render(ev)
    assert "\x1b" not in out
    assert "…" in out
    assert long not in out


def test_text_focus_unit_and_period(ev: Evaluation) -> None:
    out = TextRenderer().render(ev, org_unit="north", period="2025-01")
    assert out.splitlines()[0] == "Demo · org unit North · period 2025-01"
    line = next(x for x in out.splitlines() if x.strip().startswith("Revenue"))
    assert "300 EUR" in line


def test_text_summary(ev: Evaluation) -> None:
    out = TextRenderer().render(ev, summary=True)
    assert "Financial: 6.7 / 10 · green" in out
    assert "exception(s)" in out
    assert "Revenue" not in out


def test_text_quality_summary(evil: Evaluation) -> None:
    out = TextRenderer().render(evil)
    assert "Data quality (1 data-quality finding(s))" in out
    assert "not-a-number" in out


def test_max_exceptions(ev: Evaluation) -> None:
    out = TextRenderer().render(ev, max_exceptions=1)
    section = out.split("Exceptions (")[1].split("\n\n")[0]
    assert "top 1 shown" in section
    assert len(section.splitlines()) == 4  # title, header, rule, one row


# -- options --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "renderer", [TextRenderer(), JsonRenderer(), MarkdownRenderer(), HtmlRenderer()]
)
def test_unknown_options_are_rejected(ev: Evaluation, renderer: TextRenderer) -> None:
    with pytest.raises(TypeError, match=r"unknown option\(s\) 'colour'.*accepts: .*period"):
        renderer.render(ev, colour=True)


def test_unknown_period_or_unit_is_a_clear_error(ev: Evaluation) -> None:
    with pytest.raises(KeyError, match="2024-01"):
        TextRenderer().render(ev, period="2024-01")
    with pytest.raises(KeyError, match="west"):
        HtmlRenderer().render(ev, org_unit="west")


def test_evaluation_render_and_repr_html(ev: Evaluation) -> None:
    assert ev.render("text") == TextRenderer().render(ev)
    assert ev._repr_html_().startswith('<div class="bsc-report">')


# -- json -----------------------------------------------------------------------------------


def test_json_round_trips_with_nulls(ev: Evaluation) -> None:
    text = JsonRenderer().render(ev)
    assert "NaN" not in text
    doc = json.loads(text)
    assert list(doc) == [
        "scorecard",
        "period",
        "org_unit",
        "periods",
        "provisional",
        "as_known_at",
        "units",
        "status_bands",
        "nodes",
        "exceptions",
        "quality",
        "notes",
        "normalised",
        "access",
    ]
    assert doc["scorecard"] == {"id": "demo", "name": "Demo"}
    assert doc["period"] == "2025-02"
    assert doc["org_unit"] == "acme"
    assert doc["periods"] == ["2025-01", "2025-02"]
    assert [u["id"] for u in doc["units"]] == ["acme", "north", "south"]
    assert [b["name"] for b in doc["status_bands"]] == ["red", "amber", "green"]
    rev = {n["org_unit"]: n for n in doc["nodes"] if n["node"] == "revenue"}
    assert set(rev) == {"acme", "north", "south"}
    assert rev["acme"]["actual"] == 700.0
    assert rev["acme"]["status"] == "green"
    assert rev["acme"]["score"] == pytest.approx(2 / 3)
    top = next(n for n in doc["nodes"] if n["node"] == "demo" and n["org_unit"] == "acme")
    assert top["actual"] is None
    assert top["target"] is None
    assert {n["period"] for n in doc["nodes"]} == {"2025-02"}
    assert all(e["owner"] for e in doc["exceptions"])


def test_json_options(ev: Evaluation) -> None:
    every = json.loads(JsonRenderer().render(ev, all_periods=True))
    assert {n["period"] for n in every["nodes"]} == {"2025-01", "2025-02"}
    one = json.loads(JsonRenderer().render(ev, org_unit="north", indent=None))
    assert {n["org_unit"] for n in one["nodes"]} == {"north"}
    assert one["org_unit"] == "north"
    assert {e["org_unit"] for e in one["exceptions"]} <= {"north"}
    assert "\n" not in JsonRenderer().render(ev, indent=None).strip()


def test_json_escapes_and_reports_quality(evil: Evaluation) -> None:
    doc = json.loads(JsonRenderer().render(evil))
    assert doc["scorecard"]["name"] == EVIL
    assert doc["quality"][0]["rule"] == "not-a-number"
    assert doc["quality"][0]["value"] == "n/a"


# -- markdown -------------------------------------------------------------------------------


def test_markdown_structure_and_values(ev: Evaluation) -> None:
    out = MarkdownRenderer().render(ev)
    assert out.startswith("# Demo\n")
    assert "## Financial" in out
    assert "## Customer" in out
    assert "## Exceptions" in out
    assert "## Data quality" in out
    assert "| **Grow** |" in out
    assert "|   ↳ Revenue | 700 EUR | 700 EUR | 6.7 | green |" in out
    # Every table row of a table has the same number of cells.
    for block in out.split("\n\n"):
        rows = [x for x in block.splitlines() if x.startswith("|")]
        assert len({x.count(" | ") for x in rows}) <= 1, rows


def test_markdown_escapes_user_strings(evil: Evaluation) -> None:
    out = MarkdownRenderer().render(evil)
    assert "<script>" not in out
    assert "<b>" not in out
    assert "&lt;script&gt;" in out
    assert r"\*b\*" in out
    assert r"\_i\_" in out
    assert r"\[l\]" in out
    assert r"\`c\`" in out
    assert r"\|" in out
    assert r"\#" in out
    # A pipe in a name must not add a table cell.
    table = [
        x for x in out.split("## Financial")[1].split("##")[0].splitlines() if x.startswith("|")
    ]
    assert len({len(re.split(r"(?<!\\)\|", x)) for x in table}) == 1


# -- html -----------------------------------------------------------------------------------


def test_html_full_page_is_self_contained(ev: Evaluation) -> None:
    page = HtmlRenderer().render(ev)
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    assert "<style>" in page
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", page)
    assert "@import" not in page


def test_html_fragment_is_one_div(ev: Evaluation) -> None:
    frag = HtmlRenderer().render(ev, fragment=True)
    assert frag.startswith('<div class="bsc-report">')
    assert frag.rstrip().endswith("</div>")
    assert "<html" not in frag
    assert "<body" not in frag
    assert "<script" not in frag


def test_html_content(ev: Evaluation) -> None:
    page = HtmlRenderer().render(ev)
    assert "<h1>Demo</h1>" in page
    header = page.split("</header>")[0]
    assert "2025-02" in header
    assert "Acme" in header
    # Perspective cards with bars coloured by the status band.
    cards = page.split('class="bsc-cards"')[1].split("</div>\n\n")[0]
    assert "Financial" in cards
    assert "width: 66.7%; --c: #3a9a5b" in cards
    # Indicator row: actual, target, score, status chip, trend and owner.
    row = page.split("<summary>Revenue</summary>")[1].split("</tr>")[0]
    assert "700 EUR" in row
    assert ">6.7<" in row
    assert ">green</span>" in row
    assert "cfo" in row
    # The explanation is collapsible.
    assert "<details><summary>Revenue</summary><pre>Indicator revenue" in page
    # Org-unit table lists every unit.
    units = page.split("<h2>Org units</h2>")[1].split("</table>")[0]
    assert "North" in units
    assert "South" in units
    assert 'class="bsc-focus"' in units
    assert "<h2>Exceptions</h2>" in page
    assert "cco" in page.split("<h2>Exceptions</h2>")[1]


def test_html_without_explanations(ev: Evaluation) -> None:
    assert "<details>" not in HtmlRenderer().render(ev, explain=False)


def test_html_escapes_every_user_string(evil: Evaluation) -> None:
    page = HtmlRenderer().render(evil)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "r<b>" not in page
    assert "r&lt;b&gt;" in page
    assert "&#34;q&#34;" in page
    assert "&#39;a&#39;" in page
    assert "&amp; |" in page
    # A band colour that is not a plain colour never reaches the CSS.
    assert "javascript" not in page
    # The only script is the print helper shipped with the page.
    assert page.count("<script>") == 1
    assert "not-a-number" in page


def test_markdown_renders_to_safe_html(evil: Evaluation) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    html = md.render(MarkdownRenderer().render(evil))
    assert "<script>" not in html
    assert "<em>" not in html
    assert "<code>" not in html
    assert "<a " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert {r.count("<td") for r in rows} == {7}


# -- control charts in the HTML report ----------------------------------------------------------


def _process_evaluation(name: str) -> Evaluation:
    from balanced_scorecard.model.indicators import Scoring

    sc = Scorecard(
        id="ops",
        objectives=[Objective(id="quality", perspective="internal_process")],
        indicators=[
            Indicator(
                id="defects",
                name=name,
                objective="quality",
                polarity="lower_better",
                scoring=Scoring(method="control_limits"),
            ),
            Indicator(id="calls", objective="quality", thresholds=Thresholds(target=10)),
        ],
    )
    periods = pd.period_range("2025-01", periods=12, freq="M").astype(str)
    # Eleven months alternating 10 and 11, then 16: beyond the upper limit 14.785 (see
    # analytics.signals.special_causes for the hand-worked limits).
    defects = [10.0, 11.0] * 5 + [10.0, 16.0]
    obs = pd.concat(
        [
            pd.DataFrame(
                {"indicator": "defects", "org_unit": "all", "period": periods, "value": defects}
            ),
            pd.DataFrame(
                {"indicator": "calls", "org_unit": "all", "period": periods, "value": 10.0}
            ),
        ]
    )
    return sc.evaluate(obs)


def test_html_report_draws_control_charts_with_escaped_labels() -> None:
    ev = _process_evaluation("<script>alert(1)</script> defects")
    page = HtmlRenderer().render(ev)
    assert "<h2>Control charts</h2>" in page
    # One chart: the control-limits indicator (which also breaks WE1); the flat `calls`
    # series has no signal and is not scored by control limits.
    assert page.count('<figure class="bsc-chart">') == 1
    assert "special cause in 2025-12, rules WE1" in page
    assert page.count("<svg") == 1
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; defects (all): individuals" in page
    assert "2025-12" in page.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_control_charts_can_be_switched_off_and_bad_counts_refused() -> None:
    ev = _process_evaluation("defects")
    assert "Control charts" not in HtmlRenderer().render(ev, control_charts=0)
    with pytest.raises(ValueError, match="max_control_charts must be 0 or more"):
        HtmlRenderer().render(ev, control_charts=-1)
