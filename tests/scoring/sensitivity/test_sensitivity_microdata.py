"""The audit on simulated microdata: leaves are ``scoring.score``'s province estimates,
sampling error enters through bootstrap replicates, weighted vs unweighted is a choice."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from api.cli.sensitivity import register
from scoring import score
from scoring.sensitivity import Design, Spec, default_audit, run_sensitivity, uncertainty
from scoring.sensitivity.microdata import microdata_input
from survey.errors import ScoringError, SpecError
from survey.simulate import simulate

PROVINCES = [f"P{i:02d}" for i in (1, 2, 4, 8, 10, 15, 22, 26, 31, 40, 48, 60)]


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return simulate(2023, rng=11, provinces=PROVINCES).responses


@pytest.fixture(scope="module")
def data(sim: pd.DataFrame):  # type: ignore[no-untyped-def]
    # min_n=40 (scoring's default is 10) so that some indicators asked of a screened subset
    # (procedure users, ...) fall short in some province: the `drop` path and its note
    return microdata_input(sim, "papi-2021", replicates=60, rng=4, min_n=40)


@pytest.fixture(scope="module")
def scores(sim: pd.DataFrame) -> dict[bool, object]:
    return {w: score(sim, "papi-2021", weighted=w, replicates=20) for w in (False, True)}


def test_leaves_are_the_scored_indicator_estimates(data, scores) -> None:  # type: ignore[no-untyped-def]
    for e, weighted in enumerate((False, True)):
        ind = scores[weighted].indicators  # type: ignore[attr-defined]
        ref = ind[ind["province"] != "VN"].pivot(
            index="province", columns="indicator", values="est"
        )
        ref = ref.loc[list(data.provinces), list(data.leaves)].to_numpy()
        np.testing.assert_allclose(data.values[e, 0], ref, rtol=1e-10)
    assert data.estimates == ("unweighted", "weighted")
    assert data.values.shape[1] == 61 and data.notes  # 60 replicates; rare indicators dropped


def test_bootstrap_replicates_carry_the_sampling_error(data, scores) -> None:  # type: ignore[no-untyped-def]
    """The spread of the replicate leaves is the design SE (Taylor) within MC error."""
    ind = scores[False].indicators  # type: ignore[attr-defined]
    se = ind[ind["province"] != "VN"].pivot(index="province", columns="indicator", values="se")
    se = se.loc[list(data.provinces), list(data.leaves)].to_numpy()
    boot = data.values[0, 1:].std(axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.nanmedian(boot / se)
    assert 0.85 < ratio < 1.15, ratio


def test_nominal_dimensions_match_score(data, scores) -> None:  # type: ignore[no-untyped-def]
    """Dimensions none of whose indicators were dropped equal scoring.score's."""
    res = uncertainty(Design(data, Spec()), runs=3, rng=0).provinces
    dims = scores[False].dimensions  # type: ignore[attr-defined]
    dropped = data.notes[0].split(": ")[1].split(", ")
    complete = {f"D{i}" for i in range(1, 9)} - {"D" + c[2] for c in dropped}
    assert complete
    for d in sorted(complete):
        ours = res[res["output"] == d].set_index("province")["nominal_score"]
        ref = dims[dims["dimension"] == d].set_index("province").loc[ours.index, "est"]
        np.testing.assert_allclose(ours, ref, rtol=1e-10)


def test_fixed_choices_collapse_and_sampling_error_does_not(data) -> None:  # type: ignore[no-untyped-def]
    fixed = uncertainty(Design(data, Spec()), runs=40, rng=1).provinces
    np.testing.assert_array_equal(fixed["rank_q05"], fixed["nominal_rank"])
    np.testing.assert_array_equal(fixed["rank_q95"], fixed["nominal_rank"])
    sampling = uncertainty(Design(data, Spec(sampling_error=True)), runs=400, rng=1)
    agg = sampling.provinces[sampling.provinces["output"] == "PAPI"]
    assert (agg["rank_q95"] - agg["rank_q05"]).max() >= 2
    assert sampling.overall.set_index("output").loc["PAPI", "mean_abs_shift"] > 0


def test_weighted_estimates_as_the_nominal_choice(data, scores) -> None:  # type: ignore[no-untyped-def]
    res = uncertainty(Design(data, Spec(estimates=("weighted",))), runs=2).provinces
    dims = scores[True].dimensions  # type: ignore[attr-defined]
    d1 = res[res["output"] == "D4"].set_index("province")["nominal_score"]
    ref = dims[dims["dimension"] == "D4"].set_index("province").loc[d1.index, "est"]
    dropped = {"D" + c[2] for c in data.notes[0].split(": ")[1].split(", ")}
    if "D4" not in dropped:
        np.testing.assert_allclose(d1, ref, rtol=1e-10)
    assert not np.allclose(
        d1,
        uncertainty(Design(data, Spec()), runs=2).provinces.query("output == 'D4'")[
            "nominal_score"
        ],
    )


def test_full_audit_with_sampling_error(data) -> None:  # type: ignore[no-untyped-def]
    res = run_sensitivity(data, default_audit(microdata=True), runs=300, sobol_n=32, rng=2)
    assert res.factors == (
        "normalisation", "aggregation.subdimension", "aggregation.dimension",
        "aggregation.index", "weight_noise", "exclusion", "estimates", "sampling",
    )  # fmt: skip
    alpha = res.diagnostics.alpha
    sub = alpha[alpha["level"] == "subdimension"]
    assert (sub["basis"] == "respondents (design-weighted)").all()
    assert res.to_json()["notes"] == list(data.notes)


def test_microdata_choices_need_what_they_use(sim: pd.DataFrame) -> None:
    bare = microdata_input(sim, "papi-2021", replicates=0, estimates=("unweighted",))
    with pytest.raises(SpecError, match="replicate"):
        Design(bare, Spec(sampling_error=True))
    with pytest.raises(SpecError, match="weighted"):
        Design(bare, Spec(estimates=("unweighted", "weighted")))
    with pytest.raises(SpecError, match="weighted"):
        Design(bare, Spec(estimates=("weighted",)))
    with pytest.raises(SpecError, match="sets"):
        Design(bare, Spec.parse({"exclusion": {"mode": "random", "level": "indicator", "k": 9}}))
    with pytest.raises(ScoringError, match="weight column"):
        microdata_input(sim.drop(columns="weight"), "papi-2021", replicates=0)
    suppressed = microdata_input(sim, "papi-2021", replicates=0, sparse="suppress", min_n=250)
    with pytest.raises(ScoringError, match="expected at least 2 to rank"):
        Design(suppressed, Spec())


def test_cli_on_responses(sim: pd.DataFrame, tmp_path: Path) -> None:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """papi (test)."""

    register(app)
    sim.to_csv(tmp_path / "sim.csv", index=False)
    out = tmp_path / "out.json"
    res = CliRunner().invoke(
        app,
        ["sensitivity", "--responses", str(tmp_path / "sim.csv"), "--questionnaire", "papi-2021",
         "--runs", "200", "--sobol-n", "16", "--replicates", "20", "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert doc["input"]["replicates"] == 20 and len(doc["provinces"]) == len(PROVINCES)
    assert "sampling" in doc["factors"] and "notes" in doc
