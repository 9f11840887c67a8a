"""The summary stage: `summarise` a quarter (or with --year the year) for Cabinet, with the
Cabinet pack beside the workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from workbook_tools.cli.group import QUARTER, cli, master_option, plan_for, shown
from workbook_tools.quarters import QUARTER_HELP, Quarter, parse_quarter, parse_year, year_label
from workbook_tools.workspace import Workspace


def _summary_plan(plan_path: Path | None, quarter: Quarter) -> Any:
    """The register of the quarter's year, for the council's name and the programme target:
    --plan, else the working folder's when there is one (without it the summary takes names
    from the master)."""
    if plan_path is None and not Workspace(Path()).plan.exists():
        return None
    return plan_for(quarter, plan_path)


@cli.command()
@click.option("--quarter", "-q", type=QUARTER, default=None, help=QUARTER_HELP)
@click.option("--year", "-y", default=None, metavar="YEAR",
              help="A financial year, such as 2025-26, for the annual summary instead.")
@master_option
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
    from workbook_tools.summary.pack.render import check_pdf_available

    if pdf:
        check_pdf_available()
    if quarter is not None:
        from workbook_tools.summary.pack.write import write_quarter_pack
        from workbook_tools.summary.quarter import summarise_quarter

        loaded = _summary_plan(plan_path, quarter)
        result = summarise_quarter(master or ws.master, quarter, out or ws.summary(quarter),
                                   loaded)
        pack = write_quarter_pack(master or ws.master, quarter, result.path, loaded, pdf)
    else:
        from workbook_tools.summary.annual import summarise_year
        from workbook_tools.summary.pack.write import write_annual_pack

        start = parse_year(str(year))
        loaded = _summary_plan(plan_path, Quarter(start, 1))
        result = summarise_year(master or ws.master, start, out or ws.annual(year_label(start)),
                                loaded)
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
