"""Speed and memory at scale, measured as users run the commands, as ratios to python-calamine.

Run by hand (not part of the tests; it takes many minutes at these sizes):

    python benchmarks/scale.py --returns 60 240 --rows 1000
    python benchmarks/scale.py --returns 240 --repeat 1 --steps validate consolidate --keep DIR

For each number of returns it builds a working folder with a stress register (N directorates of
about ROWS items each: 40% measures, 30% actions, 20% savings, 10% risks), then runs, each as
its own process in that folder, exactly as a user types them:

- `workbook-tools generate` and `workbook-tools simulate --error-rate 0` (every return filled
  without a mistake, so every return is accepted and every row reaches the master);
- the floor: python-calamine reading every sheet of every return in one process; and the peer:
  openpyxl read-only reading every row;
- `workbook-tools validate`, `workbook-tools consolidate` into a new master, and
  `workbook-tools consolidate` into a master that already holds four quarters, written by the
  tool on this machine (consolidate-4q) and on another, whose record of the masters it wrote
  this machine's cache folder does not hold (consolidate-elsewhere); and `workbook-tools
  generate` again;
- on request (`--steps consolidate-saved`, which needs LibreOffice), `workbook-tools
  consolidate` into that four-quarter master once LibreOffice has saved it, as finance's
  spreadsheet program saves the master between quarters;
- on request (`--steps validate-saved`, which needs LibreOffice), `workbook-tools validate` on
  the same returns once LibreOffice has saved each of them, as a directorate officer's
  spreadsheet program saves a return (simulate fills its returns with openpyxl, a form no
  officer's file has), against its own floor: python-calamine reading those saved files
  (calamine-saved).

Each command loads the register and prints its output, as it does for a user. The rows each step
handled are counted from its own output (validate's rows read, consolidate's rows per sheet) and
from its files read back (the blank returns generate wrote, the master consolidate wrote): a step
that handled fewer rows than the collection holds stops the benchmark with an error, so a figure
can never come from less work than it claims.

The floor and the steps run REPEAT times, interleaved, and each run's time is divided by the
floor's time in the same round: the median ratio is reported with its spread (lowest-highest).
Memory is given two ways. "in use" is the most the command's process tree held at once: the
sum of each process's proportional set size (Pss, which divides a page shared by forked workers
among them), sampled every 20 ms while it runs; the memory targets are judged on it. "peak MB"
is each process's own high-water mark (VmHWM) added up over
the command's process and its worker processes: an upper bound, since forked workers share pages.
"in use" comes from one more run of each step after the timed ones, not from the timed runs:
reading a process's Pss (/proc/PID/smaps_rollup) walks its page tables under its memory-map lock,
about 2 ms for a 200 MB process, so sampling it every 20 ms slowed the measured command itself,
more the larger and the more processes it has (5 interleaved runs at 60 returns, 2026-12-01:
validate 1.56 s plain against 1.68 s sampled, four quarters 5.55 against 6.07 s, the floor
0.99 against 0.99 s). The timed runs read only the high-water marks (/proc/PID/status, about
0.02 ms).
The package is compiled to bytecode first, as an installed copy is (a machine that sets
PYTHONDONTWRITEBYTECODE would otherwise compile every module in every run).
The register's plan is kept by content in the working folder's own cache (WORKBOOK_TOOLS_CACHE),
as it is in a user's after their first run with that register: the commands are timed with it
(an untimed validate fills it when the folder is reused); WORKBOOK_TOOLS_CACHE=off times every
command reading and checking the register afresh.
validate and both consolidates are also timed in one process once (the library call alone,
without starting Python, loading the register or printing), which shows what the command adds,
with the CPU seconds of that process and its workers: on a shared machine seconds follow the
load, CPU seconds much less.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUARTER = "2025-26-Q1"
EARLIER = ("2024-25-Q1", "2024-25-Q2", "2024-25-Q3", "2024-25-Q4")
ITEM_SHEETS = ("Measures", "Actions", "Savings", "Risks")
SHARES = (0.4, 0.3, 0.2, 0.1)
FLOOR = "calamine"
TIMED = ("calamine", "openpyxl", "validate", "consolidate", "consolidate-4q",
         "consolidate-elsewhere", "generate", "consolidate-saved", "calamine-saved",
         "validate-saved")
#: the steps whose files LibreOffice saves first: they run only when --steps names them
SAVED_STEPS = ("consolidate-saved", "calamine-saved", "validate-saved")
#: The steps run unless --steps names others: all but those, which need LibreOffice to save the
#: four-quarter master (25 s and 1.5 GB at 60 returns) or every return (a minute at 60) first.
DEFAULT_STEPS = tuple(step for step in TIMED if step not in SAVED_STEPS)
#: the steps that consolidate into four quarters
FOUR = ("consolidate-4q", "consolidate-elsewhere", "consolidate-saved")
IN_PROCESS = ("validate", "consolidate", "consolidate-4q")
BENCH = Path("outputs") / "bench"  # inside the working folder
NEW_MASTER = BENCH / "new" / "master.xlsx"
FOUR_QUARTERS = BENCH / "four-quarters.xlsx"  # kept; copied to FOUR_MASTER before each run
FOUR_MASTER = BENCH / "four" / "master.xlsx"
SAVED_QUARTERS = BENCH / "four-quarters-saved.xlsx"  # FOUR_QUARTERS as LibreOffice saves it
AGAIN = BENCH / "blank"
#: consolidate-elsewhere's cache folder: the register's plan, but no record of the masters this
#: folder's runs wrote (as on another laptop than the one that wrote the master)
ELSEWHERE = "cache-elsewhere"
#: validate-saved's working folder (inside the working folder): the register, and the returns as
#: a directorate officer's spreadsheet program saves them (LibreOffice standing in for Excel:
#: shared strings, its own styles), which is how returns come back; simulate writes its filled
#: returns with openpyxl, a form no officer's file has
SAVED_RETURNS = "saved-returns"
#: each step's floor, when it is not FLOOR: python-calamine reading the same files the step reads
FLOOR_OF = {"validate-saved": "calamine-saved"}
#: the steps that only read the returns, timed to compare the tool with: the floors and the peer
READERS = (FLOOR, "openpyxl", *FLOOR_OF.values())
CACHE_VARIABLE = "WORKBOOK_TOOLS_CACHE"
BUILT = "built"  # written in the working folder once its returns are built


class ShortRun(Exception):
    """A step handled fewer rows (or returns) than the collection holds, or failed."""


@dataclass
class Run:
    seconds: float
    peak_mb: float  # each process's high-water mark, added up: an upper bound
    #: the most the process tree held at once, shared pages counted once (None: not sampled,
    #: as in a timed run; see the module's notes)
    in_use_mb: float | None
    rows: dict[str, int]  # rows handled, by sheet (and 'returns')


# ---------------------------------------------------------------------------------------------
# The working folder.


def collection(returns: int, rows: int) -> dict[str, int]:
    """What the collection holds: returns, and item rows by sheet."""
    counts = {sheet: returns * int(rows * share) for sheet, share in zip(ITEM_SHEETS, SHARES,
                                                                          strict=True)}
    return {"returns": returns, **counts}


def build_register(root: Path, returns: int, rows: int) -> None:
    from workbook_tools.plan.examples import example_rows, init_folder, write_register

    init_folder(root, "derbyshire", force=True)
    sheets = example_rows("derbyshire")
    objectives = [r[0] for r in sheets["Objectives"][1:]]
    head = {name: sheets[name][0] for name in sheets}
    sheets["Directorates"] = [head["Directorates"]] + [
        [f"D{d:03d}", f"Directorate {d}", f"Director {d}", f"d{d}@example.gov.uk"]
        for d in range(returns)]
    for row in sheets["Objectives"][1:]:
        row[3] = "D000"
    m, a, s, k = (int(rows * share) for share in SHARES)
    sheets["Measures"] = [head["Measures"]] + [
        [f"M-{d}-{i}", objectives[i % len(objectives)], f"D{d:03d}",
         f"Measure {i} of directorate {d}", "%", "Higher is better", "Quarterly", 80, 81, 82, 83,
         None] for d in range(returns) for i in range(m)]
    sheets["Actions"] = [head["Actions"]] + [
        [f"A-{d}-{i}", objectives[i % len(objectives)], f"D{d:03d}",
         f"Action {i} of directorate {d}", "Head of service", sheets["Actions"][1][5]]
        for d in range(returns) for i in range(a)]
    sheets["Savings"] = [head["Savings"]] + [
        [f"S-{d}-{i}", f"D{d:03d}", objectives[i % len(objectives)],
         f"Saving {i} of directorate {d}", "Recurring", 10000]
        for d in range(returns) for i in range(s)]
    sheets["Risks"] = [head["Risks"]] + [
        [f"R-{d}-{i}", f"D{d:03d}", f"Risk {i} of directorate {d}", "Owner", 3, 3]
        for d in range(returns) for i in range(k)]
    target = next(i for i, r in enumerate(sheets["Settings"]) if str(r[0]).startswith("Savings"))
    sheets["Settings"][target][1] = 10000 * s * returns
    write_register(sheets, root / "templates" / "plan.xlsx")
    (root / "collection.json").write_text(json.dumps(collection(returns, rows)))


def build_four_quarters(root: Path) -> None:
    """A master holding four earlier quarters: the new master's rows under four other labels."""
    from workbook_tools.master import columns as mc
    from workbook_tools.master.order import note_order, sort_rows
    from workbook_tools.master.read import read_master
    from workbook_tools.master.sheetrow import column_of
    from workbook_tools.master.write import write_master
    from workbook_tools.plan.bydirectorate import PlanByDirectorate
    from workbook_tools.plan.register import BY_DIRECTORATE, load_plan

    seed = read_master(root / NEW_MASTER)
    for name, rows in seed.sheets.items():
        if name != "Log":
            seed.sheets[name] = [{**row, "Quarter": q} for q in EARLIER for row in rows]
    # in the register's order, as a consolidate leaves them, and noted so for the record as a
    # consolidate notes it (order.note_order: with the plan read a directorate at a time)
    parts = load_plan(root / "templates" / "plan.xlsx", BY_DIRECTORATE)
    if not isinstance(parts, PlanByDirectorate):  # (the first load since the tool changed
        parts = load_plan(root / "templates" / "plan.xlsx", BY_DIRECTORATE)  # keeps its entry)
    # (the cache off: the whole plan, and nothing noted, as a consolidate then notes nothing)
    sort_rows(seed, parts.whole() if isinstance(parts, PlanByDirectorate) else parts)
    note_order(seed, parts, sum(map(bool, column_of(seed.sheets["Savings"], mc.ORPHANED))))
    # with its record, as the tool keeps it for a master a consolidate wrote while copying
    # earlier quarters (any run after a quarter's first); consolidate-elsewhere runs without it
    write_master(seed, root / FOUR_QUARTERS, make_record=True)


