"""The PAPI multi-stage selection (docs/method.md "Sampling design"), with exact inclusion probabilities.

Per province (a stratum):

1. districts: the provincial capital with certainty, plus 2 (small provinces) or 5 (medium and
   large) of the other districts by randomised systematic πps on population;
2. communes: in each selected district the district seat with certainty, plus 1 other by πps;
3. villages: in each selected commune the commune seat with certainty, plus 1 other by πps;
4. residents: a simple random sample of 20 adults (18-70) plus 10 reserves from the village's
   resident list (30 + 15 in large provinces); the target is 16 (24) completed interviews.

Those are the defaults (``PAPI_RULES``); ``SelectionRules.with_sizes`` changes the stage sizes,
e.g. a district pilot with 8 communes so that its CIs have 7 degrees of freedom rather than 1.
Asking for more units than a parent has takes them all, each with probability 1.

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

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from survey.errors import SamplingError
from survey.rng import RngLike
from survey.sampling.pps import systematic_pps
from survey.sampling.sampling_frame import Frame
from survey.sampling.streams import province_streams

SIZE_CLASS_KEYS = ("small", "medium", "large")
# PAPI lists 20 residents + 10 reserves for 16 completed interviews (30 + 15 for 24): the same
# ratios, 1.25 and 0.625, size the lists for any other target
RESIDENTS_PER_INTERVIEW = 1.25
RESERVES_PER_INTERVIEW = 0.625


def list_sizes(interviews: int) -> tuple[int, int]:
    """Residents and reserves to list for ``interviews`` completed interviews in a village:
    ``ceil(1.25 n)`` and ``ceil(0.625 n)``, PAPI's ratios (16 → 20 + 10, 24 → 30 + 15)."""
    return (
        math.ceil(RESIDENTS_PER_INTERVIEW * interviews),
        math.ceil(RESERVES_PER_INTERVIEW * interviews),
    )


def _rules_error(message: str) -> SamplingError:
    return SamplingError(message, code="invalid_rules")


