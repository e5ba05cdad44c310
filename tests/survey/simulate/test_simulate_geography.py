"""Simulating in the 2025 geography: two-tier design, derived calibration, former provinces."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring import score
from scoring.index.domains import score_former_provinces
from survey.errors import SamplingError, ScoringError
from survey.geography.history import derived_subdimensions
from survey.simulate import simulate


@pytest.fixture(scope="module")
def sim():  # type: ignore[no-untyped-def]
    return simulate(2024, rng=5, provinces=["N31", "N46"], geography=2025)


def test_two_tier_survey(sim) -> None:  # type: ignore[no-untyped-def]
    r = sim.responses
    assert set(r["province"]) == {"N31", "N46"}
    assert (r["stratum"] == r["province"]).all() and (r["psu"] == r["commune"]).all()
    assert r.groupby("province")["psu"].nunique().to_dict() == {"N31": 12, "N46": 6}
    assert set(r["former_province"]) <= {"P19", "P20", "P31"}
    # province_code answers the former province (the questionnaire lists the 63)
    assert (r["province_code"] == r["former_province"].str[1:].astype(float)).all()
    # calibrated to 2024 derived on the new provinces: the province truth reproduces it
    truth = sim.truth_at("province", "subdimension").set_index(["province", "code"])["value"]
    target = derived_subdimensions(2024).set_index("province")
    for prov in ("N31", "N46"):
        got = truth.loc[prov].reindex(target.columns).dropna()
        np.testing.assert_allclose(got, target.loc[prov, got.index], rtol=1e-9)


def test_former_provinces_as_domains(sim) -> None:  # type: ignore[no-untyped-def]
    r = sim.responses
    by_former = score_former_provinces(r, sim.questionnaire)
    comp = by_former.composite.set_index("province")
    assert set(comp.index) - {"VN"} == set(r["former_province"])
    assert any("former provinces" in n for n in by_former.notes)
    whole = score(r, sim.questionnaire).composite.set_index("province")
    # the domains split the new province: Huế (one former province) is the same estimate
    assert comp.loc["P31", "est"] == pytest.approx(whole.loc["N46", "est"])
    with pytest.raises(ScoringError, match="former_province"):
        score_former_provinces(r.drop(columns="former_province"), sim.questionnaire)


def test_no_district_pilot_in_2025() -> None:
    with pytest.raises(SamplingError, match="no longer has"):
        simulate(2024, pilot="P01-D03", geography="2025")


def _papi(*args: str) -> subprocess.CompletedProcess[str]:
    code = "from api.cli.main import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )


def test_sample_and_simulate_cli(tmp_path: Path) -> None:
    run = _papi(
        "sample", "--geography", "2025", "--provinces", "N46", "--communes", "8", "--seed", "3",
        "--out", str(tmp_path / "s.csv"), "--json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["geography"] == "2025" and summary["provinces"][0]["communes"] == 8
    table = pd.read_csv(tmp_path / "s.csv")
    assert (table["district"] == table["commune"]).all() and len(table) == 16
    assert set(table["former_province"]) == {"P31"}
    bad = _papi("sample", "--geography", "2025", "--districts", "4")
    assert bad.returncode != 0 and "no districts" in bad.stderr
    run = _papi(
        "simulate", "--geography", "2025", "--year", "2024", "--provinces", "N46", "--seed", "1",
        "--out", str(tmp_path / "r.parquet"), "--json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["geography"] == "2025"
    assert set(pd.read_parquet(tmp_path / "r.parquet")["province"]) == {"N46"}
