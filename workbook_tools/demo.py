"""The whole cycle on the shipped example, across a year end (`workbook-tools demo`).

A fresh Derbyshire working folder is made in the demo folder. The year's first two quarters are
put into the master quietly (the year so far); then for each of its last two quarters, and for
the first quarter of the next year, the returns are generated, filled in as directorates would
(a few with the mistakes people make), validated (with a report and feedback), any rejected
return is corrected and sent again and the quarter validated again (so the report and the
feedback left behind are current), the accepted returns are consolidated into the master, and the
quarterly summary is written; each quarter is closed after Cabinet. At the year end the annual
summary is written and the plan rolled into the next year (this year's register kept, unfinished
actions and undelivered savings carried). Then the new quarter beside the same quarter a year
ago, `status` on its deadline day and `export`. Everything is written under the demo folder,
whatever the current folder.
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
from workbook_tools.files.cells import pounds
from workbook_tools.master.columns import MasterSheet
from workbook_tools.plan.register import Plan
from workbook_tools.quarters import Quarter, parse_quarter
from workbook_tools.returns.findings import ValidationRun
from workbook_tools.words import count
from workbook_tools.workspace import Workspace

EARLIER_QUARTERS = ("2025-26-Q1", "2025-26-Q2")  # the year so far, consolidated quietly
DEMO_QUARTERS = ("2025-26-Q3", "2025-26-Q4")  # each quarter's whole cycle, up to the year end
CABINET = "Reported to Cabinet"
EXAMPLE = "derbyshire"
MARKER = ".workbook-tools-demo"  # marks a folder the demo made, so a second run may clear it
SEED = 4  # a seed whose mistakes reject a return or two in each whole-cycle quarter
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


def prepare_folder(folder: Path) -> None:
    """Ready `folder` for a demo run: missing or empty, or one an earlier demo made, whose
    returns/ and outputs/ are cleared (anything else in it is kept).

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
    """Run the demo in `folder`: the year so far, its last two quarters, the year end, and the
    first quarter of the next year.

    Args:
        say: called with each step's line as it is done (the command line prints them).

    Raises:
        ConfigurationError: `folder` is not empty and not an earlier demo's.
    """
    from workbook_tools.master.export import export_master
    from workbook_tools.plan.examples import init_folder
    from workbook_tools.plan.register import load_plan
    from workbook_tools.returns.status import directorate_status
    from workbook_tools.summary.pack.write import write_quarter_pack

    started = time.monotonic()
    folder = Path(folder)
    prepare_folder(folder)
    plan_path = init_folder(folder, EXAMPLE, force=True)
    (folder / MARKER).write_text("Made by 'workbook-tools demo'; a new demo run clears "
                                 "returns/ and outputs/ here.\n", encoding="utf-8")
    result = DemoResult(folder)
    plan = load_plan(plan_path)
    demo = _Demo(folder, result, say, seed, error_rate)
    demo.step(f"Made a working folder for {plan.settings.council_name} in {folder} "
              f"({len(plan.directorates)} directorates, {len(plan.measures)} measures, "
              f"{len(plan.actions)} actions, {len(plan.savings)} savings lines, "
              f"{len(plan.risks)} risks).")
    for quarter in (parse_quarter(q) for q in EARLIER_QUARTERS):
        demo.quietly(plan, quarter)
    run = None
    for quarter in (parse_quarter(q) for q in DEMO_QUARTERS):
        run = demo.cycle(plan, quarter)
        if quarter != parse_quarter(DEMO_QUARTERS[-1]):
            demo.close(quarter)
    year_end_quarter = parse_quarter(DEMO_QUARTERS[-1])
    demo.year_end(plan, year_end_quarter)
    last = year_end_quarter.next()
    plan = load_plan(plan_path)  # next year's register, as plan roll wrote it
    run = demo.cycle(plan, last)
    demo.year_ago(last)
    pack = write_quarter_pack(demo.ws.master, last, demo.ws.summary(last), plan)
    demo.step(f"{last}: wrote the Cabinet pack, {demo.rel(pack[0])}: one web page to read in "
              "any browser, publish, or print.")
    deadline = last.deadline(plan.settings.deadline_days)
    rows = directorate_status(plan, last, run, deadline)
    on_time = sum(1 for row in rows if row.timing == "on time")
    demo.step(f"{last}: status on the deadline day, {deadline:%d %B %Y}: "
              f"{_tally(row.status for row in rows)} ({on_time} of {len(rows)} on time).")
    exported = export_master(demo.ws.master, demo.ws.outputs / "export", "csv")
    demo.step(f"Exported the master for Power BI: {len(exported.files)} CSV files in "
              f"{_rel(exported.folder, folder)} ({sum(n for _, n in exported.files):,} rows).")
    result.files.insert(0, demo.ws.master)
    result.files += [*pack, exported.folder]
    result.next_steps = _next_steps(folder, last, result.feedback, run.exit_code == 0)
    result.seconds = time.monotonic() - started
    return result


