"""score() gives the saved outputs of score_snapshot.py: speed work changes no number.

Floats are compared to 1e-11 relative (a matrix product may round differently on another
CPU's BLAS kernels; nothing the statistics could notice, far below any real change), every
other column (n, ranks, rank intervals, groups, keys) and the notes and provenance exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from scoring.index.results import TIERS
from tests.scoring.index.score_snapshot import CASES, document, load, run


@pytest.fixture(scope="module")
def saved() -> dict[str, dict[str, Any]]:
    return load()


def test_the_snapshot_holds_every_case(saved: dict[str, dict[str, Any]]) -> None:
    assert set(saved) == set(CASES)


@pytest.mark.parametrize("case", list(CASES))
def test_score_reproduces_the_saved_output(case: str, saved: dict[str, dict[str, Any]]) -> None:
    now, then = document(run(case)), saved[case]
    assert now["meta"] == then["meta"]
    for tier in TIERS:
        a, b = pd.DataFrame(now[tier]), pd.DataFrame(then[tier])
        assert list(a.columns) == list(b.columns), tier
        assert len(a) == len(b), tier
        for col in a.columns:
            x, y = a[col].to_numpy(), b[col].to_numpy()
            if a[col].dtype.kind == "f" or b[col].dtype.kind == "f":
                x, y = x.astype(np.float64), y.astype(np.float64)
                if col in {"n", "rank", "rank_lci", "rank_uci"}:  # whole numbers, exactly
                    np.testing.assert_array_equal(x, y, err_msg=f"{case} {tier}.{col}")
                else:
                    np.testing.assert_allclose(
                        x, y, rtol=1e-11, atol=1e-14, err_msg=f"{case} {tier}.{col}"
                    )
            else:
                assert x.tolist() == y.tolist(), f"{case} {tier}.{col}"
