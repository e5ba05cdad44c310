"""The published PAPI explorer of the console: maps, rankings, province profiles and
comparisons of the bundled published scores 2018–2024, and a province's "what it takes".

Every number comes from ``scoring.score_published`` (ranks, groups) and
``scoring.brief.build_brief`` (distances and smallest improvements) on
``survey.published.subdimensions(year)``; this module only selects and lays them out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from api.console import tilemap
from api.reporting.brief import names as brief_names
from scoring import IndexScores, score_published
from scoring.brief import Field, build_brief
from survey.errors import NotFound
from survey.published import YEARS, provinces, questionnaire_of, subdimensions

AGGREGATE = "AGG"
DIMENSIONS = tuple(f"D{i}" for i in range(1, 9))
LEVELS = (AGGREGATE, *DIMENSIONS)
# Performance group → (fill, label colour); text contrast ≥ 4.5:1 on every fill.
GROUP_FILLS: dict[str | None, tuple[str, str]] = {
    "high": ("#08519c", "#ffffff"),
    "high-average": ("#9ecae1", "#1a1a1a"),
    "low-average": ("#fdd0a2", "#1a1a1a"),
    "low": ("#a63603", "#ffffff"),
    None: ("#f0f0f0", "#1a1a1a"),
}
LINE_COLOURS = (
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#1f78b4", "#666666",
)  # fmt: skip


@cache
def scores(year: int) -> IndexScores:
    """The published scores of ``year`` as ``score_published`` computes them (cached)."""
    return score_published(subdimensions(year))


def check_year(year: int) -> int:
    questionnaire_of(year)  # NotFound with the available years
    return year


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise NotFound(
            f"no level {level!r}; choose the aggregate ({AGGREGATE}) or a dimension D1…D8",
            code="level_unknown",
        )
    return level


def check_province(code: str) -> str:
    if code not in set(provinces()["province"]):
        raise NotFound(f"no province {code!r}; codes run from P01 to P63", code="province_unknown")
    return code


@cache
def _names(lang: str, questionnaire: str) -> dict[str, str]:
    return brief_names(lang, questionnaire)


def names(lang: str, year: int = YEARS[-1]) -> dict[str, str]:
    """Code → name in ``lang``: provinces, dimensions, sub-dimensions of ``year`` (the
    questionnaire is loaded once per process, not per row)."""
    return dict(_names(lang, questionnaire_of(year)))


def _num(value: object) -> float | None:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


@dataclass(frozen=True, slots=True)
class Row:
    province: str
    name: str
    score: float | None
    rank: int | None
    group: str | None


def level_table(year: int, level: str) -> pd.DataFrame:
    """province, est, rank, group of one level (aggregate or a dimension) of ``year``."""
    s = scores(year)
    dims = s.dimensions
    frame = s.composite if level == AGGREGATE else dims[dims["dimension"] == level]
    return frame.loc[:, ["province", "est", "rank", "group"]].reset_index(drop=True)


def ranking(year: int, level: str, lang: str) -> list[Row]:
    """Every province, best first; unscored provinces last."""
    label = names(lang, year)
    table = level_table(year, level)
    rows = [
        Row(
            province=str(p),
            name=label.get(str(p), str(p)),
            score=_num(e),
            rank=None if _num(r) is None else int(r),
            group=None if pd.isna(g) else str(g),
        )
        for p, e, r, g in table.itertuples(index=False)
    ]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.province))


@dataclass(frozen=True, slots=True)
class GroupTile:
    province: str
    name: str
    x: int
    y: int
    fill: str
    text: str
    score: float | None
    rank: int | None
    group: str | None


def group_tiles(rows: list[Row], size: int = 30, gap: int = 3) -> list[GroupTile]:
    by = {r.province: r for r in rows}
    out = []
    for province, (row, col) in sorted(tilemap.GRID.items()):
        r = by.get(province)
        group = r.group if r else None
        fill, text = GROUP_FILLS[group]
        out.append(
            GroupTile(
                province=province,
                name=r.name if r else province,
                x=col * (size + gap),
                y=row * (size + gap),
                fill=fill,
                text=text,
                score=r.score if r else None,
                rank=r.rank if r else None,
                group=group,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Bar:
    row: Row
    y: float
    width: float


def bars(rows: list[Row], level: str, width: float = 360.0, step: float = 14.0) -> list[Bar]:
    """Horizontal bars on the level's full scale (aggregate 8–80, a dimension 1–10)."""
    top = 80.0 if level == AGGREGATE else 10.0
    return [Bar(r, i * step, width * (r.score or 0.0) / top) for i, r in enumerate(rows) if r.score]


