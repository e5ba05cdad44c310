"""The console's pages without a browser (FastAPI's TestClient), on SQLite and PostgreSQL:
translations, the tile map, the session cookie and CSRF, redirects, the survey form, rights."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.auth.schemas import Role
from api.console import CONSOLE_PATH, tilemap
from api.console.i18n import STRINGS, pick_lang
from api.console.views import LEVELS
from api.exports.formats import ExportFormat
from api.submissions.schemas import ReviewStatus
from survey.published import provinces
from tests.api.support import Api

TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "console" / "templates"
QUALITY = Path(__file__).resolve().parents[2] / "api" / "submissions" / "quality.py"


def _flag_codes() -> set[str]:
    return set(re.findall(r'"code": "([a-z_]+)"', QUALITY.read_text(encoding="utf-8")))


def test_every_string_of_the_templates_is_translated() -> None:
    used: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*\)""", path.read_text()))
    assert used, "no t('...') found: the pattern is stale"
    assert used - set(STRINGS) == set()
    families = {
        "status_": [s.value for s in ReviewStatus],
        "role_": [r.value for r in Role],
        "format_": [f.value for f in ExportFormat],
        "level_": list(LEVELS),
        "event_": ["create", "edit", "review"],
        "lang_": ["en", "vi"],
        "flag_": sorted(_flag_codes()),
    }
    for prefix, values in families.items():
        for value in values:
            assert prefix + value in STRINGS, prefix + value
    for key, (en, vi) in STRINGS.items():
        assert en.strip() and vi.strip(), key


def test_every_quality_flag_has_an_explanation() -> None:
    assert {"too_fast", "straight_lining", "duplicate_respondent"} <= _flag_codes()
    for code in _flag_codes():
        assert f"flag_{code}_help" in STRINGS


def test_the_tile_map_places_each_province_once() -> None:
    assert set(tilemap.GRID) == set(provinces()["province"])
    assert len(set(tilemap.GRID.values())) == len(tilemap.GRID) == 63


def test_language_choice() -> None:
    assert pick_lang(None, "vi-VN,vi;q=0.9,en;q=0.5") == "vi"
    assert pick_lang("en", "vi-VN") == "en"
    assert pick_lang("fr", None) == "en"


