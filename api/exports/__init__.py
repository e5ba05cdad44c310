"""Exports of a survey's interviews: CSV, Parquet (``papi score``'s input), Stata, SPSS."""
