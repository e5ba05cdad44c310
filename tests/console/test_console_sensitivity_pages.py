"""The sensitivity pages and the downloads without a browser: every number the audit page
shows equals what ``scoring.run_sensitivity`` returns for the same choices; the console's
CSV files carry a BOM; the HTML report of a view is self-contained."""

from __future__ import annotations

import io
import re
import time
from html import unescape
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.console import CONSOLE_PATH
from api.console import sensitivity as sens
from api.console.i18n import STRINGS
from api.reporting.i18n import FACTOR_NAMES
from scoring.sensitivity import default_audit, published_input, run_sensitivity
from survey.published import subdimensions
from tests.api.support import Api

YEAR, RUNS, SEED = 2023, 1000, 5


def _sign_in(client: TestClient, token: str) -> None:
    r = client.post(f"{CONSOLE_PATH}/sign-in", data={"token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text


@pytest.fixture
def client(api: Api) -> Any:
    api.client.cookies.clear()
    _sign_in(api.client, api.admin["Authorization"].split(" ", 1)[1])
    yield api.client
    api.client.cookies.clear()


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def _rows(html: str, table_id: str) -> dict[str, list[str]]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    out = {}
    for key, row in re.findall(r'<tr data-[a-z]+="([^"]+)">(.*?)</tr>', body, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        out[key] = [" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells]
    return out


def _audit_page(client: TestClient) -> str:
    page = client.get(f"{CONSOLE_PATH}/published/sensitivity?year={YEAR}&runs={RUNS}&seed={SEED}")
    r = client.post(
        f"{CONSOLE_PATH}/published/sensitivity",
        data={"csrf": _csrf(page.text), "year": YEAR, "runs": RUNS, "seed": SEED},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    deadline = time.monotonic() + 120
    status = ""
    while time.monotonic() < deadline:
        status = client.get(
            f"{CONSOLE_PATH}/published/sensitivity/status?year={YEAR}&runs={RUNS}&seed={SEED}"
        ).text
        if "data-reload" in status:
            break
        time.sleep(0.3)
    assert "data-reload" in status, status
    return client.get(r.headers["location"]).text


def test_the_audit_page_shows_what_run_sensitivity_returns(client: TestClient) -> None:
    html = _audit_page(client)
    doc = run_sensitivity(
        published_input(subdimensions(YEAR)),
        default_audit(microdata=False),
        runs=RUNS,
        sobol_n=sens.SOBOL_N,
        rng=SEED,
    ).to_json()
    ranks = _rows(html, "sens-ranks")
    ranked = [p for p in doc["provinces"] if p["nominal_rank"] is not None]
    assert len(ranks) == len(ranked) == 61
    for p in ranked:
        _name, nominal, median, q05, q95, shift = ranks[p["province"]]
        assert int(nominal) == p["nominal_rank"]
        assert (median, q05, q95) == tuple(
            f"{p[k]:g}" for k in ("median_rank", "rank_q05", "rank_q95")
        )
        assert shift == f"{p['mean_abs_shift']:.2f}"
    sobol = _rows(html, "sens-sobol")
    assert set(sobol) == {s["factor"] for s in doc["sobol"]}
    for s in doc["sobol"]:
        name, s1, s1_ci, st, st_ci = sobol[s["factor"]]
        assert name == FACTOR_NAMES["en"][s["factor"]]
        assert (s1, st) == (f"{s['S1']:.3f}", f"{s['ST']:.3f}")
        assert s1_ci == f"{s['S1_ci'][0]:.3f} – {s['S1_ci'][1]:.3f}"
        assert st_ci == f"{s['ST_ci'][0]:.3f} – {s['ST_ci'][1]:.3f}"
    oat = _rows(html, "sens-oat")
    assert set(oat) == {o["dropped"] for o in doc["oat"]}
    for o in doc["oat"]:
        _name, _level, mean, largest, moved = oat[o["dropped"]]
        assert (mean, float(largest), int(moved)) == (
            f"{o['mean_abs_shift']:.2f}",
            o["max_abs_shift"],
            o["n_changed"],
        )
    summary = f"{doc['overall']['mean_abs_shift']:.2f}"
    assert summary in html.split('id="sens-summary"', 1)[1].split("</p>", 1)[0]


def test_every_factor_of_the_default_audits_has_a_plain_name() -> None:
    from scoring.sensitivity.engine import Design

    data = published_input(subdimensions(YEAR))
    factors = {f.name for f in Design(data, default_audit(microdata=False)).factors}
    assert factors
    for lang in ("en", "vi"):
        assert factors <= set(FACTOR_NAMES[lang]), lang


def test_an_unoffered_run_count_is_a_clear_error(client: TestClient) -> None:
    r = client.get(f"{CONSOLE_PATH}/published/sensitivity?year={YEAR}&runs=7")
    assert r.status_code == 422
    assert "choose one of 1000, 2000, 5000, 10000" in r.text
    assert STRINGS["error_422"][0] in r.text


def test_csv_files_carry_a_bom_and_the_report_is_self_contained(client: TestClient) -> None:
    for url in ("/published/ranking.csv?year=2023", "/published/provinces/P20.csv"):
        r = client.get(CONSOLE_PATH + url)
        assert r.headers["content-type"] == "text/csv; charset=utf-8"
        assert r.content.startswith(b"\xef\xbb\xbf"), url
        assert len(pd.read_csv(io.BytesIO(r.content), encoding="utf-8-sig")) > 0
    page = client.get(f"{CONSOLE_PATH}/published?year=2023&level=D1").text
    r = client.get(f"{CONSOLE_PATH}/published?year=2023&level=D1&download=html")
    assert r.headers["content-disposition"] == (
        'attachment; filename="console-published-year-2023-level-D1.html"'
    )
    report = r.text
    assert "<script" not in report and "<form" not in report and "<style>" in report
    assert _rows(report, "ranking") == _rows(page, "ranking")
    assert (
        'id="pmap"' in report and 'href="http://testserver/console/published/provinces/' in report
    )
    assert "http://testserver/console/published?year=2023&amp;level=D1 ·" in report


def test_a_finished_survey_job_is_drawn_from_its_stored_document(
    api: Api, client: TestClient
) -> None:
    """The survey page draws the job's stored document (the one the API returns), whoever
    computed it: here a document written straight into the jobs table."""
    from datetime import UTC, datetime

    from api.jobs import repository

    survey = api.survey(name="Audit survey")
    doc = run_sensitivity(
        published_input(subdimensions(2024)),
        default_audit(microdata=False),
        runs=200,
        sobol_n=64,
        rng=1,
    ).to_json()
    job = "00000000-0000-4000-8000-0000000000a1"
    db = client.app.state.db  # type: ignore[attr-defined]
    with db.writing() as session:
        repository.insert(
            session, job, survey, "sensitivity", {"runs": 200}, "t", datetime.now(UTC)
        )
        repository.finish(session, job, datetime.now(UTC), doc, None)
        session.commit()
    html = client.get(f"{CONSOLE_PATH}/surveys/{survey}/sensitivity?job={job}").text
    ranks = _rows(html, "sens-ranks")
    ranked = {p["province"]: p for p in doc["provinces"] if p["nominal_rank"] is not None}
    assert set(ranks) == set(ranked)
    assert all(ranks[p][1] == f"{ranked[p]['nominal_rank']:g}" for p in ranked)
    assert set(_rows(html, "sens-oat")) == {o["dropped"] for o in doc["oat"]}
    assert 'aria-current="page">' + STRINGS["sensitivity"][0] in html
    # another kind of job, or a job of another survey, is not a sensitivity audit here
    other = api.survey(name="Other")
    r = client.get(f"{CONSOLE_PATH}/surveys/{other}/sensitivity?job={job}")
    assert r.status_code == 404


def test_published_audits_wait_one_at_a_time_and_a_full_queue_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from api.problems import Conflict

    gate = threading.Event()
    ran: list[sens.AuditKey] = []

    def hold(key: sens.AuditKey, state: sens.AuditState) -> None:
        gate.wait(30)
        ran.append(key)
        state.stage = "done"

    monkeypatch.setattr(sens.PublishedAudits, "_run", staticmethod(hold))
    audits = sens.PublishedAudits()
    keys = [sens.AuditKey(2023, 1000, seed) for seed in range(sens.WAITING)]
    states = [audits.start(k) for k in keys]
    assert audits.start(keys[0]) is states[0]  # the same audit is not queued twice
    with pytest.raises(Conflict, match="try again"):
        audits.start(sens.AuditKey(2023, 1000, 99))
    gate.set()
    deadline = time.monotonic() + 30
    while len(ran) < len(keys) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ran == keys  # in order, one at a time
    assert audits.start(sens.AuditKey(2023, 1000, 99)).stage in ("queued", "done")


def test_a_worker_that_has_not_seen_an_audit_starts_it(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With several workers the poll or the page may reach one that has not computed the
    audit: it computes it too (the result depends on year, runs and seed only)."""
    started: list[sens.AuditKey] = []

    def note(key: sens.AuditKey, state: sens.AuditState) -> None:
        started.append(key)
        state.error, state.stage = "not computed in this test", "failed"

    monkeypatch.setattr(sens.PublishedAudits, "_run", staticmethod(note))
    monkeypatch.setattr(sens, "AUDITS", sens.PublishedAudits())  # this worker's, empty
    query = "year=2019&runs=2000&seed=41"
    page = client.get(f"{CONSOLE_PATH}/published/sensitivity?{query}").text
    assert 'id="sens-none"' in page and not started  # not asked for: nothing runs
    r = client.get(f"{CONSOLE_PATH}/published/sensitivity/status?{query}")
    assert r.status_code == 200
    deadline = time.monotonic() + 10
    while not started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started == [sens.AuditKey(2019, 2000, 41)]
    page = client.get(f"{CONSOLE_PATH}/published/sensitivity?{query}&run=1").text
    assert 'id="sens-error"' in page and "not computed in this test" in page
    assert started == [sens.AuditKey(2019, 2000, 41)]  # known here: not started twice
