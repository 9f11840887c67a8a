"""The reference of every rule code (docs/rules.md), generated from the registry.

Regenerate it after changing a rule: `python -m workbook_tools.returns.rules.reference`
(a test fails while the committed file differs from what the registry says)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from workbook_tools.returns import layout
from workbook_tools.returns.layout import Sheet
from workbook_tools.returns.rules.catalogue import RULES
from workbook_tools.returns.rules.inputs import checks_rows
from workbook_tools.returns.rules.registry import FAMILIES, Rule

DOC = Path("docs") / "rules.md"
SIGNOFF_LABELS = {"completed": layout.COMPLETED_BY, "approved": layout.APPROVED_BY,
                  "date": layout.SIGNOFF_DATE}
_FIELD = re.compile(r"\{(\w+)\}")

INTRO = """\
# Rule codes

Every problem `validate` reports carries one of these codes, in the console, the report, the
feedback file's Problems sheet and (for what is typed in) on the return's own Checks sheet,
where each row names its code. An error means the return is rejected until it is put right; a
warning is shown, but the return is accepted.

In the messages, words in ‹angle quotes› are filled in with the item, cell or value concerned.
This page is generated from the rule registry (`workbook_tools/returns/rules/`): do not edit it
by hand.
"""


def _template(text: str) -> str:
    return _FIELD.sub(lambda m: f"‹{m.group(1)}›", text).replace("|", "\\|")


def _section(rule: Rule) -> list[str]:
    lines = [f"### `{rule.code}` ({rule.severity.value.lower()})", ""]
    if rule.about:
        lines += [rule.about, ""]
    counted = _counted(rule.code)
    if counted:
        lines += ["Counted on the Checks sheet (sheet: *row* (columns looked at)):", "",
                  *counted, ""]
    lines += ["Messages:", ""]
    for variant, template in rule.templates.items():
        prefix = f"- *{variant.replace('_', ' ')}*: " if variant else "- "
        lines.append(prefix + _template(template))
    lines.append("")
    return lines


def _counted(code: str) -> list[str]:
    """The Checks rows that count a code, with the columns they look at."""
    out = []
    for (sheet, row_code), group in checks_rows().items():
        if row_code != code:
            continue
        if sheet == Sheet.COVER:
            columns = [SIGNOFF_LABELS[c.column] for c in group]
        else:
            columns = [layout.SHEETS[sheet].column(c.column).header for c in group]
        unique = ", ".join(dict.fromkeys(columns))
        out.append(f"- {sheet}: *{group[0].label}* ({unique})")
    return out


def reference() -> str:
    """docs/rules.md as the registry says it should be."""
    lines = [INTRO]
    for family, title in FAMILIES.items():
        members = [r for r in RULES.values() if r.family == family]
        if not members:
            continue
        lines += [f"## {title}", ""]
        for rule in members:
            lines += _section(rule)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else DOC
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(reference(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
