"""Immutable models of a questionnaire and its index structure (docs/questionnaire-format.md).

A :class:`Questionnaire` holds items (the questions, in order), reusable choice lists,
explicit special-answer codes and the index ``structure`` (dimensions -> sub-dimensions ->
indicators, docs/method.md "Structure"). Every model is a frozen pydantic v2 model that forbids
unknown fields. Constructing a :class:`Questionnaire` runs the cross-reference checks of
:mod:`survey.questionnaire.definition_checks` and raises :class:`~survey.errors.QuestionnaireError` listing every
located problem; structural errors surface as pydantic's ``ValidationError``, which
:func:`survey.questionnaire.loader.parse_questionnaire` turns into located problems too.

Derived data (parsed conditions, resolved choices, compiled validators) is cached on the
instance in a private slot that never takes part in equality.

Validating a response is :func:`survey.validation.validate_response` and
:func:`survey.validation.verdict`: validation builds on this model, never the reverse.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from survey.conditions.expressions import Node, parse_condition
from survey.errors import NotFound, QuestionnaireError

ItemType = Literal[
    "single_choice",
    "multiple_choice",
    "yes_no",
    "rating",
    "integer",
    "decimal",
    "text",
    "date",
]
IndicatorKind = Literal["share", "mean", "checklist"]
Direction = Literal["positive", "negative"]
Bound = int | float | str

CHOICE_TYPES = frozenset({"single_choice", "multiple_choice", "yes_no", "rating"})
NUMERIC_TYPES = frozenset({"single_choice", "yes_no", "rating", "integer", "decimal"})
STRING_TYPES = frozenset({"text", "date"})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Label(_Frozen):
    """A text in Vietnamese and English.

    Attributes
    ----------
    vi : str
        The Vietnamese text.
    en : str
        The English text (``str(label)``).
    """

    vi: str
    en: str

    def __str__(self) -> str:
        return self.en


MAX_TEXT_BYTES = 2045  # Stata's str2045, the widest fixed-width string of a .dta file


class Choice(_Frozen):
    """One answer option of a choice item.

    Attributes
    ----------
    code : int
        The stored answer.
    label : Label
        What the respondent reads.
    """

    code: int
    label: Label


class Scale(_Frozen):
    """The ordered scale of a rating item (inclusive bounds).

    Attributes
    ----------
    min, max : int
        The lowest and highest rating.
    """

    min: int
    max: int


class Item(_Frozen):
    """One question of the questionnaire (docs/questionnaire-format.md).

    Attributes
    ----------
    id : str
        The answer's key, lower case (``q201``).
    type : str
        ``single_choice``, ``multiple_choice``, ``yes_no``, ``rating``, ``integer``,
        ``decimal``, ``text`` or ``date``.
    label : Label
        The question's text.
    section : str or None
        The questionnaire section it belongs to.
    choices : str, tuple of Choice or None
        The options of a choice item, or the name of a list in ``choice_lists``.
    required : bool
        Whether a relevant item must be answered.
    relevant : str or None
        Condition (survey.parse_condition) under which the item is asked.
    constraint : str or None
        Condition an answer must meet (``.`` is the answer).
    constraint_message : Label or None
        What to say when the constraint fails.
    min, max : int, float, str or None
        Bounds of a number or date answer (inclusive; dates as ISO strings).
    scale : Scale or None
        The scale of a rating item.
    special : tuple of str
        The special codes (``dont_know``, ``refused``, …) the item accepts.
    meta : dict
        Free metadata carried along (not validated).
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: ItemType
    label: Label
    section: str | None = None
    choices: str | tuple[Choice, ...] | None = None
    required: bool = True
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Label | None = None
    min: Bound | None = None
    max: Bound | None = None
    scale: Scale | None = None
    special: tuple[str, ...] = ()
    meta: dict[str, Any] = Field(default_factory=dict)

    @field_validator("min", "max", mode="before")
    @classmethod
    def _iso_dates(cls, value: Any) -> Any:
        """YAML reads an unquoted 2021-06-01 as a date: keep bounds as ISO strings."""
        return value.isoformat() if isinstance(value, date) else value


class Criterion(_Frozen):
    """One condition of a checklist indicator: the answer to ``item`` is in ``codes``.

    Attributes
    ----------
    item : str
        The item's id.
    codes : tuple of int
        The answers that meet the condition.
    """

    item: str
    codes: tuple[int, ...]


