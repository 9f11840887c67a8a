"""Each measure compared with the same quarter a year before (rules.years_on_years): the
master's `Compared with a year ago` column (master/consolidate.py)."""

from __future__ import annotations

import itertools
from typing import Any

from workbook_tools.errors import UsageError
from workbook_tools.files.rowxml import as_written
from workbook_tools.master import columns as mc
from workbook_tools.master.sheetrow import Copied, Row, column_of
from workbook_tools.quarters import Quarter, parse_quarter
from workbook_tools.returns import rules


def compare_with_a_year_ago(rows: Any, copied_stand: bool = False,
                            earlier: dict[str, dict[str, Any]] | None = None) -> None:
    """Set each measure row's `Compared with a year ago`: its actual against the same measure's
    in the same quarter last year, by polarity (Not comparable when the master has none).
    `rows` are dicts or sheetrow.Rows (in the Measures sheet's header order).

    Each distinct quarter is looked at once, and only the quarters that are a year before
    another are indexed (a new master's one quarter has none).

    `copied_stand`: the copied rows (sheetrow.Copied) are as this code wrote them (the master's
    record says so), so their comparisons stand: each was worked out when they were written,
    against rows that sort before the quarter consolidated, as they do, none of which a
    consolidate changes. Only the other rows are compared (a four-quarter master's 960,000
    copied rows at 240 returns are not looked at again).

    `earlier`: the actuals by measure of a quarter not among `rows` (`year_ago_figures`), for
    rows made a return at a time (master/chunked.py) after the old master's."""
    quarters = column_of(rows, "Quarter")  # (copied rows' from their columns)
    measures = column_of(rows, "Measure ID")
    actuals = column_of(rows, "Actual")
    copied = rows.count if rows.__class__ is Copied else 0
    # each figure as the master writes it (rowxml.as_written), so that a comparison made now is
    # the one made again from the master written (copied rows' were read from it); a return's
    # 1.0000000000000036 is the master's 1.000000000000004
    actuals[copied:] = map(as_written, actuals[copied:])
    first = copied if copied_stand else 0  # the first row compared
    ago_of: dict[Any, str | None] = {}
    for quarter in set(quarters):
        try:
            ago_of[quarter] = str(parse_quarter(str(quarter)).year_ago())
        except UsageError:  # a row whose quarter is not one: nothing to compare with
            ago_of[quarter] = None
    asked = set(quarters[first:]) if first else ago_of
    looked_up = {ago for q in asked if (ago := ago_of[q]) is not None}
    # each indexed quarter's actuals by measure (a measure twice in a quarter: its last row's)
    indexed = {quarter for quarter in ago_of if str(quarter) in looked_up}
    figures: dict[str, dict[str, Any]] = dict(earlier or {})  # (its own not changed: copied
    made: set[str] = set()  # when one of the rows' quarters is among them)
    for quarter, measure, actual in itertools.compress(
            zip(quarters, measures, actuals, strict=True), map(indexed.__contains__, quarters)):
        key = str(quarter)
        if key not in made:
            figures[key] = dict(figures.get(key, {}))
            made.add(key)
        figures[key][str(measure)] = actual
    none: dict[str, Any] = {}
    year_agos = [(figures.get(ago_of[q] or "") or none).get(str(m)) for q, m in zip(
        quarters[first:], measures[first:], strict=True)] \
        if figures else [None] * (len(quarters) - first)
    found = rules.years_on_years(actuals[first:], year_agos, [
        p or rules.HIGHER_IS_BETTER for p in column_of(rows, "Polarity")[first:]])
    year_on_year = mc.MEASURES.index(mc.YEAR_ON_YEAR)
    others = rows.tail if rows.__class__ is Copied else rows
    head = found[:copied - first]  # the copied rows' comparisons, put on them together
    for row, compared in zip(others, found[copied - first:], strict=True):
        if row.__class__ is Row:
            row[year_on_year] = compared
        else:
            row[mc.YEAR_ON_YEAR] = compared
    if head:
        rows.put_column(mc.YEAR_ON_YEAR, head)


def year_ago_figures(rows: Any, quarter: Quarter) -> dict[str, dict[str, Any]]:
    """The actuals by measure that `quarter`'s rows are compared with (`earlier`), from the
    master's Measures `rows` (a measure twice in a quarter: its last row's), figures of rows
    not copied as bytes as the master writes them."""
    ago = str(quarter.year_ago())
    quarters = column_of(rows, "Quarter")
    if ago not in set(map(str, quarters)):
        return {}
    copied = rows.count if rows.__class__ is Copied else 0
    found: dict[str, Any] = {}
    for at, (q, measure, actual) in enumerate(zip(quarters, column_of(rows, "Measure ID"),
                                                  column_of(rows, "Actual"), strict=True)):
        if str(q) == ago:
            found[str(measure)] = actual if at < copied else as_written(actual)
    return {ago: found}
