"""The shortcut of rank_uncertainty (one sort per draw, groups read off the ranks) agrees with
the rule itself (every draw's ranks and groups, scoring.index.groups), or steps aside."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.index import rank_counts
from scoring.index.rank_counts import _exact_counts, _fast_counts, rank_uncertainty


def _draws(kind: str, gen: np.random.Generator) -> np.ndarray:
    r, c, m = int(gen.integers(1, 40)), int(gen.integers(1, 6)), int(gen.integers(1, 14))
    v = gen.normal(size=(r, c, m)) + gen.normal(size=(1, c, m))
    if kind == "ties":
        v = np.round(v, 1)
    elif kind == "missing_province":  # a suppressed code of a province: missing in every draw
        v[:, :, gen.integers(0, m)] = np.nan
    elif kind == "missing_code":
        v[:, 0, :] = np.nan
    elif kind == "missing_in_some_draws":
        v[gen.random(v.shape) < 0.2] = np.nan
    elif kind == "signed_zeros":
        v[..., 0], v[..., -1] = -0.0, 0.0
    elif kind == "infinite":
        v[:, :, 0] = np.inf
        v[:, :, -1] = np.nan
    elif kind == "near_ties":  # percentiles that round onto a neighbouring value
        v = 1e6 + np.round(v * 1e6) * np.spacing(1e6)
    return v


KINDS = (
    "plain",
    "ties",
    "missing_province",
    "missing_code",
    "missing_in_some_draws",
    "signed_zeros",
    "infinite",
    "near_ties",
)


@pytest.mark.parametrize("kind", KINDS)
def test_the_shortcut_gives_the_counts_of_every_draws_ranks_and_groups(kind: str) -> None:
    gen = np.random.default_rng(list(KINDS).index(kind))
    taken = 0
    for _ in range(60):
        v = _draws(kind, gen)
        fast = _fast_counts(v)
        ranks, groups = _exact_counts(np.ascontiguousarray(v))
        if fast is not None:
            taken += 1
            np.testing.assert_array_equal(fast[0], ranks)
            np.testing.assert_array_equal(fast[1], groups)
    if kind in ("plain", "missing_province", "missing_code"):
        assert taken == 60  # the case of score()'s draws: the shortcut holds
    if kind in ("ties", "missing_in_some_draws", "signed_zeros"):
        assert taken < 60  # these need the rule itself (most draws have a tie / a gap)


def test_a_percentile_rounded_onto_a_value_takes_the_rule_itself() -> None:
    # six values: P25 = x(1) + 0.25 (x(2) - x(1)) rounds onto x(1) when x(2) is the next float
    v = np.array([[[0.0, 1.0, np.nextafter(1.0, 2.0), 4.0, 5.0, 6.0]]])
    assert _fast_counts(v) is None
    _, groups = _exact_counts(v)
    assert groups[0, 1].tolist() == [0, 0, 1, 0]  # x(1) >= P25: low-average, not low


def test_rank_uncertainty_is_the_same_on_either_path(monkeypatch: pytest.MonkeyPatch) -> None:
    gen = np.random.default_rng(5)
    reps = gen.normal(size=(500, 9, 4)) + gen.normal(size=(1, 9, 4)) * 2
    reps[:, 2, 1] = np.nan
    ranked = np.arange(9) != 6  # the pooled row sits among them and is not ranked
    fast = rank_uncertainty(reps, ranked, 0.9)
    monkeypatch.setattr(rank_counts, "_fast_counts", lambda values: None)
    exact = rank_uncertainty(reps, ranked, 0.9)
    for a, b in zip(fast, exact, strict=True):
        np.testing.assert_array_equal(a, b)


def test_sort_keys_order_values_and_carry_positions() -> None:
    gen = np.random.default_rng(4)
    v = gen.normal(size=(50, 3, 37)) * 10.0 ** gen.integers(-300, 300, size=(50, 3, 37))
    v[0, 0, :4] = [np.inf, -np.inf, 0.0, -1e-310]  # infinities, zero, a subnormal
    keys, b = rank_counts._sort_keys(v)
    assert b == 6
    keys.sort(axis=-1)
    order = keys & ((1 << b) - 1)
    np.testing.assert_array_equal(np.take_along_axis(v, order, axis=-1), np.sort(v, axis=-1))


def test_values_a_few_ulps_apart_step_aside_to_the_rule_itself() -> None:
    # distinct values the packed keys cannot tell apart: the shortcut steps aside and the
    # counts are still those of every draw's ranks
    gen = np.random.default_rng(6)
    v = gen.normal(size=(20, 2, 12))
    v[:, :, 1] = np.nextafter(v[:, :, 0], np.inf)
    assert rank_counts._fast_rank_counts(v) is None
    ranks, _ = rank_counts._counts_of(v)
    exact, _ = _exact_counts(v)
    np.testing.assert_array_equal(ranks, exact)
    # distinct values: province 1 always one rank above province 0 (ties would share it)
    above = np.flatnonzero(exact[0, 1])
    np.testing.assert_array_equal(exact[0, 1, above], exact[0, 0, above + 1])


@pytest.mark.parametrize("kind", ["plain", "missing_province", "signed_zeros"])
def test_rows_too_long_for_packed_keys_sort_by_argsort(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gen = np.random.default_rng(8)
    v = _draws(kind, gen)
    expected = _fast_counts(v)
    monkeypatch.setattr(rank_counts, "KEY_BITS_MAX", 0)
    got = _fast_counts(v)
    assert (expected is None) == (got is None)
    if got is not None and expected is not None:
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)


def test_group_histograms_are_exact_sums_of_rank_bins() -> None:
    # a group's count is the sum of its ranks' bins: whole numbers, exact in float64 below
    # 2**53 (the matmul) and exact beyond it too (the integer einsum)
    gen = np.random.default_rng(4)
    c, m = 3, 9
    n = np.array([9, 7, 4])
    group = rank_counts._group_of_rank(n, m)
    for top in (1_000, 2**53 + 3):
        counts = gen.integers(0, 1_000, (c, m, m + 1)).astype(np.int64)
        counts[0, 0, 1] = top
        expected = np.zeros((c, m, 4), dtype=np.int64)
        for code in range(c):
            for rank in range(m + 1):
                if group[code, rank] >= 0:
                    expected[code, :, group[code, rank]] += counts[code, :, rank]
        np.testing.assert_array_equal(rank_counts.rank_groups(counts, n), expected)
