"""`export`: the master's tables in long form, read back and compared with the master."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from summary_support import two_quarters, write_master
from support import native

from workbook_tools.cli import cli
from workbook_tools.errors import ConfigurationError
from workbook_tools.master.export import FIGURES, export_master


@pytest.fixture
def master(tmp_path: Path) -> Path:
    return write_master(tmp_path / "master.xlsx", two_quarters())


def _master_sheets(path: Path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(path, sheet_name=None, engine="openpyxl")


def test_csv_round_trip(master: Path, tmp_path: Path) -> None:
    result = export_master(master, tmp_path / "export", "csv")
    names = sorted(p.name for p, _ in result.files)
    assert names == ["actions.csv", "figures.csv", "measures.csv", "risks.csv", "savings.csv",
                     "submissions.csv", "validation.csv"]
    sheets = _master_sheets(master)
    measures = pd.read_csv(tmp_path / "export" / "measures.csv", encoding="utf-8-sig")
    original = sheets["Measures"]
    assert list(measures["Measure ID"]) == list(original["Measure ID"])
    pd.testing.assert_series_equal(measures["Actual"], original["Actual"], check_names=False)
    assert list(measures["Financial year"].unique()) == ["2025-26"]
    assert list(measures["Quarter number"]) == [int(q[-1]) for q in original["Quarter"]]
    assert measures.loc[measures["Quarter"] == "2025-26-Q2", "Quarter start"].iloc[0] == \
        "2025-07-01"
    savings = pd.read_csv(tmp_path / "export" / "savings.csv", encoding="utf-8-sig")
    assert "Finance confirmed (£)" in savings.columns  # the £ survives (UTF-8 with a BOM)
    assert savings["Finance confirmed (£)"].sum() == sheets["Savings"][
        "Finance confirmed (£)"].sum()


def test_figures_are_every_number_in_long_form(master: Path, tmp_path: Path) -> None:
    export_master(master, tmp_path, "csv")
    long = pd.read_csv(tmp_path / "figures.csv", encoding="utf-8-sig")
    assert list(long.columns)[:6] == ["Quarter", "Financial year", "Quarter number",
                                      "Quarter start", "Quarter end", "Directorate"]
    sheets = _master_sheets(master)
    expected = 0
    for sheet, table in (("Measures", "Measure"), ("Actions", "Action"), ("Savings", "Saving"),
                         ("Risks", "Risk")):
        frame = sheets[sheet]
        id_header = frame.columns[2]
        for figure in FIGURES[sheet]:
            if figure not in frame.columns:
                continue
            known = frame[frame[figure].notna()]
            expected += len(known)
            for _, row in known.iterrows():
                found = long[(long["Table"] == table) & (long["ID"] == row[id_header])
                             & (long["Quarter"] == row["Quarter"]) & (long["Figure"] == figure)]
                assert list(found["Value"]) == [pytest.approx(row[figure])], (sheet, figure)
    assert len(long) == expected
    pivot = long[long["Table"] == "Saving"].pivot_table(index=["Quarter", "ID"], columns="Figure",
                                                        values="Value")
    assert pivot.loc[("2025-26-Q2", "S1"), "Forecast (£)"] == 80_000
    assert set(long.loc[long["Table"] == "Saving", "Unit"]) == {"£"}


def test_csv_keeps_formula_like_text_inert(master: Path, tmp_path: Path) -> None:
    export_master(master, tmp_path, "csv")
    text = (tmp_path / "measures.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert "'@SUM(1)" in text


def test_parquet_round_trip(master: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    export_master(master, tmp_path, "parquet")
    measures = pd.read_parquet(tmp_path / "measures.parquet")
    original = _master_sheets(master)["Measures"]
    assert list(measures["Measure ID"]) == list(original["Measure ID"])
    pd.testing.assert_series_equal(measures["Actual"].astype(float),
                                   original["Actual"].astype(float), check_names=False)
    # Parquet keeps text exactly as typed.
    assert '=HYPERLINK("http://x") fell back' in measures["Commentary"].dropna().tolist()
    actions = pd.read_parquet(tmp_path / "actions.parquet")
    assert str(actions["Due date"].iloc[0]) == "2025-09-30"
    long = pd.read_parquet(tmp_path / "figures.parquet")
    export_master(master, tmp_path / "csv", "csv")
    as_csv = pd.read_csv(tmp_path / "csv" / "figures.csv", encoding="utf-8-sig")
    assert long["Value"].dtype == float
    assert long["Value"].tolist() == as_csv["Value"].tolist()


def test_no_master(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist yet"):
        export_master(tmp_path / "none.xlsx", tmp_path / "out")


def test_export_command(master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "outputs").mkdir()
    master.rename(tmp_path / "outputs" / "master.xlsx")
    result = CliRunner().invoke(cli, ["export"])
    assert result.exit_code == 0, result.output
    assert "Wrote " + native("outputs/export/figures.csv") in result.output
    assert "7 CSV files in " + native("outputs/export") + "." in result.output
    wrong = CliRunner().invoke(cli, ["export", "--format", "xml"])
    assert wrong.exit_code == 2
