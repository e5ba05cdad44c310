"""PAPI index construction: indicators → rescaled → sub-dimensions → dimensions → aggregate,
with design-based uncertainty at every level (docs/method.md "Arithmetic", docs/variance.md)."""

from scoring.index.compare import IndexComparison, compare
from scoring.index.pipeline import score
from scoring.index.published import score_published
from scoring.index.results import IndexScores

__all__ = ["IndexComparison", "IndexScores", "compare", "score", "score_published"]
