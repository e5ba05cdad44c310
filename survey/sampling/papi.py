"""The PAPI multi-stage selection (papi-method.md §3), with exact inclusion probabilities.

Per province (a stratum):

1. districts: the provincial capital with certainty, plus 2 (small provinces) or 5 (medium and
   large) of the other districts by randomised systematic πps on population;
2. communes: in each selected district the district seat with certainty, plus 1 other by πps;
3. villages: in each selected commune the commune seat with certainty, plus 1 other by πps;
4. residents: a simple random sample of 20 adults (18-70) plus 10 reserves from the village's
   resident list (30 + 15 in large provinces); the target is 16 (24) completed interviews.

Each stage's probability is conditional on the previous stages (``prob_district``,
``prob_commune``, ``prob_village``; ``prob_person = m / N`` for ``m`` completed interviews out of
``N`` adults, replacements from the reserve list treated as random non-response). Units whose
πps probability reaches 1 become certainty units (see ``survey.sampling.pps``).

Variance units (``stratum``, ``psu``), chosen for honest coverage of the *expected* provincial
score, i.e. the governance level that generates answers, which is what a province's score
stands for and what the simulator's truth is: every selected district, the certainty capital
included, is a PSU of its province stratum (the ultimate-cluster, with-replacement estimator of
Hansen, Hurwitz & Madow 1953; Wolter 2007 §2.4.1). The capital's own district effect is a random
draw around the province's level, so treating it as fixed (its own stratum, communes as PSUs)
would leave that variance out. A pilot frame (a single district) has one district, so there
the communes are the PSUs of a district stratum. See docs/simulation.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from survey.errors import SamplingError
from survey.rng import RngLike
from survey.sampling.frame import Frame
from survey.sampling.pps import systematic_pps
from survey.sampling.streams import province_streams


@dataclass(frozen=True)
class SelectionRules:
    """How many units each stage takes; defaults are PAPI's."""

    extra_districts: dict[str, int] = field(
        default_factory=lambda: {"small": 2, "medium": 5, "large": 5}
    )
    extra_communes: int = 1
    extra_villages: int = 1
    residents: dict[str, int] = field(
        default_factory=lambda: {"small": 20, "medium": 20, "large": 30}
    )
    reserves: dict[str, int] = field(
        default_factory=lambda: {"small": 10, "medium": 10, "large": 15}
    )
    target: dict[str, int] = field(default_factory=lambda: {"small": 16, "medium": 16, "large": 24})


PAPI_RULES = SelectionRules()


@dataclass(frozen=True, eq=False)
class Sample:
    """A drawn sample: one row per selected village with its design columns.

    Columns: province, size_class, district, commune, village, adults, urban, capital,
    district_seat, commune_seat, prob_district, prob_commune, prob_village, stratum, psu,
    residents, reserves, target.
    """

    villages: pd.DataFrame
    rules: SelectionRules
    pilot: bool

    @property
    def n_villages(self) -> int:
        return len(self.villages)


