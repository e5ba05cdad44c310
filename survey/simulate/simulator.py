"""Simulate a PAPI survey whose expected provincial scores are the published ones of a year.

    from survey.simulate import simulate
    sim = simulate(2023, rng=7)                 # national, ~13,600 interviews
    sim.responses                               # one row per respondent (docs/data-layout.md)
    sim.truth                                   # expected scores at every level

Steps: draw the PAPI sample (``survey.sampling``); build each item's answer plan from the
year's published sub-dimension scores (``plans.py``); draw district/commune/village latents
(``effects.py``); generate respondents (sex, age, ethnicity, urban; women and older people more
likely to be at home, so over-represented as in real fieldwork); answer every item for all
respondents at once (``answers.py``); weight (design weights, then post-stratification to
sex × age group within province). Randomness: one stream per province and purpose
(``survey.sampling.streams``), so results are reproducible and a province's data do not depend
on which other provinces are simulated. Answers do not depend on demographics, so weighted and
unweighted estimators share the same expectation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.errors import NotFound, SamplingError
from survey.geography import parse_geography
from survey.geography.history import derived_subdimensions
from survey.published import QUESTIONNAIRES, subdimensions
from survey.questionnaire.loader import load_questionnaire
from survey.questionnaire.schema import Questionnaire
from survey.respondents.analysis_frame import conform
from survey.rng import RngLike
from survey.sampling import (
    AGE_GROUPS,
    PAPI_RULES,
    Frame,
    Sample,
    SelectionRules,
    load_frame,
    poststratification_targets,
    province_streams,
    root_sequence,
    select_sample,
    with_default_margins,
)
from survey.sampling.two_tier import frame_for, rules_for
from survey.sampling.weights import person_probability
from survey.simulate.answers import AnswerTable, Context, interview_dates, uniforms_needed
from survey.simulate.effects import Variation, draw_latents
from survey.simulate.plans import ChoicePlan, MultiPlan, choice_plan, collect_targets, multi_plan
from survey.simulate.truth import truth_table

FloatArray = npt.NDArray[np.float64]
# propensity to be found at home and agree, relative (fieldwork over-represents women, older people)
FEMALE_PROPENSITY = 1.25
AGE_PROPENSITY = np.array([0.75, 0.9, 1.05, 1.2, 1.3])
DEMOGRAPHIC_UNIFORMS = 4
# In the two-tier frame a new commune (about 3 former communes of one former district) draws a
# "district" effect (its own stage) and a "commune" effect. Between new communes the variance
# is the former district's plus a third of the former commune's (a mean of ~3), so the
# commune level's concentration is tripled-and-then-some: share ≈ ¼/(κ+1) + ¼/(2κ+1) falls from
# 0.025 (κ = 14) to 0.0085 (κ = 44). District and village levels are unchanged.
TWO_TIER_VARIATION = Variation(commune=44.0)


def questionnaire_for_year(year: int) -> str:
    """The questionnaire structure of a PAPI year: 2018, 2019-2020, 2021 onward.

    Parameters
    ----------
    year : int
        A PAPI year, 2018 or later.

    Returns
    -------
    str
        The bundled questionnaire's id (``papi-2018``, ``papi-2019`` or ``papi-2021``).

    Raises
    ------
    NotFound
        A year before 2018 (the engine covers the 8-dimension PAPI).
    """
    if year < 2018:
        raise NotFound(
            f"no questionnaire for {year}: the engine covers the 8-dimension PAPI (2018 onward)",
            code="year_not_supported",
        )
    return QUESTIONNAIRES.get(year, QUESTIONNAIRES[max(QUESTIONNAIRES)])  # later: the latest


@dataclass(frozen=True, eq=False)
class SimulatedSurvey:
    """Respondent rows, the truth, and what produced them.

    Attributes
    ----------
    responses : pandas.DataFrame
        One row per respondent (docs/data-layout.md).
    truth : pandas.DataFrame
        The true values at every level (``truth_at(level)``).
    sample : Sample
        The drawn sample.
    questionnaire : Questionnaire
        The questionnaire answered.
    year : int
        The year calibrated to.
    """

    responses: pd.DataFrame
    truth: pd.DataFrame
    sample: Sample
    questionnaire: Questionnaire
    year: int

    def truth_at(self, level: str = "province", measure: str | None = None) -> pd.DataFrame:
        t = self.truth.loc[self.truth["level"] == level]
        return t if measure is None else t.loc[t["measure"] == measure]


def _targets(
    q: Questionnaire, published: pd.DataFrame, provinces: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sub-dimension scores on the 1..10 scale (published × k), gaps filled with the national
    mean, and the mask of gaps (province not scored on that sub-dimension)."""
    pub = published.reindex(provinces)
    k = {s.code: d.k for d in q.structure.dimensions for s in d.subdimensions}
    codes = list(k)
    r = pub.reindex(columns=codes) * pd.Series(k)
    gaps = r.isna()
    return r.fillna(r.mean()), gaps


