"""The register's sheets and columns (SPEC section 4), and the names of its settings."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SETTING_COUNCIL = "Council name"
SETTING_YEAR = "Financial year"
SETTING_TARGET = "Savings programme target (£)"
SETTING_TOLERANCE = "Amber tolerance (%)"
SETTING_DEADLINE = "Return deadline (days after quarter end)"
SETTING_COVER_NOTE = "Cover note"  # optional: a line shown on every return's Cover


class RegisterSheet(StrEnum):
    """The register's sheets, in their order. Its item sheets share their names with the
    return's and the master's data sheets (plan/ stands below returns/, so they are its own)."""

    SETTINGS = "Settings"
    THEMES = "Themes"
    OBJECTIVES = "Objectives"
    DIRECTORATES = "Directorates"
    MEASURES = "Measures"
    ACTIONS = "Actions"
    SAVINGS = "Savings"
    RISKS = "Risks"


@dataclass(frozen=True)
class RegisterColumn:
    """One column of a register sheet; an optional one (`required` False) may be left out."""

    header: str
    required: bool = True


REGISTER_SHEETS: dict[str, tuple[RegisterColumn, ...]] = {
    RegisterSheet.SETTINGS: (RegisterColumn("Setting"), RegisterColumn("Value")),
    RegisterSheet.THEMES: (RegisterColumn("Theme code"), RegisterColumn("Theme")),
    RegisterSheet.OBJECTIVES: (
        RegisterColumn("Objective code"),
        RegisterColumn("Theme code"),
        RegisterColumn("Objective"),
        RegisterColumn("Lead directorate"),
    ),
    RegisterSheet.DIRECTORATES: (
        RegisterColumn("Directorate code"),
        RegisterColumn("Directorate"),
        RegisterColumn("Director"),
        RegisterColumn("Contact email"),
    ),
    RegisterSheet.MEASURES: (
        RegisterColumn("Measure ID"),
        RegisterColumn("Objective code"),
        RegisterColumn("Directorate code"),
        RegisterColumn("Measure"),
        RegisterColumn("Unit"),
        RegisterColumn("Polarity"),
        RegisterColumn("Frequency"),
        RegisterColumn("Q1 target", False),
        RegisterColumn("Q2 target", False),
        RegisterColumn("Q3 target", False),
        RegisterColumn("Q4 target", False),
        RegisterColumn("Amber tolerance (%)", False),
        RegisterColumn("Measure type", False),
    ),
    RegisterSheet.ACTIONS: (
        RegisterColumn("Action ID"),
        RegisterColumn("Objective code"),
        RegisterColumn("Directorate code"),
        RegisterColumn("Action"),
        RegisterColumn("Lead officer"),
        RegisterColumn("Due date"),
    ),
    RegisterSheet.SAVINGS: (
        RegisterColumn("Saving ID"),
        RegisterColumn("Directorate code"),
        RegisterColumn("Objective code", False),
        RegisterColumn("Saving proposal"),
        RegisterColumn("Type", False),
        RegisterColumn("Target (£)"),
        RegisterColumn("Carried forward from", False),
    ),
    RegisterSheet.RISKS: (
        RegisterColumn("Risk ID"),
        RegisterColumn("Directorate code"),
        RegisterColumn("Risk"),
        RegisterColumn("Owner"),
        RegisterColumn("Likelihood"),
        RegisterColumn("Impact"),
    ),
}

SETTINGS_ROWS = (SETTING_COUNCIL, SETTING_YEAR, SETTING_TARGET, SETTING_TOLERANCE, SETTING_DEADLINE)
SETTINGS_DEFAULTS = {SETTING_TOLERANCE: 5, SETTING_DEADLINE: 15}

#: The register's sheets of items, one row per thing a return asks about.
ITEM_SHEETS = (RegisterSheet.MEASURES, RegisterSheet.ACTIONS, RegisterSheet.SAVINGS,
               RegisterSheet.RISKS)
