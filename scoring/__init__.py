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
from scoring.index.derived import derived_published
from scoring.sensitivity import SensitivityResult, run_sensitivity
from scoring.sensitivity import Spec as SensitivitySpec

__all__: list[str] = [
    "IndexComparison",
    "IndexScores",
    "ReplicateDesign",
    "ReplicateEstimate",
    "SensitivityResult",
    "SensitivitySpec",
    "SurveyDesign",
    "compare",
    "derived_published",
    "replicate_variance",
    "run_sensitivity",
    "score",
    "score_published",
]
