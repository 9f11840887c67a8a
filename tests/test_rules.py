"""rules.py on its edges, without LibreOffice (test_formulas_libreoffice.py shows the workbook's
formulas give the same answers)."""

from __future__ import annotations

import datetime as dt

import pytest

from workbook_tools.returns import rules

H, L = rules.HIGHER_IS_BETTER, rules.LOWER_IS_BETTER


@pytest.mark.parametrize(
    ("actual", "target", "polarity", "tolerance", "rag"),
    [
        (80, 80, H, 5, "Green"),
        (76, 80, H, 5, "Amber"),  # exactly on the boundary
        (75.99, 80, H, 5, "Red"),
        (150, 150, L, 10, "Green"),
        (165, 150, L, 10, "Amber"),
        (165.01, 150, L, 10, "Red"),
        (11.7, 13, H, 10, "Amber"),  # 13 x 0.9 is 11.700000000000001 in binary
        (14.4, 12, L, 20, "Amber"),  # 12 x 1.2 is 14.399999999999999
        (rules.percent_points(0.29), 29, H, 5, "Green"),  # 28.999999999999996
        (rules.percent_points(0.07), 7, L, 5, "Green"),  # 7.000000000000001
        (999.99, 1000, H, 0, "Red"),
        (None, 10, H, 5, None),
        (10, None, H, 5, None),
    ],
)
def test_measure_rag(actual: float | None, target: float | None, polarity: str,
                     tolerance: float, rag: str | None) -> None:
    assert rules.measure_rag(actual, target, polarity, tolerance) == rag


def test_percentages_are_points() -> None:
    assert rules.percent_points(0.12) == pytest.approx(12)
    assert rules.percent_points(12) == 12
    assert rules.percent_points(1) == 1  # 1 means 1%, not 100%
    assert rules.percent_points(0) == 0


def test_direction_of_travel() -> None:
    assert rules.direction_of_travel(80, 78, H) == "Improved"
    assert rules.direction_of_travel(80, 78, L) == "Declined"
    assert rules.direction_of_travel(rules.percent_points(0.29), 29, H) == "No change"
    assert rules.direction_of_travel(5, None, H) == "New"
    assert rules.direction_of_travel(None, 5, H) is None


@pytest.mark.parametrize(
    ("forecast", "target", "rag"),
    [(100_000, 100_000, "Green"), (95_000, 100_000, "Amber"), (94_999, 100_000, "Red"),
     (57, 60, "Amber"), (None, 100, None)],
)
def test_saving_rag(forecast: float | None, target: float, rag: str | None) -> None:
    assert rules.saving_rag(forecast, target, 5) == rag


@pytest.mark.parametrize(
    ("likelihood", "impact", "rag"),
    [(2, 3, "Green"), (2, 4, "Amber"), (3, 4, "Amber"), (3, 5, "Red"), (5, 5, "Red"),
     (1, 1, "Green"), (None, 3, None)],
)
def test_risk_score_and_rag(likelihood: int | None, impact: int | None, rag: str | None) -> None:
    assert rules.risk_rag(rules.risk_score(likelihood, impact)) == rag


def test_risk_direction_is_lower_is_better() -> None:
    assert rules.risk_direction(8, 12) == "Improved"
    assert rules.risk_direction(15, 12) == "Declined"
    assert rules.risk_direction(12, 12) == "No change"


def test_action_rag() -> None:
    end = dt.date(2025, 6, 30)
    past, later = dt.date(2025, 5, 31), dt.date(2025, 9, 30)
    assert rules.action_rag("Not started", past, None, end) == "Red"
    assert rules.action_rag("Not started", end, None, end) is None  # due on the last day
    assert rules.action_rag("Not started", past, later, end) is None  # revised
    assert rules.action_rag("Not started", later, past, end) == "Red"  # revised earlier
    assert [rules.action_rag(s, later, None, end) for s in rules.ACTION_STATUSES] == [
        None, "Green", "Amber", "Red", "Green", None]
