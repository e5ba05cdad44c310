"""What ``score()`` reads of the design columns: the design its means are estimated on, the
provinces' codes, the PSU-share correction's fit and units, and the frame's notes.

The pandas side of ``prepare()`` (prepared.py): it runs on ``score()``'s own thread, where
its GIL-holding work does not stall the second thread's numpy calls (docs/scoring.md,
"Speed").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.design.design import SurveyDesign
from scoring.design.structure import codes as integer_codes
from scoring.index import notes as index_notes
from scoring.index.share_correction import share_correction_misfit, share_units, strata_of
from survey.errors import DesignError, ScoringError
from survey.sampling.weights import POSTSTRATA


def analysis_design(
    frame: pd.DataFrame,
    strata: str | None,
    psu: str | None,
    weights: str,
    weighted: bool,
    lonely_psu: str,
    poststratified: bool = False,
) -> tuple[SurveyDesign, list[str]]:
    """The design the scores are estimated on; with ``poststratified``, the
    post-stratification itself (so that its variance is accounted for, as R's
    ``postStratify``).

    With ``poststratified``, the responses must carry ``design_weight`` and the post-strata columns
    (``survey.sampling.weights.POSTSTRATA``) and ``weight`` is exactly ``design_weight``
    post-stratified to its own cell totals, the design starts from ``design_weight`` and
    is post-stratified to those totals (the cells' adult populations), which reproduces
    ``weight``; without it ``weight`` is taken as fixed.
    """
    cols = [c for c in (strata, psu) if c]
    if not weighted:
        return SurveyDesign(frame.loc[:, cols], None, strata, psu, lonely_psu=lonely_psu), []
    cells = list(POSTSTRATA)
    has = {"design_weight", *cells} <= set(frame.columns) and weights != "design_weight"
    if poststratified and has:
        base = pd.to_numeric(frame["design_weight"], errors="coerce")
        keys = frame.loc[:, cells]
        if not (base.isna().any() or (base < 0).any() or keys.isna().any().any()):
            sub = frame.loc[:, [*dict.fromkeys([*cols, *cells])]].assign(_dw=base.to_numpy())
            targets = frame[weights].groupby([keys[c] for c in cells], observed=True).sum()
            design = SurveyDesign(sub, "_dw", strata, psu, lonely_psu=lonely_psu)
            try:
                ps = design.poststratify(cells, targets.to_dict())
            except DesignError:
                ps = None
            w = frame[weights].to_numpy(np.float64)
            if ps is not None and np.allclose(ps.weights, w, rtol=1e-9, atol=1e-9 * w.max()):
                return ps, [
                    "weights are post-stratified (province × sex × age group): the variance "
                    "accounts for the post-stratification (R: postStratify)"
                ]
    if poststratified:
        raise ScoringError(
            f"poststratified=True needs `design_weight` and the post-strata columns "
            f"{', '.join(cells)}, with {weights!r} equal to design_weight post-stratified to "
            f"its own cell totals (survey.sampling.poststratify); they are missing or "
            "differ. Score with poststratified=False (weights taken as fixed)",
            code="poststrata_unavailable",
        )
    design = SurveyDesign(
        frame.loc[:, [*cols, weights]], weights, strata, psu, lonely_psu=lonely_psu
    )
    return design, []


def design_of(
    responses: pd.DataFrame,
    columns: tuple[str | None, str | None, str],
    weighted: bool,
    lonely_psu: str,
    poststratified: bool,
) -> tuple[SurveyDesign, tuple[str, ...], NDArray[np.intp], tuple[str, ...]]:
    """The design the means need, its notes, and the provinces' codes (``prepared.prepare``)."""
    strata, psu, weights = columns
    design, notes = analysis_design(
        responses, strata, psu, weights, weighted, lonely_psu, poststratified
    )
    domain, provinces = integer_codes(responses["province"].astype("str"))
    return design, tuple(notes), domain, tuple(str(p) for p in provinces)


def extras_of(
    responses: pd.DataFrame,
    strata: str | None,
    psu: str | None,
    lonely_psu: str,
    domain: NDArray[np.intp],
) -> tuple[str | None, tuple[NDArray[np.intp], NDArray[np.intp]] | None, tuple[str, ...]]:
    """What the scores need of the design columns after the means: the PSU-share
    correction's fit and units, and the frame's notes (``prepared.prepare``), from one factorisation
    of the strata and PSUs (``share_correction.strata_of``)."""
    facts = strata_of(responses, strata, psu, domain)
    misfit = share_correction_misfit(strata, facts)
    units = share_units(facts) if misfit is None else None
    notes = index_notes.frame_notes(responses, strata, psu, lonely_psu, facts)
    return misfit, units, tuple(notes)
