"""A simulated survey in the database through the API, for the survey-scores tests: five
provinces of papi-2021 (enough for performance groups), and a pilot of one district."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.demo import survey_sample
from survey.simulate import simulate
from survey.simulate.submissions import submissions

PROVINCES = ["P01", "P12", "P20", "P31", "P48"]
PILOT = "P01-D03"


def add_simulated(
    client: TestClient,
    headers: dict[str, str],
    name: str,
    *,
    provinces: list[str] | None = None,
    pilot: str | None = None,
    interviews: int = 8,
    seed: int = 11,
) -> tuple[int, int]:
    """Create a survey with a simulated sample and submit its interviews in batches;
    returns (survey id, interviews accepted)."""
    sim = simulate(2021, rng=seed, provinces=provinces, pilot=pilot, interviews=interviews)
    body: dict[str, Any] = {
        "questionnaire": "papi-2021",
        "year": 2026,
        "name": name,
        "sample": survey_sample(sim),
    }
    r = client.post("/api/v1/surveys", json=body, headers=headers)
    assert r.status_code == 201, r.text[:500]
    sid = int(r.json()["id"])
    docs = list(submissions(sim, rng=seed))
    accepted = 0
    for start in range(0, len(docs), 500):
        r = client.post(
            f"/api/v1/surveys/{sid}/submissions/batch",
            json={"submissions": docs[start : start + 500]},
            headers=headers,
        )
        assert r.status_code == 200, r.text[:500]
        accepted += sum(int(x["status"]) < 400 for x in r.json()["results"])
    return sid, accepted
