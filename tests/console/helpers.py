"""Browser steps shared by the console tests."""

from __future__ import annotations

from typing import Any

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.console.conftest import AXE, Site


def wait_for(driver: Any, timeout: float) -> WebDriverWait[Any]:
    """The one way the browser tests wait. A page that updates in place replaces the elements
    a condition reads, so an element found a moment ago can be gone when its text is read
    (StaleElementReferenceException): the condition is then simply asked again, as it is
    when the element is not there yet."""
    return WebDriverWait(
        driver,
        timeout,
        ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
    )


def sign_in(driver: Any, site: Site, token: str, path: str = "/console/") -> None:
    driver.get(site.url + path)
    wait_for(driver, 20).until(ec.presence_of_element_located((By.ID, "token")))
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "sign-in").click()
    wait_for(driver, 20).until(ec.presence_of_element_located((By.CLASS_NAME, "who")))


def text(driver: Any, element_id: str) -> str:
    value: str = driver.find_element(By.ID, element_id).text
    return value


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the current page."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.html)}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e)}]));"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def fetch(driver: Any, url: str) -> dict[str, Any]:
    """GET ``url`` from the page with the browser's cookies: ``{status, body}`` (body as
    base64)."""
    result: dict[str, Any] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin', redirect: 'manual'})"
        ".then(async r => { const b = new Uint8Array(await r.arrayBuffer());"
        " let s = ''; for (const x of b) s += String.fromCharCode(x);"
        " done({status: r.status, body: btoa(s)}); })"
        ".catch(e => done({status: -1, body: String(e)}));",
        url,
    )
    return result


def assert_downloads_on_every_chart_and_table(driver: Any, page: str) -> tuple[int, int]:
    """Every chart (``svg.chart``, ``svg.map``) and every table with an id in the page's
    ``main`` has its download controls (SVG and PNG, CSV), and no chart or table lacks the
    markup that gives them (an ``svg`` with a role that is not a chart or map, outside a
    table; a table without an id). Returns (charts, tables)."""
    charts = driver.find_elements(By.CSS_SELECTOR, "main svg.chart, main svg.map")
    tables = driver.find_elements(By.CSS_SELECTOR, "main table[id]")
    unmarked = [  # a picture in a table's cell (a sparkline) is part of that table's row
        e
        for e in driver.find_elements(
            By.CSS_SELECTOR, "main svg[role]:not(.chart):not(.map), main table:not([id])"
        )
        if e.tag_name == "table" or not e.find_elements(By.XPATH, "./ancestor::table")
    ]
    assert unmarked == [], (page, [e.get_attribute("outerHTML")[:120] for e in unmarked])
    svg = driver.find_elements(By.CSS_SELECTOR, ".dl button.dl-svg")
    png = driver.find_elements(By.CSS_SELECTOR, ".dl button.dl-png")
    csv_ = driver.find_elements(By.CSS_SELECTOR, ".dl button.dl-csv")
    assert (len(svg), len(png), len(csv_)) == (len(charts), len(charts), len(tables)), page
    named = {b.get_attribute("data-for") for b in svg + png + csv_}
    ids = {e.get_attribute("id") for e in charts + tables}
    assert ids <= named, (page, ids - named)
    assert charts or tables, page
    assert driver.find_element(By.ID, "report-html").get_attribute("download") is not None
    return len(charts), len(tables)