def save_in_libreoffice(sources: list[Path], target: Path) -> None:
    """Each of `sources` opened and saved by LibreOffice into the folder `target`, as finance's
    spreadsheet program saves the master between quarters and a directorate officer's saves a
    return (shared strings, its own styles: nothing the copy of earlier quarters takes)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ShortRun("the saved steps need LibreOffice (soffice) to save their files first")
    with tempfile.TemporaryDirectory(prefix="wbt-lo-") as scratch:
        subprocess.run([soffice, f"-env:UserInstallation=file://{scratch}/profile", "--headless",
                        "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir",
                        str(Path(scratch) / "out"), *map(str, sources)], check=True,
                       capture_output=True, timeout=3600)
        target.mkdir(parents=True, exist_ok=True)
        for source in sources:
            shutil.move(str(Path(scratch) / "out" / source.name), target / source.name)


def build_saved_returns(root: Path) -> None:
    """validate-saved's folder: the register, and every return saved by LibreOffice."""
    saved = root / SAVED_RETURNS
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(root / "templates", saved / "templates")
    returns = sorted((root / "returns" / QUARTER).glob("*.xlsx"))
    save_in_libreoffice(returns, saved / "returns" / QUARTER)
    (saved / BUILT).write_text("")


def build(root: Path, returns: int, rows: int, steps: tuple[str, ...]) -> dict[str, Run]:
    """The working folder, its register and returns; the build steps' runs."""
    python = sys.executable
    # in a child, so this process stays small (a child's memory starts from its parent's)
    subprocess.run([python, __file__, "--register", str(returns), str(rows), "--root",
                    str(root)], check=True)
    # (run once each, they are not timed against a target: what they hold is sampled as well)
    runs = {"generate (first)": measure("generate (first)", root, in_use=True),
            "simulate": measure("simulate", root, in_use=True)}
    if any(step in steps for step in FOUR):
        measure("consolidate", root)  # the master the four-quarter master is made from
        subprocess.run([python, __file__, "--four-quarters", "--root", str(root)], check=True)
    (root / BUILT).write_text("")
    return runs


