"""Helpers for the hostile-return tests: a consolidated working folder with finance's entries
typed in, one return made hostile at the XML level, the CLI run on the quarter, and what every
case must show: the file named with a finding, no traceback, the other returns consolidated and
finance's entries intact."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from conftest import Q1
from master_support import Folder, finance_cells, make_folder
from support import built_once

from workbook_tools.cli import cli
from workbook_tools.files.guard import SafeWorkbook
from workbook_tools.master.read import read_master
from workbook_tools.plan.register import load_plan

FINANCE = {"Finance confirmed (£)": 12345.0, "Finance note": "Agreed with the AD"}


def hostile_folder(root: Path) -> Folder:
    """Q1 returns for every directorate, consolidated once, finance's entry on one saving of
    every directorate; the working folder is the current directory's."""
    shutil.copytree(built_once("hostile", _build_hostile).root, root)
    folder = Folder(root, load_plan(root / "templates" / "plan.xlsx"))
    os.chdir(folder.root)
    return folder


def _build_hostile(ws: Path) -> Folder:
    built = make_folder(ws, consolidated=True)
    first: dict[str, Any] = {}
    for saving in built.plan.savings:
        first.setdefault(saving.directorate_code, saving)
    finance_cells(built.master, {(str(Q1), s.id): FINANCE for s in first.values()})
    return built


def cs_return(folder: Folder) -> Path:
    return folder.returns(Q1) / f"CS_{Q1}.xlsx"


def part_of(path: Path, sheet: str) -> str:
    with SafeWorkbook(path) as workbook:
        return workbook._parts[sheet]


def rewrite(path: Path, change: dict[str, Any]) -> Path:
    """Replace parts of the workbook's zip in place: name -> bytes, or a function of the old
    bytes; names not in the zip are added."""
    with zipfile.ZipFile(path) as old:
        parts = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in parts:
            replace = change.get(info.filename)
            new.writestr(info.filename, replace(data) if callable(replace) else replace or data)
        names = {info.filename for info, _ in parts}
        for name, data in change.items():
            if name not in names:
                new.writestr(name, data)
    return path


def set_raw_cell(path: Path, sheet: str, ref: str, inner: bytes, cell_type: str = "") -> Path:
    """Write a cell's XML as a hostile program would: `inner` is what goes inside `<c>`
    (`<v>NaN</v>`, `<is><t>...</t></is>`), `cell_type` its t attribute."""
    part = part_of(path, sheet)
    typed = f' t="{cell_type}"'.encode() if cell_type else b""

    def change(data: bytes) -> bytes:
        pattern = rb'<c r="' + ref.encode() + rb'"([^>]*?)(?:/>|>.*?</c>)'
        new, count = re.subn(pattern, lambda m: b'<c r="' + ref.encode() + b'"' + re.sub(
            rb'\st="\w+"', b"", m.group(1)) + typed + b">" + inner + b"</c>", data, count=1)
        assert count == 1, f"no cell {ref} in {part}"
        return new

    return rewrite(path, {part: change})


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_quarter_goes_on(folder: Folder, result: Result, bad: Path, code: str,
                           exit_code: int = 1) -> str:
    """The hostile file is named with a finding of `code`; no traceback; every other
    directorate's return is accepted and in the master; finance's entries are intact. The
    lines about the hostile file are returned."""
    output = result.output
    assert result.exit_code == exit_code, output
    assert "Traceback" not in output and "unexpected problem" not in output, output
    lines = [line for line in output.splitlines() if bad.name in line]
    assert lines, output
    master = read_master(folder.master)
    directorates = {r["Directorate"] for r in master.rows("Measures") if r["Quarter"] == str(Q1)}
    others = {d.code for d in folder.plan.directorates} - {"CS"}
    assert others <= directorates, output
    savings = {r["Saving ID"]: r for r in master.rows("Savings") if r["Quarter"] == str(Q1)}
    kept = [r for r in savings.values() if r.get("Finance note") == FINANCE["Finance note"]]
    assert len(kept) == len(folder.plan.directorates), "finance's entries were lost"
    assert all(r["Finance confirmed (£)"] == FINANCE["Finance confirmed (£)"] for r in kept)
    return "\n".join(lines)


