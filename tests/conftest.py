"""Shared fixtures: a working folder made from a shipped example, its plan, its returns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workbook_tools.plan.examples import init_folder
from workbook_tools.plan.register import Plan, load_plan
from workbook_tools.quarters import Quarter, parse_quarter
from workbook_tools.returns.generate import generate_returns
from workbook_tools.returns.layout import Context

Q1: Quarter = parse_quarter("2025-26-Q1")
Q2: Quarter = parse_quarter("2025-26-Q2")
GENERATED_AT = dt.datetime(2025, 7, 1, 9, 0, 0)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh working folder with the derbyshire example."""
    folder = tmp_path / "ws"
    init_folder(folder, "derbyshire")
    return folder


@pytest.fixture
def derby_workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "derby"
    init_folder(folder, "derby")
    return folder


@pytest.fixture
def plan(workspace: Path) -> Plan:
    return load_plan(workspace / "templates" / "plan.xlsx")


@pytest.fixture
def blank_q1(workspace: Path, plan: Plan) -> dict[str, Path]:
    """Q1 blank returns for every directorate, by directorate code."""
    paths = generate_returns(
        plan,
        Q1,
        workspace / "outputs" / "blank" / str(Q1),
        context=Context(quarter=Q1),
        now=GENERATED_AT,
    )
    return {p.name.split("_")[0]: p for p in paths}
