"""What the simulated officers write and who they are (returns/simulate.py): commentary for
each outcome, names for the sign-off, and how often a figure is Provisional or Not available."""

from __future__ import annotations

OFFICERS = (
    "Sam Patel",
    "Alex Morgan",
    "Jo Whitfield",
    "Priya Shah",
    "Chris Bennett",
    "Hannah Lee",
    "Tom Ashworth",
    "Fiona Grant",
    "Dev Mistry",
    "Rachel Owen",
)
APPROVERS = ("Helen Ward", "Mark Dawson", "Claire Hughes", "Simon Barker", "Louise Kerr")

WHY_MISSED = (
    "Demand rose sharply this quarter, above the level the target assumed.",
    "Staff vacancies in the team slowed work through the quarter.",
    "A backlog from the previous quarter is still being cleared.",
    "Performance dipped while the new system bedded in.",
    "Seasonal pressure was higher than in previous years.",
    "Data from a partner arrived late, so the figure is provisional.",
)
REMEDY = (
    "Recovery plan agreed with the service manager; weekly monitoring until back on target.",
    "Two posts filled from next month and overtime approved to clear the backlog.",
    "Process reviewed with partners; revised workflow goes live next quarter.",
    "Extra capacity commissioned for the next two quarters.",
)
ON_TARGET = (
    "On target; performance is steady.",
    "Better than target this quarter, reflecting the changes made last year.",
    "Performance remains on track against the annual plan.",
    "",
    "",
)
ACTION_NOTES = {
    "Not started": "Due to start later in the year as planned.",
    "On track": "Work is progressing to plan; milestones for the quarter were met.",
    "At risk": "Progress is slower than planned because of a supplier delay; mitigation agreed.",
    "Off track": "The project has slipped after the procurement was re-run; a revised plan goes "
    "to the programme board next month.",
    "Complete": "Completed and signed off by the programme board.",
    "Cancelled": "Cancelled: superseded by the wider service review.",
}
SAVING_NOTES = (
    "Forecast below target because implementation started later than planned; the gap is "
    "being mitigated through vacancy control.",
    "Demand pressures mean part of the saving will not be achieved this year; alternative "
    "proposals are going to the budget board.",
    "Consultation delayed the start; the full-year effect will be delivered next year.",
)
#: Of the figures given, about this share are marked Provisional or Not available, and about
#: NOT_AVAILABLE_SHARE Not available (blank, with a commentary saying why and when).
PROVISIONAL_SHARE = 0.08
NOT_AVAILABLE_SHARE = 0.02
PROVISIONAL_NOTES = (
    "Provisional: the partner's final figures arrive next month and may revise this slightly.",
    "Provisional figure from the live system; the validated figure follows in the next return.",
)
NOT_AVAILABLE_NOTES = (
    "Not available: the national data for the quarter is published next month; it will be in "
    "next quarter's return.",
    "Not available: the system migration delayed this quarter's extract; it will be reported "
    "next quarter.",
)
MITIGATION = (
    "Controls reviewed at the quarterly risk meeting; actions on track.",
    "Additional monitoring in place and escalation route agreed with partners.",
    "Business continuity plan tested this quarter; no new concerns.",
    "Mitigation plan refreshed and reported to the directorate leadership team.",
)
