"""score_published against the real published PAPI figures (every year 2018–2024).

Golden values come from the official provincial workbooks (fixtures/published/README.md)
and docs/method.md "Published figures to test against".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring import score_published
from scoring.index.results import IndexScores
from survey import published
from survey.errors import ScoringError

K_BY_YEAR = {
    2018: [4, 4, 3, 4, 4, 4, 3, 2],
    2019: [4, 4, 3, 4, 4, 4, 3, 3],
    2020: [4, 4, 3, 4, 4, 4, 3, 3],
    **{y: [4, 4, 3, 4, 3, 4, 3, 3] for y in (2021, 2022, 2023, 2024)},
}


@pytest.fixture(scope="module")
def scores() -> dict[int, IndexScores]:
    return {y: score_published(published.subdimensions(y)) for y in published.YEARS}


def _composite(s: IndexScores) -> pd.Series:
    return s.composite.set_index("province")["est"]


def test_hai_phong_2018_aggregate(scores: dict[int, IndexScores]) -> None:
    assert _composite(scores[2018])["P20"] == pytest.approx(42.8005, abs=5e-5)


def test_ha_noi_2023_d6_is_the_sum_of_its_subdimensions(scores: dict[int, IndexScores]) -> None:
    s = scores[2023]
    d6 = s.dimensions.query("province == 'P01' and dimension == 'D6'")["est"].item()
    assert d6 == pytest.approx(7.8486, abs=5e-5)
    subs = s.subdimensions.query("province == 'P01' and dimension == 'D6'")
    assert subs["subdimension"].tolist() == ["SC61", "SC62", "SC63", "SC64"]
    np.testing.assert_allclose(subs["est"], [1.7029, 1.9570, 2.2548, 1.9339], atol=5e-5)


def test_2023_distribution(scores: dict[int, IndexScores]) -> None:
    agg = _composite(scores[2023]).dropna()
    assert round(agg.mean(), 1) == 42.4
    assert round(agg.std(), 1) == 1.9
    assert round(agg.min(), 2) == 38.97
    assert round(agg.max(), 2) == 46.04
    means = scores[2023].dimensions.groupby("dimension")["est"].mean()
    np.testing.assert_allclose(
        means.loc[[f"D{i}" for i in range(1, 9)]].round(2),
        [4.88, 5.12, 4.24, 6.79, 7.20, 7.52, 3.50, 3.18],
    )


def test_2018_suppression_quang_ninh_and_dong_thap(scores: dict[int, IndexScores]) -> None:
    s = scores[2018]
    dims = s.dimensions.set_index(["province", "dimension"])
    for p in ("P14", "P56"):
        assert np.isnan(dims.loc[(p, "D2"), "est"])
        assert np.isnan(dims.loc[(p, "D4"), "est"])
        assert not np.isnan(dims.loc[(p, "D1"), "est"])
        assert pd.isna(dims.loc[(p, "D2"), "rank"])
        row = s.composite.set_index("province").loc[p]
        assert np.isnan(row["est"]) and pd.isna(row["rank"]) and pd.isna(row["group"])
    assert s.composite["rank"].notna().sum() == 61
    assert s.composite["rank"].max() == 61


@pytest.mark.parametrize("year", published.YEARS)
def test_every_year_structure_and_sums(scores: dict[int, IndexScores], year: int) -> None:
    s = scores[year]
    raw = published.subdimensions(year).set_index("province")
    k = s.dimensions.groupby("dimension").size()
    assert len(k) == 8
    subs_per_dim = s.subdimensions.groupby("dimension")["subdimension"].nunique()
    assert subs_per_dim.loc[[f"D{i}" for i in range(1, 9)]].tolist() == K_BY_YEAR[year]
    # dimension = sum of sub-dimensions where all are present, else missing
    wide = s.subdimensions.pivot(index="province", columns="subdimension", values="est")
    pd.testing.assert_frame_equal(
        wide.loc[raw.index, raw.columns], raw, check_names=False, check_dtype=False
    )
    dims = s.dimensions.pivot(index="province", columns="dimension", values="est")
    owner = s.subdimensions.drop_duplicates("subdimension").set_index("subdimension")["dimension"]
    expected = raw.T.groupby(owner.loc[raw.columns].to_numpy()).sum(min_count=1).T
    expected = expected.mask(raw.isna().T.groupby(owner.loc[raw.columns].to_numpy()).any().T)
    pd.testing.assert_frame_equal(
        dims.loc[expected.index, expected.columns], expected, check_names=False
    )
    agg = _composite(s)
    np.testing.assert_allclose(
        agg,
        dims.loc[agg.index].sum(axis=1, min_count=8).where(dims.loc[agg.index].notna().all(axis=1)),
    )
    scored = agg.dropna()
    assert ((scored >= 8) & (scored <= 80)).all()
    assert s.method == "published"
    assert s.composite["se"].isna().all() and s.composite["n"].isna().all()


@pytest.mark.parametrize("year", published.YEARS)
def test_ranks_and_groups(scores: dict[int, IndexScores], year: int) -> None:
    for frame, key in ((scores[year].dimensions, "dimension"), (scores[year].composite, None)):
        parts = frame.groupby(key) if key else [("PAPI", frame)]
        for _, part in parts:
            scored = part.dropna(subset=["est"])
            x = scored["est"].to_numpy()
            # rank 1 = best, ties share the lower rank
            expected_rank = 1 + (x[None, :] > x[:, None]).sum(axis=1)
            np.testing.assert_array_equal(scored["rank"].to_numpy(dtype=float), expected_rank)
            p25, p50, p75 = np.percentile(x, [25, 50, 75])
            expected = np.select(
                [x > p75, x >= p50, x >= p25], ["high", "high-average", "low-average"], "low"
            )
            assert scored["group"].tolist() == expected.tolist()
            assert part.loc[part["est"].isna(), "group"].isna().all()
            if len(scored) == 63:
                counts = scored["group"].value_counts()
                assert [
                    counts.get(g, 0) for g in ("high", "high-average", "low-average", "low")
                ] == [
                    16,
                    16,
                    15,
                    16,
                ]


def test_group_counts_with_63_provinces(scores: dict[int, IndexScores]) -> None:
    counts = scores[2019].composite["group"].value_counts()
    assert [counts[g] for g in ("high", "high-average", "low-average", "low")] == [16, 16, 15, 16]


def test_ties_share_the_lower_rank() -> None:
    frame = published.subdimensions(2019)
    frame.loc[frame["province"] == "P02", frame.columns[1:]] = frame.loc[
        frame["province"] == "P01", frame.columns[1:]
    ].to_numpy()
    comp = score_published(frame).composite.set_index("province")
    assert comp.loc["P01", "rank"] == comp.loc["P02", "rank"]
    assert (comp["rank"] == comp.loc["P01", "rank"] + 1).sum() == 0


def test_explicit_structure_must_match_columns() -> None:
    y2018 = published.subdimensions(2018)
    with pytest.raises(ScoringError) as info:
        score_published(y2018, {"D1": ["SC11", "SC12", "SC13", "SC14"]})
    assert info.value.code == "structure_mismatch"
    mapping = {"D1": ["SC11", "SC12", "SC13", "SC14"]}
    sub = y2018.loc[:, ["province", *mapping["D1"]]]
    out = score_published(sub, mapping)
    assert out.composite["est"].tolist() == pytest.approx(out.dimensions["est"].tolist())


def test_unscaled_scores_are_rejected_with_a_hint() -> None:
    frame = published.subdimensions(2023)
    frame["SC11"] = frame["SC11"] * 4
    with pytest.raises(ScoringError, match=r"S / k") as info:
        score_published(frame)
    assert info.value.code == "subdimension_out_of_scale"


def test_json_round_trip(scores: dict[int, IndexScores]) -> None:
    s = scores[2018]
    back = IndexScores.from_json(s.to_json())
    for name in ("indicators", "subdimensions", "dimensions", "composite"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(s, name))
    assert back.method == "published"
    long = s.to_frame()
    assert set(long["tier"]) == {"subdimensions", "dimensions", "composite"}
    assert (long.loc[long["tier"] == "composite", "code"] == "PAPI").all()


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_groups_need_four_scored_provinces(n: int) -> None:
    """Quartiles of fewer than four provinces say nothing: a one-province pilot would always
    be "high-average". Missing provinces do not count."""
    from scoring.index.groups import group_codes, ranks_and_groups

    values = np.array([[40.0 + i] for i in range(n)] + [[np.nan]])
    codes = group_codes(values)
    if n < 4:
        assert (codes == -1).all()
    else:
        assert codes[-1, 0] == -1 and (codes[:-1] >= 0).all()
        assert codes[n - 1, 0] == 0 and codes[0, 0] == 3  # the best is high, the worst low
    reps = np.stack([values, values + 1.0])
    assert (ranks_and_groups(reps, axis=1)[1] == np.stack([codes, codes])).all()
