"""Speed and memory at scale, as ratios to python-calamine reading the same files.

Run by hand (not part of the tests):

    python benchmarks/scale.py --returns 60 --rows 1000

Builds a stress register (N directorates of about ROWS items each: 40% measures, 30% actions,
20% savings, 10% risks), generates and simulates the returns, then times each step in its own
process so peak memory is per step.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEPS = ("generate", "simulate", "calamine", "openpyxl", "validate", "consolidate")


def build_register(root: Path, returns: int, rows: int) -> None:
    from workbook_tools.examples import example_rows, init_folder, write_register

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
        [f"M-{d}-{i}", objectives[i % len(objectives)], f"D{d:03d}", f"Measure {i}", "%",
         "Higher is better", "Quarterly", 80, 81, 82, 83, None]
        for d in range(returns) for i in range(m)]
    sheets["Actions"] = [head["Actions"]] + [
        [f"A-{d}-{i}", objectives[i % len(objectives)], f"D{d:03d}", f"Action {i}",
         "Head of service", sheets["Actions"][1][5]] for d in range(returns) for i in range(a)]
    sheets["Savings"] = [head["Savings"]] + [
        [f"S-{d}-{i}", f"D{d:03d}", None, f"Saving {i}", "Recurring", 10000]
        for d in range(returns) for i in range(s)]
    sheets["Risks"] = [head["Risks"]] + [
        [f"R-{d}-{i}", f"D{d:03d}", f"Risk {i}", "Owner", 3, 3]
        for d in range(returns) for i in range(k)]
    target = next(i for i, r in enumerate(sheets["Settings"]) if str(r[0]).startswith("Savings"))
    sheets["Settings"][target][1] = 10000 * s * returns
    write_register(sheets, root / "templates" / "plan.xlsx")


def run_step(step: str, root: Path) -> None:
    from workbook_tools.plan import load_plan
    from workbook_tools.quarters import parse_quarter

    quarter = parse_quarter("2025-26-Q1")
    plan = load_plan(root / "templates" / "plan.xlsx")
    blank, returns = root / "outputs" / "blank" / str(quarter), root / "returns" / str(quarter)
    files = sorted(returns.glob("*.xlsx"))
    if step == "generate":
        from workbook_tools.generate import generate_returns
        generate_returns(plan, quarter, blank)
    elif step == "simulate":
        from workbook_tools.simulate import simulate_returns
        simulate_returns(blank, returns, quarter, seed=1, error_rate=0.01)
    elif step == "calamine":
        import python_calamine
        for path in files:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python()
    elif step == "openpyxl":
        import openpyxl
        for path in files:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            for sheet in book.worksheets:
                for _ in sheet.iter_rows(values_only=True):
                    pass
            book.close()
    elif step == "validate":
        from workbook_tools.validate import validate_paths
        validate_paths(files, quarter, plan=plan)
    elif step == "consolidate":
        from workbook_tools.master import consolidate
        master = root / "outputs" / "master.xlsx"
        master.unlink(missing_ok=True)
        consolidate(plan, quarter, returns, master)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=60)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--step", choices=STEPS)
    parser.add_argument("--root", type=Path)
    args = parser.parse_args()
    if args.step:  # a child: run one step, report seconds and peak memory
        start = time.perf_counter()
        run_step(args.step, args.root)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{time.perf_counter() - start:.3f} {peak_mb:.0f}")
        return
    with tempfile.TemporaryDirectory(prefix="wbt-bench-") as folder:
        root = Path(folder) / "ws"
        build_register(root, args.returns, args.rows)
        results: dict[str, tuple[float, float]] = {}
        for step in STEPS:
            out = subprocess.run([sys.executable, __file__, "--step", step, "--root", str(root)],
                                 check=True, capture_output=True, text=True).stdout.split()
            results[step] = (float(out[0]), float(out[1]))
        floor = results["calamine"][0]
        print(f"{args.returns} returns x {args.rows} rows")
        print(f"{'step':<12}{'seconds':>9}{'x floor':>9}{'peak MB':>9}")
        for step, (seconds, peak) in results.items():
            print(f"{step:<12}{seconds:>9.2f}{seconds / floor:>9.2f}{peak:>9.0f}")
        v, o, c = results["validate"][0], results["openpyxl"][0], results["consolidate"][0]
        for label, ok in ((f"validate <= 1.5x floor ({v / floor:.2f}x)", v <= 1.5 * floor),
                          (f"validate >= 5x faster than openpyxl ({o / v:.1f}x)", o >= 5 * v),
                          (f"consolidate <= 3x floor ({c / floor:.2f}x)", c <= 3 * floor),
                          (f"validate peak < 500 MB ({results['validate'][1]:.0f} MB)",
                           results["validate"][1] < 500)):
            print(f"{'PASS' if ok else 'FAIL'}  {label}")


if __name__ == "__main__":
    main()