# ---------------------------------------------------------------------------------------------
# Running a step as a user runs it, and counting what it handled.


def command(step: str, root: Path) -> list[str]:
    tool = [sys.executable, "-m", "workbook_tools"]
    four = [*tool, "consolidate", "-q", QUARTER, "--master", str(FOUR_MASTER)]
    return {
        "generate (first)": [*tool, "generate", "-q", QUARTER],
        "generate": [*tool, "generate", "-q", QUARTER, "--out", str(AGAIN)],
        "simulate": [*tool, "simulate", "-q", QUARTER, "--error-rate", "0"],
        "validate": [*tool, "validate", "-q", QUARTER],
        "consolidate": [*tool, "consolidate", "-q", QUARTER, "--master", str(NEW_MASTER)],
        "consolidate-4q": four,  # (prepare puts the master it starts from in place)
        "consolidate-elsewhere": four,
        "consolidate-saved": four,
        "validate-saved": [*tool, "validate", "-q", QUARTER],  # (in SAVED_RETURNS: workdir)
        "calamine": [sys.executable, __file__, "--floor", "calamine", "--root", str(root)],
        "calamine-saved": [sys.executable, __file__, "--floor", "calamine", "--root",
                           str(root / SAVED_RETURNS)],
        "openpyxl": [sys.executable, __file__, "--floor", "openpyxl", "--root", str(root)],
    }[step]