def _whole(value: object, name: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        raise _rules_error(f"{name} must be a whole number >= {least}, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class SelectionRules:
    """How many units each stage takes; defaults are PAPI's.

    ``extra_districts``: districts by πps besides the certainty capital, per size class;
    ``extra_communes`` / ``extra_villages``: units by πps besides the certainty seat;
    ``residents``, ``reserves``, ``target``: list sizes and completed interviews per village,
    per size class. ``with_sizes`` sets them the way ``papi sample`` options do.

    Attributes
    ----------
    extra_districts : dict of str to int
        Districts by πps besides the certainty capital, per size class.
    extra_communes, extra_villages : int
        Units by πps besides the certainty seat.
    residents, reserves : dict of str to int
        Resident and reserve list sizes per village, per size class.
    target : dict of str to int
        Completed interviews per village, per size class.

    Raises
    ------
    SamplingError
        A size that is not a whole number, or a table lacking a size class.
    """

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

    def __post_init__(self) -> None:
        _whole(self.extra_communes, "extra_communes", 0)
        _whole(self.extra_villages, "extra_villages", 0)
        for name in ("extra_districts", "residents", "reserves", "target"):
            table = getattr(self, name)
            missing = [k for k in SIZE_CLASS_KEYS if k not in table]
            if missing:
                raise _rules_error(f"{name} lacks size classes {missing}")
            least = 1 if name in ("residents", "target") else 0
            for k in SIZE_CLASS_KEYS:
                _whole(table[k], f"{name}[{k!r}]", least)
        for k in SIZE_CLASS_KEYS:
            if self.residents[k] < self.target[k]:
                raise _rules_error(
                    f"residents[{k!r}] ({self.residents[k]}) is below the target of completed "
                    f"interviews ({self.target[k]}): list at least as many residents"
                )

    def with_sizes(
        self,
        *,
        districts: int | None = None,
        communes: int | None = None,
        villages: int | None = None,
        interviews: int | None = None,
    ) -> SelectionRules:
        """These rules with other stage sizes (``None`` keeps the current one).

        ``districts``: per province, the certainty capital included (PAPI: 3 small, 6 medium
        and large), at least 2 since districts are a province's PSUs; ``communes``: per
        selected district, the seat included (PAPI 2); ``villages``: per selected commune, the
        seat included (PAPI 2); ``interviews``: completed interviews per village in every size
        class (PAPI 16, 24 large), with ``list_sizes`` residents and reserves.
        """
        changes: dict[str, object] = {}
        if districts is not None:
            n = _whole(districts, "districts", 2)
            changes["extra_districts"] = dict.fromkeys(SIZE_CLASS_KEYS, n - 1)
        if communes is not None:
            changes["extra_communes"] = _whole(communes, "communes", 1) - 1
        if villages is not None:
            changes["extra_villages"] = _whole(villages, "villages", 1) - 1
        if interviews is not None:
            n = _whole(interviews, "interviews", 1)
            residents, reserves = list_sizes(n)
            changes["target"] = dict.fromkeys(SIZE_CLASS_KEYS, n)
            changes["residents"] = dict.fromkeys(SIZE_CLASS_KEYS, residents)
            changes["reserves"] = dict.fromkeys(SIZE_CLASS_KEYS, reserves)
        return replace(self, **changes)  # type: ignore[arg-type]


PAPI_RULES = SelectionRules()


@dataclass(frozen=True, eq=False)
class Sample:
    """A drawn sample: one row per selected village with its design columns.

    Columns: province, size_class, district, commune, village, adults, urban, capital,
    district_seat, commune_seat, prob_district, prob_commune, prob_village, stratum, psu,
    residents, reserves, target.

    Attributes
    ----------
    villages : pandas.DataFrame
        The selected villages with the columns above.
    rules : SelectionRules
        The stage sizes used.
    pilot : bool
        Whether every province has one selected district (its communes are the PSUs).
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


def select_sample(frame: Frame, rng: RngLike = None, rules: SelectionRules = PAPI_RULES) -> Sample:
    """Draw a PAPI sample from ``frame``; each province uses its own stream (see streams.py).

    Parameters
    ----------
    frame : Frame
        The sampling frame.
    rng : int, numpy.random.Generator or None, default None
        Random source; ``None`` is seed 0.
    rules : SelectionRules, default PAPI_RULES
        The stage sizes.

    Returns
    -------
    Sample
        The selected villages with their design columns.

    Raises
    ------
    SamplingError
        One commune in a lone district (no variance), or a village with fewer adults than
        its lists need.
    """
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
    if rules.extra_communes == 0 and (n_selected == 1).any():
        one = str(out.loc[(n_selected == 1).to_numpy(), "district"].iloc[0])
        raise SamplingError(
            f"district {one!r} is its province's only selected district, so its communes are "
            "the PSUs, and 1 commune per district leaves no variance to estimate: take at "
            "least 2 communes (--communes 2)",
            code="too_few_psus",
        )
    out["stratum"] = np.where(n_selected > 1, out["province"], out["district"])
    out["psu"] = np.where(n_selected > 1, out["district"], out["commune"])
    short = out.loc[out["adults"] < out["residents"] + out["reserves"], "village"]
    if len(short):
        raise SamplingError(
            f"village {short.iloc[0]!r} has fewer adults than residents + reserves; "
            "fix the frame's adult counts or lower the interviews per village (--interviews), "
            "which size the lists",
            code="village_too_small",
        )
    return Sample(villages=out.reset_index(drop=True), rules=rules, pilot=pilot)


def select_residents(sample: Sample, rng: RngLike = None) -> pd.DataFrame:
    """Draw each village's resident list: SRS of residents + reserves from its adults.

    Vectorised: one random key per adult, sorted within village.

    Parameters
    ----------
    sample : Sample
        The drawn sample.
    rng : int, numpy.random.Generator or None, default None
        Random source; ``None`` is seed 0.

    Returns
    -------
    pandas.DataFrame
        One row per drawn resident: village, line (1..adults, the position on the
        village's list of adults), order (1..), role (``main`` for the first
        ``residents``, ``reserve`` after).
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
