"""The Cabinet pack in a real browser: Chromium (Debian's, driven by Playwright for Python) opens
the page from disk, axe-core (shipped inside the axe-playwright-python package) finds no WCAG
2.0/2.1/2.2 A or AA violation, nothing is requested from the network, and at 320 px wide the
page reflows without horizontal scrolling. A screenshot of each width goes into the test's
temp folder."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from summary_support import Q2, small_plan, two_quarters, write_master

from workbook_tools.quarters import parse_quarter
from workbook_tools.summary.pack.write import write_annual_pack, write_quarter_pack

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed (pip install -e "
    "'.[dev]')")
axe_module = pytest.importorskip(
    "axe_playwright_python", reason="axe-playwright-python (which ships axe-core) is not "
    "installed (pip install -e '.[dev]')")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium; "
    ".ci/run installs it)")]

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def axe_script() -> str:
    from axe_playwright_python.base import AXE_FILE_PATH

    return Path(AXE_FILE_PATH).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    master = write_master(folder / "master.xlsx", two_quarters())
    return write_quarter_pack(master, parse_quarter(Q2), folder / f"summary-{Q2}.xlsx",
                              small_plan(target=37_500_000), produced=dt.date(2025, 10, 20))[0]


@pytest.fixture(scope="module")
def annual(pack: Path) -> Path:
    return write_annual_pack(pack.with_name("master.xlsx"), 2025,
                             pack.with_name("annual-2025-26.xlsx"), small_plan(),
                             produced=dt.date(2026, 4, 20))[0]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def open_page(browser: Any, path: Path, width: int) -> tuple[Any, list[str]]:
    """The page at `width` CSS pixels, and every request it made other than for itself."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, [url for url in requests if url != path.as_uri()]


def spilled_cards(page: Any) -> list[str]:
    """Headline cards whose figure (£ millions) does not fit inside the card."""
    spilled: list[str] = page.evaluate("""Array.from(document.querySelectorAll('.card'))
        .filter(c => c.scrollWidth > c.clientWidth).map(c => c.textContent.trim())""")
    return spilled


@pytest.mark.parametrize("which", ["pack", "annual"])
def test_no_axe_violations_and_no_requests(browser: Any, which: str,
                                           request: pytest.FixtureRequest) -> None:
    pack: Path = request.getfixturevalue(which)
    page, requests = open_page(browser, pack, 1280)
    assert requests == []
    page.evaluate(axe_script())
    results = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]})
    violations = [{"id": v["id"], "help": v["help"],
                   "nodes": [n["target"] for n in v["nodes"][:3]]}
                  for v in results["violations"]]
    assert violations == [], json.dumps(violations, indent=1)
    assert len(results["passes"]) > 20  # axe really ran its rules over the page
    assert spilled_cards(page) == []
    page.screenshot(path=str(pack.with_name(f"{which}-1280.png")), full_page=False)
    page.context.close()


def test_reflows_at_320_pixels(browser: Any, pack: Path) -> None:
    page, requests = open_page(browser, pack, 320)
    assert requests == []
    widths = page.evaluate("[document.documentElement.scrollWidth, "
                           "document.documentElement.clientWidth]")
    assert widths[0] <= widths[1] == 320, widths
    # wide tables scroll inside their own keyboard-reachable region, not the page
    regions = page.evaluate("""Array.from(document.querySelectorAll('.table-wrap'))
        .filter(r => r.scrollWidth > r.clientWidth)
        .map(r => [r.getAttribute('tabindex'), r.getAttribute('role')])""")
    assert regions and all(r == ["0", "region"] for r in regions)
    assert spilled_cards(page) == []
    shot = pack.with_name("phone-320.png")
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 5_000
    page.context.close()


def test_prints_to_a4_with_repeating_table_headings(browser: Any, pack: Path) -> None:
    page, _ = open_page(browser, pack, 1280)
    page.emulate_media(media="print")
    styles = page.evaluate("""[getComputedStyle(document.querySelector('thead')).display,
        getComputedStyle(document.querySelector('tbody tr')).breakInside,
        getComputedStyle(document.querySelector('#exceptions')).breakBefore]""")
    assert styles == ["table-header-group", "avoid", "page"]
    page.context.close()
