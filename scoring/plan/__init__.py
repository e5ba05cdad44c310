"""Sample sizes for a target precision: variance components of the scores and the designs
that reach a target 95% CI half-width (docs/planning.md).

A score (a dimension on 1-10, the aggregate on 8-80) is a fixed linear function of indicator
means (scoring/index/levels.py), so its estimate deviates from its expectation by the mean of
one *linearised value* per respondent, ``e_j = n_d · w_j · u_j`` (``u_j`` the score's
influence value, ``w_j`` the analysis weight, ``n_d`` the respondents of the place; with unit
weights ``w_j = 1``). A nested analysis of variance of ``e`` (Searle, Casella & McCulloch
1992, ch. 5; moment estimators, negative ones set to 0) splits its variance into district,
commune, village and respondent components, pooled over the places of the data. The
with-replacement (ultimate cluster) variance that ``papi score`` estimates for a design with
``D`` districts, ``C`` communes per district, ``M`` villages per commune and ``K`` interviews
per village is then

    V = f_d σ²_district / D + f_c σ²_commune / (D C) + f_v σ²_village / (D C M)
        + f_r σ²_resp / (D C M K)

(a district pilot has ``D = 1`` and no district term: its communes are the PSUs), ``f_l`` the
design's weighting effect at each level (``weighting_effects``: 1 for equal weights; the
components are those of the unweighted values, so the planned design's weights enter only
here). The CI's
half-width is ``t(df) · sqrt(v̂)`` with ``df = PSUs − 1``; treating ``v̂ ~ V χ²_df / df``
gives the median half-width ``t · sqrt(V · χ²_df(0.5) / df)`` and the band that 80% of pilots
fall in (the 10th and 90th percentiles). The simulation check of this prediction is in
tests/scoring/test_plan_coverage.py and its table in docs/planning.md.

Where the components come from:

- ``simulated_components``: the simulator (survey.simulate) calibrated to the place's
  published scores of a year, on copies of the place with enough communes and villages to
  separate the components;
- ``estimate_components``: any respondent table (a previous pilot), read with ``papi plan
  --from``. A one-district pilot cannot show the district component; planning a province
  from it takes that component from the simulator and says so.

The package: ``scoring.plan.components`` (the variance components) and
``scoring.plan.designs`` (predictions, the search, the check); everything public is
importable from ``scoring.plan``.
"""

from __future__ import annotations

from scoring.plan.components import (
    LEVELS,
    Components,
    combine_components,
    estimate_components,
    linearised,
    nested_components,
    simulated_components,
)
from scoring.plan.designs import (
    COMMUNE_CHOICES,
    DEFAULT_INTERVIEWS_PER_DAY,
    INTERVIEW_CHOICES,
    MIN_PSUS,
    VILLAGE_CHOICES,
    Check,
    Design,
    Place,
    Plan,
    Prediction,
    Target,
    check_design,
    place_of,
    plan,
    predict,
    weighting_effects,
)

__all__ = [
    "COMMUNE_CHOICES",
    "DEFAULT_INTERVIEWS_PER_DAY",
    "INTERVIEW_CHOICES",
    "LEVELS",
    "MIN_PSUS",
    "VILLAGE_CHOICES",
    "Check",
    "Components",
    "Design",
    "Place",
    "Plan",
    "Prediction",
    "Target",
    "check_design",
    "combine_components",
    "estimate_components",
    "linearised",
    "nested_components",
    "place_of",
    "plan",
    "predict",
    "simulated_components",
    "weighting_effects",
]
