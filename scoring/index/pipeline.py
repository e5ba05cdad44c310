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

Where the stages live: ``scoring.index.prepared`` (the indicator stage, ``prepare`` and the
frozen ``Prepared`` it returns, kept for rescoring) and ``scoring.index.rescore``
(everything after it, ``score_prepared``); this module is the public entry point.
"""

from __future__ import annotations

import pandas as pd

from scoring.index.prepared import VARIANCE_METHODS, Prepared, prepare, without
from scoring.index.rescore import WEIGHTING
from scoring.index.results import IndexScores
from survey.questionnaire.schema import Questionnaire
from survey.rng import DEFAULT_REPLICATES, RngLike

__all__ = ["VARIANCE_METHODS", "WEIGHTING", "Prepared", "prepare", "score", "without"]


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
