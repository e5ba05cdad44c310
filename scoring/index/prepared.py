"""The indicator stage of ``score()``, kept for rescoring: ``prepare`` reads a respondent
frame into its indicator values, design, and the Hájek means, counts and influence values
of every indicator per province and nationally (none of which depend on the index
structure), and ``Prepared.score`` goes on from there (``scoring.index.rescore``), on the
whole index or on one without some indicators and sub-dimensions (``without``, the one home
of that rule). ``score()`` (pipeline.py) is ``prepare(...).score()``; the console's live
what-if keeps one ``Prepared`` per frame and weighting (docs/scoring.md, "Rescoring one
frame").

Also the one home of what a variance method, confidence level and CI distribution may be
(``check_method``, ``VARIANCE_METHODS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.design.design import SurveyDesign
from scoring.design.replicates import METHODS
from scoring.design.results import check_ci_dist, quantile
from scoring.index import frame_design, threads
from scoring.index.indicators import indicator_values, indicator_values_t
from scoring.index.levels import finite
from scoring.index.rescore import indicator_stats, score_prepared
from scoring.index.results import IndexScores
from scoring.index.share_correction import share_corrected
from scoring.index.structure import IndexStructure
from survey.errors import Problem, ScoringError
from survey.questionnaire.loader import load_questionnaire
from survey.questionnaire.schema import Questionnaire
from survey.respondents.analysis_frame import check_for_scoring, design_columns
from survey.rng import DEFAULT_REPLICATES, RngLike, seed_of

FloatArray = NDArray[np.float64]
VARIANCE_METHODS: tuple[str, ...] = ("taylor", *METHODS)


def check_method(variance: str, confidence: float, ci_dist: str) -> None:
    """Refuse an unknown variance method, a confidence level outside (0, 1) or an unknown
    CI distribution (``ScoringError`` / ``DesignError``), before any work is done."""
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
        lci, uci, deff = indicator_stats(
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
        check_method(method, o.confidence, o.ci_dist)
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
        return score_prepared(self, q, st, cols, absent, method)


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
    check_method(variance, confidence, ci_dist)
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
