"""``score``: PAPI index scores with design-based confidence intervals at every level.

Pipeline (papi-method.md §2, docs/questionnaire-format.md):

1. per respondent indicator values (indicators.py);
2. per province, and nationally from the pooled sample, Hájek means through
   ``SurveyDesign.domain_means`` (provinces are domains of the full design, Lumley 2010
   §3.4); weighted with the analysis weight, or — PAPI's headline — with unit weights but
   the same strata and clusters;
3. ``r = 1 + 9 (x − L)/(U − L)`` → sub-dimension ``mean r / k`` → dimension (sum) →
   aggregate (sum), with suppression (levels.py): an indicator with fewer than ``min_n``
   respondents is missing; a sub-dimension is the mean of its available indicators if at
   least ``min_share`` of them are available; a dimension needs all its sub-dimensions and
   the aggregate all dimensions (PAPI's rule).

Uncertainty. Fixed goalposts make every level a fixed linear function of the indicator
means, so a level's influence values are the same combination of the indicators' influence
values (statistics.md, "Linear combinations"; R: ``svyby(covmat=TRUE)`` + ``svycontrast``):
``u_level = u_x @ L`` and one ``taylor_variance`` pass gives all levels. This holds although
indicators have different eligible sub-samples: each ``u_x`` is defined on the full design
(zero outside its domain), and the variance of a sum of domain estimators is the variance
of the sum of their influence values. Replicate methods (``bootstrap`` = Rao–Wu, ``jk1``,
``jkn``, ``brr``, ``fay``) recompute the whole pipeline under every replicate as array
operations (uncertainty.py), giving SEs, rank intervals and group probabilities.
CIs: ``est ± q · se``, ``q`` from Student's t on the province's design df (PSUs − strata)
by default, or normal (``dist="normal"``, R's ``confint`` default); share indicators get
Korn–Graubard intervals (intervals.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.design.design import SurveyDesign
from scoring.design.estimators import domain_indicator
from scoring.design.replicates import METHODS, replicate_variance
from scoring.design.results import quantile
from scoring.design.structure import codes as integer_codes
from scoring.index.groups import MIN_GROUP_UNITS
from scoring.index.indicators import indicator_values
from scoring.index.intervals import korn_graubard
from scoring.index.levels import Levels, Weights, influence, propagate
from scoring.index.results import COMPOSITE_CODE, NATIONAL, IndexScores, level_frame
from scoring.index.structure import IndexStructure
from scoring.index.uncertainty import normal_draws, rank_uncertainty, replicate_domain_means
from survey.errors import Problem, ScoringError
from survey.loader import load_questionnaire
from survey.rng import RngLike
from survey.schema import Questionnaire

FloatArray = NDArray[np.float64]
CI_METHODS: tuple[str, ...] = ("taylor", *METHODS)


def _design_columns(
    frame: pd.DataFrame, strata: str | None, psu: str | None
) -> tuple[str | None, str | None]:
    if strata is None:
        strata = "stratum" if "stratum" in frame.columns else "province"
    if psu is None:
        psu = next((c for c in ("psu", "district") if c in frame.columns), None)
    return strata, psu


def _check_frame(frame: pd.DataFrame, weights: str | None, weighted: bool) -> None:
    if "province" not in frame.columns:
        raise ScoringError(
            "the responses have no `province` column; expected one row per respondent in the "
            "layout of docs/data-layout.md (province P01…P63)",
            code="province_column_missing",
        )
    if frame["province"].isna().any():
        raise ScoringError("some respondents have no province; every row needs one")
    if weighted and weights not in frame.columns:
        raise ScoringError(
            f"weighted scoring needs the weight column {weights!r}, absent from the responses; "
            "pass weights=<column>, or weighted=False (the CLI's --unweighted) for PAPI's "
            "unweighted headline scores",
            code="weight_column_missing",
        )
    if weighted:
        w = pd.to_numeric(frame[weights], errors="coerce")
        missing = int(w.isna().sum())
        if missing == len(frame):
            raise ScoringError(
                f"the weight column {weights!r} is empty: these responses carry no design "
                "weights (interviews submitted without a `design` block, e.g. a pilot without "
                "a sampling design). Score them unweighted (weighted=False; the CLI's "
                "--unweighted), or submit the design weights (docs/data-layout.md)",
                code="weights_missing",
            )
        if missing or (w < 0).any():
            bad = np.flatnonzero(w.isna().to_numpy() | (w < 0).to_numpy())
            raise ScoringError(
                f"{len(bad)} of {len(frame)} respondents have a missing or negative weight in "
                f"{weights!r} (first: row {int(bad[0])}); fix or drop them, or score "
                "unweighted (weighted=False; the CLI's --unweighted)",
                code="weights_invalid",
                problems=tuple(
                    Problem(f"/{int(i)}/{weights}", "weights_invalid", "missing or negative")
                    for i in bad[:100]
                ),
            )


def _counts(
    observed: NDArray[np.bool_], domain: NDArray[np.intp], d: int, st: IndexStructure
) -> FloatArray:
    """Respondents with a value on at least one input of each code, per province + national."""
    to_sub = st.indicator_to_subdimension() != 0
    to_dim = (to_sub.astype(float) @ st.subdimension_to_dimension()) > 0
    cols = [
        observed,
        (observed @ to_sub) > 0,
        (observed @ to_dim) > 0,
        observed.any(axis=1, keepdims=True),
    ]
    has = np.hstack(cols).astype(np.float64)
    per = np.asarray(domain_indicator(domain, d) @ has)
    return np.vstack([per, has.sum(axis=0, keepdims=True)])


def _replicate_se(
    design: SurveyDesign,
    method: str,
    replicates: int,
    rng: RngLike,
    y: FloatArray,
    domain: NDArray[np.intp],
    psu_codes: NDArray[np.intp],
    st: IndexStructure,
    weights: Weights,
    full: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """SEs of every level and the replicate values of the ranked levels (R, rows, codes)."""
    w_rep, scale, rscale, mse = design.replicate_weights(method, replicates, rng)
    d = int(domain.max()) + 1
    x_rep = replicate_domain_means(
        w_rep,
        design.weights,
        y,
        domain,
        d,
        psu_codes,
        factorised=not design.calibration_history,
    )
    k = len(st.indicators)
    x_rep = np.where(np.isnan(full[:, :k])[None], np.nan, x_rep)  # suppressed stays so
    rep = propagate(x_rep, st, weights)
    rep_full = rep.all_blocks()
    with np.errstate(invalid="ignore"):  # suppressed cells are NaN in every replicate
        var = replicate_variance(rep_full, full, scale, rscale, mse)
    return np.where(np.isnan(full), np.nan, np.sqrt(var)), rep.ranked_blocks()


def _frames(
    st: IndexStructure,
    rows: list[str],
    lv: Levels,
    full: FloatArray,
    stats: dict[str, FloatArray],
    df: FloatArray,
    draws: FloatArray,
    level: float,
) -> dict[str, pd.DataFrame]:
    """The four result tables; ``full`` and ``stats`` hold [indicators | sub | dim | agg]."""
    ranked = np.arange(len(rows)) < len(rows) - 1  # the national row is not ranked
    sizes = [len(st.indicators), len(st.subdimensions), len(st.dimensions), 1]
    cuts = np.cumsum(sizes)[:-1]
    est = np.split(full, cuts, axis=1)
    parts = {name: np.split(values, cuts, axis=1) for name, values in stats.items()}
    rank_lo, rank_hi, probs = rank_uncertainty(draws, ranked, level)
    ranked_cuts = np.cumsum(sizes[1:])[:-1]
    lo, hi, pr = (np.split(a, ranked_cuts, axis=1) for a in (rank_lo, rank_hi, probs))
    dim_of = dict(zip(st.subdimensions, st.subdimension_dimension, strict=True))
    owners: list[dict[str, Sequence[str]] | None] = [
        {
            "subdimension": st.indicator_subdimension,
            "dimension": [dim_of[s] for s in st.indicator_subdimension],
        },
        {"dimension": st.subdimension_dimension},
        None,
        None,
    ]
    keys = (st.indicators, st.subdimensions, st.dimensions, (COMPOSITE_CODE,))
    frames = {}
    for i, tier in enumerate(("indicators", "subdimensions", "dimensions", "composite")):
        tier_stats: dict[str, FloatArray | None] = {n: v[i] for n, v in parts.items()}
        tier_stats["df"] = df
        indicators = i == 0  # own units, ranked by their rescaled value, no intervals
        if indicators:
            tier_stats["rescaled"] = lv.r
        frames[tier] = level_frame(
            tier,
            rows,
            keys[i],
            est[i],
            ranked=ranked,
            stats=tier_stats,
            owners=owners[i],
            rank_by=lv.r if indicators else None,
            rank_interval=None if indicators else (lo[i - 1], hi[i - 1]),
            group_probs=None if indicators else pr[i - 1],
        )
    return frames


def _notes(
    st: IndexStructure,
    ci: str,
    replicates: int,
    absent: tuple[str, ...],
    n_obs: FloatArray,
    min_n: int,
    weights: Weights,
    ranked: int,
) -> list[str]:
    """What a reader of the tables must know: rank-draw method, absent items, suppression.
    ``ranked``: provinces with an aggregate score (with fewer than 2 nothing is ranked)."""
    notes = []
    if ci == "taylor" and ranked >= 2:
        notes.append(
            f"rank intervals and group probabilities from {replicates} normal draws of "
            "est + se·z, provinces independent"
        )
    if absent:
        notes.append(f"item columns absent from the responses (indicators missing): {absent}")
    thin = (n_obs < min_n).sum(axis=0)
    if thin.any():
        worst = np.argsort(-thin, kind="stable")[: min(8, int((thin > 0).sum()))]
        listed = ", ".join(f"{st.indicators[j]} ({thin[j]})" for j in worst)
        notes.append(
            f"{int(thin.sum())} province × indicator cells have fewer than min_n={min_n} "
            "respondents with a value and are suppressed; "
            f"most affected (number of provinces): {listed}"
        )
        has_gap = ((weights.w[:-1] == 0).astype(np.float64) @ st.membership()) > 0
        partial = int((has_gap & weights.scored[:-1]).sum())
        unscored = int((~weights.scored[:-1]).sum())
        notes.append(
            f"{partial} province sub-dimension scores are means of their available indicators; "
            f"{unscored} are missing (fewer than min_share of their indicators scored)"
        )
    return notes


def _listed(items: Sequence[object], most: int = 8) -> str:
    return ", ".join(map(str, items[:most])) + (", …" if len(items) > most else "")


def _design_notes(
    responses: pd.DataFrame,
    provinces: Sequence[object],
    df: FloatArray,
    scored: int,
    dist: str,
    strata: str | None,
    psu: str | None,
    lonely_psu: str,
) -> list[str]:
    """What the sample's shape means for groups and CIs: too few provinces for quartiles,
    variances on 1 degree of freedom, strata with a lone PSU under an R lonely-PSU option."""
    notes = []
    if 0 < scored < MIN_GROUP_UNITS:
        notes.append(
            f"only {scored} province{' has' if scored == 1 else 's have'} an aggregate score: "
            "performance groups are quartiles among the scored provinces and need at least "
            f"{MIN_GROUP_UNITS}, so none is assigned; compare with the published scores instead "
            "(papi report --previous-published YEAR; survey.published in Python)"
        )
    thin_df = [str(p) for p, f in zip(provinces, df, strict=True) if f == 1]
    if thin_df and dist == "t":
        notes.append(
            f"{len(thin_df)} province(s) ({_listed(thin_df)}) have 2 PSUs in one stratum: their "
            "standard errors rest on 1 degree of freedom, so the CIs (Student t, 12.7 × se) "
            "are very wide and the SE of a sum such as the aggregate can be far off by "
            "chance; sample more clusters (papi sample --communes N for a pilot)"
        )
    if lonely_psu != "fail" and strata and psu:
        per_stratum = responses.groupby(strata, sort=True, observed=True)[psu].nunique()
        lonely = list(per_stratum.index[per_stratum == 1])
        if lonely:
            notes.append(
                f"{len(lonely)} stratum/strata have one PSU ({_listed(lonely)}); with "
                f"lonely_psu={lonely_psu!r} they add no variance of their own, so a province "
                "that is such a stratum gets a standard error near 0: cluster on a lower stage "
                "(--psu commune; psu='commune' in Python) to measure it"
            )
    return notes


def score(
    responses: pd.DataFrame,
    questionnaire: Questionnaire | str,
    *,
    weighted: bool = True,
    ci: str = "taylor",
    replicates: int = 1000,
    rng: RngLike = 0,
    level: float = 0.95,
    strata: str | None = None,
    psu: str | None = None,
    weights: str | None = None,
    min_n: int = 10,
    min_share: float = 0.5,
    dist: str = "t",
    lonely_psu: str = "fail",
) -> IndexScores:
    """Score respondents into indicators, sub-dimensions, dimensions and the aggregate.

    ``responses``: one row per respondent (docs/data-layout.md). The design comes from the
    data: ``strata`` defaults to ``stratum`` (else ``province``), ``psu`` to ``psu`` (else
    ``district``), ``weights`` to ``weight``; first-stage clusters only, no fpc (the
    with-replacement "ultimate cluster" approximation, standard after PPS selection of
    districts; the simulator counts the certainty capital district as an ordinary PSU of its
    province, which gave 93.5-95% coverage on known truth, better than making it a stratum).
    ``weighted=False`` gives PAPI's unweighted headline estimates with the same strata and
    clusters. ``ci``: ``taylor`` or a replicate method (``bootstrap`` Rao–Wu, ``jk1``,
    ``jkn``, ``brr``, ``fay``) with ``replicates`` replicates drawn from ``rng``; with
    Taylor, rank intervals and group probabilities come from ``replicates`` normal draws.
    ``min_n``: fewest respondents with a value for a province's indicator to be scored;
    ``min_share``: least share of a sub-dimension's indicators that must be scored for the
    sub-dimension to be (available-case mean, levels.py; 1 = all of them).
    """
    q = load_questionnaire(questionnaire) if isinstance(questionnaire, str) else questionnaire
    if ci not in CI_METHODS:
        raise ScoringError(
            f"ci={ci!r} is not a variance method; expected one of {', '.join(CI_METHODS)}",
            code="unknown_ci_method",
        )
    if not 0 < level < 1:
        raise ScoringError(f"level={level}; expected a confidence level in (0, 1), e.g. 0.95")
    weights = weights or "weight"
    _check_frame(responses, weights, weighted)
    strata, psu = _design_columns(responses, strata, psu)
    st = IndexStructure.from_questionnaire(q)
    if not st.indicators:
        raise ScoringError(f"questionnaire {q.id!r} has no indicators to score")
    _, y, absent = indicator_values(responses, q)
    keep = [c for c in dict.fromkeys(["province", strata, psu, weights if weighted else None]) if c]
    design = SurveyDesign(
        responses.loc[:, keep],
        weights=weights if weighted else None,
        strata=strata,
        psu=psu,
        lonely_psu=lonely_psu,
    )
    domain, provinces = integer_codes(responses["province"].astype("str"))
    d = len(provinces)
    est, u, n_obs, df = design.domain_means(y, domain, d)
    est_n, u_n, n_obs_n, df_n = design.domain_means(y, None)
    x = np.vstack([est, est_n])
    n_x = np.vstack([n_obs, n_obs_n])
    x = np.where(n_x >= min_n, x, np.nan)
    df_all = np.concatenate([df, df_n])
    wts = Weights.from_available(~np.isnan(x), st, min_share)
    lv = propagate(x, st, wts)
    counts = _counts(~np.isnan(y), domain, d, st)
    full = lv.all_blocks()
    if ci == "taylor":
        national = np.broadcast_to(wts.w[-1], u_n.shape)
        var = np.vstack(
            [
                design.taylor_variance(influence(u, wts.w[domain], st), domain, d),
                design.taylor_variance(influence(u_n, national, st)),
            ]
        )
        se = np.where(np.isnan(full), np.nan, np.sqrt(var))
        draws = normal_draws(lv.ranked_blocks(), se[:, len(st.indicators) :], replicates, rng)
    else:
        unit_cols = [c for c in (strata, psu) if c]
        psu_codes = (
            integer_codes(responses.loc[:, unit_cols].astype("str"))[0]
            if psu
            else np.arange(len(responses))
        )
        se, draws = _replicate_se(design, ci, replicates, rng, y, domain, psu_codes, st, wts, full)
    qt = quantile(level, df_all, dist)[:, None]
    lci, uci = full - qt * se, full + qt * se
    k = len(st.indicators)
    share = np.array([i.kind == "share" for i in q.structure.indicators])
    kg_lo, kg_hi = korn_graubard(full[:, :k], se[:, :k] ** 2, n_x, df_all[:, None], level)
    lci[:, :k] = np.where(share, kg_lo, lci[:, :k])
    uci[:, :k] = np.where(share, kg_hi, uci[:, :k])
    stats = {"se": se, "lci": lci, "uci": uci, "n": counts}
    frames = _frames(st, [*provinces, NATIONAL], lv, full, stats, df_all, draws, level)
    scored = int(np.isfinite(lv.ranked_blocks()[:-1, -1]).sum())
    notes = _notes(st, ci, replicates, absent, n_x[:-1], min_n, wts, scored)
    notes += _design_notes(responses, provinces, df, scored, dist, strata, psu, lonely_psu)
    return IndexScores(
        **frames,
        method=ci,
        level=level,
        weighted=weighted,
        structure=q.id,
        replicates=replicates,
        notes=tuple(notes),
    )
