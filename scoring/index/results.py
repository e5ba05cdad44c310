"""``IndexScores``: the frozen result of index construction, with tables and JSON export.

One DataFrame per level (``indicators``, ``subdimensions``, ``dimensions``, ``composite``),
one row per (province, code), columns in this order (absent statistics are missing):

    province, <key>, [subdimension, dimension], est, se, lci, uci, df, deff, n,
    rank, rank_lci, rank_uci, group, p_high, p_high_average, p_low_average, p_low

``<key>`` is ``indicator`` / ``subdimension`` / ``dimension``; the composite has no key. Ranks
and groups (groups.py) are computed over the provinces that are scored on that code; the
national row ``VN`` is estimated but never ranked. Indicator rows also carry ``rescaled``
(the 1–10 value ``r``), by which they are ranked, because ``est`` is in the indicator's own
unit and a reversed indicator is better when lower.

``level_frame`` is hand-written for speed (four tables of up to 8,000 rows per ``score()``):
it makes each column in its final dtype and the DataFrame once, and gives the table that
``normalise`` makes of the same raw columns (tests/scoring/index/test_index_results.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.index.groups import GROUP_LABELS, ranks_and_groups
from survey.errors import ScoringError

FloatArray = NDArray[np.float64]

TIERS: tuple[str, ...] = ("indicators", "subdimensions", "dimensions", "composite")
KEYS: dict[str, str | None] = {
    "indicators": "indicator",
    "subdimensions": "subdimension",
    "dimensions": "dimension",
    "composite": None,
}
COMPOSITE_CODE = "PAPI"
NATIONAL = "VN"
PROB_COLUMNS: tuple[str, ...] = tuple("p_" + g.replace("-", "_") for g in GROUP_LABELS)
_FLOATS = ("est", "se", "lci", "uci", "df", "deff", "rescaled", *PROB_COLUMNS)
_INTS = ("n", "rank", "rank_lci", "rank_uci")


def columns_of(tier: str) -> list[str]:
    """The canonical column order of a tier's table."""
    key = KEYS[tier]
    head = ["province"] + ([key] if key else [])
    owners = {"indicators": ["subdimension", "dimension"], "subdimensions": ["dimension"]}
    rescaled = ["rescaled"] if tier == "indicators" else []
    return [
        *head,
        *owners.get(tier, []),
        "est",
        "se",
        "lci",
        "uci",
        "df",
        "deff",
        "n",
        *rescaled,
        "rank",
        "rank_lci",
        "rank_uci",
        "group",
        *PROB_COLUMNS,
    ]


def normalise(frame: pd.DataFrame, tier: str) -> pd.DataFrame:
    """Canonical columns and dtypes (float64, nullable Int64, str group)."""
    return _canonical({str(c): frame[c] for c in frame.columns}, len(frame), tier)


def _canonical(data: Mapping[str, Any], rows: int, tier: str) -> pd.DataFrame:
    """The table of a tier from its columns (Series or arrays of ``rows`` values): the
    canonical columns in order (absent ones missing), float64, nullable Int64 or str; one
    DataFrame built once (no per-column assignment)."""
    out: dict[str, Any] = {}
    for c in columns_of(tier):
        raw = data.get(c)
        col = (
            pd.Series(np.full(rows, np.nan))
            if raw is None
            else pd.Series(np.asarray(raw) if not isinstance(raw, pd.Series) else raw.array)
        )
        if c in _FLOATS:
            if col.dtype != np.float64:  # float64 columns are already canonical
                col = pd.to_numeric(col, errors="coerce").astype(np.float64)
        elif c in _INTS:
            col = pd.to_numeric(col, errors="coerce").round().astype("Int64")
        else:
            col = col.astype("str")
        out[c] = col
    return pd.DataFrame(out, index=pd.RangeIndex(rows))


def _text(values: Sequence[Any]) -> pd.api.extensions.ExtensionArray:
    """``values`` as the tables' text array (``astype("str")``, missing values NaN)."""
    return pd.array(np.asarray(values, dtype=object), dtype="str")


def _whole(values: FloatArray) -> pd.arrays.IntegerArray:
    """Whole numbers as nullable Int64, NaN missing: what ``_canonical`` makes of them
    (``round().astype("Int64")``), without going through a Series."""
    rounded = np.round(np.asarray(values, dtype=np.float64))
    missing = np.isnan(rounded)
    if np.isinf(rounded).any():
        raise ValueError("cannot convert an infinite value to an integer")
    return pd.arrays.IntegerArray(np.where(missing, 0, rounded).astype(np.int64), missing)


