"""The respondent (analysis) frame: one row per interview, the contract between collection
and scoring (docs/data-layout.md).

This module is the one home of the frame's rules; every producer and consumer goes through it:

- the simulator (``survey.simulate``), the API export (``api.exports.frame``) and ``papi
  sample`` (village table) build their design columns with :func:`conform` /
  :func:`village_design`;
- ``scoring.score`` checks the columns it uses with :func:`check_for_scoring` and takes its
  default design columns from :func:`design_columns`.

The rules:

- **Columns and dtypes** (:data:`SCHEMA`): identification and location (``submission_id``,
  ``province``, ``district``, ``commune``, ``village``), design (``stratum``, ``psu``,
  ``prob_district`` … ``prob_person``, ``design_weight``, ``weight``) and demographics
  (``sex``, ``age``, ``age_group``, ``ethnicity``, ``urban``) first, in that order; then the
  answers and any metadata. Text columns are strings, probabilities and weights ``float64``,
  demographics nullable ``Int64`` (they are questionnaire items, which may be missing or hold
  a negative special code).
- **Defaults**: ``stratum`` is the province and ``psu`` the district where a row has none
  (:data:`DEFAULT_STRATUM`, :data:`DEFAULT_PSU`); scoring falls back to the same columns when
  ``stratum``/``psu`` are absent.
- **Age groups** (``survey.sampling.weights.age_group``, the post-stratification cells'
  categories): ``18-29`` … ``60-70``; an age outside 18–70 or a special code has no group
  (missing), never a wrong one.
- **design_weight** (Horvitz & Thompson 1952; the formula is
  ``survey.sampling.weights.design_weight``): ``1 / (prob_district · prob_commune ·
  prob_village · prob_person)`` wherever the four probabilities are known; a row without them
  keeps a ``design_weight`` it was given. A given weight that disagrees with its
  probabilities is an error.
- **weight**: the design weight post-stratified to sex × age group within province
  (``survey.sampling.poststratify``; Lumley 2010 §7.2), computed over the frame's own rows,
  to the bundled frames' population margins (either geography) unless other targets are
  passed. A row that
  cannot be placed in a cell (no design weight, sex not 1/2, no age group, a province with no
  margins) has no ``weight``; weighted scoring then names those rows. ``weight`` is always
  derived here: a ``weight`` a client sent with an interview is not used, because
  post-stratification depends on every other row of the frame.

Scoring does not post-stratify: ``weight`` arrives post-stratified from here.

Why pandera. The contract is declared once as a ``pandera.DataFrameSchema``: dtypes,
nullability and value checks per column, checked vectorised on the pandas columns
(about 15 ms on 15,000 rows; scoring runs it only to word a failure, a passing frame is
checked with plain array operations in 0.3 ms, as ``bench/score_bench.py`` prints), and with ``lazy=True`` every failure of every column is
collected in one pass with its column and row, which gives the single error naming column
and rows that a bad frame must produce. It is a maintained,
MIT-licensed library built for exactly this (pandas DataFrame schemas), with typed stubs.
Alternatives were weaker fits: pydantic validates row objects (slow and row-wise for a
frame), Great Expectations is a platform with its own configuration and store, and
hand-written checks scattered over four modules are what drifted apart.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from survey.errors import Problem, ScoringError
from survey.sampling.weights import (
    AGE_GROUPS,
    PROB_COLUMNS,
    age_group,
    design_weight,
    person_probability,
)

IDENTITY_COLUMNS: tuple[str, ...] = ("submission_id", "province", "district", "commune", "village")
DESIGN_COLUMNS: tuple[str, ...] = ("stratum", "psu", *PROB_COLUMNS, "design_weight", "weight")
DESIGN_INPUTS: tuple[str, ...] = ("stratum", "psu", *PROB_COLUMNS, "design_weight")
"""What a client may send with an interview (its ``design`` block); ``weight`` is derived."""
DEMOGRAPHIC_COLUMNS: tuple[str, ...] = ("sex", "age", "age_group", "ethnicity", "urban")
CONTRACT_COLUMNS: tuple[str, ...] = (*IDENTITY_COLUMNS, *DESIGN_COLUMNS, *DEMOGRAPHIC_COLUMNS)
DEFAULT_STRATUM = "province"
DEFAULT_PSU = "district"
SEXES = (1, 2)
RTOL = 1e-9  # a given design_weight must match its probabilities to this relative tolerance
TEXT_COLUMNS: tuple[str, ...] = (*IDENTITY_COLUMNS, "stratum", "psu")
_INTS = ("sex", "age", "ethnicity", "urban")
_SHOWN_ROWS = 8  # rows named in an error message (all are in its problems, up to 100)


class FrameError(ScoringError):
    """A respondent frame breaks the contract: the message names each failing column and its
    rows; ``problems`` point at ``/<row>/<column>``. A ``ScoringError``, so a caller of
    ``scoring.score`` catches one class."""

    @classmethod
    def default_code(cls) -> str:
        return "frame_invalid"


def _text_col(required: bool = False, nullable: bool = True) -> pa.Column:
    return pa.Column(str, nullable=nullable, required=required)


def _prob(value: pd.Series) -> pd.Series:
    return value.isna() | ((value > 0) & (value <= 1))


SCHEMA = pa.DataFrameSchema(
    {
        "submission_id": pa.Column(str, nullable=False, unique=True, required=False),
        "province": _text_col(required=True, nullable=False),
        "district": _text_col(),
        "commune": _text_col(),
        "village": _text_col(),
        "stratum": _text_col(required=True),
        "psu": _text_col(required=True),
        **{
            c: pa.Column(
                np.float64,
                pa.Check(_prob, error="a probability in (0, 1]"),
                nullable=True,
                required=True,
            )
            for c in PROB_COLUMNS
        },
        "design_weight": pa.Column(
            np.float64,
            pa.Check(lambda s: s.isna() | (np.isfinite(s) & (s > 0)), error="finite and > 0"),
            nullable=True,
            required=True,
        ),
        "weight": pa.Column(
            np.float64,
            pa.Check(lambda s: s.isna() | (np.isfinite(s) & (s >= 0)), error="finite and >= 0"),
            nullable=True,
            required=True,
        ),
        "sex": pa.Column("Int64", nullable=True, required=False),
        "age": pa.Column("Int64", nullable=True, required=False),
        "age_group": pa.Column(str, pa.Check.isin(list(AGE_GROUPS)), nullable=True, required=False),
        "ethnicity": pa.Column("Int64", nullable=True, required=False),
        "urban": pa.Column("Int64", nullable=True, required=False),
    },
    checks=[
        pa.Check(
            lambda df: _weight_matches(df),
            error="design_weight = 1 / (prob_district · prob_commune · prob_village · prob_person)",
        ),
    ],
    name="respondent frame",
)
"""The frame contract as a pandera schema (columns, dtypes, allowed values)."""


def village_design(villages: pd.DataFrame, interviews: str = "target") -> pd.DataFrame:
    """The design columns of selected villages (``survey.sampling.select_sample``'s table):
    ``prob_person`` from ``interviews`` and ``adults``, and ``design_weight``."""
    out = villages.copy()
    out["prob_person"] = person_probability(out[interviews], out["adults"])
    out["design_weight"] = design_weight(out)
    return out


def design_columns(
    frame: pd.DataFrame, strata: str | None = None, psu: str | None = None
) -> tuple[str | None, str | None]:
    """The strata and PSU columns scoring uses: those named, else ``stratum`` (or the
    province) and ``psu`` (or the district, or none: each row its own PSU)."""
    if strata is None:
        strata = "stratum" if "stratum" in frame.columns else DEFAULT_STRATUM
    if psu is None:
        psu = next((c for c in ("psu", DEFAULT_PSU) if c in frame.columns), None)
    return strata, psu


@cache
def _bundled_targets() -> pd.DataFrame:
    """Adults by province × sex × age group of both bundled geographies: the 63 provinces
    (``P01`` …) and the 34 of July 2025 (``N01`` …; survey.sampling.two_tier), whose codes
    never overlap, so a survey in either geography finds its margins."""
    from survey.sampling import load_frame, poststratification_targets
    from survey.sampling.two_tier import frame_for

    return pd.concat(
        [poststratification_targets(load_frame()), poststratification_targets(frame_for("2025"))],
        ignore_index=True,
    )


def analysis_weight(frame: pd.DataFrame, targets: pd.DataFrame | None = None) -> pd.Series:
    """``weight``: ``design_weight`` post-stratified to ``targets`` (default: the bundled
    frame's margins) over the rows that fall in a cell; missing on the others."""
    from survey.sampling import poststratify

    t = _bundled_targets() if targets is None else targets
    sex = pd.to_numeric(frame["sex"], errors="coerce") if "sex" in frame else None
    group = frame.get("age_group")
    d = pd.to_numeric(frame["design_weight"], errors="coerce")
    values = np.full(len(frame), np.nan)
    if sex is None or group is None:
        return pd.Series(values, index=frame.index, name="weight")
    ok = (
        d.notna().to_numpy()
        & sex.isin(SEXES).to_numpy()
        & group.isin(AGE_GROUPS).to_numpy()
        & frame["province"].isin(t["province"]).to_numpy()
    )
    if ok.any():
        cells = pd.DataFrame(
            {
                "province": frame["province"].to_numpy()[ok],
                "sex": sex.to_numpy()[ok].astype(np.int64),
                "age_group": group.to_numpy()[ok],
                "design_weight": d.to_numpy(np.float64)[ok],
            }
        )
        values[ok] = poststratify(cells, t).to_numpy()
    return pd.Series(values, index=frame.index, name="weight")


def _text(s: pd.Series) -> pd.Series:
    if pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
        return s
    values = [None if v is None or v is pd.NA or v != v else str(v) for v in s.tolist()]
    return pd.Series(values, index=s.index, dtype="str")


def _ints(frame: pd.DataFrame, col: str) -> pd.Series:
    values = pd.to_numeric(frame[col], errors="coerce")
    whole = values.isna() | (values == np.round(values))
    if not whole.all():
        raise _error(
            frame, {col: (np.flatnonzero(~whole.to_numpy()), "a whole number (an item code)")}
        )
    return values.astype("Int64")


def conform(
    frame: pd.DataFrame,
    *,
    targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The frame with its contract columns derived, typed, ordered first, and validated.

    Fills ``stratum``/``psu`` defaults, derives ``design_weight`` (checked against a given
    one), ``age_group`` from ``age`` and ``weight`` by post-stratification to ``targets``
    (adults by ``province``, ``sex``, ``age_group``; default the bundled frame's). Raises
    :class:`FrameError` naming every failing column and its rows.
    """
    out = frame.copy()
    if "province" not in out.columns:
        raise FrameError(
            "the respondent frame has no `province` column (docs/data-layout.md)",
            code="province_column_missing",
        )
    for col in TEXT_COLUMNS:
        if col in out.columns:
            out[col] = _text(out[col])
    for col, default in (("stratum", DEFAULT_STRATUM), ("psu", DEFAULT_PSU)):
        fallback = out[default] if default in out.columns else pd.Series(None, index=out.index)
        out[col] = _text(out[col].fillna(fallback) if col in out.columns else fallback)
    for col in PROB_COLUMNS:
        out[col] = (
            pd.to_numeric(out[col], errors="coerce").astype(np.float64)
            if col in out.columns
            else np.nan
        )
    given = (
        pd.to_numeric(out["design_weight"], errors="coerce").astype(np.float64)
        if "design_weight" in out.columns
        else pd.Series(np.nan, index=out.index)
    )
    computed = design_weight(out)
    off = given.notna() & computed.notna() & ~np.isclose(given, computed, rtol=RTOL, atol=0.0)
    if off.any():
        raise _error(
            out,
            {
                "design_weight": (
                    np.flatnonzero(off.to_numpy()),
                    "1 / (prob_district · prob_commune · prob_village · prob_person); the "
                    "given design weight disagrees with the given probabilities: send one or "
                    "make them agree",
                )
            },
        )
    out["design_weight"] = computed.where(computed.notna(), given).astype(np.float64)
    for col in _INTS:
        if col in out.columns:
            out[col] = _ints(out, col)
    if "age" in out.columns:
        out["age_group"] = _text(age_group(out["age"]).set_axis(out.index))
    elif "age_group" in out.columns:
        out["age_group"] = _text(out["age_group"])
    out["weight"] = analysis_weight(out, targets)
    first = [c for c in CONTRACT_COLUMNS if c in out.columns]
    out = out.loc[:, first + [c for c in out.columns if c not in first]]
    validate(out)
    return out


def _weight_matches(df: pd.DataFrame) -> pd.Series:
    if not set(PROB_COLUMNS) <= set(df.columns) or "design_weight" not in df.columns:
        return pd.Series(True, index=df.index)
    computed = design_weight(df)
    given = df["design_weight"]
    close = np.isclose(given, computed, rtol=RTOL, atol=0.0)
    return pd.Series(given.isna().to_numpy() | computed.isna().to_numpy() | close, index=df.index)


def _error(
    frame: pd.DataFrame, failures: dict[str, tuple[np.ndarray, str]], code: str = "frame_invalid"
) -> FrameError:
    """One error naming each column, what it must be, and its rows (positions)."""
    parts, problems = [], []
    for col, (rows, expected) in failures.items():
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        shown = ", ".join(str(int(r)) for r in rows[:_SHOWN_ROWS])
        more = f" and {len(rows) - _SHOWN_ROWS} more" if len(rows) > _SHOWN_ROWS else ""
        parts.append(
            f"column {col!r} must be {expected}: {len(rows)} of {len(frame):,} rows fail "
            f"(rows {shown}{more})"
        )
        problems += [Problem(f"/{int(r)}/{col}", code, f"expected {expected}") for r in rows[:100]]
    return FrameError(
        "the respondent frame breaks its contract (docs/data-layout.md): " + "; ".join(parts),
        code=code,
        problems=tuple(problems),
    )


def _schema_error(frame: pd.DataFrame, exc: SchemaErrors, code: str) -> FrameError:
    cases = exc.failure_cases.copy()
    # the frame-wide check (design_weight against the probabilities) is reported per column
    wide = (cases["schema_context"] == "DataFrameSchema") & (
        cases["check"] != "column_in_dataframe"
    )
    cases.loc[wide, "column"] = "design_weight"
    cases = cases.drop_duplicates(["column", "check", "index"])
    positions = pd.Series(np.arange(len(frame)), index=frame.index)
    failures: dict[str, tuple[np.ndarray, str]] = {}
    for (col, check), g in cases.groupby(
        [cases["column"].fillna("").astype(str), cases["check"].astype(str)], sort=False
    ):
        if check == "column_in_dataframe":
            missing = str(g["failure_case"].iloc[0])
            return FrameError(
                f"the respondent frame has no {missing!r} column; expected the columns of "
                "docs/data-layout.md",
                code=f"{missing}_column_missing",
            )
        index = g["index"].dropna()
        rows = positions.reindex(index.to_numpy()).dropna().to_numpy(np.int64)
        what = _describe(check)
        name = col
        if len(rows) == 0:  # a dtype or column-wide failure: all rows
            rows = np.arange(len(frame))
        prev = failures.get(name)
        if prev is not None:
            rows = np.concatenate([prev[0], rows])
            what = f"{prev[1]}; {what}"
        failures[name] = (rows, what)
    return _error(frame, failures, code)


def _describe(check: str) -> str:
    if check.startswith("dtype("):
        return f"of dtype {check[6:-1]}"
    if check == "not_nullable":
        return "present (not missing)"
    if check == "field_uniqueness":
        return "unique"
    if check.startswith("isin("):
        return f"one of {check[5:-1]}"
    return check


def validate(frame: pd.DataFrame) -> None:
    """Check a frame against :data:`SCHEMA`; :class:`FrameError` naming columns and rows."""
    try:
        SCHEMA.validate(frame, lazy=True)
    except SchemaErrors as exc:
        raise _schema_error(frame, exc, "frame_invalid") from None


def _scoring_columns_pass(
    frame: pd.DataFrame, required: list[str], weights: str, weighted: bool
) -> bool:
    """Whether the rule of :func:`check_for_scoring` holds, checked with plain array
    operations (the pandera schema there takes ~15 ms on a national survey; it runs only
    when this says no, to name the offending rows): every ``required`` column present
    without a missing value, and (weighted) ``weights`` numeric, finite and >= 0."""
    names = [*required, weights] if weighted else required
    if not set(names) <= set(frame.columns):
        return False
    if any(frame[c].isna().to_numpy().any() for c in dict.fromkeys(names)):
        return False
    if not weighted:
        return True
    w = frame[weights]
    if not (pd.api.types.is_numeric_dtype(w.dtype) and not pd.api.types.is_bool_dtype(w.dtype)):
        return False
    values = w.to_numpy(dtype=np.float64, na_value=np.nan)
    return bool((np.isfinite(values) & (values >= 0)).all())


def check_for_scoring(
    frame: pd.DataFrame,
    *,
    strata: str | None,
    psu: str | None,
    weights: str,
    weighted: bool,
) -> None:
    """The columns scoring uses: ``province``, the strata and PSU columns, and (weighted)
    the weight column, all present on every row; weights finite and ≥ 0."""
    if "province" not in frame.columns:
        raise ScoringError(
            "the responses have no `province` column; expected one row per respondent in the "
            "layout of docs/data-layout.md (province P01…P63)",
            code="province_column_missing",
        )
    if weighted and weights not in frame.columns:
        raise ScoringError(
            f"weighted scoring needs the weight column {weights!r}, absent from the responses; "
            "pass weights=<column>, or weighted=False (the CLI's --unweighted) for PAPI's "
            "unweighted headline scores",
            code="weight_column_missing",
        )
    if _scoring_columns_pass(frame, [c for c in ("province", strata, psu) if c], weights, weighted):
        return  # the common case, checked vectorised; pandera below words the failures
    columns: dict[str, pa.Column] = {"province": pa.Column(nullable=False)}
    for name in (strata, psu):
        if name is not None:
            columns[name] = pa.Column(nullable=False)
    if weighted:
        w = pd.to_numeric(frame[weights], errors="coerce")
        has_design = "design_weight" in frame.columns and frame["design_weight"].notna().any()
        if w.isna().all() and has_design and weights == "weight":
            raise ScoringError(
                "the weight column 'weight' is empty although the rows have design weights: "
                "no row could be post-stratified (that needs sex 1/2, an age of 18-70 and a "
                "province with population margins, docs/data-layout.md). Score with the "
                "design weights (weights='design_weight'; the CLI's --weights design_weight) "
                "or unweighted (weighted=False; --unweighted)",
                code="weights_missing",
            )
        if w.isna().all():
            raise ScoringError(
                f"the weight column {weights!r} is empty: these responses carry no design "
                "weights (interviews submitted without a `design` block, e.g. a pilot without "
                "a sampling design). Score them unweighted (weighted=False; the CLI's "
                "--unweighted), or submit the design weights (docs/data-layout.md)",
                code="weights_missing",
            )
        columns[weights] = pa.Column(
            nullable=False,
            checks=pa.Check(
                lambda s: np.isfinite(pd.to_numeric(s, errors="coerce")) & (s >= 0),
                error="a finite number >= 0",
            ),
        )
    try:
        pa.DataFrameSchema(columns).validate(frame, lazy=True)
    except SchemaErrors as exc:
        err = _schema_error(frame, exc, "frame_invalid")
        hint = (
            f" A row has a {weights!r} when it has design probabilities, sex 1/2, an age of "
            "18-70 and a province with population margins; fix or drop those rows, or score "
            "unweighted (weighted=False; the CLI's --unweighted)."
            if weighted and any(p.pointer.endswith(f"/{weights}") for p in err.problems)
            else ""
        )
        raise FrameError(err.message + hint, code=err.code, problems=err.problems) from None
