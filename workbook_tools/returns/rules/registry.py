"""The rule registry: every validation rule once, by its stable code (as frictionless-py does).

A `Rule` is a code, a severity, a family (what kind of problem it is) and its message templates,
one per variant. `validate`, `read`, the Checks sheet, the red highlighting, the feedback and the
reference in docs/rules.md all take their rules from here (see `codes.py` for the rules about a
file and its structure, warnings and resubmissions, and `inputs.py` for the rules the Checks sheet
counts, with their formulas and Python checks). Adding a rule is one entry in one of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from workbook_tools.files.visible import visible_message
from workbook_tools.returns.findings import Finding, Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING

#: The families, in the order the reference lists them.
FAMILIES = {
    "file": "The file",
    "structure": "The return's identity and structure",
    "input": "What is typed in (counted on the Checks sheet)",
    "value": "Text longer than a cell holds (no spreadsheet keeps it, so the Checks sheet "
             "cannot count it)",
    "warning": "Warnings (the return is accepted)",
    "resubmission": "Resubmissions",
}


@dataclass(frozen=True)
class Rule:
    """A rule code, its severity and its message templates (one per variant): the code is
    stable, the message says what is wrong and what to do."""

    code: str
    severity: Severity
    templates: Mapping[str, str]
    family: str = "structure"
    about: str = ""  # for the reference, where the templates do not say it


    def finding(
        self, source: str, directorate: str, sheet: str, cell: str, variant: str = "", /,
        **fields: Any,
    ) -> Finding:
        """A finding about `source` (the file's path); `fields` fill the template."""
        text = visible_message(
            self.templates[variant or next(iter(self.templates))].format(**fields), fields)
        where = f"{sheet}!{cell}" if sheet and cell else sheet
        if where:
            message = f"{where}: {text}"
        elif fields.get("file") and text.startswith(str(fields["file"])):
            message = text  # begins with the file's name, as it is spelt
        else:
            message = text[:1].upper() + text[1:]
        return Finding(self.severity, source, directorate, sheet, cell, self.code, message)


def rule(code: str, severity: Severity, *templates: str, **variants: str) -> Rule:
    """A rule with one template, or one template per named variant (its family is set by
    `by_code`)."""
    return Rule(code, severity, {"": templates[0]} if templates else variants)


def by_code(family: str, rules: tuple[Rule, ...]) -> dict[str, Rule]:
    """The rules of one family, by code."""
    return {r.code: replace(r, family=family) for r in rules}
