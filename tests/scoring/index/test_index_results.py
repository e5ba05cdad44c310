"""IndexScores: one serialisation, provenance, tables that cannot be changed through the
result, and the national-table rule (docs/scoring.md "Which pooled row is national")."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import api.reporting.report as report
from scoring import IndexScores, score, score_published
from scoring.index.groups import group_codes, group_labels, ranks
from scoring.index.results import (
    KEYS,
    PROB_COLUMNS,
    TIERS,
    is_national,
    level_frame,
    normalise,
)
from survey.errors import ScoringError
from survey.published import subdimensions
from survey.questionnaire.loader import load_questionnaire
from survey.simulate import simulate


@pytest.fixture(scope="module")
def scores() -> IndexScores:
    sim = simulate(2021, rng=5, provinces=["P01", "P02", "P03"], respondents_per_village=3)
    return score(sim.responses, sim.questionnaire, replicates=40, rng=9, min_n=4, ci_dist="normal")


def test_round_trip_is_exact_and_keeps_the_provenance(scores: IndexScores) -> None:
    back = IndexScores.from_json(scores.to_json())
    assert back.equals(scores)
    assert back.provenance == scores.provenance
    # every float survives exactly (the old pandas to_json kept 10 digits)
    se = scores.composite["se"].to_numpy()
    assert np.array_equal(back.composite["se"].to_numpy(), se, equal_nan=True)
    # the document is plain JSON: no NaN tokens
    assert "NaN" not in scores.to_json()
    assert back.equals(IndexScores.from_dict(json.loads(scores.to_json())))
    published = score_published(subdimensions(2021))
    assert IndexScores.from_json(published.to_json()).equals(published)


def test_files_of_the_earlier_split_format_still_load(scores: IndexScores) -> None:
    doc = {"meta": {k: v for k, v in scores.meta().items() if k != "provenance"}}
    for t in TIERS:
        doc[t] = json.loads(scores.tier(t).to_json(orient="split", index=False))
    old = IndexScores.from_json(json.dumps(doc))
    assert old.provenance is None
    pd.testing.assert_frame_equal(old.composite, scores.composite, rtol=1e-9)
    with pytest.raises(ScoringError) as info:
        IndexScores.from_json('{"meta": {}}')
    assert info.value.code == "scores_json_invalid"


def test_provenance_records_how_the_result_was_made(scores: IndexScores) -> None:
    p = scores.provenance
    assert p is not None
    assert (scores.method, scores.confidence, scores.replicates) == ("taylor", 0.95, 40)
    assert (p.seed, p.ci_dist, p.min_n, p.min_share) == (9, "normal", 4, 0.5)
    assert any("min_n" in rule for rule in p.suppression)
    assert (p.strata, p.psu, p.weights, p.lonely_psu) == ("stratum", "psu", "weight", "fail")
    assert "post-stratified" in (p.weighting or "")
    q = load_questionnaire("papi-2021")
    assert scores.structure == q.id and p.questionnaire_version == q.full_version
    assert p.engine_version and p.engine_version != "unknown"
    sim = simulate(2021, rng=5, provinces=["P01", "P02"], respondents_per_village=3)
    boot = score(sim.responses, q, variance="bootstrap", replicates=20, rng=3, weighted=False)
    assert boot.provenance is not None
    assert (boot.method, boot.replicates, boot.provenance.seed) == ("bootstrap", 20, 3)
    assert boot.provenance.weights is None and "unweighted" in str(boot.provenance.weighting)
    # a Generator: the seed drawn from it is recorded, and it repeats the result
    drawn = score(sim.responses, q, rng=np.random.default_rng(1), weighted=False)
    assert drawn.provenance is not None and isinstance(drawn.provenance.seed, int)
    again = score(sim.responses, q, rng=drawn.provenance.seed, weighted=False)
    assert again.equals(drawn)
    # no rng: seed 0, recorded (reproducible by default, docs/glossary.md)
    default = score(sim.responses, q, weighted=False)
    assert default.provenance is not None and default.provenance.seed == 0


def test_tables_cannot_be_changed_through_the_result(scores: IndexScores) -> None:
    before = scores.composite["est"].to_numpy().copy()
    for t in TIERS:
        frame = getattr(scores, t)
        if len(frame):
            frame.loc[frame.index[0], "est"] = 1e9
        frame["extra"] = 1
        again = scores.tier(t)
        del again["est"]
        assert "extra" not in scores.tier(t).columns and "est" in scores.tier(t).columns
    assert np.array_equal(scores.composite["est"].to_numpy(), before, equal_nan=True)
    with pytest.raises(AttributeError):
        scores.composite = scores.composite  # type: ignore[misc]


def test_the_national_rule_lives_in_scoring(scores: IndexScores) -> None:
    assert vars(report)["is_national"] is is_national  # the report imports scoring's rule
    assert not scores.is_national()  # 3 provinces are not Viet Nam
    published = score_published(subdimensions(2021))
    assert published.is_national()
    few = published.composite
    few = few[few["province"].isin(["P01", "P02", "VN"])]
    assert not is_national(few, published.dimensions.iloc[:0])


@pytest.mark.parametrize("tier", TIERS)
def test_level_frame_is_the_canonical_table_of_its_columns(tier: str) -> None:
    """level_frame builds each column in its final dtype (for speed); the table is the one
    the general path (normalise) makes of the same raw columns: dtypes, missing values,
    rounding of whole numbers, text."""
    gen = np.random.default_rng(4)
    provinces = ["P01", "P02", "P03", "P04", "P05", "VN"]
    codes = ["A1", "A2", "B1"] if tier != "composite" else ["PAPI"]
    p, c = len(provinces), len(codes)
    est = gen.normal(size=(p, c))
    est[1, 0] = np.nan
    ranked = np.arange(p) < p - 1
    stats = {
        "se": gen.random((p, c)),
        "df": np.array([5.0, 2.0, np.nan, 7.0, 3.0, 40.0]),
        "n": np.where(gen.random((p, c)) < 0.2, np.nan, gen.integers(0, 50, (p, c)) + 0.0),
        "rescaled": gen.random((p, c)),
    }
    owners = {"dimension": ["D1", "D1", "D2"]} if tier == "subdimensions" else None
    interval = (np.where(ranked[:, None], 1.0, np.nan) * np.ones((p, c)), np.full((p, c), 3.5))
    probs = gen.dirichlet(np.ones(4), size=(p, c))
    frame = level_frame(
        tier,
        provinces,
        codes,
        est,
        ranked=ranked,
        stats=stats,
        owners=owners,
        rank_interval=interval,
        group_probs=probs,
    )
    basis = np.where(ranked[:, None], est, np.nan)
    raw: dict[str, object] = {
        "province": np.repeat(provinces, c),
        "est": est.ravel(),
        "rank": ranks(basis).ravel(),
        "group": group_labels(group_codes(basis)).ravel(),
        "se": stats["se"].ravel(),
        "df": np.repeat(stats["df"], c),
        "n": stats["n"].ravel(),
        "rescaled": stats["rescaled"].ravel(),
        "rank_lci": interval[0].ravel(),
        "rank_uci": interval[1].ravel(),
        **{name: probs[:, :, j].ravel() for j, name in enumerate(PROB_COLUMNS)},
    }
    if KEYS[tier]:
        raw[str(KEYS[tier])] = np.tile(codes, p)
    if owners:
        raw["dimension"] = np.tile(owners["dimension"], p)
    expected = normalise(pd.DataFrame(raw), tier)
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert frame.equals(expected)
    assert frame["group"].isna().sum() == expected["group"].isna().sum() > 0
    # absent statistics are missing columns of their dtype, as normalise makes them
    bare = level_frame(tier, provinces, codes, est, ranked=ranked)
    given = [name for name in bare.columns if name in raw and not bare[name].isna().all()]
    pd.testing.assert_frame_equal(bare, normalise(bare.loc[:, given], tier), check_exact=True)
