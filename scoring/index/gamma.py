"""Gamma variates for many shapes at once, the candidates shared along one axis.

The rank stage of ``score()`` (``scoring.index.uncertainty``) needs one Γ(ν/2) variate per
draw, code and province, each cell on its own moderated df ν: 2.2 million variates for a
national survey, which ``Generator.standard_gamma`` draws one cell at a time with its own
normal and uniform candidates, about 50 ms, half of the stage. Every output of the draws
(rank and group histograms) is read per code, so the draws of different codes need not be
independent; those of different provinces within a code must be. ``score()``'s draws
already share the rows' normal and the draw's μ noise across codes.

:func:`gamma_shared` runs Marsaglia & Tsang's (2000) method, the one numpy uses for shapes
of at least 1, on candidates ``(X, U)`` (a standard normal and a uniform) drawn once per
draw and province and shared by all codes. Each cell applies its own shape to them:
``d = α − 1/3``, ``c = 1/√(9d)``, ``V = (1 + cX)³``; it accepts ``d V`` when ``V > 0`` and
``U < 1 − 0.0331 X⁴`` (the squeeze, which does not depend on the shape: about 92% of the
candidates pass it for every code at once) or ``log U < X²/2 + d (1 − V + log V)``. A cell
that rejects its candidate takes a fresh ``standard_gamma`` variate: the method returns the
first accepted candidate of an independent sequence, so after a rejection its output is
distributed as a fresh run of it. Shapes below 1 (ν < 2, where the method does not apply)
draw from ``standard_gamma`` directly. Each cell's value is therefore exactly Γ(α)
distributed, cells of different provinces are independent, and the work per cell is a few
multiplications on arrays that stay in cache: about 13 ms instead of 50
(``bench/score_bench.py``; docs/scoring.md, "Speed").

Written here because no library draws gamma variates with shared candidates; checked by
Kolmogorov–Smirnov tests against ``scipy.stats.gamma`` per shape
(tests/scoring/index/test_index_gamma.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

SQUEEZE = 0.0331
"""Marsaglia & Tsang's squeeze constant: accept when ``U < 1 − 0.0331 X⁴``."""


@dataclass(frozen=True)
class GammaShapes:
    """The shapes (C, P) of :func:`gamma_shared` and what the method needs of them, computed
    once per set of draws."""

    shape: FloatArray  # (C, P) α
    d: FloatArray  # (C, P) α − 1/3 (2/3 where α < 1: unused, those cells are redrawn)
    c: FloatArray  # (C, P) 1/√(9d)
    small: NDArray[np.bool_]  # (C, P) α < 1: drawn by standard_gamma

    @classmethod
    def of(cls, shape: FloatArray) -> GammaShapes:
        a = np.ascontiguousarray(shape, dtype=np.float64)
        if a.ndim != 2:
            raise ValueError(f"shapes must be (codes, rows), got shape {a.shape}")
        if not (np.isfinite(a).all() and (a > 0).all()):
            raise ValueError("gamma shapes must be finite and positive")
        small = a < 1.0
        d = np.where(small, 1.0, a) - 1.0 / 3.0
        return cls(shape=a, d=d, c=1.0 / np.sqrt(9.0 * d), small=small)


def gamma_shared(gen: np.random.Generator, shapes: GammaShapes, size: int) -> FloatArray:
    """``size`` draws (size, C, P) of Γ(α) per cell (α = ``shapes.shape``), the candidates
    shared along the codes axis C: exact marginals, independent along P and along draws.

    Consumes from ``gen``, in this order: ``size × P`` normals, ``size × P`` uniforms, then a
    ``standard_gamma`` variate per rejected cell and per cell with α < 1.
    """
    c_codes, p = shapes.shape.shape
    x = gen.standard_normal((size, 1, p))
    u = gen.random((size, 1, p))
    # every array (size, C, P) in C order, so that the flat views below are views
    v = np.multiply(shapes.c, x, out=np.empty((size, c_codes, p)))
    v += 1.0
    positive = v > 0.0
    cube = np.square(v, out=np.empty_like(v))
    cube *= v  # V = (1 + cX)³
    # the squeeze, the same for every code of a (draw, province)
    x2 = np.square(x)
    squeezed = u < 1.0 - SQUEEZE * np.square(x2)  # (size, 1, P)
    accept = np.logical_and(positive, squeezed, out=np.empty(v.shape, dtype=bool))
    open_cells = np.flatnonzero(~accept)
    redo = open_cells  # the cells without a value: those the full test rejects (below)
    if open_cells.size:
        # the full test where the squeeze did not decide (and V > 0)
        draw_i, _, row_i = np.unravel_index(open_cells, accept.shape)
        d_open = np.broadcast_to(shapes.d, accept.shape).reshape(-1)[open_cells]
        v_open = cube.reshape(-1)[open_cells]
        ok = v_open > 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ok = np.log(u[draw_i, 0, row_i]) < 0.5 * x2[draw_i, 0, row_i] + d_open * (
                1.0 - v_open + np.log(v_open)
            )
        redo = open_cells[~(ok & log_ok)]
    out = np.multiply(shapes.d, cube, out=cube)
    if shapes.small.any():  # and every cell of a shape below 1, in the same (flat) order
        small = np.flatnonzero(np.broadcast_to(shapes.small, accept.shape))
        redo = np.union1d(redo, small)
    if redo.size:
        alpha = np.broadcast_to(shapes.shape, accept.shape).reshape(-1)[redo]
        out.reshape(-1)[redo] = gen.standard_gamma(alpha)
    return out
