"""The variance components of the scores' linearised values, from data or from the
simulator (the first half of ``scoring.plan``; docs/planning.md): ``linearised`` values per
respondent, their ``nested_components`` (district, commune, village, respondent), from a
respondent table (``estimate_components``) or from simulated surveys of a place calibrated
to its published scores (``simulated_components``), and ``combine_components`` to fill what
a one-district pilot cannot show. The package's docstring has the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.design.design import SurveyDesign
from scoring.design.structure import codes as integer_codes
from scoring.index.indicators import indicator_values
from scoring.index.levels import AggregationWeights, influence
from scoring.index.results import COMPOSITE_CODE
from scoring.index.structure import IndexStructure
from survey.errors import ScoringError
from survey.questionnaire.schema import Questionnaire
from survey.rng import RngLike
from survey.sampling import Frame

FloatArray = NDArray[np.float64]
LEVELS: tuple[str, ...] = ("district", "commune", "village", "respondent")


@dataclass(frozen=True)
class Components:
    """Variance components of each score's linearised value.

    ``variance``: (4, S) for ``LEVELS`` (district, commune, village, respondent) by
    ``codes`` (the dimensions, then the aggregate ``PAPI``); ``source``: where they come from,
    in words; ``df``: the degrees of freedom behind each level's estimate."""

    codes: tuple[str, ...]
    variance: FloatArray
    df: tuple[int, ...]
    source: str
    notes: tuple[str, ...] = ()

    def of(self, level: str) -> FloatArray:
        return np.asarray(self.variance[LEVELS.index(level)], dtype=np.float64)

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "notes": list(self.notes),
            "levels": {
                level: {
                    "df": self.df[i],
                    "variance": {
                        c: round(float(v), 6)
                        for c, v in zip(self.codes, self.variance[i], strict=True)
                    },
                }
                for i, level in enumerate(LEVELS)
            },
        }


# ------------------------------------------------------------------ linearised values
def linearised(
    responses: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    place: str = "province",
    weighted: bool = True,
    min_n: int = 10,
    min_share: float = 0.5,
) -> tuple[tuple[str, ...], FloatArray]:
    """Per respondent the linearised value ``z_j = N̂_d u_j`` of every dimension and the
    aggregate within its ``place`` (a column: each of its values is one place), (n, D + 1):
    the weighted mean of ``z`` over the place is the score's deviation from its expectation."""
    st = IndexStructure.from_questionnaire(questionnaire)
    _, y, _ = indicator_values(responses, questionnaire)
    use_w = weighted and "weight" in responses.columns
    frame = responses.loc[:, [place, *(["weight"] if use_w else [])]].reset_index(drop=True)
    design = SurveyDesign(frame, weights="weight" if use_w else None, strata=place)
    domain, labels = integer_codes(responses[place].astype("str"))
    est, u, n_obs, _ = design.domain_means(y, domain, len(labels))
    x = np.where(n_obs >= min_n, est, np.nan)
    wts = AggregationWeights.from_available(~np.isnan(x), st, min_share)
    inf = influence(u, wts.w[domain], st)
    n_dims = len(st.dimensions)
    block = inf[:, -(n_dims + 1) :]
    w = responses["weight"].to_numpy(np.float64) if use_w else np.ones(len(responses))
    total = np.bincount(domain, weights=w, minlength=len(labels))[domain]
    codes = (*st.dimensions, COMPOSITE_CODE)
    return codes, np.asarray(block * total[:, None], dtype=np.float64)


def _group_means(
    e: FloatArray, keys: NDArray[np.intp], n_groups: int
) -> tuple[FloatArray, FloatArray]:
    counts = np.bincount(keys, minlength=n_groups).astype(np.float64)
    sums = np.zeros((n_groups, e.shape[1]))
    np.add.at(sums, keys, e)
    return sums / np.maximum(counts, 1.0)[:, None], counts


def nested_components(e: FloatArray, groups: pd.DataFrame) -> tuple[FloatArray, tuple[int, ...]]:
    """Moment estimates of nested variance components, (L + 1, S), from linearised values
    ``e`` (n, S) and ``groups``: columns from the outermost (the place) to the innermost
    (the village), each value unique within its parent. Returns the components of every
    level below the place and of the respondents, with their degrees of freedom.

    Mean squares use each level's average group size as the balanced-design coefficient
    (exact for the balanced designs PAPI draws; Searle et al. 1992, §5.2)."""
    cols = list(groups.columns)
    keys = []
    for i in range(len(cols)):
        k, _ = integer_codes(groups[cols[: i + 1]].astype("str"))
        keys.append(np.asarray(k, dtype=np.intp))
    n_groups = [int(k.max()) + 1 for k in keys]
    means = []
    sizes = []
    for k, g in zip(keys, n_groups, strict=True):
        m, c = _group_means(e, k, g)
        means.append(m)
        sizes.append(c)
    n = e.shape[0]
    # respondents within the innermost group
    resid = e - means[-1][keys[-1]]
    df_e = n - n_groups[-1]
    if df_e <= 0:
        raise ScoringError(
            "each village needs at least 2 interviews to separate the respondent variance",
            code="too_few_interviews",
        )
    ms = [float("nan")] * (len(cols) - 1)
    dfs: list[int] = []
    ms_e = (resid**2).sum(axis=0) / df_e
    mean_squares = []
    for lvl in range(1, len(cols)):
        # between groups of level lvl within their parents (level lvl − 1)
        child_k = keys[lvl]
        parent_of_child = np.zeros(n_groups[lvl], dtype=np.intp)
        parent_of_child[child_k] = keys[lvl - 1]
        dev = means[lvl] - means[lvl - 1][parent_of_child]
        ss = (sizes[lvl][:, None] * dev**2).sum(axis=0)
        df = n_groups[lvl] - n_groups[lvl - 1]
        dfs.append(df)
        mean_squares.append(ss / df if df > 0 else np.full(e.shape[1], np.nan))
    del ms
    # expected mean squares (balanced): MS_l = σ²_e + Σ_{j ≥ l} n_j σ²_j, n_j the average
    # number of respondents in a group of level j
    avg = [n / n_groups[lvl] for lvl in range(1, len(cols))]
    comps: list[FloatArray] = [np.zeros(e.shape[1]) for _ in range(len(cols) - 1)]
    for lvl in range(len(cols) - 2, -1, -1):
        inner = ms_e + sum(avg[j] * comps[j] for j in range(lvl + 1, len(cols) - 1))
        value = (mean_squares[lvl] - inner) / avg[lvl]
        comps[lvl] = np.where(np.isnan(value), np.nan, np.maximum(value, 0.0))
    return np.vstack([*comps, ms_e]), (*dfs, df_e)


