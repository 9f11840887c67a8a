"""The commands of the master workbook: `consolidate` a quarter's returns into it, `close` a
quarter after Cabinet and `reopen` it, and `export` its tables for Power BI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from workbook_tools.cli.group import (
    cli,
    master_option,
    plan_for,
    plan_option,
    progress,
    quarter_option,
    shown,
)
from workbook_tools.files.visible import visible
from workbook_tools.master.columns import MasterSheet
from workbook_tools.quarters import Quarter
from workbook_tools.words import count, plural
from workbook_tools.workspace import Workspace


@cli.command()
@quarter_option
@plan_option
@click.option("--returns", "returns_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of returns [default: returns/QUARTER].")
@master_option
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
    from workbook_tools.plan.register import BY_DIRECTORATE

    ws = Workspace.here()
    # the items a directorate at a time, as validate checks them; consolidate reads the whole
    # register for the merge and lets it go before writing the master
    loaded = plan_for(quarter, plan_path, BY_DIRECTORATE)
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
        f"Wrote {shown(result.master)}: {quarter} has {rows[MasterSheet.MEASURES]} measures, "
        f"{rows[MasterSheet.ACTIONS]} actions, {rows[MasterSheet.SAVINGS]} savings and "
        f"{rows[MasterSheet.RISKS]} risks "
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



@cli.command()
@quarter_option
@click.option("--reason", default=None, help="Why it is closed, such as the Cabinet meeting it "
                                             "went to (recorded in the Periods sheet).")
@master_option
def close(quarter: Quarter, reason: str | None, master: Path | None) -> None:
    """Close a quarter in the master after Cabinet: nothing changes it until it is reopened.

    A closed quarter cannot be consolidated again, nor given a ledger, until `reopen` records
    why; every figure that changes after that is listed on the master's Corrections sheet.

    \b
    Example:
      workbook-tools close --quarter 2025-26-Q1 --reason "Reported to Cabinet on 10 September 2025"
    """
    from workbook_tools.master.periods import close_quarter

    _echo(close_quarter(master or Workspace.here().master, quarter, reason),
          f"To change it later: workbook-tools reopen --quarter {quarter} --reason \"why it "
          "must change\".")


@cli.command()
@quarter_option
@click.option("--reason", required=True, help="Why the closed figures must change (recorded "
                                              "with each correction).")
@master_option
def reopen(quarter: Quarter, reason: str, master: Path | None) -> None:
    """Reopen a closed quarter, recording why; the next consolidate lists every corrected figure.

    \b
    Example:
      workbook-tools reopen --quarter 2025-26-Q1 --reason "Late resubmission from Place"
    """
    from workbook_tools.master.periods import reopen_quarter

    _echo(reopen_quarter(master or Workspace.here().master, quarter, reason),
          f"Next: workbook-tools consolidate --quarter {quarter}; each figure that differs from "
          "the closed one is listed on the Corrections sheet. Close it again after.")


def _echo(change: Any, next_step: str) -> None:
    """What close or reopen recorded, where the previous master went, and what comes next."""
    click.echo(f"{change.period.quarter} is {change.period.described()}: recorded in the "
               f"Periods sheet of {shown(change.master)}.")
    for line in change.notes:
        click.echo(line)
    if change.backup is not None:
        click.echo(f"Previous master kept as {shown(change.backup)}.")
    click.echo(next_step)


@cli.command()
@master_option
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
