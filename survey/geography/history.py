"""Published PAPI 2018–2024 expressed on the 34 provinces of 2025: a derived figure.

The official PAPI published its 2018–2024 scores for the 63 former provinces only. A new
province's figure for a past year is derived here as the population-weighted mean of its former
provinces' published sub-dimension scores:

    S_new = Σ_f w_f S_f,   w_f = N_f / Σ_{f' in new} N_f'

with ``N_f`` the former province's population (the 2019 census, rounded, as bundled with the
sampling frame in ``frames/provinces.csv``). Why this weighting: a published sub-dimension
score is linear in the indicator means of the province's adult residents (indicator → 1–10
rescaling with national bounds, mean, /k), so the score the merged population would have had is
exactly the adult-weighted mean of its parts. Total population stands in for adults (the
census adult counts by province are not bundled; the share of adults differs little between
neighbouring provinces). Dimensions and the aggregate are sums, so they follow. Where a former
province was not scored on a sub-dimension, the new province has no derived value for it.

This is a derived figure, not an official one: label it so wherever it is shown
(``DERIVED_LABEL``). The published files carry no standard errors, so the derived figures'
own uncertainty is not known (``DERIVED_UNCERTAINTY``).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from survey.datafiles import DATA_ROOT, missing_hint
from survey.errors import NotFound
from survey.geography.vintages import RESOLUTION, _crosswalk
from survey.published import subdimensions

POPULATION_FILE = DATA_ROOT / "frames" / "provinces.csv"
DERIVED_LABEL = (
    "derived, not official: population-weighted mean of the former provinces' published "
    "scores on the 34 provinces of 2025"
)
DERIVED_UNCERTAINTY = (
    "the derived figures have no known uncertainty (the published files carry no standard "
    "errors), so differences count only the survey's own uncertainty: their intervals are "
    "too narrow by the unknown error of the derived side"
)


@cache
def _population_weights() -> pd.DataFrame:
    if not POPULATION_FILE.exists():
        raise NotFound(f"province populations {missing_hint(POPULATION_FILE)}")
    pop = pd.read_csv(POPULATION_FILE, usecols=["province", "population"])
    cw = _crosswalk().merge(
        pop.rename(columns={"province": "former"}), on="former", how="left", validate="1:1"
    )
    if cw["population"].isna().any():
        raise NotFound(
            f"no population for {sorted(cw.loc[cw['population'].isna(), 'former'])} in "
            f"{POPULATION_FILE}",
        )
    cw["weight"] = cw["population"] / cw.groupby("new")["population"].transform("sum")
    return cw.loc[:, ["former", "new", "seat", "population", "weight"]]


def population_weights() -> pd.DataFrame:
    """former, new, seat, population, weight (within the new province, summing to 1)."""
    return _population_weights().copy()


def derive_subdimensions(table: pd.DataFrame, *, complete: bool = True) -> pd.DataFrame:
    """A table of the 63 former provinces (column ``province`` P01…P63, sub-dimension columns)
    on the 34 new ones (``province`` N01…N96): population-weighted means; missing where any
    former province of the new one is missing. ``complete=False`` instead averages the former
    provinces that have a value, weights renormalised (the simulator's calibration targets for
    a new province one of whose parts was not scored that year; never shown as history)."""
    if "province" not in table.columns:
        raise NotFound("the table needs a `province` column (P01…P63)", code="province_missing")
    w = _population_weights().set_index("former")
    unknown = sorted(set(table["province"]) - set(w.index))
    if unknown:
        raise NotFound(
            f"provinces {unknown} are not former provinces (P01…P63); only 2018-geography "
            "figures can be derived on the 2025 provinces",
            code="province_not_found",
        )
    values = table.set_index("province").reindex(w.index)
    cols = list(values.columns)
    x = values.to_numpy(np.float64)
    has = ~np.isnan(x)
    wx = np.where(has, x, 0.0) * w["weight"].to_numpy()[:, None]
    weighted = pd.DataFrame(wx, index=w.index, columns=cols)
    gaps = pd.DataFrame(~has, index=w.index, columns=cols)
    new = w["new"]
    out = weighted.groupby(new, sort=True).sum()
    if complete:
        out = out.mask(gaps.groupby(new, sort=True).any())
    else:
        covered = pd.DataFrame(has * w["weight"].to_numpy()[:, None], index=w.index, columns=cols)
        share = covered.groupby(new, sort=True).sum()
        out = (out / share).where(share > 0)
    out.index.name = "province"
    return out.reset_index()


def derived_subdimensions(year: int, *, complete: bool = True) -> pd.DataFrame:
    """The published sub-dimension scores of ``year`` (2018–2024) derived on the 34 new
    provinces (see the module doc; a derived figure, not an official one). ``complete``: see
    ``derive_subdimensions``."""
    return derive_subdimensions(subdimensions(year), complete=complete)


def derivation_note(year: int) -> str:
    """One sentence naming the derivation of ``year``'s figures."""
    return (
        f"PAPI {year} on the 34 provinces of 2025 ({RESOLUTION}) is {DERIVED_LABEL} "
        "(weights: 2019 census population)"
    )
