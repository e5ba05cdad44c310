"""``score()``'s stages after the indicator stage (``scoring.index.prepared``): on the
indicators of a prepared frame that make up an index structure, the levels and their
influence values, SEs (Taylor, or a replicate method recomputing the whole chain), CIs
(Korn–Graubard for share indicators), design effects, rank intervals and group
probabilities from the empirical-Bayes draws, and the result tables
(``score_prepared``). The two threads' shares of this work are described in
docs/scoring.md, "Speed".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.design.design import SurveyDesign
from scoring.design.replicates import replicate_variance
from scoring.design.results import quantile
from scoring.design.structure import codes as integer_codes
from scoring.index import notes as index_notes
from scoring.index import threads
from scoring.index.design_effects import (
    has_value,
    province_and_national_deff,
    respondent_counts,
)
from scoring.index.intervals import korn_graubard
from scoring.index.levels import (
    AggregationWeights,
    Levels,
    level_influence_t,
    propagate,
)
from scoring.index.results import (
    COMPOSITE_CODE,
    NATIONAL,
    SUPPRESSION_RULES,
    IndexScores,
    Provenance,
    level_frame,
)
from scoring.index.share_correction import share_choice, share_corrected
from scoring.index.structure import IndexStructure
from scoring.index.uncertainty import PosteriorRanks, replicate_domain_means
from survey.questionnaire.schema import Questionnaire
from survey.rng import RngLike

FloatArray = NDArray[np.float64]
WEIGHTING = (
    "the weight column as given; the frame contract (survey.respondents.analysis_frame) makes it the "
    "design weight post-stratified to sex x age group within province"
)

if TYPE_CHECKING:
    from scoring.index.prepared import Prepared


def _replicate_se(
    design: SurveyDesign,
    method: str,
    replicates: int,
    rng: RngLike,
    y: FloatArray,
    domain: NDArray[np.intp],
    psu_codes: NDArray[np.intp],
    st: IndexStructure,
    weights: AggregationWeights,
    full: FloatArray,
) -> FloatArray:
    """SEs of every level from the replicates (rows, codes)."""
    w_rep, scale, rscale, mse = design.replicate_weights_and_scales(method, replicates, rng)
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
    return np.where(np.isnan(full), np.nan, np.sqrt(var))


def _result_tables(
    st: IndexStructure,
    rows: list[str],
    lv: Levels,
    full: FloatArray,
    stats: dict[str, FloatArray],
    df: FloatArray,
    ranks: tuple[FloatArray, FloatArray, FloatArray],
) -> dict[str, pd.DataFrame]:
    """The four result tables; ``full`` and ``stats`` hold [indicators | sub | dim | agg];
    ``ranks``: the provinces' rank intervals (provinces, ranked codes) and group
    probabilities (provinces, ranked codes, 4) (the national row, last in ``rows``, is not
    ranked)."""
    ranked = np.arange(len(rows)) < len(rows) - 1
    sizes = [len(st.indicators), len(st.subdimensions), len(st.dimensions), 1]
    cuts = np.cumsum(sizes)[:-1]
    est = np.split(full, cuts, axis=1)
    parts = {name: np.split(values, cuts, axis=1) for name, values in stats.items()}
    lo_p, hi_p, pr_p = ranks
    rank_lo, rank_hi, probs = (  # the national row: no rank interval, no group
        np.concatenate([a, np.full_like(a[:1], np.nan)]) for a in (lo_p, hi_p, pr_p)
    )
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


def indicator_stats(
    prep: Prepared,
    q: Questionnaire,
    x: FloatArray,
    se: FloatArray,
    n_x: FloatArray,
    df_all: FloatArray,
    qt: FloatArray,
    confidence: float,
    u: tuple[FloatArray, FloatArray],
    has: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """CIs and design effects (rows, K) of the indicators of ``q``: ``est ± q · se``, and
    Korn–Graubard intervals for share indicators."""
    lci, uci = x - qt * se, x + qt * se
    share = np.flatnonzero([i.kind == "share" for i in q.structure.indicators])
    lci[:, share], uci[:, share] = korn_graubard(
        x[:, share], se[:, share] ** 2, n_x[:, share], df_all[:, None], confidence
    )
    d = len(prep.provinces)
    deff = province_and_national_deff(se**2, u, prep.design.weights, has, prep.domain, d, n_x)
    return lci, uci, deff


def _take(a: FloatArray, cols: NDArray[np.intp] | None) -> FloatArray:
    return a if cols is None else np.ascontiguousarray(a[:, cols])


def score_prepared(
    prep: Prepared,
    q: Questionnaire,
    st: IndexStructure,
    cols: NDArray[np.intp] | None,
    absent: tuple[str, ...],
    variance: str,
) -> IndexScores:
    """The rest of :func:`score` from the indicator stage, on the indicators ``cols`` of it
    (``None``: all) that make up ``st``."""
    o = prep.options
    weighted, replicates, confidence, ci_dist = o.weighted, o.replicates, o.confidence, o.ci_dist
    min_n, min_share, strata, psu = o.min_n, o.min_share, o.strata, o.psu
    weights, lonely_psu, poststratified = o.weights, o.lonely_psu, o.poststratified
    asked = o.share_correction
    frame, design, domain, seed = prep.responses, prep.design, prep.domain, prep.seed
    provinces = list(prep.provinces)
    d = len(provinces)
    est, n_obs = (_take(prep.province_means[i], cols) for i in (0, 2))
    df = prep.province_means[3]
    est_n, n_obs_n = (_take(prep.national_means[i], cols) for i in (0, 2))
    df_n = prep.national_means[3]
    x = np.vstack([est, est_n])
    n_x = np.vstack([n_obs, n_obs_n])
    x = np.where(n_x >= min_n, x, np.nan)
    df_all = np.concatenate([df, df_n])
    share_correction, share_notes = share_choice(
        asked, prep.misfit, weighted=weighted, variance=variance
    )
    with threads.side_pool() as side:
        # Taylor: the indicators' own columns (SEs, Korn–Graubard CIs, design effects) do
        # not depend on the index structure: computed once per prepared frame (all
        # indicators), on the second thread from now, and taken here
        indicators = (
            threads.Later(side, prep.indicator_block, share_correction)
            if variance == "taylor"
            else None
        )
        wts = AggregationWeights.from_available(~np.isnan(x), st, min_share)
        lv = propagate(x, st, wts)
        flags = prep.observed if cols is None else prep.observed[cols]
        has_lv = has_value(flags, st)
        # n_x: the indicators' counts (exact)
        counts = np.hstack([n_x, respondent_counts(has_lv, domain, d)])
        full = lv.all_blocks()
        gen = np.random.default_rng(seed)
        # influence values of every level: the indicators' (u) beside the levels' (lev), kept
        # apart (every variance is column by column, so the blocks need not be joined)
        u_t, u_n_t = prep.influence_t()  # all indicators': the kept rows are read in place
        lev = level_influence_t(u_t, wts.w, domain, st, rows=cols)
        lev_n = level_influence_t(u_n_t, wts.w, None, st, rows=cols)
        k = len(st.indicators)
        qt = quantile(confidence, df_all, ci_dist)[:, None]
        if variance == "taylor":
            if share_correction:
                var_l = share_corrected(prep.misfit, prep.units, design, [(lev, lev_n)], domain, d)
            else:
                var_l = np.vstack(
                    [design.taylor_variance(lev, domain, d), design.taylor_variance(lev_n)]
                )
            se_l = np.where(np.isnan(full[:, k:]), np.nan, np.sqrt(var_l))
        else:
            unit_cols = [c for c in (strata, psu) if c]
            psu_codes = (
                integer_codes(frame.loc[:, unit_cols].astype("str"))[0]
                if psu
                else np.arange(len(frame))
            )
            y = prep.y if cols is None else prep.y[:, cols]  # (n, K): copied only here
            se = _replicate_se(
                design, variance, replicates, gen, y, domain, psu_codes, st, wts, full
            )
            se_k, se_l = se[:, :k], se[:, k:]
        # ranks and groups from one set of draws of the provinces' true scores given all
        # estimates (empirical Bayes; the sampling error drawn from the CIs' own distribution):
        # the second thread takes blocks once the indicators' statistics are done, this one
        # once the levels' design effects are (nothing below reads the draws' generator; the
        # draws do not depend on which thread makes them)
        pending = PosteriorRanks(
            lv.ranked_blocks()[:d],
            se_l[:d],
            df,
            ci_dist,
            replicates,
            gen,
            confidence,
            executor=side,
        )
        try:
            if indicators is None:
                lci_k, uci_k, deff_k = indicator_stats(
                    prep,
                    q,
                    full[:, :k],
                    se_k,
                    n_x,
                    df_all,
                    qt,
                    confidence,
                    (_take(prep.province_means[1], cols), _take(prep.national_means[1], cols)),
                    flags.T.astype(np.float64),
                )
            deff_l = province_and_national_deff(
                se_l**2, (lev, lev_n), design.weights, has_lv, domain, d, counts[:, k:]
            )
        except BaseException:
            pending.cancel()
            raise
        ranks = pending.result()
    if indicators is not None:
        se_k, lci_k, uci_k, deff_k = (_take(a, cols) for a in indicators.result())
    full_l = full[:, k:]
    se = np.hstack([se_k, se_l])
    lci = np.hstack([lci_k, full_l - qt * se_l])
    uci = np.hstack([uci_k, full_l + qt * se_l])
    deff = np.hstack([deff_k, deff_l])
    stats = {"se": se, "lci": lci, "uci": uci, "deff": deff, "n": counts}
    frames = _result_tables(st, [*provinces, NATIONAL], lv, full, stats, df_all, ranks)
    scored = int(np.isfinite(lv.ranked_blocks()[:-1, -1]).sum())
    notes = index_notes.score_notes(st, ci_dist, replicates, absent, n_x[:-1], min_n, wts, scored)
    notes += index_notes.design_notes(provinces, df, scored, ci_dist)
    notes += [*prep.frame_notes, *prep.design_notes, *share_notes]
    return IndexScores(
        **frames,
        method=variance,
        confidence=confidence,
        weighted=weighted,
        structure=q.id,
        replicates=replicates,
        notes=tuple(notes),
        provenance=Provenance(
            seed=seed,
            ci_dist=ci_dist,
            min_n=min_n,
            min_share=min_share,
            suppression=SUPPRESSION_RULES,
            strata=strata,
            psu=psu,
            weights=weights if weighted else None,
            lonely_psu=lonely_psu,
            weighting=(
                WEIGHTING
                + ("; the variance accounts for it (R: postStratify)" if poststratified else "")
                + ("; PSU-share corrected variance" if share_correction else "")
                if weighted
                else "unweighted (unit weights, same design)"
            ),
            poststratified=poststratified and weighted,
            share_correction=share_correction and variance == "taylor",
            questionnaire_version=q.full_version,
        ),
    )
