"""The index an audit perturbs: a hierarchy of levels over province-level leaf values.

Leaves are what the normalisation acts on. With **published** scores they are the
sub-dimensions, taken on PAPI's 1–10 scale ``S = sub · k_d`` (docs/method.md "Arithmetic": the
published ``sub`` lies on [1/k_d, 10/k_d], so the goalposts of ``S`` are 1 and 10 and
``D_d = mean_s S_s``); with **microdata** they are the province-level indicator estimates
with their questionnaire goalposts. ``values`` stacks every version of the leaves a run may
draw: axis 0 the estimate kind (unweighted, weighted), axis 1 the full sample (0) and then
the sampling replicates (1…B). With microdata, ``units`` keeps the respondent-level
indicator values (and ``unit_weights`` their design weights) for the diagnostics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.sensitivity.spec import ElementKind, LevelName
from survey.errors import ScoringError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

TOP = "PAPI"
"""Code of the aggregate (the single parent of the top level)."""


@dataclass(frozen=True)
class Level:
    """One aggregation step: ``children`` (of kind ``child_kind``) → ``parents``."""

    name: LevelName
    child_kind: ElementKind
    children: tuple[str, ...]
    parents: tuple[str, ...]
    parent_of: tuple[int, ...]

    def membership(self) -> FloatArray:
        """0/1 matrix (children × parents)."""
        m = np.zeros((len(self.children), len(self.parents)))
        m[np.arange(len(self.children)), np.asarray(self.parent_of)] = 1.0
        return m


@dataclass(frozen=True)
class ReplicateScale:
    """The arguments of ``scoring.design.replicate_variance`` that turn the replicates of
    ``microdata_input`` into a variance: ``scale Σ_r rscale_r (θ_r − θ̄)²`` (centred on the
    full-sample estimate when ``mse``), as ``SurveyDesign.replicate_weights_and_scales``
    gives them."""

    scale: float
    rscale: FloatArray
    mse: bool


@dataclass(frozen=True)
class IndexData:
    """Province-level leaf values and the hierarchy built on them: the input of an audit
    (:func:`published_input`, :func:`microdata_input`).

    Attributes
    ----------
    provinces : tuple of str
        The province codes.
    levels : tuple of Level
        The hierarchy, bottom-up (leaves → sub-dimensions → dimensions → index).
    values : numpy.ndarray
        Leaf values, shape (estimates, 1 + replicates, provinces, leaves).
    lo, hi : numpy.ndarray
        The leaves' goalposts.
    estimates : tuple of str, default ("unweighted",)
        Which estimates ``values`` holds (``unweighted``, ``weighted``).
    names : mapping of str to str
        Province code → name.
    microdata : bool, default False
        Whether the leaves come from respondents (sampling error possible).
    units : pandas.DataFrame or None, default None
        Respondent-level indicator values (for Cronbach's alpha).
    unit_weights : numpy.ndarray or None, default None
        Their design weights.
    notes : tuple of str, default ()
        What a reader must know (indicators left out, …).
    df : numpy.ndarray or None, default None
        The design df of every province (PSUs − strata, ``SurveyDesign.domain_df``), shape
        (estimates, provinces): the df of the CIs ``scoring.score`` gives (microdata only).
    replicate_scale : ReplicateScale or None, default None
        How the replicates' spread is a variance (``scoring.design.replicate_variance``'s
        ``scale``, ``rscale`` and ``mse``); ``None`` without replicates.

    Raises
    ------
    ScoringError
        ``values`` of a shape that does not match the provinces, leaves and estimates.
    """

    provinces: tuple[str, ...]
    levels: tuple[Level, ...]
    values: FloatArray
    lo: FloatArray
    hi: FloatArray
    estimates: tuple[str, ...] = ("unweighted",)
    names: Mapping[str, str] = field(default_factory=dict)
    microdata: bool = False
    units: pd.DataFrame | None = None
    unit_weights: FloatArray | None = None
    notes: tuple[str, ...] = ()
    df: FloatArray | None = None
    replicate_scale: ReplicateScale | None = None

    def __post_init__(self) -> None:
        e, _, p, j = self.values.shape
        if (p, j) != (len(self.provinces), len(self.leaves)) or e != len(self.estimates):
            raise ScoringError(
                f"leaf values have shape {self.values.shape}; expected (estimates="
                f"{len(self.estimates)}, 1 + replicates, provinces={len(self.provinces)}, "
                f"leaves={len(self.leaves)})",
                code="sensitivity_shape",
            )

    @property
    def leaves(self) -> tuple[str, ...]:
        return self.levels[0].children

    @property
    def replicates(self) -> int:
        return int(self.values.shape[1]) - 1

    @property
    def dimensions(self) -> tuple[str, ...]:
        return self.levels[-1].children

    def codes(self) -> dict[str, tuple[str, ...]]:
        """Element kind → codes (the elements that carry a weight and can be dropped)."""
        return {lv.child_kind: lv.children for lv in self.levels}

    def weight_offsets(self) -> tuple[int, ...]:
        """Start of each level's children in the concatenated weight vector."""
        sizes = [len(lv.children) for lv in self.levels]
        return tuple(int(x) for x in np.concatenate([[0], np.cumsum(sizes)]))


