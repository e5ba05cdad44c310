"""Item 1 of the hardening issue: list filters that used to be a 500 on both databases
(a cursor past the 64-bit row ids, naive or date-only instants, an instant whose UTC value
overflows) are a 422 problem+json naming the query parameter."""

from __future__ import annotations

import base64

import pytest

from tests.api.support import Api


def _cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("cursor=OTIyMzM3MjAzNjg1NDc3NTgwOA", "cursor"),  # 2**63
        (f"cursor={_cursor(str(10**30))}", "cursor"),
        (f"cursor={_cursor('-1')}", "cursor"),
        (f"cursor={_cursor('１２')}", "cursor"),  # fullwidth digits: int() takes them
        ("cursor=%F0%9F%98%80", "cursor"),
        ("received_from=2026-01-01T00:00:00", "received_from"),
        ("received_to=2026-01-01", "received_to"),
        ("received_from=9999-12-31T23:59:59-23:59", "received_from"),
        ("received_to=0001-01-01T00:00:00%2B23:59", "received_to"),
    ],
)
def test_a_bad_list_filter_is_a_422_naming_the_parameter(
    api: Api, query: str, parameter: str
) -> None:
    survey = api.survey()
    r = api.client.get(f"/api/v1/surveys/{survey}/submissions?{query}", headers=api.admin)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    (error,) = r.json()["errors"]
    assert error["parameter"] == parameter
    assert error["pointer"] == ""


def test_the_largest_cursor_and_aware_instants_still_page(api: Api) -> None:
    survey = api.survey()
    assert api.submit(survey, api.interview()).status_code == 201
    base = f"/api/v1/surveys/{survey}/submissions"
    r = api.client.get(f"{base}?cursor={_cursor(str(2**63 - 1))}", headers=api.admin)
    assert (r.status_code, r.json()["items"]) == (200, [])
    r = api.client.get(
        base,
        params={"received_from": "2000-01-01T00:00:00+07:00", "received_to": "9999-12-31T00:00Z"},
        headers=api.admin,
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["items"]) == 1
    first = api.client.get(f"{base}?limit=1", headers=api.admin).json()
    assert first["next_cursor"] is None