class _Demo:
    """The demo's steps, each said as it is done."""

    def __init__(self, folder: Path, result: DemoResult, say: Callable[[str], None] | None,
                 seed: int, error_rate: float) -> None:
        self.folder = folder
        self.ws = Workspace(folder)
        self.result = result
        self.say = say
        self.seed = seed
        self.error_rate = error_rate

    def step(self, text: str) -> None:
        self.result.steps.append(text)
        if self.say is not None:
            self.say(text)

    def rel(self, path: Path) -> str:
        return _rel(path, self.folder)

    def generate(self, plan: Plan, quarter: Quarter) -> list[Path]:
        from workbook_tools.master.history import previous_context
        from workbook_tools.returns.generate import generate_returns

        master = self.ws.master if self.ws.master.exists() else None
        return generate_returns(plan, quarter, self.ws.blank(quarter),
                                context=previous_context(master, quarter))

    def quietly(self, plan: Plan, quarter: Quarter) -> None:
        """A quarter of the year so far: returns generated, filled in without mistakes and
        consolidated, so the year end has the whole year and next year a year ago."""
        from workbook_tools.master.consolidate import consolidate
        from workbook_tools.returns.simulate import simulate_returns

        self.generate(plan, quarter)
        simulate_returns(self.ws.blank(quarter), self.ws.returns(quarter), quarter,
                         seed=self.seed, workspace=self.ws)
        done = consolidate(plan, quarter, self.ws.returns(quarter), self.ws.master)
        self.step(f"{quarter}: earlier in the year: {len(done.run.accepted)} returns generated, "
                  f"filled in and consolidated into {self.rel(self.ws.master)}.")

    def cycle(self, plan: Plan, quarter: Quarter) -> ValidationRun:
        """A quarter's whole cycle: generate, fill in (a few mistakes), validate with report
        and feedback, correct and validate again, consolidate, summarise."""
        from workbook_tools.master.consolidate import consolidate
        from workbook_tools.returns.simulate import fill_return, simulate_returns
        from workbook_tools.summary.quarter import summarise_quarter

        ws = self.ws
        blanks = self.generate(plan, quarter)
        self.step(f"{quarter}: generated {len(blanks)} returns in {self.rel(ws.blank(quarter))}.")
        simulate_returns(ws.blank(quarter), ws.returns(quarter), quarter, seed=self.seed,
                         error_rate=self.error_rate, workspace=ws)
        self.step(f"{quarter}: the directorates filled them in and sent them back to "
                  f"{self.rel(ws.returns(quarter))}.")
        run, feedback = self.validate(plan, quarter, "validated")
        rejected = [r for r in run.results if not r.accepted]
        for returned in rejected:
            first = returned.errors[0].message if returned.errors else returned.status
            sent = returned.received + dt.timedelta(days=1)  # a day after the first one
            fill_return(ws.blank(quarter) / returned.path.name, returned.path, seed=self.seed,
                        workspace=ws)
            os.utime(returned.path, (sent.timestamp(), sent.timestamp()))
            self.step(f"{quarter}: {returned.directorate} corrected its return and sent it "
                      f"again (it had said: {first})")
        if rejected:  # the report and feedback must say what is true now, not before
            run, feedback = self.validate(plan, quarter, "validated again")
        self.result.feedback = feedback
        consolidated = consolidate(plan, quarter, ws.returns(quarter), ws.master)
        counts = consolidated.counts
        self.step(f"{quarter}: consolidated {len(consolidated.run.accepted)} accepted returns "
                  f"into {self.rel(ws.master)} ({counts[MasterSheet.MEASURES]} measures, "
                  f"{counts[MasterSheet.ACTIONS]} actions, {counts[MasterSheet.SAVINGS]} savings, "
                  f"{counts[MasterSheet.RISKS]} risks).")
        summary = summarise_quarter(ws.master, quarter, ws.summary(quarter), plan)
        self.step(f"{quarter}: wrote the summary for Cabinet, {self.rel(summary.path)} "
                  f"({len(summary.sheets)} sheets, {summary.charts} charts). "
                  + " ".join(summary.lines[:3]))
        self.result.files += [ws.validation_report(quarter), summary.path]
        return run

    def validate(self, plan: Plan, quarter: Quarter,
                 done: str) -> tuple[ValidationRun, list[Path]]:
        from workbook_tools.returns.feedback import write_feedback
        from workbook_tools.returns.report import write_validation_report
        from workbook_tools.returns.validate import validate_paths

        ws = self.ws
        run = validate_paths([ws.returns(quarter)], quarter, plan, ws.master)
        write_validation_report(run, ws.validation_report(quarter))
        feedback = write_feedback(run, ws.feedback(quarter))
        again = done != "validated"
        self.step(f"{quarter}: {done}: {_verdicts(run)}; report "
                  f"{self.rel(ws.validation_report(quarter))}{' updated' if again else ''}, "
                  f"{_files(feedback)} in {self.rel(ws.feedback(quarter))}"
                  + (" (warnings only)." if again and feedback and run.exit_code == 0 else "."))
        return run, feedback

    def close(self, quarter: Quarter) -> None:
        from workbook_tools.master.periods import close_quarter

        close_quarter(self.ws.master, quarter, f"{CABINET} ({quarter})")
        self.step(f"{quarter}: closed after Cabinet: consolidating it again now needs "
                  f"'workbook-tools reopen --quarter {quarter} --reason ...', and every figure "
                  "it changes is listed as a correction.")

    def year_end(self, plan: Plan, last: Quarter) -> None:
        """The year-end summary, the last quarter closed, and next year's register."""
        from workbook_tools.master.year_end import year_end
        from workbook_tools.plan.roll import roll_plan
        from workbook_tools.summary.annual import summarise_year

        ws = self.ws
        annual = summarise_year(ws.master, last.start_year, ws.annual(last.year_label), plan)
        self.step(f"{last.year_label}: wrote the year-end annual summary, "
                  f"{self.rel(annual.path)} ({len(annual.sheets)} sheets, {annual.charts} "
                  f"charts).")
        self.result.files.append(annual.path)
        self.close(last)
        nxt = last.next().year_label
        rolled = roll_plan(ws.plan, nxt, year_end(ws.master, last.start_year))
        self.step(f"{nxt}: rolled the plan: kept {self.rel(rolled.kept)} and wrote "
                  f"{self.rel(rolled.written)} with {rolled.measures} measures (targets to "
                  f"review), {len(rolled.actions)} unfinished actions, {len(rolled.savings)} "
                  f"savings lines carried forward ({pounds(rolled.programme_target)} undelivered, "
                  f"the new programme target) and {rolled.risks} risks.")

    def year_ago(self, quarter: Quarter) -> None:
        """The quarter's measures by RAG beside the same quarter a year ago."""
        from workbook_tools.master.read import read_master

        master = read_master(self.ws.master)
        ago = Quarter(quarter.start_year - 1, quarter.number)
        counts = [Counter(r.get("RAG") for r in master.rows(MasterSheet.MEASURES, q))
                  for q in (ago, quarter)]
        moved = ", ".join(f"{rag} {counts[0][rag]} -> {counts[1][rag]}"
                          for rag in ("Green", "Amber", "Red"))
        self.step(f"{quarter} compared with a year ago ({ago}): measures {moved}.")


def _verdicts(run: ValidationRun) -> str:
    return f"{run.verdicts or 'no returns'} (of {len(run.results)} files)"


def _tally(statuses: Iterable[str]) -> str:
    """'3 accepted, 1 not received': each status with its count, as first met."""
    return ", ".join(f"{n} {status.lower()}" for status, n in Counter(statuses).items())


def _files(paths: list[Path]) -> str:
    return count(len(paths), 'feedback file')


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
        f"validate, consolidate, summarise and close after Cabinet; at the year end: "
        f"workbook-tools summarise --year {last.year_label}, then plan roll --to "
        f"{Quarter(last.start_year + 1, 1).year_label}.",
    ]