def estimate_components(
    responses: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    source: str,
    weighted: bool = False,
    place: str | None = None,
) -> Components:
    """Variance components from a respondent table (a previous pilot or survey): its places
    are its provinces (or ``place``), the components pooled over them. A level whose units
    never vary within their parent (one district per place) is not estimable: NaN.

    By default of the unweighted linearised values: the weights of the design being planned
    enter through ``weighting_effects``, not those of the design that produced the data."""
    for col in ("province", "district", "commune", "village"):
        if col not in responses.columns:
            raise ScoringError(
                f"the data have no {col!r} column: components need the province, district, "
                "commune and village of every respondent",
                code="missing_column",
            )
    if len(responses) == 0:
        raise ScoringError("the data have no interviews", code="no_interviews")
    place = place or "province"
    codes, e = linearised(responses, questionnaire, place=place, weighted=weighted)
    keep = ~np.isnan(e).any(axis=1)
    if not keep.all():
        e = e[keep]
    cols = [place, "district", "commune", "village"]
    groups = responses.loc[:, cols].iloc[np.flatnonzero(keep)].reset_index(drop=True)
    comps, dfs = nested_components(e, groups)
    notes = []
    if dfs[0] == 0:
        comps[0] = np.nan
        notes.append("one district per place: the data cannot show the district component")
    return Components(codes, comps, dfs, source, tuple(notes))


# ------------------------------------------------------------------ the simulator's view
def _calibration_rules(
    frame_villages: pd.DataFrame, pilot: bool, interviews: int
) -> tuple[int, int, int]:
    """Districts, communes and villages per stage for a calibration run: enough units at each
    level to separate the components, within what the place has."""
    if pilot:
        communes = int(frame_villages["commune"].nunique())
        return 1, max(2, min(8, communes)), 3
    districts = int(frame_villages["district"].nunique())
    return max(2, min(6, districts)), 3, 3


def simulated_components(
    place: str,
    year: int,
    *,
    pilot: bool | None = None,
    copies: int = 30,
    rng: RngLike = 7,
    questionnaire: Questionnaire | None = None,
    frame: Frame | None = None,
) -> Components:
    """Variance components from the simulator calibrated to the published scores of
    ``year`` of the place's province: ``copies`` independent simulated surveys of the place
    (a district ``P01-D03`` or a province ``P01``) with enough units at every level, in
    ``frame`` (default the bundled one; a user's own frame takes its province's
    post-stratification targets, ``survey.sampling.with_default_margins``)."""
    from survey.published import subdimensions
    from survey.sampling import PAPI_RULES, load_frame, with_default_margins
    from survey.simulate import simulate
    from survey.simulate.simulator import questionnaire_for_year

    where = " in your frame" if frame is not None else ""
    frame = frame or load_frame()
    pilot = "-" in place if pilot is None else pilot
    scope = frame.pilot(place) if pilot else frame.subset([place])
    province = str(scope.provinces["province"].iloc[0])
    published = subdimensions(year).set_index("province")
    if province not in published.index:
        raise ScoringError(
            f"{province} has no published scores for {year}: choose another --year (your own "
            "frame: put the province's PAPI code, P01-P63, in its province column, or give a "
            "previous pilot's data with --from)",
            code="province_not_scored",
        )
    size = str(scope.provinces["size_class"].iloc[0])
    k = 24 if size == "large" else 16
    d, c, m = _calibration_rules(scope.villages, pilot, k)
    rules = PAPI_RULES.with_sizes(
        districts=None if pilot else d, communes=c, villages=m, interviews=k
    )
    copied = with_default_margins(scope).replicated(copies)
    codes = copied.provinces["province"]
    targets = published.loc[[province] * len(codes)]
    targets.index = pd.Index(codes.to_numpy())
    if questionnaire is None:
        from survey.questionnaire.loader import load_questionnaire

        questionnaire = load_questionnaire(questionnaire_for_year(year))
    sim = simulate(
        year, rng=rng, frame=copied, targets=targets, questionnaire=questionnaire, rules=rules
    )
    what = f"district {place}" if pilot else f"province {place}"
    return estimate_components(
        sim.responses,
        questionnaire,
        source=f"the simulator calibrated to {province}'s published {year} scores "
        f"({copies} simulated surveys of {what}{where})",
    )


def combine_components(pilot: Components, fallback: Components) -> Components:
    """``pilot``'s components, with any level it cannot estimate (NaN) taken from
    ``fallback``; the notes say which."""
    var = pilot.variance.copy()
    notes = list(pilot.notes)
    for i, level in enumerate(LEVELS):
        if np.isnan(var[i]).any():
            var[i] = fallback.variance[i]
            notes.append(f"the {level} component is the simulator's ({fallback.source})")
    return Components(pilot.codes, var, pilot.df, pilot.source, tuple(notes))
