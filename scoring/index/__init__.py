"""PAPI index construction: indicators → rescaled → sub-dimensions → dimensions → aggregate,
with design-based uncertainty at every level (papi-method.md §2, statistics.md)."""

from scoring.index.published import score_published
from scoring.index.results import IndexScores

__all__ = ["IndexScores", "score_published"]
