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
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.index.groups import GROUP_LABELS, group_codes, group_labels, ranks
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
    out = frame.reindex(columns=columns_of(tier)).reset_index(drop=True)
    for c in out.columns:
        if c in _FLOATS:
            out[c] = pd.to_numeric(out[c], errors="coerce").astype(np.float64)
        elif c in _INTS:
            out[c] = pd.to_numeric(out[c], errors="coerce").round().astype("Int64")
        else:
            out[c] = out[c].astype("str")
    return out


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
    """
    p, c = len(provinces), len(codes)
    est = np.asarray(est, dtype=np.float64).reshape(p, c)
    basis = est if rank_by is None else np.asarray(rank_by, dtype=np.float64).reshape(p, c)
    basis = np.where(np.asarray(ranked)[:, None], basis, np.nan)
    data: dict[str, Any] = {
        "province": np.repeat(np.asarray(provinces, dtype=object), c),
        "est": est.ravel(),
        "rank": ranks(basis).ravel(),
        "group": group_labels(group_codes(basis)).ravel(),
    }
    key = KEYS[tier]
    if key:
        data[key] = np.tile(np.asarray(codes, dtype=object), p)
    for name, owner in (owners or {}).items():
        data[name] = np.tile(np.asarray(owner, dtype=object), p)
    for name, values in (stats or {}).items():
        if values is not None:
            arr = np.asarray(values, dtype=np.float64)
            data[name] = np.broadcast_to(arr.reshape(p, -1), (p, c)).ravel()
    if rank_interval is not None:
        data["rank_lci"], data["rank_uci"] = (
            np.asarray(a).reshape(p, c).ravel() for a in rank_interval
        )
    if group_probs is not None:
        probs = np.asarray(group_probs, dtype=np.float64).reshape(p, c, len(GROUP_LABELS))
        for j, name in enumerate(PROB_COLUMNS):
            data[name] = probs[:, :, j].ravel()
    return normalise(pd.DataFrame(data), tier)


@dataclass(frozen=True, eq=False)
class IndexScores:
    """Index scores at every level with their uncertainty.

    ``method``: ``published`` (no uncertainty), ``taylor`` or a replicate method
    (``bootstrap``, ``jk1``, ``jkn``, ``brr``); ``level``: the confidence level of
    ``lci``/``uci``; ``weighted``: analysis weights used (``None`` for published scores).
    """

    indicators: pd.DataFrame
    subdimensions: pd.DataFrame
    dimensions: pd.DataFrame
    composite: pd.DataFrame
    method: str
    level: float = 0.95
    weighted: bool | None = None
    structure: str | None = None
    replicates: int | None = None
    notes: tuple[str, ...] = field(default=())

    def tier(self, name: str) -> pd.DataFrame:
        """The table of one level by its name (``indicators`` … ``composite``)."""
        if name not in TIERS:
            raise ScoringError(
                f"unknown level {name!r}; expected one of {', '.join(TIERS)}",
                code="unknown_level",
            )
        frame: pd.DataFrame = getattr(self, name)
        return frame

    def to_frame(self) -> pd.DataFrame:
        """All levels in one long table: ``tier``, ``code`` (``PAPI`` for the composite), …"""
        parts = []
        for name in TIERS:
            frame = self.tier(name).copy()
            key = KEYS[name]
            code = frame.pop(key) if key else pd.Series(COMPOSITE_CODE, index=frame.index)
            frame.insert(0, "code", code.astype("str"))
            frame.insert(0, "tier", name)
            parts.append(frame)
        return pd.concat(parts, ignore_index=True, sort=False)

    def meta(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "level": self.level,
            "weighted": self.weighted,
            "structure": self.structure,
            "replicates": self.replicates,
            "notes": list(self.notes),
        }

    def to_json(self, indent: int | None = None) -> str:
        """JSON: ``{"meta": {...}, "<tier>": {"columns": [...], "data": [[...], ...]}}``."""
        doc: dict[str, Any] = {"meta": self.meta()}
        for name in TIERS:
            doc[name] = json.loads(self.tier(name).to_json(orient="split", index=False))
        return json.dumps(doc, indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> IndexScores:
        """Inverse of :meth:`to_json`."""
        try:
            doc = json.loads(text)
            meta = doc["meta"]
            frames = {
                name: normalise(pd.DataFrame(doc[name]["data"], columns=doc[name]["columns"]), name)
                for name in TIERS
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise ScoringError(
                f"not an IndexScores JSON document ({exc}); expected the output of "
                "IndexScores.to_json()",
                code="scores_json_invalid",
            ) from exc
        return cls(
            **frames,
            method=str(meta["method"]),
            level=float(meta["level"]),
            weighted=meta.get("weighted"),
            structure=meta.get("structure"),
            replicates=meta.get("replicates"),
            notes=tuple(meta.get("notes", ())),
        )
