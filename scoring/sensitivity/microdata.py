"""Audit input from respondent data: province indicator estimates and their replicates.

The leaves are the province-level indicator means (Hájek, ``SurveyDesign.domain_means``;
provinces as domains of the full design, Lumley 2010 §3.4), computed twice: unweighted
(PAPI's headline, docs/method.md "Weights") and with the analysis weight, each with the same
strata and clusters. Sampling error enters as one Rao–Wu bootstrap replicate per run
(Rao & Wu 1988; docs/variance.md "Replicate weights"): the replicate indicator means of
``scoring.index.uncertainty.replicate_domain_means`` under the replicate weights of
``SurveyDesign.replicate_weights_and_scales`` — the same resampled PSUs for both estimate kinds, since
both designs share the stage structure and the seed — so that the whole index, its ranks
and groups are recomputed per replicate (docs/variance.md "Replicate weights": "Recompute the whole pipeline per
replicate for rank intervals"). An indicator with fewer than ``min_n`` respondents in a
province is missing there, as in ``scoring.score``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.design.design import SurveyDesign
from scoring.design.structure import codes as integer_codes
from scoring.index.indicators import indicator_values
from scoring.index.structure import IndexStructure
from scoring.index.uncertainty import replicate_domain_means
from scoring.sensitivity.data import FloatArray, IndexData, ReplicateScale, build_levels
from scoring.sensitivity.spec import Estimates
from survey.errors import ScoringError
from survey.questionnaire.loader import load_questionnaire
from survey.questionnaire.schema import Questionnaire
from survey.rng import DEFAULT_REPLICATES, RngLike, as_generator


def microdata_input(
    responses: pd.DataFrame,
    questionnaire: Questionnaire | str,
    *,
    replicates: int = DEFAULT_REPLICATES,
    rng: RngLike = None,
    estimates: Sequence[Estimates] = ("unweighted", "weighted"),
    weights: str = "weight",
    strata: str | None = None,
    psu: str | None = None,
    min_n: int = 10,
    lonely_psu: str = "fail",
    names: Mapping[str, str] | None = None,
    sparse: Literal["drop", "suppress"] = "drop",
) -> IndexData:
    """Province indicator estimates (and ``replicates`` bootstrap replicates of them) of
    ``responses`` (docs/data-layout.md) scored with ``questionnaire``, as audit leaves.

    ``estimates``: which versions to compute (``weighted`` needs the ``weights`` column);
    ``replicates = 0`` skips the bootstrap (then no sampling-error choice is possible).
    ``sparse``: what to do with an indicator that is missing (fewer than ``min_n``
    respondents) in some province. ``suppress`` is PAPI's rule — the province loses the
    sub-dimension, the dimension and its rank — which on a sample where a rare indicator
    is missing in every province leaves nothing to rank; ``drop`` (the default) leaves
    such indicators out of the audited index everywhere and says so in ``notes``.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per respondent (docs/data-layout.md).
    questionnaire : Questionnaire or str
        The questionnaire or its id.
    replicates : int, default 1000
        Rao–Wu bootstrap replicates; 0 skips them (no sampling-error choice then).
    rng : int, numpy.random.Generator or None, default None
        Random source of the replicates; ``None`` is seed 0.
    estimates : sequence of {"unweighted", "weighted"}, default both
        Which estimates to compute (``weighted`` needs the ``weights`` column).
    weights : str, default "weight"
        The weight column.
    strata, psu : str or None, default None
        Design columns, as in ``scoring.score``.
    min_n : int, default 10
        Fewest respondents for a province's indicator.
    lonely_psu : str, default "fail"
        A stratum with one PSU, as in ``scoring.score``.
    names : mapping of str to str or None, default None
        Province code → name for the outputs.
    sparse : {"drop", "suppress"}, default "drop"
        What to do with an indicator missing in some province (above).

    Returns
    -------
    IndexData
        Province indicator estimates and their replicates, as audit leaves, with the
        provinces' design df and the replicates' variance scales (the CIs of
        ``scoring.sensitivity.nominal.nominal_uncertainty``).

    Raises
    ------
    ScoringError
        A questionnaire without indicators, no ``province`` column, a missing weight column
        for weighted estimates, or nothing left to audit.
    """
    q = load_questionnaire(questionnaire) if isinstance(questionnaire, str) else questionnaire
    st = IndexStructure.from_questionnaire(q)
    if not st.indicators:
        raise ScoringError(f"questionnaire {q.id!r} has no indicators to audit")
    if "province" not in responses.columns:
        raise ScoringError(
            "the responses have no `province` column; expected the layout of "
            "docs/data-layout.md (one row per respondent, province P01…P63)",
            code="province_column_missing",
        )
    if "weighted" in estimates and weights not in responses.columns:
        raise ScoringError(
            f"weighted estimates need the weight column {weights!r}, absent from the "
            "responses; audit with estimates=('unweighted',) or add the weights",
            code="weight_column_missing",
        )
    strata = strata or ("stratum" if "stratum" in responses.columns else "province")
    psu = psu or next((c for c in ("psu", "district") if c in responses.columns), None)
    _, y, _ = indicator_values(responses, q)
    domain, provinces = integer_codes(responses["province"].astype("str"))
    d = len(provinces)
    psu_codes = integer_codes(responses[psu].astype("str"))[0] if psu else np.arange(len(responses))
    seed = int(as_generator(rng).integers(2**31))
    keep = [c for c in dict.fromkeys(["province", strata, psu, weights]) if c and c in responses]
    stacks, dfs, unit_weights = [], [], None
    scales: ReplicateScale | None = None
    for kind in estimates:
        design = SurveyDesign(
            responses.loc[:, keep],
            weights=weights if kind == "weighted" else None,
            strata=strata,
            psu=psu,
            lonely_psu=lonely_psu,
        )
        est, _, n_obs, df = design.domain_means(y, domain, d)
        dfs.append(np.asarray(df, dtype=np.float64))
        scored = n_obs >= min_n
        layers = [np.where(scored, est, np.nan)]
        if replicates > 0:
            w_rep, scale, rscale, mse = design.replicate_weights_and_scales(
                "bootstrap", replicates, seed
            )
            scales = ReplicateScale(float(scale), np.asarray(rscale, dtype=np.float64), mse)
            rep = replicate_domain_means(
                w_rep, design.weights, y, domain, d, psu_codes, factorised=True
            )
            layers.extend(np.where(scored[None], rep[:, :d], np.nan))
        stacks.append(np.stack(layers))
        if kind == "weighted":
            unit_weights = np.asarray(design.weights, dtype=np.float64)
    values: FloatArray = np.stack(stacks)
    gaps: NDArray[np.bool_] = np.asarray(np.isnan(values[:, 0]).any(axis=(0, 1)), dtype=bool)
    keep_ind: NDArray[np.bool_] = ~gaps if sparse == "drop" else np.ones_like(gaps)
    notes: tuple[str, ...] = ()
    if sparse == "drop":
        dropped = [c for c, k in zip(st.indicators, keep_ind, strict=True) if not k]
        if dropped:
            notes = (
                f"{len(dropped)} indicator(s) with fewer than {min_n} respondents in some "
                f"province left out of the audited index: {', '.join(dropped)}",
            )
    inds = [c for c, k in zip(st.indicators, keep_ind, strict=True) if k]
    ind_sub = [s for s, k in zip(st.indicator_subdimension, keep_ind, strict=True) if k]
    subs = [s for s in st.subdimensions if s in set(ind_sub)]
    sub_dim = dict(zip(st.subdimensions, st.subdimension_dimension, strict=True))
    if not inds:
        raise ScoringError(
            f"no indicator has {min_n} respondents in every province; lower min_n, "
            "or audit with sparse='suppress'",
            code="sensitivity_input",
        )
    levels = build_levels(
        [
            ("indicator", "subdimension", inds, ind_sub),
            ("subdimension", "dimension", subs, [sub_dim[s] for s in subs]),
        ]
    )
    goalposts = np.asarray(st.goalposts, dtype=np.float64).reshape(-1, 2)[keep_ind]
    return IndexData(
        provinces=tuple(provinces),
        levels=levels,
        values=values[..., keep_ind],
        lo=goalposts[:, 0],
        hi=goalposts[:, 1],
        estimates=tuple(estimates),
        names=dict(names or {}),
        microdata=True,
        units=pd.DataFrame(y[:, keep_ind], columns=inds),
        unit_weights=unit_weights,
        notes=notes,
        df=np.stack(dfs),
        replicate_scale=scales,
    )
