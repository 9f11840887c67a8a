"""Speed and memory at scale, as ratios to python-calamine reading the same files.

Run by hand (not part of the tests):

    python benchmarks/scale.py --returns 60 240 --rows 1000

For each number of returns: builds a stress register (N directorates of about ROWS items each:
40% measures, 30% actions, 20% savings, 10% risks), generates and simulates the returns, then
times on the same files:

- calamine: python-calamine reading every sheet's values, one process (the floor);
- openpyxl: openpyxl read_only=True, data_only=True reading every row, one process (the peer);
- validate: `validate_paths` as the CLI runs it (every safety check, every rule, one worker
  process per core), and validate-1 the same in one process;
- consolidate: validate plus writing a new master;
- generate and simulate, which build the files (once each).

Each step runs in a fresh process, so its peak memory is its own; the read steps run REPEAT
times, interleaved, and the fastest is kept (this machine's timings vary by 20% run to run).
Peak memory is the main process plus the largest worker times the number of workers: an upper
bound, since forked workers share the main process's pages.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUILD = ("generate", "simulate")
TIMED = ("calamine", "openpyxl", "validate", "validate-1", "consolidate")


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
    m, a, s, k = (int(rows * share) for share in (0.4, 0.3, 0.2, 0.1))
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


def run_step(step: str, root: Path) -> None:
    from workbook_tools.plan.register import load_plan
    from workbook_tools.quarters import parse_quarter

    quarter = parse_quarter("2025-26-Q1")
    blank, returns = root / "outputs" / "blank" / str(quarter), root / "returns" / str(quarter)
    files = sorted(returns.glob("*.xlsx"))
    if step == "calamine":
        import python_calamine
        for path in files:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python()
        return
    if step == "openpyxl":
        import openpyxl
        for path in files:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            for sheet in book.worksheets:
                for _ in sheet.iter_rows(values_only=True):
                    pass
            book.close()
        return
    # the register as each command reads it: validate needs only its settings and directorates
    plan = load_plan(root / "templates" / "plan.xlsx", items=not step.startswith("validate"))
    if step == "generate":
        from workbook_tools.returns.generate import generate_returns
        generate_returns(plan, quarter, blank)
    elif step == "simulate":
        from workbook_tools.returns.simulate import simulate_returns
        simulate_returns(blank, returns, quarter, seed=1, error_rate=0.01)
    elif step in ("validate", "validate-1"):
        from workbook_tools.returns.validate import validate_paths
        run = validate_paths(files, quarter, plan=plan, keep_rows=False,
                             workers=1 if step == "validate-1" else None)
        assert len(run.results) == len(files)
    elif step == "consolidate":
        from workbook_tools.master.consolidate import consolidate
        master = root / "outputs" / "master.xlsx"
        master.unlink(missing_ok=True)
        consolidate(plan, quarter, returns, master)


def child(step: str, root: Path) -> None:
    """Run one step; print seconds, main peak MB, largest worker's peak MB, workers."""
    from workbook_tools.parallel import worker_count

    start = time.perf_counter()
    run_step(step, root)
    seconds = time.perf_counter() - start
    main_mb = _high_water_mb()
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    files = len(list((root / "outputs" / "blank" / "2025-26-Q1").glob("*.xlsx")))
    workers = 0 if step in ("calamine", "openpyxl", "validate-1") or worker_mb == 0 \
        else worker_count(files)
    print(f"{seconds:.3f} {main_mb:.0f} {worker_mb if workers else 0:.0f} {workers}")


