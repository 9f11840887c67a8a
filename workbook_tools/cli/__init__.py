"""The command line (SPEC section 5), thin: each command parses its options, makes one library
call, prints the result, and leaves the library's exceptions to the group, which maps them to
exit codes. `group` holds the group and what every command shares; the command modules, one per
stage of the cycle, register their commands on it when imported here."""

from workbook_tools.cli import demo, master, plan, returns, summary, year  # noqa: F401 (register)
from workbook_tools.cli.group import cli, main

__all__ = ["cli", "main"]
