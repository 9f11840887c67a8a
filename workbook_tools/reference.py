"""The user reference (docs/reference.md), generated from the code: every command with its
help, the working folder, the return's sheets and columns, and the master's sheets and columns.
The rule codes have their own page, docs/rules.md, generated from the rule registry.

Regenerate after changing a command, a column or a sheet: `python -m workbook_tools.reference`
(a test fails while the committed file differs from what the code says)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

DOC = Path("docs") / "reference.md"
#: Commands in the order of the quarterly cycle; any others follow in alphabetical order.
CYCLE = ("init", "plan check", "plan roll", "generate", "simulate", "status", "validate",
         "consolidate", "close", "reopen", "summarise", "export", "demo")

INTRO = """\
# Reference

What `workbook-tools` does, command by command, and what is in each workbook it writes. This
page is generated from the code (`python -m workbook_tools.reference`): do not edit it by hand.
The rule codes that `validate` reports are in [rules.md](rules.md); the quarterly cycle and how
to start are in the [README](../README.md).
"""

FOLDER = """\
## The working folder

Every command runs in a working folder (make one with `workbook-tools init DIR`) and uses these
paths unless an option names another.

| path | what it is |
| --- | --- |
| `templates/plan.xlsx` | the plan register for the current financial year |
| `templates/plan-<YEAR>.xlsx` | earlier years' registers, kept by `plan roll` |
| `returns/<QUARTER>/` | completed returns, as received |
| `outputs/blank/<QUARTER>/` | generated returns, `<CODE>_<QUARTER>.xlsx` |
| `outputs/master.xlsx` | the master workbook, every quarter |
| `outputs/backups/` | earlier masters, kept on every write |
| `outputs/validation-<QUARTER>.xlsx` | the validation report |
| `outputs/feedback/<QUARTER>/` | each directorate's return with its problems marked |
| `outputs/summary-<QUARTER>.xlsx`, `.html`, `.pdf` | the quarterly summary and Cabinet pack |
| `outputs/annual-<YEAR>.xlsx`, `.html`, `.pdf` | the annual summary and pack |

Quarters are written `2025-26-Q1` (also `2025/26 Q1`, `2025-26 Q1`, `Q1 2025-26`,
`Q1 2025/26`; quote the spaced forms on the command line). Exit codes: 0 success; 1 the data
has problems (a return with errors, a rejected return); 2 usage or configuration.
"""


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    context = click.Context(group, info_name=" ".join(("workbook-tools", *prefix)))
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if command is None or command.hidden:
            continue
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((" ".join((*prefix, name)), command))
    return found


def _command_help(name: str, command: click.Command, root: click.Context) -> list[str]:
    context = click.Context(command, info_name=f"workbook-tools {name}", parent=root,
                            terminal_width=100, max_content_width=100)
    return [f"### `workbook-tools {name}`", "", "```text",
            command.get_help(context).rstrip(), "```", ""]


def _table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return lines + [""]


def _return_sheets() -> list[str]:
    from workbook_tools.returns import layout

    lines = ["## The return", "",
             "One workbook per directorate and quarter. Sheets, in order: "
             + ", ".join(f"`{name}`" for name in layout.SHEET_ORDER)
             + " (very hidden; LibreOffice keeps it merely hidden). Yellow cells are inputs, "
             "grey cells come from the plan and are locked, blue cells are formulas.", ""]
    for sheet in layout.SHEETS.values():
        lines += [f"### {sheet.name}", "", sheet.intro, ""]
        rows = []
        for column in sheet.columns:
            choices = ", ".join(column.choices) if column.choices else ""
            rows.append((f"`{column.header}`", column.role.value, column.kind.value, choices))
        lines += _table(rows, ("column", "role", "kind", "choices"))
    return lines


def _master_sheets() -> list[str]:
    from workbook_tools.master import columns

    lines = ["## The master workbook", "",
             "`outputs/master.xlsx`: one row per item per quarter, header in row 1, as Excel "
             "tables with filters. Consolidating a quarter replaces that quarter's rows and "
             "keeps every other quarter's; finance's columns are never overwritten.", ""]
    for name, headers in columns.SHEETS.items():
        lines += [f"### {name}", ""]
        lines += _table([(f"`{header}`", columns.kind_of(header)) for header in headers],
                        ("column", "holds"))
    return lines


def reference() -> str:
    """docs/reference.md as the code says it should be."""
    from workbook_tools.cli import cli

    lines = [INTRO, FOLDER, "## Commands", ""]
    commands = _commands(cli)
    order = {name: i for i, name in enumerate(CYCLE)}
    commands.sort(key=lambda pair: (order.get(pair[0], len(CYCLE)), pair[0]))
    # the group's settings (such as -h for --help) reach each command's help as on the console
    root = click.Context(cli, info_name="workbook-tools", **cli.context_settings)
    for name, command in commands:
        lines += _command_help(name, command, root)
    lines += _return_sheets() + _master_sheets()
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else DOC
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(reference(), encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
