"""`papi survey create` and `papi survey list` through a subprocess, on SQLite and PostgreSQL:
the sample `papi sample --out` writes is taken as-is, progress is tracked against its quotas
and the export's design_weight is the inverse product of its stage probabilities."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from survey.questionnaire.loader import load_questionnaire
from tests.api.conftest import BACKENDS, database_url, pg_database  # noqa: F401 (a fixture)
from tests.api.support import Api, admin_token, make_settings
from tests.cli_runner import papi_db

IDS = dict.fromkeys(("province", "district", "commune", "village", "stratum", "psu"), str)
PROBS = ["prob_district", "prob_commune", "prob_village", "prob_person"]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hai Phong (P20) drawn with seed 3: 12 villages, 16 interviews each."""
    tmp = tmp_path_factory.mktemp("drawn")
    res = papi_db(tmp, "sqlite://", "sample", "--provinces", "P20", "--seed", "3", "--out", "s.csv")
    assert res.returncode == 0, res.stderr
    return tmp / "s.csv"


@pytest.mark.parametrize("backend", BACKENDS)
def test_create_from_sample_then_export_weights(
    backend: str, drawn: Path, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = database_url(backend, request, tmp_path)  # the command migrates a new database
    name = f"Hai Phong 2026 ({backend})"
    res = papi_db(tmp_path, url, "survey", "create", "--questionnaire", "papi-2021",
               "--year", "2026", "--name", name, "--sample", str(drawn))  # fmt: skip
    assert res.returncode == 0, res.stderr
    sid = int(res.stdout.strip())
    assert f"created survey {sid}" in res.stderr and "12 villages, 192 interviews" in res.stderr

    listed = papi_db(tmp_path, url, "survey", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    mine = [s for s in json.loads(listed.stdout) if s["id"] == sid]
    assert len(mine) == 1 and mine[0]["name"] == name and mine[0]["created_by"] == "cli"
    assert mine[0]["villages"] == 12 and mine[0]["quota"] == 192 and mine[0]["submitted"] == 0
    table = papi_db(tmp_path, url, "survey", "list")
    assert table.returncode == 0 and name in table.stdout, table.stderr

    sample = pd.read_csv(drawn, dtype=IDS).set_index("village")
    settings = make_settings(url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        api = Api(client, {"Authorization": f"Bearer {admin_token(settings)}"},
                  load_questionnaire("papi-2021"))  # fmt: skip
        villages = list(sample.index[[0, 5, 11]])
        for village in villages:
            row = sample.loc[village]
            location = {k: str(row[k]) for k in ("province", "district", "commune")}
            r = api.submit(sid, api.interview(location={**location, "village": village}))
            assert r.status_code == 201, r.text
        progress = client.get(f"/api/v1/surveys/{sid}/progress", headers=api.admin).json()
        export = client.get(f"/api/v1/surveys/{sid}/export?format=csv", headers=api.admin)
        assert export.status_code == 200, export.text
    assert progress["total"]["quota"] == 192 and progress["total"]["submitted"] == 3
    quotas = {v["village"]: v["quota"] for p in progress["provinces"] for v in p["villages"]}
    assert quotas == sample["quota"].to_dict()
    rows = pd.read_csv(io.StringIO(export.text), dtype=IDS).set_index("village")
    assert sorted(rows.index) == sorted(villages)
    expected = sample.loc[rows.index]
    np.testing.assert_allclose(rows["design_weight"], 1.0 / expected[PROBS].prod(axis=1))
    np.testing.assert_allclose(rows["design_weight"], expected["design_weight"])
    np.testing.assert_allclose(rows[PROBS].to_numpy(), expected[PROBS].to_numpy())
    assert (rows["stratum"] == expected["stratum"]).all() and (rows["psu"] == expected["psu"]).all()


def test_errors_are_the_api_validation(drawn: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'papi.db'}"
    bad = pd.read_csv(drawn, dtype=IDS)
    bad.loc[2, "prob_village"] = 1.5
    bad.to_csv(tmp_path / "bad.csv", index=False)
    res = papi_db(tmp_path, url, "survey", "create", "--questionnaire", "papi-2021",
               "--year", "2026", "--name", "x", "--sample", "bad.csv")  # fmt: skip
    assert res.returncode == 1, res.stderr
    assert "the survey has 1 invalid field(s)" in res.stderr
    assert f"/sample/2/prob_village: Input should be less than or equal to 1 (bad.csv row 4, " \
        f"village {bad.loc[2, 'village']!r})" in res.stderr  # fmt: skip
    assert not (tmp_path / "papi.db").exists()  # nothing was written

    bad.drop(columns="commune").to_csv(tmp_path / "nocommune.csv", index=False)
    res = papi_db(tmp_path, url, "survey", "create", "--questionnaire", "papi-2021",
               "--year", "2026", "--name", "x", "--sample", "nocommune.csv")  # fmt: skip
    assert res.returncode == 1 and "lacks columns ['commune']" in res.stderr, res.stderr

    res = papi_db(tmp_path, url, "survey", "create", "--questionnaire", "papi-2099",
               "--year", "2026", "--name", "x")  # fmt: skip
    assert res.returncode == 3 and "questionnaire 'papi-2099' is not registered" in res.stderr

    res = papi_db(tmp_path, url, "survey", "create", "--questionnaire", "papi-2021",
               "--year", "1200", "--name", "x")  # fmt: skip
    assert res.returncode == 1 and "/year: Input should be greater than or equal to 1990" in (
        res.stderr
    )

    res = papi_db(tmp_path, f"sqlite:///{tmp_path / 'none.db'}", "survey", "list")
    assert res.returncode == 3 and "no database at" in res.stderr, res.stderr
    assert not (tmp_path / "none.db").exists()
