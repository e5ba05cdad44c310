"""The specification of the uncertain choices of an index audit.

Each uncertain choice is a list of alternatives; **the first alternative is the nominal
(reference) choice**, and the defaults are PAPI's own (docs/method.md "Arithmetic"): fixed goalposts,
arithmetic means at every level, equal weights, nothing excluded, unweighted headline
estimates, no sampling error. A run of the Monte Carlo draws one alternative of every choice
uniformly (the JRC audit recipe: Saisana, Saltelli & Tarantola 2005, *J. R. Stat. Soc. A*
168(2); OECD/JRC *Handbook on Constructing Composite Indicators*, 2008, §7).

The model validates itself (unknown keys, empty lists, missing ``p`` of a generalised mean)
and :meth:`Spec.check` validates it against the data it will run on (sampling error without
microdata, an indicator level with published sub-dimension scores, a geometric mean over
possibly negative z-scores, a user weight for an unknown code). Every failure is a
:class:`~survey.errors.SpecError` whose problems carry a JSON pointer to the bad choice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from survey.errors import Problem, SpecError

Normalisation = Literal["goalposts", "minmax", "zscore", "rank"]
Method = Literal["arithmetic", "geometric", "generalised", "copeland"]
LevelName = Literal["subdimension", "dimension", "index"]
ElementKind = Literal["indicator", "subdimension", "dimension"]
Estimates = Literal["unweighted", "weighted"]
WeightScheme = Literal["equal", "user", "pca"]

LEVELS: tuple[LevelName, ...] = ("subdimension", "dimension", "index")
"""Aggregation levels, named for what they produce (``subdimension``: indicators → sub-dimension)."""

POSITIVE_NORMALISATIONS = frozenset({"goalposts", "minmax", "rank"})
"""Normalisations whose values are > 0 (min–max is mapped onto PAPI's 1–10 range)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Aggregation(_Frozen):
    """One aggregation alternative: ``arithmetic``, ``geometric``, ``generalised`` (with ``p``)
    or ``copeland``. In YAML a bare string works too, and ``generalised:0.5`` sets ``p``."""

    method: Method
    p: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            method, _, p = value.partition(":")
            return {"method": method.strip(), **({"p": float(p)} if p else {})}
        return value

    @model_validator(mode="after")
    def _p_only_for_generalised(self) -> Aggregation:
        if self.method == "generalised" and (self.p is None or self.p == 0):
            raise ValueError("a generalised mean needs a non-zero `p` (p = 0 is `geometric`)")
        if self.method != "generalised" and self.p is not None:
            raise ValueError(f"`p` applies only to `generalised`, not to `{self.method}`")
        return self

    @property
    def label(self) -> str:
        return f"generalised(p={self.p:g})" if self.p is not None else self.method

    @property
    def needs_positive(self) -> bool:
        return self.method in ("geometric", "generalised")

    @property
    def keeps_positive(self) -> bool:
        return self.method != "copeland"


class WeightSchemes(_Frozen):
    """Weight schemes (alternatives) and a uniform ±``noise`` on every weight.

    ``equal`` is PAPI's; ``user`` takes ``user`` (code → raw weight, 1 for codes not named);
    ``pca`` takes squared first-component loadings per group (OECD/JRC Handbook 2008, §6.1).
    ``noise`` = 0.25 multiplies every raw weight by an independent U(0.75, 1.25) per run; the
    aggregator renormalises (docs/variance.md, "Composite indicators and sensitivity").
    """

    schemes: tuple[WeightScheme, ...] = ("equal",)
    user: dict[str, float] = Field(default_factory=dict)
    noise: float = Field(default=0.0, ge=0.0, lt=1.0)

    @field_validator("schemes")
    @classmethod
    def _distinct(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _distinct_nonempty(v)

    @field_validator("user")
    @classmethod
    def _positive(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: w for k, w in v.items() if not w >= 0}
        if bad:
            raise ValueError(f"user weights must be >= 0; got {bad}")
        return v

    @model_validator(mode="after")
    def _user_given(self) -> WeightSchemes:
        if "user" in self.schemes and not self.user:
            raise ValueError("scheme `user` needs weights under `user:` (code: weight)")
        return self


class Exclusion(_Frozen):
    """Dropping elements: ``one_at_a_time`` (nothing, or one element, uniformly) or
    ``random`` (``k`` distinct elements per run) at ``level``."""

    mode: Literal["none", "one_at_a_time", "random"] = "none"
    level: ElementKind = "subdimension"
    k: int = Field(default=1, ge=1)


class Spec(_Frozen):
    """All uncertain choices; the first alternative of each list is the nominal one
    (docs/sensitivity.md). Build one with :meth:`parse` or :meth:`from_yaml`.

    Attributes
    ----------
    normalisation : tuple of str
        ``goalposts`` (PAPI's), ``minmax``, ``zscore``, ``rank``.
    aggregation : dict of str to tuple of Aggregation
        Per level (``subdimension``, ``dimension``, ``index``) the aggregation alternatives.
    weights : WeightSchemes
        Weight schemes and the noise on every weight.
    exclusion : Exclusion
        Dropping elements: none, one at a time, or k at random.
    estimates : tuple of str
        ``unweighted`` (PAPI's headline) and/or ``weighted`` (microdata only).
    sampling_error : bool
        Whether each run draws a bootstrap replicate (microdata only).
    """

    normalisation: tuple[Normalisation, ...] = ("goalposts",)
    aggregation: dict[LevelName, tuple[Aggregation, ...]] = Field(default_factory=dict)
    weights: WeightSchemes = Field(default_factory=WeightSchemes)
    exclusion: Exclusion = Field(default_factory=Exclusion)
    estimates: tuple[Estimates, ...] = ("unweighted",)
    sampling_error: bool = False

    @field_validator("normalisation", "estimates")
    @classmethod
    def _distinct(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _distinct_nonempty(v)

    @field_validator("aggregation")
    @classmethod
    def _nonempty(
        cls, v: dict[LevelName, tuple[Aggregation, ...]]
    ) -> dict[LevelName, tuple[Aggregation, ...]]:
        for level, alts in v.items():
            if not alts:
                raise ValueError(f"aggregation `{level}` lists no alternative")
            labels = [a.label for a in alts]
            if len(set(labels)) < len(labels):
                raise ValueError(f"aggregation `{level}` lists an alternative twice: {labels}")
        return v

    # ----- construction -------------------------------------------------------------------
    @classmethod
    def parse(cls, data: Mapping[str, Any] | None) -> Spec:
        """Validate a mapping; every problem becomes a located :class:`SpecError` problem."""
        try:
            return cls.model_validate(dict(data or {}))
        except ValidationError as exc:
            problems = [
                Problem(
                    pointer="/" + "/".join(str(p) for p in err["loc"]),
                    code="spec_" + err["type"],
                    message=str(err["msg"]),
                )
                for err in exc.errors()
            ]
            raise SpecError.with_problems(
                f"sensitivity spec is invalid ({len(problems)} problem(s)); "
                "fix the choices named below (see docs/sensitivity.md for the allowed values)",
                problems,
            ) from None

    @classmethod
    def from_yaml(cls, text: str) -> Spec:
        """Parse a YAML document (the text, not a path: scoring does no I/O)."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SpecError(f"sensitivity spec is not valid YAML: {exc}") from None
        if data is not None and not isinstance(data, dict):
            raise SpecError(
                f"sensitivity spec must be a YAML mapping of choices, got {type(data).__name__}"
            )
        return cls.parse(data)

    def aggregations(self, level: LevelName) -> tuple[Aggregation, ...]:
        """Alternatives at ``level`` (PAPI's arithmetic mean when not given)."""
        return self.aggregation.get(level, (Aggregation(method="arithmetic"),))

    # ----- validation against the data ----------------------------------------------------
    def check(
        self, *, microdata: bool, levels: Sequence[LevelName], codes: Mapping[str, Sequence[str]]
    ) -> None:
        """Fail loudly on choices that do not apply to this data.

        ``levels``: the aggregation levels the data has, bottom-up; ``codes``: element kind →
        codes (``indicator``/``subdimension``/``dimension``).
        """
        problems: list[Problem] = []

        def bad(pointer: str, code: str, message: str) -> None:
            problems.append(Problem(pointer, code, message))

        data_kind = "microdata" if microdata else "published scores"
        if not microdata and self.sampling_error:
            bad("/sampling_error", "inapplicable", "sampling error needs microdata (--responses)")
        if not microdata and self.estimates != ("unweighted",):
            bad(
                "/estimates",
                "inapplicable",
                "weighted vs unweighted estimates need microdata; published scores are fixed",
            )
        for level in self.aggregation:
            if level not in levels:
                bad(
                    f"/aggregation/{level}",
                    "inapplicable",
                    f"{data_kind} have no `{level}` aggregation level; expected one of {list(levels)}",
                )
        # inputs stay positive up the hierarchy unless z-scores or a Copeland level intervene
        source = None if POSITIVE_NORMALISATIONS.issuperset(self.normalisation) else "z-scores"
        for i, level in enumerate(levels):
            below = self.aggregations(levels[i - 1]) if i > 0 else ()
            if source is None and not all(a.keeps_positive for a in below):
                source = f"Copeland scores at `{levels[i - 1]}`"
            for j, alt in enumerate(self.aggregations(level)):
                if alt.needs_positive and source is not None:
                    bad(
                        f"/aggregation/{level}/{j}",
                        "inapplicable_combination",
                        f"`{alt.label}` needs positive inputs but may receive {source}; "
                        "drop one of the two choices",
                    )
        ex = self.exclusion
        if ex.mode != "none":
            if ex.level not in codes:
                bad(
                    "/exclusion/level",
                    "inapplicable",
                    f"{data_kind} have no `{ex.level}` elements to exclude; "
                    f"expected one of {sorted(codes)}",
                )
            elif ex.mode == "random" and ex.k >= len(codes[ex.level]):
                bad(
                    "/exclusion/k",
                    "out_of_range",
                    f"cannot drop k={ex.k} of {len(codes[ex.level])} {ex.level}s; "
                    "expected k below that count",
                )
        known = {c for cs in codes.values() for c in cs}
        for code in sorted(set(self.weights.user) - known):
            bad(
                f"/weights/user/{code}",
                "unknown_code",
                f"no element `{code}` in this index; expected one of the codes {sorted(known)}",
            )
        if problems:
            raise SpecError.with_problems(
                f"sensitivity spec does not apply to these {data_kind} "
                f"({len(problems)} problem(s))",
                problems,
                code="spec_inapplicable",
            )


def default_audit(*, microdata: bool) -> Spec:
    """A JRC-style audit: three normalisations, arithmetic vs geometric means at every level,
    ±25% weight noise, one sub-dimension dropped at a time (and, for microdata, weighted vs
    unweighted estimates and one bootstrap replicate per run).

    Parameters
    ----------
    microdata : bool
        Whether the audit runs on respondent data (adds the estimate and sampling-error
        choices, and the sub-dimension level).

    Returns
    -------
    Spec
        The audit's choices.
    """
    mean_or_geo = (Aggregation(method="arithmetic"), Aggregation(method="geometric"))
    levels: tuple[LevelName, ...] = (
        ("subdimension", "dimension", "index") if microdata else ("dimension", "index")
    )
    return Spec(
        normalisation=("goalposts", "minmax", "rank"),
        aggregation=dict.fromkeys(levels, mean_or_geo),
        weights=WeightSchemes(noise=0.25),
        exclusion=Exclusion(mode="one_at_a_time", level="subdimension"),
        estimates=("unweighted", "weighted") if microdata else ("unweighted",),
        sampling_error=microdata,
    )


def _distinct_nonempty(v: tuple[str, ...]) -> tuple[str, ...]:
    if not v:
        raise ValueError("list at least one alternative")
    if len(set(v)) < len(v):
        raise ValueError(f"an alternative is listed twice: {list(v)}")
    return v
