"""Build the HTML report from scores, and optionally sensitivity results, a comparison with
another year (or the published scores) and a data-collection summary.

The inputs are plain DataFrames in the shape of ``scoring.IndexScores`` (columns
``province``, the level key, ``est``, ``se``, ``lci``, ``uci``, ``rank``, ``rank_lci``,
``rank_uci``, ``group``, ``n``), so a report can be built from a scoring run, from published
scores or from the CSV files that ``papi score --out`` writes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from api.reporting import charts
from api.reporting.i18n import (
    CONFIDENCE_LABELS,
    DIMENSION_NAMES,
    FACTOR_NAMES,
    PROVENANCE_TEXT,
    QUALITY_FLAGS,
    labels,
    method_text,
    provenance_phrase,
)
from scoring.index.groups import MIN_GROUP_UNITS
from scoring.index.results import NATIONAL, covered_provinces, is_national
from survey.errors import PapiError
from survey.geography import geography_of, province_names, vintage

GROUP_ORDER = ("high", "high-average", "low-average", "low")


@dataclass(frozen=True)
class CollectionSummary:
    """What the field produced: completion against quota, quality flags, durations."""

    progress: pd.DataFrame  # columns: province, target, completed
    flags: Mapping[str, int] = field(default_factory=dict)
    durations_min: Sequence[float] = ()
    districts: Mapping[str, Sequence[str]] = field(default_factory=dict)  # province -> codes


@dataclass(frozen=True)
class ReportInputs:
    composite: pd.DataFrame
    dimensions: pd.DataFrame
    title: str | None = None
    method: str = ""
    sensitivity: Mapping[str, Any] | None = None
    changes: pd.DataFrame | None = None
    changes_title: str | None = None
    collection: CollectionSummary | None = None
    notes: Sequence[str] = ()  # IndexScores.notes: what the scoring run says about the estimates
    provenance: Mapping[str, Any] | None = None  # IndexScores.meta(): how the scores were made
    # what the comparison is against, shown under its title (e.g. a derived, not official,
    # history on the 2025 provinces: api.reporting.history)
    changes_notes: Sequence[str] = ()
    data_label: str | None = (
        None  # where the scores come from, e.g. their file (said in the report)
    )
    published_year: int | None = None  # the scores are PAPI's published scores of this year


def _names(
    lang: str, *, national: bool = True, districts: Mapping[str, Sequence[str]] | None = None
) -> dict[str, str]:
    L = labels(lang)
    out = province_names(lang)  # both geographies: P01…P63 and N01…N96
    out[NATIONAL] = L["national"] if national else L["pooled"]
    if not national and districts:
        # a province sampled in one district only (a pilot): say which; a province of several
        # districts stays its name (the usual PAPI sample)
        everywhere = {str(d) for ds in districts.values() for d in ds}
        for prov, ds in districts.items():
            listed = sorted({str(d) for d in ds})
            if len(listed) == 1:
                what = L["pilot_district"] if len(everywhere) == 1 else L["district"]
                out[prov] = f"{out.get(prov, prov)} — {what} {listed[0]}"
    return out


def _fmt(x: Any, digits: int = 2) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(v) else f"{v:.{digits}f}"


def _fmt_int(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(v) else str(round(v))


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PapiError(
            f"{what} lacks the column(s) {', '.join(missing)}; pass the output of "
            "`papi score` (IndexScores) or published scores",
            code="report_input_invalid",
        )


def _chart_frame(frame: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    data = frame[frame["province"] != NATIONAL].copy()
    data["label"] = data["province"].map(lambda p: names.get(p, p))
    for col in ("lci", "uci"):
        if col not in data:
            data[col] = np.nan
    return data


def _pooled(frame: pd.DataFrame) -> float | None:
    """The pooled estimate, drawn as a reference line when there are 2+ provinces to compare
    with it (with one province it is that province's own estimate)."""
    units = frame[(frame["province"] != NATIONAL) & frame["est"].notna()]
    row = frame.loc[frame["province"] == NATIONAL, "est"]
    return float(row.iloc[0]) if len(row) and len(units) >= 2 else None


def _truthy(v: Any) -> bool:
    return not pd.isna(v) and bool(v)


ADJUST_NAMES = {
    "holm": "Holm",
    "bonferroni": "Bonferroni",
    "sidak": "Šidák",
    "holm-sidak": "Holm–Šidák",
    "simes-hochberg": "Hochberg",
    "hommel": "Hommel",
    "fdr_bh": "Benjamini–Hochberg (FDR)",
    "fdr_by": "Benjamini–Yekutieli (FDR)",
}


def _changes_table(changes: pd.DataFrame, names: Mapping[str, str], lang: str) -> dict[str, Any]:
    """The comparison table and what it computed: which adjustment the p-values carry
    (``scoring.compare`` records it in the frame's ``attrs``), that the intervals are
    unadjusted, the rule behind "Significant", and that a published reference has its own
    sampling error, unknown here."""
    L = labels(lang)
    adjust = str(changes.attrs.get("adjust", "")) or None
    confidence = float(changes.attrs.get("confidence", 0.95))
    alpha = _fmt(1 - confidence, 2)
    family = int(changes["province"].nunique()) if "province" in changes else 0
    if adjust is None:  # a frame not made by scoring.compare: say only what is certain
        p_head, rule = L["p_value"], L["sig_rule_unknown"]
    elif adjust == "none":
        p_head, rule = L["p_unadjusted"], L["sig_rule_none"].format(alpha=alpha)
    else:
        name = ADJUST_NAMES.get(adjust, adjust)
        p_head = L["p_adjusted"].format(method=name)
        rule = L["sig_rule"].format(method=name, n=family, alpha=alpha)
    spec = [
        ("province", L["province"]),
        ("code", L["dimension"]),
        ("est_b", L["previous"]),
        ("est_a", L["current"]),
        ("est", L["change"]),
        ("change", L["change_pct"]),
        ("lci", L["ci_unadjusted"].format(confidence=f"{confidence:.0%}")),
        ("p_adj", p_head),
        ("more_than_5pct", L["flag_5pct"]),
        ("significant", L["flag_sig"]),
    ]
    cols = [(c, h) for c, h in spec if c in changes.columns]
    rows = []
    for rec in changes.to_dict("records"):
        row = []
        for c, _ in cols:
            v = rec[c]
            if c == "province":
                row.append(str(names.get(v, v)))
            elif c == "lci":
                row.append(f"[{_fmt(v)}, {_fmt(rec.get('uci'))}]" if _fmt(v) else "")
            elif c == "more_than_5pct":
                row.append('<span class="flag">●</span>' if _truthy(v) else "")
            elif c == "significant":
                # filled by the stated rule: yes / no, a dash where no test was possible
                row.append(
                    "–"
                    if pd.isna(v)
                    else '<span class="flag">' + L["yes"] + "</span>"
                    if bool(v)
                    else L["no"]
                )
            elif c == "change":
                row.append(_fmt(100.0 * float(v)) if _fmt(v) else "")
            elif c == "p_adj":
                row.append(_fmt(v, 3))
            elif c == "code":
                row.append(str(v))
            else:
                row.append(_fmt(v))
        rows.append(row)
    notes = [rule, L["ci_unadjusted_note"].format(confidence=f"{confidence:.0%}")]
    if changes.attrs.get("reference_published", False):
        notes.append(L["published_error"])
    return {"header": [h for _, h in cols], "rows": rows, "notes": notes}


def _sensitivity_block(
    sens: Mapping[str, Any], names: Mapping[str, str], lang: str
) -> dict[str, Any]:
    L = labels(lang)
    prov = pd.DataFrame(sens.get("provinces", []))
    out: dict[str, Any] = {"rank_chart": "", "sobol_chart": "", "summary": ""}
    if len(prov):
        _require(
            prov, ["province", "nominal_rank", "median_rank", "rank_q05", "rank_q95"], "sensitivity"
        )
        frame = pd.DataFrame(
            {
                "rank": prov["nominal_rank"],
                "rank_mid": prov["median_rank"],
                "rank_lo": prov["rank_q05"],
                "rank_hi": prov["rank_q95"],
            }
        )
        out["rank_chart"] = charts.rank_intervals(
            frame, title=L["rank_q05_q95"], xlabel=L["nominal_rank"], ylabel=L["median_rank"]
        )
    out["rank_text"] = L["sens_rank_text"] if out["rank_chart"] else ""
    source = sens.get("input") or {}
    if "published" in source:
        out["data"] = L["sens_data_published"].format(year=source["published"])
    elif "responses" in source:
        out["data"] = L["sens_data_responses"].format(file=source["responses"])
    elif "scores" in source:
        out["data"] = L["sens_data_scores"]
    else:
        out["data"] = L["sens_data_unknown"]
    sobol = sens.get("sobol") or []
    out["sobol_text"] = L["sens_sobol_text"] if sobol else ""
    if sobol:
        plain = FACTOR_NAMES[lang]
        factors = [plain.get(str(s["factor"]), str(s["factor"])) for s in sobol]
        out["sobol_chart"] = charts.bars(
            factors,
            {"S1": [s["S1"] for s in sobol], "ST": [s["ST"] for s in sobol]},
            title=L["sobol"],
        )
    overall = sens.get("overall") or {}
    if "mean_abs_shift" in overall:
        shift = _fmt(overall["mean_abs_shift"])
        runs = sens.get("runs")
        out["summary"] = (
            L["sens_summary"].format(runs=runs, shift=shift)
            if runs
            else f"{L['mean_abs_shift']}: {shift}"
        )
    return out


def _collection_block(
    col: CollectionSummary, names: Mapping[str, str], lang: str
) -> dict[str, Any]:
    L = labels(lang)
    prog = col.progress.copy()
    _require(prog, ["province", "target", "completed"], "collection progress")
    target = int(prog["target"].sum())
    completed = int(prog["completed"].sum())
    prog["label"] = prog["province"].map(lambda p: names.get(p, p))
    with_target = prog[prog["target"] > 0]
    # one province: the headline numbers say it all
    chart = (
        charts.completion_bars(
            with_target, title=L["completion"], xlabel="%", target_label=L["target"]
        )
        if len(with_target) >= 2
        else ""
    )
    durations = [d for d in col.durations_min if d is not None and np.isfinite(d)]
    return {
        "target": target,
        "completed": completed,
        "rate": f"{100.0 * completed / target:.1f}%" if target else "",
        "progress_chart": chart,
        "flags": [
            (f"{QUALITY_FLAGS[lang].get(k, k)} ({k})", v)
            for k, v in sorted(col.flags.items(), key=lambda kv: -kv[1])
        ],
        "duration_chart": charts.histogram(durations, title=L["duration"], xlabel=L["duration"])
        if durations
        else "",
    }


def variance_text(prov: Mapping[str, Any], lang: str = "en") -> str:
    """The variance options of a result (``papi score --poststratified /
    --share-correction``), as recorded in its provenance, in ``lang``."""
    P = PROVENANCE_TEXT[lang]

    def yes_no(v: Any) -> str:
        return P["not_recorded"] if v is None else P["yes"] if v else P["no"]

    return P["variance_value"].format(
        poststratified=yes_no(prov.get("poststratified")),
        share_correction=yes_no(prov.get("share_correction")),
    )


def provenance_rows(meta: Mapping[str, Any], lang: str = "en") -> list[tuple[str, str]]:
    """How the scores were made, as (what, value) rows (``IndexScores.meta()``) in
    ``lang``; the engine's fixed phrases are translated, anything else is kept."""
    labels(lang)  # an unknown language is the usual error
    P = PROVENANCE_TEXT[lang]
    prov: Mapping[str, Any] = meta.get("provenance") or {}

    def text(v: Any) -> str:
        return "—" if v is None or v == "" else str(v)

    def phrase(v: Any) -> str:
        return provenance_phrase(text(v), lang)

    method = str(meta.get("method", ""))
    shown = method_text(method, lang)
    if method not in ("taylor", "published") and meta.get("replicates"):
        shown += ", " + P["replicates"].format(n=meta["replicates"])
    if method == "taylor" and meta.get("replicates"):
        shown += " (" + P["rank_draws"].format(n=meta["replicates"]) + ")"
    confidence = meta.get("confidence")
    dist = prov.get("ci_dist")
    rows = [
        (P["method"], shown),
        (P["seed"], text(prov.get("seed"))),
        (
            P["ci"],
            "—"
            if method == "published" or confidence is None
            else P["ci_value"].format(
                level=f"{float(confidence):.0%}",
                dist=P.get(str(dist), text(dist)) if dist is not None else "—",
            ),
        ),
        (
            P["suppression"],
            f"min_n = {text(prov.get('min_n'))}, min_share = {text(prov.get('min_share'))}: "
            + "; ".join(phrase(r) for r in prov.get("suppression") or ()),
        ),
        (
            P["design"],
            P["design_value"].format(
                strata=text(prov.get("strata")),
                psu=text(prov.get("psu")),
                lonely=phrase(prov.get("lonely_psu")),
            ),
        ),
        (P["weighting"], f"{text(prov.get('weights'))}: {phrase(prov.get('weighting'))}"),
        (P["variance"], variance_text(prov, lang)),
        (
            P["questionnaire"],
            f"{text(meta.get('structure'))} {text(prov.get('questionnaire_version'))}",
        ),
        (P["engine"], f"papi-engine {text(prov.get('engine_version'))}"),
    ]
    return rows if prov else rows[:1]


def _missing(
    comp: pd.DataFrame,
    dims: pd.DataFrame,
    names: Mapping[str, str],
    lang: str,
    national: bool,
    published_year: int | None,
) -> list[str]:
    """Which provinces have no aggregate score, and why: not in the data (named when the
    data are national, e.g. Vinh Phuc and Tien Giang in the published 2024 data), or in
    the data without an aggregate."""
    L = labels(lang)
    every = list(vintage(geography_of(set(comp["province"].astype(str))) or "2018").codes)
    present = set(comp["province"].astype(str)) | set(dims["province"].astype(str))
    present &= set(every)
    scored = set(comp.loc[comp["est"].notna(), "province"].astype(str))
    absent = [p for p in every if p not in present or p not in covered_provinces(comp, dims)]
    unscored = [
        p for p in every if p in present and p in covered_provinces(comp, dims) and p not in scored
    ]
    out = []
    if absent and national:
        listed = ", ".join(names.get(p, p) for p in absent)
        out.append(
            L["missing_published"].format(year=published_year, names=listed)
            if published_year is not None
            else L["missing_absent"].format(names=listed)
        )
    elif absent:
        out.append(L["coverage_partial"].format(n=len(every) - len(absent), total=len(every)))
    if unscored:
        out.append(L["missing_unscored"].format(names=", ".join(names.get(p, p) for p in unscored)))
    return out


def build_report(inputs: ReportInputs, *, lang: str = "en") -> str:
    """Render the report as one self-contained HTML string (charts embedded as SVG); its
    titles and column heads name the scores' confidence level (``IndexScores.confidence``,
    in ``inputs.provenance``; 95% when the provenance does not say)."""
    confidence = float((inputs.provenance or {}).get("confidence") or 0.95)
    L = labels(lang)
    L = L | {k: L[k].format(confidence=f"{confidence:.0%}") for k in CONFIDENCE_LABELS}
    comp = inputs.composite
    dims = inputs.dimensions
    _require(comp, ["province", "est"], "composite scores")
    _require(dims, ["province", "dimension", "est"], "dimension scores")
    national = is_national(comp, dims)
    names = _names(
        lang,
        national=national,
        districts=inputs.collection.districts if inputs.collection else None,
    )
    reference_label = names[NATIONAL]

    group_labels = {g: L[g] for g in GROUP_ORDER}
    aggregate_chart = charts.dot_whisker(
        _chart_frame(comp, names),
        title=L["aggregate"],
        xlabel=L["score"],
        reference=_pooled(comp),
        reference_label=reference_label,
        group_labels=group_labels,
    )
    scored = comp[(comp["province"] != NATIONAL) & comp["est"].notna()]
    groups = []
    for g in GROUP_ORDER:
        members = (
            scored[scored.get("group", pd.Series(dtype=str)) == g]
            if "group" in scored
            else scored.iloc[:0]
        )
        groups.append(
            {
                "key": g,
                "label": L[g],
                "members": [
                    names.get(p, p) for p in members.sort_values("est", ascending=False)["province"]
                ],
            }
        )
    has_groups = any(g["members"] for g in groups)
    groups_note = groups_command = ""
    if not has_groups:
        if len(scored) < MIN_GROUP_UNITS:
            groups_note = L["groups_none_few"].format(min=MIN_GROUP_UNITS, n=len(scored))
            changes_title = inputs.changes_title or L["changes"]
            if inputs.changes is not None:
                groups_note += " " + L["groups_compare_below"].format(section=changes_title)
            else:
                groups_note += " " + L["groups_compare_cli"]
                groups_command = L["groups_command"]
        else:
            groups_note = L["groups_none"]
    units = comp[comp["province"] != NATIONAL]
    n_ranked = int(units["rank"].notna().sum()) if "rank" in units else 0
    show_rank = n_ranked >= 2
    rank_rows = []
    # ranked provinces by rank, then the other scored ones by score, the pooled row last
    ordered = comp.assign(
        _pooled=comp["province"] == NATIONAL,
        _r=comp.get("rank", np.nan),
        _e=-comp["est"],
    ).sort_values(["_pooled", "_r", "_e", "province"], na_position="last")
    for rec in ordered.to_dict("records"):
        has_ci = "lci" in rec and not pd.isna(rec.get("lci"))
        group = rec.get("group") if isinstance(rec.get("group"), str) else ""
        rank_rows.append(
            {
                "name": names.get(rec["province"], rec["province"]),
                "est": _fmt(rec["est"]) if not pd.isna(rec["est"]) else L["no_score"],
                "ci": f"[{_fmt(rec['lci'])}, {_fmt(rec['uci'])}]" if has_ci else "",
                "rank": _fmt_int(rec.get("rank")),
                "rank_ci": (
                    f"{_fmt_int(rec.get('rank_lci'))}–{_fmt_int(rec.get('rank_uci'))}"
                    if not pd.isna(rec.get("rank_lci", np.nan))
                    else ""
                ),
                "group": L.get(group, "") if group else "",
                "group_key": group,
                "n": _fmt_int(rec.get("n")),
            }
        )
    dimension_charts = []
    for code in sorted(dims["dimension"].dropna().unique()):
        sub = dims[dims["dimension"] == code]
        name = DIMENSION_NAMES[lang].get(code, code)
        dimension_charts.append(
            {
                "code": code,
                "name": name,
                "svg": charts.dot_whisker(
                    _chart_frame(sub, names),
                    title=f"{code} · {name}",
                    xlabel=L["score"],
                    reference=_pooled(sub),
                    reference_label=reference_label,
                    group_labels=group_labels,
                ),
            }
        )
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    return env.get_template("report.html.j2").render(
        lang=lang,
        L=L,
        title=inputs.title or L["title"],
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        method=method_text(inputs.method, lang),
        data_label=(
            L["data_published"].format(year=inputs.published_year)
            if inputs.published_year is not None
            else L["scores_data"].format(label=inputs.data_label)
            if inputs.data_label
            else ""
        ),
        missing=_missing(comp, dims, names, lang, national, inputs.published_year),
        n_scored=len(scored),
        aggregate_chart=aggregate_chart,
        groups=groups,
        groups_note=groups_note,
        groups_command=groups_command,
        show_group=has_groups,
        show_rank=show_rank,
        ranks_title=L["ranks"] if show_rank else L["scores_table"],
        rank_rows=rank_rows,
        notes=[str(n) for n in inputs.notes if str(n).strip()],
        provenance=provenance_rows(inputs.provenance, lang) if inputs.provenance else [],
        dimension_charts=dimension_charts,
        changes=_changes_table(inputs.changes, names, lang) if inputs.changes is not None else None,
        changes_title=inputs.changes_title or L["changes"],
        changes_notes=[str(n) for n in inputs.changes_notes if str(n).strip()],
        sensitivity=_sensitivity_block(inputs.sensitivity, names, lang)
        if inputs.sensitivity
        else None,
        collection=_collection_block(inputs.collection, names, lang) if inputs.collection else None,
    )


def write_report(inputs: ReportInputs, path: Path, *, lang: str = "en") -> Path:
    """Render and write the report; returns the path written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_report(inputs, lang=lang), encoding="utf-8")
    return path
