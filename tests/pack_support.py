"""Reading a Cabinet pack back as a person's browser would see it, independently of the tool:
lxml over the HTML file, tables keyed by their caption, headers as shown, cells as text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import lxml.html

MONEY = re.compile(r"^-?£[\d,]+$")


def page(path: Path) -> Any:
    return lxml.html.fromstring(Path(path).read_bytes())


def text(element: Any) -> str:
    return " ".join(element.text_content().split())


def tables(doc: Any) -> dict[str, list[dict[str, str]]]:
    """Caption -> rows (header -> cell text); a column under a group heading is keyed
    'Group Header'. Body rows only (the total is under the key '__total__' when there is one)."""
    found: dict[str, list[dict[str, str]]] = {}
    for table in doc.iter("table"):
        caption = text(table.find("caption"))
        head = table.find("thead").findall("tr")
        headers = [text(th) for th in head[-1]]
        if len(head) > 1:
            groups: list[str] = []
            for cell in head[0]:
                groups += [text(cell)] * int(cell.get("colspan", "1"))
            headers = [f"{g} {h}".strip() for g, h in zip(groups, headers, strict=True)]
        rows = [dict(zip(headers, [text(c) for c in tr], strict=True))
                for tr in table.find("tbody").findall("tr")]
        foot = table.find("tfoot")
        if foot is not None:
            rows.append({"__total__": "yes", **dict(zip(
                headers, [text(c) for c in foot.find("tr")], strict=True))})
        assert caption not in found, f"two tables captioned {caption!r}"
        found[caption] = rows
    return found


def table(doc: Any, caption: str) -> list[dict[str, str]]:
    """The body rows of the table whose caption starts with `caption` (the total left out)."""
    matches = [rows for name, rows in tables(doc).items() if name.startswith(caption)]
    assert len(matches) == 1, f"{len(matches)} tables captioned {caption!r}"
    return [r for r in matches[0] if "__total__" not in r]


def total(doc: Any, caption: str) -> dict[str, str]:
    matches = [rows for name, rows in tables(doc).items() if name.startswith(caption)]
    assert len(matches) == 1
    return next(r for r in matches[0] if "__total__" in r)


def money(value: Any) -> str:
    """How the page shows a sum of money: £1,234 (nothing for a blank)."""
    if value is None or value != value:
        return ""
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


def section(doc: Any, section_id: str) -> Any:
    found = doc.get_element_by_id(section_id)
    assert found is not None
    return found


def headings_in_order(doc: Any) -> list[int]:
    """The page's heading levels, asserting one h1 first and no level skipped going down."""
    levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    return levels
