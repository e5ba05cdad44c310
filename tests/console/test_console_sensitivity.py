"""The sensitivity audit and the downloads in a real browser (headless Chromium): an audit of
a published year run from the console to its three charts, a survey's audit job, the SVG /
PNG / CSV controls of charts and tables and the HTML report of a view, in English and
Vietnamese, with the accessibility check."""

from __future__ import annotations

import csv
import io
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select
from sqlalchemy import create_engine, text

from api.console.i18n import STRINGS
from api.db.engine import Database
from api.jobs import runner
from api.jobs.runner import JobRunner, ProgressWriter
from api.reporting.i18n import LABELS
from tests.api.support import make_settings
from tests.console.conftest import SHOTS, Site
from tests.console.helpers import (
    assert_downloads_on_every_chart_and_table,
    axe_violations,
    sign_in,
    wait_for,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def downloader(
    request: pytest.FixtureRequest, site: Site, browser_factory: Any, tmp_path: Path
) -> Any:
    """A browser that saves its downloads in a directory of this test."""
    driver = browser_factory(tmp_path)
    driver.downloads = tmp_path
    yield driver
    driver.quit()


def _wait_file(directory: Path, name: str, timeout: float = 30.0) -> Path:
    target = directory / name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if target.exists() and not list(directory.glob("*.crdownload")):
            return target
        time.sleep(0.2)
    raise AssertionError(
        f"{name} was not downloaded; got {sorted(p.name for p in directory.iterdir())}"
    )


def _click_download(driver: Any, target_id: str, fmt: str) -> None:
    button = driver.find_element(By.CSS_SELECTOR, f'.dl button.dl-{fmt}[data-for="{target_id}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()


def _run_published_audit(browser: Any, site: Site, token: str, year: int) -> None:
    sign_in(browser, site, token, f"/console/published/sensitivity?year={year}")
    Select(browser.find_element(By.ID, "runs")).select_by_value("1000")
    browser.find_element(By.ID, "run-sensitivity").click()
    wait_for(browser, 180).until(ec.presence_of_element_located((By.ID, "sens-rank-chart")))


def test_a_published_audit_runs_to_completion_with_its_three_charts(
    browser: Any, site: Site
) -> None:
    sign_in(browser, site, site.supervisor, "/console/published?year=2023")
    browser.find_element(By.ID, "sensitivity-link").click()
    wait_for(browser, 20).until(ec.presence_of_element_located((By.ID, "sens-none")))
    Select(browser.find_element(By.ID, "runs")).select_by_value("1000")
    browser.find_element(By.ID, "seed").clear()
    browser.find_element(By.ID, "seed").send_keys("3")
    browser.find_element(By.ID, "run-sensitivity").click()
    # the progress is shown while it runs, then the page reloads with the results
    wait_for(browser, 180).until(ec.presence_of_element_located((By.ID, "sens-rank-chart")))
    assert "seed=3" in browser.current_url
    bands = browser.find_elements(By.CSS_SELECTOR, "#sens-rank-chart g.band")
    assert len(bands) == 61  # Quang Ninh and Quang Nam were not scored in 2023
    first = browser.find_element(By.CSS_SELECTOR, '#sens-rank-chart g.band[data-nominal="1"]')
    assert first.get_attribute("data-province") == "P31"
    q05, median, q95 = (
        float(first.get_attribute(k) or "nan") for k in ("data-q05", "data-median", "data-q95")
    )
    assert 1 <= q05 <= median <= q95 <= 61
    sobol = browser.find_elements(By.CSS_SELECTOR, "#sens-sobol-chart g[data-key]")
    factors = {b.get_attribute("data-factor") for b in sobol}
    assert "normalisation" in factors and len(sobol) == 2 * len(factors)
    removals = browser.find_elements(By.CSS_SELECTOR, "#sens-oat-chart g[data-dropped]")
    dropped = {r.get_attribute("data-dropped") for r in removals}
    assert {f"D{i}" for i in range(1, 9)} <= dropped
    # each chart carries its plain-language sentence (the report's wording for two of them)
    explain = [p.text for p in browser.find_elements(By.CSS_SELECTOR, "p.explain")]
    assert explain == [
        LABELS["en"]["sens_rank_text"],
        LABELS["en"]["sens_sobol_text"],
        STRINGS["sens_oat_text"][0],
    ]
    assert axe_violations(browser) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(1280, 2600)
    browser.save_screenshot(str(SHOTS / "sensitivity-2023.png"))


def test_the_audit_page_in_vietnamese(browser: Any, site: Site) -> None:
    _run_published_audit(browser, site, site.admin, 2022)
    browser.find_element(By.ID, "lang-vi").click()
    wait_for(browser, 10).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    )
    assert "year=2022" in browser.current_url
    assert browser.find_element(By.ID, "h-ranks").text == STRINGS["sens_rank_title"][1]
    explain = [p.text for p in browser.find_elements(By.CSS_SELECTOR, "p.explain")]
    assert explain[:2] == [LABELS["vi"]["sens_rank_text"], LABELS["vi"]["sens_sobol_text"]]
    labels = [
        b.get_attribute("aria-label")
        for b in browser.find_elements(By.CSS_SELECTOR, '.dl button[data-for="sens-rank-chart"]')
    ]
    assert labels == [
        STRINGS["download_as"][1].format(name=STRINGS["sens_rank_title"][1] + " 2022", format=f)
        for f in ("SVG", "PNG")
    ]
    assert axe_violations(browser) == []
    browser.set_window_size(1280, 1400)
    browser.save_screenshot(str(SHOTS / "sensitivity-2022-vi.png"))


def test_a_survey_audit_job_from_the_console(
    browser: Any, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(browser, site, site.admin, f"/console/surveys/{site.survey1}/sensitivity")
    assert axe_violations(browser) == []
    Select(browser.find_element(By.ID, "runs")).select_by_value("1000")
    browser.find_element(By.ID, "run-sensitivity").click()
    wait_for(browser, 20).until(lambda d: "job=" in d.current_url)
    # the live server runs no jobs (PAPI_RUN_JOBS=false): a worker of this process claims it
    stage = browser.find_element(By.ID, "job-stage").text
    assert stage.startswith(STRINGS["job_queued"][0])
    # the job pauses after its first stored report above 0 until the page has shown it
    seen = threading.Event()
    paused: list[tuple[float, str]] = []

    class Pausing(ProgressWriter):
        def __call__(self, fraction: float, stage: str) -> None:
            before = self.writes
            super().__call__(fraction, stage)
            if fraction > 0 and self.writes > before and not paused:
                paused.append((fraction, stage))
                seen.wait(60)

    settings = make_settings(site.db_url)
    db = Database(settings)
    claimed: list[bool] = []
    worker = threading.Thread(target=lambda: claimed.append(JobRunner(db, settings).run_one()))
    monkeypatch.setattr(runner, "ProgressWriter", Pausing)
    worker.start()
    try:
        wait_for(browser, 120).until(lambda d: paused)
        fraction, stage = paused[0]
        percent = str(round(fraction * 100))
        selector = f'progress#job-progress[value="{percent}"]'
        bar = wait_for(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, selector))[
            0
        ]  # the page polls every second
        assert int(percent) > 0 and bar.text == f"{percent}%"
        assert bar.get_attribute("aria-label") == STRINGS["job_progress"][0]
        shown = browser.find_element(By.ID, "job-stage").text
        assert shown.startswith(f"{STRINGS['job_stage_' + stage][0]} · {percent}%")  # · elapsed
        assert axe_violations(browser) == []
        browser.save_screenshot(str(SHOTS / "sensitivity-survey-running.png"))
    finally:
        seen.set()
        worker.join(300)
        db.dispose()
    assert claimed == [True]
    # queued or running, then finished: the charts, or the job's reason for failing
    wait_for(browser, 180).until(
        lambda d: d.find_elements(By.ID, "sens-rank-chart") or d.find_elements(By.ID, "sens-error")
    )
    job = browser.current_url.split("job=", 1)[1]
    engine = create_engine(site.db_url)
    with engine.connect() as conn:
        kind, status = conn.execute(
            text("SELECT kind, status FROM jobs WHERE id = :j"), {"j": job}
        ).one()
    engine.dispose()
    assert (kind, status in ("succeeded", "failed")) == ("sensitivity", True)
    browser.save_screenshot(str(SHOTS / "sensitivity-survey.png"))
    if browser.find_elements(By.ID, "sens-rank-chart"):
        assert browser.find_elements(By.CSS_SELECTOR, "#sens-rank-chart g.band")
    else:
        assert browser.find_element(By.ID, "sens-error").text.startswith(STRINGS["sens_failed"][0])
    assert axe_violations(browser) == []


def test_downloads_of_the_explorer_charts_and_tables(downloader: Any, site: Site) -> None:
    d = downloader
    sign_in(d, site, site.admin, "/console/published?year=2023")
    controls = d.find_elements(By.CSS_SELECTOR, ".dl button")
    # the map and the ranked chart: SVG and PNG; the ranking table: CSV
    assert sorted(b.text for b in controls) == ["CSV", "PNG", "PNG", "SVG", "SVG"]
    assert axe_violations(d) == []
    # SVG: valid XML carrying the chart's title, with its styles written on the elements
    _click_download(d, "pmap", "svg")
    svg = ET.parse(_wait_file(d.downloads, "pmap.svg")).getroot()
    assert svg.tag == f"{SVG}svg"
    title = svg.find(f"{SVG}title")
    assert title is not None and title.text == d.find_element(By.ID, "pmap-title").get_attribute(
        "textContent"
    )
    rect = svg.find(f".//{SVG}rect")
    assert rect is not None and "fill:" in (rect.get("style") or "")
    # PNG: decodes, at twice the SVG's size
    _click_download(d, "pmap", "png")
    png = Image.open(_wait_file(d.downloads, "pmap.png"))
    png.load()
    SHOTS.mkdir(parents=True, exist_ok=True)
    png.save(SHOTS / "download-pmap.png")
    assert png.size == (2 * int(svg.get("width") or 0), 2 * int(svg.get("height") or 0))
    # the ranked chart is in a closed <details>: its viewBox gives the size
    _click_download(d, "ranking-chart", "svg")
    bars = ET.parse(_wait_file(d.downloads, "ranking-chart.svg")).getroot()
    assert len(bars.findall(f".//{SVG}rect")) == 61
    # CSV of the table: UTF-8 with a BOM, the table's rows as shown, the server's numbers
    _click_download(d, "ranking", "csv")
    raw = _wait_file(d.downloads, "ranking.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [STRINGS[k][0] for k in ("rank", "province", "score", "group")]
    assert rows[1][:3] == ["1", "Thua Thien Hue", "46.04"]
    assert len(rows) == 1 + 63
    d.find_element(By.ID, "ranking-csv").click()  # the server's CSV: the same rule
    server = _wait_file(d.downloads, "papi-2023-AGG.csv").read_bytes()
    assert server.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(server), encoding="utf-8-sig")
    shown = [(r[1], r[0]) for r in rows[1:] if r[0] != STRINGS["none"][0]]
    ranked = table.dropna(subset=["rank"])
    assert shown == list(zip(ranked["name"], ranked["rank"].astype(int).astype(str), strict=True))
    # the HTML report of this view: one file, styles inlined, no script, the same table
    d.find_element(By.ID, "report-html").click()
    report = _wait_file(d.downloads, "console-published-year-2023.html").read_text("utf-8")
    assert "<script" not in report and "<style>" in report and 'id="pmap"' in report
    assert report.count('<tr data-province="') == 63


def test_downloads_of_the_audit_charts_in_vietnamese(downloader: Any, site: Site) -> None:
    d = downloader
    _run_published_audit(d, site, site.admin, 2021)
    d.find_element(By.ID, "lang-vi").click()
    wait_for(d, 10).until(
        lambda x: x.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    )
    for chart in ("sens-rank-chart", "sens-sobol-chart", "sens-oat-chart"):
        _click_download(d, chart, "svg")
        svg = ET.parse(_wait_file(d.downloads, f"{chart}.svg")).getroot()
        title = svg.find(f"{SVG}title")
        assert title is not None and title.text
        _click_download(d, chart, "png")
        png = Image.open(_wait_file(d.downloads, f"{chart}.png"))
        png.load()
        png.save(SHOTS / f"download-{chart}.png")
        assert png.size == (2 * int(svg.get("width") or 0), 2 * int(svg.get("height") or 0))
    svg = ET.parse(d.downloads / "sens-rank-chart.svg").getroot()
    assert (svg.find(f"{SVG}title").text or "").startswith(STRINGS["sens_rank_title"][1])  # type: ignore[union-attr]
    for table in ("sens-ranks", "sens-sobol", "sens-oat"):
        _click_download(d, table, "csv")
        rows = list(
            csv.reader(io.StringIO(_wait_file(d.downloads, f"{table}.csv").read_text("utf-8-sig")))
        )
        body = d.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr")
        assert len(rows) == 1 + len(body)
    ranks = list(csv.reader(io.StringIO((d.downloads / "sens-ranks.csv").read_text("utf-8-sig"))))
    bands = {
        b.get_attribute("data-nominal"): b.get_attribute("data-median")
        for b in d.find_elements(By.CSS_SELECTOR, "#sens-rank-chart g.band")
    }
    assert {r[1]: r[2] for r in ranks[1:]} == bands
    d.find_element(By.ID, "report-html").click()
    report = _wait_file(
        d.downloads, "console-published-sensitivity-year-2021-runs-1000-seed-0-run-1.html"
    ).read_text("utf-8")
    assert 'lang="vi"' in report and LABELS["vi"]["sens_rank_text"] in report
    assert 'id="sens-oat-chart"' in report and "<script" not in report


def test_every_chart_and_table_of_every_page_has_its_downloads(downloader: Any, site: Site) -> None:
    d = downloader
    sign_in(d, site, site.admin)
    pages = (
        f"/console/surveys/{site.survey1}",
        f"/console/surveys/{site.survey1}/enumerators",
        f"/console/surveys/{site.survey1}/review?status=any",
        "/console/published?year=2024&level=D3",
        "/console/published/provinces/P20?year=2020",
        "/console/published/compare?a=P01&b=P31&year=2024",
    )
    for page in pages:
        d.get(site.url + page)
        assert_downloads_on_every_chart_and_table(d, page)
        assert axe_violations(d) == [], page
    # the progress page's charts take their colours from the style sheet: the SVG file
    # carries them on its elements
    d.get(site.url + f"/console/surveys/{site.survey1}")
    chart = d.find_element(By.CSS_SELECTOR, "main svg.chart")
    name = chart.get_attribute("id") or "chart-1"
    _click_download(d, name, "svg")
    svg_file = ET.parse(_wait_file(d.downloads, f"{name}.svg")).getroot()
    styled = [
        e.get("style") or "" for e in svg_file.iter() if e.tag in (f"{SVG}rect", f"{SVG}path")
    ]
    assert styled and all("fill:" in s for s in styled)
