"""The rule registry: every code once, with a message, and the reference in docs/ generated from
it (so a directorate officer reading docs/rules.md reads what validate says)."""

from __future__ import annotations

from pathlib import Path

from workbook_tools.returns.rules.catalogue import RULES
from workbook_tools.returns.rules.reference import reference
from workbook_tools.returns.rules.registry import FAMILIES

ROOT = Path(__file__).resolve().parent.parent


def test_the_committed_reference_is_what_the_registry_says() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == reference(), (
        "docs/rules.md is out of date: run python -m workbook_tools.returns.rules.reference")


def test_every_code_is_in_the_reference_once_under_its_family() -> None:
    text = reference()
    for code, rule in RULES.items():
        assert text.count(f"### `{code}` ") == 1, code
        assert rule.family in FAMILIES
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [f"## {title}" for title in FAMILIES.values()]
