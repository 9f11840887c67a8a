"""The commands of the year's turning points (SPEC section 5): `close` and `reopen` a quarter
after Cabinet, and `plan roll` into the next financial year. Thin, as cli.py is: each parses its
options, makes one library call and prints the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from workbook_tools.cli import _shown, cli, quarter_option
from workbook_tools.quarters import Quarter
from workbook_tools.workspace import Workspace

master_option = click.option("--master", type=click.Path(path_type=Path), default=None,
                             help="The master workbook [default: outputs/master.xlsx].")


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
               f"Periods sheet of {_shown(change.master)}.")
    if change.backup is not None:
        click.echo(f"Previous master kept as {_shown(change.backup)}.")
    click.echo(next_step)
