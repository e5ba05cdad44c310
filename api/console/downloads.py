"""Downloads of the console: the one home of its CSV files and of "the HTML report of this
view".

- **CSV** (server side): UTF-8 with a byte-order mark, so that Excel opens Vietnamese names
  correctly, and ``text/csv; charset=utf-8``. ``static/downloads.js`` writes the CSV of any
  ``table[id]`` in the browser by the same rule (BOM, RFC 4180 quoting); a browser test
  checks that the two agree on the explorer's ranking.
- **SVG and PNG** of every ``svg.chart`` / ``svg.map`` are made in the browser by
  ``static/downloads.js`` (the SVG with its computed styles inlined; the PNG drawn from it
  on a canvas at twice its size): the server has no rasteriser, and the browser has the
  chart exactly as shown.
- **The HTML report of this view**: any console page requested with ``?download=html``
  comes back as one self-contained HTML file: the page's ``<main>`` (charts are inline SVG,
  so they come along), the console's stylesheet inlined, no script and no forms, links made
  absolute, and a line naming the page and the time. It is built from the very HTML the
  page shows, so every number in it is the number on screen, for every page (the explorer,
  progress, sensitivity, and any page added later) without a report template per page. The
  reporting module's ``papi report`` remains the full scores report of a survey; it covers
  neither the explorer nor progress, and would lay out other charts than the ones on screen.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape, unescape

from fastapi.responses import Response

from api.console import STATIC_DIR

BOM = "\ufeff"
REPORT_PARAM = "download"
REPORT_VALUE = "html"


def csv_response(body: str, filename: str) -> Response:
    """A CSV text as a download: UTF-8 with a BOM (Excel reads Vietnamese correctly)."""
    return Response(
        (BOM + body).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def wants_report(query: Mapping[str, str]) -> bool:
    """True when the page is asked for as its HTML report (``?download=html``)."""
    return query.get(REPORT_PARAM) == REPORT_VALUE


def report_link(here: str) -> str:
    """The current page's address with ``download=html`` added."""
    return here + ("&" if "?" in here else "?") + f"{REPORT_PARAM}={REPORT_VALUE}"


_MAIN = re.compile(r"<main\b[^>]*>(.*)</main>", re.S)
_DROP = (
    re.compile(r"<script\b.*?</script>", re.S | re.I),
    re.compile(r"<form\b.*?</form>", re.S | re.I),
    re.compile(r"<p class=\"report-link[^\"]*\">.*?</p>", re.S),
)


def report_html(page: str, *, lang: str, origin: str, path: str) -> str:
    """The self-contained HTML file of a rendered console page (see the module's doc)."""
    named = re.search(r"<title>(.*?)</title>", page, re.S)
    title = unescape(named.group(1)) if named else path
    found = _MAIN.search(page)
    body = found.group(1) if found else page
    for pattern in _DROP:
        body = pattern.sub("", body)
    body = re.sub(r'(href|src)="/', rf'\1="{origin}/', body)
    css = (STATIC_DIR / "console.css").read_text(encoding="utf-8")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    source = escape(origin + path)
    return (
        f'<!doctype html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
        f'<main id="main">\n{body}\n<p class="muted small">{source} · {stamp}</p>\n</main>\n'
        "</body>\n</html>\n"
    )


def report_response(page: str, *, lang: str, origin: str, path: str) -> Response:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", path.strip("/")).strip("-") or "console"
    return Response(
        report_html(page, lang=lang, origin=origin, path=path).encode("utf-8"),
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}.html"'},
    )