def build_levels(
    chain: Sequence[tuple[ElementKind, LevelName, Sequence[str], Sequence[str]]],
) -> tuple[Level, ...]:
    """Levels from ``(child_kind, name, children, parent of each child)``, bottom-up, and the
    top level (dimensions → the aggregate) appended."""
    levels: list[Level] = []
    for at, (kind, name, children, owner) in enumerate(chain):
        parents = tuple(chain[at + 1][2]) if at + 1 < len(chain) else tuple(dict.fromkeys(owner))
        index = {p: i for i, p in enumerate(parents)}
        if len(owner) != len(children) or not set(owner) <= set(index):
            raise ScoringError(
                f"level {name}: every {kind} needs a parent among {list(parents)}",
                code="structure_invalid",
            )
        levels.append(Level(name, kind, tuple(children), parents, tuple(index[o] for o in owner)))
    dims = levels[-1].parents
    levels.append(Level("index", "dimension", dims, (TOP,), (0,) * len(dims)))
    return tuple(levels)


def published_input(
    subdimensions: pd.DataFrame, names: Mapping[str, str] | None = None
) -> IndexData:
    """Published sub-dimension scores as audit leaves ``S = sub · k_d`` on [1, 10]; a
    sub-dimension's dimension is ``D`` + its third character.

    Parameters
    ----------
    subdimensions : pandas.DataFrame
        ``province`` and SC11…SC83 on the published scale, as ``survey.published`` gives
        them.
    names : mapping of str to str or None, default None
        Province code → name for the outputs.

    Returns
    -------
    IndexData
        The leaves and their hierarchy (no microdata).

    Raises
    ------
    ScoringError
        No ``province`` column or no sub-dimension column.
    """
    codes = [c for c in subdimensions.columns if c != "province" and c.startswith("SC")]
    if not codes or "province" not in subdimensions.columns:
        raise ScoringError(
            "published scores need a `province` column and sub-dimension columns SC11…SC83; "
            f"got columns {list(subdimensions.columns)}",
            code="sensitivity_input",
        )
    codes = [c for c in codes if subdimensions[c].notna().any()]
    owner = ["D" + c[2] for c in codes]
    order = sorted(range(len(codes)), key=lambda i: (owner[i], codes[i]))
    codes, owner = [codes[i] for i in order], [owner[i] for i in order]
    k = pd.Series(owner).map(pd.Series(owner).value_counts()).to_numpy(dtype=np.float64)
    values: FloatArray = subdimensions[codes].to_numpy(dtype=np.float64) * k
    levels = build_levels([("subdimension", "dimension", codes, owner)])
    return IndexData(
        provinces=tuple(subdimensions["province"].astype(str)),
        levels=levels,
        values=values[None, None],
        lo=np.ones(len(codes)),
        hi=np.full(len(codes), 10.0),
        names=dict(names or {}),
    )
