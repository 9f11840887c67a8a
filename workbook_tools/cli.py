"""The command line: thin. Each command parses options, makes one library call, prints the
result, and maps the library's exceptions to exit codes (SPEC section 5)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from workbook_tools import __version__
from workbook_tools.errors import WorkbookToolsError
from workbook_tools.quarters import ACCEPTED_FORMS, Quarter, parse_quarter, parse_year
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
quarter_option = click.option("--quarter", "-q", type=QUARTER, required=True,
                              help=f"The quarter, such as 2025-26-Q1 (also {ACCEPTED_FORMS}).")
plan_option = click.option("--plan", "plan_path", type=click.Path(path_type=Path),
                           default=None, help="The plan register [default: templates/plan.xlsx].")


def _plan(path: Path | None) -> Any:
    from workbook_tools.plan import load_plan

    return load_plan(path or Workspace.here().plan)


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[Any], None]]:
    """A progress bar on a terminal, nothing in a pipe. Yields a callback for each item done."""
    if total > 1 and sys.stderr.isatty():
        with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
            yield lambda _item=None: bar.update(1)
    else:
        yield lambda _item=None: None


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Cli(click.Group):
    """Maps the library's exceptions to one plain sentence and the SPEC's exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorkbookToolsError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            raise click.exceptions.Abort() from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"Error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(2)
        except Exception as exc:  # the last line of defence: a sentence, never a traceback
            click.echo(f"Error: unexpected problem ({type(exc).__name__}: {exc}). Please report "
                       "it with the command you ran.", err=True)
            ctx.exit(2)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbook-tools")
def cli() -> None:
    """Run a council's quarterly performance and savings cycle through Excel returns.

    \b
    Example (the shipped example, in this folder):
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
    from workbook_tools.examples import init_folder

    plan_path = init_folder(directory, example, force)
    click.echo(f"Made {_shown(directory)} with the {example} example: {_shown(plan_path)}")
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
    from workbook_tools.plan import check_plan

    path = plan_path or Workspace.here().plan
    loaded, problems = check_plan(path)
    if problems:
        for problem in problems:
            click.echo(f"{_shown(path)}: {problem}")
        click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the register.")
        sys.exit(2)
    assert loaded is not None
    click.echo(
        f"{_shown(path)}: no problems. {loaded.settings.council_name}, {loaded.settings.financial_year}: "
        f"{len(loaded.directorates)} directorates, {len(loaded.objectives)} objectives, "
        f"{len(loaded.measures)} measures, {len(loaded.actions)} actions, "
        f"{len(loaded.savings)} savings lines (£{sum(s.target for s in loaded.savings):,.0f}), "
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
    from workbook_tools.generate import generate_returns
    from workbook_tools.history import previous_context

    ws = Workspace.here()
    loaded = _plan(plan_path)
    context = previous_context(master or ws.master, quarter)
    paths = generate_returns(loaded, quarter, out or ws.blank(quarter), directorates, context,
                             password)
    for path in paths:
        click.echo(f"Wrote {_shown(path)}")
    deadline = quarter.deadline(loaded.settings.deadline_days)
    click.echo(f"{len(paths)} return{'s' if len(paths) != 1 else ''} for {quarter}; "
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
    from workbook_tools.simulate import simulate_returns

    ws = Workspace.here()
    paths = simulate_returns(blank or ws.blank(quarter), out or ws.returns(quarter), quarter,
                             seed=seed, error_rate=error_rate)
    for path in paths:
        click.echo(f"Wrote {_shown(path)}")
    click.echo(f"{len(paths)} completed return{'s' if len(paths) != 1 else ''} for {quarter}.")


def main() -> None:
    """Entry point for `workbook-tools` and `python -m workbook_tools`."""
    cli(prog_name="workbook-tools")
