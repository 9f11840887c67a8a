"""The command line: thin. Each command parses options, makes one library call, prints the
result, and maps the library's exceptions to exit codes (SPEC section 5)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from workbook_tools import __version__
from workbook_tools.errors import WorkbookToolsError
from workbook_tools.files.visible import visible
from workbook_tools.quarters import (
    QUARTER_HELP,
    Quarter,
    parse_quarter,
    parse_year,
    unquoted_quarter,
)
from workbook_tools.words import count, plural
from workbook_tools.workspace import Workspace


class QuarterType(click.ParamType):
    name = "QUARTER"

    def convert(self, value: Any, param: Any, ctx: Any) -> Quarter:
        if isinstance(value, Quarter):
            return value
        try:
            return parse_quarter(value)
        except WorkbookToolsError as exc:
            self.fail(str(exc), param, ctx)


QUARTER = QuarterType()
quarter_option = click.option("--quarter", "-q", type=QUARTER, required=True, help=QUARTER_HELP)
plan_option = click.option("--plan", "plan_path", type=click.Path(path_type=Path),
                           default=None, help="The plan register [default: templates/plan.xlsx].")


def _plan(path: Path | None, items: bool = True) -> Any:
    from workbook_tools.plan.register import load_plan

    return load_plan(path or Workspace.here().plan, items)


def _plan_for(quarter: Quarter, path: Path | None, items: bool = True) -> Any:
    """The register for the quarter's financial year (SPEC section 4): --plan, which must be for
    that year, else templates/plan.xlsx or the kept templates/plan-<YEAR>.xlsx."""
    from workbook_tools.plan.years import plan_for_quarter

    return plan_for_quarter(quarter, path or Workspace.here().plan, explicit=path is not None,
                            items=items)


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[Any], None]]:
    """A progress bar on a terminal, nothing in a pipe. Yields a callback for each item done."""
    if total > 1 and sys.stderr.isatty():
        with click.progressbar(length=total, label=label, file=sys.stderr) as bar:

            def advance(_item: Any = None) -> None:
                bar.update(1)

            yield advance
    else:

        def ignore(_item: Any = None) -> None:
            return None

        yield ignore


def shown(path: Path) -> str:
    """A path as the user gave it (relative to here when inside), invisible characters named
    (a file name with a line break cannot forge a line of output)."""
    try:
        return visible(str(path.resolve().relative_to(Path.cwd().resolve())))
    except ValueError:
        return visible(str(path))


class _Cli(click.Group):
    """Maps the library's exceptions to one plain sentence and the SPEC's exit codes."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        hint = unquoted_quarter(args)  # before a command reads 'Q2' alone and says only that
        if hint:
            raise click.UsageError(hint)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorkbookToolsError as exc:
            click.echo(f"Error: {visible(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            raise click.exceptions.Abort() from None
        except OSError as exc:
            where = f"{visible(str(exc.filename))}: " if exc.filename else ""
            click.echo(f"Error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(2)
        except Exception as exc:  # the last line of defence: a sentence, never a traceback
            if _debugging(ctx):
                import traceback

                traceback.print_exc()
            culprit = visible(str(getattr(exc, "workbook_file", "") or ""))
            click.echo(f"Error: unexpected problem{f' with {culprit}' if culprit else ''} "
                       f"({type(exc).__name__}: {exc}). Please report it with the command you "
                       "ran" + ("." if _debugging(ctx) else
                                " ('workbook-tools --debug COMMAND ...' shows the details)."),
                       err=True)
            ctx.exit(2)


def _debugging(ctx: click.Context) -> bool:
    """--debug (before the command) or WORKBOOK_TOOLS_DEBUG=1: show the traceback behind an
    unexpected problem."""
    return bool(ctx.params.get("debug")) or os.environ.get("WORKBOOK_TOOLS_DEBUG", "") == "1"


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbook-tools")
@click.option("--debug", is_flag=True,
              help="Show the technical details (traceback) behind an unexpected problem.")
def cli(debug: bool) -> None:
    """Run a council's quarterly performance and savings cycle through Excel returns.

    Commands run in a working folder (make one with init); the repository's own folder holds
    the shipped example.

    \b
    Example:
      workbook-tools generate --quarter 2025-26-Q1
      workbook-tools simulate --quarter 2025-26-Q1
      workbook-tools validate --quarter 2025-26-Q1
      workbook-tools consolidate --quarter 2025-26-Q1
      workbook-tools summarise --quarter 2025-26-Q1
    """


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--example", type=click.Choice(["derbyshire", "derby"]), default="derbyshire",
              show_default=True, help="Which shipped council's plan to start from.")
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
def init(directory: Path, example: str, force: bool) -> None:
    """Make a new working folder with an example plan register.

    \b
    Example:
      workbook-tools init my-council --example derby
    """
    from workbook_tools.plan.examples import init_folder

    plan_path = init_folder(directory, example, force)
    click.echo(f"Made {shown(directory)} with the {example} example: {shown(plan_path)}")
    click.echo(f"Next: cd {directory} && workbook-tools plan check")


@cli.group()
def plan() -> None:
    """The plan register (templates/plan.xlsx).

    \b
    Example:
      workbook-tools plan check
    """


@plan.command("check")
@plan_option
def plan_check(plan_path: Path | None) -> None:
    """List every problem in the register, with its sheet and cell.

    Exit 0 when the register is sound, 2 when it has problems.

    \b
    Example:
      workbook-tools plan check --plan templates/plan.xlsx
    """
    from workbook_tools.files.cells import pounds
    from workbook_tools.plan.register import check_plan

    path = plan_path or Workspace.here().plan
    loaded, problems = check_plan(path)
    if problems:
        for problem in problems:
            click.echo(f"{shown(path)}: {visible(str(problem))}")
        click.echo(f"{count(len(problems), 'problem')} in the register.")
        sys.exit(2)
    assert loaded is not None
    settings = loaded.settings
    click.echo(
        f"{shown(path)}: no problems. {settings.council_name}, {settings.financial_year}: "
        f"{len(loaded.directorates)} directorates, {len(loaded.objectives)} objectives, "
        f"{len(loaded.measures)} measures, {len(loaded.actions)} actions, "
        f"{len(loaded.savings)} savings lines ({pounds(sum(s.target for s in loaded.savings))})"
        ", "
        f"{len(loaded.risks)} risks.")


@cli.command()
@quarter_option
@plan_option
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder for the returns [default: outputs/blank/QUARTER].")
@click.option("--directorate", "-d", "directorates", multiple=True, metavar="CODE",
              help="Only this directorate (repeat for more).")
@click.option("--master", type=click.Path(path_type=Path), default=None,
              help="Master workbook for previous actuals [default: outputs/master.xlsx].")
@click.option("--password", default=None, help="Protect the sheets with this password.")
def generate(quarter: Quarter, plan_path: Path | None, out: Path | None,
             directorates: tuple[str, ...], master: Path | None, password: str | None) -> None:
    """Write one pre-filled, protected return per directorate.

    \b
    Example:
      workbook-tools generate --quarter 2025-26-Q1
      workbook-tools generate -q "Q2 2025/26" -d CS -d PL
    """
    from workbook_tools.master.history import previous_context
    from workbook_tools.returns.generate import generate_returns

    ws = Workspace.here()
    loaded = _plan_for(quarter, plan_path)
    context = previous_context(master or ws.master, quarter)
    paths = generate_returns(loaded, quarter, out or ws.blank(quarter), directorates, context,
                             password)
    for path in paths:
        click.echo(f"Wrote {shown(path)}")
    deadline = quarter.deadline(loaded.settings.deadline_days)
    click.echo(f"{count(len(paths), 'return')} for {quarter}; "
               f"deadline {deadline:%A %d %B %Y}.")


@cli.command()
@quarter_option
@click.option("--blank", type=click.Path(path_type=Path), default=None,
              help="Folder of blank returns [default: outputs/blank/QUARTER].")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder for the completed returns [default: returns/QUARTER].")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same answers.")
