"""The PAPI design in the two-tier geography of July 2025: province → commune/ward → village
(residential group) → respondents, with no district stage (docs/geography.md).

Built on the same selection code (``select_sample``) by giving each commune a district stage of
its own: in a two-tier frame the ``district`` column repeats the ``commune`` id and every
commune is its own district's seat, so the "district" stage selects communes by πps within
the province (the provincial seat ward with certainty, as the capital district is today), the
"commune" stage takes that commune with probability 1, and the village stage is unchanged.
Stage probabilities: ``prob_district`` is the commune's, ``prob_commune = 1``.

Stage sizes (``TWO_TIER_RULES``): 6 communes per small province (the seat ward + 5 by πps) and
12 per medium or large one (seat + 11), 2 villages per commune (the seat village + 1 by πps):
the same 12 and 24 villages, and the same interviews, as the three- and six-district design.

Variance units: stratum = the province, PSU = the selected commune/ward (the seat ward
included, as the capital district is today); design df of a province = communes − 1 (5 or
11, against 2 or 5 with districts). The ``former_province`` column (the 2018 province of each
village) is carried to the sample and the respondents, so a new province can be estimated by
former province as a domain of the same design.

The bundled 2025 frame is synthetic, derived from the synthetic 2018 frame
(``two_tier_frame``): villages keep their populations and ids; within each new province the
former communes are consolidated, within their former province, into as many new communes as
the province officially has (3,321 in all; ~3 former communes per new one); the provincial
seat ward is the new commune that holds the former seat province's capital-district seat.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.errors import SamplingError
from survey.geography import crosswalk, parse_geography, vintage
from survey.sampling.papi import PAPI_RULES, SelectionRules
from survey.sampling.sampling_frame import Frame, load_frame, size_class_of
from survey.sampling.weights import AGE_GROUPS

TWO_TIER_RULES = SelectionRules(
    extra_districts={"small": 5, "medium": 11, "large": 11}, extra_communes=0, extra_villages=1
)


def _allocate(total: int, sizes: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.int64]:
    """``total`` units over groups in proportion to ``sizes``, at least 1 and at most
    ``sizes`` each (largest remainder)."""
    quota = total * sizes / sizes.sum()
    out: npt.NDArray[np.int64] = np.clip(np.floor(quota).astype(np.int64), 1, sizes)
    order = np.argsort(-(quota - np.floor(quota)), kind="stable")
    i = 0
    while out.sum() < min(total, int(sizes.sum())):
        j = order[i % len(order)]
        if out[j] < sizes[j]:
            out[j] += 1
        i += 1
    return out


def two_tier_frame(frame: Frame) -> Frame:
    """The 2025 frame derived from a 2018 frame of the 63 provinces (see the module doc).

    Parameters
    ----------
    frame : Frame
        A frame of the 63 former provinces.

    Returns
    -------
    Frame
        The frame of the 34 new provinces, communes as the units below them.

    Raises
    ------
    SamplingError
        Provinces that are not 2018 provinces.
    """
    cw = crosswalk().set_index("former")
    unknown = sorted(set(frame.provinces["province"]) - set(cw.index))
    if unknown:
        raise SamplingError(
            f"provinces {unknown} are not 2018 provinces; a two-tier frame is derived from a "
            "frame of the 63 former provinces (P01…P63)",
            code="frame_invalid",
        )
    v = frame.villages.copy()
    v["former_province"] = v["province"]
    v["province"] = v["former_province"].map(cw["new"])
    official = vintage("2025").units.groupby("province").size()

    communes = frame.communes()
    communes["new"] = communes["province"].map(cw["new"])
    communes = communes.sort_values(["new", "province", "district", "commune"], kind="stable")
    block = np.empty(len(communes), dtype=np.int64)
    pos = 0
    for new, group in communes.groupby("new", sort=True):
        per_former = group.groupby("province", sort=True).size()
        k = _allocate(
            min(int(official.get(new, len(group))), len(group)),
            per_former.to_numpy(np.int64),
        )
        first = 0
        for n_old, n_new in zip(per_former.to_numpy(), k, strict=True):
            rank = np.arange(n_old)
            block[pos : pos + n_old] = first + (rank * n_new) // n_old
            first += int(n_new)
            pos += int(n_old)
    communes["new_commune"] = [
        f"{new}-C{b + 1:03d}" for new, b in zip(communes["new"], block, strict=True)
    ]
    new_of = communes.set_index("commune")["new_commune"]
    v["commune"] = v["commune"].map(new_of)
    v["district"] = v["commune"]
    v["district_seat"] = True
    # the provincial seat ward: the new commune holding the seat province's capital seat
    seat_former = set(cw.index[cw["seat"]])
    seat = v["capital"] & v["district_seat"] & v["former_province"].isin(seat_former)
    old_seat = frame.villages["capital"] & frame.villages["district_seat"]
    seat &= old_seat.to_numpy()
    seat_communes = set(v.loc[seat, "commune"])
    v["capital"] = v["commune"].isin(seat_communes)
    # one seat village per new commune: that of its first former commune
    first_old = communes.drop_duplicates("new_commune").set_index("new_commune")["commune"]
    is_first = frame.villages["commune"].to_numpy() == v["commune"].map(first_old).to_numpy()
    v["commune_seat"] = v["commune_seat"] & is_first

    pop = frame.provinces.set_index("province")
    p = v.groupby("province").agg(population=("population", "sum"))
    names = vintage("2025").provinces.set_index("province")
    former_pop = v.groupby("former_province")["population"].sum()
    kinh = (pop["kinh_share"].reindex(former_pop.index) * former_pop).groupby(
        cw["new"].reindex(former_pop.index)
    ).sum() / former_pop.groupby(cw["new"].reindex(former_pop.index)).sum()
    provinces = pd.DataFrame(
        {
            "province": p.index,
            "name": names["name_en"].reindex(p.index).to_numpy(),
            "size_class": [size_class_of(float(x)) for x in p["population"]],
            "kinh_share": kinh.reindex(p.index).to_numpy(),
            "population": p["population"].to_numpy(),
        }
    )
    strata = frame.poststrata.copy()
    strata["province"] = strata["province"].map(cw["new"])
    strata = (
        strata.groupby(["province", "sex", "age_group"], sort=True)["population"]
        .sum()
        .reset_index()
    )
    strata["age_group"] = pd.Categorical(strata["age_group"], list(AGE_GROUPS))
    strata = strata.sort_values(["province", "sex", "age_group"]).reset_index(drop=True)
    strata["age_group"] = strata["age_group"].astype(object)
    return Frame.from_villages(v, provinces, strata)


@cache
def _bundled_two_tier() -> Frame:
    return two_tier_frame(load_frame())


def frame_for(geography: object, frame: Frame | None = None) -> Frame:
    """The bundled frame of a geography.

    Parameters
    ----------
    geography : object
        ``2018``/``2025`` or a survey year.
    frame : Frame or None, default None
        A 2018 frame to use (or derive the 2025 one from) instead of the bundled one.

    Returns
    -------
    Frame
        The geography's frame.
    """
    if parse_geography(geography) == "2018":
        return frame if frame is not None else load_frame()
    return _bundled_two_tier() if frame is None else two_tier_frame(frame)


def rules_for(geography: object) -> SelectionRules:
    """PAPI's stage sizes in a geography.

    Parameters
    ----------
    geography : object
        ``2018``/``2025`` or a survey year.

    Returns
    -------
    SelectionRules
        ``PAPI_RULES`` or ``TWO_TIER_RULES``.
    """
    return TWO_TIER_RULES if parse_geography(geography) == "2025" else PAPI_RULES


def communes_per_province(rules: SelectionRules, communes: int) -> SelectionRules:
    """Two-tier ``rules`` with ``communes`` per province (the seat ward included; ≥ 2 since
    communes are the PSUs)."""
    if isinstance(communes, bool) or not isinstance(communes, int) or communes < 2:
        raise SamplingError(
            f"communes per province must be a whole number >= 2 (they are the PSUs), got "
            f"{communes!r}",
            code="invalid_rules",
        )
    return rules.with_sizes(districts=communes)
