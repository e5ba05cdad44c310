"""``score``: PAPI index scores with design-based confidence intervals at every level.

Pipeline (docs/method.md "Arithmetic", docs/questionnaire-format.md):

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
values (docs/variance.md, "Linear combinations"; R: ``svyby(covmat=TRUE)`` + ``svycontrast``):
``u_level = u_x @ L`` and one ``taylor_variance`` pass gives all levels. This holds although
indicators have different eligible sub-samples: each ``u_x`` is defined on the full design
(zero outside its domain), and the variance of a sum of domain estimators is the variance
of the sum of their influence values. Replicate methods (``bootstrap`` = Rao–Wu, ``jk1``,
``jkn``, ``brr``, ``fay``) recompute the whole pipeline under every replicate as array
operations (uncertainty.py), giving SEs; rank intervals and group probabilities come
from one set of empirical-Bayes draws of the true scores (uncertainty.posterior_draws).
CIs: ``est ± q · se``, ``q`` from Student's t on the province's design df (PSUs − strata)
by default, or normal (``ci_dist="normal"``, R's ``confint`` default); share indicators get
Korn–Graubard intervals (intervals.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.design.design import SurveyDesign
from scoring.design.replicates import METHODS, replicate_variance
from scoring.design.results import check_ci_dist, quantile
from scoring.design.structure import codes as integer_codes
from scoring.index import frame_design, threads
from scoring.index import notes as index_notes
from scoring.index.design_effects import (
    has_value,
    province_and_national_deff,
    respondent_counts,
)
from scoring.index.indicators import indicator_values, indicator_values_t
from scoring.index.intervals import korn_graubard
from scoring.index.levels import (
    AggregationWeights,
    Levels,
    finite,
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
from scoring.index.share_correction import (
    share_choice,
    share_corrected,
)
from scoring.index.structure import IndexStructure
from scoring.index.uncertainty import (
    PosteriorRanks,
    replicate_domain_means,
)
from survey.errors import Problem, ScoringError
from survey.questionnaire.loader import load_questionnaire
from survey.questionnaire.schema import Questionnaire
from survey.respondents.analysis_frame import check_for_scoring, design_columns
from survey.rng import DEFAULT_REPLICATES, RngLike, seed_of

FloatArray = NDArray[np.float64]
VARIANCE_METHODS: tuple[str, ...] = ("taylor", *METHODS)
WEIGHTING = (
    "the weight column as given; the frame contract (survey.respondents.analysis_frame) makes it the "
    "design weight post-stratified to sex x age group within province"
)


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


def _frames(
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


def score(
    responses: pd.DataFrame,
    questionnaire: Questionnaire | str,
    *,
    weighted: bool = True,
    variance: str = "taylor",
    replicates: int = DEFAULT_REPLICATES,
    rng: RngLike = None,
    confidence: float = 0.95,
    ci_dist: str = "t",
    strata: str | None = None,
    psu: str | None = None,
    weights: str | None = None,
    min_n: int = 10,
    min_share: float = 0.5,
    lonely_psu: str = "fail",
    poststratified: bool = False,
    share_correction: bool | None = None,
) -> IndexScores:
    """Score respondents into indicators, sub-dimensions, dimensions and the aggregate.

    The design comes from the data: first-stage clusters only, no fpc (the
    with-replacement "ultimate cluster" approximation, standard after PPS selection of
    districts; the simulator counts the certainty capital district as an ordinary PSU of
    its province, which covers better on known truth than making it a stratum, but is
    R's formula is then biased low for weighted SEs where the capital's weight share is much
    smaller than a PPS district's, hence ``share_correction``: docs/simulation.md, "Variance
    units"). With every variance method, rank intervals and group probabilities come from
    the same ``replicates`` empirical-Bayes draws of the provinces' true scores given all
    estimates (scoring.index.uncertainty.posterior_draws), whose sampling error is drawn
    from the CIs' own distribution (Student t on the province's df by default): with
    provinces far apart they are the CIs' ``est + se · T`` (docs/scoring.md, "Defaults,
    and why").

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per respondent (docs/data-layout.md).
    questionnaire : Questionnaire or str
        The questionnaire, or the id of a bundled one (``papi-2021``) or a path.
    weighted : bool, default True
        Weight with the analysis weight; ``False`` gives PAPI's unweighted headline
        estimates with the same strata and clusters.
    variance : str, default "taylor"
        The variance method: ``taylor`` (linearisation) or a replicate method
        (``bootstrap`` Rao–Wu, ``jk1``, ``jkn``, ``brr``, ``fay``).
    replicates : int, default 1000
        Replicates of a replicate method, and draws behind rank intervals and group
        probabilities.
    rng : int, numpy.random.Generator or None, default None
        Random source of the replicates and draws; ``None`` is seed 0 (reproducible). The
        integer seed used is recorded in ``provenance.seed`` (survey.rng.seed_of).
    confidence : float, default 0.95
        Confidence level of ``lci``/``uci`` and of the rank intervals.
    ci_dist : {"t", "normal"}, default "t"
        Distribution of the CI quantile: Student t on the province's design df, or normal.
    strata : str or None, default None
        Strata column; ``None``: ``stratum``, else ``province``.
    psu : str or None, default None
        First-stage cluster column; ``None``: ``psu``, else ``district``.
    weights : str or None, default None
        Weight column; ``None``: ``weight``.
    min_n : int, default 10
        Fewest respondents with a value for a province's indicator to be scored.
    min_share : float, default 0.5
        Least share of a sub-dimension's indicators that must be scored for the
        sub-dimension to be (available-case mean, levels.py; 1 = all of them).
    lonely_psu : {"fail", "adjust", "remove", "certainty"}, default "fail"
        A stratum with one PSU: fail (as R), or R's ``survey.lonely.psu`` options.
    poststratified : bool, default False
        Re-create the post-stratification of ``weight`` from ``design_weight`` (cells
        province × sex × age group) so that the variance accounts for it, as R's
        ``postStratify``. Off by default: on simulated surveys of three districts per
        province (ten post-strata, three PSUs) that linearisation understates the SEs and
        lowers coverage (docs/scoring.md, "Coverage"); the weights are then fixed.
    share_correction : bool or None, default None
        Taylor only: correct the with-replacement variance for unequal PSU weight shares
        (``share_corrected_variance``). ``None``: on for weighted Taylor scores where the
        design fits (``share_correction_misfit``), which brings weighted 95% CIs to 94-96%
        coverage at every level on simulated surveys where R's formula gave 92-93%
        (docs/scoring.md, "Coverage"), and off otherwise (unweighted scores, replicate
        methods, designs it does not fit: a note says so). ``False``: R's ``survey``
        formula everywhere (the R goldens); ``True``: always, or an error.

    Returns
    -------
    IndexScores
        Frozen tables of every level with estimates, SEs, CIs, design effects, ranks, rank
        intervals, groups and group probabilities, and their provenance.

    Raises
    ------
    ScoringError
        An unknown variance method, a confidence level outside (0, 1), a numeric
        ``province`` column (scores are keyed by text codes), a frame that fails
        ``check_for_scoring``, a questionnaire without indicators, or
        ``poststratified=True`` without the columns it needs.
    DesignError
        An unknown ``ci_dist`` or a design that cannot be estimated (a lone PSU with
        ``lonely_psu="fail"``).
    """
    return prepare(
        responses,
        questionnaire,
        weighted=weighted,
        variance=variance,
        replicates=replicates,
        rng=rng,
        confidence=confidence,
        ci_dist=ci_dist,
        strata=strata,
        psu=psu,
        weights=weights,
        min_n=min_n,
        min_share=min_share,
        lonely_psu=lonely_psu,
        poststratified=poststratified,
        share_correction=share_correction,
    ).score()


def _check_method(variance: str, confidence: float, ci_dist: str) -> None:
    if variance not in VARIANCE_METHODS:
        raise ScoringError(
            f"variance={variance!r} is not a variance method; expected one of "
            f"{', '.join(VARIANCE_METHODS)}",
            code="unknown_variance_method",
        )
    if not 0 < confidence < 1:
        raise ScoringError(
            f"confidence={confidence}; expected a confidence level in (0, 1), e.g. 0.95"
        )
    check_ci_dist(ci_dist)


def without(q: Questionnaire, drop: Sequence[str]) -> Questionnaire:
    """``q`` without the indicators and sub-dimensions ``drop`` (codes): the index whose
    sub-dimensions are means of their remaining indicators and whose dimensions are means
    of their remaining sub-dimensions (PAPI's ``k_d`` counts those left). Every
    sub-dimension must keep an indicator and every dimension a sub-dimension, or the
    aggregate would change scale (a ``ScoringError`` with a problem at ``/drop``)."""
    if not drop:
        return q
    gone = set(drop)
    dims = []
    for dim in q.structure.dimensions:
        subs = []
        for sub in dim.subdimensions:
            if sub.code in gone:
                continue
            inds = tuple(i for i in sub.indicators if i.code not in gone)
            if not inds:
                raise ScoringError.with_problems(
                    f"dropping every indicator of {sub.code} leaves it empty; drop the "
                    "sub-dimension itself",
                    [Problem("/drop", "empty_subdimension", f"{sub.code} keeps no indicator")],
                    code="empty_subdimension",
                )
            subs.append(sub.model_copy(update={"indicators": inds}))
        if not subs:
            raise ScoringError.with_problems(
                f"dropping every sub-dimension of {dim.code} leaves the dimension empty and "
                "the aggregate on another scale; keep at least one",
                [Problem("/drop", "empty_dimension", f"{dim.code} keeps no sub-dimension")],
                code="empty_dimension",
            )
        dims.append(dim.model_copy(update={"subdimensions": tuple(subs)}))
    structure = q.structure.model_copy(update={"dimensions": tuple(dims)})
    return q.model_copy(update={"structure": structure})


@dataclass(frozen=True)
class Options:
    """The options of :func:`score` a :class:`Prepared` frame is scored with (``strata``,
    ``psu``, ``weights``: the columns resolved)."""

    weighted: bool
    variance: str
    replicates: int
    confidence: float
    ci_dist: str
    strata: str | None
    psu: str | None
    weights: str
    min_n: int
    min_share: float
    lonely_psu: str
    poststratified: bool
    share_correction: bool | None


@dataclass(frozen=True, eq=False)
class Prepared:
    """The indicator stage of :func:`score` on one respondent frame, kept for rescoring:
    indicator values, the design, and the Hájek means, counts and influence values of every
    indicator per province and nationally (none of which depend on the index structure).

    ``score(drop=...)`` gives exactly what ``score`` gives on ``without(questionnaire,
    drop)`` with the same options (tests/scoring/index/test_index_prepared.py): every
    indicator-stage quantity is computed column by column, so the reduced index's are the
    kept columns of these. Built by :func:`prepare`; read-only arrays.
    """

    responses: pd.DataFrame
    questionnaire: Questionnaire
    structure: IndexStructure
    seed: int
    options: Options
    y: FloatArray
    observed: NDArray[np.bool_]  # (K, n): the indicators with a value, transposed
    absent: tuple[str, ...]
    design: SurveyDesign
    design_notes: tuple[str, ...]
    domain: NDArray[np.intp]
    provinces: tuple[str, ...]
    province_means: tuple[FloatArray, FloatArray, FloatArray, FloatArray]
    national_means: tuple[FloatArray, FloatArray, FloatArray, FloatArray]
    misfit: str | None
    units: tuple[NDArray[np.intp], NDArray[np.intp]] | None
    frame_notes: tuple[str, ...]
    influence_transposed: tuple[FloatArray, FloatArray]  # (K, n) each, NaN read as 0
    _indicator_blocks: dict[bool, tuple[FloatArray, FloatArray, FloatArray, FloatArray]] = field(
        default_factory=dict, repr=False
    )

    def influence_t(self) -> tuple[FloatArray, FloatArray]:
        """The indicators' influence values, provinces' and national, transposed (K, n) with
        NaN read as 0 (``levels.finite``): the layout ``levels.level_influence_t`` sums
        over, written by ``prepare`` while the means are made."""
        return self.influence_transposed

    def indicator_block(
        self, share_correction: bool
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Taylor SEs, CIs and design effects (provinces + national, every indicator),
        computed once per ``share_correction`` and kept: dropping indicators or
        sub-dimensions does not change them."""
        hit = self._indicator_blocks.get(share_correction)
        if hit is not None:
            return hit
        o, design, domain = self.options, self.design, self.domain
        d = len(self.provinces)
        est, u, n_obs, df = self.province_means
        est_n, u_n, n_obs_n, df_n = self.national_means
        n_x = np.vstack([n_obs, n_obs_n])
        x = np.where(n_x >= o.min_n, np.vstack([est, est_n]), np.nan)
        df_all = np.concatenate([df, df_n])
        if share_correction:
            var = share_corrected(self.misfit, self.units, design, [(u, u_n)], domain, d)
        else:
            var = np.vstack([design.taylor_variance(u, domain, d), design.taylor_variance(u_n)])
        se = np.where(np.isnan(x), np.nan, np.sqrt(var))
        qt = quantile(o.confidence, df_all, o.ci_dist)[:, None]
        # ``observed.T`` in C order (from y, not by transposing): the design effects' sparse
        # products would otherwise copy it twice
        has = np.logical_not(np.isnan(self.y)).astype(np.float64)
        lci, uci, deff = _indicator_stats(
            self, self.questionnaire, x, se, n_x, df_all, qt, o.confidence, (u, u_n), has
        )
        out = (se, lci, uci, deff)
        for a in out:
            a.flags.writeable = False
        self._indicator_blocks[share_correction] = out
        return out

    def score(self, drop: Sequence[str] = (), *, variance: str | None = None) -> IndexScores:
        """``score`` of the prepared frame on the questionnaire without ``drop`` (indicator
        and sub-dimension codes), optionally with another ``variance`` method."""
        o = self.options
        method = o.variance if variance is None else variance
        _check_method(method, o.confidence, o.ci_dist)
        q = without(self.questionnaire, tuple(drop))
        st = self.structure if q is self.questionnaire else IndexStructure.from_questionnaire(q)
        if q is self.questionnaire:
            cols: NDArray[np.intp] | None = None
            absent = self.absent
        else:
            position = {c: j for j, c in enumerate(self.structure.indicators)}
            cols = np.array([position[c] for c in st.indicators], dtype=np.intp)
            # absent columns are rare (a pilot asking part of the questionnaire): re-read
            absent = indicator_values(self.responses, q)[2] if self.absent else ()
        return _score_prepared(self, q, st, cols, absent, method)


def _indicator_stats(
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


def prepare(
    responses: pd.DataFrame,
    questionnaire: Questionnaire | str,
    *,
    weighted: bool = True,
    variance: str = "taylor",
    replicates: int = DEFAULT_REPLICATES,
    rng: RngLike = None,
    confidence: float = 0.95,
    ci_dist: str = "t",
    strata: str | None = None,
    psu: str | None = None,
    weights: str | None = None,
    min_n: int = 10,
    min_share: float = 0.5,
    lonely_psu: str = "fail",
    poststratified: bool = False,
    share_correction: bool | None = None,
) -> Prepared:
    """The indicator stage of :func:`score` (same parameters, same checks and errors), kept
    for rescoring the frame under other index structures: ``prepare(...).score()`` is
    ``score(...)``, and ``prepare(...).score(drop=codes)`` is ``score`` on the questionnaire
    without those indicators and sub-dimensions (``without``), reusing the indicator values,
    means and influence values (the console's live what-if, api.console.whatif)."""
    q = load_questionnaire(questionnaire) if isinstance(questionnaire, str) else questionnaire
    _check_method(variance, confidence, ci_dist)
    seed = seed_of(rng)
    if "province" in responses.columns and pd.api.types.is_numeric_dtype(responses["province"]):
        # the result's province column is text (codes, and the pooled row "VN"): a numeric
        # column would come back as strings and a merge onto the data would match nothing
        raise ScoringError(
            f"the province column is numeric ({responses['province'].dtype}); scores are keyed "
            "by province codes as text (P01…P63, docs/data-layout.md), with the pooled row VN. "
            "Convert it first, e.g. responses.assign(province=responses['province'].map("
            "'P{:02d}'.format)), and merge the scores back on that column",
            code="province_not_text",
        )
    weights = weights or "weight"
    strata, psu = design_columns(responses, strata, psu)
    check_for_scoring(responses, strata=strata, psu=psu, weights=weights, weighted=weighted)
    st = IndexStructure.from_questionnaire(q)
    if not st.indicators:
        raise ScoringError(f"questionnaire {q.id!r} has no indicators to score")
    _, y_t, absent = indicator_values_t(responses, q)
    with threads.side_pool() as side:
        # Y (n, K) and the flags (K, n) made from Yᵀ on the second thread (two large numpy
        # calls) while this one reads the design columns (pandas: the design, then the
        # strata's codes and counts), which stays on this thread: beside the indicator
        # values it held the GIL they waited for (score() 168 against 156 ms, calls
        # alternating). The strata's counts come before the means, not beside their NaN
        # check, where that pandas work took three times as long (4.5 against 1.5 ms)
        layouts = threads.Later(side, lambda: (np.ascontiguousarray(y_t.T), ~np.isnan(y_t)))
        design, design_notes, domain, provinces = frame_design.design_of(
            responses, (strata, psu, weights), weighted, lonely_psu, poststratified and weighted
        )
        misfit, units, frame_notes = frame_design.extras_of(
            responses, strata, psu, lonely_psu, domain
        )
        y, observed = layouts.result()
        d = len(provinces)
        # the influence values also transposed (K, n), as influence_t gives them: written
        # while they are made, which is cheaper than transposing them afterwards; the
        # second thread shares the blocks of rows
        u_t, u_n_t = np.empty(y.shape[::-1]), np.empty(y.shape[::-1])
        by_province, national = design.domain_and_overall_means(
            y, domain, d, u_t=u_t, overall_u_t=u_n_t, executor=side
        )
        # the influence values checked for NaN, one array on each thread
        checked = threads.Later(side, finite, u_n_t)
        transposed = (finite(u_t), checked.result())
    for a in (y, *by_province, *national, *transposed):
        a.flags.writeable = False
    return Prepared(
        responses=responses,
        questionnaire=q,
        structure=st,
        seed=seed,
        options=Options(
            weighted=weighted,
            variance=variance,
            replicates=replicates,
            confidence=confidence,
            ci_dist=ci_dist,
            strata=strata,
            psu=psu,
            weights=weights,
            min_n=min_n,
            min_share=min_share,
            lonely_psu=lonely_psu,
            poststratified=poststratified,
            share_correction=share_correction,
        ),
        y=y,
        observed=observed,
        absent=absent,
        design=design,
        design_notes=design_notes,
        domain=domain,
        provinces=provinces,
        province_means=by_province,
        national_means=national,
        misfit=misfit,
        units=units,
        frame_notes=frame_notes,
        influence_transposed=transposed,
    )


def _score_prepared(
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
                lci_k, uci_k, deff_k = _indicator_stats(
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
    frames = _frames(st, [*provinces, NATIONAL], lv, full, stats, df_all, ranks)
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
