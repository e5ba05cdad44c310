"""A survey's scores and the live what-if in a real browser (headless Chromium), on SQLite
and PostgreSQL: a scoring job started from the console and run to completion with its
chart, a what-if change (dropping a sub-dimension) that moves a rank exactly as
``scoring.score`` computes it, the choices restored from the URL on reload, Vietnamese, and
no serious accessibility problem on the new pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from api.app import create_app
from api.console import whatif
from api.console.i18n import STRINGS
from api.db.engine import Database
from api.db.migrate import upgrade
from api.exports.service import survey_frame
from scoring import IndexScores, score
from tests.api.conftest import BACKENDS, database_url, fresh_pg_database
from tests.api.live import LiveServer
from tests.api.support import admin_token, make_settings
from tests.console.conftest import Site
from tests.console.helpers import (
    assert_downloads_on_every_chart_and_table,
    axe_violations,
    sign_in,
    wait_for,
)
from tests.console.scores_seed import PILOT, PROVINCES, add_simulated

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
JOB = {"weighted": False, "variance": "taylor"}


@dataclass
class ScoresSite:
    site: Site
    survey: int
    pilot: int
    job: str
    pilot_job: str
    result: IndexScores
    drop: str  # a sub-dimension whose drop changes a rank of the aggregate
    moved: pd.DataFrame  # province, rank_before, rank_after (as scoring.score computes them)


def _dropping_changes_a_rank(frame: pd.DataFrame, q: Any) -> tuple[str, pd.DataFrame]:
    kw = whatif.score_kwargs(JOB, whatif.Choices(drop=(), weighted=False, variance="taylor"))
    before = score(frame, q, **kw).composite.set_index("province")["rank"]
    for sub in q.structure.subdimensions:
        after = score(frame, whatif.reduced(q, (sub.code,)), **kw).composite
        after = after.set_index("province")["rank"]
        changed = (before != after) & before.notna()
        if changed.any():
            table = pd.DataFrame({"rank_before": before[changed], "rank_after": after[changed]})
            return str(sub.code), table.reset_index()
    raise AssertionError("no single sub-dimension changes a rank: change the fixture's seed")


@pytest.fixture(scope="module", params=BACKENDS)
def scores_site(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[ScoresSite]:
    tmp = tmp_path_factory.mktemp(f"scores-{request.param}")
    with ExitStack() as stack:
        url = (
            stack.enter_context(fresh_pg_database())
            if request.param == "postgresql"
            else database_url(request.param, request, tmp)
        )
        upgrade(url)
        settings = make_settings(url)
        token = admin_token(settings)
        admin = {"Authorization": f"Bearer {token}"}
        with TestClient(create_app(settings)) as client:
            sid, _ = add_simulated(client, admin, "Five provinces", provinces=PROVINCES)
            pid, _ = add_simulated(client, admin, "Pilot Hoan Kiem", pilot=PILOT, interviews=10)
            jobs = []
            for s in (sid, pid):
                r = client.post(f"/api/v1/surveys/{s}/scores", json=JOB, headers=admin)
                assert r.status_code == 202, r.text
                jobs.append(r.json()["id"])
            from tests.api.support import Api

            api = Api(client, admin, None)  # type: ignore[arg-type]
            done = [api.wait_job(f"/api/v1/surveys/{s}/scores/{j}", 120) for s, j in
                    zip((sid, pid), jobs, strict=True)]  # fmt: skip
            assert all(d["status"] == "succeeded" for d in done), done
        with Database(settings).session() as session:
            frame, q = survey_frame(session, sid)
        drop, moved = _dropping_changes_a_rank(frame, q)
        downloads = tmp / "downloads"
        downloads.mkdir()
        server = stack.enter_context(LiveServer(url, env={"PAPI_RUN_JOBS": "true"}))
        site = Site(server.url, url, token, "", sid, pid, {}, [], downloads)
        yield ScoresSite(site, sid, pid, jobs[0], jobs[1],
                         IndexScores.from_dict(done[0]["results"]), drop, moved)  # fmt: skip


@pytest.fixture
def driver(scores_site: ScoresSite, browser_factory: Any) -> Iterator[Any]:
    d = browser_factory(scores_site.site.downloads)
    yield d
    d.quit()


def test_a_scoring_job_runs_to_completion_with_its_chart(
    driver: Any, scores_site: ScoresSite
) -> None:
    s = scores_site
    sign_in(driver, s.site, s.site.admin, f"/console/surveys/{s.survey}/scores")
    assert axe_violations(driver) == []
    Select(driver.find_element(By.ID, "variance")).select_by_value("taylor")
    driver.find_element(By.ID, "start").click()
    wait_for(driver, 120).until(ec.presence_of_element_located((By.ID, "scores-chart")))
    job = driver.current_url.rsplit("/", 1)[1]
    assert job != s.job  # a new job, run by the server's runner and watched by the page
    dots = driver.find_elements(By.CSS_SELECTOR, "#scores-chart g[data-province]")
    assert len(dots) == len(PROVINCES)
    rows = driver.find_elements(By.CSS_SELECTOR, "#scores-table tbody tr")
    comp = s.result.composite.set_index("province")
    for row in rows:
        p = row.get_attribute("data-province")
        # the same data and choices as the fixture's job: the same numbers
        assert float(row.get_attribute("data-est")) == pytest.approx(comp.loc[p, "est"], abs=1e-6)
    assert axe_violations(driver) == []
    driver.get(s.site.url + f"/console/surveys/{s.survey}/scores/{job}?province=P20&year=2023")
    assert driver.find_elements(By.CSS_SELECTOR, "#drill-table tr.lvl-ind")
    assert driver.find_elements(By.CSS_SELECTOR, "#compare-published tbody tr")
    assert axe_violations(driver) == []


def test_dropping_a_sub_dimension_moves_ranks_as_the_library_and_the_url_keeps_it(
    driver: Any, scores_site: ScoresSite
) -> None:
    s = scores_site
    path = f"/console/surveys/{s.survey}/scores/{s.job}/whatif"
    sign_in(driver, s.site, s.site.admin, path)
    assert driver.find_elements(By.ID, "no-moves")
    assert axe_violations(driver) == []
    driver.execute_script("window.__sameDocument = 1;")
    box = driver.find_element(By.ID, f"drop-{s.drop}")
    box.find_element(By.XPATH, "./ancestor::details/summary").click()
    box.click()

    def moved_as_library(d: Any) -> bool:
        for _, r in s.moved.iterrows():
            cells = d.find_elements(
                By.CSS_SELECTOR, f'#whatif-moves tr[data-province="{r.province}"]'
            )
            if not cells or cells[0].get_attribute("data-rank-after") != str(int(r.rank_after)):
                return False
        return True

    wait_for(driver, 60).until(moved_as_library)
    assert driver.execute_script("return window.__sameDocument;") == 1  # updated in place
    assert f"drop={s.drop}" in driver.current_url
    for _, r in s.moved.iterrows():
        row = driver.find_element(
            By.CSS_SELECTOR, f'#whatif-moves tr[data-province="{r.province}"]'
        )
        assert row.get_attribute("data-rank-before") == str(int(r.rank_before))
        assert int(row.get_attribute("data-change")) == int(r.rank_before - r.rank_after)
    assert axe_violations(driver) == []
    # the URL holds the choices: a reload (or the link, shared) shows the same view
    driver.refresh()
    wait_for(driver, 30).until(moved_as_library)
    assert driver.find_element(By.ID, f"drop-{s.drop}").is_selected()
    Select(driver.find_element(By.ID, "w-agg")).select_by_value("geometric")
    wait_for(driver, 60).until(
        lambda d: "sensitivity" in d.find_element(By.ID, "whatif-engine").text
    )
    assert "agg=geometric" in driver.current_url


def test_the_scores_pages_in_vietnamese(driver: Any, scores_site: ScoresSite) -> None:
    s = scores_site
    job_path = f"/console/surveys/{s.survey}/scores/{s.job}"
    sign_in(driver, s.site, s.site.admin, job_path)
    driver.get(s.site.url + f"/console/lang/vi?next={job_path}/whatif")
    assert driver.find_element(By.TAG_NAME, "h1").text == STRINGS["whatif"][1]
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    assert axe_violations(driver) == []
    driver.get(s.site.url + job_path)
    assert driver.find_element(By.TAG_NAME, "h1").text == STRINGS["scores_of"][1]
    # a single-district pilot: compared with its province's published scores, not ranked
    driver.get(s.site.url + f"/console/surveys/{s.pilot}/scores/{s.pilot_job}")
    assert driver.find_elements(By.ID, "pilot-compare")
    assert not driver.find_elements(By.ID, "scores-table")
    assert axe_violations(driver) == []
    driver.get(s.site.url + "/console/lang/en?next=/console/surveys")


def test_every_chart_and_table_of_the_scores_pages_has_its_downloads(
    driver: Any, scores_site: ScoresSite
) -> None:
    """The survey's scores (aggregate, a dimension, a province's drill-down, the comparison
    with a published year), a pilot's comparison, and the what-if, also after an update in
    place (the new charts and tables get their controls too)."""
    s = scores_site
    job = f"/console/surveys/{s.survey}/scores/{s.job}"
    province = str(s.result.composite["province"].iloc[0])
    sign_in(driver, s.site, s.site.admin, job)
    pages = (
        job,
        f"{job}?level=D1",
        f"{job}?province={province}",
        f"{job}?year=2023",
        f"/console/surveys/{s.pilot}/scores/{s.pilot_job}",
        f"{job}/whatif",
    )
    for page in pages:
        driver.get(s.site.url + page)
        assert_downloads_on_every_chart_and_table(driver, page)
    # a what-if change replaces the result: its charts and tables get their controls again
    before = assert_downloads_on_every_chart_and_table(driver, "what-if")
    driver.execute_script("window.__sameDocument = 1;")
    Select(driver.find_element(By.ID, "w-agg")).select_by_value("geometric")
    wait_for(driver, 60).until(
        lambda d: "sensitivity" in d.find_element(By.ID, "whatif-engine").text
    )
    assert driver.execute_script("return window.__sameDocument;") == 1
    charts, tables = assert_downloads_on_every_chart_and_table(driver, "what-if, geometric")
    assert charts == before[0] and tables >= before[1]  # the moves table may appear