def prepare(step: str, root: Path) -> None:
    """Put the folder back as the step expects it before each run."""
    if step == "consolidate":
        shutil.rmtree(root / NEW_MASTER.parent, ignore_errors=True)
    elif step in FOUR:
        shutil.rmtree(root / FOUR_MASTER.parent, ignore_errors=True)
        (root / FOUR_MASTER.parent).mkdir(parents=True)
        shutil.copyfile(root / (SAVED_QUARTERS if step == "consolidate-saved" else FOUR_QUARTERS),
                        root / FOUR_MASTER)
        if step == "consolidate-elsewhere":
            shutil.rmtree(root / ELSEWHERE, ignore_errors=True)
            (root / ELSEWHERE).mkdir(mode=0o700)
            if (root / "cache" / "plans").is_dir():
                shutil.copytree(root / "cache" / "plans", root / ELSEWHERE / "plans")
    elif step == "generate":
        shutil.rmtree(root / AGAIN, ignore_errors=True)


def measure(step: str, root: Path, in_use: bool = False) -> Run:
    """Run a step once; stop with ShortRun if it handled fewer rows than the collection.
    `in_use`: sample what the process tree holds (a run for memory: sampling slows it)."""
    prepare(step, root)
    env = {}
    if step == "consolidate-elsewhere" and caching():
        env[CACHE_VARIABLE] = str((root / ELSEWHERE).resolve())
    seconds, peak, held, code, out, err = run_process(command(step, root), workdir(step, root),
                                                      env, in_use)
    rows = handled(step, root, out)
    check(step, json.loads((root / "collection.json").read_text()), rows)
    if code != 0:
        last = (err.strip() or out.strip()).splitlines()[-1:] or ["(no output)"]
        raise ShortRun(f"{step}: exited with {code}: {last[0]}")
    return Run(seconds, peak, held, rows)


def workdir(step: str, root: Path) -> Path:
    """The folder a step runs in: the working folder, or the one of saved returns."""
    return root / SAVED_RETURNS if step == "validate-saved" else root


def floor_of(step: str) -> str:
    return FLOOR_OF.get(step, FLOOR)


def caching() -> bool:
    """Whether the tool's cache folder is on (WORKBOOK_TOOLS_CACHE not set to off)."""
    return os.environ.get(CACHE_VARIABLE, "").strip().lower() not in ("off", "0", "no", "false")


def compile_package() -> None:
    """The package's modules compiled to bytecode before any run, as installing it does: a
    machine that sets PYTHONDONTWRITEBYTECODE (this one does) would otherwise compile about 60
    modules in every command, 0.15 s that no installed copy pays."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("workbook_tools")
    if spec is not None and spec.origin is not None:
        compileall.compile_dir(str(Path(spec.origin).parent), quiet=1)


def run_process(cmd: list[str], cwd: Path, extra: dict[str, str] | None = None,
                in_use: bool = True) -> tuple[float, float, float | None, int, str, str]:
    """Seconds, peak MB of the process and its workers (high-water marks added up), the most
    they held at once (proportional set size, sampled; None unless `in_use`, since sampling it
    slows the command), exit code, stdout, stderr. `extra`: environment variables set for this
    process only."""
    env = {**os.environ, "PYTHONHASHSEED": "0", **(extra or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: compiled once, not every run
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    peaks: dict[int, float] = {}
    held_at_most = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            held = 0.0
            for pid in _tree(proc.pid):
                peaks[pid] = max(peaks.get(pid, 0.0), _high_water_mb(pid))
                if in_use:
                    held += _proportional_mb(pid)
            held_at_most[0] = max(held_at_most[0], held)
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    return (seconds, sum(peaks.values()), held_at_most[0] if in_use else None, proc.returncode,
            out, err)


def _tree(pid: int) -> list[int]:
    """The process and its descendants (Linux /proc; just the process elsewhere)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:  # (a process that ended meanwhile has none: its folder is gone)
            tasks = list(Path(f"/proc/{current}/task").glob("*/children"))
        except OSError:
            continue
        for task in tasks:
            try:
                todo += [int(p) for p in task.read_text().split()]
            except OSError:
                continue
    return found


