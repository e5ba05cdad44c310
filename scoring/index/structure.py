"""The index structure (dimensions → sub-dimensions → indicators) as linear maps.

PAPI's arithmetic (docs/method.md "Arithmetic") is linear once the goalposts are fixed:

    r_i   = 1 + 9 (x_i − L_i) / (U_i − L_i)          = a_i + b_i x_i
    sub_s = (1 / k_d) · mean_{i ∈ s} r_i               (the published sub-dimension scale)
    D_d   = Σ_{s ∈ d} sub_s,      PAPI = Σ_d D_d

so every level is ``constant + values @ matrix``. :func:`combine` applies such a map with the
suppression rule: a missing input makes every output it feeds missing (PAPI publishes no
dimension when one of its sub-dimensions is missing, and we apply the same rule one level
down: no sub-dimension score when one of its indicators is missing, because a mean over the
remaining indicators would silently change what the sub-dimension measures).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from survey.errors import ScoringError
from survey.questionnaire.schema import Questionnaire, Structure

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class IndexStructure:
    """Codes of each level and who belongs to whom; ``k_d`` is derived, never stored."""

    dimensions: tuple[str, ...]
    subdimensions: tuple[str, ...]
    subdimension_dimension: tuple[str, ...]
    indicators: tuple[str, ...] = ()
    indicator_subdimension: tuple[str, ...] = ()
    goalposts: tuple[tuple[float, float], ...] = ()
    name: str | None = None

    def __post_init__(self) -> None:
        if len(self.subdimensions) != len(self.subdimension_dimension):
            raise ScoringError("every sub-dimension needs its dimension", code="structure_invalid")
        unknown = sorted(set(self.subdimension_dimension) - set(self.dimensions))
        empty = [d for d in self.dimensions if d not in self.subdimension_dimension]
        bad_ind = sorted(set(self.indicator_subdimension) - set(self.subdimensions))
        if unknown or empty or bad_ind or len(set(self.subdimensions)) < len(self.subdimensions):
            raise ScoringError(
                f"index structure is inconsistent: unknown dimensions {unknown}, empty dimensions "
                f"{empty}, indicators in unknown sub-dimensions {bad_ind}; expected every "
                "sub-dimension to belong to exactly one listed dimension",
                code="structure_invalid",
            )
        for (low, high), code in zip(self.goalposts, self.indicators, strict=True):
            if low == high:
                raise ScoringError(
                    f"indicator {code} has goalposts L == U == {low}; expected L != U",
                    code="structure_invalid",
                )

    # ----- constructors -------------------------------------------------------------------
    @classmethod
    def from_mapping(
        cls, mapping: Mapping[str, Sequence[str]], name: str | None = None
    ) -> IndexStructure:
        """``{"D1": ["SC11", "SC12", ...], ...}`` → a structure without indicators."""
        dims = tuple(mapping)
        subs = tuple(s for d in dims for s in mapping[d])
        owner = tuple(d for d in dims for _ in mapping[d])
        return cls(dims, subs, owner, name=name)

    @classmethod
    def from_questionnaire(cls, questionnaire: Questionnaire | Structure) -> IndexStructure:
        """The structure of a loaded questionnaire (``q.structure.dimensions[i]...``)."""
        tree = (
            questionnaire.structure if isinstance(questionnaire, Questionnaire) else questionnaire
        )
        dims: list[str] = []
        subs: list[str] = []
        owner: list[str] = []
        inds: list[str] = []
        ind_owner: list[str] = []
        goalposts: list[tuple[float, float]] = []
        for dim in tree.dimensions:
            dims.append(str(dim.code))
            for sub in dim.subdimensions:
                subs.append(str(sub.code))
                owner.append(str(dim.code))
                for ind in sub.indicators:
                    inds.append(str(ind.code))
                    ind_owner.append(str(sub.code))
                    low, high = ind.goalposts
                    goalposts.append((float(low), float(high)))
        name = questionnaire.id if isinstance(questionnaire, Questionnaire) else None
        return cls(
            tuple(dims),
            tuple(subs),
            tuple(owner),
            tuple(inds),
            tuple(ind_owner),
            tuple(goalposts),
            name=name,
        )

    # ----- linear maps --------------------------------------------------------------------
    def k(self) -> FloatArray:
        """``k_d`` of every sub-dimension's dimension, shape (S,)."""
        owner = np.array(self.subdimension_dimension, dtype=object)
        counts = {d: int((owner == d).sum()) for d in self.dimensions}
        return np.array([counts[d] for d in self.subdimension_dimension], dtype=np.float64)

    def rescale_coefficients(self) -> tuple[FloatArray, FloatArray]:
        """``(a, b)`` with ``r = a + b x``: ``b = 9/(U−L)``, ``a = 1 − 9L/(U−L)``."""
        gp = np.array(self.goalposts, dtype=np.float64).reshape(-1, 2)
        b = 9.0 / (gp[:, 1] - gp[:, 0])
        return 1.0 - b * gp[:, 0], b

    def membership(self) -> FloatArray:
        """(K, S) 0/1: indicator i belongs to sub-dimension s."""
        sub_index = {s: j for j, s in enumerate(self.subdimensions)}
        cols = np.array([sub_index[s] for s in self.indicator_subdimension], dtype=np.int64)
        out = np.zeros((len(self.indicators), len(self.subdimensions)))
        out[np.arange(len(cols)), cols] = 1.0
        return out

    def indicator_to_subdimension(self) -> FloatArray:
        """(K, S): ``1 / (m_s k_d)`` for indicator i of sub-dimension s (mean, then / k)."""
        sub_index = {s: j for j, s in enumerate(self.subdimensions)}
        cols = np.array([sub_index[s] for s in self.indicator_subdimension], dtype=np.int64)
        m = np.bincount(cols, minlength=len(self.subdimensions)).astype(np.float64)
        out = np.zeros((len(self.indicators), len(self.subdimensions)))
        out[np.arange(len(cols)), cols] = 1.0 / (m[cols] * self.k()[cols])
        return out

    def subdimension_to_dimension(self) -> FloatArray:
        """(S, D) membership: a dimension is the sum of its (published-scale) sub-dimensions."""
        dim_index = {d: j for j, d in enumerate(self.dimensions)}
        cols = np.array([dim_index[d] for d in self.subdimension_dimension], dtype=np.int64)
        out = np.zeros((len(self.subdimensions), len(self.dimensions)))
        out[np.arange(len(cols)), cols] = 1.0
        return out


def combine(
    values: FloatArray, matrix: FloatArray, constant: FloatArray | float = 0.0
) -> FloatArray:
    """``constant + values @ matrix`` over the last axis, with missing-input propagation.

    ``values`` may have any leading axes (provinces, replicates). An output is NaN when any
    input with a non-zero coefficient is NaN.
    """
    v = np.asarray(values, dtype=np.float64)
    missing = np.isnan(v)
    out = np.where(missing, 0.0, v) @ matrix + constant
    if missing.any():
        hit = missing.astype(np.float64) @ (matrix != 0).astype(np.float64)
        out = np.where(hit > 0, np.nan, out)
    return np.asarray(out, dtype=np.float64)
