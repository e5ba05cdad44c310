"""Exports of a survey's interviews: CSV, Parquet (``papi score``'s input), Stata, SPSS, and a
ZIP of the CSV with the files ODK clients sent (export with media); and the files of a
scoring result (``score_files``)."""