@click.option("--error-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of rows given the mistakes people make.")
def simulate(quarter: Quarter, blank: Path | None, out: Path | None, seed: int,
             error_rate: float) -> None:
    """Fill the blank returns as directorates would (for demos, training and tests).

    \b
    Example:
      workbook-tools simulate --quarter 2025-26-Q1 --seed 7 --error-rate 0.05
    """
    from workbook_tools.returns.simulate import simulate_returns

    ws = Workspace.here()
    if ws.plan.exists():  # the quarter's year must have a register, as for generate
        _plan_for(quarter, None, items=False)
    paths = simulate_returns(blank or ws.blank(quarter), out or ws.returns(quarter), quarter,
                             seed=seed, error_rate=error_rate)
    for path in paths:
        click.echo(f"Wrote {shown(path)}")
    click.echo(f"{count(len(paths), 'completed return')} for {quarter}.")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--quarter", "-q", type=QUARTER, default=None,
              help=f"{QUARTER_HELP} Needed to find returns/QUARTER; with PATHs, returns for "
                   "another quarter are rejected.")
@plan_option
@click.option("--master", type=click.Path(path_type=Path), default=None,
              help="Master workbook for last quarter's figures [default: outputs/master.xlsx].")
@click.option("--report", type=click.Path(path_type=Path), default=None,
              help="Validation report to write [default: outputs/validation-QUARTER.xlsx].")
