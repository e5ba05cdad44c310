"""papi-engine scoring core: design-based estimation, PAPI index construction with
confidence intervals, sensitivity and uncertainty analysis. DataFrames and survey models
in, frozen result records out; no I/O, no database, no HTTP."""

__all__: list[str] = []
