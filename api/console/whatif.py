"""The live what-if of a survey's scores: the choices a statistician changes, and the scores,
ranks, groups and CIs under them, computed by the library itself.

There is one home for each number (no arithmetic here):

- choices that stay inside PAPI's arithmetic (goalposts, arithmetic means, equal weights) —
  dropping indicators or sub-dimensions, weighted or not, the CI method — are
  ``scoring.score`` on the survey's respondent frame with a questionnaire whose structure
  lacks the dropped elements (``reduced``): a sub-dimension is then the mean of its
  remaining indicators, a dimension the mean of its remaining sub-dimensions (PAPI's
  ``k_d`` counts those left), so the result, its CIs, rank intervals and groups are exactly
  what ``score`` returns for that index;
- another normalisation, a geometric aggregation or unequal dimension weights leave the
  arithmetic ``score`` implements; those are computed by the sensitivity engine that runs
  ``papi sensitivity`` (``scoring.sensitivity``: ``microdata_input`` leaves, a ``Spec`` with
  one alternative per choice, ``Design``), and their CIs, rank intervals and groups by
  ``scoring.sensitivity.nominal.nominal_uncertainty``: the index recomputed on
  ``REPLICATES`` Rao–Wu bootstrap replicates of the province indicator means, the SE their
  spread, the CI ``est ± t·se`` on the province's design df and the rank intervals from
  ``score``'s own empirical-Bayes draws. The CI method choice does not apply to these
  views (Taylor linearisation has no counterpart for a min–max or rank normalisation): they
  always use the bootstrap, and the page says so.

Speed: the respondent frame is cached per survey in the process and rebuilt only when
``frame_version`` changes (a submission arrives, is edited or reviewed), and with it the
prepared indicator stage and the engine's replicate leaves (per weighting); results are cached
per (frame version, choices), so a reload or a shared link costs one dictionary look-up.
The four caches are the process's ``api.process_cache.ProcessCache`` (bounded, keyed by the
database as well, emptied by ``clear_all``).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from api.exports.service import frame_version, survey_frame
from api.jobs.schemas import ScoreRequest
from api.process_cache import ProcessCache, row_key
from survey.errors import PapiError, Problem, ScoringError
from survey.questionnaire.schema import Questionnaire

if TYPE_CHECKING:
    from scoring.index.prepared import Prepared

AGGREGATE = "AGG"
AGGREGATIONS = ("arithmetic", "geometric")
NORMALISATIONS = ("goalposts", "minmax", "zscore", "rank")
VARIANCE_METHODS = ("taylor", "bootstrap")
WEIGHT_RANGE = (0.0, 10.0)
REPLICATES = 100
"""Bootstrap replicates of a sensitivity-engine view's CIs: the SE's own Monte Carlo error is
about 1/√(2·99) ≈ 7%, and a geometric, min–max or weighted update costs about 70–80 ms of
CPU (bench/whatif_bench.py; docs/console.md "Speed of an update")."""
RESULT_CACHE = 64  # what-if outcomes kept per process
FRAME_CACHE = 8  # respondent frames (and their prepared stages) kept per process


class ChoiceError(PapiError):
    """A what-if choice that does not apply (a 422 with a pointer to the query parameter)."""


@dataclass(frozen=True, slots=True)
class Choices:
    """One what-if view. ``drop``: indicator and sub-dimension codes left out (sorted);
    ``weights``: (dimension, weight) of the dimensions whose weight is not 1."""

    drop: tuple[str, ...]
    weighted: bool
    variance: str
    agg: str = "arithmetic"
    norm: str = "goalposts"
    weights: tuple[tuple[str, float], ...] = ()

    @property
    def papi_arithmetic(self) -> bool:
        """Inside the arithmetic ``scoring.score`` implements (CIs available)."""
        return self.agg == "arithmetic" and self.norm == "goalposts" and not self.weights

    def nominal(self) -> Choices:
        """The same weighting and CI method with PAPI's own choices: nothing dropped,
        goalposts, arithmetic means, equal weights."""
        return Choices(drop=(), weighted=self.weighted, variance=self.variance)

    def query(self) -> str:
        """The URL query of these choices (the what-if page's state)."""
        pairs: list[tuple[str, str]] = [("drop", c) for c in self.drop]
        pairs += [
            ("weighted", "1" if self.weighted else "0"),
            ("variance", self.variance),
            ("agg", self.agg),
            ("norm", self.norm),
        ]
        pairs += [(f"w_{d}", f"{w:g}") for d, w in self.weights]
        return urlencode(pairs)


def defaults(job_params: Mapping[str, Any]) -> Choices:
    """The choices of the scoring job itself."""
    spec = ScoreRequest.model_validate(job_params)
    return Choices(drop=(), weighted=spec.weighted, variance=spec.variance)


def parse(query: Mapping[str, list[str]], q: Questionnaire, base: Choices) -> Choices:
    """Choices from a URL query (``parse_qs`` form); absent keys keep ``base``'s value.
    Every bad value is a ``ChoiceError`` naming the parameter and what it may be."""
    problems: list[Problem] = []

    def one(key: str, allowed: tuple[str, ...], default: str) -> str:
        values = query.get(key)
        if not values:
            return default
        if values[-1] not in allowed:
            problems.append(
                Problem(
                    f"/{key}",
                    "choice_unknown",
                    f"{key}={values[-1]!r}; expected one of {', '.join(allowed)}",
                )
            )
            return default
        return values[-1]

    codes = {s.code for s in q.structure.subdimensions} | {i.code for i in q.indicators}
    drop = sorted({c for v in query.get("drop", []) for c in v.split(",") if c})
    for c in drop:
        if c not in codes:
            problems.append(
                Problem(
                    "/drop",
                    "code_unknown",
                    f"{c!r} is neither an indicator nor a sub-dimension of {q.id}",
                )
            )
    weighted_raw = one("weighted", ("0", "1"), "1" if base.weighted else "0")
    weights: list[tuple[str, float]] = []
    for dim in q.structure.dimensions:
        raw = query.get(f"w_{dim.code}")
        if not raw or raw[-1] == "":
            continue
        try:
            w = float(raw[-1])
        except ValueError:
            w = math.nan
        if not WEIGHT_RANGE[0] <= w <= WEIGHT_RANGE[1]:
            problems.append(
                Problem(
                    f"/w_{dim.code}",
                    "weight_range",
                    f"weight of {dim.code} is {raw[-1]!r}; expected a number from 0 to 10",
                )
            )
        elif w != 1.0:
            weights.append((str(dim.code), w))
    if weights and all(w == 0 for _, w in weights) and len(weights) == len(q.structure.dimensions):
        problems.append(Problem("/w_D1", "weight_range", "every dimension weighs 0"))
    choices = Choices(
        drop=tuple(c for c in drop if c in codes),
        weighted=weighted_raw == "1",
        variance=one("variance", VARIANCE_METHODS, base.variance),
        agg=one("agg", AGGREGATIONS, base.agg),
        norm=one("norm", NORMALISATIONS, base.norm),
        weights=tuple(weights),
    )
    if not problems:
        try:
            reduced(q, choices.drop)
        except ChoiceError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ChoiceError.with_problems(
            "; ".join(p.message for p in problems), problems, code="whatif_choice"
        )
    return choices


def reduced(q: Questionnaire, drop: tuple[str, ...]) -> Questionnaire:
    """``q`` without the dropped indicators and sub-dimensions (the index ``score`` then
    computes: PAPI's means over what is left; ``scoring.index.prepared.without``, the one
    home of the rule). Every sub-dimension keeps an indicator and every dimension a
    sub-dimension, or the aggregate would change scale: a ``ChoiceError`` otherwise."""
    from scoring.index.prepared import without

    try:
        return without(q, drop)
    except ScoringError as exc:
        raise ChoiceError.with_problems(exc.message, exc.problems, code="whatif_choice") from None


# ----------------------------------------------------------------------------- computing


@dataclass(frozen=True)
class Outcome:
    """Scores of one what-if view: ``table`` has a row per (province, code) for the
    aggregate (code ``AGG``) and each dimension: est, lci, uci, rank, rank_lci, rank_uci,
    group (the national row and unscored provinces have no rank)."""

    choices: Choices
    table: pd.DataFrame
    engine: str  # "score" or "sensitivity"
    notes: tuple[str, ...]
    respondents: int
    replicates: int = 0  # bootstrap replicates behind the CIs of a sensitivity-engine view


def score_kwargs(job_params: Mapping[str, Any], choices: Choices) -> dict[str, Any]:
    """The keyword arguments of ``scoring.score`` for ``choices`` on the job's settings."""
    spec = ScoreRequest.model_validate(job_params)
    return spec.score_kwargs() | {"weighted": choices.weighted, "variance": choices.variance}


def prepared(
    frame: pd.DataFrame, q: Questionnaire, job_params: Mapping[str, Any], weighted: bool
) -> Prepared:
    """``scoring.index.prepared.prepare`` of the whole questionnaire on the frame (indicator
    values, design, means and influence values), computed once per frame and weighting:
    dropping indicators or sub-dimensions and the CI method only change what is scored
    from it."""
    from scoring.index.prepared import prepare

    kwargs = score_kwargs(job_params, Choices(drop=(), weighted=weighted, variance="taylor"))
    key = (id(frame), q.id, q.full_version, repr(sorted(kwargs.items())))
    hit = _prepared.get(key)
    if hit is not None and hit[0]() is frame:
        return hit[1]
    prep = prepare(frame, q, **kwargs)
    _prepared.put(key, (weakref.ref(frame), prep))
    return prep


def by_score(
    frame: pd.DataFrame, q: Questionnaire, job_params: Mapping[str, Any], choices: Choices
) -> Outcome:
    """``scoring.score`` on the reduced questionnaire, from the frame's prepared indicator
    stage (``prepared``; the same numbers, tests/scoring/index/test_index_prepared.py)."""
    reduced(q, choices.drop)  # the console's refusals, with their pointers
    prep = prepared(frame, q, job_params, choices.weighted)
    s = prep.score(drop=choices.drop, variance=choices.variance)
    keep = ["province", "est", "lci", "uci", "rank", "rank_lci", "rank_uci", "group"]
    comp = s.composite.loc[:, keep].assign(code=AGGREGATE)
    dims = s.dimensions.rename(columns={"dimension": "code"}).loc[:, ["code", *keep]]
    table = pd.concat([comp, dims], ignore_index=True)
    return Outcome(choices, _canonical(table), "score", tuple(s.notes), len(frame))


def leaves(
    frame: pd.DataFrame, q: Questionnaire, job_params: Mapping[str, Any], weighted: bool
) -> Any:
    """``microdata_input`` of the whole questionnaire (the audit's leaves) with ``REPLICATES``
    bootstrap replicates on the job's seed, computed once per frame and weighting: the
    choices only change the spec evaluated on them."""
    from scoring.sensitivity import microdata_input
    from scoring.sensitivity.spec import Estimates

    spec = ScoreRequest.model_validate(job_params)
    kind: Estimates = "weighted" if weighted else "unweighted"
    key = (id(frame), q.id, q.full_version, kind, spec.min_n, spec.psu, spec.lonely_psu,
           spec.seed, REPLICATES)  # fmt: skip
    hit = _leaves.get(key)
    if hit is not None and hit[0]() is frame:
        return hit[1]
    data = microdata_input(
        frame,
        q,
        replicates=REPLICATES,
        rng=spec.seed,
        estimates=(kind,),
        psu=spec.psu if spec.psu in frame.columns else None,
        min_n=spec.min_n,
        lonely_psu=spec.lonely_psu,
    )
    _leaves.put(key, (weakref.ref(frame), data))
    return data


def sensitivity_spec(choices: Choices, known: set[str] | None = None) -> Any:
    """The ``scoring.sensitivity.Spec`` with one alternative per choice; dropped elements
    weigh 0 (the aggregator renormalises the rest, as the reduced questionnaire does)."""
    from scoring.sensitivity import Spec
    from scoring.sensitivity.spec import LEVELS, Aggregation, WeightSchemes

    how = Aggregation(method=choices.agg)  # type: ignore[arg-type]
    zero = {c: 0.0 for c in choices.drop if known is None or c in known}
    return Spec(
        normalisation=(choices.norm,),  # type: ignore[arg-type]
        aggregation=dict.fromkeys(LEVELS, (how,)),
        weights=(
            WeightSchemes(schemes=("user",), user={**dict(choices.weights), **zero})
            if choices.weights or zero
            else WeightSchemes()
        ),
        estimates=("weighted" if choices.weighted else "unweighted",),
    )


def by_sensitivity(
    frame: pd.DataFrame, q: Questionnaire, job_params: Mapping[str, Any], choices: Choices
) -> Outcome:
    """The sensitivity engine's nominal choices of a one-alternative spec, with bootstrap
    CIs, rank intervals and groups (``scoring.sensitivity.nominal.nominal_uncertainty``)."""
    from scoring.sensitivity import Design
    from scoring.sensitivity.nominal import nominal_uncertainty
    from survey.errors import SpecError

    reduced(q, choices.drop)  # the same refusals as scoring.score's path
    spec = ScoreRequest.model_validate(job_params)
    data = leaves(frame, q, job_params, choices.weighted)
    try:
        known = {c for codes in data.codes().values() for c in codes}
        design = Design(data, sensitivity_spec(choices, known))
    except SpecError as exc:
        problems = [Problem("/" + ("agg" if "aggregation" in p.pointer else "norm"), p.code,
                            p.message) for p in exc.problems]  # fmt: skip
        raise ChoiceError.with_problems(exc.message, problems, code="whatif_choice") from None
    result = nominal_uncertainty(
        design,
        confidence=spec.confidence,
        ci_dist=spec.ci_dist,
        draws=spec.replicates,
        rng=spec.seed,
    )
    table = result.table()
    table["code"] = table["code"].where(table["code"] != result.codes[0], AGGREGATE)
    return Outcome(
        choices, _canonical(table), "sensitivity", tuple(data.notes), len(frame), result.replicates
    )


def _canonical(table: pd.DataFrame) -> pd.DataFrame:
    cols = ["province", "code", "est", "lci", "uci", "rank", "rank_lci", "rank_uci", "group"]
    out = table.reindex(columns=cols)
    for c in ("est", "lci", "uci", "rank", "rank_lci", "rank_uci"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(np.float64)
    out["group"] = out["group"].where(out["group"].notna() & (out["group"] != "nan"), None)
    return out.reset_index(drop=True)


def compute(
    frame: pd.DataFrame,
    q: Questionnaire,
    job_params: Mapping[str, Any],
    choices: Choices,
    engine: str | None = None,
) -> Outcome:
    """The outcome of ``choices`` by the library's one home for them (module docstring);
    ``engine="sensitivity"`` computes PAPI's own choices with the sensitivity engine too
    (the nominal a sensitivity-engine view is compared with)."""
    if engine is None:
        engine = "score" if choices.papi_arithmetic else "sensitivity"
    if engine == "score":
        return by_score(frame, q, job_params, choices)
    return by_sensitivity(frame, q, job_params, choices)


# --------------------------------------------------------------------------------- caches

# Keyed by the frame's database (row_key) and survey; the prepared stages and the leaves by
# the frame object itself, checked through a weak reference (a rebuilt frame misses).
_frames: ProcessCache[
    tuple[tuple[str, int], bool], tuple[tuple[int, int, str], pd.DataFrame, Questionnaire]
] = ProcessCache("console what-if frames", max_entries=FRAME_CACHE)
_results: ProcessCache[tuple[Any, ...], Outcome] = ProcessCache(
    "console what-if outcomes", max_entries=RESULT_CACHE
)
_leaves: ProcessCache[tuple[Any, ...], tuple[weakref.ref[pd.DataFrame], Any]] = ProcessCache(
    "console what-if leaves", max_entries=FRAME_CACHE
)
_prepared: ProcessCache[tuple[Any, ...], tuple[weakref.ref[pd.DataFrame], Prepared]] = ProcessCache(
    "console what-if prepared stages", max_entries=FRAME_CACHE
)


def frame_of(
    session: Session, survey_id: int, include_rejected: bool
) -> tuple[pd.DataFrame, Questionnaire, tuple[int, int, str]]:
    """The survey's respondent frame, rebuilt only when ``frame_version`` changed."""
    version = frame_version(session, survey_id)
    key = (row_key(session, survey_id), include_rejected)
    hit = _frames.get(key)
    if hit is not None and hit[0] == version:
        return hit[1], hit[2], version
    frame, q = survey_frame(session, survey_id, include_rejected=include_rejected)
    if frame.empty:
        raise ScoringError(
            f"survey {survey_id} has no submission to score yet", code="no_submissions"
        )
    _frames.put(key, (version, frame, q))
    return frame, q, version


def outcome(
    session: Session,
    survey_id: int,
    job_params: Mapping[str, Any],
    choices: Choices,
    engine: str | None = None,
) -> Outcome:
    """``compute`` on the cached frame, itself cached per (frame version, job, choices)."""
    spec = ScoreRequest.model_validate(job_params)
    frame, q, version = frame_of(session, survey_id, spec.include_rejected)
    key = (row_key(session, survey_id), version, spec.model_dump_json(), choices, engine)
    return _results.get_or_load(key, lambda: compute(frame, q, job_params, choices, engine))


def clear_caches() -> None:
    """Empty the what-if's caches (``api.process_cache.clear_all`` empties them too)."""
    for cache in (_frames, _results, _leaves, _prepared):
        cache.clear()


# ---------------------------------------------------------------------------------- moves


@dataclass(frozen=True, slots=True)
class Move:
    province: str
    name: str
    rank_before: int | None
    rank_after: int | None
    change: int | None  # positive: moved up (a better rank)
    est_before: float | None
    est_after: float | None
    group_before: str | None
    group_after: str | None


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _records(table: pd.DataFrame, code: str, cols: list[str]) -> list[dict[str, Any]]:
    codes = table["code"].to_numpy()
    out: list[dict[str, Any]] = table.loc[codes == code, cols].to_dict("records")
    return out


def moves(nominal: Outcome, current: Outcome, code: str, names: Mapping[str, str]) -> list[Move]:
    """Who moved on ``code`` (the aggregate or a dimension) against the nominal result,
    largest move first; provinces whose rank did not change are left out."""
    cols = ["province", "est", "rank", "group"]
    a = {r["province"]: r for r in _records(nominal.table, code, cols)}
    out = []
    for rb in _records(current.table, code, cols):
        p = rb["province"]
        ra = a.get(p)
        if ra is None:
            continue
        r0, r1 = _num(ra["rank"]), _num(rb["rank"])
        g0, g1 = (g if isinstance(g, str) else None for g in (ra["group"], rb["group"]))
        change = None if r0 is None or r1 is None else int(r0 - r1)
        if (change == 0 and g0 == g1) or (r0 is None and r1 is None):
            continue
        out.append(
            Move(
                province=str(p),
                name=names.get(str(p), str(p)),
                rank_before=None if r0 is None else int(r0),
                rank_after=None if r1 is None else int(r1),
                change=change,
                est_before=_num(ra["est"]),
                est_after=_num(rb["est"]),
                group_before=g0,
                group_after=g1,
            )
        )
    out.sort(key=lambda m: (-(abs(m.change) if m.change is not None else 999), m.province))
    return out


def with_choice(choices: Choices, **changes: Any) -> Choices:
    return replace(choices, **changes)
