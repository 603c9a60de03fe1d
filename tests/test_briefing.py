"""The briefing book: content, escaping, access, Markdown and PDF.

Hand-checked facts come from ``significance._example_evaluation()`` (defects 13 against red
flag 10 and target 5, lower is better: 13 is 3/5 of the way from 10 to the zero at 15, so
1/3 * 2/5 = 0.1333; revenue 60 against red flag 80 and target 100 sits at the zero point 60).
"""

from __future__ import annotations

import pytest

from balanced_scorecard.algorithms.significance import _example_evaluation
from balanced_scorecard.builtins import briefing as bb
from balanced_scorecard.builtins._dashboard_sample import sample_evaluation
from balanced_scorecard.builtins.briefing import (
    BriefingMarkdownRenderer,
    BriefingPdfRenderer,
    BriefingRenderer,
    PdfEngineError,
    build_briefing,
)
from balanced_scorecard.results import _demo

PAYLOAD = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2"></script>'


@pytest.fixture(scope="module")
def ev():
    return _example_evaluation()


def test_items_carry_explanation_and_root_causes(ev):
    b = build_briefing(ev, audience="all")
    assert [i.node for i in b.items] == list(ev.exceptions(audience="all")["node"].astype(str))
    first = b.items[0]
    assert first.node == "defects"
    assert first.score == "1.3"  # 0.1333 on the 0-10 scale, by hand above
    assert first.explanation == tuple(ev.explain("defects", "all", ev.period).lines())
    revenue = next(i for i in b.items if i.node == "revenue")
    assert revenue.actual == "60"
    assert revenue.target == "100"
    assert revenue.score == "0.0"
    # an indicator's causes are its objective's: grow <- delight <- quality <- skills
    causes = "\n".join(revenue.root_causes)
    assert causes.startswith("Root causes of grow")
    assert "- delight [causes, lag 1]" in causes
    assert "- skills" in causes
    assert b.agenda[1].startswith(f"Exceptions ({len(b.items)} of {b.exceptions_total})")


def test_no_exceptions():
    b = build_briefing(_demo())
    assert b.items == ()
    assert b.exceptions_total == 0
    assert "None: nothing significant" in BriefingRenderer().render(_demo())
    assert "None: nothing significant" in BriefingMarkdownRenderer().render(_demo())


def test_html_book_has_a_page_per_exception(ev):
    page = BriefingRenderer().render(ev, audience="all", max_exceptions=2)
    assert page.count('<section class="bsc-page"') == 4  # agenda, 2 exceptions, escalations
    assert "break-before: page" in page
    assert page == BriefingRenderer().render(ev, audience="all", max_exceptions=2)
    assert "<script" not in page


def test_markdown_book(ev):
    text = BriefingMarkdownRenderer().render(ev, audience="all", max_exceptions=1)
    assert text.startswith("# Briefing book: acme\n")
    assert "## Agenda" in text
    assert "### Root causes" in text
    assert "```text\nIndicator defects (defects) · org unit all" in text


def test_user_strings_are_escaped():
    ev = sample_evaluation(text=PAYLOAD)
    page = BriefingRenderer().render(ev, audience="all")
    assert "<script>window" not in page
    assert "<img" not in page
    assert "&lt;script&gt;window.__xss=1" in page
    md = BriefingMarkdownRenderer().render(ev, audience="all")
    heading = md.splitlines()[0]
    assert "<" not in heading.replace("\\<", "")


def test_withheld_indicator_is_never_in_the_book():
    ev = sample_evaluation()
    full = BriefingMarkdownRenderer().render(
        ev, audience="all", role="executive_sponsor", max_exceptions=None
    )
    assert "payroll" in full.lower()
    for role in (None, "owner"):
        for renderer in (BriefingRenderer(), BriefingMarkdownRenderer()):
            page = renderer.render(ev, audience="all", role=role, max_exceptions=None)
            assert "payroll" not in page.lower()


def test_bad_options(ev):
    with pytest.raises(ValueError, match="audience 'board'"):
        build_briefing(ev, audience="board")
    with pytest.raises(ValueError, match="max_exceptions"):
        build_briefing(ev, max_exceptions=-1)
    with pytest.raises(TypeError, match="unknown option"):
        BriefingRenderer().render(ev, audiance="all")


def test_pdf_without_an_engine_names_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("BSC_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(PdfEngineError) as info:
        BriefingPdfRenderer().render(_demo())
    message = str(info.value)
    assert "pip install 'balanced_scorecard[pdf]'" in message
    assert "apt-get install chromium" in message


def test_pdf_without_playwright(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    with pytest.raises(PdfEngineError, match=r"balanced_scorecard\[pdf\]"):
        bb.html_to_pdf("<p>x</p>")


def test_pdf_with_the_system_chromium(chromium_executable, monkeypatch, ev):
    pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("BSC_CHROMIUM", chromium_executable)
    pdf = BriefingPdfRenderer().render(ev, audience="all", max_exceptions=2)
    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 4
