"""Encoders of the respondent frame: CSV, Parquet, Stata .dta and SPSS .sav.

Stata and SPSS files carry variable labels (item labels; ``item: choice`` for the 0/1
columns of a multiple choice) and value labels (the choices and the special answers) through
pyreadstat, the ReadStat library's Python binding.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import pandas as pd
import pyreadstat

from api.problems import Unprocessable
from survey.questionnaire.schema import Questionnaire

FIXED_LABELS = {
    "submission_id": "Interview UUID",
    "province": "Province code",
    "district": "Sampled district",
    "commune": "Sampled commune",
    "village": "Sampled village",
    "stratum": "Variance stratum",
    "psu": "Primary sampling unit",
    "prob_district": "Inclusion probability of the district",
    "prob_commune": "Inclusion probability of the commune (given the district)",
    "prob_village": "Inclusion probability of the village (given the commune)",
    "prob_person": "Inclusion probability of the respondent (given the village)",
    "design_weight": "Design weight (1 / product of stage probabilities)",
    "weight": "Analysis weight (design weight post-stratified to sex x age group)",
    "age_group": "Age group",
    "enumerator": "Enumerator (paradata)",
    "submitted_by": "Token holder who submitted",
    "review_status": "Review status",
    "flags": "Quality flags",
    "version": "Version of the record",
    "received_at": "Received at (UTC)",
}


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    dta = "dta"
    sav = "sav"
    zip = "zip"  # the CSV and the submissions' files (api/exports/media.py)


MEDIA_TYPES = {
    ExportFormat.csv: "text/csv; charset=utf-8",
    ExportFormat.parquet: "application/vnd.apache.parquet",
    ExportFormat.dta: "application/x-stata-dta",
    ExportFormat.sav: "application/x-spss-sav",
    ExportFormat.zip: "application/zip",
}


def labels(q: Questionnaire, columns: list[str]) -> tuple[list[str], dict[str, dict[float, str]]]:
    """Variable labels (aligned with ``columns``) and value labels per column."""
    specials = {code: name.replace("_", " ") for name, code in q.special_codes.items()}
    var_labels: list[str] = []
    value_labels: dict[str, dict[float, str]] = {}
    for col in columns:
        if col in FIXED_LABELS:
            var_labels.append(FIXED_LABELS[col])
            continue
        if q.has_item(col):
            item = q.item(col)
            var_labels.append(item.label.en[:80])
            values: dict[float, str] = {}
            if item.type == "yes_no":
                values = {1.0: "yes", 0.0: "no"}
            else:
                values = {float(c.code): c.label.en[:120] for c in q.choices_of(item)}
            if item.type != "multiple_choice":
                values.update(
                    {float(specials_code): text for specials_code, text in specials.items()}
                )
            if values and item.type in {"single_choice", "yes_no", "rating", "multiple_choice"}:
                value_labels[col] = values
            continue
        base, _, code = col.rpartition("_")
        if base and q.has_item(base) and code.lstrip("-").isdigit():
            item = q.item(base)
            choice = {c.code: c.label.en for c in q.choices_of(item)}.get(int(code), code)
            var_labels.append(f"{item.label.en}: {choice}"[:80])
            value_labels[col] = {1.0: "selected", 0.0: "not selected"}
            continue
        var_labels.append(col)
    return var_labels, value_labels


# OWASP's CSV injection advice: a cell that begins with one of these is read as a formula
# by spreadsheet programs; the CSV writes it after a single quote (Parquet, .dta and .sav
# keep the raw value: they are data files, not something a spreadsheet evaluates).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# RFC 4180 line breaks: with CRLF as the line terminator the writer also quotes a field that
# holds a bare CR, so a reader (pandas.read_csv, a spreadsheet) sees the right rows.
CSV_LINE_TERMINATOR = "\r\n"


def csv_safe(value: object) -> object:
    """``value`` as a CSV cell: a string that begins like a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell made safe as ``csv_safe`` does (vectorised per column:
    non-text cells of an object column are left alone)."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
            continue
        try:
            risky = s.str.startswith(FORMULA_STARTS, na=False).astype(bool)
        except AttributeError:  # an object column without a single string
            continue
        if risky.any():
            out[col] = s.where(~risky, "'" + s.where(risky, "").astype(str))
    return out


def _numeric_for_stats(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.api.extensions.ExtensionDtype) and s.dtype.kind in "iufb":
            out[col] = s.astype("float64")
        elif s.dtype == object:
            out[col] = s.map(lambda v: None if v is None or v != v else str(v))
    return out


def encode(df: pd.DataFrame, q: Questionnaire, fmt: ExportFormat) -> bytes:
    """The frame as one file; a zip export also carries files (api.exports.media)."""
    if fmt is ExportFormat.zip:
        raise ValueError("a zip export is written by api.exports.media.write_media_zip")
    if fmt is ExportFormat.csv:
        return csv_frame(df).to_csv(index=False, lineterminator=CSV_LINE_TERMINATOR).encode("utf-8")
    if fmt is ExportFormat.parquet:
        buf = io.BytesIO()
        df.to_parquet(buf, index=False, engine="pyarrow")
        return buf.getvalue()
    var_labels, value_labels = labels(q, list(df.columns))
    writer: Callable[..., None] = (
        pyreadstat.write_dta if fmt is ExportFormat.dta else pyreadstat.write_sav
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export.{fmt.value}"
        try:
            writer(
                _numeric_for_stats(df),
                str(path),
                column_labels=var_labels,
                variable_value_labels=value_labels,
            )
        except Exception as exc:  # ReadStat refuses what the format cannot hold
            raise Unprocessable(
                f"the data cannot be written as .{fmt.value} ({type(exc).__name__}: {exc}); "
                "export csv or parquet instead",
                code="export_unrepresentable",
            ) from None
        return path.read_bytes()
