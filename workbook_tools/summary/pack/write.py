"""`summarise` writes the Cabinet pack beside the summary workbook: `summary-<Q>.html` or
`annual-<YEAR>.html`, and with --pdf the `.pdf` too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from workbook_tools.master.read import read_master
from workbook_tools.plan.register import Plan, Settings
from workbook_tools.quarters import Quarter, quarters_of_year
from workbook_tools.summary import tables as t
from workbook_tools.summary.pack.annual import annual_pack
from workbook_tools.summary.pack.quarter import quarter_pack
from workbook_tools.summary.pack.render import check_pdf_available, write_pack


def pack_paths(workbook: Path, pdf: bool) -> tuple[Path, Path | None]:
    """The page (and PDF) beside a summary workbook: same name, .html and .pdf."""
    workbook = Path(workbook)
    return workbook.with_suffix(".html"), workbook.with_suffix(".pdf") if pdf else None


def theme_codes(plan: Plan | None) -> dict[str, str]:
    """Theme name -> code, to find a theme's messages on the Narrative sheet."""
    return {theme.name: theme.code for theme in plan.themes} if plan is not None else {}


def deadline_days(plan: Plan | None) -> int:
    return plan.settings.deadline_days if plan is not None else Settings.deadline_days


def write_quarter_pack(master_path: Path, quarter: Quarter, workbook: Path,
                       plan: Plan | None = None, pdf: bool = False,
                       produced: dt.date | None = None) -> list[Path]:
    """Write `summary-<Q>.html` (and `.pdf`) beside the summary workbook `workbook`.

    Raises:
        ConfigurationError: --pdf without WeasyPrint; a file cannot be written.
        MasterError: the master cannot be read.
    """
    if pdf:
        check_pdf_available()
    master = read_master(master_path)
    frames = t.load_frames(master, plan)
    pack = quarter_pack(master, frames, quarter, produced or dt.date.today(),
                        deadline_days(plan), theme_codes(plan))
    return write_pack(pack, *pack_paths(workbook, pdf))


def write_annual_pack(master_path: Path, start_year: int, workbook: Path,
                      plan: Plan | None = None, pdf: bool = False,
                      produced: dt.date | None = None) -> list[Path]:
    """Write `annual-<YEAR>.html` (and `.pdf`) beside the annual workbook `workbook` (written
    first, so the master is known to hold the year)."""
    if pdf:
        check_pdf_available()
    master = read_master(master_path)
    frames = t.load_frames(master, plan)
    quarters = [str(q) for q in quarters_of_year(start_year) if str(q) in frames.quarters]
    pack = annual_pack(master, frames, start_year, quarters, produced or dt.date.today(),
                       deadline_days(plan), theme_codes(plan))
    return write_pack(pack, *pack_paths(workbook, pdf))
