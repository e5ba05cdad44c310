"""Uncertain choices as columns of a unit-cube design, and the index rebuilt for many runs.

Every choice is one or more U(0,1) columns (Saltelli et al. 2008, *Global Sensitivity
Analysis: The Primer*, §1.2.3): a discrete choice with n alternatives cuts its column into n
equal bins (alternative ``⌊u·n⌋``); the weight noise ±x turns each weight's column into the
multiplier ``1 − x + 2x·u``. The Monte Carlo fills the cube with pseudo-random points,
Sobol' analysis with SALib's Saltelli/Sobol' sequence; both evaluate the same
:meth:`Design.evaluate`, which is vectorised across runs: Python loops only run over the
few alternatives of each discrete choice and over the levels of the hierarchy.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scoring.sensitivity.aggregate import aggregate
from scoring.sensitivity.data import IndexData
from scoring.sensitivity.normalise import normalise
from scoring.sensitivity.spec import Aggregation, Spec
from scoring.sensitivity.weights import base_weights
from survey.errors import ScoringError, SpecError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

MAX_EXCLUSION_SETS = 200_000
CELLS_PER_CHUNK = 4_000_000


@dataclass(frozen=True)
class Factor:
    """A factor of the sensitivity analysis: its cube columns and alternatives."""

    name: str
    columns: tuple[int, ...]
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choices:
    """The decoded choices of R runs (one entry per run)."""

    norm: IntArray
    agg: tuple[IntArray, ...]  # per level
    scheme: IntArray
    noise: FloatArray  # (runs, weights) multipliers
    excluded: BoolArray  # (runs, weights)
    est: IntArray
    rep: IntArray  # 0 = full sample, 1..B a replicate

    def __len__(self) -> int:
        return len(self.norm)


@dataclass(frozen=True)
class Outputs:
    """Scores of R runs: aggregate ``(runs, provinces)``, dimensions ``(runs, provinces, D)``."""

    aggregate: FloatArray
    dimensions: FloatArray


class Design:
    """The uncertain choices of ``spec`` on ``data``, validated, as a unit-cube design.

    Parameters
    ----------
    data : IndexData
        The audit's leaves.
    spec : Spec
        The uncertain choices.

    Raises
    ------
    SpecError
        A choice that does not apply to ``data`` (located by a JSON pointer).
    """

    def __init__(self, data: IndexData, spec: Spec) -> None:
        spec.check(
            microdata=data.microdata,
            levels=[lv.name for lv in data.levels],
            codes=data.codes(),
        )
        missing = sorted(set(spec.estimates) - set(data.estimates))
        if missing:
            raise SpecError(
                f"estimates {missing} were not computed for this data; "
                f"available: {list(data.estimates)}",
                code="spec_inapplicable",
            )
        self.est_index = np.array([data.estimates.index(e) for e in spec.estimates])
        if spec.sampling_error and data.replicates == 0:
            raise SpecError(
                "sampling_error is on but the data carry no replicate estimates; "
                "build the input with replicates > 0",
                code="spec_inapplicable",
            )
        self.data, self.spec = data, spec
        self.aggs: tuple[tuple[Aggregation, ...], ...] = tuple(
            spec.aggregations(lv.name) for lv in data.levels
        )
        self.offsets = data.weight_offsets()
        self.weight_codes = tuple(c for lv in data.levels for c in lv.children)
        self.schemes = base_weights(data, spec)  # (schemes, weights)
        self.exclusion_sets = self._exclusion_sets()
        self.memberships = tuple(lv.membership() for lv in data.levels)
        self.factors = self._factors()
        self._fixed_leaves: FloatArray = np.stack(
            [normalise(data.values[0, 0], m, data.lo, data.hi) for m in spec.normalisation]
        )
        self.n_columns = sum(len(f.columns) for f in self.factors)
        scored = int((~np.isnan(self.evaluate(self.nominal()).aggregate[0])).sum())
        if scored < 2:
            gaps = np.isnan(data.values[0, 0]).any(axis=0)
            raise ScoringError(
                f"{scored} province(s) have a complete index, expected at least 2 to rank; "
                f"leaves missing in some province: {list(np.asarray(data.leaves)[gaps])}",
                code="sensitivity_input",
            )

    # ----- factors ------------------------------------------------------------------------
    def _exclusion_sets(self) -> BoolArray:
        """Rows: the alternatives of the exclusion choice, as dropped-weight masks."""
        ex, n_w = self.spec.exclusion, len(self.weight_codes)
        if ex.mode == "none":
            return np.zeros((1, n_w), dtype=bool)
        li = [lv.child_kind for lv in self.data.levels].index(ex.level)
        level = self.data.levels[li]
        start = self.offsets[li]
        if ex.mode == "one_at_a_time":
            combos: list[tuple[int, ...]] = [(), *((i,) for i in range(len(level.children)))]
        else:
            n_sets = math.comb(len(level.children), ex.k)
            if n_sets > MAX_EXCLUSION_SETS:
                raise SpecError(
                    f"exclusion of k={ex.k} {ex.level}s gives {n_sets} sets; "
                    f"expected at most {MAX_EXCLUSION_SETS}: lower k",
                    code="spec_inapplicable",
                )
            combos = list(itertools.combinations(range(len(level.children)), ex.k))
        owner = np.asarray(level.parent_of)
        masks = np.zeros((len(combos), n_w), dtype=bool)
        keep = np.ones(len(combos), dtype=bool)
        for row, combo in enumerate(combos):
            idx = np.asarray(combo, dtype=np.int64)
            masks[row, start + idx] = True
            left = np.bincount(owner, minlength=len(level.parents)) - np.bincount(
                owner[idx], minlength=len(level.parents)
            )
            keep[row] = bool((left > 0).all())
        if not keep.any():
            raise SpecError(
                f"every exclusion of k={ex.k} {ex.level}s empties a group; lower k",
                code="spec_inapplicable",
            )
        return masks[keep]

    def _factors(self) -> tuple[Factor, ...]:
        spec, data = self.spec, self.data
        found: list[tuple[str, int, tuple[str, ...]]] = []  # name, columns, labels
        if len(spec.normalisation) > 1:
            found.append(("normalisation", 1, spec.normalisation))
        for lv, alts in zip(data.levels, self.aggs, strict=True):
            if len(alts) > 1:
                found.append((f"aggregation.{lv.name}", 1, tuple(a.label for a in alts)))
        if len(spec.weights.schemes) > 1:
            found.append(("weights", 1, spec.weights.schemes))
        if spec.weights.noise > 0:
            found.append(("weight_noise", len(self.weight_codes), ()))
        if len(self.exclusion_sets) > 1:
            labels = tuple(
                "+".join(np.asarray(self.weight_codes)[m]) or "none" for m in self.exclusion_sets
            )
            found.append(("exclusion", 1, labels))
        if len(spec.estimates) > 1:
            found.append(("estimates", 1, spec.estimates))
        if spec.sampling_error:
            found.append(("sampling", 1, tuple(f"r{i}" for i in range(1, data.replicates + 1))))
        factors, col = [], 0
        for name, n, labels in found:
            factors.append(Factor(name, tuple(range(col, col + n)), labels))
            col += n
        return tuple(factors)

    @property
    def chunk(self) -> int:
        """Runs per evaluation: about 4 million leaf values (≈ 32 MB) per array."""
        cells = len(self.data.provinces) * len(self.data.leaves)
        return int(np.clip(CELLS_PER_CHUNK // cells, 100, 2000))

    def groups(self) -> list[str]:
        """Factor name of every cube column (SALib's ``groups``)."""
        return [f.name for f in self.factors for _ in f.columns]

    # ----- decoding -----------------------------------------------------------------------
    def nominal(self, runs: int = 1) -> Choices:
        """PAPI's (the first) alternative of every choice, full-sample estimates."""
        n_w = len(self.weight_codes)
        zeros = np.zeros(runs, dtype=np.int64)
        return Choices(
            norm=zeros,
            agg=tuple(zeros for _ in self.aggs),
            scheme=zeros,
            noise=np.ones((runs, n_w)),
            excluded=np.zeros((runs, n_w), dtype=bool),
            est=np.full(runs, self.est_index[0], dtype=np.int64),
            rep=zeros,
        )

    def decode(self, cube: FloatArray) -> Choices:
        """Choices of ``len(cube)`` runs from points of the unit cube."""
        u = np.asarray(cube, dtype=np.float64)
        out = self.nominal(len(u))
        by = {f.name: f for f in self.factors}

        def pick(name: str, n: int) -> IntArray | None:
            f = by.get(name)
            if f is None:
                return None
            return np.minimum((u[:, f.columns[0]] * n).astype(np.int64), n - 1)

        norm = pick("normalisation", len(self.spec.normalisation))
        agg = tuple(
            pick(f"aggregation.{lv.name}", len(a))
            for lv, a in zip(self.data.levels, self.aggs, strict=True)
        )
        scheme = pick("weights", len(self.spec.weights.schemes))
        excl = pick("exclusion", len(self.exclusion_sets))
        est = pick("estimates", len(self.spec.estimates))
        rep = pick("sampling", self.data.replicates)
        noise = out.noise
        if "weight_noise" in by:
            x = self.spec.weights.noise
            noise = 1.0 - x + 2.0 * x * u[:, list(by["weight_noise"].columns)]
        return Choices(
            norm=out.norm if norm is None else norm,
            agg=tuple(o if a is None else a for o, a in zip(out.agg, agg, strict=True)),
            scheme=out.scheme if scheme is None else scheme,
            noise=noise,
            excluded=out.excluded if excl is None else self.exclusion_sets[excl],
            est=out.est if est is None else self.est_index[est],
            rep=out.rep if rep is None else rep + 1,
        )

    # ----- evaluation ---------------------------------------------------------------------
    def leaves(self, c: Choices) -> FloatArray:
        """Normalised leaf values ``(runs | 1, provinces, leaves)``."""
        data, methods = self.data, self.spec.normalisation
        if data.values.shape[:2] == (1, 1):  # fixed data: normalise once per method
            if np.all(c.norm == c.norm[0]):
                return self._fixed_leaves[int(c.norm[0]) : int(c.norm[0]) + 1]
            return np.asarray(self._fixed_leaves[c.norm], dtype=np.float64)
        raw = data.values[c.est, c.rep]  # (runs, provinces, leaves)
        out = np.empty_like(raw)
        for m in np.unique(c.norm):  # few normalisations
            idx = c.norm == m
            out[idx] = normalise(raw[idx], methods[int(m)], data.lo, data.hi)
        return out

    def evaluate(self, c: Choices) -> Outputs:
        """Rebuild the index for every run of ``c``."""
        weights = self.schemes[c.scheme] * c.noise * ~c.excluded
        x = self.leaves(c)
        dims = x
        for li, (level, alts) in enumerate(zip(self.data.levels, self.aggs, strict=True)):
            w = weights[:, self.offsets[li] : self.offsets[li + 1]]
            m = self.memberships[li]
            if len(alts) == 1:
                x = aggregate(x, w, m, alts[0])
            else:
                nxt = np.empty((len(c), x.shape[1], m.shape[1]))
                for a in np.unique(c.agg[li]):  # few aggregation methods
                    idx = c.agg[li] == a
                    xa = x if x.shape[0] == 1 else x[idx]
                    nxt[idx] = aggregate(xa, w[idx], m, alts[int(a)])
                x = nxt
            if level.name == "index":
                per_alt = np.array([1.0 if a.method == "copeland" else m.shape[0] for a in alts])
                x = x * per_alt[c.agg[li]][:, None, None]
            elif li == len(self.data.levels) - 2:
                dims = x
        agg = np.broadcast_to(x[:, :, 0], (len(c), x.shape[1]))
        return Outputs(np.array(agg), np.array(np.broadcast_to(dims, (len(c), *dims.shape[1:]))))
