"""papi-engine scoring core: design-based estimation, PAPI index construction with
confidence intervals, sensitivity and uncertainty analysis. DataFrames and survey models
in, frozen result records out; no I/O, no database, no HTTP."""

from scoring.design import (
    ReplicateDesign,
    ReplicateEstimate,
    SurveyDesign,
    replicate_variance,
)
from scoring.index import IndexComparison, IndexScores, compare, score, score_published

__all__: list[str] = [
    "IndexComparison",
    "IndexScores",
    "ReplicateDesign",
    "ReplicateEstimate",
    "SurveyDesign",
    "compare",
    "replicate_variance",
    "score",
    "score_published",
]