def _scored_provinces(pub: pd.DataFrame, frame: Frame, wanted: list[str] | None) -> list[str]:
    """Requested provinces scored in ``pub``, in the frame's (sorted) order, which is the
    order of the sample's rows and of the per-province random blocks."""
    scored = set(pub.index[pub.notna().any(axis=1)])
    keep = set(frame.provinces["province"]) if wanted is None else set(wanted)
    return [c for c in frame.provinces["province"] if c in scored and c in keep]


def _demographics(
    sample_rows: pd.DataFrame,
    frame: Frame,
    u: FloatArray,
    prov: npt.NDArray[np.int64],
    codes: list[str],
) -> dict[str, npt.NDArray[np.float64]]:
    """Sex, age (its group follows: ``survey.respondents.analysis_frame``), ethnicity, urban for every respondent (uniform rows 0..3 of ``u``)."""
    strata = frame.poststrata.loc[frame.poststrata["province"].isin(codes)]
    cells = strata.pivot_table(index="province", columns=["sex", "age_group"], values="population")
    cells = cells.reindex(
        index=codes, columns=pd.MultiIndex.from_product([[1, 2], list(AGE_GROUPS)])
    )
    propensity = np.concatenate([AGE_PROPENSITY, FEMALE_PROPENSITY * AGE_PROPENSITY])
    probs = cells.to_numpy(np.float64) * propensity
    cdf = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)[prov]
    cell = np.minimum((u[0][:, None] > cdf).sum(axis=1), len(propensity) - 1)
    sex = np.where(cell >= len(AGE_GROUPS), 2.0, 1.0)
    group = cell % len(AGE_GROUPS)
    lo = np.array([18, 30, 40, 50, 60])[group]
    width = np.array([12, 10, 10, 10, 11])[group]
    age = lo + np.floor(u[1] * width)
    kinh = frame.provinces.set_index("province")["kinh_share"].reindex(codes).to_numpy()[prov]
    return {
        "sex": sex,
        "age": age.astype(np.float64),
        "ethnicity": np.where(u[2] < kinh, 1.0, 2.0),
        "urban": sample_rows["urban"].to_numpy(np.float64),
    }


