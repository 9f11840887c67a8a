"""The whole cycle on the shipped example, for two quarters (`workbook-tools demo`).

A fresh Derbyshire working folder is made in the demo folder; for each quarter the returns are
generated, filled in as directorates would (a few with the mistakes people make), validated (with
a report and feedback), any rejected return is corrected and sent again and the quarter is
validated again (so the report and the feedback left behind are current), the accepted returns
are consolidated into the master, and the quarterly summary is written. Then `status` on the last
quarter's deadline day, the annual summary and `export`. Everything is written under the demo
folder, whatever the current folder.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from workbook_tools.errors import ConfigurationError
from workbook_tools.quarters import Quarter, parse_quarter
from workbook_tools.returns.findings import ValidationRun
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
    feedback: list[Path] = field(default_factory=list)  # the last quarter's, still current
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
    from workbook_tools.master.export import export_master
    from workbook_tools.master.history import previous_context
    from workbook_tools.plan.examples import init_folder
    from workbook_tools.plan.register import load_plan
    from workbook_tools.returns.feedback import write_feedback
    from workbook_tools.returns.generate import generate_returns
    from workbook_tools.returns.report import write_validation_report
    from workbook_tools.returns.simulate import fill_return, simulate_returns
    from workbook_tools.returns.status import directorate_status
    from workbook_tools.returns.validate import validate_paths
    from workbook_tools.summary.annual import summarise_year
    from workbook_tools.summary.pack.write import write_quarter_pack
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
             f"{_rel(ws.validation_report(quarter), folder)}, {_files(feedback)} in "
             f"{_rel(ws.feedback(quarter), folder)}.")
        rejected = [r for r in run.results if not r.accepted]
        for returned in rejected:
            first = returned.errors[0].message if returned.errors else returned.status
            sent = returned.received + dt.timedelta(days=1)  # a day after the first one
            fill_return(ws.blank(quarter) / returned.path.name, returned.path, seed=seed)
            os.utime(returned.path, (sent.timestamp(), sent.timestamp()))
            step(f"{quarter}: {returned.directorate} corrected its return and sent it again "
                 f"(it had said: {first})")
        if rejected:  # the report and feedback must say what is true now, not before
            run = validate_paths([ws.returns(quarter)], quarter, plan, master)
            write_validation_report(run, ws.validation_report(quarter))
            feedback = write_feedback(run, ws.feedback(quarter))
            step(f"{quarter}: validated again: {_verdicts(run)}; report "
                 f"{_rel(ws.validation_report(quarter), folder)} updated, {_files(feedback)} "
                 f"in {_rel(ws.feedback(quarter), folder)}"
                 + (" (warnings only)." if feedback and run.exit_code == 0 else "."))
        result.feedback = feedback
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
    last = quarters[-1]
    pack = write_quarter_pack(ws.master, last, ws.summary(last), plan)
    step(f"{last}: wrote the Cabinet pack, {_rel(pack[0], folder)}: one web page to read in "
         "any browser, publish, or print.")
    deadline = last.deadline(plan.settings.deadline_days)
    rows = directorate_status(plan, last, run, deadline)
    on_time = sum(1 for row in rows if row.timing == "on time")
    step(f"{last}: status on the deadline day, {deadline:%d %B %Y}: "
         f"{_tally(row.status for row in rows)} ({on_time} of {len(rows)} on time).")
    annual = summarise_year(ws.master, last.start_year, ws.annual(last.year_label), plan)
    step(f"{last.year_label}: wrote the annual summary so far, {_rel(annual.path, folder)} "
         f"({len(annual.sheets)} sheets, {annual.charts} charts).")
    exported = export_master(ws.master, ws.outputs / "export", "csv")
    step(f"Exported the master for Power BI: {len(exported.files)} CSV files in "
         f"{_rel(exported.folder, folder)} ({sum(n for _, n in exported.files):,} rows).")
    result.files.insert(0, ws.master)
    result.files += [*pack, annual.path, exported.folder]
    result.next_steps = _next_steps(folder, last, result.feedback, run.exit_code == 0)
    result.seconds = time.monotonic() - started
    return result


def _verdicts(run: ValidationRun) -> str:
    return f"{run.verdicts or 'no returns'} (of {len(run.results)} files)"


def _tally(statuses: Iterable[str]) -> str:
    """'3 accepted, 1 not received': each status with its count, as first met."""
    return ", ".join(f"{n} {status.lower()}" for status, n in Counter(statuses).items())


def _files(paths: list[Path]) -> str:
    return f"{len(paths)} feedback file{'s' if len(paths) != 1 else ''}"


def _rel(path: Path, folder: Path) -> str:
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return str(path)


def _next_steps(folder: Path, last: Quarter, feedback: list[Path],
                accepted: bool) -> list[str]:
    nxt = last.next()
    send = []
    if feedback:  # only the feedback the last validation wrote: every file in it is current
        codes = [p.name.split("_", 1)[0] for p in feedback]
        who = ", ".join(codes[:-1]) + " and " + codes[-1] if len(codes) > 1 else codes[0]
        send = [f"Send {who} {'their' if len(codes) > 1 else 'its'} feedback from "
                f"{feedback[0].parent}: "
                + ("accepted, with warnings to check" if accepted else "what to put right")
                + " (each cell highlighted, with a note saying what to look at)."]
    return [
        f"Open {folder / 'outputs' / f'summary-{last}.html'} in a browser: the Cabinet pack "
        "(key messages, exceptions with commentary, savings, risks, an appendix per "
        f"directorate); workbook-tools summarise --quarter {last} --pdf writes it as a PDF too.",
        f"Open {folder / 'outputs' / f'summary-{last}.xlsx'}: the Overview is the page for "
        "Cabinet; Exceptions lists every Red measure and action with its commentary.",
        *send,
        f"Finance: fill in the Finance confirmed (£) column on the Savings sheet of "
        f"{folder / 'outputs' / 'master.xlsx'}; no later run loses it.",
        f"Next quarter: cd {folder} && workbook-tools generate --quarter {nxt}, then status, "
        f"validate, consolidate and summarise; at the year end: workbook-tools summarise "
        f"--year {last.year_label}.",
    ]
