"""A survey's scores in the console: the scoring jobs, and what a finished job shows.

Every number is read from the job's result (``IndexScores.from_dict`` of what
``scoring.score`` returned), from ``scoring.compare`` against the published scores of a
year (``score_published``, as the published explorer computes them), or from the what-if
(``api.console.whatif``); this module selects rows and lays them out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from api.auth.schemas import Principal
from api.console import explorer, tilemap, whatif
from api.console.explorer import GROUP_FILLS
from api.jobs import service as jobs
from api.jobs.schemas import JobOut, JobStatus, ScoreRequest
from api.process_cache import ProcessCache
from api.questionnaires import catalog
from api.surveys import service as surveys
from scoring import IndexScores
from scoring.index.results import is_national
from survey.published import YEARS
from survey.questionnaire.schema import Questionnaire

AGGREGATE = whatif.AGGREGATE
TILE, GAP = 30, 3
# A finished job's result never changes; job ids are unique across databases (UUIDs).
_parsed: ProcessCache[str, IndexScores] = ProcessCache("console parsed scores", max_entries=16)


def num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def result_of(job: JobOut) -> IndexScores:
    """The job's ``IndexScores`` (parsed once per process: a finished job never changes)."""
    results = job.results
    assert results is not None
    return _parsed.get_or_load(job.id, lambda: IndexScores.from_dict(results))


def questionnaire(session: Session, survey_id: int) -> Questionnaire:
    return catalog.get(session, surveys.get_survey(session, survey_id).questionnaire_pk)


def names(lang: str, q: Questionnaire) -> dict[str, str]:
    """Code → name: provinces, dimensions (the published explorer's), then the survey's own
    questionnaire's sub-dimensions and indicators in ``lang``."""
    from api.reporting.brief import names as brief_names

    out = dict(brief_names(lang, None))
    for dim in q.structure.dimensions:
        out[str(dim.code)] = getattr(dim.name, lang)
        for sub in dim.subdimensions:
            out[str(sub.code)] = getattr(sub.name, lang)
            for ind in sub.indicators:
                out[str(ind.code)] = getattr(ind.name, lang)
    return out


def levels(q: Questionnaire, t: Any, label: dict[str, str]) -> list[tuple[str, str]]:
    return [(AGGREGATE, t("aggregate"))] + [
        (str(d.code), f"{d.code} {label.get(str(d.code), '')}") for d in q.structure.dimensions
    ]


def jobs_page(session: Session, caller: Principal, survey_id: int) -> list[JobOut]:
    return jobs.recent_jobs(session, survey_id, caller)


# ------------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ScoreRow:
    province: str
    name: str
    est: float | None
    lci: float | None
    uci: float | None
    rank: int | None
    rank_lci: int | None
    rank_uci: int | None
    group: str | None
    n: int | None


def _int(v: Any) -> int | None:
    f = num(v)
    return None if f is None else int(f)


def level_rows(table: pd.DataFrame, code: str, label: dict[str, str]) -> list[ScoreRow]:
    """One row per province (best first, the national row last) of the aggregate
    (``AGG``) or a dimension, from a table with the columns of ``IndexScores``."""
    if "dimension" in table.columns and code != AGGREGATE:
        table = table.loc[table["dimension"].to_numpy() == code]
    elif "code" in table.columns:
        table = table.loc[table["code"].to_numpy() == code]
    cols = ["province", "est", "lci", "uci", "rank", "rank_lci", "rank_uci", "group", "n"]
    records = table.reindex(columns=cols).to_dict("records")
    rows = [
        ScoreRow(
            province=str(r["province"]),
            name=label.get(str(r["province"]), "") if r["province"] != "VN" else "",
            est=num(r["est"]),
            lci=num(r["lci"]),
            uci=num(r["uci"]),
            rank=_int(r["rank"]),
            rank_lci=_int(r["rank_lci"]),
            rank_uci=_int(r["rank_uci"]),
            group=r["group"] if isinstance(r["group"], str) and r["group"] != "nan" else None,
            n=_int(r["n"]),
        )
        for r in records
    ]
    return sorted(rows, key=lambda r: (r.province == "VN", r.rank is None, r.rank or 0, r.province))


def score_table(s: IndexScores, code: str) -> pd.DataFrame:
    return s.composite if code == AGGREGATE else s.dimensions


