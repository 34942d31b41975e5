"""Reads for HR's dashboards (issue 9, "make time visible"): one action's funnel, days per phase and late
work, and time to hire across the actions an HR specialist runs.

Selectors only: nothing here writes. Every count is done by the database or over a bounded set of rows,
so the number of queries is the same at 10 applicants and at 50,000 (tests/hiring/test_dashboards.py);
late lists show the first LATE_LIMIT with the total. Each table is a `Table` the page draws and the CSV
download writes, so the page and the file always hold the same numbers.
"""

from .action import FUNNEL, action_dashboard, funnel, late_work, phase_times
from .common import (
    HOURS_PER_INTERVIEW,
    HOURS_PER_SME,
    LATE_LIMIT,
    MINUTES_PER_REVIEW,
    PHASE_TARGETS,
    Bar,
    Chart,
    Table,
    Target,
    business_days_between,
    late_if_started_before,
)
from .overview import hr_overview

__all__ = [
    "FUNNEL",
    "HOURS_PER_INTERVIEW",
    "HOURS_PER_SME",
    "LATE_LIMIT",
    "MINUTES_PER_REVIEW",
    "PHASE_TARGETS",
    "Bar",
    "Chart",
    "Table",
    "Target",
    "action_dashboard",
    "business_days_between",
    "funnel",
    "hr_overview",
    "late_if_started_before",
    "late_work",
    "phase_times",
]
