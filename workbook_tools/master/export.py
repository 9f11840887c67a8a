"""The master's tables in long form for Power BI and similar tools (`workbook-tools export`).

One file per master sheet (one row per item per quarter, as in the master, with the quarter's
financial year, number and dates added for time intelligence), and `figures`: every number in
the master as one row (quarter, directorate, item, figure, value), the shape Power BI models
best. CSV is UTF-8 with a byte-order mark (so Excel shows £ signs); Parquet needs pyarrow
(`pip install 'workbook-tools[parquet]'`).

In CSV, text that Excel would take for a formula (it begins with =, +, -, @) is written with a
leading apostrophe, as Excel itself shows such text; Parquet keeps every value as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbook_tools.errors import ConfigurationError, UsageError, about_file
from workbook_tools.master import columns as mc
from workbook_tools.master.existing import read_existing_master
from workbook_tools.master.read import canonical_quarter
from workbook_tools.quarters import parse_quarter
from workbook_tools.returns import layout
from workbook_tools.returns.layout import Sheet

FORMATS = ("csv", "parquet")
TABLES = (mc.MasterSheet.SUBMISSIONS, *layout.DATA_SHEETS, mc.MasterSheet.VALIDATION)
ITEMS = {Sheet.MEASURES: "Measure", Sheet.ACTIONS: "Action", Sheet.SAVINGS: "Saving",
         Sheet.RISKS: "Risk"}
NAMES = {Sheet.MEASURES: "Measure", Sheet.ACTIONS: "Action", Sheet.SAVINGS: "Saving proposal",
         Sheet.RISKS: "Risk"}
FIGURES = {
    Sheet.MEASURES: ("Target", "Actual", "Previous actual"),
    Sheet.ACTIONS: ("% complete",),
    Sheet.SAVINGS: ("Target (£)", "Delivered to date (£)", "Forecast (£)", "Forecast variance (£)",
                "Finance confirmed (£)", "Finance adjustment (£)", mc.LEDGER),
    Sheet.RISKS: ("Likelihood", "Impact", "Score", "Previous score"),
}
TIME_COLUMNS = ("Financial year", "Quarter number", "Quarter start", "Quarter end")
FIGURE_COLUMNS = ("Quarter", *TIME_COLUMNS, "Directorate", "Table", "ID", "Name", "Theme",
                  "Objective code", "Figure", "Value", "Unit", "RAG")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ExportResult:
    """The files written, each with its number of rows."""

    folder: Path
    format: str
    files: list[tuple[Path, int]] = field(default_factory=list)


def master_tables(master_path: Path) -> dict[str, pd.DataFrame]:
    """The master's tables with time columns, and the long `figures` table, by file stem.

    Raises:
        ConfigurationError: the master does not exist yet.
        MasterError: it cannot be read.
    """
    master = read_existing_master(
        master_path, f"{master_path} does not exist yet: run 'workbook-tools consolidate "
        f"--quarter Q' first.")
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        frame = master.frame(name)
        for header in frame.columns:
            kind = mc.kind_of(header)
            if kind in ("money", "number", "points"):
                frame[header] = pd.to_numeric(frame[header], errors="coerce").astype("Float64")
            elif kind == "integer":
                numbers = pd.to_numeric(frame[header], errors="coerce")
                whole = numbers.dropna().mod(1).eq(0).all()
                frame[header] = numbers.round().astype("Int64") if whole \
                    else numbers.astype("Float64")
            elif kind in ("date", "datetime"):
                frame[header] = pd.to_datetime(frame[header], errors="coerce")
                if kind == "date":
                    frame[header] = frame[header].dt.date
            else:
                frame[header] = frame[header].astype("string")
        tables[name.lower()] = _with_time(frame)
    tables["figures"] = figures(tables)
    return tables


def _with_time(frame: pd.DataFrame) -> pd.DataFrame:
    quarters = {q: parse_quarter(q) for q in frame["Quarter"].dropna().unique()
                if canonical_quarter(q)}
    at = frame.columns.get_loc("Quarter") + 1
    values = {
        "Financial year": lambda q: q.year_label, "Quarter number": lambda q: q.number,
        "Quarter start": lambda q: q.start_date, "Quarter end": lambda q: q.end_date,
    }
    for offset, (header, get) in enumerate(values.items()):
        column = [get(quarters[q]) if q in quarters else None for q in frame["Quarter"]]
        dtype = "Int64" if header == "Quarter number" else ("string" if header ==
                                                            "Financial year" else object)
        frame.insert(at + offset, header, pd.Series(column, index=frame.index, dtype=dtype))
    return frame


def figures(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every number on the item sheets as one row: the long form."""
    parts = []
    for sheet, item in ITEMS.items():
        frame = tables[sheet.lower()]
        id_header = mc.ID_COLUMNS[sheet]
        keep = ["Quarter", *TIME_COLUMNS, "Directorate", id_header, NAMES[sheet]]
        keep += [h for h in ("Theme", "Objective code", "Unit", "RAG") if h in frame.columns]
        values = [h for h in FIGURES[sheet] if h in frame.columns]
        long = frame[keep + values].melt(id_vars=keep, value_vars=values, var_name="Figure",
                                         value_name="Value", ignore_index=False)
        long = long[long["Value"].notna()].copy()
        long["Value"] = long["Value"].astype(float)
        long["Table"] = item
        long = long.rename(columns={id_header: "ID", NAMES[sheet]: "Name"})
        if sheet != Sheet.MEASURES:
            long["Unit"] = long["Figure"].map(_unit)
        # Keep each item's figures together, in the master's row order.
        long["_row"] = long.index
        long["_figure"] = long["Figure"].map(values.index)
        parts.append(long.sort_values(["_row", "_figure"], kind="stable"))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return frame.reindex(columns=list(FIGURE_COLUMNS))