@click.option("--feedback", type=click.Path(path_type=Path), default=None,
              help="Folder for each directorate's return with its problems marked.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], quarter: Quarter | None,
             plan_path: Path | None, master: Path | None, report: Path | None,
             feedback: Path | None, as_json: bool) -> None:
    """Check returns (files or folders; default returns/QUARTER) and report every problem.

    Each return is accepted, accepted with warnings, rejected or superseded. Exit 0 when every
    file is accepted, 1 when any is rejected or is not a return, 2 for a usage problem.

    \b
    Example:
      workbook-tools validate --quarter 2025-26-Q1
      workbook-tools validate returns/2025-26-Q1/CS_2025-26-Q1.xlsx --json
      workbook-tools validate -q 2025-26-Q1 --feedback outputs/feedback/2025-26-Q1
    """
    import json

    from workbook_tools.errors import ConfigurationError
    from workbook_tools.returns.validate import expand_paths, validate_paths

    ws = Workspace.here()
    if not paths:
        if quarter is None:
            raise click.UsageError("Give --quarter (to check returns/QUARTER) or the returns' "
                                   "paths.")
        folder = ws.returns(quarter)
        if not folder.is_dir():
            raise ConfigurationError(f"{shown(folder)}: there is no such folder. Save the "
                                     "returns there, or give their paths.")
        paths = (folder,)
    # every pre-filled value of a return is compared with the register's items
    loaded = None
    if plan_path or ws.plan.exists():
        loaded = _plan_for(quarter, plan_path) if quarter else _plan(plan_path)
    files = expand_paths(paths)
    if not files:  # nothing to check is not a success, and must not blank the last report
        codes = [d.code for d in loaded.directorates] if loaded is not None and quarter else []
        expected = (f" (one is expected from each of {', '.join(codes[:-1])} and {codes[-1]})"
                    if len(codes) > 1 else "")
        click.echo(f"No returns to check in {', '.join(shown(Path(p)) for p in paths)}"
                   f"{expected}. Save the returns there, or give their paths; no report was "
                   "written.", err=True)
        ctx.exit(1)
    with progress("Validating", len(files)) as done:
        run = validate_paths(files, quarter, loaded, master or ws.master, progress=done,
                             keep_rows=False)
    quarters = {r.quarter for r in run.results if r.quarter}
    label = str(quarter) if quarter else (quarters.pop() if len(quarters) == 1 else "")
    from workbook_tools.returns.report import report_name, write_validation_report

    whole = quarter is not None and all(Path(p).resolve() == ws.returns(quarter).resolve()
                                        for p in paths)
    report_path = report or ws.outputs / report_name(label, run, files, whole)
    write_validation_report(run, report_path, loaded.settings.council_name if loaded else "")
    written: list[Path] = []
    not_written: list[tuple[Path, str]] = []
    if feedback is not None:
        from workbook_tools.returns.feedback import write_feedback

        written = write_feedback(run, feedback, not_written)
    if as_json:
        click.echo(json.dumps({
            "quarter": label or None,
            "returns": [{"file": str(r.path), "directorate": r.directorate, "status": r.status,
                         "errors": len(r.errors), "warnings": len(r.warnings),
                         "findings": [f.as_dict() for f in r.findings]} for r in run.results],
        }, indent=2, ensure_ascii=False))
    else:
        _echo_run(run)
        click.echo(f"Report: {shown(report_path)}")
        if feedback is not None:
            click.echo(f"Feedback: {count(len(written), 'file')} in "
                       f"{shown(feedback)}")
            for path, reason in not_written:
                click.echo(f"No feedback for {shown(path)}: it {reason}.")
    ctx.exit(run.exit_code)