@dataclass(frozen=True, slots=True)
class Whisker:
    row: ScoreRow
    y: float
    x: float
    x0: float
    x1: float
    fill: str


def ci_chart(rows: list[ScoreRow], width: float = 420.0, step: float = 16.0) -> dict[str, Any]:
    """Estimates with their CIs as dots and whiskers on a common axis, best first."""
    shown = [r for r in rows if r.est is not None and r.province != "VN"]
    lows = [r.lci if r.lci is not None else r.est for r in shown]
    highs = [r.uci if r.uci is not None else r.est for r in shown]
    if not shown:
        return {"whiskers": [], "low": 0, "high": 1, "height": 0}
    low = math.floor(min(v for v in lows if v is not None))
    high = math.ceil(max(v for v in highs if v is not None))
    high = high if high > low else low + 1

    def x(v: float) -> float:
        return width * (v - low) / (high - low)

    whiskers = [
        Whisker(r, i * step, x(r.est or 0.0), x(lo or 0.0), x(hi or 0.0), GROUP_FILLS[r.group][0])
        for i, (r, lo, hi) in enumerate(zip(shown, lows, highs, strict=True))
    ]
    return {"whiskers": whiskers, "low": low, "high": high, "height": len(shown) * step}


@dataclass(frozen=True, slots=True)
class Tile:
    province: str
    name: str
    x: int
    y: int
    fill: str
    text: str
    row: ScoreRow | None


