"""Shared fixtures: a working folder made from a shipped example, its plan, its returns."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbook_tools.plan.examples import init_folder
from workbook_tools.plan.register import Plan, load_plan
from workbook_tools.quarters import Quarter, parse_quarter
from workbook_tools.returns.generate import generate_returns, return_filename
from workbook_tools.returns.layout import Context

Q1: Quarter = parse_quarter("2025-26-Q1")
Q2: Quarter = parse_quarter("2025-26-Q2")
GENERATED_AT = dt.datetime(2025, 7, 1, 9, 0, 0)


@pytest.fixture(scope="session", autouse=True)
def session_plan_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Plans kept by the session's own fixtures stay in the run's temporary folder, never in
    the user's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKBOOK_TOOLS_CACHE", str(tmp_path_factory.mktemp("session-plan-cache")))
        yield


@pytest.fixture(autouse=True)
def own_plan_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test keeps its own registers' plans (plan/cache.py): none made by another test, so a
    test that breaks the loader or counts reads sees the register read."""
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", str(tmp_path_factory.mktemp("plan-cache")))


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
def records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's own cache folder; the masters' records' folder in it (master/record.py)."""
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "masters"


@pytest.fixture(scope="session")
def generated_q1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Q1's blank returns for the derbyshire example, generated once per test run (the same
    plan, quarter and time give the same bytes)."""
    folder = tmp_path_factory.mktemp("generated") / "ws"
    init_folder(folder, "derbyshire")
    out = folder / "outputs" / "blank" / str(Q1)
    generate_returns(load_plan(folder / "templates" / "plan.xlsx"), Q1, out,
                     context=Context(quarter=Q1), now=GENERATED_AT)
    return out


@pytest.fixture
def blank_q1(workspace: Path, plan: Plan, generated_q1: Path) -> dict[str, Path]:
    """Q1 blank returns for every directorate, by directorate code, in the workspace's
    outputs/blank/<quarter> (copies of `generated_q1`, in the plan's order)."""
    folder = workspace / "outputs" / "blank" / str(Q1)
    shutil.copytree(generated_q1, folder)
    return {d.code: folder / return_filename(d.code, Q1) for d in plan.directorates}