def _echo_run(run: Any) -> None:
    """One line per file, its findings under it (errors first), and a closing count."""
    for result in run.results:
        who = ""
        if result.data is not None:
            who = f"{result.data.meta.get('Directorate name', '')} ({result.directorate}), "
        elif result.directorate:
            who = f"{result.directorate}, "
        counts = []
        if result.errors:
            counts.append(count(len(result.errors), 'error'))
        if result.warnings:
            counts.append(count(len(result.warnings), 'warning'))
        tail = f": {', '.join(counts)}" if counts else ""
        click.echo(f"{shown(result.path)}: {visible(who)}{result.status}{tail}")
        for finding in sorted(result.findings, key=lambda f: f.severity.value != "Error"):
            click.echo(f"  {finding.severity.value + ':':<9}{finding.message} [{finding.code}]")
    summary = run.verdicts
    total = len(run.results)
    click.echo(f"{count(total, 'file')} checked" + (f": {summary}." if
                                                                      summary else "."))
    rows = sum(r.rows for r in run.results)
    if rows:
        click.echo(f"Read {count(rows, 'row')} of measures, actions, savings "
                   "and risks.")


@cli.command()
@quarter_option
@plan_option
@click.option("--returns", "returns_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of returns [default: returns/QUARTER].")
@click.option("--chase", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Write an email draft (.eml) into DIR for each directorate whose return is "
                   "missing or rejected.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              metavar="YYYY-MM-DD", help="Count the days to the deadline from this date "
                                         "[default: today].")
@click.pass_context
def status(ctx: click.Context, quarter: Quarter, plan_path: Path | None,
           returns_dir: Path | None, chase: Path | None, today: Any) -> None:
    """Show each directorate's return for a quarter: not received, rejected, accepted.

    The returns are validated as `validate` does. Exit 0 when every directorate's return is
    accepted, 1 when any is missing or rejected, 2 for a usage problem.

    \b
    Example:
      workbook-tools status --quarter 2025-26-Q1
      workbook-tools status -q 2025-26-Q1 --chase outputs/chase/2025-26-Q1
    """
    import datetime as dt

    from workbook_tools.errors import ConfigurationError
    from workbook_tools.returns.status import directorate_status, write_chase_emails
    from workbook_tools.returns.validate import expand_paths, validate_paths

    ws = Workspace.here()
    loaded = _plan_for(quarter, plan_path)  # its items, to compare each return with
    folder = returns_dir or ws.returns(quarter)
    if returns_dir is not None and not folder.is_dir():
        raise ConfigurationError(f"{shown(folder)}: there is no such folder.")
    files = expand_paths([folder]) if folder.is_dir() else []
    with progress("Validating", len(files)) as done:
        run = validate_paths(files, quarter, loaded, ws.master, progress=done,
                             keep_rows=False)
    rows = directorate_status(loaded, quarter, run, today.date() if today else dt.date.today())
    from workbook_tools.master.periods import read_periods

    period = read_periods(ws.master).get(str(quarter))
    if period is not None:  # closed (or reopened) after Cabinet: say so first
        click.echo(f"{quarter} in {shown(ws.master)}: {period.described()}.")
    _echo_status(loaded, quarter, rows, run, folder)
    if chase is not None:
        drafts = write_chase_emails(rows, loaded, quarter, run, chase, ws.blank(quarter))
        click.echo(f"Wrote {count(len(drafts), 'email draft')} in "
                   f"{shown(chase)}" + (f": {', '.join(p.name for p in drafts)}." if drafts
                                         else "."))
        for row in rows:
            if row.needs_chasing and not row.contact:
                click.echo(f"{row.code} has no contact email in the register: add the address "
                           "to its draft before sending.")
    ctx.exit(1 if any(row.needs_chasing for row in rows) else 0)