def _proportional_mb(pid: int) -> float:
    """The process's proportional set size: its own pages, and each page it shares with other
    processes (forked workers share their parent's) divided among them, so a tree's sizes add
    up to what it holds."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _high_water_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def handled(step: str, root: Path, out: str) -> dict[str, int]:
    """The returns and rows a step handled, from its output and the files it wrote."""
    if step in READERS:
        return json.loads(out)
    if step.startswith("generate"):
        folder = root / (AGAIN if step == "generate" else Path("outputs") / "blank" / QUARTER)
        found = re.search(r"^(\d+) returns? for ", out, re.M)
        return {"returns": int(found.group(1)) if found else 0, **count_returns(folder)}
    if step == "simulate":
        found = re.search(r"^(\d+) completed returns? for ", out, re.M)
        folder = root / "returns" / QUARTER
        return {"returns": int(found.group(1)) if found else 0, **count_returns(folder)}
    if step in ("validate", "validate-saved"):
        tally = re.search(r"^\d+ files? checked: (.*)$", out, re.M)
        accepted = re.findall(r"(\d+) accepted(?: with warnings)?[,.]",
                              tally.group(1) if tally else "")
        read = re.search(r"^Read ([\d,]+) rows? of ", out, re.M)
        return {"returns": sum(int(n) for n in accepted),
                "rows": int(read.group(1).replace(",", "")) if read else 0}
    said = re.search(r" has (\d+) measures, (\d+) actions, (\d+) savings and (\d+) risks from "
                     r"(\d+) accepted return", out)
    told = [int(n) for n in said.groups()] if said else [0] * 5
    master = root / (NEW_MASTER if step == "consolidate" else FOUR_MASTER)
    counts = count_master(master) if master.exists() else {}
    quarters = (QUARTER, *EARLIER) if step in FOUR else (QUARTER,)
    rows: dict[str, int] = {"returns": told[4]}
    for i, sheet in enumerate(ITEM_SHEETS):
        # the fewest of what it said and what the master holds, for this and each earlier quarter
        rows[sheet] = min(told[i], *(counts.get(q, {}).get(sheet, 0) for q in quarters))
    return rows


def check(step: str, expected: dict[str, int], rows: dict[str, int]) -> None:
    """Raises ShortRun when a step handled fewer returns or rows than the collection holds."""
    wanted = dict(expected)
    if "rows" in rows:  # a total for every item sheet
        wanted = {"returns": expected["returns"],
                  "rows": sum(expected[s] for s in ITEM_SHEETS)}
    elif "sheet rows" in rows:  # a reader of every sheet: its returns
        wanted = {"returns": expected["returns"]}
    short = [f"{rows.get(key, 0):,} of {count:,} "
             f"{'returns accepted' if key == 'returns' else f'{key.lower()} rows'}"
             for key, count in wanted.items() if rows.get(key, 0) < count]
    if short:
        raise ShortRun(f"{step} handled {', '.join(short)}: fewer than the collection holds, "
                       "so its figures would measure less work than they claim.")


def count_returns(folder: Path) -> dict[str, int]:
    out = subprocess.run([sys.executable, __file__, "--count-returns", str(folder)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def count_master(path: Path) -> dict[str, dict[str, int]]:
    out = subprocess.run([sys.executable, __file__, "--count-master", str(path)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def _count_returns(folder: Path) -> dict[str, int]:
    from workbook_tools.returns.read import read_return

    counts = dict.fromkeys(ITEM_SHEETS, 0)
    for path in sorted(folder.glob("*.xlsx")):
        data = read_return(path).data
        for sheet in ITEM_SHEETS:
            counts[sheet] += len(data.rows.get(sheet, [])) if data else 0
    return counts


def _count_master(path: Path) -> dict[str, dict[str, int]]:
    """Rows by quarter on each item sheet of a master (read through the guard)."""
    from workbook_tools.files.guard import SafeWorkbook
    from workbook_tools.master.read import MASTER_LIMITS

    counts: dict[str, dict[str, int]] = {}
    with SafeWorkbook(path, MASTER_LIMITS) as workbook:
        for sheet in ITEM_SHEETS:
            rows, _ = workbook.read(sheet)
            at = list(rows[0]).index("Quarter") if rows else 0
            for row in rows[1:]:
                mine = counts.setdefault(str(row[at]), {})
                mine[sheet] = mine.get(sheet, 0) + 1
    return counts


def floor(reader: str, root: Path) -> dict[str, int]:
    """Read every sheet of every return; the returns read and their rows."""
    files = sorted((root / "returns" / QUARTER).glob("*.xlsx"))
    rows = 0
    if reader == "calamine":
        import python_calamine

        for path in files:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                rows += len(book.get_sheet_by_name(name).to_python())
    else:
        import openpyxl

        for path in files:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            for sheet in book.worksheets:
                rows += sum(1 for _ in sheet.iter_rows(values_only=True))
            book.close()
    return {"returns": len(files), "sheet rows": rows}


def in_process(step: str, root: Path) -> tuple[float, float]:
    """The library call alone, in one process (the register already loaded): its seconds, and
    the CPU seconds of this process and its workers (less sensitive than seconds to a shared
    machine's load)."""
    import resource

    from workbook_tools.plan.register import BY_DIRECTORATE, load_plan
    from workbook_tools.quarters import parse_quarter

    def cpu() -> float:
        return sum(r.ru_utime + r.ru_stime for r in (
            resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))

    quarter = parse_quarter(QUARTER)
    # as the commands load it: each return compared with its directorate's items (consolidate
    # reads the whole register for its merge itself)
    plan = load_plan(root / "templates" / "plan.xlsx", items=BY_DIRECTORATE)
    if step == "consolidate-4q":
        prepare(step, root)
    start, used = time.perf_counter(), cpu()
    if step == "validate":
        from workbook_tools.returns.validate import expand_paths, validate_paths

        validate_paths(expand_paths([root / "returns" / QUARTER]), quarter, plan,
                       root / "outputs" / "master.xlsx", keep_rows=False)
    else:
        from workbook_tools.master.consolidate import consolidate

        if step == "consolidate":
            shutil.rmtree(root / NEW_MASTER.parent, ignore_errors=True)
        master = root / (NEW_MASTER if step == "consolidate" else FOUR_MASTER)
        consolidate(plan, quarter, root / "returns" / QUARTER, master)
    return time.perf_counter() - start, cpu() - used


# ---------------------------------------------------------------------------------------------
# One size, and the report.


def one_size(returns: int, rows: int, repeat: int, keep: Path | None,
             steps: tuple[str, ...] = TIMED) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="wbt-bench-") as scratch:
        root = (keep / f"{returns}x{rows}") if keep else Path(scratch) / "ws"
        fresh = not (root / BUILT).exists() or (
            any(step in steps for step in FOUR) and not (root / FOUR_QUARTERS).exists())
        # The register's plan is kept by content in a cache folder of the bench's own (as it
        # is in the user's after their first run with a register); WORKBOOK_TOOLS_CACHE=off
        # measures every command reading the register afresh.
        cached = caching()
        if cached:
            os.environ[CACHE_VARIABLE] = str((root / "cache").resolve())
        built = build(root, returns, rows, steps) if fresh else {}
        if "consolidate-saved" in steps and not (root / SAVED_QUARTERS).exists():
            saving = root / BENCH / "saving"  # (LibreOffice keeps the file's name)
            save_in_libreoffice([root / FOUR_QUARTERS], saving)
            (saving / FOUR_QUARTERS.name).rename(root / SAVED_QUARTERS)
            saving.rmdir()
        if "validate-saved" in steps and (fresh or not (root / SAVED_RETURNS / BUILT).exists()):
            build_saved_returns(root)
        if cached and not fresh:
            run_process(command("validate", root), root)  # untimed: the first load keeps the plan
        runs: dict[str, list[Run]] = {step: [] for step in steps}
        for round_ in range(1, repeat + 1):
            for step in steps:
                runs[step].append(measure(step, root))
                ratio = runs[step][-1].seconds / runs[floor_of(step)][-1].seconds
                print(f"{returns} returns, run {round_} of {repeat}: {step} "
                      f"{runs[step][-1].seconds:.2f} s, {ratio:.2f}x floor, "
                      f"{runs[step][-1].peak_mb:.0f} MB", file=sys.stderr, flush=True)
        memory = {}  # one more run of each step, for what it holds (not timed)
        for step in steps:
            memory[step] = measure(step, root, in_use=True)
            print(f"{returns} returns, memory run: {step} {memory[step].in_use_mb:.0f} MB in use, "
                  f"{memory[step].peak_mb:.0f} MB", file=sys.stderr, flush=True)
        inner = {}
        for step in (s for s in IN_PROCESS if s in steps):
            out = subprocess.run([sys.executable, __file__, "--in-process", step, "--root",
                                  str(root)], check=True, capture_output=True, text=True)
            inner[step] = tuple(float(n) for n in out.stdout.split())
        table = summarise(runs, built, inner, memory)
        report(returns, rows, repeat, table)
        return table


