"""The Cabinet pack's charts: Vega-Altair specifications rendered to SVG by vl-convert (no
browser, no network), then made one accessible image each: the SVG's own ARIA roles are
removed and the root named by the figure's caption and text summary. Each chart comes with
the figures it draws as a table, and a sentence saying what it shows.

Altair + vl-convert were chosen over matplotlib and hand-written SVG: a declarative chart in
a few lines, vector output with real text, wheels for Linux, macOS and Windows, and nothing
to fetch at run time."""

from __future__ import annotations

import base64
import itertools
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

import altair as alt
import pandas as pd
import vl_convert as vlc

from workbook_tools.returns.rules import (
    AMBER,
    DECLINED,
    GREEN,
    IMPROVED,
    NEW,
    NO_CHANGE,
    NOT_COMPARABLE,
    RED,
)
from workbook_tools.summary import tables as t
from workbook_tools.summary.pack.table import Table, from_frame, shown

#: RAG colours with at least 3:1 contrast on white (WCAG 1.4.11), in the RAG order.
RAG_FILLS = {GREEN: "#00703C", AMBER: "#B35900", RED: "#C0152F"}
DIRECTION_FILLS = {IMPROVED: "#00703C", NO_CHANGE: "#505A5F", DECLINED: "#C0152F",
                   NEW: "#1D70B8", NOT_COMPARABLE: "#4C2C92"}
MONEY_FILLS = ["#1D3F6E", "#1D70B8", "#00703C", "#6F2C91"]
WIDTH = 440
MILLIONS = "format(datum.value / 1e6, ',.1f')"
FONT = "Arial, Helvetica, sans-serif"
_ids = itertools.count(1)
_ARIA = re.compile(r'\s(?:role|aria-[a-z]+)="[^"]*"')
#: A title's first word when it is an ordinary capitalised word ("Measures", "The"), not an
#: acronym ("RAG") or a quarter ("Q1").
_ORDINARY_START = re.compile(r"^[A-Z](?=[a-z']*\b)")


