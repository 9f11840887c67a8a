"""The pool uses the platform's default start method (fork is unsafe on macOS and absent on
Windows) unless WORKBOOK_TOOLS_START_METHOD names another, and keeps the items' order."""

from __future__ import annotations

import multiprocessing
import sys

import pytest

from workbook_tools import parallel


def test_platform_default_unless_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.START_METHOD_VARIABLE, raising=False)
    assert parallel.start_method() is None  # the platform's own default
    monkeypatch.setenv(parallel.START_METHOD_VARIABLE, "spawn")
    assert parallel.start_method() == "spawn"
    monkeypatch.setenv(parallel.START_METHOD_VARIABLE, "no-such-method")
    assert parallel.start_method() is None


def test_spawned_workers_keep_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.START_METHOD_VARIABLE, "spawn")
    assert "spawn" in multiprocessing.get_all_start_methods()
    items = [-5, 3, -1, 8, -2, 0]
    assert list(parallel.ordered_map(abs, items, workers=2)) == [5, 3, 1, 8, 2, 0]


def test_worker_count_is_capped_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "128")
    monkeypatch.setattr(sys, "platform", "win32")
    assert parallel.cores() == parallel.WINDOWS_MAX_WORKERS == 61
    monkeypatch.setattr(sys, "platform", "linux")
    assert parallel.cores() == 128
