"""Cross-reference checks of conditions and of the index structure (docs/questionnaire-format.md,
"Loader errors"): unknown items and codes in conditions and indicators, duplicate and
misplaced indicator codes, empty dimensions and sub-dimensions, indicator fields per kind,
goalposts (L != U, agreeing with the direction, inside the possible values).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from survey.conditions.expressions import DOT, Call, ExpressionParseError, Node, Ref, walk
from survey.errors import Problem

if TYPE_CHECKING:
    from survey.questionnaire.schema import Indicator, Item, Questionnaire

SHARE_TYPES = frozenset({"single_choice", "multiple_choice", "yes_no", "rating", "integer"})
MEAN_TYPES = frozenset({"rating", "integer", "decimal", "yes_no"})


def parse_condition(q: Questionnaire, source: str, pointer: str, out: list[Problem]) -> Node | None:
    """The parsed condition (cached on ``q``), or None after recording its syntax error."""
    try:
        return q.condition(source)
    except ExpressionParseError as exc:
        out.append(Problem(pointer, "expression_syntax", exc.message))
        return None


def check_condition(
    q: Questionnaire,
    node: Node,
    pointer: str,
    out: list[Problem],
    item: Item | None,
    field: str,
    owner: str = "",
) -> None:
    source_types = {it.id: it.type for it in q.items}
    where = f"{owner}: " if owner else ""
    for n in walk(node):
        if not isinstance(n, Ref | Call):
            continue
        if n.item == DOT:
            if field != "constraint":
                out.append(
                    Problem(
                        pointer,
                        "dot_outside_constraint",
                        f"{where}'.' (the answer being constrained) is only allowed in a constraint, found at column {n.column}",
                    )
                )
                continue
            assert item is not None
            kind = item.type
            name = item.id
        elif n.item not in source_types:
            out.append(
                Problem(
                    pointer,
                    "unknown_item",
                    f"{where}the condition reads {n.item!r} at column {n.column}, which is not an item of the questionnaire",
                )
            )
            continue
        else:
            kind = source_types[n.item]
            name = n.item
        if isinstance(n, Ref) and kind == "multiple_choice":
            out.append(
                Problem(
                    pointer,
                    "wrong_item_type",
                    f"{where}multiple-choice item {name!r} is used as a value at column {n.column}; use selected({name}, code) or count_selected({name})",
                )
            )
        if isinstance(n, Call) and n.func in ("selected", "count_selected"):
            if kind != "multiple_choice":
                out.append(
                    Problem(
                        pointer,
                        "wrong_item_type",
                        f"{where}{n.func}() needs a multiple-choice item; {name!r} is {kind} (column {n.column}); compare it with == instead",
                    )
                )
            elif n.code is not None and known_choices(q, name) and n.code not in q.codes_of(name):
                out.append(
                    Problem(
                        pointer,
                        "unknown_code",
                        f"{where}selected({name}, {n.code}): code {n.code} is not among the choices {sorted(q.codes_of(name))}",
                    )
                )


def known_choices(q: Questionnaire, item_id: str) -> bool:
    """False when the item's named choice list is undefined (reported once, elsewhere)."""
    choices = q.item(item_id).choices
    return not isinstance(choices, str) or choices in q.choice_lists


def check_structure(q: Questionnaire, out: list[Problem]) -> None:
    dims = q.structure.dimensions
    if not dims:
        out.append(
            Problem("/structure/dimensions", "empty_structure", "the structure has no dimensions")
        )
    seen_dim: set[str] = set()
    seen_sub: set[str] = set()
    seen_ind: dict[str, str] = {}
    for d, dim in enumerate(dims):
        pd_ = f"/structure/dimensions/{d}"
        if dim.code in seen_dim:
            out.append(
                Problem(
                    f"{pd_}/code", "duplicate_code", f"dimension code {dim.code!r} is used twice"
                )
            )
        seen_dim.add(dim.code)
        if not dim.subdimensions:
            out.append(
                Problem(
                    f"{pd_}/subdimensions",
                    "empty_dimension",
                    f"dimension {dim.code} has no sub-dimensions",
                )
            )
        for s, sub in enumerate(dim.subdimensions):
            ps = f"{pd_}/subdimensions/{s}"
            if sub.code in seen_sub:
                out.append(
                    Problem(
                        f"{ps}/code",
                        "duplicate_code",
                        f"sub-dimension code {sub.code!r} is used twice",
                    )
                )
            seen_sub.add(sub.code)
            if not sub.indicators:
                out.append(
                    Problem(
                        f"{ps}/indicators",
                        "empty_subdimension",
                        f"sub-dimension {sub.code} has no indicators",
                    )
                )
            for k, ind in enumerate(sub.indicators):
                pi = f"{ps}/indicators/{k}"
                if ind.code in seen_ind:
                    other = seen_ind[ind.code]
                    if other != sub.code:
                        out.append(
                            Problem(
                                f"{pi}/code",
                                "indicator_in_two_subdimensions",
                                f"indicator {ind.code!r} appears in {other} and in {sub.code}; an indicator belongs to one sub-dimension",
                            )
                        )
                    else:
                        out.append(
                            Problem(
                                f"{pi}/code",
                                "duplicate_code",
                                f"indicator code {ind.code!r} appears twice in {sub.code}",
                            )
                        )
                seen_ind.setdefault(ind.code, sub.code)
                _check_indicator(q, ind, pi, out)


