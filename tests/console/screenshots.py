"""Screenshots of the console for docs/console.md (run by hand, not a test).

    python bench/console_bench.py --db sqlite --keep /tmp/console.db   # 15,000 interviews
    python -m tests.console.screenshots sqlite:////tmp/console.db docs/img

It starts a server on the database, signs in with a new admin token in headless Chromium
and saves the progress page (in English and Vietnamese), a flagged interview, the
enumerators page and a new enumerator token with its QR code, at laptop size (1280 px), and
the progress page at 10-inch tablet size (800 px, portrait). With ``--published`` (any
database, no survey needed) only the published explorer: the 2023 map and ranking and Hai
Phong's profile. The docs keep the top 1,500
pixels of each, reduced to 128 colours.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from selenium.webdriver.common.by import By

from tests.api.live import LiveServer
from tests.api.support import admin_token, make_settings
from tests.console.conftest import Site
from tests.console.helpers import sign_in


def main(url: str, out: Path, published_only: bool = False) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from tests.console.conftest import CHROME_FLAGS

    out.mkdir(parents=True, exist_ok=True)
    token = admin_token(make_settings(url))
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    with LiveServer(url) as server:
        site = Site(server.url, url, token, "", 1, 0, {}, [], out)
        try:
            first = "/console/published" if published_only else "/console/surveys/1"
            sign_in(driver, site, token, first)

            def shot(path: str, name: str, width: int = 1280, height: int = 900) -> None:
                driver.set_window_size(width, height)
                driver.get(server.url + path)
                time.sleep(0.3)
                full = driver.execute_script("return document.body.scrollHeight")
                driver.set_window_size(width, min(int(full) + 120, 2400))
                driver.save_screenshot(str(out / f"{name}.png"))

            if published_only:
                shot("/console/published?year=2023", "console-published-2023", height=1000)
                shot("/console/published/provinces/P20?year=2018", "console-profile-hai-phong")
                return
            shot("/console/surveys/1", "console-progress")
            shot("/console/surveys/1", "console-progress-tablet", 800, 1280)
            driver.get(server.url + "/console/surveys/1/review?flag=too_fast")
            html = driver.page_source
            found = re.search(r"/interviews/([0-9a-f-]{36})", html)
            assert found
            shot(
                f"/console/surveys/1/interviews/{found.group(1)}?flag=too_fast",
                "console-interview",
            )
            shot("/console/surveys/1/enumerators", "console-enumerators")
            driver.set_window_size(1280, 900)
            driver.get(server.url + "/console/surveys/1/tokens")
            driver.find_element(By.ID, "holder").send_keys("enum-31")
            driver.find_element(By.ID, "create-token").click()
            time.sleep(0.3)
            driver.set_window_size(1280, 1000)
            driver.save_screenshot(str(out / "console-token-qr.png"))
            driver.get(server.url + "/console/lang/vi?next=/console/surveys/1")
            shot("/console/surveys/1", "console-progress-vi")
        finally:
            driver.quit()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), "--published" in sys.argv[3:])
