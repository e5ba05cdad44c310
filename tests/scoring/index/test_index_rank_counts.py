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
