"""A directorate's answers, sheet by sheet, as simulate types them (returns/simulate.py):
actuals near target with a realistic share of misses, commentary that explains every Red and
Amber, statuses and % complete that agree, forecasts, risk scores and a sign-off; with an error
rate, the mistakes people make. Nothing goes backwards from the quarter before (`LastQuarter`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from workbook_tools.files.cells import to_date, to_number
from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout, rules
from workbook_tools.returns.answer_texts import (
    ACTION_NOTES,
    APPROVERS,
    MITIGATION,
    NOT_AVAILABLE_NOTES,
    NOT_AVAILABLE_SHARE,
    OFFICERS,
    ON_TARGET,
    PROVISIONAL_NOTES,
    PROVISIONAL_SHARE,
    REMEDY,
    SAVING_NOTES,
    WHY_MISSED,
)
from workbook_tools.returns.last_quarter import LastQuarter
from workbook_tools.returns.layout import Sheet, SheetLayout


class Filler:
    """Answers one directorate's return row by row, from its own random streams: `rng` for the
    answers, `status_rng` for data statuses (so every other answer is as it was without them);
    `last` is the quarter before, which nothing goes back from."""

    def __init__(self, rng: random.Random, status_rng: random.Random, quarter: Quarter,
                 error_rate: float, last: LastQuarter) -> None:
        self.rng = rng
        self.status_rng = status_rng
        self.quarter = quarter
        self.error_rate = error_rate
        self.last = last

    def mistake(self) -> bool:
        return self.error_rate > 0 and self.rng.random() < self.error_rate

    def fill(self, name: str, spec: SheetLayout, sheet: Any, row: int) -> None:
        def get(key: str) -> Any:
            return sheet.cell(row=row, column=spec.index(key) + 1).value

        def put(key: str, value: Any) -> None:
            sheet.cell(row=row, column=spec.index(key) + 1).value = value

        fillers: dict[str, Callable[[Callable[[str], Any], Callable[[str, Any], None]], None]] = {
            Sheet.MEASURES: self.measure,
            Sheet.ACTIONS: self.action,
            Sheet.SAVINGS: self.saving,
            Sheet.RISKS: self.risk,
        }
        fillers[name](get, put)

    # --- Measures -------------------------------------------------------------------------
    def measure(self, get: Callable[[str], Any], put: Callable[[str, Any], None]) -> None:
        if get("actual") == layout.NOT_DUE:
            return
        if self.fill_measure(get, put):
            self.data_status(get, put)

    def data_status(self, get: Callable[[str], Any], put: Callable[[str, Any], None]) -> None:
        """A few figures marked Provisional, fewer Not available, each with a commentary that
        says so (a figure already wrong is left as it is)."""
        draw = self.status_rng.random()
        if draw >= PROVISIONAL_SHARE or get("actual") is None or isinstance(get("actual"), str):
            return
        if draw < NOT_AVAILABLE_SHARE:
            put("actual", None)
            put("status", rules.NOT_AVAILABLE)
            put("commentary", self.status_rng.choice(NOT_AVAILABLE_NOTES))
            put("remedial", None)
            return
        put("status", rules.PROVISIONAL)
        if not get("commentary"):
            put("commentary", self.status_rng.choice(PROVISIONAL_NOTES))

    def fill_measure(self, get: Callable[[str], Any], put: Callable[[str, Any], None]) -> bool:
        """Fill the actual and commentary; False when a mistake was put in."""
        target = to_number(get("target"))
        unit, polarity = str(get("unit")), str(get("polarity"))
        tolerance = to_number(get("tolerance")) or 5.0
        if target is None:
            self._context_figure(get, put, unit)
            return True
        draw = self.rng.random()
        band = rules.GREEN if draw < 0.68 else (rules.AMBER if draw < 0.86 else rules.RED)
        was = self.last.cumulative.get(str(get("id")))
        actual = self._actual_for(band, target, unit, polarity, tolerance, was)
        rag = rules.measure_rag(actual, target, polarity, tolerance)
        put("actual", actual)
        if rag in (rules.RED, rules.AMBER):
            put("commentary", self.rng.choice(WHY_MISSED))
            put("remedial", self.rng.choice(REMEDY))
        else:
            note = self.rng.choice(ON_TARGET)
            put("commentary", note or None)
        if not self.mistake():
            return True
        # only units with a range can be out of it: a count or a rate may be negative
        ranged = ("range",) if unit in ("%", "£", "days") else ()
        kind = self.rng.choice(("missing", "text", "no-commentary", *ranged))
        red = self._actual_for(rules.RED, target, unit, polarity, tolerance, was)
        if kind == "no-commentary" and rules.measure_rag(red, target, polarity, tolerance) \
                not in (rules.RED, rules.AMBER):
            kind = "missing"  # a target of 0 cannot be missed by a share of itself
        if kind == "missing":
            put("actual", None)
        elif kind == "text":
            put("actual", self.rng.choice(("tbc", "awaiting data", f"{actual}%")))
        elif kind == "no-commentary":
            put("actual", red)
            put("commentary", None)
        else:
            put("actual", 120 if unit == "%" else -abs(actual or 1))
        return False

    def _context_figure(self, get: Callable[[str], Any], put: Callable[[str, Any], None],
                        unit: str) -> None:
        """A measure with no target (Data only): a figure near last time's, counts whole."""
        previous = to_number(get("previous"))
        base = previous if previous is not None else float(self.rng.randrange(200, 3000))
        value = base * self.rng.uniform(0.9, 1.1)
        put("actual", min(round(value, 1), 100.0) if unit == "%" else float(round(value)))

    def _actual_for(self, band: str, target: float, unit: str, polarity: str, tolerance: float,
                    was: tuple[float, float | None] | None = None) -> float:
        """An actual in the band; a Cumulative one given last quarter's (`was`: its actual and
        target) is last quarter's plus the quarter's share of the target, in the band."""
        if was is None:
            return self._in_band(band, target, unit, polarity, tolerance)
        before, before_target = was
        step = target - (before_target if before_target is not None else before)
        grown = self._in_band(band, step, unit, polarity, tolerance) if step > 0 else 0.0
        value = max(self._rounded(before + grown, unit, target), before)
        return min(value, 100.0) if unit == "%" else value

    def _in_band(self, band: str, target: float, unit: str, polarity: str,
                 tolerance: float) -> float:
        tol = tolerance / 100
        sign = 1 if polarity == rules.HIGHER_IS_BETTER else -1
        if band == rules.GREEN:
            factor = 1 + sign * self.rng.uniform(0, 0.06)
        elif band == rules.AMBER:
            factor = 1 - sign * self.rng.uniform(0.1 * tol, 0.9 * tol)
        else:
            factor = 1 - sign * self.rng.uniform(tol * 1.3, tol + 0.25)
        return self._rounded(target * factor, unit, target)

    @staticmethod
    def _rounded(value: float, unit: str, target: float) -> float:
        if unit == "%":
            value = min(max(round(value, 1), 0.0), 100.0)
        elif abs(target) >= 100 or unit in ("£", "number"):  # a count is a whole number
            value = float(round(value))
        else:
            value = round(value, 2)
        return value

    # --- Actions --------------------------------------------------------------------------
    def action(self, get: Callable[[str], Any], put: Callable[[str, Any], None]) -> None:
        due = to_date(get("due"))
        start, end = self.quarter.start_date, self.quarter.end_date
        draw = self.rng.random()
        if due is not None and due < start:
            status = "Complete" if draw < 0.75 else ("Off track" if draw < 0.9 else "At risk")
        elif due is not None and due <= end:
            status = (
                "Complete"
                if draw < 0.55
                else ("On track" if draw < 0.8 else ("At risk" if draw < 0.93 else "Off track"))
            )
        else:
            status = (
                "On track"
                if draw < 0.62
                else (
                    "Not started"
                    if draw < 0.8
                    else (
                        "At risk" if draw < 0.93 else ("Off track" if draw < 0.98 else "Cancelled")
                    )
                )
            )
        was_status, was_complete = self.last.actions.get(str(get("id")), ("", None))
        status = _forward(status, was_status)
        complete: float | None = {"Complete": 100, "Not started": 0, "Cancelled": None}.get(
            status,
            self.rng.choice(
                (20, 30, 40, 50, 60, 70, 80, 90) if status == "On track" else (10, 20, 30, 40, 50)
            ),
        )
        if was_complete is not None:  # % complete never falls (a cancelled action keeps it)
            complete = max(complete if complete is not None else 0, was_complete)
        put("status", status)
        put("complete", complete)
        note = ACTION_NOTES[status]
        if status in ("At risk", "Off track") and due is not None and self.rng.random() < 0.6:
            revised = _add_months(max(due, end), 3)
            put("revised", revised)
            note += f" Revised completion date {revised:%d/%m/%Y}."
        put("commentary", note)
        if self.mistake():
            kind = self.rng.choice(("missing", "no-commentary", "range"))
            if kind == "missing":
                put("status", None)
            elif kind == "no-commentary":
                put("status", "Off track")
                put("commentary", None)
            else:
                put("complete", 150)

    # --- Savings --------------------------------------------------------------------------
    def saving(self, get: Callable[[str], Any], put: Callable[[str, Any], None]) -> None:
        target = to_number(get("target")) or 0.0
        previous = max(to_number(get("previous")) or 0.0,
                       self.last.delivered.get(str(get("id")), 0.0))
        draw = self.rng.random()
        if draw < 0.66:
            forecast = target
        elif draw < 0.85:
            forecast = target * self.rng.uniform(0.955, 0.995)
        else:
            forecast = target * self.rng.uniform(0.4, 0.85)
        forecast = float(round(forecast, -3)) if target >= 10000 else float(round(forecast))
        forecast = max(forecast, previous)  # what is delivered this year stays delivered
        share = self.quarter.number / 4
        delivered = float(round(forecast * share * self.rng.uniform(0.8, 1.0), -3))
        delivered = min(max(delivered, previous), forecast)
        if forecast >= target:
            status = "Delivered" if delivered >= target else "On track"
        else:
            status = self.rng.choice(("At risk", "At risk", "Mitigated", "Unachievable"))
        put("delivered", delivered)
        put("forecast", forecast)
        put("status", status)
        if forecast < target:
            put("commentary", self.rng.choice(SAVING_NOTES))
        if self.mistake():
            kind = self.rng.choice(("missing", "negative", "no-commentary"))
            if kind == "missing":
                put("forecast", None)
            elif kind == "negative":
                put("delivered", -delivered or -1000.0)
            else:
                put("forecast", float(round(target * 0.5)))
                put("commentary", None)

    # --- Risks ----------------------------------------------------------------------------
    def risk(self, get: Callable[[str], Any], put: Callable[[str, Any], None]) -> None:
        previous = int(to_number(get("previous")) or 9)
        pairs = [(lk, im) for lk in range(1, 6) for im in range(1, 6)]
        drift = self.rng.choice((0, 0, 0, -1, 1, -2, 2, 3))
        best = min(abs(lk * im - (previous + drift)) for lk, im in pairs)
        likelihood, impact = self.rng.choice(
            [p for p in pairs if abs(p[0] * p[1] - (previous + drift)) == best]
        )
        put("likelihood", likelihood)
        put("impact", impact)
        put("mitigation", self.rng.choice(MITIGATION))
        if self.mistake():
            if self.rng.random() < 0.5:
                put("likelihood", 7)
            else:
                put("impact", None)

    # --- Cover ----------------------------------------------------------------------------
    def sign_off(self, cover: Any) -> dt.datetime:
        """Sign the Cover off; returns when the return was sent: the day it was signed."""
        completed = self.rng.choice(OFFICERS)
        approved: str | None = self.rng.choice(APPROVERS)
        signed = self.quarter.end_date + dt.timedelta(days=self.rng.randint(4, 13))
        if self.error_rate > 0 and self.rng.random() < min(1.0, self.error_rate * 4):
            if self.rng.random() < 0.6:
                approved = None
            else:
                approved = completed
        cover.cell(row=layout.COVER.completed_by, column=3).value = completed
        cover.cell(row=layout.COVER.approved_by, column=3).value = approved
        cover.cell(row=layout.COVER.signoff_date, column=3).value = signed
        return dt.datetime.combine(signed, dt.time(self.rng.randint(9, 16),
                                                   self.rng.randint(0, 59)))


#: An action's statuses in the order work moves through them (Cancelled ends it too).
_STARTED = ("On track", "At risk", "Off track")


def _forward(status: str, was: str) -> str:
    """This quarter's status, never behind last quarter's: Complete and Cancelled stay so, and
    an action once started is not Not started again."""
    if was in ("Complete", "Cancelled"):
        return was
    if was in _STARTED and status == "Not started":
        return "On track"
    return status


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    return day
