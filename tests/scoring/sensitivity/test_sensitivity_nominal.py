"""CIs and rank intervals of the engine's nominal choices (``nominal_uncertainty``): the
replicate SEs by the library's replicate-variance rule, ``scoring.score``'s numbers on PAPI's
own choices, rank intervals from ``scoring.index.uncertainty``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from scoring import score
from scoring.design.replicates import replicate_variance
from scoring.design.results import quantile
from scoring.index.groups import group_labels, ranks_and_groups
from scoring.index.rank_counts import rank_uncertainty
from scoring.index.uncertainty import posterior_draws
from scoring.sensitivity import Design, IndexData, Spec, microdata_input
from scoring.sensitivity.nominal import nominal_uncertainty
from scoring.sensitivity.spec import LEVELS, Aggregation, Normalisation, WeightSchemes
from survey.errors import SpecError
from survey.simulate import simulate

PROVINCES = [f"P{i:02d}" for i in (1, 2, 4, 8, 10, 15, 22, 26, 31, 40, 48, 60)]
R = 40
SEED = 4


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return simulate(2023, rng=11, provinces=PROVINCES).responses


@pytest.fixture(scope="module")
def data(sim: pd.DataFrame) -> IndexData:
    out = microdata_input(
        sim, "papi-2021", replicates=R, rng=SEED, estimates=("unweighted",), min_n=10
    )
    assert not out.notes  # every indicator kept: the index is PAPI's whole index
    return out


def _spec(agg: str, norm: Normalisation, weights: dict[str, float] | None = None) -> Spec:
    how = (Aggregation(method=agg),)  # type: ignore[arg-type]
    return Spec(
        normalisation=(norm,),
        aggregation=dict.fromkeys(LEVELS, how),
        weights=WeightSchemes(schemes=("user",), user=weights) if weights else WeightSchemes(),
    )


@pytest.mark.parametrize(
    ("agg", "norm", "weights"),
    [
        ("geometric", "goalposts", None),
        ("arithmetic", "minmax", {"D1": 2.0, "D8": 0.5}),
        ("geometric", "rank", None),
    ],
)
def test_ses_are_the_spread_of_the_index_recomputed_per_replicate(
    data: IndexData, agg: str, norm: Normalisation, weights: dict[str, float] | None
) -> None:
    design = Design(data, _spec(agg, norm, weights))
    lib = nominal_uncertainty(design, draws=200, rng=1)
    loop = []
    for r in range(1, R + 1):  # one run per replicate, replicate r's leaves
        out = design.evaluate(replace(design.nominal(), rep=np.array([r])))
        loop.append(np.column_stack([out.aggregate[0], out.dimensions[0]]))
    reps = np.stack(loop)
    rs = data.replicate_scale
    assert rs is not None
    se = np.sqrt(replicate_variance(reps, lib.est, rs.scale, rs.rscale, rs.mse))
    np.testing.assert_allclose(lib.se, se, rtol=1e-12)
    # Rao–Wu's rule: the replicates' standard deviation (scale 1/(R − 1), rscale 1)
    np.testing.assert_allclose(lib.se, reps.std(axis=0, ddof=1), rtol=1e-12)
    assert (lib.se > 0).all()
    # the CI: est ± t_df · se on the province's design df, the quantile of score()
    q = quantile(0.95, data.df[0], "t")[:, None]  # type: ignore[index]
    np.testing.assert_allclose(lib.lci, lib.est - q * lib.se, rtol=1e-14)
    np.testing.assert_allclose(lib.uci, lib.est + q * lib.se, rtol=1e-14)


def test_papi_choices_give_scores_estimates_and_bootstrap_ses(
    sim: pd.DataFrame, data: IndexData
) -> None:
    """On PAPI's own choices the engine's scores are score()'s, and its SEs are score()'s
    bootstrap SEs: on the same replicate weights (microdata_input draws its replicates from
    the integer it takes from the Generator of ``rng``; score() from the Generator of its
    seed) they agree to rounding (rtol 1e-9: the same means in another order of sums)."""
    lib = nominal_uncertainty(Design(data, Spec()), draws=200, rng=1)
    seed = int(np.random.default_rng(SEED).integers(2**31))
    ref = score(sim, "papi-2021", weighted=False, variance="bootstrap", replicates=R, rng=seed)
    comp = ref.composite.set_index("province").loc[list(lib.provinces)]
    np.testing.assert_allclose(lib.est[:, 0], comp["est"], rtol=1e-10)
    np.testing.assert_allclose(lib.se[:, 0], comp["se"], rtol=1e-9)
    dims = ref.dimensions.set_index(["dimension", "province"])
    for j, code in enumerate(lib.codes[1:], start=1):
        d = dims.loc[code].loc[list(lib.provinces)]
        np.testing.assert_allclose(lib.est[:, j], d["est"], rtol=1e-10)
        np.testing.assert_allclose(lib.se[:, j], d["se"], rtol=1e-9)
        np.testing.assert_allclose(lib.lci[:, j], d["lci"], rtol=1e-9)
    np.testing.assert_array_equal(lib.rank[:, 0], comp["rank"])
    assert list(lib.group[:, 0]) == list(comp["group"])


def test_rank_intervals_come_from_scores_posterior_draws(data: IndexData) -> None:
    design = Design(data, _spec("geometric", "minmax"))
    lib = nominal_uncertainty(design, confidence=0.9, draws=300, rng=7)
    post = posterior_draws(lib.est, lib.se, lib.df, "t", 300, np.random.default_rng(7))
    lo, hi, probs = rank_uncertainty(post, np.ones(len(lib.provinces), dtype=bool), 0.9)
    np.testing.assert_array_equal(lib.rank_lci, lo)
    np.testing.assert_array_equal(lib.rank_uci, hi)
    np.testing.assert_array_equal(lib.group_probs, probs)
    rank, groups = ranks_and_groups(lib.est)
    np.testing.assert_array_equal(lib.rank, rank)
    assert (lib.group == group_labels(groups)).all()
    assert ((lib.rank_lci <= lib.rank) & (lib.rank <= lib.rank_uci)).all()
    np.testing.assert_allclose(lib.group_probs.sum(axis=-1), 1.0)
    again = nominal_uncertainty(design, confidence=0.9, draws=300, rng=7)
    np.testing.assert_array_equal(again.rank_lci, lib.rank_lci)


def test_the_table_holds_one_row_per_code_and_province(data: IndexData) -> None:
    lib = nominal_uncertainty(Design(data, _spec("geometric", "goalposts")), draws=100)
    table = lib.table()
    assert len(table) == len(lib.provinces) * len(lib.codes)
    row = table[(table["code"] == lib.codes[2]) & (table["province"] == lib.provinces[3])]
    assert row["uci"].item() == lib.uci[3, 2] and row["group"].item() == lib.group[3, 2]


def test_leaves_without_replicates_are_refused(sim: pd.DataFrame) -> None:
    bare = microdata_input(sim, "papi-2021", replicates=0, estimates=("unweighted",))
    with pytest.raises(SpecError, match="replicates"):
        nominal_uncertainty(Design(bare, Spec()))
