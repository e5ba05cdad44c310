"""Screenshots of the survey-scores pages for docs/console.md (run by hand, not a test).

    python -m tests.console.scores_screenshots docs/img

It fills a new SQLite database with two simulated surveys (five provinces, and a pilot of
one district: ``tests/console/scores_seed.py``), scores both (Taylor, unweighted), starts a
server and saves, at laptop size, the five-province job compared with 2023 and drilled into
Hai Phong (``console-scores.png``) and the what-if with SC23 dropped and geometric means
(``console-whatif.png``); the top 1,500 pixels, reduced to 128 colours, as the other
screenshots of the docs.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from api.app import create_app
from api.db.migrate import upgrade
from tests.api.live import LiveServer
from tests.api.support import Api, admin_token, make_settings
from tests.console.conftest import CHROME_FLAGS, Site
from tests.console.helpers import sign_in
from tests.console.scores_seed import PILOT, PROVINCES, add_simulated


def main(out: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    out.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'scores.db'}"
    upgrade(url)
    settings = make_settings(url)
    token = admin_token(settings)
    admin = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings)) as client:
        sid, _ = add_simulated(client, admin, "PAPI 2026, five provinces (simulated)",
                               provinces=PROVINCES)  # fmt: skip
        pid, _ = add_simulated(client, admin, "Pilot (simulated)", pilot=PILOT, interviews=10)
        api = Api(client, admin, None)  # type: ignore[arg-type]
        jobs = []
        for s in (sid, pid):
            r = client.post(f"/api/v1/surveys/{s}/scores", json={"weighted": False}, headers=admin)
            jobs.append(r.json()["id"])
            api.wait_job(f"/api/v1/surveys/{s}/scores/{jobs[-1]}", 300)
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))

    def save(name: str) -> None:
        time.sleep(0.5)
        full = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1280, min(int(full) + 120, 2400))
        path = out / f"{name}.png"
        driver.save_screenshot(str(path))
        image = Image.open(path).convert("RGB")
        image.crop((0, 0, image.width, min(image.height, 1500))).quantize(colors=128).save(
            path, optimize=True
        )
        driver.set_window_size(1280, 900)

    try:
        with LiveServer(url, env={"PAPI_RUN_JOBS": "true"}) as server:
            site = Site(server.url, url, token, "", sid, pid, {}, [], out)
            base = f"/console/surveys/{sid}/scores/{jobs[0]}"
            sign_in(driver, site, token, f"{base}?year=2023&province=P20")
            save("console-scores")
            driver.get(server.url + f"{base}/whatif?weighted=0&variance=taylor&drop=SC23")
            Select(driver.find_element(By.ID, "w-agg")).select_by_value("geometric")
            time.sleep(3)
            save("console-whatif")
    finally:
        driver.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
