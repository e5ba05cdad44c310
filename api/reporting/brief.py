"""The province brief as one self-contained HTML page (chart inline as SVG) and as JSON.

The numbers come from :func:`scoring.brief.build_brief`; this module adds names (provinces,
dimensions, sub-dimensions and indicators in Vietnamese or English, from the questionnaire
of the scores' year) and lays them out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from api.reporting import charts
from api.reporting.brief_text import text
from api.reporting.i18n import DIMENSION_NAMES, labels
from scoring.brief import Brief
from scoring.brief.targets import TOP
from survey.errors import PapiError
from survey.published import codebook, provinces
from survey.questionnaire.loader import load_questionnaire

MAX_PLAN_ROWS = 8
"""Sub-dimensions listed per plan (the focused ones first, then by balanced points); the
rest are summed in one row (the JSON has them all)."""


@dataclass(frozen=True)
class BriefContext:
    """What the page says about its inputs."""

    source: str  # "published" | "survey" | "pilot"
    year: int | None = None  # the published year (field of a pilot)
    previous: str | None = None  # label of the previous result ("2017", "scores22/")
    reference: str = "next_group"
    structure: str | None = None  # questionnaire id for names
    confidence: float = 0.95  # of the scores' intervals (IndexScores.confidence)


def _num(x: Any, digits: int = 2) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "—"
    return "—" if math.isnan(v) else f"{v:.{digits}f}"


def _pct(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "—"
    return "—" if math.isnan(v) else f"{100 * v:.0f}%"


def names(lang: str, structure: str | None) -> dict[str, str]:
    """Code → name: provinces, dimensions, sub-dimensions and indicators."""
    out: dict[str, str] = {}
    table = provinces()
    out.update(zip(table["province"], table["name_vi" if lang == "vi" else "name"], strict=True))
    out.update(DIMENSION_NAMES[lang])
    cb = codebook()
    out.update(zip(cb["subdimension"], cb["name"], strict=True))
    if structure:
        try:
            q = load_questionnaire(structure)
        except PapiError:
            return out
        for dim in q.structure.dimensions:
            for sub in dim.subdimensions:
                out[str(sub.code)] = getattr(sub.name, lang)
                for ind in sub.indicators:
                    out[str(ind.code)] = getattr(ind.name, lang)
    return out


def contribution_chart(codes: list[str], values: list[float], title: str) -> str:
    """Horizontal bars of points lost (positive) or ahead (negative) per dimension."""
    fig = Figure(figsize=(4.6, 0.36 * len(codes) + 0.8))
    ax = fig.subplots()
    y = np.arange(len(codes))
    v = np.asarray(values, dtype=float)
    ax.barh(y, v, color=["#b3261e" if x > 0 else "#1a7f37" for x in v], height=0.6)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(codes)
    ax.invert_yaxis()
    ax.set_title(title, loc="left", fontsize=10)
    ax.tick_params(labelsize=8.5)
    for yi, x in zip(y, v, strict=True):
        ax.text(
            x, float(yi), f" {x:+.2f} ", va="center", ha="left" if x >= 0 else "right", fontsize=8
        )
    lim = max(float(np.abs(v).max()) if v.size else 1.0, 1e-3) * 1.35
    ax.set_xlim(-lim if (v < 0).any() else -lim * 0.05, lim)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return charts.to_svg(fig)


def _source(brief: Brief, ctx: BriefContext, T: dict[str, str]) -> str:
    if ctx.source == "published":
        return T["published"].format(year=ctx.year)
    if ctx.source == "pilot":
        return T["pilot"].format(year=ctx.year)
    return T["survey"]


def _standing(
    brief: Brief, T: dict[str, str], G: dict[str, str], N: dict[str, str]
) -> dict[str, Any]:
    s = brief.standing
    rows: list[tuple[str, str, str]] = []
    if s.next_group is None:
        rows.append((T["highest_group"], "", ""))
    else:
        rows.append(
            (
                T["to_next_group"].format(group=G[s.next_group]),
                _num(s.to_next_group, 3),
                T["boundary_now"].format(value=_num(s.next_group_boundary)),
            )
        )
    if s.to_top10 > 0:
        rows.append((T["to_top10"], _num(s.to_top10, 3), ""))
    else:
        rows.append((T["to_top10"], T["already"], T["cushion"].format(value=_num(s.top10_cushion))))
    if s.to_median > 0:
        rows.append((T["to_median"].format(value=_num(s.median)), _num(s.to_median, 3), ""))
    else:
        rows.append(
            (T["above_median"].format(value=_num(s.median), points=_num(-s.to_median)), "", "")
        )
    dims = [
        {
            "code": d.dimension,
            "name": N.get(d.dimension, d.dimension),
            "score": _num(d.score),
            "rank": f"{int(d.rank)}" if np.isfinite(d.rank) else "—",
            "group": G.get(d.group or "", ""),
            "group_key": d.group or "",
            "up": (
                f"{_num(d.points)} → {G[d.target]}" + ("" if d.feasible else " *")
                if d.target
                else "—"
            ),
        }
        for d in s.dimensions
    ]
    low = [f"{d.dimension} {N.get(d.dimension, '')}" for d in s.dimensions if d.group == "low"]
    keep = []
    if np.isfinite(s.group_cushion) and s.group:
        keep.append(T["keep_group"].format(group=G[s.group], value=_num(s.group_cushion, 3)))
    if np.isfinite(s.top10_cushion):
        keep.append(T["keep_top10"].format(value=_num(s.top10_cushion, 3)))
    if s.top10_probability is not None and np.isfinite(s.top10_cushion):
        keep.append(T["top10_probability"].format(p=_pct(s.top10_probability)))
    return {
        "score": _num(s.score),
        "ci": f"[{_num(s.lci)}, {_num(s.uci)}]" if np.isfinite(s.lci) else "",
        "rank": s.rank,
        "n": s.provinces,
        "rank_interval": f"{int(s.rank_lci)}–{int(s.rank_uci)}" if np.isfinite(s.rank_lci) else "",
        "group": G.get(s.group or "", "—"),
        "group_key": s.group or "",
        "probs": (
            [(G[g], _pct(p)) for g, p in s.group_probabilities.items()]
            if s.group_probabilities
            else []
        ),
        "distances": rows,
        "dimensions": dims,
        "keep": keep,
        "low_dims": T["low_dims"].format(dims="; ".join(low)) if low else T["no_low_dims"],
    }


def _rows(frame: pd.DataFrame, key: str, N: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "code": r[key],
            "name": N.get(r[key], r[key]),
            "subject": _num(r["subject"], 3),
            "reference": _num(r["reference"], 3),
            "contribution": _num(r["contribution"], 3),
            "lost": r["contribution"] > 0,
        }
        for r in frame.to_dict("records")
    ]


def _gap(brief: Brief, key: str, T: dict[str, str], N: dict[str, str]) -> dict[str, Any] | None:
    g = brief.gap(key) or brief.gap("top10")
    if g is None:
        return None
    ref_names = ", ".join(N.get(p, p) for p in g.reference.provinces)
    short = {f"D{i + 1}": name for i, name in enumerate(T["short"].split("|"))}
    subs_all = g.subdimensions.sort_values("contribution", ascending=False, kind="stable")
    lost = subs_all[subs_all["contribution"] > 0]
    ahead = subs_all[subs_all["contribution"] <= 0]
    ref = T[f"ref_{g.reference.key}"].format(names=ref_names)
    out: dict[str, Any] = {
        "title": T["gap_total"].format(
            ref=ref,
            total=_num(g.total),
            subject=_num(g.subject_score),
            reference=_num(g.reference_score),
        ),
        "chart": contribution_chart(
            [f"{d} {short.get(d, '')}" for d in g.dimensions["dimension"]],
            [float(v) for v in g.dimensions["contribution"]],
            T["by_dimension"],
        ),
        "subs": _rows(lost, "subdimension", N),
        "ahead": _rows(ahead, "subdimension", N),
        "ahead_title": T["ahead"].format(n=len(ahead)),
        "ahead_total": _num(float(ahead["contribution"].sum()), 3),
        "dims": _rows(g.dimensions, "dimension", N),
        "total": _num(float(g.subdimensions["contribution"].sum()), 3),
        "indicators": [],
    }
    if g.indicators is not None:
        top = g.indicators[g.indicators["contribution"] > 0].head(10)
        out["indicators"] = [
            {
                "code": r["indicator"],
                "name": N.get(r["indicator"], r["indicator"]),
                "contribution": _num(r["contribution"], 3),
            }
            for r in top.to_dict("records")
        ]
    return out


def _plans(
    brief: Brief, T: dict[str, str], G: dict[str, str], N: dict[str, str]
) -> list[dict[str, Any]]:
    f = brief.field
    st = f.structure
    best = f.best()
    out = []
    for p in brief.plans:
        rows = []
        for j, s in enumerate(st.subdimensions):
            if not p.feasible or p.balanced[j] <= 0:
                continue
            rows.append(
                {
                    "code": s,
                    "name": N.get(s, s),
                    "current": _num(f.sub[f.subject, j], 3),
                    "best": _num(best[j], 3),
                    "headroom": _num(p.headroom[j], 3),
                    "focused": _num(p.focused[j], 3) if p.focused[j] > 0 else "",
                    "balanced": _num(p.balanced[j], 3),
                    "_order": -p.focused[j],
                }
            )
        rows.sort(key=lambda r: (r["_order"], -float(r["balanced"])))
        rest = rows[MAX_PLAN_ROWS:]
        rows = rows[:MAX_PLAN_ROWS]
        if rest:
            rows.append(
                {
                    "code": "",
                    "name": T["others_rows"].format(n=len(rest)),
                    "current": "",
                    "best": "",
                    "headroom": _num(sum(float(r["headroom"]) for r in rest), 3),
                    "focused": "",
                    "balanced": _num(sum(float(r["balanced"]) for r in rest), 3),
                    "_order": 0.0,
                }
            )
        title = T["plan_top10"] if p.target == TOP else T["plan_group"].format(group=G[p.target])
        out.append(
            {
                "title": title,
                "points": T["plan_points"].format(
                    points=_num(p.points, 3),
                    score=_num(p.score),
                    target=_num(p.score + p.points),
                    threshold=_num(p.threshold.value, 3),
                    strict=T["strict"] if p.threshold.strict else T["closed"],
                ),
                "feasible": p.feasible,
                "infeasible": T["infeasible"].format(headroom=_num(p.headroom.sum())),
                "probability": (
                    T["probability"].format(
                        p=_pct(p.probability), now=_pct(p.probability_now), p80=_num(p.points_80, 3)
                    )
                    if p.probability is not None
                    else ""
                ),
                "balanced_title": T["balanced"].format(fraction=_pct(p.fraction)),
                "rows": rows,
            }
        )
    return out


def _changes(
    brief: Brief, ctx: BriefContext, T: dict[str, str], N: dict[str, str]
) -> dict[str, Any] | None:
    c = brief.changes
    if c is None:
        return {"title": T["changes_none"], "empty": T["no_previous"]}
    rows = []
    for r in c.table[c.table["tier"] != "indicators"].to_dict("records"):
        code = r["code"]
        rows.append(
            {
                "code": "PAPI" if code == "PAPI" else code,
                "name": N.get(code, "") if code != "PAPI" else "",
                "tier": r["tier"],
                "before": _num(r["before"], 3),
                "after": _num(r["after"], 3),
                "change": f"{float(r['change']):+.3f}",
                "pct": f"{float(r['change_pct']):+.1f}%" if pd.notna(r["change_pct"]) else "",
                "ci": f"[{_num(r['lci'], 2)}, {_num(r['uci'], 2)}]" if pd.notna(r["lci"]) else "",
                "flag": bool(r["beyond_noise"]) if pd.notna(r["beyond_noise"]) else False,
            }
        )
    skipped = [
        f"{r['code']} {N.get(r['code'], '')}: {T['reason_' + r['reason']]}"
        for r in c.not_compared.to_dict("records")
        if r["tier"] != "indicators"
    ]
    n_ind = int((c.not_compared["tier"] == "indicators").sum())
    if n_ind:
        skipped.append(f"{n_ind} indicators")
    if ctx.source == "pilot":
        title = T["changes_pilot"].format(
            year=ctx.year, province=N.get(brief.province, brief.province)
        )
    else:
        title = T["changes"].format(previous=ctx.previous or "")
    rule = T["rule_tested"].format(adjust=c.adjust.capitalize()) if c.tested else T["rule_5pct"]
    caveat = (
        T["aggregate_caveat"].format(dims=", ".join(c.changed_dimensions))
        if c.changed_dimensions
        else ""
    )
    return {
        "title": title,
        "empty": "",
        "rows": rows,
        "skipped": skipped,
        "rule": rule,
        "caveat": caveat,
        "tested": c.tested,
    }


def render_brief(brief: Brief, ctx: BriefContext, *, lang: str = "en") -> str:
    """The brief as one self-contained HTML string."""
    T = text(lang)
    T = T | {"ci": T["ci"].format(confidence=f"{ctx.confidence:.0%}")}
    L = labels(lang)
    G = {g: L[g] for g in ("high", "high-average", "low-average", "low")}
    N = names(lang, ctx.structure)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    province = N.get(brief.province, brief.province)
    return env.get_template("brief.html.j2").render(
        lang=lang,
        T=T,
        title=T["title"].format(name=province, source=_source(brief, ctx, T)),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        standing=_standing(brief, T, G, N),
        gap=_gap(brief, ctx.reference, T, N),
        plans=_plans(brief, T, G, N),
        changes=_changes(brief, ctx, T, N),
        notes=([T["pilot_note"].format(province=province)] if brief.field.substituted else [])
        + list(brief.notes),
    )


def brief_json(brief: Brief, ctx: BriefContext, *, lang: str = "en") -> dict[str, Any]:
    """The brief's numbers (``Brief.to_dict``) with the inputs and the names."""
    doc = brief.to_dict()
    N = names(lang, ctx.structure)
    used = {brief.province, *brief.field.structure.subdimensions, *brief.field.structure.dimensions}
    used |= set(brief.field.structure.indicators)
    doc["inputs"] = {
        "source": ctx.source,
        "year": ctx.year,
        "previous": ctx.previous,
        "reference": ctx.reference,
        "structure": ctx.structure,
        "confidence": ctx.confidence,
        "lang": lang,
    }
    doc["names"] = {k: N[k] for k in sorted(used) if k in N}
    return doc