def level_frame(
    tier: str,
    provinces: Sequence[str],
    codes: Sequence[str],
    est: FloatArray,
    *,
    ranked: NDArray[np.bool_],
    stats: Mapping[str, FloatArray | None] | None = None,
    owners: Mapping[str, Sequence[str]] | None = None,
    rank_by: FloatArray | None = None,
    rank_interval: tuple[FloatArray, FloatArray] | None = None,
    group_probs: FloatArray | None = None,
) -> pd.DataFrame:
    """Long table of a (provinces × codes) level.

    ``stats`` maps column names (se, lci, uci, df, n, rescaled) to (P, C) arrays, or (P,)
    arrays broadcast over codes. ``rank_by`` (default ``est``) decides ranks and groups over
    the rows where ``ranked`` is true.

    Written for speed (``score()`` builds four of these per call, up to 8,000 rows of 20
    columns): every column is made once in its final dtype (float64 arrays, ``Int64`` from
    a rounded array and its NaN mask, text as the few distinct values converted once and
    repeated with ``take``) and the DataFrame is built in one go; the same table as
    ``_canonical`` makes from the raw columns (tests/scoring/index/test_index_results.py).
    """
    p, c = len(provinces), len(codes)
    rows = p * c
    est = np.asarray(est, dtype=np.float64).reshape(p, c)
    basis = est if rank_by is None else np.asarray(rank_by, dtype=np.float64).reshape(p, c)
    basis = np.where(np.asarray(ranked)[:, None], basis, np.nan)
    rank, group = ranks_and_groups(basis)
    of_province = np.repeat(np.arange(p), c)
    of_code = np.tile(np.arange(c), p)
    labels = _text([*GROUP_LABELS, None])
    data: dict[str, Any] = {
        "province": _text(provinces).take(of_province),
        "est": est.ravel(),
        "rank": _whole(rank.ravel()),
        "group": labels.take(np.where(group < 0, len(GROUP_LABELS), group).ravel()),
    }
    key = KEYS[tier]
    if key:
        data[key] = _text(codes).take(of_code)
    for name, owner in (owners or {}).items():
        data[name] = _text(owner).take(of_code)
    for name, values in (stats or {}).items():
        if values is not None:
            arr = np.asarray(values, dtype=np.float64)
            flat = np.broadcast_to(arr.reshape(p, -1), (p, c)).ravel()
            data[name] = _whole(flat) if name in _INTS else flat
    if rank_interval is not None:
        data["rank_lci"], data["rank_uci"] = (
            _whole(np.asarray(a, dtype=np.float64).reshape(p, c).ravel()) for a in rank_interval
        )
    if group_probs is not None:
        probs = np.asarray(group_probs, dtype=np.float64).reshape(p, c, len(GROUP_LABELS))
        for j, name in enumerate(PROB_COLUMNS):
            data[name] = probs[:, :, j].ravel()
    out: dict[str, Any] = {}
    for name in columns_of(tier):
        if name in data:
            out[name] = data[name]
        elif name in _FLOATS:
            out[name] = np.full(rows, np.nan)
        elif name in _INTS:
            out[name] = pd.arrays.IntegerArray(np.zeros(rows, np.int64), np.ones(rows, bool))
        else:
            out[name] = _text([None] * rows)
    return pd.DataFrame(out, index=pd.RangeIndex(rows))


ENGINE = "papi-engine"
NATIONAL_SHARE = 0.95
"""The pooled row (``VN``) is called national when the scores cover at least this share of
the provinces of the geography (60 of 63: every published year 2018–2024 scores 60 or more;
33 of 34 after the 2025 reform)."""
SUPPRESSION_RULES: tuple[str, ...] = (
    "an indicator of a province with fewer than min_n respondents with a value is missing",
    "a sub-dimension is the mean of its available indicators when at least min_share of "
    "them are available, else missing",
    "a dimension needs all its sub-dimensions, the aggregate all dimensions",
)


