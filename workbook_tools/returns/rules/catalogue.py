"""Every rule code in one dictionary: file, structure, input, warning and resubmission rules."""

from __future__ import annotations

from workbook_tools.returns.rules.codes import (
    FILE_RULES,
    RESUBMISSION_RULES,
    STRUCTURE_RULES,
    VALUE_RULES,
    WARNING_RULES,
)
from workbook_tools.returns.rules.inputs import INPUT_RULES
from workbook_tools.returns.rules.registry import Rule

RULES: dict[str, Rule] = {
    **FILE_RULES, **STRUCTURE_RULES, **INPUT_RULES, **VALUE_RULES, **WARNING_RULES,
    **RESUBMISSION_RULES,
}
