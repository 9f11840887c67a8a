"""For the agreement suite: returns filled and typed into the way people do, recalculated in
LibreOffice and Gnumeric in batches, and each program's Checks sheet read back."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openpyxl
from support import SOFFICE, SSCONVERT

from workbook_tools.files.guard import read_values
from workbook_tools.returns import layout, rules
from workbook_tools.returns.layout import COVER
from workbook_tools.returns.read import read_return

DATA_SHEETS = ("Cover", *layout.DATA_SHEETS)
PERCENT = "percent"  # a value typed with a % sign into a number cell: stored with a % format

#: What people type, anywhere: words, numbers as text, dates in both forms, every kind of white
#: space, numbers on and off the edges of each range, error values and formulas.
TYPED: tuple[Any, ...] = (
    None, "tbc", "n/a", "3 (possible)", "12%", " 12% ", "1,250", "£2,099,999.50", "£5k",
    "31/03/2026", "2026-03-31", " ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\u202f",
    " \t\u00a0\n ", "On track\u00a0", 0, 1, 3, 5, 3.5, 7, -1, -0.01, 100, 100.0001, 101, 0.5,
    0.12, 2099999.5, 1250, 1e15, dt.date(2026, 3, 31), "=40/0", "=NA()", "=1+1",
    '="On track"', "=2*3", (PERCENT, 0.12), (PERCENT, 1), (PERCENT, 0.005),
    "Staff shortages in the team held this back; agency cover starts next month.",
)
STATUSES = (*rules.ACTION_STATUSES, *rules.SAVING_STATUSES, "on TRACK", " Complete ", "Finished",
            "Done", "At risk\t", "Off\u00a0track")
NAMES = ("Jo Bloggs", " jo  BLOGGS\u00a0", "JO BLOGGS", "Sam Patel", "\t", None)


def boundary_actuals(row: dict[str, Any]) -> list[float]:
    """Actuals on and just off a measure's RAG boundaries (79.99999999999 against 80)."""
    target, tolerance = row["target"], row["tolerance"] or 0.0
    if target is None:
        return []
    lower = row["polarity"] == rules.LOWER_IS_BETTER
    amber = target * (1 + tolerance / 100) if lower else target * (1 - tolerance / 100)
    return [target, amber, target - 1e-11 * max(1.0, abs(target)), target + 1e-9, amber - 1e-9,
            amber + 1e-9]


def typed_edits(clean: Path, seed: int, count: int = 24) -> dict[tuple[str, str], Any]:
    """`count` cells of the return typed into, chosen and filled at random (but by `seed`)."""
    rng = random.Random(seed)
    data = read_return(clean).data
    assert data is not None
    cells: list[tuple[str, str, list[Any]]] = []
    for sheet, spec in layout.SHEETS.items():
        for row in data.rows[sheet]:
            for column in spec.inputs:
                if (sheet, column.key) == ("Measures", "status"):
                    continue  # typed by data_status_edits, so these cases stay as they were
                pool: list[Any] = list(TYPED)
                if column.key == "status":
                    pool += STATUSES * 2
                if column.key == "actual":
                    pool += boundary_actuals(row) * 3
                cells.append((sheet, spec.cell(column.key, row["_row"]), pool))
    for row1 in (COVER.completed_by, COVER.approved_by):
        cells.append(("Cover", f"C{row1}", list(NAMES) * 3 + list(TYPED)))
    cells.append(("Cover", f"C{COVER.signoff_date}", [dt.date(2025, 7, 14), "next week",
                                                       "14/07/2025", *TYPED]))
    return {(sheet, ref): rng.choice(pool) for sheet, ref, pool in rng.sample(cells, count)}


def data_status_edits(clean: Path) -> dict[tuple[str, str], Any]:
    """A measure's Data status typed every way that matters: Not available with a figure, with
    no commentary, and as it should be (any case); Provisional; words not in the list; an error
    value."""
    data = read_return(clean).data
    assert data is not None
    spec = layout.MEASURES
    rows = [r["_row"] for r in data.rows["Measures"] if r["frequency"] == "Quarterly"]
    why = "The June figures arrive from the NHS in August; they will be in next quarter's return."
    cases: list[dict[str, Any]] = [
        {"status": "Not available"},                                   # with its figure
        {"status": "Not available", "actual": None, "commentary": "\t"},  # unexplained
        {"status": "not AVAILABLE", "actual": None, "commentary": why},   # accepted
        {"status": "Provisional"},
        {"status": "Final"},
        {"status": "Not available", "commentary": None},               # both at once
        {"status": "=NA()"},
        {"status": "\u00a0"},                                          # blank: a final figure
    ]
    return {("Measures", spec.cell(key, row)): value
            for row, case in zip(rows, cases, strict=False) for key, value in case.items()}