# ------------------------------------------------------------------------- province profile


@dataclass(frozen=True, slots=True)
class YearRow:
    year: int
    aggregate: Row
    dimensions: dict[str, Row]


def history(province: str, lang: str) -> list[YearRow]:
    """The province's aggregate and dimensions, rank and group, each published year."""
    out = []
    for year in YEARS:
        by_level = {}
        for level in LEVELS:
            rows = {r.province: r for r in ranking(year, level, lang)}
            by_level[level] = rows[province]
        out.append(YearRow(year, by_level[AGGREGATE], {d: by_level[d] for d in DIMENSIONS}))
    return out


@dataclass(frozen=True, slots=True)
class Line:
    code: str
    label: str
    colour: str
    points: str  # SVG polyline points
    dots: list[tuple[float, float, int, float]]  # x, y, year, value


def trend_lines(
    series: dict[str, list[tuple[int, float | None]]],
    labels: dict[str, str],
    low: float,
    high: float,
    width: float = 560.0,
    height: float = 200.0,
) -> list[Line]:
    """Polylines of ``series`` (code → (year, value)) on a fixed [low, high] axis."""
    span = YEARS[-1] - YEARS[0]
    out = []
    for i, (code, values) in enumerate(series.items()):
        dots = [
            (
                width * (year - YEARS[0]) / span,
                height * (1 - (v - low) / (high - low)),
                year,
                v,
            )
            for year, v in values
            if v is not None
        ]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in dots)
        out.append(
            Line(code, labels.get(code, code), LINE_COLOURS[i % len(LINE_COLOURS)], points, dots)
        )
    return out


def axis_range(values: list[float], pad: float = 0.5) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    return math.floor(lo - pad), math.ceil(hi + pad)


@dataclass(frozen=True, slots=True)
class SubRow:
    code: str
    name: str
    dimension: str
    score: float


def subdimension_rows(year: int, province: str, lang: str) -> list[SubRow]:
    label = names(lang, year)
    s = scores(year).subdimensions
    mine = s[s["province"] == province]
    return [
        SubRow(str(c), label.get(str(c), str(c)), str(d), float(e))
        for c, d, e in zip(mine["subdimension"], mine["dimension"], mine["est"], strict=True)
        if _num(e) is not None
    ]


# ------------------------------------------------------------------------------ what it takes


@dataclass(frozen=True, slots=True)
class Improvement:
    code: str
    name: str
    score: float
    best: float
    focused: float
    balanced: float


@dataclass(frozen=True, slots=True)
class TargetView:
    target: str  # a group label or "top10"
    points: float
    reach: float  # the score it needs
    strict: bool  # must exceed rather than reach
    feasible: bool
    rows: list[Improvement]  # sub-dimensions with a non-zero improvement in either split


@dataclass(frozen=True, slots=True)
class DimensionTake:
    code: str
    name: str
    score: float
    rank: int
    group: str | None
    target: str | None  # the next group up
    points: float
    feasible: bool


@dataclass(frozen=True, slots=True)
class Takes:
    year: int
    score: float
    rank: int
    provinces: int
    group: str | None
    next_group: str | None
    to_next_group: float | None
    group_cushion: float | None
    top10_cushion: float | None
    targets: list[TargetView]
    dimensions: list[DimensionTake]


def what_it_takes(year: int, province: str, lang: str) -> Takes | None:
    """``build_brief`` on the published scores of ``year``; None when the province has no
    aggregate that year."""
    s = scores(year)
    row = s.composite[s.composite["province"] == province]
    if row.empty or _num(row["est"].iloc[0]) is None:
        return None
    brief = build_brief(Field.from_scores(s, province))
    f, st = brief.field, brief.standing
    label = names(lang, year)
    x_sub, best = f.sub[f.subject], f.best()
    targets = []
    for p in brief.plans:
        rows = [
            Improvement(
                str(code),
                label.get(str(code), str(code)),
                float(x_sub[j]),
                float(best[j]),
                float(p.focused[j]),
                float(p.balanced[j]),
            )
            for j, code in enumerate(f.structure.subdimensions)
            if p.focused[j] > 0 or p.balanced[j] > 0
        ]
        rows.sort(key=lambda r: -r.focused)
        targets.append(
            TargetView(p.target, p.points, p.threshold.value, p.threshold.strict, p.feasible, rows)
        )
    return Takes(
        year=year,
        score=st.score,
        rank=st.rank,
        provinces=st.provinces,
        group=st.group,
        next_group=st.next_group,
        to_next_group=_num(st.to_next_group),
        group_cushion=_num(st.group_cushion),
        top10_cushion=_num(st.top10_cushion),
        targets=targets,
        dimensions=[
            DimensionTake(
                d.dimension,
                label.get(d.dimension, d.dimension),
                d.score,
                int(d.rank),
                d.group,
                d.target,
                d.points,
                d.feasible,
            )
            for d in st.dimensions
        ],
    )