def _echo_status(loaded: Any, quarter: Quarter, rows: list[Any], run: Any,
                 folder: Path) -> None:
    """A heading with the deadline, one line per directorate, then a count."""
    from workbook_tools.returns.status import unattributed

    deadline = quarter.deadline(loaded.settings.deadline_days)
    days = rows[0].days_to_deadline if rows else 0
    when = ("today" if days == 0 else f"in {count(days, 'day')}" if days > 0
            else f"{count(-days, 'day')} ago")
    click.echo(f"{loaded.settings.council_name}, {quarter}: deadline {deadline:%A %d %B %Y} "
               f"({when}).")
    table = [("Code", "Directorate", "Status", "Received", "Deadline", "File")]
    for row in rows:
        table.append((row.code, row.name, row.shown_status,
                      f"{row.received:%d/%m/%Y %H:%M}" if row.received else "-", row.timing,
                      visible(row.file.name) if row.file else "-"))
    widths = [max(len(line[col]) for line in table) for col in range(len(table[0]) - 1)]
    for line in table:
        click.echo("  ".join(text.ljust(width) for text, width in zip(line, widths,
                                                                      strict=False))
                   + "  " + line[-1])
    for result in unattributed(run):
        click.echo(f"Also in {shown(folder)}: {visible(result.path.name)} "
                   f"({result.status.lower()}).")
    from workbook_tools.returns.findings import (
        ACCEPTED,
        ACCEPTED_WITH_WARNINGS,
        NOT_RECEIVED,
        REJECTED,
    )

    counts = {s: sum(1 for row in rows if row.status == s)
              for s in (ACCEPTED, ACCEPTED_WITH_WARNINGS, REJECTED, NOT_RECEIVED)}
    tally = ", ".join(f"{n} {word.lower()}" for word, n in counts.items() if n)
    click.echo(f"{count(len(rows), 'directorate')}: {tally}.")


@cli.command()
@quarter_option
@plan_option
@click.option("--returns", "returns_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of returns [default: returns/QUARTER].")
@click.option("--master", type=click.Path(path_type=Path), default=None,
              help="The master workbook [default: outputs/master.xlsx].")
@click.option("--ledger", type=click.Path(path_type=Path), default=None,
              help="Ledger export (CSV: Saving ID, Quarter, Amount) for the Ledger (£) column.")
@click.pass_context
def consolidate(ctx: click.Context, quarter: Quarter, plan_path: Path | None,
                returns_dir: Path | None, master: Path | None, ledger: Path | None) -> None:
    """Validate a quarter's returns and put the accepted ones into the master workbook.

    The quarter's rows are replaced; every other quarter, and finance's columns on Savings,
    are kept. The previous master is kept in outputs/backups/. Exit 0 when every return was
    accepted, 1 when any was rejected (the master still gets the accepted ones).

    \b
    Example:
      workbook-tools consolidate --quarter 2025-26-Q1
      workbook-tools consolidate -q 2025-26-Q2 --ledger ledger-q2.csv
    """
    from workbook_tools.master.consolidate import consolidate as consolidate_returns

    ws = Workspace.here()
    loaded = _plan_for(quarter, plan_path)
    folder = returns_dir or ws.returns(quarter)
    master_path = master or ws.master
    total = sum(1 for p in folder.iterdir() if p.is_file()) if folder.is_dir() else 0
    with progress("Validating", total) as done:
        result = consolidate_returns(loaded, quarter, folder, master_path, ledger_csv=ledger,
                                     progress=done)
    for item in result.run.results:
        counts = [count(len(found), word)
                  for found, word in ((item.errors, "error"), (item.warnings, "warning"))
                  if found]
        click.echo(f"{shown(item.path)}: {item.status}"
                   + (f" ({', '.join(counts)})" if counts else ""))
    if result.not_received:
        click.echo(f"Not received: {', '.join(result.not_received)}.")
    for line in result.left_out:
        click.echo(f"Left out: {visible(line)}.")
    rows = result.counts
    click.echo(
        f"Wrote {shown(result.master)}: {quarter} has {rows['Measures']} measures, "
        f"{rows['Actions']} actions, {rows['Savings']} savings and {rows['Risks']} risks "
        f"from {count(len(result.run.accepted), 'accepted return')}; quarters in the master: "
        f"{', '.join(result.quarters)}.")
    if result.ledger is not None:
        click.echo(f"Ledger: {result.ledger.lines} lines for {len(result.ledger.amounts)} "
                   f"savings from {shown(result.ledger.path)}.")
    if result.reopened is not None:
        click.echo(f"{quarter} was {result.reopened.described()}: "
                   f"{count(result.corrections, 'figure')} now "
                   f"{plural(result.corrections, 'differs', 'differ')} from the closed ones, "
                   "listed on the Corrections sheet. Close it again when it has gone back to "
                   "Cabinet.")
    for line in result.notes:
        click.echo(line)
    if result.orphaned:
        click.echo(f"{count(result.orphaned, 'finance entry', 'finance entries')} "
                   "kept in rows marked Orphaned on the Savings sheet.")
    if result.backup is not None:
        click.echo(f"Previous master kept as {shown(result.backup)}.")
    if result.exit_code:
        click.echo("Rejected returns were left out; run 'workbook-tools validate --quarter "
                   f"{quarter} --feedback outputs/feedback/{quarter}' for what to fix.")
    ctx.exit(result.exit_code)


