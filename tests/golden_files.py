"""Golden reference files, XlsxWriter's way: a generated return, a master and a quarterly
summary, built from the shipped derby example at fixed times, unzipped and compared part by
part with the reference XML in tests/golden/. Parts that change from run to run (document
properties, LibreOffice's or Excel's calculation chain) are left out.

A change to a formula, a style, a header or a validation rule shows as a failing comparison
with the part named. When the change is intended, regenerate the references on purpose and
review the diff before committing:

    python tests/golden_files.py
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
LEFT_OUT = ("docProps/", "xl/calcChain.xml")
WHEN = dt.datetime(2025, 7, 20, 9, 30, 0)
QUARTER = "2025-26-Q1"
DIRECTORATE = "CR"


def build(folder: Path) -> dict[str, Path]:
    """Run generate, simulate, consolidate and summarise at fixed times: the three workbooks
    by name ("return", "master", "summary")."""
    from workbook_tools.master.consolidate import consolidate
    from workbook_tools.plan.examples import init_folder
    from workbook_tools.plan.register import load_plan
    from workbook_tools.quarters import parse_quarter
    from workbook_tools.returns.generate import generate_returns
    from workbook_tools.returns.layout import Context
    from workbook_tools.returns.simulate import fill_return
    from workbook_tools.summary.quarter import summarise_quarter

    os.environ["WORKBOOK_TOOLS_WORKERS"] = "1"
    init_folder(folder, "derby")
    plan = load_plan(folder / "templates" / "plan.xlsx")
    quarter = parse_quarter(QUARTER)
    [blank] = generate_returns(plan, quarter, folder / "outputs" / "blank", [DIRECTORATE],
                               context=Context(quarter=quarter), now=WHEN)
    returns = folder / "returns" / QUARTER
    returns.mkdir(parents=True)
    filled = fill_return(blank, returns / blank.name, seed=7)
    stamp = WHEN.timestamp()
    os.utime(filled, (stamp, stamp))
    master = folder / "outputs" / "master.xlsx"
    consolidate(plan, quarter, returns, master, now=WHEN, user="golden")
    summary = folder / "outputs" / f"summary-{QUARTER}.xlsx"
    summarise_quarter(master, quarter, summary, plan=plan, produced=WHEN.date())
    return {"return": blank, "master": master, "summary": summary}


def parts(workbook: Path) -> dict[str, bytes]:
    """The workbook's XML parts by name, less those that change from run to run."""
    with zipfile.ZipFile(workbook) as archive:
        return {name: archive.read(name) for name in sorted(archive.namelist())
                if not name.startswith(LEFT_OUT) and not name.endswith("/")}


def regenerate() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        built = build(Path(temporary) / "ws")
        if GOLDEN.exists():
            shutil.rmtree(GOLDEN)
        for name, workbook in built.items():
            for part, data in parts(workbook).items():
                target = GOLDEN / name / part
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
    print(f"Wrote the references in {GOLDEN}; review 'git diff' before committing.")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    regenerate()
