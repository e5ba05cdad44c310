"""The whole path of a questionnaire authored in XLSForm: ``papi questionnaire convert``,
upload, served to devices, filled by JavaRosa and by Web Forms, submitted, retried,
refused when changed, exported and scored."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from api.cli.main import _assemble
from scoring import score
from survey.forms.xform import parse_submission, to_xform
from survey.forms.xlsform_read import read_xlsform
from survey.questionnaire.loader import load_questionnaire
from survey.validation import validate_response
from tests.api.openrosa.conftest import Server
from tests.clients.answers import engine_answers, random_response
from tests.clients.authored import authored_xlsform
from tests.clients.collect import UploadFailed
from tests.clients.engines import Filled, fill_javarosa, fill_webforms

pytestmark = pytest.mark.slow


def _convert(tmp_path: Path) -> Path:
    xlsx = tmp_path / "commune-pilot.xlsx"
    xlsx.write_bytes(authored_xlsform())
    out = tmp_path / "commune-pilot.json"
    result = CliRunner().invoke(
        _assemble(), ["questionnaire", "convert", str(xlsx), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def _interviews(q: Any, n: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        district = f"P01-D0{k % 2 + 1}"
        answers = random_response(q, rng) | {
            "province_code": 1,
            "district": district,
            "commune": f"{district}-C01",
            "village": f"{district}-C01-V01",
        }
        assert not validate_response(q, answers)
        out.append(answers)
    return out


@pytest.fixture(scope="module")
def filled() -> list[tuple[dict[str, Any], Filled]]:
    """Six interviews of the authored form, alternately filled by JavaRosa and Web Forms
    (shared by both database backends)."""
    q = read_xlsform(authored_xlsform())
    form = to_xform(q).encode("utf-8")
    out = []
    for k, answers in enumerate(_interviews(q, 6, seed=26)):
        engine = fill_javarosa if k % 2 == 0 else fill_webforms
        out.append((answers, engine(form, engine_answers(answers, q))))
    return out


def test_authored_xlsform_is_collected_with_both_engines_and_scored(
    server: Server, tmp_path: Path, filled: list[tuple[dict[str, Any], Filled]]
) -> None:
    document = json.loads(_convert(tmp_path).read_text(encoding="utf-8"))
    r = server.client.post("/api/v1/questionnaires", json=document, headers=server.admin)
    assert r.status_code in (200, 201), r.text
    body = {"questionnaire": "commune-pilot", "year": 2026, "name": "pilot"}
    r = server.client.post("/api/v1/surveys", json=body, headers=server.admin)
    assert r.status_code == 201, r.text
    survey = r.json()["id"]
    q = load_questionnaire(tmp_path / "commune-pilot.json")
    collect = server.collect(survey)
    (entry,) = collect.form_list()
    form = collect.download(entry)
    assert form == to_xform(q).encode("utf-8")

    interviews = [answers for answers, _ in filled]
    sent: dict[str, dict[str, Any]] = {}
    for answers, instance in filled:
        assert [r.status_code for r in collect.submit(instance.xml)] == [201]
        assert [r.status_code for r in collect.submit(instance.xml)] == [201]  # a retry
        with pytest.raises(UploadFailed) as err:
            collect.submit(instance.xml.replace(b"</meta>", b"</meta><note>changed</note>"))
        assert err.value.status == 409
        instance_id = parse_submission(q, instance.xml).instance_id or ""
        sent[instance_id.removeprefix("uuid:")] = answers

    r = server.client.get(f"/api/v1/surveys/{survey}/export?format=parquet", headers=server.admin)
    assert r.status_code == 200, r.text
    frame = pd.read_parquet(io.BytesIO(r.content))
    assert set(frame["submission_id"]) == set(sent)
    for _, row in frame.iterrows():
        answers = sent[row["submission_id"]]
        assert row["age"] == answers["age"] and row["q1"] == answers["q1"]
    scores = score(frame, q, weighted=False, min_n=1)
    composite = scores.composite.set_index("province")
    assert np.isfinite(composite.loc["P01", "est"])
    indicators = scores.indicators.set_index(["province", "indicator"])
    used = [a for a in interviews if a["q1"] == 1 and a.get("q2") in (1, 2, 3, 4)]
    if used:  # share of good service among visitors, from what the engines sent
        want = np.mean([a["q2"] in (3, 4) for a in used])
        assert indicators.loc[("P01", "SC11_01"), "est"] == pytest.approx(want)
        assert indicators.loc[("P01", "SC11_01"), "n"] == len(used)
