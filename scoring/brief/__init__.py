"""A province's brief: where it stands, where it loses points against a reference, the
smallest improvement that moves it up, and what changed since the previous year
(docs/brief.md). Pure functions on ``IndexScores``; the HTML and JSON live in
``api.reporting.brief``."""

from scoring.brief.build import Brief, DimensionStanding, Standing, build_brief
from scoring.brief.changes import Changes, province_changes
from scoring.brief.field import Field
from scoring.brief.gaps import REFERENCES, Gap, decompose, reference
from scoring.brief.targets import TARGETS, Plan, Threshold, plan, threshold

__all__ = [
    "REFERENCES",
    "TARGETS",
    "Brief",
    "Changes",
    "DimensionStanding",
    "Field",
    "Gap",
    "Plan",
    "Standing",
    "Threshold",
    "build_brief",
    "decompose",
    "plan",
    "province_changes",
    "reference",
    "threshold",
]