def summarise(runs: dict[str, list[Run]], built: dict[str, Run],
              inner: dict[str, tuple[float, ...]], memory: dict[str, Run] | None = None
              ) -> dict[str, Any]:
    """Each step's median ratio to the floor (and spread) from its timed `runs` (or its one
    `built` run); what it held from its `memory` run and any run that sampled it."""
    table: dict[str, Any] = {}
    every = {**{step: [run] for step, run in built.items()}, **runs}
    for step, mine in every.items():
        sampled = [*mine, *([memory[step]] if memory and step in memory else [])]
        floors = [r.seconds for r in runs[floor_of(step)]]
        ratios = ([r.seconds / f for r, f in zip(mine, floors, strict=True)] if step in runs
                  else [r.seconds / statistics.median(floors) for r in mine])
        table[step] = {
            "seconds": statistics.median(r.seconds for r in mine),
            "ratio": statistics.median(ratios), "low": min(ratios), "high": max(ratios),
            "peak": max(r.peak_mb for r in sampled),
            "in_use": max((r.in_use_mb for r in sampled if r.in_use_mb is not None),
                          default=None),
            "in_process": inner.get(step),  # (seconds, CPU seconds)
            "rows": min((r.rows for r in mine), key=lambda c: sum(c.values())),
        }
    return table


