"""papi-engine scoring core: design-based estimation, PAPI index construction with
confidence intervals, sensitivity and uncertainty analysis. DataFrames and survey models
in, frozen result records out; no I/O, no database, no HTTP.

Importing it keeps freed memory in the process on glibc (``scoring.memory``: large arrays
reused instead of faulted in again on every ``score()``; ``PAPI_KEEP_FREED_MEMORY=0`` leaves
the allocator alone)."""

from scoring.design import (
    ReplicateDesign,
    ReplicateEstimate,
    SurveyDesign,
    replicate_variance,
)
from scoring.index import IndexComparison, IndexScores, compare, score, score_published
from scoring.index.derived import derived_published
from scoring.memory import keep_freed_memory
from scoring.sensitivity import SensitivityResult, run_sensitivity
from scoring.sensitivity import Spec as SensitivitySpec

keep_freed_memory()

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