# ----------------------------------------------------------------------------- page contexts


def level_names(lang: str, year: int) -> list[tuple[str, str]]:
    label = names(lang, year)
    from api.console.i18n import translator

    return [(AGGREGATE, translator(lang)("aggregate"))] + [
        (d, f"{d} {label.get(d, d)}") for d in DIMENSIONS
    ]


def province_list(lang: str) -> list[tuple[str, str]]:
    label = names(lang)
    return [(str(p), f"{label.get(str(p), str(p))}") for p in provinces()["province"]]


def overview(year: int, level: str, lang: str) -> dict[str, Any]:
    rows = ranking(year, level, lang)
    return {
        "year": year,
        "level": level,
        "level_name": dict(level_names(lang, year))[level],
        "levels": level_names(lang, year),
        "years": YEARS,
        "rows": rows,
        "tiles": group_tiles(rows),
        "bars": bars(rows, level),
        "top": 80 if level == AGGREGATE else 10,
        "fills": GROUP_FILLS,
    }


def profile(province: str, year: int, lang: str) -> dict[str, Any]:
    label = names(lang, year)
    rows = history(province, lang)
    agg = [(h.year, h.aggregate.score) for h in rows]
    agg_values = [v for _, v in agg if v is not None]
    dims = {d: [(h.year, h.dimensions[d].score) for h in rows] for d in DIMENSIONS}
    dim_values = [v for s in dims.values() for _, v in s if v is not None]
    agg_low, agg_high = axis_range(agg_values or [40.0, 50.0])
    dim_low, dim_high = axis_range(dim_values or [1.0, 10.0])
    dim_labels = {d: f"{d} {label.get(d, d)}" for d in DIMENSIONS}
    return {
        "province": province,
        "name": label.get(province, province),
        "year": year,
        "years": YEARS,
        "dimensions": DIMENSIONS,
        "labels": label,
        "history": rows,
        "agg_lines": trend_lines(
            {AGGREGATE: agg}, {AGGREGATE: label.get(province, province)}, agg_low, agg_high
        ),
        "agg_low": agg_low,
        "agg_high": agg_high,
        "dim_lines": trend_lines(dims, dim_labels, dim_low, dim_high),
        "dim_low": dim_low,
        "dim_high": dim_high,
        "subs": subdimension_rows(year, province, lang),
        "takes": what_it_takes(year, province, lang),
        "province_list": province_list(lang),
    }


def comparison(a: str, b: str, year: int, lang: str) -> dict[str, Any]:
    label = names(lang, year)
    level_rows = []
    for code, text in level_names(lang, year):
        by = {r.province: r for r in ranking(year, code, lang)}
        level_rows.append((code, text, by[a], by[b]))
    series = {p: [(h.year, h.aggregate.score) for h in history(p, lang)] for p in (a, b)}
    values = [v for s in series.values() for _, v in s if v is not None]
    low, high = axis_range(values or [40.0, 50.0])
    return {
        "a": a,
        "b": b,
        "year": year,
        "years": YEARS,
        "names": label,
        "rows": level_rows,
        "lines": trend_lines(series, label, low, high),
        "low": low,
        "high": high,
        "province_list": province_list(lang),
    }


def ranking_csv(year: int, level: str, lang: str) -> str:
    rows = ranking(year, level, lang)
    frame = pd.DataFrame(
        {
            "year": year,
            "level": level,
            "rank": [r.rank for r in rows],
            "province": [r.province for r in rows],
            "name": [r.name for r in rows],
            "score": [r.score for r in rows],
            "group": [r.group for r in rows],
        }
    )
    frame["rank"] = frame["rank"].astype("Int64")
    return frame.to_csv(index=False)


def history_csv(province: str, lang: str) -> str:
    records = []
    for h in history(province, lang):
        for level, r in ((AGGREGATE, h.aggregate), *h.dimensions.items()):
            records.append(
                {
                    "year": h.year,
                    "province": province,
                    "level": level,
                    "score": r.score,
                    "rank": r.rank,
                    "group": r.group,
                }
            )
    frame = pd.DataFrame.from_records(records)
    frame["rank"] = frame["rank"].astype("Int64")
    return frame.to_csv(index=False)
