"""Cross-reference checks of a questionnaire definition (docs/questionnaire-format.md,
"Loader errors"): items, choices, special codes, bounds, condition order and cycles; the
index structure is checked by :mod:`survey.questionnaire.structure_checks`.

:func:`check_questionnaire` returns every problem, each located by a JSON pointer (RFC 6901)
into the document, with a stable code. It runs after pydantic has checked the shapes, so it
can rely on types; it never stops at the first problem.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from survey.conditions.expressions import (
    referenced_items,
)
from survey.errors import Problem
from survey.questionnaire.structure_checks import check_condition, check_structure, parse_condition

if TYPE_CHECKING:
    from survey.questionnaire.schema import Item, Questionnaire


def check_questionnaire(q: Questionnaire) -> list[Problem]:
    out: list[Problem] = []
    _check_special_codes(q, out)
    _check_choice_lists(q, out)
    position = _check_item_ids(q, out)
    graph: dict[str, set[str]] = {}
    for i, item in enumerate(q.items):
        _check_item(q, i, item, out)
        graph.setdefault(item.id, set())
        for field in ("relevant", "constraint"):
            source = getattr(item, field)
            if source is None:
                continue
            node = parse_condition(q, source, f"/items/{i}/{field}", out)
            if node is None:
                continue
            check_condition(
                q, node, f"/items/{i}/{field}", out, item, field, f"item {item.id!r} {field}"
            )
            refs = referenced_items(node) & position.keys()
            graph[item.id] |= refs
            for ref in sorted(refs):
                if ref == item.id:
                    out.append(
                        Problem(
                            f"/items/{i}/{field}",
                            "self_reference",
                            f"item {item.id!r}: the {field} condition {source!r} refers to the "
                            "item itself; conditions may only read earlier items",
                        )
                    )
                elif position[ref] > i:
                    out.append(
                        Problem(
                            f"/items/{i}/{field}",
                            "forward_reference",
                            f"item {item.id!r}: the {field} condition {source!r} reads {ref!r}, "
                            f"which comes later (position {position[ref]} > {i}); move {ref!r} "
                            "before it or change the condition",
                        )
                    )
    _check_cycles(graph, position, out)
    check_structure(q, out)
    return out


def _dupes(values: list[int]) -> set[int]:
    return {v for v, n in Counter(values).items() if n > 1}


def _check_special_codes(q: Questionnaire, out: list[Problem]) -> None:
    seen: dict[int, str] = {}
    for name, code in q.special_codes.items():
        pointer = f"/special_codes/{name}"
        if code >= 0:
            out.append(
                Problem(
                    pointer,
                    "special_code_not_negative",
                    f"special answer {name!r} has code {code}; special codes must be negative "
                    "so they never collide with real answers (e.g. -8)",
                )
            )
        if code in seen:
            out.append(
                Problem(
                    pointer,
                    "duplicate_code",
                    f"special answers {seen[code]!r} and {name!r} share the code {code}",
                )
            )
        seen.setdefault(code, name)


def _check_choices(
    choices: tuple[object, ...], pointer: str, q: Questionnaire, out: list[Problem]
) -> None:
    codes = [c.code for c in choices]  # type: ignore[attr-defined]
    dup = _dupes(codes)
    specials = q.special_code_values
    for j, code in enumerate(codes):
        if code in dup and codes.index(code) != j:
            out.append(
                Problem(
                    f"{pointer}/{j}/code", "duplicate_code", f"choice code {code} appears twice"
                )
            )
        if code in specials:
            out.append(
                Problem(
                    f"{pointer}/{j}/code",
                    "special_code_conflict",
                    f"choice code {code} equals a special answer code; special codes count as "
                    "missing, so use another code",
                )
            )


def _check_choice_lists(q: Questionnaire, out: list[Problem]) -> None:
    for name, choices in q.choice_lists.items():
        if not choices:
            out.append(
                Problem(
                    f"/choice_lists/{name}", "empty_choice_list", f"choice list {name!r} is empty"
                )
            )
        _check_choices(choices, f"/choice_lists/{name}", q, out)


def _check_item_ids(q: Questionnaire, out: list[Problem]) -> dict[str, int]:
    position: dict[str, int] = {}
    for i, item in enumerate(q.items):
        if item.id in position:
            out.append(
                Problem(
                    f"/items/{i}/id",
                    "duplicate_id",
                    f"item id {item.id!r} is already used by item {position[item.id]}; ids must be unique",
                )
            )
        else:
            position[item.id] = i
    return position


def _not_allowed(pointer: str, field: str, item: Item, out: list[Problem], hint: str) -> None:
    out.append(
        Problem(
            f"{pointer}/{field}",
            "field_not_allowed",
            f"item {item.id!r} of type {item.type} cannot have {field!r}; {hint}",
        )
    )


def _check_item(q: Questionnaire, i: int, item: Item, out: list[Problem]) -> None:
    p = f"/items/{i}"
    t = item.type
    for j, name in enumerate(item.special):
        if name not in q.special_codes:
            out.append(
                Problem(
                    f"{p}/special/{j}",
                    "unknown_special",
                    f"item {item.id!r} allows special answer {name!r}, which is not one of "
                    f"special_codes {sorted(q.special_codes)}",
                )
            )
    if isinstance(item.choices, str):
        if item.choices not in q.choice_lists:
            out.append(
                Problem(
                    f"{p}/choices",
                    "unknown_choice_list",
                    f"item {item.id!r} uses choice list {item.choices!r}, which is not defined; "
                    f"known lists: {sorted(q.choice_lists)}",
                )
            )
    elif item.choices is not None:
        _check_choices(item.choices, f"{p}/choices", q, out)
    if t in ("single_choice", "multiple_choice") and item.choices is None:
        out.append(
            Problem(f"{p}/choices", "choices_missing", f"{t} item {item.id!r} needs choices")
        )
    if (
        t not in ("single_choice", "multiple_choice", "yes_no", "rating")
        and item.choices is not None
    ):
        _not_allowed(p, "choices", item, out, "only choice and rating items have choices")
    if t == "yes_no" and item.choices is not None:
        bad = q.codes_of(item) - {0, 1}
        if bad:
            out.append(
                Problem(
                    f"{p}/choices",
                    "unknown_code",
                    f"yes/no item {item.id!r} may only use codes 1 (yes) and 0 (no), not {sorted(bad)}",
                )
            )
    if t == "rating":
        _check_scale(q, p, item, out)
    elif item.scale is not None:
        _not_allowed(p, "scale", item, out, "only rating items have a scale")
    _check_bounds(q, p, item, out)


def _check_scale(q: Questionnaire, p: str, item: Item, out: list[Problem]) -> None:
    if item.scale is None:
        out.append(
            Problem(
                f"{p}/scale",
                "rating_without_scale",
                f"rating item {item.id!r} needs a scale {{min, max}}",
            )
        )
        return
    lo, hi = item.scale.min, item.scale.max
    if lo >= hi:
        out.append(
            Problem(
                f"{p}/scale",
                "min_greater_than_max",
                f"rating item {item.id!r}: scale min {lo} must be below max {hi}",
            )
        )
    if any(lo <= s <= hi for s in q.special_code_values):
        out.append(
            Problem(
                f"{p}/scale",
                "special_code_conflict",
                f"rating item {item.id!r}: scale {lo}..{hi} contains a special answer code",
            )
        )
    given = (
        item.choices
        if isinstance(item.choices, tuple)
        else q.choice_lists.get(item.choices or "", ())
    )
    for j, c in enumerate(given):
        if not lo <= c.code <= hi:
            out.append(
                Problem(
                    f"{p}/choices/{j}",
                    "unknown_code",
                    f"rating item {item.id!r}: choice code {c.code} lies outside its scale {lo}..{hi}",
                )
            )


def _check_bounds(q: Questionnaire, p: str, item: Item, out: list[Problem]) -> None:
    if item.min is None and item.max is None:
        return
    if item.type not in ("integer", "decimal", "date"):
        for field in ("min", "max"):
            if getattr(item, field) is not None:
                _not_allowed(
                    p,
                    field,
                    item,
                    out,
                    "bounds apply to integer, decimal and date items (ratings use scale)",
                )
        return
    values: dict[str, float | date] = {}
    for field in ("min", "max"):
        v = getattr(item, field)
        if v is None:
            continue
        if item.type == "date":
            try:
                values[field] = date.fromisoformat(str(v))
            except ValueError:
                out.append(
                    Problem(
                        f"{p}/{field}",
                        "bound_invalid",
                        f"date item {item.id!r}: {field} {v!r} is not an ISO date YYYY-MM-DD",
                    )
                )
        elif isinstance(v, str) or (item.type == "integer" and not isinstance(v, int)):
            expected = "an integer" if item.type == "integer" else "a number"
            out.append(
                Problem(
                    f"{p}/{field}",
                    "bound_invalid",
                    f"{item.type} item {item.id!r}: {field} {v!r} is not {expected}",
                )
            )
        else:
            values[field] = float(v)
    lo, hi = values.get("min"), values.get("max")
    if lo is not None and hi is not None and lo > hi:  # type: ignore[operator]
        out.append(
            Problem(
                f"{p}/min",
                "min_greater_than_max",
                f"item {item.id!r}: min {item.min!r} is greater than max {item.max!r}",
            )
        )
    if item.type != "date" and lo is not None and hi is not None:
        clash = sorted(s for s in q.special_code_values if lo <= s <= hi)  # type: ignore[operator]
        if clash:
            out.append(
                Problem(
                    f"{p}/min",
                    "special_code_conflict",
                    f"item {item.id!r}: range {item.min}..{item.max} contains special answer code(s) {clash}",
                )
            )


def _check_cycles(graph: dict[str, set[str]], position: dict[str, int], out: list[Problem]) -> None:
    """Report each cycle of length >= 2 in the condition graph once (Tarjan-free DFS)."""
    state: dict[str, int] = {}
    stack: list[str] = []
    reported: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt == node:
                continue
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    first = min(cycle, key=position.__getitem__)
                    path = " -> ".join([*cycle, nxt])
                    out.append(
                        Problem(
                            f"/items/{position[first]}",
                            "cycle",
                            f"conditions form a cycle {path}; conditions may only read earlier items",
                        )
                    )
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)
