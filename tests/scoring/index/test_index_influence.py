"""level_influence (score()'s way, without each row's weights) gives the level columns of
influence (plan.py's way) exactly, provinces and the national row alike."""

from __future__ import annotations

import numpy as np

from scoring.index.levels import (
    AggregationWeights,
    influence,
    level_influence,
    level_influence_t,
)
from scoring.index.structure import IndexStructure
from survey import load_questionnaire


def test_level_influence_is_the_level_columns_of_influence() -> None:
    st = IndexStructure.from_questionnaire(load_questionnaire("papi-2021"))
    gen = np.random.default_rng(3)
    k, provinces, n = len(st.indicators), 5, 400
    available = gen.random((provinces + 1, k)) < 0.8
    wts = AggregationWeights.from_available(available, st, 0.5)
    domain = gen.integers(0, provinces, n).astype(np.intp)
    u = gen.normal(size=(n, k))
    u[gen.random(u.shape) < 0.05] = np.nan  # read as 0 by both
    full = influence(u, wts.w[domain], st)
    np.testing.assert_array_equal(level_influence(u, wts.w, domain, st), full[:, k:])
    national = influence(u, np.broadcast_to(wts.w[-1], u.shape), st)
    np.testing.assert_array_equal(level_influence(u, wts.w, None, st), national[:, k:])


def test_level_influence_t_reads_the_rows_of_a_reduced_index_in_place() -> None:
    """``rows`` (Prepared.score(drop=...)) gives what the copied rows give."""
    st = IndexStructure.from_questionnaire(load_questionnaire("papi-2021"))
    gen = np.random.default_rng(8)
    k, provinces, n = len(st.indicators), 4, 300
    u_t = gen.normal(size=(k + 7, n))  # rows beyond the index's: never read
    rows = np.sort(gen.choice(k + 7, k, replace=False)).astype(np.intp)
    wts = AggregationWeights.from_available(gen.random((provinces + 1, k)) < 0.8, st, 0.5)
    domain = np.sort(gen.integers(0, provinces, n)).astype(np.intp)
    copied = np.ascontiguousarray(u_t[rows])
    for dom in (domain, None):
        np.testing.assert_array_equal(
            level_influence_t(u_t, wts.w, dom, st, rows=rows),
            level_influence_t(copied, wts.w, dom, st),
        )
        np.testing.assert_array_equal(
            level_influence_t(copied, wts.w, dom, st), level_influence(copied.T, wts.w, dom, st)
        )
