"""papi-engine scoring core: design-based estimation, PAPI index construction with
confidence intervals, sensitivity and uncertainty analysis. DataFrames and survey models
in, frozen result records out; no I/O, no database, no HTTP."""

from scoring.index import IndexComparison, IndexScores, compare, score_published

__all__: list[str] = ["IndexComparison", "IndexScores", "compare", "score_published"]
