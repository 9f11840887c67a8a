"""docs/reference.md is what the code says: every command's help, the return's and the
master's columns (regenerate with `python -m workbook_tools.reference`)."""

from __future__ import annotations

from pathlib import Path

from workbook_tools.reference import reference

ROOT = Path(__file__).resolve().parent.parent


def test_reference_is_current() -> None:
    committed = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    assert committed == reference(), (
        "docs/reference.md is out of date: run python -m workbook_tools.reference")


def test_reference_names_every_command_and_sheet() -> None:
    text = reference()
    for command in ("init", "plan check", "generate", "simulate", "validate", "status",
                    "consolidate", "summarise", "export", "demo"):
        assert f"### `workbook-tools {command}`" in text
    for sheet in ("Measures", "Actions", "Savings", "Risks", "Submissions", "Validation", "Log"):
        assert f"### {sheet}" in text
    assert "`Finance confirmed (£)`" in text and "](rules.md)" in text
