"""The year end: `plan roll` starts next year's register from this year's and the master's
year end (`close` and `reopen`, the quarter's turning points, are with the master's commands)."""

from __future__ import annotations

from pathlib import Path

import click

from workbook_tools.cli.group import master_option, shown
from workbook_tools.cli.plan import plan
from workbook_tools.files.cells import pounds
from workbook_tools.workspace import Workspace


@plan.command("roll")
@click.option("--to", "to_year", required=True, metavar="YEAR",
              help="Next financial year, such as 2026-27: the year after the register's.")
@click.option("--plan", "plan_path", type=click.Path(path_type=Path), default=None,
              help="This year's register [default: templates/plan.xlsx].")
@master_option
@click.option("--force", is_flag=True, help="Replace a register already kept as "
                                            "plan-<THIS YEAR>.xlsx.")
def plan_roll(to_year: str, plan_path: Path | None, master: Path | None, force: bool) -> None:
    """Start next year's register from this year's and the master's year end.

    This year's register is kept as plan-<THIS YEAR>.xlsx beside it, and next year's is written
    in its place: measures with their targets (to review), actions not Complete or Cancelled
    with their revised due dates, each saving's undelivered amount (target less its latest
    forecast) as a new line marked Carried forward from, the programme target set to the carried
    total (to review), and risks with their latest likelihood and impact. Its Review sheet lists
    what to look at; delete it when done.

    \b
    Example:
      workbook-tools plan roll --to 2026-27
    """
    from workbook_tools.master.year_end import year_end
    from workbook_tools.plan.register import load_plan_and_rows
    from workbook_tools.plan.roll import check_roll, roll_plan
    from workbook_tools.quarters import parse_year

    ws = Workspace.here()
    current = plan_path or ws.plan
    loaded = load_plan_and_rows(current)  # read once, for the check and the roll
    this = check_roll(loaded[0], to_year)  # the year first: no master read for a slip
    result = roll_plan(current, to_year, year_end(master or ws.master, parse_year(this)), force,
                       loaded=loaded)
    click.echo(f"Kept {shown(result.kept)} ({result.from_year}) and wrote {shown(result.written)}"
               f" for {result.to_year}:")
    click.echo(f"  {result.measures} measures carried with their targets: review them.")
    click.echo(f"  {len(result.actions)} actions carried (not Complete or Cancelled at the year "
               f"end, due on their revised dates); {result.actions_finished} finished, left "
               "behind.")
    click.echo(f"  {len(result.savings)} savings lines carried forward, "
               f"{pounds(result.programme_target)} undelivered: the programme target, to review "
               f"when {result.to_year}'s new proposals are added.")
    for new_id, old_id, amount in result.savings:
        click.echo(f"    {new_id}: {pounds(amount)} from {old_id}")
    click.echo(f"  {result.risks} risks carried with their latest likelihood and impact.")
    click.echo(f"To review (also on the Review sheet of {shown(result.written)}; delete the "
               "sheet when done):")
    for sheet, item, _name, what in result.review:
        click.echo(f"  {sheet}{' ' + item if item else ''}: {what}")
    click.echo("Then: workbook-tools plan check.")