def _shown_rows(rows: dict[str, int]) -> str:
    if "rows" in rows:
        return f"{rows['rows']:,}"
    if "sheet rows" in rows:
        return f"{rows['sheet rows']:,} sheet"
    return f"{sum(rows.get(s, 0) for s in ITEM_SHEETS):,}"


def report(returns: int, rows: int, repeat: int, table: dict[str, Any]) -> None:
    total = sum(collection(returns, rows)[s] for s in ITEM_SHEETS)
    print(f"\n{returns} returns x {rows:,} rows: {total:,} item rows, every return accepted "
          f"({os.cpu_count()} cores; {repeat} interleaved runs, median and lowest-highest)")
    print(f"{'step':<22}{'rows handled':>14}{'seconds':>9}{'x floor':>9}{'spread':>13}"
          f"{'peak MB':>9}{'in use':>8}{'in-process s':>14}{'CPU s':>8}")
    for step, row in table.items():
        spread = f"{row['low']:.2f}-{row['high']:.2f}"
        inner = (f"{row['in_process'][0]:>14.2f}{row['in_process'][1]:>8.2f}"
                 if row["in_process"] is not None else "")
        print(f"{step:<22}{_shown_rows(row['rows']):>14}{row['seconds']:>9.2f}"
              f"{row['ratio']:>9.2f}{spread:>13}{row['peak']:>9.0f}{_mb(row['in_use']):>8}"
              f"{inner}")
    for step, own in FLOOR_OF.items():
        if step in table:
            print(f"({step}'s ratio is to {own}: python-calamine reading the same files)")
    for label, ok in targets(table):
        print(f"{'PASS' if ok else 'FAIL'}  {label}")


def targets(table: dict[str, Any]) -> list[tuple[str, bool]]:
    """Each target whose steps were run, with whether it was met."""
    found: list[tuple[str, bool]] = []
    v, c, c4, away, g, saved = (table.get(s) for s in (
        "validate", "consolidate", "consolidate-4q", "consolidate-elsewhere", "generate",
        "consolidate-saved"))
    if v:
        found += [(f"validate within 1.5x floor ({v['ratio']:.2f}x)", v["ratio"] <= 1.5),
                  (f"validate under 300 MB ({_memory(v)})", _under(v, 300))]
    if v and "openpyxl" in table:
        faster = table["openpyxl"]["seconds"] / v["seconds"]
        found.append((f"validate at least 5x faster than openpyxl ({faster:.1f}x)", faster >= 5))
    if c:
        found += [(f"consolidate, new master, within 3x floor ({c['ratio']:.2f}x)",
                   c["ratio"] <= 3),
                  (f"consolidate, new master, under 500 MB ({_memory(c)})",
                   _under(c, 500))]
    if c4:
        found += [(f"consolidate, four quarters, within 4x floor ({c4['ratio']:.2f}x)",
                   c4["ratio"] <= 4),
                  (f"consolidate, four quarters, under 500 MB ({_memory(c4)})",
                   _under(c4, 500))]
    if away:
        found += [(f"consolidate, four quarters, without this machine's record of it, within 4x "
                   f"floor ({away['ratio']:.2f}x)", away["ratio"] <= 4),
                  (f"consolidate, four quarters, without this machine's record of it, under "
                   f"500 MB ({_memory(away)})", _under(away, 500))]
    if saved:
        found += [(f"consolidate, four quarters saved by LibreOffice, within 4x floor "
                   f"({saved['ratio']:.2f}x)", saved["ratio"] <= 4),
                  (f"consolidate, four quarters saved by LibreOffice, under 500 MB "
                   f"({_memory(saved)})", _under(saved, 500))]
    if g:
        found.append((f"generate within 5x floor ({g['ratio']:.2f}x)", g["ratio"] <= 5))
    returned = table.get("validate-saved")
    if returned:
        found += [(f"validate, returns saved by LibreOffice, within 1.5x the floor of those "
                   f"files ({returned['ratio']:.2f}x)", returned["ratio"] <= 1.5),
                  (f"validate, returns saved by LibreOffice, under 300 MB "
                   f"({_memory(returned)})", _under(returned, 300))]
    return found


def _memory(row: dict[str, Any]) -> str:
    return (f"{_mb(row['in_use'])} MB in use at most; {row['peak']:.0f} MB with each process's "
            "high-water mark added up")


def _mb(megabytes: float | None) -> str:
    return "-" if megabytes is None else f"{megabytes:.0f}"