def _stage(
    units: pd.DataFrame,
    group_col: str,
    group_index: pd.Index,
    certain: np.ndarray,
    n_extra: np.ndarray,
    keys: np.ndarray,
    starts: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Certainty units plus ``n_extra[g]`` others by πps in every group; returns (selected, π)."""
    groups = group_index.get_indexer(pd.Index(units[group_col]))
    sizes = np.where(certain, 0.0, units["population"].to_numpy(dtype=np.float64))
    chosen, pi = systematic_pps(sizes, n_extra, groups, keys, starts)
    return chosen | certain, np.where(certain, 1.0, pi)


def _uniform_blocks(
    gens: list[np.random.Generator], counts: pd.DataFrame, columns: list[str]
) -> list[np.ndarray]:
    """Per-province U(0,1) blocks, concatenated in province order, one array per column."""
    out = []
    for col in columns:
        sizes = counts[col].to_numpy()
        out.append(np.concatenate([g.random(int(k)) for g, k in zip(gens, sizes, strict=True)]))
    return out


def select_sample(frame: Frame, rng: RngLike = 0, rules: SelectionRules = PAPI_RULES) -> Sample:
    """Draw a PAPI sample from ``frame``; each province uses its own stream (see streams.py)."""
    provinces = frame.provinces.set_index("province")
    codes = list(provinces.index)
    districts = frame.districts()
    communes = frame.communes()
    villages = frame.villages
    counts = pd.DataFrame(
        {
            "districts": districts.groupby("province").size(),
            "communes": communes.groupby("province").size(),
            "villages": villages.groupby("province").size(),
        }
    ).reindex(codes)
    counts["one"] = 1
    gens = province_streams(rng, codes, "selection")
    k_dist, k_comm, k_vill, s_prov, s_dist, s_comm = _uniform_blocks(
        gens, counts, ["districts", "communes", "villages", "one", "districts", "communes"]
    )
    size_class = provinces["size_class"]
    n_dist = np.array([rules.extra_districts[str(c)] for c in size_class], dtype=np.float64)

    d_sel, d_pi = _stage(
        districts, "province", pd.Index(codes), districts["capital"].to_numpy(bool),
        n_dist, k_dist, s_prov,
    )  # fmt: skip
    district_index = pd.Index(districts["district"])
    c_sel, c_pi = _stage(
        communes, "district", district_index, communes["district_seat"].to_numpy(bool),
        np.full(len(districts), float(rules.extra_communes)), k_comm, s_dist,
    )  # fmt: skip
    commune_index = pd.Index(communes["commune"])
    v_sel, v_pi = _stage(
        villages, "commune", commune_index, villages["commune_seat"].to_numpy(bool),
        np.full(len(communes), float(rules.extra_villages)), k_vill, s_comm,
    )  # fmt: skip
    d_taken = pd.Series(d_sel, index=district_index)
    c_taken = (
        pd.Series(c_sel, index=commune_index) & d_taken.reindex(communes["district"]).to_numpy()
    )
    v_taken = v_sel & c_taken.reindex(villages["commune"]).to_numpy()

    out = villages.loc[v_taken].copy()
    out["prob_village"] = v_pi[v_taken]
    out["prob_commune"] = pd.Series(c_pi, index=commune_index).reindex(out["commune"]).to_numpy()
    out["prob_district"] = pd.Series(d_pi, index=district_index).reindex(out["district"]).to_numpy()
    out["size_class"] = size_class.reindex(out["province"]).to_numpy()
    for col in ("residents", "reserves", "target"):
        table: dict[str, int] = getattr(rules, col)
        out[col] = out["size_class"].map(table).astype(np.int64)
    n_selected = out.groupby("province")["district"].transform("nunique")
    pilot = bool((n_selected == 1).all())
    out["stratum"] = np.where(n_selected > 1, out["province"], out["district"])
    out["psu"] = np.where(n_selected > 1, out["district"], out["commune"])
    short = out.loc[out["adults"] < out["residents"] + out["reserves"], "village"]
    if len(short):
        raise SamplingError(
            f"village {short.iloc[0]!r} has fewer adults than residents + reserves; "
            "fix the frame's adult counts or lower the rules' list sizes",
            code="village_too_small",
        )
    return Sample(villages=out.reset_index(drop=True), rules=rules, pilot=pilot)


def select_residents(sample: Sample, rng: RngLike = 0) -> pd.DataFrame:
    """Draw each village's resident list: SRS of residents + reserves from its adults.

    Returns one row per drawn resident: village, line (1..adults, the position on the
    village's list of adults), order (1..), role (``main`` for the first ``residents``,
    ``reserve`` after). Vectorised: one random key per adult, sorted within village.
    """
    v = sample.villages
    codes = list(dict.fromkeys(v["province"]))
    gens = province_streams(rng, codes, "residents")
    adults = v["adults"].to_numpy(np.int64)
    per_prov = v.groupby("province", sort=False)["adults"].sum().reindex(codes).to_numpy()
    keys = np.concatenate([g.random(int(k)) for g, k in zip(gens, per_prov, strict=True)])
    village_of = np.repeat(np.arange(len(v)), adults)
    line = np.arange(len(village_of)) - np.repeat(np.cumsum(adults) - adults, adults) + 1
    order = np.lexsort((keys, village_of))
    rank = np.arange(len(order)) - np.repeat(np.cumsum(adults) - adults, adults)
    take_n = (v["residents"] + v["reserves"]).to_numpy(np.int64)
    keep = rank < take_n[village_of[order]]
    idx = order[keep]
    rows = village_of[idx]
    ranks = rank[keep] + 1
    return pd.DataFrame(
        {
            "village": v["village"].to_numpy()[rows],
            "line": line[idx],
            "order": ranks,
            "role": np.where(ranks <= v["residents"].to_numpy()[rows], "main", "reserve"),
        }
    )
