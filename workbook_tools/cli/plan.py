"""The commands of the plan stage: `init` a working folder with an example register, and the
`plan` group with `plan check` (`plan roll`, at the year end, is in year.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workbook_tools.cli.group import cli, plan_option, shown
from workbook_tools.files.visible import visible
from workbook_tools.words import count
from workbook_tools.workspace import Workspace


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