class Indicator(_Frozen):
    """One indicator: how respondents' answers become a value, and its goalposts.

    Attributes
    ----------
    code : str
        The indicator's code.
    name : Label
        Its name.
    source : {"published", "modelled"}
        Whether PAPI publishes it or we model it.
    kind : str
        ``share`` (``item`` in ``codes``), ``mean`` (of ``items``) or ``checklist``
        (``criteria``), docs/questionnaire-format.md.
    item : str or None
        The item of a share.
    items : tuple of str or None
        The items of a mean.
    codes : tuple of int or None
        The answers a share counts.
    criteria : tuple of Criterion or None
        The conditions of a checklist.
    eligible : str or None
        Condition (survey.parse_condition) a respondent must meet to count.
    direction : {"positive", "negative"}
        Whether a higher value is better.
    goalposts : tuple of float
        ``(L, U)``: the worst and best values; ``rescale`` maps them to 1 and 10.
    description : Label or None
        A longer description.
    meta : dict
        Free metadata carried along (not validated).
    """

    code: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    name: Label
    source: Literal["published", "modelled"] = "modelled"
    kind: IndicatorKind
    item: str | None = None
    items: tuple[str, ...] | None = None
    codes: tuple[int, ...] | None = None
    criteria: tuple[Criterion, ...] | None = None
    eligible: str | None = None
    direction: Direction = "positive"
    goalposts: tuple[float, float]
    description: Label | None = None
    meta: dict[str, Any] = Field(default_factory=dict)

    @property
    def low(self) -> float:
        """L: the worst possible value."""
        return self.goalposts[0]

    @property
    def high(self) -> float:
        """U: the best possible value."""
        return self.goalposts[1]

    @property
    def item_ids(self) -> tuple[str, ...]:
        """The items the indicator reads (without its eligibility condition)."""
        if self.kind == "share":
            return (self.item,) if self.item else ()
        if self.kind == "mean":
            return self.items or ()
        return tuple(c.item for c in self.criteria or ())

    def rescale(self, x: float) -> float:
        """``1 + 9 (x - L) / (U - L)`` (docs/method.md "Arithmetic"), not clipped."""
        return 1.0 + 9.0 * (x - self.low) / (self.high - self.low)


class SubDimension(_Frozen):
    """A sub-dimension: the mean of its indicators' rescaled values, divided by k.

    Attributes
    ----------
    code : str
        ``SC`` and a number.
    name : Label
        Its name.
    indicators : tuple of Indicator
        Its indicators.
    """

    code: str = Field(pattern=r"^SC\d+$")
    name: Label
    indicators: tuple[Indicator, ...] = ()


class Dimension(_Frozen):
    """A dimension: the sum of its sub-dimensions (1–10).

    Attributes
    ----------
    code : str
        ``D`` and a number.
    name : Label
        Its name.
    subdimensions : tuple of SubDimension
        Its sub-dimensions; ``k`` is their number.
    """

    code: str = Field(pattern=r"^D\d+$")
    name: Label
    subdimensions: tuple[SubDimension, ...] = ()

    @property
    def k(self) -> int:
        """Number of sub-dimensions (the divisor k_d of docs/method.md "Arithmetic")."""
        return len(self.subdimensions)


class Structure(_Frozen):
    """The index: dimensions → sub-dimensions → indicators.

    Attributes
    ----------
    dimensions : tuple of Dimension
        The dimensions, in order; the aggregate is their sum (8–80 with eight).
    """

    dimensions: tuple[Dimension, ...] = ()

    @property
    def k(self) -> tuple[int, ...]:
        """k per dimension, in order (e.g. ``(4, 4, 3, 4, 3, 4, 3, 3)`` for 2021)."""
        return tuple(d.k for d in self.dimensions)

    @property
    def subdimensions(self) -> tuple[SubDimension, ...]:
        return tuple(s for d in self.dimensions for s in d.subdimensions)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for s in self.subdimensions for i in s.indicators)

    @property
    def signature(self) -> str:
        """The structure as part of the version: k per dimension, e.g. ``4-4-3-4-3-4-3-3``."""
        return "-".join(str(k) for k in self.k)


