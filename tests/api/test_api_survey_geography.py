"""A survey records its geography (2018: 63 provinces, 2025: 34), checked against its sample."""

from __future__ import annotations

from typing import Any

from api.submissions.quality import _same_province
from tests.api.support import Api


def _unit(province: str, village: str, **extra: Any) -> dict[str, Any]:
    return {"province": province, "district": f"{province}-C001", "commune": f"{province}-C001",
            "village": village, **extra}  # fmt: skip


def test_survey_records_its_geography(api: Api) -> None:
    h = api.admin
    old = api.client.post(
        "/api/v1/surveys",
        json={
            "questionnaire": "papi-2021",
            "year": 2026,
            "name": "old codes",
            "sample": [_unit("P19", "P19-D01-C01-V01")],
        },
        headers=h,
    )
    assert old.status_code == 201, old.text
    assert old.json()["geography"] == "2018"  # from the sample's codes, whatever the year
    new = api.client.post(
        "/api/v1/surveys",
        json={
            "questionnaire": "papi-2021",
            "year": 2026,
            "name": "new codes",
            "sample": [_unit("N31", "P19-D01-C01-V02", former_province="P19")],
        },
        headers=h,
    )
    assert new.status_code == 201, new.text
    assert new.json()["geography"] == "2025"
    got = api.client.get(f"/api/v1/surveys/{new.json()['id']}", headers=h).json()
    assert got["geography"] == "2025"
    empty = api.client.post(
        "/api/v1/surveys", json={"questionnaire": "papi-2021", "year": 2024, "name": "e"}, headers=h
    )
    assert empty.json()["geography"] == "2018"


def test_sample_outside_the_geography_is_refused(api: Api) -> None:
    r = api.client.post(
        "/api/v1/surveys",
        json={
            "questionnaire": "papi-2021",
            "year": 2026,
            "name": "mixed",
            "geography": "2025",
            "sample": [_unit("N31", "V-1"), _unit("P19", "V-2")],
        },
        headers=api.admin,
    )
    assert r.status_code == 422, r.text
    doc = r.json()
    assert doc["code"] == "province_not_in_geography"
    (problem,) = doc["errors"]
    assert problem["pointer"] == "/sample/1/province"
    assert "set geography to 2018" in problem["message"]


def test_quality_check_maps_an_answered_former_province_to_the_new_one() -> None:
    assert _same_province("N31", "P19") and _same_province("N31", "P20")
    assert not _same_province("N31", "P31")
    assert _same_province("P19", "P19") and not _same_province("P20", "P19")
    assert not _same_province("N31", "P99")
