"""The whole cycle on the shipped example, for two quarters (`workbook-tools demo`).

A fresh Derbyshire working folder is made in the demo folder; for each quarter the returns are
generated, filled in as directorates would (a few with the mistakes people make), validated (with
a report and feedback), any rejected return is corrected and sent again, the accepted returns are
consolidated into the master, and the quarterly summary is written. Everything is written under
the demo folder, whatever the current folder.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from workbook_tools.errors import ConfigurationError
from workbook_tools.quarters import Quarter, parse_quarter
from workbook_tools.workspace import Workspace

DEMO_QUARTERS = ("2025-26-Q1", "2025-26-Q2")
EXAMPLE = "derbyshire"
MARKER = ".workbook-tools-demo"  # marks a folder the demo made, so a second run may clear it
SEED = 2
ERROR_RATE = 0.01  # share of rows given the mistakes people make
_MADE = ("returns", "outputs")  # the demo's own subfolders, cleared when it runs again


@dataclass
class DemoResult:
    """What the demo did: the steps in words, the files worth opening, and what comes next."""

    folder: Path
    steps: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _prepare(folder: Path) -> None:
    """An empty folder, or one an earlier demo made (its outputs are cleared).

    Raises:
        ConfigurationError: the folder holds something else.
    """
    if folder.exists() and not folder.is_dir():
        raise ConfigurationError(f"{folder}: is a file; give a folder with --out.")
    if folder.is_dir() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise ConfigurationError(
                f"{folder}: is not empty and was not made by the demo; give a new folder with "
                f"--out (the demo only writes into an empty folder or an earlier demo's).")
        for name in _MADE:
            shutil.rmtree(folder / name, ignore_errors=True)


def run_demo(folder: Path, say: Callable[[str], None] | None = None, seed: int = SEED,
             error_rate: float = ERROR_RATE) -> DemoResult:
    """Run the cycle for the demo quarters in `folder`.

    Args:
        say: called with each step's line as it is done (the command line prints them).

    Raises:
        ConfigurationError: `folder` is not empty and not an earlier demo's.
    """
    from workbook_tools.master.consolidate import consolidate
    from workbook_tools.master.history import previous_context
    from workbook_tools.plan.examples import init_folder
    from workbook_tools.plan.register import load_plan
    from workbook_tools.returns.feedback import write_feedback
    from workbook_tools.returns.generate import generate_returns
    from workbook_tools.returns.report import write_validation_report
    from workbook_tools.returns.simulate import fill_return, simulate_returns
    from workbook_tools.returns.validate import validate_paths
    from workbook_tools.summary.quarter import summarise_quarter

    started = time.monotonic()
    folder = Path(folder)
    _prepare(folder)
    plan_path = init_folder(folder, EXAMPLE, force=True)
    (folder / MARKER).write_text("Made by 'workbook-tools demo'; a new demo run clears "
                                 "returns/ and outputs/ here.\n", encoding="utf-8")
    result = DemoResult(folder)
    ws = Workspace(folder)

    def step(text: str) -> None:
        result.steps.append(text)
        if say is not None:
            say(text)

    plan = load_plan(plan_path)
    step(f"Made a working folder for {plan.settings.council_name} in {folder} "
         f"({len(plan.directorates)} directorates, {len(plan.measures)} measures, "
         f"{len(plan.actions)} actions, {len(plan.savings)} savings lines, "
         f"{len(plan.risks)} risks).")
    quarters = [parse_quarter(q) for q in DEMO_QUARTERS]
    for quarter in quarters:
        master = ws.master if ws.master.exists() else None
        blanks = generate_returns(plan, quarter, ws.blank(quarter),
                                  context=previous_context(master, quarter))
        step(f"{quarter}: generated {len(blanks)} returns in {_rel(ws.blank(quarter), folder)}.")
        simulate_returns(ws.blank(quarter), ws.returns(quarter), quarter, seed=seed,
                         error_rate=error_rate)
        step(f"{quarter}: the directorates filled them in and sent them back to "
             f"{_rel(ws.returns(quarter), folder)}.")
        run = validate_paths([ws.returns(quarter)], quarter, plan, master)
        write_validation_report(run, ws.validation_report(quarter))
        feedback = write_feedback(run, ws.feedback(quarter))
        step(f"{quarter}: validated: {_verdicts(run)}; report "
             f"{_rel(ws.validation_report(quarter), folder)}, {len(feedback)} feedback "
             f"file{'s' if len(feedback) != 1 else ''} in {_rel(ws.feedback(quarter), folder)}.")
        for returned in (r for r in run.results if not r.accepted):
            first = returned.errors[0].message if returned.errors else returned.status
            fill_return(ws.blank(quarter) / returned.path.name, returned.path, seed=seed)
            step(f"{quarter}: {returned.directorate} corrected its return and sent it again "
                 f"(it had said: {first})")
        consolidated = consolidate(plan, quarter, ws.returns(quarter), ws.master)
        counts = consolidated.counts
        step(f"{quarter}: consolidated {len(consolidated.run.accepted)} accepted returns into "
             f"{_rel(ws.master, folder)} ({counts['Measures']} measures, {counts['Actions']} "
             f"actions, {counts['Savings']} savings, {counts['Risks']} risks).")
        summary = summarise_quarter(ws.master, quarter, ws.summary(quarter), plan)
        step(f"{quarter}: wrote the summary for Cabinet, {_rel(summary.path, folder)} "
             f"({len(summary.sheets)} sheets, {summary.charts} charts). "
             + " ".join(summary.lines[:3]))
        result.files += [ws.validation_report(quarter), summary.path]
    result.files.insert(0, ws.master)
    result.next_steps = _next_steps(folder, quarters[-1])
    result.seconds = time.monotonic() - started
    return result


def _verdicts(run: object) -> str:
    from workbook_tools.returns.findings import (
        ACCEPTED,
        ACCEPTED_WITH_WARNINGS,
        NOT_A_RETURN,
        REJECTED,
        SUPERSEDED,
    )

    results = getattr(run, "results", [])
    counts = []
    for status in (ACCEPTED, ACCEPTED_WITH_WARNINGS, REJECTED, SUPERSEDED, NOT_A_RETURN):
        n = sum(1 for r in results if r.status == status)
        if n:
            counts.append(f"{n} {status.lower()}")
    return ", ".join(counts) or "no returns"


def _rel(path: Path, folder: Path) -> str:
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return str(path)


def _next_steps(folder: Path, last: Quarter) -> list[str]:
    nxt = last.next()
    return [
        f"Open {folder / 'outputs' / f'summary-{last}.xlsx'}: the Overview is the page for "
        "Cabinet; Exceptions lists every Red measure and action with its commentary.",
        f"Send each directorate its feedback file from {folder / 'outputs' / 'feedback'} "
        "(problem cells highlighted, with a note saying what to fix).",
        f"Finance: fill in the Finance confirmed (£) column on the Savings sheet of "
        f"{folder / 'outputs' / 'master.xlsx'}; no later run loses it.",
        f"Next quarter: cd {folder} && workbook-tools generate --quarter {nxt}, then status, "
        f"validate, consolidate and summarise; at the year end: workbook-tools summarise "
        f"--year {last.year_label}.",
    ]
