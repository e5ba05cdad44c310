"""The posterior draws by blocks (uncertainty.py): each block of ``DRAW_BLOCK`` draws has its
own generator, and score() turns each block into rank and group histograms on a few threads
without keeping the draws.

The histograms must be those of the full draws (``rank_uncertainty(posterior_draws(...))``),
whatever the number of threads, and a block where the shortcut fails must count by the rule
itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from scoring.index import rank_counts
from scoring.index.rank_counts import _counts_of, rank_uncertainty
from scoring.index.uncertainty import (
    DRAW_BLOCK,
    PosteriorRanks,
    posterior_draws,
    posterior_rank_uncertainty,
)

FloatArray = np.ndarray


def _posterior_counts(*model: Any, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The summed histograms of the blocks of ``posterior_draws(*model)``, on ``workers``
    threads (the caller one of them)."""
    est, se, df, ci_dist, draws, rng = model
    job = PosteriorRanks(est, se, df, ci_dist, draws, rng, 0.95, background=workers - 1)
    return job.counts()


def _survey(seed: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Estimates and SEs of 14 provinces × 5 codes, one province without estimates, one SE
    missing, and design df from 2 to infinite."""
    gen = np.random.default_rng(seed)
    p, c = 14, 5
    est = gen.normal(50.0, 3.0, (p, c))
    se = gen.uniform(0.5, 3.0, (p, c))
    est[4] = np.nan  # a province with no estimate: NaN in every draw, never ranked
    se[7, 2] = np.nan  # a cell without an SE keeps its estimate
    df = np.array([2.0, 4.0, np.inf, 10.0] * 3 + [2.0, 30.0])
    return est, se, df


DRAWS = 5 * DRAW_BLOCK + 7  # a short last block


@pytest.mark.parametrize("ci_dist", ["t", "normal"])
def test_the_counts_are_the_same_on_any_number_of_threads(ci_dist: str) -> None:
    est, se, df = _survey(1)
    one = _posterior_counts(est, se, df, ci_dist, DRAWS, 11, workers=1)
    for workers in (2, 3):
        other = _posterior_counts(est, se, df, ci_dist, DRAWS, 11, workers=workers)
        np.testing.assert_array_equal(one[0], other[0])
        np.testing.assert_array_equal(one[1], other[1])
    assert one[0].sum() == DRAWS * 5 * 13  # every draw ranks the 13 provinces with estimates


@pytest.mark.parametrize("ci_dist", ["t", "normal"])
def test_the_counts_are_those_of_the_full_draws(ci_dist: str) -> None:
    est, se, df = _survey(2)
    rng = np.random.default_rng(5)
    draws = posterior_draws(est, se, df, ci_dist, DRAWS, 5)
    assert np.isnan(draws[:, 4]).all() and np.isfinite(np.delete(draws, 4, axis=1)).all()
    whole = _counts_of(np.moveaxis(draws, 1, -1))
    fused = _posterior_counts(est, se, df, ci_dist, DRAWS, rng, workers=2)
    np.testing.assert_array_equal(fused[0], whole[0])
    np.testing.assert_array_equal(fused[1], whole[1])
    expected = rank_uncertainty(draws, np.ones(est.shape[0], dtype=bool), 0.9)
    got = posterior_rank_uncertainty(est, se, df, ci_dist, DRAWS, 5, 0.9, workers=2)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_block_draws_the_same_numbers_whatever_the_number_of_draws() -> None:
    est, se, df = _survey(3)
    short = posterior_draws(est, se, df, "t", 2 * DRAW_BLOCK, 8)
    long = posterior_draws(est, se, df, "t", DRAWS, np.random.default_rng(8))
    np.testing.assert_array_equal(short, long[: 2 * DRAW_BLOCK])
    assert not np.array_equal(long[:DRAW_BLOCK], long[DRAW_BLOCK : 2 * DRAW_BLOCK])


def test_a_block_without_the_shortcut_counts_by_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks whose first draw puts the first province above 50 are refused the shortcut
    (the choice depends on the block's numbers only, not on which thread runs it); the
    counts are still those of the full draws, and some blocks took each way."""
    est, se, df = _survey(4)
    draws = posterior_draws(est, se, df, "t", DRAWS, 3)
    whole = _counts_of(np.moveaxis(draws, 1, -1))
    shortcut = rank_counts._fast_rank_counts
    taken: list[bool] = []

    def sometimes(values: FloatArray) -> tuple[FloatArray, FloatArray] | None:
        refuse = bool(values[0, 0, 0] > 50.0)
        taken.append(not refuse)
        return None if refuse else shortcut(values)

    monkeypatch.setattr(rank_counts, "_fast_rank_counts", sometimes)
    fused = _posterior_counts(est, se, df, "t", DRAWS, 3, workers=2)
    np.testing.assert_array_equal(fused[0], whole[0])
    np.testing.assert_array_equal(fused[1], whole[1])
    assert any(taken) and not all(taken)


def test_tied_provinces_take_the_rule_in_every_block() -> None:
    """Two provinces with the same estimate and no SE are equal in every draw: they share a
    rank, which the shortcut cannot count."""
    est, se, df = _survey(5)
    est[1], se[1], est[2], se[2] = est[0], np.nan, est[0], np.nan
    draws = posterior_draws(est, se, df, "t", DRAWS, 4)
    assert np.array_equal(draws[:, 1], draws[:, 2])
    assert rank_counts._fast_counts(np.moveaxis(draws[:DRAW_BLOCK], 1, -1)) is None
    expected = rank_uncertainty(draws, np.ones(est.shape[0], dtype=bool), 0.95)
    got = posterior_rank_uncertainty(est, se, df, "t", DRAWS, 4, 0.95, workers=2)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.array_equal(got[0][1], got[0][2])


@pytest.mark.parametrize(("p", "c", "draws"), [(5, 3, 0), (5, 3, 1), (0, 3, 40), (5, 0, 40)])
def test_no_draws_or_no_rows_give_empty_histograms(p: int, c: int, draws: int) -> None:
    gen = np.random.default_rng(p * 100 + c * 10 + draws)
    est, se, df = gen.normal(size=(p, c)), np.ones((p, c)), np.full(p, 3.0)
    got = posterior_rank_uncertainty(est, se, df, "t", draws, 1, 0.95, workers=2)
    expected = rank_uncertainty(posterior_draws(est, se, df, "t", draws, 1), np.ones(p, bool), 0.95)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, b)
    assert got[0].shape == (p, c) and got[2].shape == (p, c, 4)
    assert np.isnan(got[0]).all() == (draws == 0 or p == 0 or c == 0)