def _unit(figure: str) -> str:
    if figure.endswith("(£)"):
        return "£"
    return "%" if figure == "% complete" else "score"


@about_file("master_path")
def export_master(master_path: Path, out_dir: Path, fmt: str = "csv") -> ExportResult:
    """Write the master's tables and `figures` to `out_dir` as CSV or Parquet.

    Raises:
        UsageError: an unknown format.
        ConfigurationError: no master yet; pyarrow missing for Parquet; the folder cannot be
            written.
        MasterError: the master cannot be read.
    """
    if fmt not in FORMATS:
        raise UsageError(f"'{fmt}' is not an export format: use csv or parquet.")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ConfigurationError(
                "Parquet needs the pyarrow package: pip install 'workbook-tools[parquet]', or "
                "use --format csv.") from None
    tables = master_tables(master_path)
    out_dir = Path(out_dir)
    result = ExportResult(out_dir, fmt)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for stem, frame in tables.items():
            path = out_dir / f"{stem}.{fmt}"
            if fmt == "csv":
                _csv_safe(frame).to_csv(path, index=False, encoding="utf-8-sig",
                                        date_format="%Y-%m-%dT%H:%M:%S")
            else:
                frame.to_parquet(path, index=False)
            result.files.append((path, len(frame)))
    except OSError as exc:
        raise ConfigurationError(f"{getattr(exc, 'filename', None) or out_dir}: cannot be "
                                 f"written ({exc.strerror or exc}).") from None
    return result


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text that Excel would run as a formula, with a leading apostrophe."""
    frame = frame.copy()
    for header in frame.columns:
        if pd.api.types.is_string_dtype(frame[header]) and \
                not pd.api.types.is_numeric_dtype(frame[header]):
            column = frame[header]
            risky = column.str.startswith(_FORMULA_START, na=False)
            if risky.any():
                frame[header] = column.where(~risky, "'" + column)
    return frame