def tiles(rows: list[ScoreRow], label: dict[str, str]) -> list[Tile]:
    by = {r.province: r for r in rows}
    out = []
    for province, (row, col) in sorted(tilemap.GRID.items()):
        r = by.get(province)
        fill, text = GROUP_FILLS[r.group if r else None]
        if r is None:
            fill = tilemap.NOT_SAMPLED
        out.append(
            Tile(
                province,
                label.get(province, province),
                col * (TILE + GAP),
                row * (TILE + GAP),
                fill,
                text,
                r,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Cell:
    code: str
    name: str
    est: float | None
    lci: float | None
    uci: float | None
    n: int | None
    suppressed: bool
    children: tuple[Cell, ...] = ()


def drill(s: IndexScores, province: str, label: dict[str, str]) -> list[Cell]:
    """Province → dimensions → sub-dimensions → indicators with n; a missing estimate is
    suppressed (fewer than ``min_n`` respondents with a value, or a suppressed input)."""

    def cell(r: Any, code: str, children: tuple[Cell, ...] = ()) -> Cell:
        est = num(r["est"])
        return Cell(code, label.get(code, code), est, num(r["lci"]), num(r["uci"]), _int(r["n"]),
                    est is None, children)  # fmt: skip

    ind = s.indicators[s.indicators["province"] == province]
    sub = s.subdimensions[s.subdimensions["province"] == province]
    dim = s.dimensions[s.dimensions["province"] == province]
    out = []
    for _, d in dim.iterrows():
        subs = []
        for _, sr in sub[sub["dimension"] == d["dimension"]].iterrows():
            inds = tuple(
                cell(ir, str(ir["indicator"]))
                for _, ir in ind[ind["subdimension"] == sr["subdimension"]].iterrows()
            )
            subs.append(cell(sr, str(sr["subdimension"]), inds))
        out.append(cell(d, str(d["dimension"]), tuple(subs)))
    return out


def comparison(
    s: IndexScores, year: int, code: str, label: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``scoring.compare(survey, published year)`` on one level: rows and the table's
    ``attrs`` (the adjustment, the interval kind, whether the reference is published)."""
    from scoring import compare

    c = compare(s, explorer.scores(year), confidence=s.confidence)
    table = c.composite if code == AGGREGATE else c.dimensions[c.dimensions["code"] == code]
    rows = [
        {
            "province": str(r["province"]),
            "name": label.get(str(r["province"]), ""),
            "est_a": num(r["est_a"]),
            "est_b": num(r["est_b"]),
            "diff": num(r["est"]),
            "lci": num(r["lci"]),
            "uci": num(r["uci"]),
            "p_adj": num(r["p_adj"]),
            "significant": None if pd.isna(r["significant"]) else bool(r["significant"]),
            "five": None if pd.isna(r["more_than_5pct"]) else bool(r["more_than_5pct"]),
        }
        for _, r in table.iterrows()
    ]
    rows.sort(key=lambda r: str(r["province"]))
    return rows, {str(k): v for k, v in table.attrs.items()}


def pilot_comparison(
    s: IndexScores, year: int, province: str, q: Questionnaire, label: dict[str, str]
) -> list[dict[str, Any]]:
    """A single-unit survey against its province's published scores of ``year``: the
    aggregate and every dimension (``scoring.compare``), with the published rank and group."""
    from scoring import compare

    pub = explorer.scores(year)
    c = compare(s, pub, confidence=s.confidence)
    out = []
    for code in [AGGREGATE, *(str(d.code) for d in q.structure.dimensions)]:
        table = c.composite if code == AGGREGATE else c.dimensions[c.dimensions["code"] == code]
        mine = table[table["province"] == province]
        ptab = score_table(pub, code)
        if code != AGGREGATE:
            ptab = ptab[ptab["dimension"] == code]
        prow = ptab[ptab["province"] == province]
        if mine.empty:
            continue
        r = mine.iloc[0]
        out.append(
            {
                "code": code,
                "name": label.get(code, code) if code != AGGREGATE else "",
                "est_a": num(r["est_a"]),
                "est_b": num(r["est_b"]),
                "diff": num(r["est"]),
                "lci": num(r["lci"]),
                "uci": num(r["uci"]),
                "p_adj": num(r["p_adj"]),
                "five": None if pd.isna(r["more_than_5pct"]) else bool(r["more_than_5pct"]),
                "pub_rank": _int(prow["rank"].iloc[0]) if not prow.empty else None,
                "pub_group": (
                    prow["group"].iloc[0]
                    if not prow.empty
                    and isinstance(prow["group"].iloc[0], str)
                    and prow["group"].iloc[0] != "nan"
                    else None
                ),
            }
        )
    return out


def provinces_of(s: IndexScores) -> list[str]:
    return sorted(str(p) for p in s.composite["province"] if p != "VN")


def job_context(
    session: Session,
    caller: Principal,
    survey_id: int,
    job_id: str,
    lang: str,
    t: Any,
    level: str,
    province: str,
    year: int | None,
) -> dict[str, Any]:
    job = jobs.get_job(session, survey_id, job_id, caller)
    context: dict[str, Any] = {"job": job, "spec": ScoreRequest.model_validate(job.params)}
    if job.status is not JobStatus.succeeded:
        return context
    q = questionnaire(session, survey_id)
    label = names(lang, q)
    s = result_of(job)
    codes = [c for c, _ in levels(q, t, label)]
    level = level if level in codes else AGGREGATE
    rows = level_rows(score_table(s, level), level, label)
    provinces = provinces_of(s)
    single = len(provinces) == 1
    province = province if province in provinces else (provinces[0] if single else "")
    context.update(
        scores=s,
        label=label,
        levels=levels(q, t, label),
        level=level,
        level_name=dict(levels(q, t, label))[level],
        rows=rows,
        chart=ci_chart(rows),
        tiles=tiles(rows, label),
        fills=GROUP_FILLS,
        single=single,
        province=province,
        cells=drill(s, province, label) if province else [],
        years=YEARS,
        year=year,
        top=80 if level == AGGREGATE else 10,
        national=s.is_national(),
    )
    if single:
        pilot_year = year or YEARS[-1]
        context.update(
            year=pilot_year,
            pilot=pilot_comparison(s, pilot_year, provinces[0], q, label),
        )
    elif year is not None:
        compare_rows, attrs = comparison(s, year, level, label)
        context.update(compare_rows=compare_rows, compare_attrs=attrs)
    return context


def whatif_view(
    current: whatif.Outcome, nominal: whatif.Outcome, level: str, label: dict[str, str]
) -> dict[str, Any]:
    """What the what-if fragment shows of ``current`` on ``level``, with who moved against
    ``nominal``."""
    rows = level_rows(current.table, level, label)
    return {
        "outcome": current,
        "nominal": nominal,
        "rows": rows,
        "chart": ci_chart(rows),
        "tiles": tiles(rows, label),
        "fills": GROUP_FILLS,
        "moves": whatif.moves(nominal, current, level, label),
        "top": 80 if level == AGGREGATE else 10,
        # scoring's rule, on the provinces with an aggregate or dimension score (the table
        # holds both)
        "national": is_national(current.table, current.table),
    }