def _summary_plan(plan_path: Path | None, quarter: Quarter) -> Any:
    """The register of the quarter's year, for the council's name and the programme target:
    --plan, else the working folder's when there is one (without it the summary takes names
    from the master)."""
    if plan_path is None and not Workspace(Path()).plan.exists():
        return None
    return _plan_for(quarter, plan_path)


@cli.command()
@click.option("--quarter", "-q", type=QUARTER, default=None, help=QUARTER_HELP)
@click.option("--year", "-y", default=None, metavar="YEAR",
              help="A financial year, such as 2025-26, for the annual summary instead.")
@click.option("--master", type=click.Path(path_type=Path), default=None,
              help="The master workbook [default: outputs/master.xlsx].")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="The summary to write [default: outputs/summary-QUARTER.xlsx or "
                   "outputs/annual-YEAR.xlsx].")
@click.option("--plan", "plan_path", type=click.Path(path_type=Path), default=None,
              help="The plan register, for the council's name and the savings programme "
                   "target [default: templates/plan.xlsx when there is one].")
@click.option("--pdf", is_flag=True, default=False,
              help="Also write the Cabinet pack as a tagged PDF (needs pip install "
                   "'workbook-tools[pdf]').")
def summarise(quarter: Quarter | None, year: str | None, master: Path | None, out: Path | None,
              plan_path: Path | None, pdf: bool) -> None:
    """Write the quarterly summary for Cabinet, or with --year the annual one.

    The quarterly summary has Overview, By theme, By objective, By directorate, Exceptions,
    Savings, Trends, Risks and What changed, with charts, ready to print. The annual one gives
    the year-end position of every measure, action, saving and risk, the year quarter by
    quarter, and highlights and concerns.

    Beside the workbook it writes the Cabinet pack: one accessible web page
    (summary-QUARTER.html or annual-YEAR.html, styles and charts inside it), and with --pdf a
    tagged PDF of it.

    \b
    Example:
      workbook-tools summarise --quarter 2025-26-Q2
      workbook-tools summarise --year 2025-26 --out annual-report-2025-26.xlsx
    """
    ws = Workspace(Path())
    if quarter is not None and year is not None:
        raise click.UsageError("Give --quarter (the quarterly summary) or --year (the annual "
                               "one), not both.")
    if quarter is None and year is None:
        raise click.UsageError(_which_summary(master or ws.master, ws))
    pack: list[Path] = []
    if quarter is not None:
        from workbook_tools.summary.pack.render import check_pdf_available
        from workbook_tools.summary.pack.write import write_quarter_pack
        from workbook_tools.summary.quarter import summarise_quarter

        if pdf:
            check_pdf_available()
        loaded = _summary_plan(plan_path, quarter)
        result = summarise_quarter(master or ws.master, quarter, out or ws.summary(quarter),
                                   loaded)
        pack = write_quarter_pack(master or ws.master, quarter, result.path, loaded, pdf)
    else:
        from workbook_tools.summary.annual import summarise_year
        from workbook_tools.summary.pack.render import check_pdf_available
        from workbook_tools.summary.pack.write import write_annual_pack

        if pdf:
            check_pdf_available()
        start = parse_year(str(year))
        loaded = _summary_plan(plan_path, Quarter(start, 1))
        result = summarise_year(master or ws.master, start, out or ws.annual(
            f"{start}-{(start + 1) % 100:02d}"), loaded)
        pack = write_annual_pack(master or ws.master, start, result.path, loaded, pdf)
    click.echo(f"Wrote {shown(result.path)}: {len(result.sheets)} sheets "
               f"({', '.join(result.sheets)}), {result.charts} charts.")
    for path in pack:
        click.echo(f"Wrote {shown(path)}: the Cabinet pack.")
    for line in result.lines:
        click.echo(f"  {line}")


