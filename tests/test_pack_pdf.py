"""The Cabinet pack as a tagged PDF (`summarise --pdf`, WeasyPrint's PDF/UA-1): opened with
pikepdf, it has a structure tree, the document's language and title (shown as the window
title), and alternative text on every figure; its text holds the page's figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from summary_support import Q2, small_plan, two_quarters, write_master

from workbook_tools.quarters import parse_quarter
from workbook_tools.summary.pack.write import write_quarter_pack

pytest.importorskip("weasyprint", reason="WeasyPrint is not installed (pip install -e "
                    "'.[pdf]' or '.[dev]')")
pikepdf = pytest.importorskip("pikepdf", reason="pikepdf is not installed (pip install -e "
                              "'.[dev]')")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("pdf")
    master = write_master(folder / "master.xlsx", two_quarters())
    return write_quarter_pack(master, parse_quarter(Q2), folder / f"summary-{Q2}.xlsx",
                              small_plan(), pdf=True, produced=dt.date(2025, 10, 20))


def structure(node: Any, found: list[Any]) -> list[Any]:
    """Every structure element under `node`, depth first."""
    if isinstance(node, pikepdf.Array):
        for kid in node:
            structure(kid, found)
    elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
        found.append(node)
        if "/K" in node:
            structure(node.K, found)
    return found


def test_pdf_is_tagged_with_language_title_and_alt_text(written: list[Path]) -> None:
    html, pdf_path = written
    assert pdf_path == html.with_suffix(".pdf")
    with pikepdf.open(pdf_path) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert root.MarkInfo.Marked
        assert str(root.Lang) == "en-GB"
        assert str(pdf.docinfo.Title) == \
            "Testshire Council: Performance and savings report, 2025-26-Q2"
        assert root.ViewerPreferences.DisplayDocTitle
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
        elements = structure(root.StructTreeRoot.K, [])
        kinds = [str(e.S) for e in elements]
        assert kinds.count("/H1") == 1 and "/Table" in kinds and "/TH" in kinds
        figures = [e for e in elements if e.S == "/Figure"]
        assert len(figures) >= 5  # one per chart
        for figure in figures:
            alt = str(figure.get("/Alt", ""))
            assert len(alt) > 30 and ":" in alt, alt
        assert any("Measures by RAG, by theme" in str(f.Alt) for f in figures)
        assert len(pdf.pages) >= 8
        for each in pdf.pages:  # A4 landscape
            assert [round(float(v)) for v in each.mediabox] == [0, 0, 842, 595]


def test_pdf_text_holds_the_figures(written: list[Path]) -> None:
    import subprocess

    pdftotext = Path("/usr/bin/pdftotext")
    if not pdftotext.exists():
        pytest.skip("pdftotext (poppler-utils) is not installed")
    shown = subprocess.run([str(pdftotext), "-layout", str(written[1]), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "£29,000" in shown  # finance confirmed, the orphaned row left out
    assert "Key messages" in shown and "Appendix: each directorate" in shown
    # each page's footer: the council, the report's title and the page number
    pages = shown.split("\f")
    assert "Page 2 of" in pages[1] and "Testshire Council Performance and savings report" \
        in " ".join(pages[1].split())
