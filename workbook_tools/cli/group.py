"""The command line's group and what every command shares: the quarter, plan and master options,
the register a command reads, the progress bar, paths as the user gave them, and the mapping of
the library's exceptions to one plain sentence and the exit codes of SPEC section 5 (`--debug`
shows the traceback behind an unexpected problem). The command modules import this one, never
the reverse."""

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
    unquoted_quarter,
)
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
master_option = click.option("--master", type=click.Path(path_type=Path), default=None,
                             help="The master workbook [default: outputs/master.xlsx].")


def current_plan(path: Path | None, items: bool | str = True) -> Any:
    """The register at --plan, else templates/plan.xlsx, whatever its year."""
    from workbook_tools.plan.register import load_plan

    return load_plan(path or Workspace.here().plan, items)


def plan_for(quarter: Quarter, path: Path | None, items: bool | str = True) -> Any:
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


def main() -> None:
    """Entry point for `workbook-tools` and `python -m workbook_tools`."""
    try:
        cli(prog_name="workbook-tools")
    finally:
        # The process ends here. What it holds (a national register is 100,000s of objects)
        # is left out of the garbage collector's passes on the way out: they only walked it
        # again before it was freed anyway, 0.05 s of every command that loads the register.
        import gc

        gc.freeze()
