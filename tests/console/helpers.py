"""Browser steps shared by the console tests."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.console.conftest import AXE, Site


def sign_in(driver: Any, site: Site, token: str, path: str = "/console/") -> None:
    driver.get(site.url + path)
    WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.ID, "token")))
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.CLASS_NAME, "who")))


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
