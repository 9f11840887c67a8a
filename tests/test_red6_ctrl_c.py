"""Ctrl+C (SIGINT to the whole process group, as a terminal sends it) while consolidate's workers
start: consolidate starts them before it reads the master, so under spawn they are still
importing while the master is read. The user sees `Aborted!`, no worker's traceback, and no
process is left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Q2
from master_support import Folder, make_folder


def _workers(pid: int) -> list[int]:
    """The pool's worker processes (spawned: their command line runs spawn_main)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in command:
                found.append(int(child))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_while_spawned_workers_start_is_one_line_and_leaves_no_process(
        tmp_path: Path) -> None:
    folder: Folder = make_folder(tmp_path / "ws", (Q2.previous(), Q2))
    before = folder.master.read_bytes()
    env = {**os.environ, "WORKBOOK_TOOLS_WORKERS": "2", "WORKBOOK_TOOLS_START_METHOD": "spawn"}
    command = str(Path(sys.executable).with_name("workbook-tools"))  # as users run it
    run = subprocess.Popen(
        [command, "consolidate", "--quarter", str(Q2)],
        cwd=folder.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as in a terminal
    try:
        deadline = time.monotonic() + 30
        while len(_workers(run.pid)) < 2 and run.poll() is None:
            assert time.monotonic() < deadline, "no workers started"
            time.sleep(0.005)
        time.sleep(0.1)  # past the interpreter's own start: the workers are importing now
        os.killpg(run.pid, signal.SIGINT)
        _, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    deadline = time.monotonic() + 10
    while _live(run.pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # (the pool's resource tracker ends once this process has)

    assert run.returncode == 1
    assert err.decode().strip() == "Aborted!"
    assert _live(run.pid) == []
    assert folder.master.read_bytes() == before
    assert not folder.backups.exists()


def _live(group: int) -> list[str]:
    """The processes of the group still running (a zombie has no command line)."""
    found = subprocess.run(["pgrep", "-g", str(group)], capture_output=True, text=True)
    live = []
    for pid in found.stdout.split():
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes():
                live.append(pid)
        except OSError:
            continue
    return live