def _need(ind: Indicator, field: str, pi: str, out: list[Problem], what: str) -> None:
    out.append(
        Problem(
            f"{pi}/{field}",
            "missing_field",
            f"{ind.kind} indicator {ind.code!r} needs {field!r} ({what})",
        )
    )


def _check_indicator(q: Questionnaire, ind: Indicator, pi: str, out: list[Problem]) -> None:
    allowed = {"share": {"item", "codes"}, "mean": {"items"}, "checklist": {"criteria"}}[ind.kind]
    for field in ("item", "items", "codes", "criteria"):
        if field not in allowed and getattr(ind, field) is not None:
            out.append(
                Problem(
                    f"{pi}/{field}",
                    "field_not_allowed",
                    f"{ind.kind} indicator {ind.code!r} cannot have {field!r}; it uses {sorted(allowed)}",
                )
            )
    types = {it.id: it.type for it in q.items}
    n_max = 1.0
    if ind.kind == "share":
        if ind.item is None:
            _need(ind, "item", pi, out, "the item read")
        if not ind.codes:
            _need(ind, "codes", pi, out, "the answers counted as success")
        if ind.item is not None:
            _check_codes(
                q, ind.item, ind.codes or (), f"{pi}/item", f"{pi}/codes", SHARE_TYPES, types, out
            )
    elif ind.kind == "mean":
        if not ind.items:
            _need(ind, "items", pi, out, "one or more rating or number items")
        for j, item_id in enumerate(ind.items or ()):
            if item_id not in types:
                out.append(
                    Problem(
                        f"{pi}/items/{j}",
                        "unknown_item",
                        f"indicator {ind.code!r} reads {item_id!r}, which is not an item",
                    )
                )
            elif types[item_id] not in MEAN_TYPES:
                out.append(
                    Problem(
                        f"{pi}/items/{j}",
                        "wrong_item_type",
                        f"mean indicator {ind.code!r} reads {item_id!r} of type {types[item_id]}; expected one of {sorted(MEAN_TYPES)}",
                    )
                )
    else:
        if not ind.criteria:
            _need(ind, "criteria", pi, out, "the list of conditions counted")
        n_max = float(len(ind.criteria or ()))
        for j, crit in enumerate(ind.criteria or ()):
            pc = f"{pi}/criteria/{j}"
            _check_codes(
                q, crit.item, crit.codes, f"{pc}/item", f"{pc}/codes", SHARE_TYPES, types, out
            )
    if ind.eligible is not None:
        node = parse_condition(q, ind.eligible, f"{pi}/eligible", out)
        if node is not None:
            check_condition(
                q, node, f"{pi}/eligible", out, None, "eligible", f"indicator {ind.code!r} eligible"
            )
    _check_goalposts(q, ind, pi, n_max, out)


def _check_codes(
    q: Questionnaire,
    item_id: str,
    codes: tuple[int, ...],
    p_item: str,
    p_codes: str,
    allowed: frozenset[str],
    types: Mapping[str, str],
    out: list[Problem],
) -> None:
    if item_id not in types:
        out.append(
            Problem(p_item, "unknown_item", f"{item_id!r} is not an item of the questionnaire")
        )
        return
    if types[item_id] not in allowed:
        out.append(
            Problem(
                p_item,
                "wrong_item_type",
                f"{item_id!r} is {types[item_id]}; expected one of {sorted(allowed)}",
            )
        )
        return
    if types[item_id] == "integer":
        return
    if not known_choices(q, item_id):
        return
    known = q.codes_of(item_id)
    for j, code in enumerate(codes):
        if code not in known:
            out.append(
                Problem(
                    f"{p_codes}/{j}",
                    "unknown_code",
                    f"code {code} is not among the choices of {item_id!r} ({sorted(known)})",
                )
            )


def _check_goalposts(
    q: Questionnaire, ind: Indicator, pi: str, n_max: float, out: list[Problem]
) -> None:
    lo, hi = ind.goalposts
    p = f"{pi}/goalposts"
    if lo == hi:
        out.append(
            Problem(
                p,
                "goalposts_equal",
                f"indicator {ind.code!r}: L == U == {lo}; the rescaling 1 + 9(x - L)/(U - L) needs L != U",
            )
        )
        return
    if (ind.direction == "positive") != (lo < hi):
        expect = (
            "L < U (worst below best)"
            if ind.direction == "positive"
            else "L > U (higher x is worse)"
        )
        out.append(
            Problem(
                p,
                "direction_mismatch",
                f"indicator {ind.code!r} is {ind.direction} but has goalposts [{lo}, {hi}]; expected {expect}",
            )
        )
    bounds: tuple[float, float] | None = None
    if ind.kind == "share":
        bounds = (0.0, 1.0)
    elif ind.kind == "checklist":
        bounds = (0.0, n_max)
    elif ind.items and all(q.has_item(i) and q.item(i).type == "rating" for i in ind.items):
        scales = [q.item(i).scale for i in ind.items]
        if all(s is not None for s in scales):
            bounds = (min(s.min for s in scales if s), max(s.max for s in scales if s))
    if bounds and not (bounds[0] <= min(lo, hi) and max(lo, hi) <= bounds[1]):
        out.append(
            Problem(
                p,
                "goalposts_out_of_range",
                f"indicator {ind.code!r}: goalposts [{lo}, {hi}] lie outside the possible values {bounds[0]:g}..{bounds[1]:g} of a {ind.kind}",
            )
        )