def findings_of(path: Path, **kwargs: Any) -> list[tuple[str, str, str, str]]:
    """(severity, where, code, message) of each finding on one file."""
    from workbook_tools.returns.validate import validate_file

    kwargs.setdefault("plan", load_plan(Path("templates/plan.xlsx")))
    result = validate_file(path, kwargs.pop("quarter", Q1), **kwargs)
    return [(f.severity.value, f.where, f.code, f.message) for f in result.findings]


def errors(path: Path) -> list[tuple[str, str, str]]:
    """(where, code, message) of each error on one file."""
    return [(where, code, message) for severity, where, code, message in findings_of(path)
            if severity == "Error"]


def run_capped(args: list[str], cwd: Path, cap_mb: int, timeout: int = 240
               ) -> tuple[int, str, int]:
    """The CLI in a fresh process whose address space is capped at `cap_mb` (so a regression
    cannot take the machine down): (exit code, output, peak memory in MB of its largest
    process, pool workers included)."""
    script = textwrap.dedent(f"""
        import resource, subprocess, sys
        cap = {cap_mb} * 1024 * 1024
        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        done = subprocess.run([sys.executable, "-m", "workbook_tools", *sys.argv[1:]],
                              preexec_fn=limit, capture_output=True, text=True)
        sys.stdout.write(done.stdout + done.stderr)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        sys.stdout.write(f"\\nPEAK {{peak}} EXIT {{done.returncode}}\\n")
    """)
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)
    found = re.search(r"PEAK (\d+) EXIT (-?\d+)\s*$", done.stdout)
    assert found, done.stdout[-2000:] + done.stderr[-2000:]
    return int(found.group(2)), done.stdout[:found.start()], int(found.group(1))


def add_shared_strings(path: Path, strings: list[bytes]) -> Path:
    """Give the workbook a shared-strings part holding `strings` (each an `<si>`'s text),
    declared honestly in its content types and relationships."""
    items = b"".join(b"<si><t>" + text + b"</t></si>" for text in strings)
    sst = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org'
           b'/spreadsheetml/2006/main" uniqueCount="%d">' % len(strings)) + items + b"</sst>"
    content_type = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                    b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    relationship = (b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/>')
    return rewrite(path, {
        "xl/sharedStrings.xml": sst,
        "[Content_Types].xml": lambda d: d.replace(b"</Types>", content_type + b"</Types>"),
        "xl/_rels/workbook.xml.rels": lambda d: d.replace(b"</Relationships>",
                                                          relationship + b"</Relationships>"),
    })


def add_rows(path: Path, sheet: str, rows: bytes) -> Path:
    """Append rows' XML at the end of a sheet's data."""
    return rewrite(path, {part_of(path, sheet): lambda d: d.replace(b"</sheetData>",
                                                                    rows + b"</sheetData>")})


def forge(path: Path, sheet: str, row1: int, values: dict[str, Any],
          hashes_made: Callable[[str], str] = lambda hashes: hashes) -> Path:
    """Change pre-filled cells of one item row as a forger would: the cells, then the row's
    hashes in `_meta` and the fingerprint, computed again so `_meta` matches (the fingerprint is
    not a secret). `values` maps layout keys ('id', 'target', ...) to new values;
    `hashes_made` makes the row's hashes as `_meta` is to hold them from those computed."""
    import openpyxl

    from workbook_tools.returns import layout
    from workbook_tools.returns.fingerprint import fingerprint, row_hashes

    spec = layout.SHEETS[sheet]
    workbook = openpyxl.load_workbook(path)
    cells, meta = workbook[sheet], workbook[layout.META_SHEET]
    for key, value in values.items():
        cells.cell(row1, spec.index(key) + 1).value = value
    keys = [c.key for c in spec.prefilled]
    hashes = hashes_made(row_hashes(keys, [cells.cell(row1, spec.index(k) + 1).value
                                           for k in keys]))
    rows = []
    for r in range(layout.META_TABLE_ROW + 1, meta.max_row + 1):
        name, row, item_id, row_hash = (meta.cell(r, c).value for c in range(1, 5))
        if not name:
            break
        if name == sheet and int(row) == row1:
            item_id = meta.cell(r, 3).value = values.get("id", item_id)
            row_hash = meta.cell(r, 4).value = hashes
        rows.append((name, item_id, row_hash))
    for r in range(1, layout.META_TABLE_ROW):
        if meta.cell(r, 1).value == "Fingerprint":
            meta.cell(r, 2).value = fingerprint(rows)
    workbook.save(path)
    return path