def _which_summary(master: Path, ws: Workspace) -> str:
    """What to give summarise, with the master's latest quarter and its year."""
    from workbook_tools.master.read import read_master

    if not master.exists():
        quarter = ws.a_quarter()
        return ws.no_master(master) + (
            f" Then give --quarter for a quarter's summary ('workbook-tools summarise --quarter "
            f"{quarter}') or --year for the annual one (--year {quarter.year_label})."
            if quarter else "")
    held = read_master(master).quarters()
    latest = parse_quarter(held[-1]) if held else ws.a_quarter()
    if latest is None:
        return ("Give --quarter for a quarter's summary or --year for the annual one; "
                f"{master} holds no quarter yet.")
    return (f"Give --quarter for a quarter's summary or --year for the annual one: for example "
            f"'workbook-tools summarise --quarter {latest}' or 'workbook-tools summarise --year "
            f"{latest.year_label}'" + (f" (the master holds {', '.join(held)})." if held
                                       else "."))


@cli.command()
@click.option("--master", type=click.Path(path_type=Path), default=None,
              help="The master workbook [default: outputs/master.xlsx].")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv",
              show_default=True, help="Parquet needs pyarrow: pip install "
                                      "'workbook-tools[parquet]'.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder for the files [default: outputs/export].")
def export(master: Path | None, fmt: str, out: Path | None) -> None:
    """Write the master's tables in long form, for Power BI and similar tools.

    One file per master sheet (submissions, measures, actions, savings, risks, validation)
    with the financial year, quarter number and dates added, and figures: every number in the
    master as one row (quarter, directorate, item, figure, value).

    \b
    Example:
      workbook-tools export
      workbook-tools export --format parquet --out powerbi
    """
    from workbook_tools.errors import ConfigurationError
    from workbook_tools.master.export import export_master

    ws = Workspace(Path())
    if not (master or ws.master).exists():
        raise ConfigurationError(ws.no_master(master or ws.master))
    result = export_master(master or ws.master, out or ws.outputs / "export", fmt)
    for path, rows in result.files:
        click.echo(f"Wrote {shown(path)}: {count(rows, 'row')}")
    click.echo(f"{len(result.files)} {fmt.upper()} files in {shown(result.folder)}.")


@cli.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("outputs/demo"),
              show_default=True, help="The demo's working folder (empty, or an earlier demo's).")
def demo(out: Path) -> None:
    """Run the whole cycle on the shipped example, across a year end.

    Generates the returns, fills them in as directorates would (some with mistakes),
    validates them, consolidates them into the master, writes each quarter's summary and
    closes it after Cabinet; at the year end writes the annual summary and rolls the plan
    into the next year, whose first quarter is compared with a year ago. All inside the demo
    folder.

    \b
    Example:
      workbook-tools demo
      workbook-tools demo --out /tmp/demo
    """
    from workbook_tools.demo import run_demo

    result = run_demo(out, say=click.echo)
    click.echo(f"Done in {result.seconds:.1f} seconds. Open:")
    for path in result.files:
        click.echo(f"  {shown(path)}")
    click.echo("What an officer would do next:")
    for line in result.next_steps:
        click.echo(f"  - {line}")


from workbook_tools import cli_year  # noqa: E402,F401  (close, reopen: registered on import)


def main() -> None:
    """Entry point for `workbook-tools` and `python -m workbook_tools`."""
    cli(prog_name="workbook-tools")