def test_a_failing_block_raises_in_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    from scoring.index import uncertainty

    est, se, df = _survey(7)
    calls = {"n": 0}
    real = rank_counts.block_counts

    def third_fails(values: FloatArray) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise FloatingPointError("block 3")
        return real(values)

    monkeypatch.setattr(uncertainty, "block_counts", third_fails)
    with pytest.raises(FloatingPointError, match="block 3"):
        posterior_rank_uncertainty(est, se, df, "t", DRAWS, 4, 0.9, workers=2)
    # cancelled before it starts: no block is computed, and nothing is left running
    calls["n"] = 0
    job = uncertainty.PosteriorRanks(est, se, df, "t", DRAWS, 4, 0.9, background=0)
    job.cancel()
    assert calls["n"] == 0


def test_blocks_queued_on_a_busy_executor_give_the_same_counts() -> None:
    """score() queues the background worker on its second thread behind other work: the
    worker takes the blocks left once that work is done (none, if the caller took them all)."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    est, se, df = _survey(6)
    alone = _posterior_counts(est, se, df, "t", DRAWS, 9, workers=1)
    for busy_for in (0.0, 0.02, 0.2):
        with ThreadPoolExecutor(max_workers=1) as side:
            busy = side.submit(time.sleep, busy_for)
            job = PosteriorRanks(est, se, df, "t", DRAWS, 9, 0.95, background=1, executor=side)
            got = job.counts()
            busy.result()
        np.testing.assert_array_equal(got[0], alone[0])
        np.testing.assert_array_equal(got[1], alone[1])
        assert got[0].sum() > 0


def test_counts_of_a_cancelled_job_are_refused() -> None:
    """After cancel() the blocks left are never computed: counts() says so instead of
    returning histograms of part of the draws."""
    est, se, df = _survey(8)
    job = PosteriorRanks(est, se, df, "t", DRAWS, 4, 0.9, background=0)
    job.cancel()
    with pytest.raises(RuntimeError, match="blocks of rank draws were not computed"):
        job.counts()