@cache
def engine_version() -> str:
    """The installed papi-engine's version (``unknown`` when run from an uninstalled tree);
    read once per process (``importlib.metadata`` parses the package's metadata file: half
    a millisecond, on every score otherwise)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(ENGINE)
    except PackageNotFoundError:
        return "unknown"


def covered_provinces(composite: pd.DataFrame, dimensions: pd.DataFrame) -> set[str]:
    """Provinces with at least one score (aggregate or dimension), the pooled row aside."""
    out: set[str] = set()
    for frame in (composite, dimensions):
        province = frame["province"].to_numpy(dtype=object)
        scored = (province != NATIONAL) & frame["est"].notna().to_numpy()
        out.update(str(p) for p in set(province[scored].tolist()))
    return out


def is_national(composite: pd.DataFrame, dimensions: pd.DataFrame) -> bool:
    """Whether the scores cover (nearly) all provinces of their geography
    (:data:`NATIONAL_SHARE` of the 63 provinces until June 2025, of the 34 from July 2025), so
    that the pooled row ``VN`` stands for Viet Nam; otherwise it is the pooled estimate of the
    respondents scored. The one rule of the CLI's table, the HTML report and
    :meth:`IndexScores.is_national`."""
    from survey.geography import geography_of, vintage

    covered = covered_provinces(composite, dimensions)
    geography = geography_of(covered) or "2018"
    return len(covered) >= NATIONAL_SHARE * len(vintage(geography).codes)


@dataclass(frozen=True)
class Provenance:
    """How a result was made, beyond ``IndexScores``' own ``method``, ``confidence``,
    ``weighted``, ``structure`` (the questionnaire id) and ``replicates``.

    ``seed``: the integer seed of the replicates / rank draws (survey.rng.seed_of: the seed
    given, 0 for ``rng=None``, or one drawn from a Generator; ``None`` only in published
    scores and results of earlier versions); ``ci_dist``: the distribution of the CI quantile (``t`` on the design df, or
    ``normal``); ``min_n``/``min_share`` and ``suppression``: the suppression rules;
    ``strata``/``psu``/``weights``: the design columns (``weights`` is ``None`` unweighted);
    ``lonely_psu``: the policy for a stratum with one PSU; ``weighting``: what the weights
    are; ``poststratified``: whether the variance accounts for the post-stratification
    (R's ``postStratify``); ``share_correction``: whether the Taylor variance is corrected
    for unequal PSU weight shares (``None``: not recorded, results of earlier versions);
    ``questionnaire_version``: the questionnaire's full version; ``engine_version``:
    papi-engine's.
    """

    seed: int | None = None
    ci_dist: str | None = None
    min_n: int | None = None
    min_share: float | None = None
    suppression: tuple[str, ...] = ()
    strata: str | None = None
    psu: str | None = None
    weights: str | None = None
    lonely_psu: str | None = None
    weighting: str | None = None
    poststratified: bool | None = None
    share_correction: bool | None = None
    questionnaire_version: str | None = None
    engine_version: str = field(default_factory=engine_version)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "suppression": list(self.suppression)}

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Provenance:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in doc.items() if k in known}
        kw["suppression"] = tuple(kw.get("suppression") or ())
        return cls(**kw)


def _plain(v: Any) -> Any:
    """A JSON value: numpy scalars to Python, NaN / NA to ``None``."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if hasattr(v, "item") and callable(v.item):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A result table as JSON-ready rows (missing values ``None``, floats exact)."""
    cols = [str(c) for c in frame.columns]
    return [
        dict(zip(cols, (_plain(v) for v in row), strict=True))
        for row in frame.itertuples(index=False, name=None)
    ]


@dataclass(frozen=True, eq=False, init=False, repr=False)
class IndexScores:
    """Index scores at every level with their uncertainty.

    ``method``: ``published`` (no uncertainty), ``taylor`` or a replicate method
    (``bootstrap``, ``jk1``, ``jkn``, ``brr``, ``fay``) or ``derived``; ``confidence``: the
    confidence level of ``lci``/``uci``; ``weighted``: analysis weights used (``None`` for published scores);
    ``provenance``: the rest of how the result was made (:class:`Provenance`).

    The tables (``indicators``, ``subdimensions``, ``dimensions``, ``composite``, ``tier()``,
    ``to_frame()``) are returned as **copies**: changing one never changes the result.

    Serialisation (one format, used by ``papi score``, the scoring job and the report):
    :meth:`to_dict` / :meth:`from_dict`, :meth:`to_json` / :meth:`from_json`.

    Parameters
    ----------
    indicators, subdimensions, dimensions, composite : pandas.DataFrame
        The table of each tier (columns: module docstring); copied.
    method : str
        ``taylor``, a replicate method, ``published`` or ``derived``.
    confidence : float, default 0.95
        The confidence level of ``lci``/``uci`` and of the rank intervals.
    weighted : bool or None, default None
        Whether analysis weights were used (``None`` for published scores).
    structure : str or None, default None
        The questionnaire id.
    replicates : int or None, default None
        Replicates (and draws behind rank intervals).
    notes : tuple of str, default ()
        What a reader of the tables must know.
    provenance : Provenance or None, default None
        The rest of how the result was made, with the seed.
    """

    indicators: pd.DataFrame
    subdimensions: pd.DataFrame
    dimensions: pd.DataFrame
    composite: pd.DataFrame
    method: str
    confidence: float = 0.95
    weighted: bool | None = None
    structure: str | None = None
    replicates: int | None = None
    notes: tuple[str, ...] = ()
    provenance: Provenance | None = None
    _tables: Mapping[str, pd.DataFrame] = field(init=False, repr=False, compare=False)

    def __init__(
        self,
        indicators: pd.DataFrame,
        subdimensions: pd.DataFrame,
        dimensions: pd.DataFrame,
        composite: pd.DataFrame,
        method: str,
        confidence: float = 0.95,
        weighted: bool | None = None,
        structure: str | None = None,
        replicates: int | None = None,
        notes: tuple[str, ...] = (),
        provenance: Provenance | None = None,
    ) -> None:
        # the tables are held privately (copies of those given) and read through properties
        # that return copies (set below the class); dataclasses.replace still works
        given = (indicators, subdimensions, dimensions, composite)
        tables = {t: f.copy() for t, f in zip(TIERS, given, strict=True)}
        for name, value in (
            ("_tables", MappingProxyType(tables)),
            ("method", method),
            ("confidence", confidence),
            ("weighted", weighted),
            ("structure", structure),
            ("replicates", replicates),
            ("notes", tuple(notes)),
            ("provenance", provenance),
        ):
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        rows = len(self._tables["composite"])
        return (
            f"IndexScores(method={self.method!r}, confidence={self.confidence}, "
            f"weighted={self.weighted}, "
            f"structure={self.structure!r}, composite rows={rows})"
        )

    def tier(self, name: str) -> pd.DataFrame:
        """A copy of the table of one level by its name (``indicators`` … ``composite``)."""
        if name not in TIERS:
            raise ScoringError(
                f"unknown level {name!r}; expected one of {', '.join(TIERS)}",
                code="unknown_level",
            )
        return self._tables[name].copy()

    def is_national(self) -> bool:
        """Whether the pooled row ``VN`` stands for Viet Nam (module :func:`is_national`)."""
        return is_national(self._tables["composite"], self._tables["dimensions"])

    def to_frame(self) -> pd.DataFrame:
        """All levels in one long table: ``tier``, ``code`` (``PAPI`` for the composite), …"""
        parts = []
        for name in TIERS:
            frame = self.tier(name)
            key = KEYS[name]
            code = frame.pop(key) if key else pd.Series(COMPOSITE_CODE, index=frame.index)
            frame.insert(0, "code", code.astype("str"))
            frame.insert(0, "tier", name)
            parts.append(frame)
        return pd.concat(parts, ignore_index=True, sort=False)

    def meta(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "confidence": self.confidence,
            "weighted": self.weighted,
            "structure": self.structure,
            "replicates": self.replicates,
            "notes": list(self.notes),
            "provenance": None if self.provenance is None else self.provenance.to_dict(),
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: ``{"meta": {...}, "<tier>": [{column: value}, ...], ...}``,
        one row object per (province, code); missing values ``null``; floats exact."""
        doc: dict[str, Any] = {"meta": self.meta()}
        for name in TIERS:
            doc[name] = records(self._tables[name])
        return doc

    def to_json(self, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> IndexScores:
        """Inverse of :meth:`to_dict` (also reads the ``{"columns", "data"}`` tables that
        earlier versions wrote)."""
        try:
            meta = doc["meta"]
            frames = {name: normalise(_table(doc[name]), name) for name in TIERS}
            prov = meta.get("provenance")
            return cls(
                **frames,
                method=str(meta["method"]),
                confidence=float(meta["confidence"]),
                weighted=meta.get("weighted"),
                structure=meta.get("structure"),
                replicates=meta.get("replicates"),
                notes=tuple(meta.get("notes", ())),
                provenance=None if prov is None else Provenance.from_dict(prov),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ScoringError(
                f"not an IndexScores document ({type(exc).__name__}: {exc}); expected the "
                "output of IndexScores.to_json() (papi score --out DIR writes scores.json; a "
                "scoring job's `results`)",
                code="scores_json_invalid",
            ) from exc

    @classmethod
    def from_json(cls, text: str) -> IndexScores:
        """Inverse of :meth:`to_json`."""
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise ScoringError(
                f"not an IndexScores JSON document ({exc}); expected the output of "
                "IndexScores.to_json()",
                code="scores_json_invalid",
            ) from exc
        if not isinstance(doc, Mapping):
            raise ScoringError(
                "not an IndexScores JSON document (not an object); expected the output of "
                "IndexScores.to_json()",
                code="scores_json_invalid",
            )
        return cls.from_dict(doc)

    def equals(self, other: IndexScores) -> bool:
        """Same metadata and provenance and the same tables (values, dtypes, NaN in place)."""
        return self.meta() == other.meta() and all(
            self._tables[t].equals(other._tables[t]) for t in TIERS
        )


def _table_property(tier: str) -> property:
    return property(
        lambda self: self.tier(tier), doc=f"A copy of the ``{tier}`` table (see ``tier``)."
    )


for _tier in TIERS:  # the dataclass fields read as copies of the stored tables
    setattr(IndexScores, _tier, _table_property(_tier))


def _table(part: Any) -> pd.DataFrame:
    if isinstance(part, Mapping):  # {"columns": [...], "data": [[...]]}
        return pd.DataFrame(part["data"], columns=part["columns"])
    return pd.DataFrame.from_records(list(part))
