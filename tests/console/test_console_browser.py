"""The console in a real browser (headless Chromium), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import io
import time
from typing import Any

import pandas as pd
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select
from sqlalchemy import create_engine, text

from api.console.i18n import STRINGS
from tests.console.conftest import SAMPLE, Site
from tests.console.helpers import axe_violations, fetch, sign_in, wait_for
from tests.console.helpers import text as text_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _db(site: Site, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(site.db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())
    finally:
        engine.dispose()


def test_sign_in_sets_a_strict_http_only_cookie_and_signs_out(browser: Any, site: Site) -> None:
    browser.get(site.url + "/")
    assert browser.current_url.endswith("/console/sign-in")
    browser.find_element(By.ID, "token").send_keys("papi_not-a-token")
    browser.find_element(By.ID, "sign-in").click()
    alert = wait_for(browser, 20).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "p.alert"))
    )
    assert alert.text == STRINGS["sign_in_failed"][0]
    sign_in(browser, site, site.admin)
    cookie = browser.get_cookie("papi_console")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False  # plain HTTP here; Secure over HTTPS
    names = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#surveys td a")]
    assert names == ["Pilot Hanoi 2026", "Other survey"]
    browser.find_element(By.CSS_SELECTOR, ".who button").click()
    wait_for(browser, 10).until(ec.presence_of_element_located((By.ID, "token")))
    browser.get(site.url + f"/console/surveys/{site.survey1}")
    assert "/console/sign-in" in browser.current_url


def test_progress_and_map_show_the_database_counts(browser: Any, site: Site) -> None:
    sign_in(browser, site, site.admin, f"/console/surveys/{site.survey1}")
    total = sum(site.submitted.values())
    assert text_of(browser, "total-submitted") == str(total)
    quota = 6 * len(SAMPLE)
    assert text_of(browser, "total-complete") == f"{100 * total / quota:.0f}%"
    assert text_of(browser, "flagged") == str(len(site.flagged))
    for province, n in site.submitted.items():
        tile = browser.find_element(By.CSS_SELECTOR, f'#map g[data-province="{province}"]')
        assert float(tile.get_attribute("data-complete")) == pytest.approx(n / 12, abs=1e-4)
    assert (
        browser.find_element(By.CSS_SELECTOR, '#map g[data-province="P63"]').get_attribute(
            "data-complete"
        )
        == ""
    )
    assert len(browser.find_elements(By.CSS_SELECTOR, "#map g.tile")) == 63
    # drill down: province → district → commune → villages
    browser.find_element(By.LINK_TEXT, "P01 Hanoi").click()
    browser.find_element(By.LINK_TEXT, "P01-D01").click()
    browser.find_element(By.LINK_TEXT, "P01-D01-C01").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "#progress-table tbody tr")
    assert [r.get_attribute("data-unit") for r in rows] == ["P01-D01-C01-V01"]
    assert rows[0].find_elements(By.TAG_NAME, "td")[0].text == str(site.submitted["P01"] // 2)
    assert axe_violations(browser) == []


def test_reject_a_flagged_interview_with_a_comment(browser: Any, site: Site) -> None:
    sign_in(browser, site, site.supervisor, f"/console/surveys/{site.survey1}/review?flag=too_fast")
    links = browser.find_elements(By.CSS_SELECTOR, "#queue tbody a")
    assert len(links) == len(site.flagged)
    links[0].click()
    wait_for(browser, 10).until(ec.presence_of_element_located((By.ID, "answers")))
    submission_id = browser.current_url.split("/interviews/")[1].split("?")[0]
    assert submission_id in site.flagged
    assert STRINGS["flag_too_fast_help"][0] in browser.page_source
    labelled = browser.find_elements(By.CSS_SELECTOR, "#answers tbody tr")
    assert len(labelled) > 50
    assert axe_violations(browser) == []
    browser.find_element(By.ID, "comment").send_keys("too short: 3 minutes")
    browser.find_element(By.ID, "reject").click()
    wait_for(browser, 10).until(ec.presence_of_element_located((By.ID, "saved")))
    rows = _db(
        site,
        "SELECT status FROM submissions WHERE survey_id = :s AND submission_id = :id",
        s=site.survey1,
        id=submission_id,
    )
    assert rows == [("rejected",)]
    events = _db(
        site,
        "SELECT e.actor, e.detail FROM submission_events e JOIN submissions s "
        "ON s.id = e.submission_pk WHERE s.submission_id = :id AND e.action = 'review'",
        id=submission_id,
    )
    assert events[-1][0] == "sup-hanoi"
    assert "too short: 3 minutes" in str(events[-1][1])
    # the console moved on to the next flagged interview of the queue
    assert submission_id not in browser.current_url
    # keyboard: q goes back to the queue, which no longer lists the rejected interview
    browser.find_element(By.TAG_NAME, "body").send_keys("q")
    wait_for(browser, 10).until(ec.presence_of_element_located((By.ID, "queue")))
    assert submission_id[:8] not in browser.find_element(By.ID, "queue").text


def test_create_an_enumerator_token_and_see_its_qr_code(browser: Any, site: Site) -> None:
    import httpx

    sign_in(browser, site, site.admin, f"/console/surveys/{site.survey1}/tokens")
    browser.find_element(By.ID, "holder").send_keys("enum-12")
    browser.find_element(By.ID, "create-token").click()
    wait_for(browser, 10).until(ec.presence_of_element_located((By.ID, "created-token")))
    qr = browser.find_element(By.CSS_SELECTOR, "svg.qr")
    assert qr.size["width"] >= 200
    assert qr.find_element(By.TAG_NAME, "path").get_attribute("d").count("z") > 100
    token = browser.find_element(By.ID, "new-token").get_attribute("value")
    me = httpx.get(site.url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["role"] == "enumerator" and me["survey_id"] == site.survey1
    assert "enum-12" in browser.find_element(By.ID, "tokens").text
    assert axe_violations(browser) == []


def test_revoke_a_token_and_it_gets_401_from_the_api(browser: Any, site: Site) -> None:
    import httpx

    created = httpx.post(
        site.url + "/api/v1/tokens",
        json={"name": "enum-lost-phone", "role": "enumerator", "survey_id": site.survey1},
        headers={"Authorization": f"Bearer {site.admin}"},
    )
    assert created.status_code == 201, created.text
    token, token_id = created.json()["token"], created.json()["id"]
    me = site.url + "/api/v1/me"
    assert httpx.get(me, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    sign_in(browser, site, site.supervisor, f"/console/surveys/{site.survey1}/tokens")
    row = browser.find_element(By.CSS_SELECTOR, f'#tokens tr[data-token="{token_id}"]')
    cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
    assert cells[1] == "enum-lost-phone" and cells[4] == STRINGS["never"][0]
    assert cells[5] != STRINGS["never_used"][0]  # the /me call above
    assert axe_violations(browser) == []
    browser.find_element(By.ID, f"revoke-{token_id}").click()
    wait_for(browser, 10).until(ec.presence_of_element_located((By.ID, "revoked")))
    assert browser.find_elements(By.CSS_SELECTOR, f'#tokens tr[data-token="{token_id}"]') == []
    assert axe_violations(browser) == []
    # the server forgets a revoked token at once in its own process
    got = httpx.get(me, headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 401, got.text
    revoked = _db(site, "SELECT revoked_at FROM api_tokens WHERE id = :i", i=token_id)
    assert revoked[0][0] is not None


def test_download_an_export_and_read_it_back(browser: Any, site: Site) -> None:
    sign_in(browser, site, site.admin, f"/console/surveys/{site.survey1}/exports")
    assert axe_violations(browser) == []
    for old in site.downloads.glob("*"):
        old.unlink()
    browser.find_element(By.ID, "download").click()
    target = site.downloads / f"survey-{site.survey1}.csv"
    deadline = time.monotonic() + 30
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    df = pd.read_csv(target)
    kept = _db(
        site,
        "SELECT count(*) FROM submissions WHERE survey_id = :s AND status != 'rejected'",
        s=site.survey1,
    )[0][0]
    assert len(df) == kept
    # Parquet with the same filters, fetched with the session's cookie
    got = fetch(browser, f"/console/surveys/{site.survey1}/export?format=parquet&status=received")
    assert got["status"] == 200
    parquet = pd.read_parquet(io.BytesIO(base64.b64decode(got["body"])))
    received = _db(
        site,
        "SELECT count(*) FROM submissions WHERE survey_id = :s AND status = 'received'",
        s=site.survey1,
    )[0][0]
    assert len(parquet) == received


def test_switch_to_vietnamese(browser: Any, site: Site) -> None:
    sign_in(browser, site, site.admin, f"/console/surveys/{site.survey1}/enumerators")
    assert browser.find_element(By.TAG_NAME, "h1").text == STRINGS["enumerator_activity"][0]
    browser.find_element(By.ID, "lang-vi").click()
    wait_for(browser, 10).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    )
    assert browser.find_element(By.TAG_NAME, "h1").text == STRINGS["enumerator_activity"][1]
    assert "/enumerators" in browser.current_url
    row = browser.find_element(By.CSS_SELECTOR, '#enumerators tr[data-name="enum-07"]')
    assert row.find_elements(By.TAG_NAME, "td")[0].text == str(sum(site.submitted.values()))
    assert axe_violations(browser) == []
    browser.get(site.url + f"/console/surveys/{site.survey1}")
    assert text_of(browser, "total-submitted") == str(sum(site.submitted.values()))
    assert STRINGS["progress_of"][1] in browser.page_source
    assert axe_violations(browser) == []


def test_a_supervisor_of_survey_1_cannot_reach_survey_2(browser: Any, site: Site) -> None:
    sign_in(browser, site, site.supervisor)
    names = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#surveys td a")]
    assert names == ["Pilot Hanoi 2026"]
    assert axe_violations(browser) == []
    # another survey is "does not exist" to a scoped token, as in the API (authorize)
    for page in ("", "/review", "/enumerators", "/tokens", "/exports"):
        browser.get(site.url + f"/console/surveys/{site.survey2}{page}")
        assert text_of(browser, "error-message") == STRINGS["error_404"][0], page
    assert axe_violations(browser) == []
    for fmt in ("csv", "zip"):
        got = fetch(browser, f"/console/surveys/{site.survey2}/export?format={fmt}")
        assert got["status"] == 404
    # a supervisor may not export survey 1 either (the API's rule: analysts and admins do)
    got = fetch(browser, f"/console/surveys/{site.survey1}/export?format=csv")
    assert got["status"] == 403


def test_every_page_passes_axe(browser: Any, site: Site) -> None:
    browser.get(site.url + "/console/sign-in")
    assert axe_violations(browser) == []
    sign_in(browser, site, site.admin)
    for page in ("/console/surveys", f"/console/surveys/{site.survey1}/review?status=any"):
        browser.get(site.url + page)
        assert axe_violations(browser) == [], page


# ---------------------------------------------------------------------- published explorer


def test_published_2023_map_has_thua_thien_hue_first(browser: Any, site: Site) -> None:
    sign_in(browser, site, site.supervisor, "/console/published")
    Select(browser.find_element(By.ID, "year")).select_by_value("2023")
    browser.find_element(By.ID, "show").click()
    wait_for(browser, 20).until(lambda d: "year=2023" in d.current_url)
    first = browser.find_element(By.CSS_SELECTOR, "#ranking tbody tr")
    assert first.get_attribute("data-province") == "P31"
    assert [c.text for c in first.find_elements(By.CSS_SELECTOR, "td, th")][:3] == [
        "1",
        "Thua Thien Hue",
        "46.04",
    ]
    tile = browser.find_element(By.CSS_SELECTOR, '#pmap g[data-province="P31"]')
    assert (tile.get_attribute("data-score"), tile.get_attribute("data-rank")) == ("46.04", "1")
    assert tile.find_element(By.TAG_NAME, "rect").get_attribute("fill") == "#08519c"
    assert axe_violations(browser) == []
    got = fetch(browser, "/console/published/ranking.csv?year=2023")
    table = pd.read_csv(io.BytesIO(base64.b64decode(got["body"])))
    assert table.iloc[0][["province", "rank"]].tolist() == ["P31", 1]
    # choose the province on the map: its profile
    browser.find_element(By.CSS_SELECTOR, '#ranking tr[data-province="P31"] a').click()
    wait_for(browser, 20).until(ec.presence_of_element_located((By.ID, "takes")))
    assert "/published/provinces/P31" in browser.current_url


def test_a_province_profile_with_what_it_takes(browser: Any, site: Site) -> None:
    sign_in(browser, site, site.admin, "/console/published/provinces/P20?year=2018")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Hai Phong")
    row = browser.find_element(By.CSS_SELECTOR, '#history tr[data-year="2018"]')
    cells = [c.text for c in row.find_elements(By.CSS_SELECTOR, "td, th")]
    assert cells[:4] == ["2018", "42.80", "49", STRINGS["group_low"][0]]
    assert "0.258" in text_of(browser, "to-next")
    lines = browser.find_elements(By.CSS_SELECTOR, "#dimension-trend polyline")
    assert len(lines) == 8
    assert browser.find_elements(By.CSS_SELECTOR, "table.plan")
    assert axe_violations(browser) == []
    Select(browser.find_element(By.ID, "b")).select_by_value("P31")
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait_for(browser, 20).until(ec.presence_of_element_located((By.ID, "side-by-side")))
    assert axe_violations(browser) == []


def test_published_explorer_in_vietnamese(browser: Any, site: Site) -> None:
    sign_in(browser, site, site.admin, "/console/published?year=2023")
    browser.find_element(By.ID, "lang-vi").click()
    wait_for(browser, 10).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    )
    assert "year=2023" in browser.current_url
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith(STRINGS["published_papi"][1])
    first = browser.find_element(By.CSS_SELECTOR, "#ranking tbody tr")
    cells = [c.text for c in first.find_elements(By.CSS_SELECTOR, "td, th")]
    assert cells == ["1", "Thừa Thiên Huế", "46.04", STRINGS["group_high"][1]]
    assert axe_violations(browser) == []
    browser.get(site.url + "/console/published/provinces/P31?year=2023")
    assert STRINGS["what_it_takes"][1] in browser.page_source
    assert axe_violations(browser) == []
