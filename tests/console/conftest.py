"""Fixtures of the console's browser tests: a live server per backend and headless Chromium.

The database (SQLite, then PostgreSQL) gets two surveys through the API itself: survey 1
with a sample of three provinces, quotas and interviews (every third one too fast, so
flagged), survey 2 with a few interviews. Tokens: an unscoped admin and a supervisor scoped
to survey 1. The browser is Debian's ``chromium`` driven by its ``chromedriver``
(``.ci/install-browser``); nothing is downloaded at test time. A failing test leaves a
screenshot and the page's HTML in ``screenshots/console/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db.migrate import upgrade
from survey.questionnaire.loader import load_questionnaire
from tests.api.conftest import (  # noqa: F401 (fixtures of the page tests)
    BACKENDS,
    api,
    database_url,
    db_url,
    fresh_pg_database,
    pg_database,
    q,
)
from tests.api.live import ROOT, LiveServer
from tests.api.support import Api, admin_token, make_settings

SHOTS = ROOT / "screenshots" / "console"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",
)

SAMPLE = [
    {
        "province": p,
        "district": f"{p}-D01",
        "commune": f"{p}-D01-C0{c}",
        "village": f"{p}-D01-C0{c}-V01",
        "quota": 6,
    }
    for p in ("P01", "P20", "P50")
    for c in (1, 2)
]


@dataclass
class Site:
    """A live server with its seeded data."""

    url: str
    db_url: str
    admin: str  # tokens
    supervisor: str
    survey1: int
    survey2: int
    submitted: dict[str, int]  # province → interviews of survey 1
    flagged: list[str]  # submission ids of survey 1 flagged too_fast
    downloads: Path


def _seed(url: str) -> dict[str, Any]:
    settings = make_settings(url)
    admin = admin_token(settings)
    papi = load_questionnaire("papi-2021")
    with TestClient(create_app(settings)) as client:
        api = Api(client, {"Authorization": f"Bearer {admin}"}, papi)
        s1 = api.survey(name="Pilot Hanoi 2026", sample=SAMPLE)
        s2 = api.survey(name="Other survey")
        enumerator = api.token("enumerator", s1, name="enum-07")
        submitted: dict[str, int] = {}
        flagged: list[str] = []
        for i in range(24):
            unit = SAMPLE[i % len(SAMPLE)]
            location = {k: unit[k] for k in ("province", "district", "commune", "village")}
            body = api.interview(minutes=3 if i % 3 == 0 else 45, location=location)
            r = api.submit(s1, body, enumerator)
            assert r.status_code == 201, r.text
            submitted[unit["province"]] = submitted.get(unit["province"], 0) + 1
            if any(f["code"] == "too_fast" for f in r.json()["flags"]):
                flagged.append(body["submission_id"])
        for _ in range(3):
            assert api.submit(s2, api.interview()).status_code == 201
        r = client.post(
            "/api/v1/tokens",
            json={"name": "sup-hanoi", "role": "supervisor", "survey_id": s1},
            headers=api.admin,
        )
        supervisor = r.json()["token"]
    return {
        "admin": admin,
        "supervisor": supervisor,
        "survey1": s1,
        "survey2": s2,
        "submitted": submitted,
        "flagged": flagged,
    }


@pytest.fixture(scope="session", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    if shutil.which("chromium") is None or shutil.which("chromedriver") is None:
        pytest.fail("chromium and chromedriver are missing: run .ci/install-browser")
    tmp = tmp_path_factory.mktemp(f"console-{request.param}")
    with ExitStack() as stack:
        # a database of its own: the pages list every survey, and the API tests of the same
        # worker share the session's PostgreSQL database
        url = (
            stack.enter_context(fresh_pg_database())
            if request.param == "postgresql"
            else database_url(request.param, request, tmp)
        )
        upgrade(url)
        data = _seed(url)
        downloads = tmp / "downloads"
        downloads.mkdir()
        server = stack.enter_context(LiveServer(url))
        yield Site(url=server.url, db_url=url, downloads=downloads, **data)


@pytest.fixture(scope="session")
def browser_factory() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    def make(downloads: Path) -> Any:
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "chromium"
        for flag in CHROME_FLAGS:
            options.add_argument(flag)
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(downloads),
                "download.prompt_for_download": False,
            },
        )
        service = Service(executable_path=shutil.which("chromedriver") or "chromedriver")
        driver = webdriver.Chrome(options=options, service=service)
        driver.set_page_load_timeout(60)
        driver.implicitly_wait(10)  # a clicked link or form may still be loading
        return driver

    yield make


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def browser(request: pytest.FixtureRequest, site: Site, browser_factory: Any) -> Iterator[Any]:
    driver = browser_factory(site.downloads)
    driver.delete_all_cookies()
    yield driver
    if request.node.stash.get(_FAILED, False):
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
        driver.save_screenshot(str(SHOTS / f"{name}.png"))
        (SHOTS / f"{name}.html").write_text(driver.page_source, encoding="utf-8")
    driver.quit()
