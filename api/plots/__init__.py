"""PNG plots (matplotlib, Agg) for command-line outputs."""
