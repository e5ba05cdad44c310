"""The PAPI selection on the synthetic national frame: counts, probabilities, reproducibility."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from survey.errors import NotFound, SamplingError
from survey.sampling import (
    Frame,
    inclusion_probabilities,
    load_frame,
    select_residents,
    select_sample,
)


@pytest.fixture(scope="module")
def frame() -> Frame:
    return load_frame()


def test_national_totals(frame: Frame) -> None:
    v = select_sample(frame, rng=7).villages
    # docs/method.md "Sampling design": 207 districts, 414 communes, 828 villages, 13,632 interviews
    assert v["district"].nunique() == 207
    assert v["commune"].nunique() == 414
    assert len(v) == 828
    assert int(v["target"].sum()) == 57 * 192 + 4 * 384 + 2 * 576
    per_prov = v.groupby("province")["district"].nunique()
    assert per_prov["P01"] == per_prov["P26"] == 6
    assert per_prov["P31"] == 3
    assert v.loc[v["province"] == "P50", "residents"].eq(30).all()
    assert v.loc[v["province"] == "P50", "reserves"].eq(15).all()


def test_seats_are_certain(frame: Frame) -> None:
    v = select_sample(frame, rng=3).villages
    assert v.loc[v["capital"], "prob_district"].eq(1.0).all()
    assert v.loc[v["district_seat"], "prob_commune"].eq(1.0).all()
    assert v.loc[v["commune_seat"], "prob_village"].eq(1.0).all()
    # every selected district has its seat commune, every selected commune its seat village
    assert v.groupby("district")["district_seat"].any().all()
    assert v.groupby("commune")["commune_seat"].any().all()
    assert v.groupby("province")["capital"].any().all()


def test_stated_probabilities_are_exact_pps(frame: Frame) -> None:
    v = select_sample(frame, rng=3).villages
    d = frame.districts()
    d = d.loc[d["province"] == "P31"]
    others = d.loc[~d["capital"]]
    pi = inclusion_probabilities(others["population"], [2], np.zeros(len(others), dtype=np.int64))
    stated = pd.Series(pi, index=others["district"])
    got = v.loc[(v["province"] == "P31") & ~v["capital"]].drop_duplicates("district")
    np.testing.assert_allclose(got["prob_district"], stated[got["district"]].to_numpy())


def test_reproducible_and_province_streams_independent(frame: Frame) -> None:
    a = select_sample(frame, rng=11).villages
    b = select_sample(frame, rng=11).villages
    pd.testing.assert_frame_equal(a, b)
    alone = select_sample(frame.subset(["P31", "P04"]), rng=11).villages
    both = a.loc[a["province"].isin(["P31", "P04"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, both)
    c = select_sample(frame, rng=12).villages
    assert not c["village"].equals(a["village"])


def _chi_square_ok(counts: np.ndarray, pi: np.ndarray, reps: int) -> bool:
    free = (pi > 0) & (pi < 1)
    obs, exp = counts[free], reps * pi[free]
    return bool(stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue > 0.001)


def test_units_selected_at_stated_probability(frame: Frame) -> None:
    """Chi-square over many seeds at each stage; certainty units always selected.

    Districts of P04 (small, 2 by πps) and P26 (medium, 5 by πps); communes of each capital
    district and villages of each capital's seat commune (both always reached), so the
    conditional probabilities can be checked against plain counts.
    """
    small = frame.subset(["P04", "P26"])
    reps = 300
    draws = pd.concat([select_sample(small, rng=seed).villages for seed in range(reps)])
    d = small.districts().set_index("district")
    c = small.communes().set_index("commune")
    vil = small.villages.set_index("village")
    n_d = draws.groupby("district")["village"].size() / 4  # 4 villages per selected district
    n_c = draws.groupby("commune")["village"].size() / 2
    n_v = draws.groupby("village").size()
    for prov, n in (("P04", 2), ("P26", 5)):
        o = d.loc[(d["province"] == prov) & ~d["capital"]]
        p = inclusion_probabilities(o["population"], [n], np.zeros(len(o), dtype=np.int64))
        assert _chi_square_ok(n_d.reindex(o.index, fill_value=0).to_numpy(), p, reps)
        cap = d.index[(d["province"] == prov) & d["capital"]][0]
        assert n_d[cap] == reps
        cc = c.loc[(c["district"] == cap) & ~c["district_seat"]]
        pc = cc["population"].to_numpy() / cc["population"].sum()
        assert _chi_square_ok(n_c.reindex(cc.index, fill_value=0).to_numpy(), pc, reps)
        seat = c.index[(c["district"] == cap) & c["district_seat"]][0]
        assert n_c[seat] == reps
        vv = vil.loc[(vil["commune"] == seat) & ~vil["commune_seat"]]
        pv = vv["population"].to_numpy() / vv["population"].sum()
        assert _chi_square_ok(n_v.reindex(vv.index, fill_value=0).to_numpy(), pv, reps)
        assert n_v[vil.index[(vil["commune"] == seat) & vil["commune_seat"]][0]] == reps
    # stated probabilities in the sample equal the exact πps ones
    stated = draws.drop_duplicates("commune").set_index("commune")["prob_commune"]
    seats = stated.index.intersection(c.index[c["district_seat"]])
    assert stated[seats].eq(1.0).all()


def test_pilot_frame(frame: Frame) -> None:
    pilot = frame.pilot("P27-D04")
    s = select_sample(pilot, rng=1)
    v = s.villages
    assert s.pilot
    assert v["district"].eq("P27-D04").all()
    assert v["prob_district"].eq(1.0).all()
    assert len(v) == 4
    assert v["stratum"].eq("P27-D04").all()
    assert v["psu"].nunique() == 2
    # pilot post-stratification targets scale to the district's adults
    assert pilot.poststrata["population"].sum() == pytest.approx(
        pilot.villages["adults"].sum(), rel=0.02
    )
    with pytest.raises(NotFound):
        frame.pilot("P99-D01")


def test_residents_lists(frame: Frame) -> None:
    s = select_sample(frame.subset(["P01", "P31"]), rng=2)
    r = select_residents(s, rng=2)
    sizes = r.groupby("village").size()
    v = s.villages.set_index("village")
    assert (sizes == (v["residents"] + v["reserves"])[sizes.index]).all()
    assert not r.duplicated(["village", "line"]).any()
    assert (r["line"] >= 1).all()
    assert (r["line"] <= v.loc[r["village"], "adults"].to_numpy()).all()
    main = r.loc[r["role"] == "main"].groupby("village").size()
    assert (main == v["residents"][main.index]).all()


def test_frame_validation(frame: Frame) -> None:
    v = frame.villages.loc[frame.villages["province"] == "P04"].copy()
    v.loc[v.index[1], "commune_seat"] = True  # two seat villages in one commune
    with pytest.raises(SamplingError, match="commune seat"):
        Frame.from_villages(v, frame.provinces, frame.poststrata)
    with pytest.raises(SamplingError, match="columns"):
        Frame.from_villages(v.drop(columns="adults"), frame.provinces, frame.poststrata)


def test_bundled_frame_regenerates_identically(tmp_path: Path) -> None:
    """fixtures/frames/make_frame.py is deterministic and produced the bundled files."""
    root = Path(__file__).resolve().parents[3]
    script = root / "fixtures" / "frames" / "make_frame.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True)
    fresh = load_frame(tmp_path)
    bundled = load_frame()
    pd.testing.assert_frame_equal(fresh.villages, bundled.villages)
    pd.testing.assert_frame_equal(fresh.provinces, bundled.provinces)
    pd.testing.assert_frame_equal(fresh.poststrata, bundled.poststrata)
    p = bundled.provinces.set_index("province")
    assert len(p) == 63
    assert set(p.index[p["size_class"] == "large"]) == {"P01", "P50"}
    assert set(p.index[p["size_class"] == "medium"]) == {"P26", "P27", "P48", "P57"}
    assert 90e6 < bundled.villages["population"].sum() < 100e6