def simulate(
    year: int,
    rng: RngLike = None,
    *,
    provinces: list[str] | None = None,
    respondents_per_village: int | None = None,
    pilot: str | None = None,
    rules: SelectionRules | None = None,
    interviews: int | None = None,
    frame: Frame | None = None,
    variation: Variation | None = None,
    questionnaire: Questionnaire | None = None,
    targets: pd.DataFrame | None = None,
    geography: str | int | None = None,
) -> SimulatedSurvey:
    """Simulate the PAPI survey of ``year`` (see the module docstring).

    Parameters
    ----------
    year : int
        The published year the survey is calibrated to (2018 onward).
    rng : int, numpy.random.Generator or None, default None
        Random source; ``None`` is seed 0 (docs/glossary.md, "Random seeds").
    provinces : list of str or None, default None
        Codes to simulate; ``None``: every province scored that year.
    respondents_per_village : int or None, default None
        The same as ``interviews`` (its older name).
    pilot : str or None, default None
        A district id (``P01-D03``): a pilot survey of that district only.
    rules : SelectionRules or None, default None
        The stage sizes; ``None``: PAPI's (e.g. ``PAPI_RULES.with_sizes(communes=8)``).
    interviews : int or None, default None
        Completed interviews per village (default 16, 24 in large provinces), with
        resident lists sized to match (``SelectionRules.with_sizes``).
    frame : Frame or None, default None
        The sampling frame; ``None``: the bundled one. A frame without post-stratification
        targets or Kinh shares (a user's villages table) takes its province's from the
        bundled frame (``survey.sampling.with_default_margins``).
    variation : Variation or None, default None
        Unit-level concentrations; ``None``: the calibrated defaults.
    questionnaire : Questionnaire or None, default None
        The questionnaire; ``None``: the year's bundled one.
    targets : pandas.DataFrame or None, default None
        Sub-dimension scores on the published scale (index province, columns SC11…) to
        calibrate to instead of the year's published scores.
    geography : str, int or None, default None
        ``2025`` (or a year from 2025) for a survey of the 34 new provinces on the two-tier
        design (docs/geography.md): the derived 2025 frame and ``TWO_TIER_RULES`` by
        default, calibrated to ``year``'s published scores derived on the 34 provinces (a
        derived figure, not an official one), with ``TWO_TIER_VARIATION``; ``None``:
        ``2018``.

    Returns
    -------
    SimulatedSurvey
        The respondent rows, the truth at every level, the sample and the questionnaire.

    Raises
    ------
    SamplingError
        A district pilot in the 2025 geography, or stage sizes the frame cannot give.
    NotFound
        A year without a questionnaire (before 2018).
    """
    two_tier = geography is not None and parse_geography(geography) == "2025"
    if two_tier and pilot is not None:
        raise SamplingError(
            "a district pilot needs districts, which the 2025 geography no longer has; "
            "simulate one province instead (provinces=['N31'], more communes via rules)",
            code="invalid_rules",
        )
    frame = frame or (frame_for("2025") if two_tier else load_frame())
    q = questionnaire or _bundled_questionnaire(questionnaire_for_year(year))
    if targets is not None:
        published = targets
    elif two_tier:
        # a new province one of whose parts was not scored that year (2024: Vĩnh Phúc, Tiền
        # Giang) is calibrated to the parts that were
        published = derived_subdimensions(year, complete=False).set_index("province")
    else:
        published = subdimensions(year).set_index("province")
    variation = variation or (TWO_TIER_VARIATION if two_tier else Variation())
    if two_tier and rules is None:
        rules = rules_for("2025")
    root = root_sequence(rng)
    if pilot is not None:
        frame = frame.pilot(pilot)
    codes = _scored_provinces(published, frame, provinces)
    if provinces is not None:
        frame.subset(provinces)  # raises NotFound on unknown codes
    if not codes:
        asked = provinces or [str(c) for c in frame.provinces["province"]]
        raise NotFound(
            f"none of the provinces {asked} was scored in {year}: the simulator calibrates "
            "to a province's published scores, so choose another year, or (your own frame) "
            "put the province's PAPI code (P01-P63) in its province column",
            code="province_not_scored",
        )
    # a user's own frame carries no post-stratification targets: the province's, scaled
    frame = with_default_margins(frame.subset(codes))
    rules = _rules(rules, interviews, respondents_per_village)
    sample = select_sample(frame, root, rules)
    v = sample.villages
    r_sub, gaps = _targets(q, published, codes)

    # answer plans: one per item, latents for the items that vary by unit
    item_targets = collect_targets(q, r_sub)
    plans: dict[str, ChoicePlan | MultiPlan] = {}
    for item in q.items:
        if item.type == "multiple_choice":
            plans[item.id] = multi_plan(q, item, item_targets.get(item.id), len(codes))
        elif item.type in ("single_choice", "yes_no", "rating"):
            plans[item.id] = choice_plan(q, item, item_targets.get(item.id), len(codes))
    varying = [i for i, p in plans.items() if p.varies]
    latent_of = {item_id: j for j, item_id in enumerate(varying)}
    dim_of_section = {d.code: j for j, d in enumerate(q.structure.dimensions)}
    dim_of = _dimension_of_items(q, dim_of_section)
    t_prov = (
        np.column_stack([plans[i].t for i in varying]) if varying else np.zeros((len(codes), 0))
    )
    sign = np.array([plans[i].sign for i in varying])
    dims = np.array([dim_of.get(i, 0) for i in varying], dtype=np.int64)
    province_index = pd.Index(codes)
    latents = draw_latents(
        v, t_prov, province_index, province_streams(root, codes, "effects"),
        sign, dims, np.ones(len(varying), dtype=bool), variation,
    )  # fmt: skip

    # respondents: one row per completed interview
    per_village = v["target"].to_numpy(np.int64)
    vrow = np.repeat(np.arange(len(v)), per_village)
    prov = province_index.get_indexer(pd.Index(v["province"]))[vrow]
    need = uniforms_needed(q)
    offsets = dict(
        zip(need, DEMOGRAPHIC_UNIFORMS + np.cumsum([0, *need.values()])[:-1], strict=True)
    )
    n_cols = DEMOGRAPHIC_UNIFORMS + sum(need.values())
    n_by_prov = np.bincount(prov, minlength=len(codes))
    u = np.concatenate(
        [
            g.random((n_cols, int(n)))
            for g, n in zip(province_streams(root, codes, "respondents"), n_by_prov, strict=True)
        ],
        axis=1,
    )
    rows = v.iloc[vrow].reset_index(drop=True)
    demo = _demographics(rows, frame, u, prov, codes)
    # the questionnaire's province item lists the 63 provinces: a 2025-geography interview
    # answers with its village's former province (P19 → 19), which maps to its new one
    if "former_province" in rows.columns:
        province_code = np.array([_province_number(str(c)) for c in rows["former_province"]])
    else:
        province_code = np.array([_province_number(c) for c in codes])[prov]
    fixed: dict[str, npt.NDArray[Any]] = {
        "province_code": province_code,
        "district": rows["district"].to_numpy(object),
        "commune": rows["commune"].to_numpy(object),
        "village": rows["village"].to_numpy(object),
        **{k: demo[k] for k in ("sex", "age", "ethnicity", "urban")},
    }
    ctx = Context(
        q=q, plans=plans, latent=latent_of, prov=prov,
        t_resp=latents.t_village[vrow], uniforms=u, offsets=offsets,
        fixed={k: val for k, val in fixed.items() if q.has_item(k)},
        interview_dates=interview_dates(q, year, u[3]),
    )  # fmt: skip
    answers = AnswerTable(ctx).fill()
    responses = _assemble(rows, demo, answers, frame, codes, root)

    d_prov = province_index.get_indexer(pd.Index(v.drop_duplicates("district")["province"]))
    c_prov = province_index.get_indexer(pd.Index(v.drop_duplicates("commune")["province"]))
    v_prov = province_index.get_indexer(pd.Index(v["province"]))
    levels = {
        "province": (province_index, np.arange(len(codes)), t_prov),
        "district": (latents.districts, d_prov, latents.t_district),
        "commune": (latents.communes, c_prov, latents.t_commune),
        "village": (latents.villages, v_prov, latents.t_village),
    }
    truth = truth_table(q, levels, plans, latent_of, province_index, gaps)
    return SimulatedSurvey(responses, truth, sample, q, year)


