"""``score_published``: dimensions, aggregate, ranks and groups from published sub-dimensions.

Arithmetic of docs/method.md "Arithmetic", verified against every published province-year 2018–2024
(tests/scoring/index/test_published.py): a dimension is the sum of its published
sub-dimension scores (each on [1/k, 10/k]), the aggregate the sum of the eight dimensions;
a province missing any sub-dimension of a dimension has no score for that dimension, hence
no aggregate and no rank. Ranks and groups: groups.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from scoring.index.results import (
    COMPOSITE_CODE,
    IndexScores,
    Provenance,
    level_frame,
    normalise,
)
from scoring.index.structure import IndexStructure, combine
from survey.errors import ScoringError
from survey.published import codebook
from survey.questionnaire.loader import load_questionnaire

StructureLike = Any  # IndexStructure | Mapping[str, Sequence[str]] | questionnaire | id | None

# Published values are rounded; a few sit a hair outside [1/k, 10/k] (0.995/k in 2020).
_SCALE_SLACK = 0.1


def infer_structure(columns: Sequence[str]) -> IndexStructure:
    """The structure of the published codebook restricted to ``columns`` (SC11…)."""
    cb = codebook().set_index("subdimension")
    unknown = [c for c in columns if c not in cb.index]
    if unknown:
        raise ScoringError(
            f"unknown sub-dimension column(s) {unknown}; expected codes of the published "
            "codebook (SC11…SC83) or pass `structure=` explicitly",
            code="unknown_subdimension",
        )
    order = [c for c in cb.index if c in set(columns)]
    mapping: dict[str, list[str]] = {}
    for sub in order:
        mapping.setdefault(str(cb.loc[sub, "dimension"]), []).append(sub)
    return IndexStructure.from_mapping(mapping, name="published codebook")


def resolve_structure(structure: StructureLike, columns: Sequence[str]) -> IndexStructure:
    """``None`` → inferred from ``columns``; a questionnaire, its id/path, a mapping or an
    :class:`IndexStructure` → that structure."""
    if structure is None:
        return infer_structure(columns)
    if isinstance(structure, IndexStructure):
        return structure
    if isinstance(structure, Mapping):
        return IndexStructure.from_mapping(structure)
    if isinstance(structure, str):
        structure = load_questionnaire(structure)
    return IndexStructure.from_questionnaire(structure)


def _subdimension_matrix(frame: pd.DataFrame, st: IndexStructure) -> tuple[list[str], np.ndarray]:
    if "province" in frame.columns:
        table = frame.set_index("province")
    elif frame.index.name == "province":
        table = frame
    else:
        raise ScoringError(
            "published scores need a `province` column (P01…P63), one row per province",
            code="province_column_missing",
        )
    present = [c for c in table.columns if table[c].notna().any()]
    missing = [s for s in st.subdimensions if s not in table.columns]
    extra = [c for c in present if c not in st.subdimensions]
    if missing or extra:
        raise ScoringError(
            f"published scores do not match the structure {st.name or ''}: missing "
            f"sub-dimensions {missing}, unexpected {extra}; pass the structure of the year "
            "the scores belong to (or structure=None to infer it)",
            code="structure_mismatch",
        )
    if table.index.duplicated().any():
        dup = sorted(set(table.index[table.index.duplicated()]))
        raise ScoringError(f"province(s) {dup} appear twice; expected one row each")
    values = table.loc[:, list(st.subdimensions)].apply(pd.to_numeric, errors="coerce")
    x = values.to_numpy(dtype=np.float64)
    k = st.k()
    scaled = x * k
    bad = np.argwhere((scaled < 1 - _SCALE_SLACK) | (scaled > 10 + _SCALE_SLACK))
    if bad.size:
        i, j = bad[0]
        raise ScoringError(
            f"{table.index[i]} {st.subdimensions[j]} = {x[i, j]:.4f} is outside the published "
            f"scale [1/k, 10/k] with k = {int(k[j])}; expected published sub-dimension scores "
            "(a 1–10 sub-dimension score S is published as S / k)",
            code="subdimension_out_of_scale",
        )
    return [str(p) for p in table.index], x


def score_published(
    subdimensions: pd.DataFrame, structure: StructureLike = None, *, confidence: float = 0.95
) -> IndexScores:
    """Dimensions, aggregate (8–80), ranks and performance groups from published scores.

    Published scores carry no uncertainty: ``se``, ``lci``, ``uci`` and ``n`` are missing.

    Parameters
    ----------
    subdimensions : pandas.DataFrame
        One row per province (column ``province``), one column per sub-dimension (SC11…)
        on the published scale [1/k, 10/k], as ``survey.published.subdimensions(year)``
        returns.
    structure : Questionnaire, str, IndexStructure, mapping or None, default None
        ``None`` infers the year's structure from the columns present (k = sub-dimensions
        per dimension present); a questionnaire (or its id, e.g. ``"papi-2021"``), an
        :class:`IndexStructure` or a mapping ``{"D1": ["SC11", ...]}`` imposes one.
    confidence : float, default 0.95
        Recorded as the result's confidence level (there are no intervals).

    Returns
    -------
    IndexScores
        ``method="published"``: the sub-dimension, dimension and composite tables.
    """
    present = [c for c in subdimensions.columns if c != "province"]
    st = resolve_structure(structure, present)
    provinces, sub = _subdimension_matrix(subdimensions, st)
    dims = combine(sub, st.subdimension_to_dimension())
    agg = combine(dims, np.ones((len(st.dimensions), 1)))
    ranked = np.ones(len(provinces), dtype=bool)
    empty = normalise(pd.DataFrame(columns=["province", "indicator"]), "indicators")
    return IndexScores(
        indicators=empty,
        subdimensions=level_frame(
            "subdimensions",
            provinces,
            st.subdimensions,
            sub,
            ranked=ranked,
            owners={"dimension": st.subdimension_dimension},
        ),
        dimensions=level_frame("dimensions", provinces, st.dimensions, dims, ranked=ranked),
        composite=level_frame("composite", provinces, [COMPOSITE_CODE], agg, ranked=ranked),
        method="published",
        confidence=confidence,
        weighted=None,
        structure=st.name,
        provenance=Provenance(weighting="none: the published sub-dimension scores"),
    )
