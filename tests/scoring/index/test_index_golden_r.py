"""score() against R's survey package (golden values, no R needed to run).

tests/golden/index/golden_index.R computed, on the small simulated survey data.csv, every
indicator, sub-dimension, dimension and the aggregate of every province and the pooled
national row with svyby(svytotal, covmat=TRUE) + svycontrast (Taylor), and with
withReplicates() on Rao–Wu subbootstrap replicates (the whole pipeline per replicate),
weighted and unweighted. The data were written by make_data.py.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from scoring import IndexScores, score
from scoring.index.indicators import indicator_values
from survey import load_questionnaire
from survey.questionnaire.schema import Questionnaire

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "index"
MINI = Path(__file__).resolve().parent / "fixtures" / "index-mini.yaml"


@cache
def _golden() -> dict[str, Any]:
    out: dict[str, Any] = json.loads((GOLDEN / "golden.json").read_text())
    return out


@cache
def _data() -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "data.csv")


@cache
def _q() -> Questionnaire:
    return load_questionnaire(MINI)


def _long(s: IndexScores, column: str) -> dict[tuple[str, str], float]:
    frame = s.to_frame()
    return {
        (str(p), str(c)): float(v)
        for p, c, v in zip(frame["province"], frame["code"], frame[column], strict=True)
    }


def _check(ours: IndexScores, ref: dict[str, Any], *, se_rtol: float) -> None:
    est, se = _long(ours, "est"), _long(ours, "se")
    for province, values in ref.items():
        for code, value in values["est"].items():
            assert est[(province, code)] == pytest.approx(value, abs=1e-9), (province, code)
        for code, value in values["se"].items():
            got = se[(province, code)]
            if se_rtol:
                assert got == pytest.approx(value, rel=se_rtol), (province, code)
            else:
                assert got == pytest.approx(value, abs=1e-6), (province, code)


def test_data_indicator_columns_match_our_indicator_values() -> None:
    codes, y, _ = indicator_values(_data(), _q())
    ref = _data().loc[:, [f"y_{c}" for c in codes]].to_numpy()
    np.testing.assert_array_equal(np.isnan(y), np.isnan(ref))
    np.testing.assert_allclose(y[~np.isnan(y)], ref[~np.isnan(ref)])


@pytest.mark.parametrize("weighted", [True, False])
def test_taylor_matches_r_to_1e6(weighted: bool) -> None:
    # R's with-replacement formula: the PSU-share correction of weighted scores off
    ours = score(
        _data(), _q(), weighted=weighted, variance="taylor", min_n=1, share_correction=False
    )
    _check(ours, _golden()["weighted" if weighted else "unweighted"]["taylor"], se_rtol=0.0)
    df = ours.composite.set_index("province")["df"]
    assert df.to_dict() == pytest.approx(_golden()["df"])


@pytest.mark.parametrize("weighted", [True, False])
def test_bootstrap_agrees_with_r_within_monte_carlo_error(weighted: bool) -> None:
    """Rao–Wu bootstrap, whole pipeline recomputed per replicate, against R's
    withReplicates() on its own 2000 subbootstrap replicates. Two independent sets of 2000
    replicates: the SE ratio has an MC sd of about 2% here (measured over seeds), so each
    SE must agree to 8% and the mean ratio over all 65 cells to 2%."""
    ours = score(_data(), _q(), weighted=weighted, variance="bootstrap", replicates=2000, rng=7)
    ref = _golden()["weighted" if weighted else "unweighted"]["bootstrap"]
    _check(ours, ref, se_rtol=0.08)
    se = _long(ours, "se")
    ratios = [se[(p, c)] / v for p, values in ref.items() for c, v in values["se"].items()]
    assert abs(np.mean(ratios) - 1) < 0.02


@pytest.mark.parametrize("weighted", [True, False])
def test_share_intervals_match_r_svyciprop_beta(weighted: bool) -> None:
    """Korn–Graubard intervals of a share indicator: R's svyciprop(method = "beta")."""
    ours = score(_data(), _q(), weighted=weighted, min_n=1, share_correction=False).indicators
    ours = ours[ours["indicator"] == "SC22_01"].set_index("province")
    ref = _golden()["svyciprop_beta_SC22_01"]["weighted" if weighted else "unweighted"]
    for province, ci in ref.items():
        assert ours.loc[province, "lci"] == pytest.approx(ci["lci"], abs=1e-7)
        assert ours.loc[province, "uci"] == pytest.approx(ci["uci"], abs=1e-7)