WHY = "The June figures arrive from the NHS in August; they will be in next quarter's return."
#: A list entry typed with spaces, tabs or line breaks is that entry (case aside), in validate and
#: in every program's formulas; any other character that cannot be seen is in the way.
LIST_ENTRIES: dict[str, tuple[dict[str, Any], ...]] = {
    "Actions": ({"status": " Complete "}, {"status": "Complete\t"},
                {"status": "\tAt risk", "commentary": None}, {"status": "On track\n"},
                {"status": "off  TRACK"}, {"status": "On track\u00a0"},
                {"status": "On\u00a0track"}, {"status": "On track\u200b"}),
    "Savings": ({"status": " Unachievable "}, {"status": "On track \t"},
                {"status": "Unachievable\u00a0"}),
    "Measures": ({"status": " Not available ", "actual": None, "commentary": WHY},
                 {"status": "Not available\u00a0", "actual": None, "commentary": WHY},
                 {"status": " not available"}, {"status": "\u00a0Provisional"},
                 {"status": "Provisional\n"}),
}


def list_entry_edits(clean: Path) -> dict[tuple[str, str], Any]:
    """Each of LIST_ENTRIES typed into its own row (quarterly measures with a target)."""
    data = read_return(clean).data
    assert data is not None
    edits: dict[tuple[str, str], Any] = {}
    for sheet, cases in LIST_ENTRIES.items():
        rows = [r["_row"] for r in data.rows[sheet]
                if sheet != "Measures" or (r["frequency"] == "Quarterly" and r["target"])]
        assert len(rows) >= len(cases), sheet
        for row, case in zip(rows, cases, strict=False):
            edits.update({(sheet, layout.SHEETS[sheet].cell(key, row)): value
                          for key, value in case.items()})
    return edits


def type_into(source: Path, edits: dict[tuple[str, str], Any], target: Path) -> Path:
    """Type the edits in as a person would (a % typed after a number keeps a % format)."""
    workbook = openpyxl.load_workbook(source)
    for (sheet, ref), value in edits.items():
        cell = workbook[sheet][ref]
        if isinstance(value, tuple):
            cell.value, cell.number_format = value[1], "0%"
        else:
            cell.value = value
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    _preserve_spaces(target)
    return target


def _preserve_spaces(path: Path) -> None:
    """Mark every inline string's white space as kept, as Excel and LibreOffice do: openpyxl
    writes a text that is only a tab and spaces without it, and a reader may then drop them."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<is><t>", b'<is><t xml:space="preserve">')
            target.writestr(info, data)


def libreoffice_save_all(paths: Iterable[Path], out_dir: Path) -> list[Path]:
    """Open every file in LibreOffice (one run for them all), recalculate and save as .xlsx."""
    assert SOFFICE, "LibreOffice is needed"
    paths = list(paths)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--calc",
             "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir),
             *map(str, paths)],
            check=True, capture_output=True, timeout=600, env={**os.environ, "HOME": profile})
    saved = [out_dir / p.name for p in paths]
    assert all(p.exists() for p in saved), "LibreOffice did not write every file"
    return saved


def gnumeric_save_all(paths: Iterable[Path], out_dir: Path) -> list[Path]:
    """Recalculate every file in Gnumeric (`ssconvert --recalc`, two at a time)."""
    assert SSCONVERT, "Gnumeric is needed"
    out_dir.mkdir(parents=True, exist_ok=True)

    def one(path: Path) -> Path:
        saved = out_dir / path.name
        subprocess.run([SSCONVERT, "--recalc", str(path), str(saved)], check=True,
                       capture_output=True, timeout=180)
        return saved

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(one, paths))


def checks_sheet(path: Path) -> tuple[Counter[tuple[str, str]], Any, Any, list[Any]]:
    """The Checks sheet's counts by (sheet, rule code), its Ready to submit, the Cover's, and
    any count that is not a number."""
    values = read_values(path)
    counts: Counter[tuple[str, str]] = Counter()
    ready, not_numbers = None, []
    for row in values["Checks"]:
        row = [*row, "", "", "", ""]
        if row[0] in DATA_SHEETS and row[3]:
            if isinstance(row[2], float):
                counts[(row[0], row[3])] += int(row[2])
            else:
                not_numbers.append(row[:4])
        if row[1] == "Ready to submit":
            ready = row[2]
    cover = values["Cover"][COVER.ready - 1][2]
    return +counts, ready, cover, not_numbers