def _sign_in(client: TestClient, headers: dict[str, str]) -> str:
    token = headers["Authorization"].split(" ", 1)[1]
    r = client.post(f"{CONSOLE_PATH}/sign-in", data={"token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return token


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found
    return found.group(1)


@pytest.fixture
def client(api: Api) -> Any:
    """The API's TestClient with fresh cookies (signed out, English)."""
    api.client.cookies.clear()
    yield api.client
    api.client.cookies.clear()


def test_root_leads_to_the_console(client: TestClient) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == f"{CONSOLE_PATH}/"
    r = client.get(f"{CONSOLE_PATH}/", follow_redirects=False)
    assert r.headers["location"] == f"{CONSOLE_PATH}/sign-in"
    r = client.get(f"{CONSOLE_PATH}/static/console.js")
    assert r.status_code == 200 and "data-poll" in r.text


def test_the_cookie_is_secure_over_https(api: Api) -> None:
    token = api.admin["Authorization"].split(" ", 1)[1]
    https = TestClient(api.client.app, base_url="https://testserver")
    r = https.post(f"{CONSOLE_PATH}/sign-in", data={"token": token}, follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/api/v1/me"])
def test_sign_in_never_redirects_off_the_console(client: TestClient, api: Api, target: str) -> None:
    token = api.admin["Authorization"].split(" ", 1)[1]
    r = client.post(
        f"{CONSOLE_PATH}/sign-in", data={"token": token, "next": target}, follow_redirects=False
    )
    assert r.headers["location"] == f"{CONSOLE_PATH}/surveys"


def test_a_review_without_the_csrf_token_changes_nothing(client: TestClient, api: Api) -> None:
    survey = api.survey()
    body = api.interview(minutes=2)
    assert api.submit(survey, body).status_code == 201
    sub = body["submission_id"]
    _sign_in(client, api.admin)
    page = client.get(f"{CONSOLE_PATH}/surveys/{survey}/interviews/{sub}")
    assert page.status_code == 200
    url = f"{CONSOLE_PATH}/surveys/{survey}/interviews/{sub}/review"
    for data, headers in (
        ({"decision": "rejected", "csrf": "0" * 64}, {}),
        ({"decision": "rejected", "csrf": _csrf(page.text)}, {"Origin": "https://evil.example"}),
    ):
        r = client.post(url, data=data, headers=headers, follow_redirects=False)
        assert r.status_code == 403
        assert STRINGS["error_csrf"][0] in r.text
    status = client.get(f"/api/v1/surveys/{survey}/submissions/{sub}", headers=api.admin)
    assert status.json()["status"] != "rejected"
    r = client.post(url, data={"decision": "approved", "csrf": _csrf(page.text)})
    assert r.status_code == 200
    status = client.get(f"/api/v1/surveys/{survey}/submissions/{sub}", headers=api.admin)
    assert status.json()["status"] == "approved"


def test_pages_in_vietnamese_show_no_english_sentence(client: TestClient, api: Api) -> None:
    survey = api.survey(quotas={"P01": 10})
    for _ in range(3):
        assert api.submit(survey, api.interview(minutes=2)).status_code == 201
    _sign_in(client, api.admin)
    client.get(f"{CONSOLE_PATH}/lang/vi")
    english = [en for en, vi in STRINGS.values() if en != vi and len(en) > 12]
    for page in ("/surveys", f"/surveys/{survey}", f"/surveys/{survey}/review?status=any"):
        html = client.get(CONSOLE_PATH + page).text
        assert '<html lang="vi">' in html
        assert [en for en in english if en in html] == [], page


def _sample_csv(tmp_path: Path, rows: list[str]) -> bytes:
    return ("province,district,commune,village,prob_village,quota\n" + "\n".join(rows)).encode()


def test_create_a_survey_from_the_form(client: TestClient, api: Api, tmp_path: Path) -> None:
    _sign_in(client, api.admin)
    page = client.get(f"{CONSOLE_PATH}/surveys")
    csv = _sample_csv(tmp_path, ["P01,P01-D01,P01-D01-C01,P01-D01-C01-V01,0.5,12"])
    r = client.post(
        f"{CONSOLE_PATH}/surveys",
        data={"csrf": _csrf(page.text), "name": "Form survey", "year": "2026",
              "questionnaire": "papi-2021"},
        files={"sample_file": ("sample.csv", csv, "text/csv")},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    survey_id = int(r.headers["location"].rsplit("/", 1)[1])
    out = client.get(f"/api/v1/surveys/{survey_id}", headers=api.admin).json()
    assert out["name"] == "Form survey" and out["villages"] == 1
    assert out["quotas"] == {"P01-D01-C01-V01": 12}


def test_the_form_reports_the_api_errors_with_pointers(
    client: TestClient, api: Api, tmp_path: Path
) -> None:
    _sign_in(client, api.admin)
    csrf = _csrf(client.get(f"{CONSOLE_PATH}/surveys").text)
    csv = _sample_csv(tmp_path, ["P01,P01-D01,P01-D01-C01,P01-D01-C01-V01,7,12"])
    r = client.post(
        f"{CONSOLE_PATH}/surveys",
        data={"csrf": csrf, "name": "Bad", "year": "1800", "questionnaire": "papi-2021"},
        files={"sample_file": ("sample.csv", csv, "text/csv")},
    )
    assert r.status_code == 422
    api_answer = client.post(
        "/api/v1/surveys",
        json={"name": "Bad", "year": 1800, "questionnaire": "papi-2021",
              "sample": [{"province": "P01", "district": "P01-D01", "commune": "P01-D01-C01",
                          "village": "P01-D01-C01-V01", "prob_village": 7, "quota": 12}]},
        headers=api.admin,
    )  # fmt: skip
    pointers = {e["pointer"] for e in api_answer.json()["errors"]}
    assert pointers == {"/year", "/sample/0/prob_village"}
    for pointer in pointers:
        assert f"<code>{pointer}</code>" in r.text
    r = client.post(
        f"{CONSOLE_PATH}/surveys",
        data={"csrf": csrf, "name": "No such", "year": "2026", "questionnaire": "papi-1999"},
    )
    assert r.status_code == 404 and "papi-1999" in r.text


def test_roles_see_what_the_api_lets_them_see(client: TestClient, api: Api) -> None:
    survey = api.survey()
    enumerator = api.token("enumerator", survey)
    body = api.interview()
    assert api.submit(survey, body, enumerator).status_code == 201
    other = api.interview()
    assert api.submit(survey, other).status_code == 201  # by the admin
    _sign_in(client, enumerator)
    r = client.get(f"{CONSOLE_PATH}/surveys/{survey}", follow_redirects=False)
    assert r.headers["location"].endswith(f"/surveys/{survey}/review")
    for page in ("enumerators", "tokens", "exports", "live"):
        assert client.get(f"{CONSOLE_PATH}/surveys/{survey}/{page}").status_code == 403, page
    own = client.get(f"{CONSOLE_PATH}/surveys/{survey}/interviews/{body['submission_id']}")
    assert own.status_code == 200
    assert STRINGS["may_not_review"][0] in own.text
    theirs = client.get(f"{CONSOLE_PATH}/surveys/{survey}/interviews/{other['submission_id']}")
    assert theirs.status_code == 403
    assert client.get(f"{CONSOLE_PATH}/surveys/999999").status_code == 404


def test_enumerator_activity_counts_what_the_token_sent(client: TestClient, api: Api) -> None:
    survey = api.survey()
    flagged = {"enum-fast": 0, "enum-steady": 0}
    for name, minutes_list in (("enum-fast", (2, 3, 50)), ("enum-steady", (40, 45))):
        token = api.token("enumerator", survey, name=name)
        for minutes in minutes_list:
            r = api.submit(survey, api.interview(minutes=minutes), token)
            assert r.status_code == 201
            flagged[name] += bool(r.json()["flags"])
    assert flagged["enum-fast"] >= 2  # the two short ones are too fast
    _sign_in(client, api.admin)
    html = client.get(f"{CONSOLE_PATH}/surveys/{survey}/enumerators").text
    rows = dict(re.findall(r'<tr data-name="([^"]+)">(.*?)</tr>', html, flags=re.S))
    assert set(rows) == {"enum-fast", "enum-steady"}

    def cells(name: str) -> list[str]:
        return [c.strip() for c in re.findall(r'<td class="num[^"]*">\s*([^<·]+)', rows[name])]

    assert cells("enum-fast") == ["3", "3.0 min", f"{100 * flagged['enum-fast'] / 3:.0f}%"]
    assert cells("enum-steady") == ["2", "42.5 min", f"{100 * flagged['enum-steady'] / 2:.0f}%"]


def test_links_and_forms_follow_authorize(client: TestClient, api: Api) -> None:
    """A scoped admin may manage its survey's tokens but not create surveys: the console
    shows the form only where ``authorize`` allows it."""
    survey = api.survey()
    scoped_admin = api.token("admin", survey)
    _sign_in(client, scoped_admin)
    assert 'id="create-survey"' not in client.get(f"{CONSOLE_PATH}/surveys").text
    assert 'id="create-token"' in client.get(f"{CONSOLE_PATH}/surveys/{survey}/tokens").text
    client.cookies.clear()
    _sign_in(client, api.admin)
    assert 'id="create-survey"' in client.get(f"{CONSOLE_PATH}/surveys").text


def _token_id(api: Api, headers: dict[str, str]) -> int:
    me = api.client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200, me.text
    token_id: int = me.json()["token_id"]
    return token_id


def _row(html: str, token_id: int) -> str | None:
    found = re.search(rf'<tr data-token="{token_id}">(.*?)</tr>', html, flags=re.S)
    return found.group(1) if found else None


def test_revoke_a_token_from_the_tokens_page(client: TestClient, api: Api) -> None:
    survey = api.survey()
    enumerator = api.token("enumerator", survey, name="enum-revoked")
    token_id = _token_id(api, enumerator)  # a request: last used is recorded
    _sign_in(client, api.admin)
    page = client.get(f"{CONSOLE_PATH}/surveys/{survey}/tokens")
    row = _row(page.text, token_id)
    assert row is not None and "enum-revoked" in row
    assert STRINGS["never"][0] in row and STRINGS["token_active"][0] in row
    assert STRINGS["never_used"][0] not in row  # the /me call above used it
    url = f"{CONSOLE_PATH}/surveys/{survey}/tokens/{token_id}/revoke"
    for data, headers in (
        ({"csrf": "0" * 64}, {}),
        ({"csrf": _csrf(page.text)}, {"Origin": "https://evil.example"}),
    ):
        assert client.post(url, data=data, headers=headers).status_code == 403
        assert api.client.get("/api/v1/me", headers=enumerator).status_code == 200
    other = api.survey()
    wrong_page = f"{CONSOLE_PATH}/surveys/{other}/tokens/{token_id}/revoke"
    assert client.post(wrong_page, data={"csrf": _csrf(page.text)}).status_code == 404
    assert api.client.get("/api/v1/me", headers=enumerator).status_code == 200
    r = client.post(url, data={"csrf": _csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"{CONSOLE_PATH}/surveys/{survey}/tokens?revoked={token_id}"
    assert api.client.get("/api/v1/me", headers=enumerator).status_code == 401
    after = client.get(r.headers["location"])
    assert STRINGS["token_revoked"][0] in after.text and _row(after.text, token_id) is None
    listed = api.client.get(
        "/api/v1/tokens", params={"survey_id": survey, "include_revoked": True}, headers=api.admin
    ).json()["items"]
    assert [tk["revoked_at"] is not None for tk in listed if tk["id"] == token_id] == [True]


def test_a_supervisor_revokes_only_its_surveys_enumerator_tokens(
    client: TestClient, api: Api
) -> None:
    survey = api.survey()
    supervisor = api.token("supervisor", survey)
    enumerator = api.token("enumerator", survey)
    analyst = api.token("analyst", survey)
    elsewhere = api.token("enumerator", api.survey())
    _sign_in(client, supervisor)
    page = client.get(f"{CONSOLE_PATH}/surveys/{survey}/tokens").text
    assert f'href="{CONSOLE_PATH}/surveys/{survey}/tokens"' in page  # the tab is shown
    assert 'id="create-token"' not in page  # creating tokens is an admin's
    assert _row(page, _token_id(api, enumerator)) is not None
    assert _row(page, _token_id(api, analyst)) is None
    for headers in (analyst, elsewhere):
        target = f"{CONSOLE_PATH}/surveys/{survey}/tokens/{_token_id(api, headers)}/revoke"
        assert client.post(target, data={"csrf": _csrf(page)}).status_code == 404
        assert api.client.get("/api/v1/me", headers=headers).status_code == 200
    target = f"{CONSOLE_PATH}/surveys/{survey}/tokens/{_token_id(api, enumerator)}/revoke"
    assert (
        client.post(target, data={"csrf": _csrf(page)}, follow_redirects=False).status_code == 303
    )
    assert api.client.get("/api/v1/me", headers=enumerator).status_code == 401


def test_an_enumerator_token_valid_until_a_day(client: TestClient, api: Api) -> None:
    survey = api.survey()
    _sign_in(client, api.admin)
    page = client.get(f"{CONSOLE_PATH}/surveys/{survey}/tokens")
    assert 'name="valid_until" type="date"' in page.text
    url = f"{CONSOLE_PATH}/surveys/{survey}/tokens"
    r = client.post(
        url, data={"csrf": _csrf(page.text), "name": "enum-day", "valid_until": "2999-01-31"}
    )
    assert r.status_code == 201
    created = re.search(r'id="new-token" readonly value="([^"]+)"', r.text)
    assert created
    headers = {"Authorization": f"Bearer {created.group(1)}"}
    token_id = _token_id(api, headers)
    row = _row(r.text, token_id)
    assert row is not None and "2999-02-01 00:00" in row
    listed = api.client.get("/api/v1/tokens", params={"survey_id": survey}, headers=api.admin)
    [out] = [tk for tk in listed.json()["items"] if tk["id"] == token_id]
    assert out["expires_at"].startswith("2999-02-01T00:00:00")
    r = client.post(url, data={"csrf": _csrf(page.text), "name": "enum-never"})
    assert r.status_code == 201  # no date: no expiry
    past = client.post(
        url, data={"csrf": _csrf(page.text), "name": "enum-past", "valid_until": "2020-01-01"}
    )
    assert past.status_code == 422 and "expires_at" in past.text
    names = [
        tk["name"] for tk in api.client.get("/api/v1/tokens", headers=api.admin).json()["items"]
    ]
    assert "enum-never" in names and "enum-past" not in names
