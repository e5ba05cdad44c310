"""πps inclusion probabilities and randomised systematic selection."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from survey.errors import SamplingError
from survey.sampling import inclusion_probabilities, systematic_pps


def test_probabilities_proportional_to_size() -> None:
    pi = inclusion_probabilities([1, 2, 3, 4], [2], [0, 0, 0, 0])
    np.testing.assert_allclose(pi, [0.2, 0.4, 0.6, 0.8])


def test_large_unit_becomes_certain_and_others_rescale() -> None:
    # 2 * 10 / 14 >= 1: unit 0 is certain; the remaining 1 draw is πps over 1, 1, 2
    pi = inclusion_probabilities([10, 1, 1, 2], [2], [0, 0, 0, 0])
    np.testing.assert_allclose(pi, [1.0, 0.25, 0.25, 0.5])


def test_cascading_certainty() -> None:
    # after removing 100, 50 becomes certain among (50, 1, 1, 1) with n = 2
    pi = inclusion_probabilities([100, 50, 1, 1, 1], [3], [0] * 5)
    np.testing.assert_allclose(pi, [1.0, 1.0, 1 / 3, 1 / 3, 1 / 3])


def test_n_capped_and_zero_sizes_never_selected() -> None:
    pi = inclusion_probabilities([3, 0, 5], [5], [0, 0, 0])
    np.testing.assert_allclose(pi, [1.0, 0.0, 1.0])


def test_bad_input_raises() -> None:
    with pytest.raises(SamplingError):
        inclusion_probabilities([1, -2], [1], [0, 0])
    with pytest.raises(SamplingError):
        inclusion_probabilities([1, 2], [1], [0, 3])


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.floats(0.01, 1000.0), min_size=1, max_size=30),
    n=st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_fixed_size_and_bounds(sizes: list[float], n: int, seed: int) -> None:
    x = np.array(sizes)
    g = np.zeros(len(x), dtype=np.int64)
    pi = inclusion_probabilities(x, [n], g)
    assert np.all((pi >= 0) & (pi <= 1))
    assert pi.sum() == pytest.approx(min(n, len(x)))
    rng = np.random.default_rng(seed)
    chosen, pi2 = systematic_pps(x, [n], g, rng.random(len(x)), rng.random(1))
    np.testing.assert_allclose(pi, pi2)
    assert chosen.sum() == min(n, len(x))
    assert chosen[pi >= 1 - 1e-12].all()


def _replicated_selection(sizes: np.ndarray, n: int, reps: int, seed: int) -> np.ndarray:
    """``reps`` independent draws in one vectorised call: each replicate is its own group."""
    rng = np.random.default_rng(seed)
    k = len(sizes)
    x = np.tile(sizes, reps)
    g = np.repeat(np.arange(reps), k)
    chosen, _ = systematic_pps(x, np.full(reps, n), g, rng.random(k * reps), rng.random(reps))
    return chosen.reshape(reps, k).sum(axis=0)


def _chi_square_p(counts: np.ndarray, pi: np.ndarray, reps: int) -> float:
    free = (pi > 0) & (pi < 1)
    expected = reps * pi[free]
    # Pearson on selection counts (df = units - 1: the sample size is fixed)
    return float(
        stats.chisquare(counts[free], expected * counts[free].sum() / expected.sum()).pvalue
    )


def test_selection_frequencies_match_probabilities() -> None:
    sizes = np.array([50.0, 1, 2, 3, 5, 8, 13, 21, 34, 4, 7, 9])
    n, reps = 4, 20000
    pi = inclusion_probabilities(sizes, [n], np.zeros(len(sizes), dtype=np.int64))
    assert pi[0] == 1.0
    counts = _replicated_selection(sizes, n, reps, seed=11)
    assert counts[0] == reps  # the certainty unit, always
    assert _chi_square_p(counts, pi, reps) > 0.001
    z = (counts - reps * pi) / np.sqrt(np.maximum(reps * pi * (1 - pi), 1e-12))
    assert np.abs(z[(pi > 0) & (pi < 1)]).max() < 4.5


def test_chi_square_detects_wrong_probabilities() -> None:
    # the same test must reject when the stated probabilities are wrong (equal instead of πps)
    sizes = np.array([1.0, 2, 3, 5, 8, 13, 21, 34])
    reps = 20000
    counts = _replicated_selection(sizes, 3, reps, seed=5)
    wrong = np.full(len(sizes), 3 / len(sizes))
    assert _chi_square_p(counts, wrong, reps) < 1e-6
