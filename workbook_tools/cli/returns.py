"""The commands of the returns: `generate` them, `simulate` directorates filling them in,
`validate` them, and each directorate's `status` against the deadline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from workbook_tools.cli.group import (
    QUARTER,
    cli,
    current_plan,
    plan_for,
    plan_option,
    progress,
    quarter_option,
    shown,
)
from workbook_tools.files.visible import visible
from workbook_tools.quarters import QUARTER_HELP, Quarter
from workbook_tools.words import count
from workbook_tools.workspace import Workspace


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
    loaded = plan_for(quarter, plan_path)
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
        plan_for(quarter, None, items=False)
    paths = simulate_returns(blank or ws.blank(quarter), out or ws.returns(quarter), quarter,
                             seed=seed, error_rate=error_rate, workspace=ws)
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
    # every pre-filled value of a return is compared with its directorate's items in the
    # register, read a directorate at a time by the workers once the cache holds them so
    from workbook_tools.plan.register import BY_DIRECTORATE

    loaded = None
    if plan_path or ws.plan.exists():
        loaded = plan_for(quarter, plan_path, BY_DIRECTORATE) if quarter else \
            current_plan(plan_path, BY_DIRECTORATE)
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
        run = validate_paths(files, quarter, loaded, master or ws.master,
                             progress=_report_ready(done), keep_rows=False)
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


def _report_ready(done: Callable[[Any], None]) -> Callable[[Any], None]:
    """`done`, which also imports the report's writer (xlsxwriter: 20-35 ms) when the first
    file is done: while the worker processes read the other returns, rather than after the last
    one, with every other core idle."""
    waiting = [True]

    def ready(item: Any = None) -> None:
        if waiting:
            waiting.clear()
            import workbook_tools.returns.report  # noqa: F401 (imported now, used below)
        done(item)

    return ready


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
    from workbook_tools.plan.register import BY_DIRECTORATE

    # its items, to compare each return with (a directorate at a time, as validate reads them)
    loaded = plan_for(quarter, plan_path, BY_DIRECTORATE)
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
