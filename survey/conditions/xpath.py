"""Conditions ⇄ XLSForm/XPath: our condition language to the XPath that ODK engines evaluate,
and the XPath subset field teams write in XLSForm back to our language.

The two languages disagree on missing values, so the translation is not a token swap. In ours
(docs/questionnaire-format.md, "Conditions") an unanswered, non-relevant or *special* answer
(don't know, refused: negative codes) is missing and every comparison with it is false. In
XPath 1.0 (W3C XPath 1.0 §3.4) an empty node compares as ``''`` / ``NaN``: ``${x} != 1`` is
true for an empty ``x``, and ``${x} < 3`` is true for ``x = -8``. Every reference inside a
comparison is therefore guarded by *present(x)*: ``${x} != ''`` and, for each special code
``s`` of ``x``, ``${x} != s`` (``not(selected(${x}, 's'))`` for a multiple choice).

Reading XPath back (:mod:`survey.conditions.xpath_parse`), the guards are recognised and dropped again (they are redundant next to a
comparison on the same item under our semantics), ``${x} != ''`` becomes ``answered(x)``, and
the tree is rendered with the fewest parentheses. Only the subset that has a meaning in our
language is accepted (comparisons, ``and``/``or``/``not()``, ``+``/``-``, ``selected()``,
``count-selected()``, ``true()``/``false()``); anything else is an :class:`ExpressionError`
naming the column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from survey.conditions.expressions import (
    DOT,
    And,
    Arith,
    Call,
    Cmp,
    In,
    Lit,
    Node,
    Not,
    Or,
    Ref,
)


@dataclass(frozen=True, slots=True)
class ItemKind:
    """What the translation needs to know of an item."""

    multiple: bool = False
    special: tuple[int, ...] = ()


Kinds = Mapping[str, ItemKind]
_XPATH_OP = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


# ---------------------------------------------------------------- ours -> XPath
def _lit(value: object) -> str:
    if isinstance(value, bool):
        return "true()" if value else "false()"
    if isinstance(value, str):
        return f'"{value}"' if "'" in value else f"'{value}'"
    return str(value)


def _ref(item: str) -> str:
    return DOT if item == DOT else "${" + item + "}"


def _present(item: str, kinds: Kinds, current: str | None) -> list[str]:
    kind = kinds.get(current if item == DOT and current else item, ItemKind())
    ref = _ref(item)
    guards = [f"{ref} != ''"]
    for s in kind.special:
        guards.append(f"not(selected({ref}, '{s}'))" if kind.multiple else f"{ref} != {s}")
    return guards


def refs(node: Node) -> list[str]:
    if isinstance(node, Ref):
        return [node.item]
    if isinstance(node, Arith):
        return refs(node.left) + [r for r in refs(node.right) if r not in refs(node.left)]
    return []


def _guarded(refs: list[str], body: str, kinds: Kinds, current: str | None) -> str:
    guards = [g for r in dict.fromkeys(refs) for g in _present(r, kinds, current)]
    return "(" + " and ".join([*guards, body]) + ")" if guards else body


def _value(node: Node, kinds: Kinds, current: str | None) -> str:
    if isinstance(node, Lit):
        return _lit(node.value)
    if isinstance(node, Ref):
        return _ref(node.item)
    if isinstance(node, Arith):
        right = _value(node.right, kinds, current)
        if isinstance(node.right, Arith):
            right = f"({right})"
        return f"{_value(node.left, kinds, current)} {node.op} {right}"
    if isinstance(node, Call) and node.func == "count_selected":
        kind = kinds.get(node.item, ItemKind())
        count = f"count-selected({_ref(node.item)})"
        if kind.special:
            guard = " and ".join(_present(node.item, kinds, current))
            return f"if({guard}, {count}, 0)"
        return count
    return to_xpath(node, kinds, current)


def to_xpath(node: Node, kinds: Kinds, current: str | None = None) -> str:
    """XLSForm (``${item}``) XPath with our semantics; ``current`` is the item ``.`` names."""
    if isinstance(node, Lit):
        return _lit(bool(node.value))
    if isinstance(node, Ref | Arith):
        return _guarded(refs(node), f"{_value(node, kinds, current)} != 0", kinds, current)
    if isinstance(node, Call):
        if node.func == "answered":
            guards = _present(node.item, kinds, current)
            return guards[0] if len(guards) == 1 else "(" + " and ".join(guards) + ")"
        if node.func == "selected":
            return f"selected({_ref(node.item)}, '{node.code}')"
        return f"{_value(node, kinds, current)} != 0"
    if isinstance(node, Cmp):
        if isinstance(node.right, Lit) and node.right.value is None:
            present = to_xpath(Call("answered", refs(node.left)[0]), kinds, current)
            return present if node.op == "!=" else f"not({present})"
        body = f"{_value(node.left, kinds, current)} {_XPATH_OP[node.op]} {_value(node.right, kinds, current)}"
        return _guarded(refs(node.left) + refs(node.right), body, kinds, current)
    if isinstance(node, In):
        operand = _value(node.operand, kinds, current)
        alternatives = " or ".join(f"{operand} = {_lit(v)}" for v in node.values)
        body = f"not({alternatives})" if node.negated else f"({alternatives})"
        return _guarded(refs(node.operand), body, kinds, current)
    if isinstance(node, Not):
        return f"not({to_xpath(node.operand, kinds, current)})"
    joiner = " and " if isinstance(node, And) else " or "
    parts = []
    for term in node.terms:
        text = to_xpath(term, kinds, current)
        parts.append(f"({text})" if isinstance(term, Or | And) else text)
    return joiner.join(parts)


# ---------------------------------------------------------------- ours, as text
_PREC = {Or: 1, And: 2, Not: 3, Cmp: 4, In: 4, Arith: 5}


def _prec(node: Node) -> int:
    return _PREC.get(type(node), 6)


def render(node: Node) -> str:
    """Our condition language with the fewest parentheses (``parse_condition(render(t)) == t``)."""

    def wrap(child: Node, minimum: int) -> str:
        text = render(child)
        return f"({text})" if _prec(child) < minimum else text

    if isinstance(node, Lit):
        v = node.value
        if v is None or isinstance(v, bool):
            return {None: "null", True: "true", False: "false"}[v]
        return _lit(v) if isinstance(v, str) else str(v)
    if isinstance(node, Ref):
        return node.item
    if isinstance(node, Call):
        return (
            f"selected({node.item}, {node.code})"
            if node.func == "selected"
            else f"{node.func}({node.item})"
        )
    if isinstance(node, Arith):
        return f"{wrap(node.left, 5)} {node.op} {wrap(node.right, 6)}"
    if isinstance(node, Cmp):
        return f"{wrap(node.left, 5)} {node.op} {wrap(node.right, 5)}"
    if isinstance(node, In):
        values = ", ".join(_lit(v) if isinstance(v, str) else str(v) for v in node.values)
        return f"{wrap(node.operand, 5)} {'not in' if node.negated else 'in'} ({values})"
    if isinstance(node, Not):
        return f"not {wrap(node.operand, 3)}"
    joiner, minimum = (" and ", 3) if isinstance(node, And) else (" or ", 2)
    return joiner.join(wrap(t, minimum) for t in node.terms)
