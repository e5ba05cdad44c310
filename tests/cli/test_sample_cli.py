"""`papi sample` through a subprocess: drawing a PAPI sample, the resident lists and the
survey body, from the bundled frame (provinces, a pilot district) and from a user's own
villages table; bad frames end with exit 1 and one line saying what is wrong."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db.migrate import upgrade
from survey.sampling import load_frame, select_sample
from tests.api.support import admin_token, make_settings
from tests.cli_runner import papi

IDS = dict.fromkeys(("province", "district", "commune", "village", "stratum", "psu"), str)
PROBS = ["prob_district", "prob_commune", "prob_village", "prob_person"]


def ok(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    res = papi(cwd, *args)
    assert res.returncode == 0, res.stderr[-3000:]
    return res


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=IDS)


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Ha Noi (large) and Hai Phong (small) drawn from the bundled frame, seed 7."""
    tmp = tmp_path_factory.mktemp("sample")
    res = ok(
        tmp, "sample", "--provinces", "P01,P20", "--seed", "7", "--out", "sample.csv",
        "--residents", "residents.csv", "--survey-json", "survey.json",
        "--name", "PAPI 2026 Ha Noi and Hai Phong", "--year", "2026",
    )  # fmt: skip
    return tmp, res.stdout


def check_rules(s: pd.DataFrame, frame_districts: pd.DataFrame, extra: dict[str, int]) -> None:
    """PAPI's selection: the capital plus ``extra[province]`` districts, the seat commune plus
    one per district, the seat village plus one per commune, the seats with certainty."""
    assert s[PROBS].gt(0).all().all() and s[PROBS].le(1).all().all()
    for province, g in s.groupby("province"):
        capital = frame_districts.loc[
            (frame_districts["province"] == province) & frame_districts["capital"], "district"
        ]
        assert g["district"].nunique() == 1 + extra[str(province)]
        assert set(capital) <= set(g["district"])
        assert (g.loc[g["district"].isin(capital), "prob_district"] == 1).all()
        assert (g.loc[g["district_seat"] == 1, "prob_commune"] == 1).all()
        assert (g.loc[g["commune_seat"] == 1, "prob_village"] == 1).all()
    per_district = s.groupby("district")
    assert (per_district["commune"].nunique() == 2).all()
    assert (
        per_district.apply(lambda d: d.loc[d["district_seat"] == 1, "commune"].nunique()) == 1
    ).all()
    per_commune = s.groupby("commune")
    assert (per_commune.size() == 2).all()
    assert (per_commune["commune_seat"].sum() == 1).all()
    np.testing.assert_allclose(s["prob_person"], s["quota"] / s["adults"])
    np.testing.assert_allclose(s["design_weight"], 1.0 / s[PROBS].prod(axis=1))


def check_residents(s: pd.DataFrame, r: pd.DataFrame) -> None:
    """Every village lists residents + reserves distinct adults, main first, then reserves."""
    assert list(r.columns) == [
        "province",
        "district",
        "commune",
        "village",
        "line",
        "order",
        "role",
    ]
    v = s.set_index("village")
    assert set(r["village"]) == set(s["village"])
    for village, g in r.groupby("village"):
        row = v.loc[village]
        assert len(g) == row["residents"] + row["reserves"]
        assert sorted(g["order"]) == list(range(1, len(g) + 1))
        assert g["line"].is_unique and g["line"].between(1, row["adults"]).all()
        assert (g.loc[g["role"] == "main", "order"] <= row["residents"]).all()
        assert (g["role"] == "main").sum() == row["residents"]
        assert set(g["role"]) == {"main", "reserve"}
        assert (g["commune"] == row["commune"]).all() and (g["province"] == row["province"]).all()