class _Cache:
    """Per-instance cache of derived data; equal to every other cache so it never affects
    model equality."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Cache)

    __hash__ = None  # type: ignore[assignment]


class Questionnaire(_Frozen):
    """A versioned questionnaire: its items and the index built on them. Load one with
    ``load_questionnaire``; construction checks every cross-reference.

    Attributes
    ----------
    id : str
        Its id (``papi-2021``).
    version : str
        Its version; ``full_version`` adds the structure signature.
    year : int
        The survey year it is for.
    title : Label
        Its title.
    special_codes : dict of str to int
        Codes of special answers (``dont_know`` …).
    choice_lists : dict of str to tuple of Choice
        Named option lists that items refer to.
    items : tuple of Item
        The questions.
    structure : Structure
        The index.
    max_text_bytes : int
        The longest text answer in UTF-8 bytes (at most 2,045).

    Raises
    ------
    QuestionnaireError
        A reference that does not resolve or a condition that does not parse, with every
        problem located.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str
    year: int
    title: Label
    special_codes: dict[str, int] = Field(default_factory=dict)
    choice_lists: dict[str, tuple[Choice, ...]] = Field(default_factory=dict)
    items: tuple[Item, ...]
    structure: Structure = Structure()
    # The longest text answer, in UTF-8 bytes, of every text item (docs/questionnaire-
    # format.md). 2,045 is Stata's widest fixed string (str2045): every accepted survey
    # exports to .dta without strL, and a .sav column stays at most that wide.
    max_text_bytes: int = Field(default=MAX_TEXT_BYTES, ge=1, le=MAX_TEXT_BYTES)

    _cache: _Cache = PrivateAttr(default_factory=_Cache)

    @model_validator(mode="after")
    def _cross_references(self) -> Questionnaire:
        from survey.questionnaire.definition_checks import check_questionnaire

        problems = check_questionnaire(self)
        if problems:
            raise QuestionnaireError.with_problems(
                f"questionnaire {self.id!r} has {len(problems)} problem(s)", problems
            )
        return self

    def model_copy(self, *, update: Any = None, deep: bool = False) -> Questionnaire:
        copy = super().model_copy(update=update, deep=deep)
        copy._cache = _Cache()
        return copy

    # ------------------------------------------------------------ lookups
    @property
    def _by_id(self) -> dict[str, Item]:
        found = self._cache.data.get("by_id")
        if found is None:
            found = self._cache.data["by_id"] = {it.id: it for it in reversed(self.items)}
        return found

    def item(self, item_id: str) -> Item:
        """The item with this id; raises NotFound."""
        try:
            return self._by_id[item_id]
        except KeyError:
            raise NotFound(
                message=f"questionnaire {self.id!r} has no item {item_id!r}",
                code="item_not_found",
            ) from None

    def has_item(self, item_id: str) -> bool:
        return item_id in self._by_id

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(it.id for it in self.items)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """All indicators, flat, in structure order."""
        return self.structure.indicators

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise NotFound(
            message=f"questionnaire {self.id!r} has no indicator {code!r}",
            code="indicator_not_found",
        )

    def subdimension(self, code: str) -> SubDimension:
        for sub in self.structure.subdimensions:
            if sub.code == code:
                return sub
        raise NotFound(
            message=f"questionnaire {self.id!r} has no sub-dimension {code!r}; it has "
            f"{', '.join(s.code for s in self.structure.subdimensions)}",
            code="subdimension_not_found",
        )

    def dimension(self, code: str) -> Dimension:
        for dim in self.structure.dimensions:
            if dim.code == code:
                return dim
        raise NotFound(
            message=f"questionnaire {self.id!r} has no dimension {code!r}; it has "
            f"{', '.join(d.code for d in self.structure.dimensions)}",
            code="dimension_not_found",
        )

    @property
    def structure_signature(self) -> str:
        """k per dimension, e.g. ``4-4-3-4-3-4-3-3``; part of the version."""
        return self.structure.signature

    @property
    def full_version(self) -> str:
        """``version`` with the structure signature, e.g. ``2021.1+4-4-3-4-3-4-3-3``."""
        return f"{self.version}+{self.structure_signature}"

    @property
    def special_code_values(self) -> frozenset[int]:
        """Every special code; a value equal to one of them counts as missing everywhere."""
        return frozenset(self.special_codes.values())

    def allowed_special(self, item: Item | str) -> dict[str, int]:
        """Special answers allowed for the item: name -> code."""
        it = self.item(item) if isinstance(item, str) else item
        return {n: self.special_codes[n] for n in it.special if n in self.special_codes}

    def choices_of(self, item: Item | str) -> tuple[Choice, ...]:
        """The item's choices, resolved: a named list, inline choices, yes/no (1 yes, 0 no),
        or a rating's scale points (labelled by its choices when given)."""
        it = self.item(item) if isinstance(item, str) else item
        key = f"choices:{it.id}"
        cached = self._cache.data.get(key)
        if cached is None:
            cached = self._resolve_choices(it)
            self._cache.data[key] = cached
        return cached

    def _resolve_choices(self, it: Item) -> tuple[Choice, ...]:
        if isinstance(it.choices, str):
            given: tuple[Choice, ...] = self.choice_lists.get(it.choices, ())
        else:
            given = it.choices or ()
        if it.type == "yes_no" and not given:
            return (
                Choice(code=1, label=Label(vi="Có", en="Yes")),
                Choice(code=0, label=Label(vi="Không", en="No")),
            )
        if it.type == "rating" and it.scale is not None:
            labels = {c.code: c.label for c in given}
            return tuple(
                Choice(code=v, label=labels.get(v, Label(vi=str(v), en=str(v))))
                for v in range(it.scale.min, it.scale.max + 1)
            )
        return given if it.type in CHOICE_TYPES else ()

    def codes_of(self, item: Item | str) -> frozenset[int]:
        return frozenset(c.code for c in self.choices_of(item))

    def condition(self, source: str) -> Node:
        """The parsed tree of a condition (cached)."""
        key = f"expr:{source}"
        node = self._cache.data.get(key)
        if node is None:
            node = parse_condition(source)
            self._cache.data[key] = node
        return node

    def cached(self, key: str) -> Any:
        """Derived data cached on this instance (used by validation, scoring)."""
        return self._cache.data.get(key)

    def store(self, key: str, value: Any) -> Any:
        self._cache.data[key] = value
        return value

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "year": self.year,
            "structure": self.structure_signature,
            "dimensions": len(self.structure.dimensions),
            "subdimensions": len(self.structure.subdimensions),
            "k": list(self.structure.k),
            "indicators": len(self.indicators),
            "items": len(self.items),
        }