def _under(row: dict[str, Any], megabytes: int) -> bool:
    """Whether a step held less than `megabytes` at once (False when it was not sampled)."""
    return row["in_use"] is not None and row["in_use"] < megabytes


def growth(sizes: list[int], tables: dict[int, dict[str, Any]]) -> None:
    """Per return, how each step grows from the smallest size (flat: about 1.00)."""
    first = sizes[0]
    print(f"\nGrowth from {first} returns (time per return and peak memory, as a multiple of "
          f"{first} returns'; flat is 1.00)")
    print(f"{'step':<22}" + "".join(f"{f'{n}: s/return':>16}{'time':>7}{'memory':>8}"
                                     for n in sizes))
    for step in (s for s in TIMED if all(s in tables[n] for n in sizes)):
        base = tables[first][step]
        cells = "".join(
            f"{tables[n][step]['seconds'] / n:>16.3f}"
            f"{tables[n][step]['seconds'] / n / (base['seconds'] / first):>7.2f}"
            f"{_growth(tables[n][step]['in_use'], base['in_use']):>8}" for n in sizes)
        print(f"{step:<22}{cells}")


def _growth(megabytes: float | None, base: float | None) -> str:
    return "-" if megabytes is None or not base else f"{megabytes / base:.2f}"


#: How much a step's time per return (against the floor's) or its memory may grow from the
#: smallest size to the largest and still be flat: this machine's timings move by 20%.
FLAT = 1.25
#: The steps whose memory must be flat as returns grow (issue 16); validate's is judged under
#: its 300 MB, and generate writes each return apart.
FLAT_MEMORY = ("consolidate", *FOUR)


def growth_targets(sizes: list[int], tables: dict[int, dict[str, Any]]
                   ) -> list[tuple[str, bool]]:
    """The targets across sizes, from the smallest to the largest: each step's time per
    return flat (its ratio to the floor, which reads the same returns, grows at most FLAT
    times), and consolidate's memory flat (what it held at once grows at most FLAT times)."""
    first, last = sizes[0], sizes[-1]
    found: list[tuple[str, bool]] = []
    for step in (s for s in TIMED if s not in READERS and s in tables[first]
                 and s in tables[last]):
        small, large = tables[first][step], tables[last][step]
        grew = large["ratio"] / small["ratio"]
        found.append((f"{step}: time per return flat from {first} to {last} returns ("
                      f"{small['ratio']:.2f}x to {large['ratio']:.2f}x the floor: {grew:.2f} "
                      f"times; at most {FLAT})", grew <= FLAT))
        if step in FLAT_MEMORY:
            held = (None if small["in_use"] is None or large["in_use"] is None
                    else large["in_use"] / small["in_use"])
            found.append((f"{step}: memory flat from {first} to {last} returns ("
                          f"{_mb(small['in_use'])} to {_mb(large['in_use'])} MB in use: "
                          f"{'-' if held is None else f'{held:.2f}'} times; at most {FLAT})",
                          held is not None and held <= FLAT))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, nargs="+", default=[60])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3,
                        help="interleaved runs of each step [3]")
    parser.add_argument("--keep", type=Path, help="build the working folders in (or reuse them "
                                                  "from) this folder")
    parser.add_argument("--steps", nargs="+", choices=TIMED, default=list(DEFAULT_STEPS),
                        help="the steps to time (the floor always) [all but "
                             "consolidate-saved, which needs LibreOffice]")
    parser.add_argument("--register", type=int, nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--four-quarters", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--floor", choices=("calamine", "openpyxl"), help=argparse.SUPPRESS)
    parser.add_argument("--in-process", choices=IN_PROCESS, help=argparse.SUPPRESS)
    parser.add_argument("--count-returns", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count-master", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.register:
        build_register(args.root, *args.register)
    elif args.four_quarters:
        build_four_quarters(args.root)
    elif args.floor:
        print(json.dumps(floor(args.floor, args.root)))
    elif args.in_process:
        print(" ".join(f"{n:.3f}" for n in in_process(args.in_process, args.root)))
    elif args.count_returns:
        print(json.dumps(_count_returns(args.count_returns)))
    elif args.count_master:
        print(json.dumps(_count_master(args.count_master)))
    else:
        compile_package()
        try:
            wanted = {*args.steps, FLOOR, *(FLOOR_OF[s] for s in args.steps if s in FLOOR_OF)}
            steps = tuple(s for s in TIMED if s in wanted)
            tables = {n: one_size(n, args.rows, args.repeat, args.keep, steps)
                      for n in args.returns}
        except ShortRun as exc:
            sys.exit(f"benchmark refused: {exc}")
        if len(args.returns) > 1:
            sizes = sorted(args.returns)
            growth(sizes, tables)
            for label, ok in growth_targets(sizes, tables):
                print(f"{'PASS' if ok else 'FAIL'}  {label}")


if __name__ == "__main__":
    main()
