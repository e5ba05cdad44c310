"""The console's published explorer (``/console/published...``): the bundled published PAPI
scores 2018–2024 by year and level (map, ranked chart), a province's profile and trend, two
provinces side by side, and their CSV and SVG downloads; thin handlers over
``api.console.explorer``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.console import downloads
from api.console.i18n import translator
from api.console.routes import ConsoleRoute, Current, Year, _lang, render, svg_response

# no prefix of its own: the console's router, which includes it, has the console's path
router: APIRouter = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Level = Annotated[str, Query(max_length=3, pattern=r"^[A-Z0-9]*$")]
Province = Annotated[str, Query(max_length=3, pattern=r"^P[0-9]{2}$")]
LATEST = 2024


@router.get("/published")
def published(
    request: Request, session: Current, year: Year = LATEST, level: Level = "AGG"
) -> Response:
    from api.console import explorer as ex

    context = ex.overview(ex.check_year(year), ex.check_level(level), _lang(request))
    return render(request, "published.html", session=session, **context)


@router.get("/published/ranking.csv")
def published_csv(
    request: Request, session: Current, year: Year = LATEST, level: Level = "AGG"
) -> Response:
    from api.console import explorer as ex

    body = ex.ranking_csv(ex.check_year(year), ex.check_level(level), _lang(request))
    return downloads.csv_response(body, f"papi-{year}-{level}.csv")


@router.get("/published/chart.svg")
def published_svg(
    request: Request,
    session: Current,
    year: Year = LATEST,
    level: Level = "AGG",
    kind: Annotated[str, Query(pattern=r"^(map|bars)$")] = "map",
) -> Response:
    from api.console import explorer as ex

    context = ex.overview(ex.check_year(year), ex.check_level(level), _lang(request))
    t = translator(_lang(request))
    title = f"{t('group_map' if kind == 'map' else 'ranked_chart')} {year}: {context['level_name']}"
    return svg_response(
        request, f"papi-{year}-{level}-{kind}.svg", kind=kind, title=title, **context
    )


@router.get("/published/compare")
def published_compare(
    request: Request,
    session: Current,
    a: Province = "P31",
    b: Province = "P20",
    year: Year = LATEST,
) -> Response:
    from api.console import explorer as ex

    context = ex.comparison(
        ex.check_province(a), ex.check_province(b), ex.check_year(year), _lang(request)
    )
    return render(request, "compare.html", session=session, **context)


@router.get("/published/provinces/{code}.csv")
def province_csv(request: Request, session: Current, code: str) -> Response:
    from api.console import explorer as ex

    body = ex.history_csv(ex.check_province(code), _lang(request))
    return downloads.csv_response(body, f"papi-{code}.csv")


@router.get("/published/provinces/{code}/trend.svg")
def province_svg(
    request: Request,
    session: Current,
    code: str,
    chart: Annotated[str, Query(pattern=r"^(aggregate|dimensions)$")] = "aggregate",
) -> Response:
    from api.console import explorer as ex

    lang = _lang(request)
    c = ex.profile(ex.check_province(code), LATEST, lang)
    t = translator(lang)
    key = "agg" if chart == "aggregate" else "dim"
    title = f"{t('aggregate_trend' if key == 'agg' else 'dimension_trend')}: {c['name']}"
    return svg_response(
        request,
        f"papi-{code}-{chart}.svg",
        kind="trend",
        chart_id=f"{chart}-trend",
        lines=c[f"{key}_lines"],
        low=c[f"{key}_low"],
        high=c[f"{key}_high"],
        years=c["years"],
        title=title,
    )


@router.get("/published/provinces/{code}")
def province_profile(
    request: Request, session: Current, code: str, year: Year = LATEST
) -> Response:
    from api.console import explorer as ex

    context = ex.profile(ex.check_province(code), ex.check_year(year), _lang(request))
    return render(request, "province.html", session=session, **context)