def _rules(
    rules: SelectionRules | None, interviews: int | None, respondents_per_village: int | None
) -> SelectionRules:
    """The selection rules with ``interviews`` (or its older name) applied."""
    both = interviews is not None and respondents_per_village is not None
    if both and interviews != respondents_per_village:
        raise SamplingError(
            f"interviews ({interviews}) and respondents_per_village "
            f"({respondents_per_village}) are the same setting; give one",
            code="invalid_rules",
        )
    n = interviews if interviews is not None else respondents_per_village
    base = rules or PAPI_RULES
    return base if n is None else base.with_sizes(interviews=n)


@cache
def _bundled_questionnaire(name: str) -> Questionnaire:
    return load_questionnaire(name)


def _province_number(code: str) -> float:
    """``P31`` → 31 (the province list's code); NaN for codes of another form."""
    digits = re.match(r"P(\d+)", code)
    return float(digits.group(1)) if digits else np.nan


def _dimension_of_items(q: Questionnaire, dim_index: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in q.structure.dimensions:
        for ind in (i for s in d.subdimensions for i in s.indicators):
            for item_id in ind.item_ids:
                out.setdefault(item_id, dim_index[d.code])
    return out


def _assemble(
    rows: pd.DataFrame,
    demo: dict[str, npt.NDArray[np.float64]],
    answers: dict[str, npt.NDArray[np.object_]],
    frame: Frame,
    codes: list[str],
    root: np.random.SeedSequence,
) -> pd.DataFrame:
    n = len(rows)
    prov_of = rows["province"].to_numpy()
    ids = np.concatenate(
        [
            g.integers(0, 2**63 - 1, size=(int((prov_of == c).sum()), 2))
            for g, c in zip(province_streams(root, codes, "ids"), codes, strict=True)
        ]
    )
    hexes = [f"{a:016x}{b:016x}" for a, b in ids]
    uuids = [f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}" for h in hexes]
    design = pd.DataFrame(
        {
            "submission_id": uuids,
            "province": prov_of,
            "district": rows["district"].to_numpy(),
            "commune": rows["commune"].to_numpy(),
            "village": rows["village"].to_numpy(),
            "stratum": rows["stratum"].to_numpy(),
            "psu": rows["psu"].to_numpy(),
            "prob_district": rows["prob_district"].to_numpy(),
            "prob_commune": rows["prob_commune"].to_numpy(),
            "prob_village": rows["prob_village"].to_numpy(),
            "prob_person": person_probability(rows["target"], rows["adults"]).to_numpy(),
        },
        index=pd.RangeIndex(n),
    )
    if "former_province" in rows.columns:  # a two-tier survey: the domain of continuity
        design.insert(2, "former_province", rows["former_province"].to_numpy())
    design["sex"] = demo["sex"].astype(np.int64)
    design["age"] = demo["age"].astype(np.int64)
    design["ethnicity"] = demo["ethnicity"].astype(np.int64)
    design["urban"] = demo["urban"].astype(np.int64)
    answer_cols = {k: val for k, val in answers.items() if k not in design.columns}
    frame_rows = pd.concat([design, pd.DataFrame(answer_cols, index=design.index)], axis=1)
    # design_weight, age_group and the post-stratified weight by the frame contract
    return conform(frame_rows, targets=poststratification_targets(frame, codes))
