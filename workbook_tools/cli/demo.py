"""`demo`: the whole cycle on the shipped example, across a year end, in a folder of its own."""

from __future__ import annotations

from pathlib import Path

import click

from workbook_tools.cli.group import cli, shown


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