def test_provinces_follow_papi_rules(national: tuple[Path, str]) -> None:
    tmp, stdout = national
    s = read(tmp / "sample.csv")
    frame = load_frame()
    check_rules(s, frame.districts(), {"P01": 5, "P20": 2})
    assert (s["stratum"] == s["province"]).all() and (s["psu"] == s["district"]).all()
    by = s.set_index("province")
    assert set(by.loc["P01", "quota"]) == {24} and set(by.loc["P20", "quota"]) == {16}
    assert set(by.loc["P01", "residents"]) == {30} and set(by.loc["P01", "reserves"]) == {15}
    assert set(by.loc["P20", "residents"]) == {20} and set(by.loc["P20", "reserves"]) == {10}
    assert len(s) == 24 + 12
    check_residents(s, read(tmp / "residents.csv"))
    # the command draws what the library draws
    lib = select_sample(frame.subset(["P01", "P20"]), rng=7).villages
    assert list(s["village"]) == list(lib["village"])
    np.testing.assert_allclose(s["prob_village"], lib["prob_village"])
    for text in ("Hanoi", "Hai Phong", "576", "192", "768", "1,440", "next: curl", "survey create"):
        assert text in stdout, text


def test_same_seed_same_sample_and_lists(national: tuple[Path, str], tmp_path: Path) -> None:
    tmp, _ = national
    ok(tmp_path, "sample", "--provinces", "P20", "--seed", "7", "--out", "a.csv",
       "--residents", "ra.csv")  # fmt: skip
    ok(tmp_path, "sample", "--provinces", "P20", "--seed", "8", "--out", "b.csv",
       "--residents", "rb.csv")  # fmt: skip
    first, residents = read(tmp / "sample.csv"), read(tmp / "residents.csv")
    again = read(tmp_path / "a.csv")
    # a province's draw depends on the seed only, not on the other provinces drawn with it
    pd.testing.assert_frame_equal(
        again, first.loc[first["province"] == "P20"].reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(
        read(tmp_path / "ra.csv"),
        residents.loc[residents["province"] == "P20"].reset_index(drop=True),
    )
    other, other_lists = read(tmp_path / "b.csv"), read(tmp_path / "rb.csv")
    assert list(other["village"]) != list(again["village"])
    assert not other_lists.equals(read(tmp_path / "ra.csv"))


def test_pilot_district(tmp_path: Path) -> None:
    res = ok(tmp_path, "sample", "--pilot", "P01-D03", "--seed", "7", "--out", "pilot.csv",
             "--residents", "lists.csv", "--json")  # fmt: skip
    s = read(tmp_path / "pilot.csv")
    assert set(s["district"]) == {"P01-D03"} and (s["prob_district"] == 1).all()
    check_rules(s, load_frame().pilot("P01-D03").districts(), {"P01": 0})
    assert (s["stratum"] == "P01-D03").all() and (s["psu"] == s["commune"]).all()
    assert len(s) == 4 and set(s["quota"]) == {24}  # Ha Noi is large: 24 per village
    check_residents(s, read(tmp_path / "lists.csv"))
    summary = json.loads(res.stdout)
    assert summary["interviews"] == 96 and summary["residents"] == 180
    assert summary["provinces"][0]["districts"] == 1 and summary["provinces"][0]["communes"] == 2


def own_frame(districts: int, communes: int, villages: int) -> pd.DataFrame:
    """A small synthetic frame of one province 'HP': D1 its capital, C1 and V1 the seats."""
    rows = []
    rng = np.random.default_rng(5)
    for d in range(1, districts + 1):
        for c in range(1, communes + 1):
            for v in range(1, villages + 1):
                population = int(rng.integers(400, 3000))
                rows.append(
                    {
                        "province": "HP",
                        "district": f"HP-D{d}",
                        "commune": f"HP-D{d}-C{c}",
                        "village": f"HP-D{d}-C{c}-V{v}",
                        "population": population,
                        "adults": population * 2 // 3,
                        "urban": int(d == 1),
                        "capital": "yes" if d == 1 else "no",
                        "district_seat": int(c == 1),
                        "commune_seat": "true" if v == 1 else "false",
                    }
                )
    return pd.DataFrame(rows)


def test_own_frame(tmp_path: Path) -> None:
    frame = own_frame(5, 4, 3)
    frame.to_csv(tmp_path / "villages.csv", index=False)
    ok(tmp_path, "sample", "--frame", "villages.csv", "--seed", "1", "--out", "s.csv",
       "--residents", "r.csv")  # fmt: skip
    s = read(tmp_path / "s.csv")
    districts = frame.groupby("district", as_index=False).agg(
        province=("province", "first"), capital=("capital", "first")
    )
    districts["capital"] = districts["capital"] == "yes"
    # a province of about 30,000 people is small: the capital plus 2 districts, 16 interviews
    check_rules(s, districts, {"HP": 2})
    assert set(s["quota"]) == {16} and set(s["size_class"]) == {"small"}
    check_residents(s, read(tmp_path / "r.csv"))

    # one district (a pilot on the district's own list): no capital column needed, and the
    # district takes its province's size class
    one = frame.loc[frame["district"] == "HP-D2"].drop(columns="capital")
    one.to_csv(tmp_path / "one.csv", index=False)
    ok(tmp_path, "sample", "--frame", "one.csv", "--size-class", "large", "--seed", "1",
       "--out", "one-sample.csv")  # fmt: skip
    p = read(tmp_path / "one-sample.csv")
    assert (p["prob_district"] == 1).all() and set(p["quota"]) == {24}
    assert p["commune"].nunique() == 2 and len(p) == 4


def _missing_column(f: pd.DataFrame) -> pd.DataFrame:
    return f.drop(columns="commune_seat")


def _two_communes(f: pd.DataFrame) -> pd.DataFrame:
    f = f.copy()
    f.loc[4, "village"] = f.loc[0, "village"]  # HP-D1-C1-V1 listed under HP-D2-C1 too
    return f


def _no_seat(f: pd.DataFrame) -> pd.DataFrame:
    f = f.copy()
    f.loc[f["district"] == "HP-D2", "district_seat"] = 0
    return f


def _text_population(f: pd.DataFrame) -> pd.DataFrame:
    f = f.astype({"population": object})
    f.loc[3, "population"] = "about 900"
    return f


@pytest.mark.parametrize(
    ("broken", "says"),
    [
        (_missing_column, "lack columns ['commune_seat']"),
        (_two_communes, "village 'HP-D1-C1-V1' lies in more than one commune"),
        (_no_seat, "district 'HP-D2' has 0 district seat communes"),
        (_text_population, "row 5 (village 'HP-D1-C2-V2') has population 'about 900'"),
    ],
)
def test_bad_frame_exit_1_one_line(tmp_path: Path, broken: object, says: str) -> None:
    assert callable(broken)
    broken(own_frame(3, 2, 2)).to_csv(tmp_path / "bad.csv", index=False)
    res = papi(tmp_path, "sample", "--frame", "bad.csv", "--out", "s.csv")
    assert res.returncode == 1, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert says in lines[0]
    assert not (tmp_path / "s.csv").exists()


def test_survey_json_creates_the_survey(national: tuple[Path, str], tmp_path: Path) -> None:
    tmp, _ = national
    s = read(tmp / "sample.csv")
    body = json.loads((tmp / "survey.json").read_text(encoding="utf-8"))
    assert body["questionnaire"] == "papi-2021" and body["year"] == 2026
    url = f"sqlite:///{tmp_path / 'papi.db'}"
    upgrade(url)
    settings = make_settings(url)
    headers = {
        "Authorization": f"Bearer {admin_token(settings)}",
        "Content-Type": "application/json",
    }
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        # as `curl -d @survey.json` sends it: the file's bytes
        r = client.post(
            "/api/v1/surveys", content=(tmp / "survey.json").read_bytes(), headers=headers
        )
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["villages"] == len(s) == 36
        assert created["quotas"] == dict(zip(s["village"], s["quota"], strict=True))
        r = client.get(f"/api/v1/surveys/{created['id']}/progress", headers=headers)
        assert r.status_code == 200, r.text
        progress = r.json()
    assert progress["total"]["quota"] == s["quota"].sum() == 768
    quotas = {p["province"]: p["quota"] for p in progress["provinces"]}
    assert quotas == s.groupby("province")["quota"].sum().to_dict()
    villages = {v["village"]: v["quota"] for p in progress["provinces"] for v in p["villages"]}
    assert villages == dict(zip(s["village"], s["quota"], strict=True))


def test_pilot_with_more_communes_villages_and_interviews(tmp_path: Path) -> None:
    """--communes 8 --villages 3 --interviews 10: the seat plus 7 communes, each with its seat
    plus 2 villages, 10 interviews per village from 13 residents + 7 reserves."""
    res = ok(tmp_path, "sample", "--pilot", "P01-D03", "--communes", "8", "--villages", "3",
             "--interviews", "10", "--seed", "7", "--out", "pilot.csv", "--residents",
             "lists.csv", "--json")  # fmt: skip
    s = read(tmp_path / "pilot.csv")
    assert s["commune"].nunique() == 8 and len(s) == 24
    assert (s.groupby("commune").size() == 3).all()
    assert (s.groupby("commune")["commune_seat"].sum() == 1).all()
    assert s.loc[s["district_seat"] == 1, "commune"].nunique() == 1
    assert (s["psu"] == s["commune"]).all() and (s["stratum"] == "P01-D03").all()
    assert set(s["quota"]) == {10} and set(s["residents"]) == {13} and set(s["reserves"]) == {7}
    np.testing.assert_allclose(s["design_weight"], 1.0 / s[PROBS].prod(axis=1))
    check_residents(s, read(tmp_path / "lists.csv"))
    summary = json.loads(res.stdout)
    assert summary["interviews"] == 240 and summary["residents"] == 480
    assert summary["sizes"] == {"districts": None, "communes": 8, "villages": 3, "interviews": 10}
    # PAPI's sizes given explicitly draw PAPI's sample
    ok(tmp_path, "sample", "--pilot", "P01-D03", "--seed", "7", "--out", "papi.csv")
    ok(tmp_path, "sample", "--pilot", "P01-D03", "--communes", "2", "--villages", "2",
       "--seed", "7", "--out", "same.csv")  # fmt: skip
    pd.testing.assert_frame_equal(read(tmp_path / "papi.csv"), read(tmp_path / "same.csv"))


def test_more_districts_and_all_units_when_fewer_exist(tmp_path: Path) -> None:
    """--districts counts the capital; asking for more units than a parent has takes them all,
    each with probability 1 (own frame: 5 districts of 4 communes of 3 villages)."""
    own_frame(5, 4, 3).to_csv(tmp_path / "villages.csv", index=False)
    ok(tmp_path, "sample", "--frame", "villages.csv", "--districts", "4", "--communes", "9",
       "--villages", "9", "--seed", "2", "--out", "s.csv")  # fmt: skip
    s = read(tmp_path / "s.csv")
    assert s["district"].nunique() == 4 and len(s) == 4 * 4 * 3
    assert (s["prob_commune"] == 1).all() and (s["prob_village"] == 1).all()
    assert (s.loc[s["capital"] == 1, "prob_district"] == 1).all()
    assert (s["psu"] == s["district"]).all() and (s["stratum"] == "HP").all()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--pilot", "P01-D03", "--communes", "1"), "--communes"),
        (("--pilot", "P01-D03", "--districts", "3"), "--districts"),
        (("--provinces", "P04", "--districts", "1"), "--districts"),
        (("--provinces", "P04", "--villages", "0"), "--villages"),
        (("--provinces", "P04", "--interviews", "0"), "--interviews"),
    ],
)
def test_bad_stage_sizes_are_usage_errors(
    tmp_path: Path, args: tuple[str, ...], option: str
) -> None:
    res = papi(tmp_path, "sample", *args, "--out", "s.csv")
    assert res.returncode == 2, res.stderr
    assert option in res.stderr
    assert not (tmp_path / "s.csv").exists()


def test_lists_longer_than_a_village_exit_1(tmp_path: Path) -> None:
    """P28-D07's seed-7 pilot draws a village of 98 adults: 100 interviews (125 + 63 listed)
    do not fit; one line says so and names --interviews."""
    res = papi(tmp_path, "sample", "--pilot", "P28-D07", "--interviews", "100", "--seed", "7")
    assert res.returncode == 1, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "fewer adults than residents + reserves" in lines[0]
    assert "--interviews" in lines[0]