@dataclass
class Chart:
    """A chart as inline SVG, with its accessible name, text summary and figures."""

    title: str
    summary: str
    svg: str
    table: Table
    id: str = field(default_factory=lambda: f"c{next(_ids)}")
    kind: ClassVar[str] = "chart"

    @property
    def inline(self) -> str:
        """The SVG for the page, one image named by the figure's caption and summary."""
        return self.svg.replace("<svg ", f'<svg role="img" focusable="false" '
                                f'aria-labelledby="{self.id}-t {self.id}-s" ', 1)

    @property
    def data_uri(self) -> str:
        """The SVG as a data: URI, for the PDF (where an <img> carries the alternative text)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def figures_caption(title: str) -> str:
    """The caption of a chart's table of figures: 'Figures: measures by RAG, by theme (2026-27
    Q1)', the title's own capital kept on everything but an ordinary first word."""
    return "Figures: " + _ORDINARY_START.sub(lambda m: m.group().lower(), title, count=1)


def render(chart: alt.TopLevelMixin) -> str:
    """SVG text from an Altair chart, its own ARIA attributes removed."""
    spec = chart.configure(font=FONT, background="white").configure_axis(
        labelFontSize=13, titleFontSize=13, labelColor="#0B0C0C", titleColor="#0B0C0C",
        labelLimit=180).configure_legend(labelFontSize=13, titleFontSize=13, orient="bottom",
                                         labelColor="#0B0C0C", titleColor="#0B0C0C",
                                         columns=4).configure_view(stroke=None).to_dict(
        validate=False)
    svg = vlc.vegalite_to_svg(spec)
    return _ARIA.sub("", svg)


def _plain_names(series: list[str]) -> dict[str, str]:
    return {s: s.replace(" (£)", "") for s in series}


def _counts_text(rows: pd.DataFrame, names: list[str]) -> str:
    parts = []
    for label, row in rows.iterrows():
        parts.append(f"{label}: " + ", ".join(f"{int(row[n])} {n}" for n in names))
    return "; ".join(parts) + "." if parts else "Nothing to show."


def stacked_counts(table: pd.DataFrame, group: str, names: list[str], title: str,
                   fills: dict[str, str], rows: int | None = None) -> Chart:
    """Horizontal stacked bars: counts of `names` (columns, or (group, name) column pairs in a
    grouped table) for each row of `table`, labelled with the count."""
    picked = pd.DataFrame({n: table[(group, n)] if (group, n) in table.columns else table[n]
                           for n in names}, index=table.index).iloc[:rows]
    picked.index = [str(i) for i in picked.index]
    long = picked.reset_index(names="Row").melt("Row", var_name="Kind", value_name="Count")
    long["Order"] = long["Kind"].map(names.index)
    colour = alt.Color("Kind:N", title=None, sort=names,
                       scale=alt.Scale(domain=names, range=[fills[n] for n in names]))
    y = alt.Y("Row:N", sort=list(picked.index), title=None)
    x = alt.X("sum(Count):Q", title=f"Number of {group.lower()}" if group else "Number",
              axis=alt.Axis(tickMinStep=1, format="d"))
    base = alt.Chart(long).encode(y=y, x=x, order=alt.Order("Order:Q"))
    bars = base.mark_bar(stroke="white", strokeWidth=1).encode(color=colour)
    # the label sits at the end of each segment
    labels = alt.Chart(long[long["Count"] > 0].assign(
        End=lambda f: f.groupby("Row")["Count"].cumsum())).mark_text(
        align="right", dx=-4, color="white", fontSize=12, fontWeight="bold").encode(
        y=y, x="End:Q", text="Count:Q")
    svg = render(alt.layer(bars, labels).properties(
        width=WIDTH - 160, height=alt.Step(30)))
    figures = picked.copy()
    figures["Total"] = figures.sum(axis=1)
    figures.index.name = table.index.name or "Row"
    return Chart(title, _counts_text(picked, names), svg,
                 from_frame(figures, figures_caption(title), index=True))


def money_by_quarter(table: pd.DataFrame, series: list[str], title: str,
                     target: float | None) -> Chart:
    """Lines of each money series over the quarters, with the programme target as a rule."""
    long = table[["Quarter", *series]].rename(columns=_plain_names(series)).melt(
        "Quarter", var_name="Figure", value_name="£").dropna(subset=["£"])
    names = list(_plain_names(series).values())
    colour = alt.Color("Figure:N", title=None, sort=names,
                       scale=alt.Scale(domain=names, range=MONEY_FILLS[:len(series)]),
                       legend=alt.Legend(columns=2))
    x = alt.X("Quarter:N", sort=list(table["Quarter"]), title=None, axis=alt.Axis(labelAngle=0))
    y = alt.Y("£:Q", title="£ million", axis=alt.Axis(labelExpr=MILLIONS))
    lines = alt.Chart(long).mark_line(point=alt.OverlayMarkDef(size=70, filled=True),
                                      strokeWidth=3).encode(
        x=x, y=y, color=colour, strokeDash=alt.StrokeDash("Figure:N", sort=names, legend=None))
    layers: list[Any] = [lines]
    if target is not None:
        rule = alt.Chart(pd.DataFrame({"£": [target], "Label": ["Programme target"]}))
        layers.append(rule.mark_rule(color="#0B0C0C", strokeDash=[6, 4], strokeWidth=2)
                      .encode(y="£:Q"))
        layers.append(rule.mark_text(align="left", dy=-8, x=4, fontSize=12, color="#0B0C0C")
                      .encode(y="£:Q", text="Label:N"))
    svg = render(alt.layer(*layers).properties(width=WIDTH - 80, height=220))
    parts = []
    for row in table.to_dict("records"):
        bits = [f"{s.replace(' (£)', '').lower()} {shown(row[s], 'money')}" for s in series
                if pd.notna(row[s])]
        parts.append(f"{row['Quarter']}: " + (", ".join(bits) or "no figures"))
    summary = "; ".join(parts) + "."
    if target is not None:
        summary += f" The programme target is {shown(target, 'money')}."
    return Chart(title, summary, svg,
                 from_frame(table, figures_caption(title), kinds={"Quarter": "text"}))


def money_by_group(table: pd.DataFrame, group: str, series: list[str], title: str) -> Chart:
    """Grouped horizontal bars: each money series for each row (a directorate)."""
    long = table[[group, *series]].rename(columns=_plain_names(series)).melt(
        group, var_name="Figure", value_name="£").fillna(0)
    names = list(_plain_names(series).values())
    colour = alt.Color("Figure:N", title=None, sort=names, legend=alt.Legend(columns=2),
                       scale=alt.Scale(domain=names, range=MONEY_FILLS[:len(series)]))
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y(f"{group}:N", sort=list(table[group]), title=None,
                axis=alt.Axis(labelLimit=200)),
        yOffset=alt.YOffset("Figure:N", sort=names),
        x=alt.X("£:Q", title="£ million",
                axis=alt.Axis(labelExpr=MILLIONS)),
        color=colour).properties(width=WIDTH - 220, height=alt.Step(11))
    parts = []
    for row in table.to_dict("records"):
        bits = [f"{s.replace(' (£)', '').lower()} {shown(row[s], 'money')}" for s in series]
        parts.append(f"{row[group]}: " + ", ".join(bits))
    return Chart(title, "; ".join(parts) + ".", render(chart),
                 from_frame(table[[group, *series]], figures_caption(title)))


def rag_by_theme(table: pd.DataFrame, sheet: str, title: str) -> Chart:
    """Measures (or actions) by RAG, by theme, from a by-theme table."""
    return stacked_counts(table, sheet, list(t.RAGS), title, RAG_FILLS,
                          t.themes_to_chart(table))