def _high_water_mb() -> float:
    """This process's peak resident memory since it started (VmHWM on Linux; ru_maxrss, which
    Linux carries over from the parent that forked it, elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(step: str, root: Path) -> tuple[float, float, float, int]:
    out = subprocess.run([sys.executable, __file__, "--step", step, "--root", str(root)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), float(out[2]), int(out[3])


def one_size(returns: int, rows: int, repeat: int, keep: Path | None) -> dict[str, tuple]:
    with tempfile.TemporaryDirectory(prefix="wbt-bench-") as scratch:
        root = (keep / f"{returns}x{rows}") if keep else Path(scratch) / "ws"
        results: dict[str, tuple[float, float, float, int]] = {}
        if not (root / "returns" / "2025-26-Q1").is_dir():
            # in a child too, so this process stays small (a child's peak memory starts from
            # its parent's size when it is forked)
            subprocess.run([sys.executable, __file__, "--register", str(returns), str(rows),
                            "--root", str(root)], check=True)
            for step in BUILD:
                results[step] = measure(step, root)
        best: dict[str, list[tuple[float, float, float, int]]] = {s: [] for s in TIMED}
        for _ in range(repeat):
            for step in TIMED:
                best[step].append(measure(step, root))
        for step, runs in best.items():
            results[step] = (min(r[0] for r in runs), max(r[1] for r in runs),
                             max(r[2] for r in runs), runs[0][3])
        report(returns, rows, results)
        return results


def report(returns: int, rows: int, results: dict[str, tuple[float, float, float, int]]) -> None:
    floor = results["calamine"][0]
    print(f"\n{returns} returns x {rows} rows ({os.cpu_count()} cores)")
    print(f"{'step':<13}{'seconds':>9}{'x floor':>9}{'peak MB':>9}  (main + workers x largest)")
    for step, (seconds, main, worker, workers) in results.items():
        peak = main + workers * worker
        detail = f"  ({main:.0f} + {workers} x {worker:.0f})" if workers else ""
        print(f"{step:<13}{seconds:>9.2f}{seconds / floor:>9.2f}{peak:>9.0f}{detail}")
    v, o, c = results["validate"][0], results["openpyxl"][0], results["consolidate"][0]
    main, worker, workers = results["validate"][1:]
    peak = main + workers * worker
    for label, ok in ((f"validate <= 1.5x floor ({v / floor:.2f}x)", v <= 1.5 * floor),
                      (f"validate >= 5x faster than openpyxl ({o / v:.1f}x)", o >= 5 * v),
                      (f"consolidate <= 3x floor ({c / floor:.2f}x)", c <= 3 * floor),
                      (f"validate peak < 500 MB ({peak:.0f} MB)", peak < 500)):
        print(f"{'PASS' if ok else 'FAIL'}  {label}")


def growth(sizes: list[int], table: dict[int, dict[str, tuple]]) -> None:
    """Per return, how each step grows from the smallest size to the others."""
    first = sizes[0]
    print(f"\nGrowth from {first} returns (1.00 = linear time; memory should stay flat)")
    print(f"{'step':<13}" + "".join(f"{f'{n}: s/return':>16}{'time':>7}{'peak MB':>9}"
                                     for n in sizes))
    for step in TIMED + BUILD:
        if not all(step in table[n] for n in sizes):
            continue
        base = table[first][step][0] / first
        cells = []
        for n in sizes:
            seconds, main, worker, workers = table[n][step]
            cells.append(f"{seconds / n:>16.3f}{seconds / n / base:>7.2f}"
                         f"{main + workers * worker:>9.0f}")
        print(f"{step:<13}" + "".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, nargs="+", default=[60])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each read step; the fastest is kept [3]")
    parser.add_argument("--keep", type=Path, help="build the files in (or reuse them from) "
                                                  "this folder")
    parser.add_argument("--step", choices=BUILD + TIMED, help=argparse.SUPPRESS)
    parser.add_argument("--register", type=int, nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.register:
        build_register(args.root, *args.register)
        return
    if args.step:
        child(args.step, args.root)
        return
    table = {n: one_size(n, args.rows, args.repeat, args.keep) for n in args.returns}
    if len(args.returns) > 1:
        growth(args.returns, table)


if __name__ == "__main__":
    main()
