"""Scalar evaluation of conditions for one response (docs/questionnaire-format.md,
"Conditions").

A parsed tree (:mod:`survey.conditions.expressions`) is compiled once into nested closures; validation
calls them for every response, so common shapes (``x == 3``, ``x in (1, 2)``) get a
specialised closure. Semantics: a missing value (absent, ``None``, or a special answer
removed by :func:`clean`) makes every comparison false; comparing a number with a string is
false (``!=`` true); ``x == null`` tests for missing.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from typing import Any, TypeAlias

from survey.conditions.expressions import (
    COMPARISONS,
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
    parse_condition,
)

Env: TypeAlias = Mapping[str, Any]
Compiled: TypeAlias = Callable[[Env], Any]


def truth(value: Any) -> bool:
    """Truth of a value: missing, false, 0, "" and an empty selection are false."""
    if value is None or value is False:
        return False
    if isinstance(value, int | float | str):
        return bool(value)
    return bool(value) if isinstance(value, list | tuple | set | frozenset) else True


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, str)


def compare(op: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if (_is_num(a) and _is_num(b)) or (isinstance(a, str) and isinstance(b, str)):
        return bool(COMPARISONS[op](a, b))
    return op == "!="


def _selection(v: Any) -> Container[Any] | None:
    return v if isinstance(v, list | tuple | set | frozenset) else None


def compile_scalar(node: Node) -> Compiled:
    """Compile the tree to a closure over an environment of *clean* values (missing = absent
    or ``None``; special answers already removed); the result is a value, use :func:`truth`."""
    if isinstance(node, Lit):
        value = node.value
        return lambda env: value
    if isinstance(node, Ref):
        item = node.item
        return lambda env: env.get(item)
    if isinstance(node, Call):
        return _compile_call(node)
    if isinstance(node, Cmp):
        return _compile_cmp(node)
    if isinstance(node, In):
        return _compile_in(node)
    if isinstance(node, Arith):
        lf, rf = compile_scalar(node.left), compile_scalar(node.right)
        sign = 1 if node.op == "+" else -1

        def arith(env: Env) -> Any:
            a, b = lf(env), rf(env)
            return a + sign * b if _is_num(a) and _is_num(b) else None

        return arith
    return compile_predicate(node)


_BOOLEAN = (Cmp, In, Not, And, Or)


def compile_predicate(node: Node) -> Callable[[Env], bool]:
    """Compile the tree to a closure returning the condition's truth."""
    if isinstance(node, Not):
        inner = compile_predicate(node.operand)
        return lambda env: not inner(env)
    if isinstance(node, And | Or):
        parts = tuple(compile_predicate(t) for t in node.terms)
        if len(parts) == 2:
            p0, p1 = parts
            if isinstance(node, And):
                return lambda env: p0(env) and p1(env)
            return lambda env: p0(env) or p1(env)
        if isinstance(node, And):
            return lambda env: all(p(env) for p in parts)
        return lambda env: any(p(env) for p in parts)
    compiled = compile_scalar(node)
    if isinstance(node, _BOOLEAN) or (isinstance(node, Call) and node.func != "count_selected"):
        return compiled
    return lambda env: truth(compiled(env))


def _compile_call(node: Call) -> Compiled:
    item, code = node.item, node.code
    if node.func == "answered":
        return lambda env: env.get(item) is not None
    if node.func == "count_selected":

        def count(env: Env) -> int:
            sel = _selection(env.get(item))
            return len(sel) if isinstance(sel, list | tuple | set | frozenset) else 0

        return count

    def selected(env: Env) -> bool:
        sel = _selection(env.get(item))
        return sel is not None and code in sel

    return selected


def _compile_cmp(node: Cmp) -> Compiled:
    op, left, right = node.op, node.left, node.right
    if isinstance(right, Lit) and right.value is None and op in ("==", "!="):
        inner = compile_scalar(left)
        if op == "==":
            return lambda env: inner(env) is None
        return lambda env: inner(env) is not None
    if (
        op == "=="
        and isinstance(left, Ref)
        and isinstance(right, Lit)
        and _is_num(right.value)
        and not isinstance(right.value, bool)
    ):
        item, lit = left.item, right.value

        def eq_fast(env: Env) -> bool:
            v = env.get(item)
            return _is_num(v) and v == lit

        return eq_fast
    lf, rf = compile_scalar(left), compile_scalar(right)
    return lambda env: compare(op, lf(env), rf(env))


def _compile_in(node: In) -> Compiled:
    operand = compile_scalar(node.operand)
    nums = frozenset(v for v in node.values if _is_num(v))
    strs = frozenset(v for v in node.values if isinstance(v, str))
    negated = node.negated

    def member(env: Env) -> bool:
        v = operand(env)
        if _is_num(v):
            return (v in nums) != negated
        if isinstance(v, str):
            return (v in strs) != negated
        return False if v is None else negated

    return member


def clean(answers: Mapping[str, Any], special: Container[Any] = ()) -> dict[str, Any]:
    """Answers with special codes (integers in ``special``) replaced by ``None``."""
    return {
        k: (None if isinstance(v, int) and not isinstance(v, bool) and v in special else v)
        for k, v in answers.items()
    }


def evaluate(
    node: Node | str,
    answers: Mapping[str, Any],
    *,
    special: Container[Any] = (),
    current: Any = None,
) -> bool:
    """Truth of a condition for one response. ``special`` lists the special codes (they count
    as missing); ``current`` is the value of ``.`` in a constraint."""
    tree = parse_condition(node) if isinstance(node, str) else node
    env = clean(answers, special)
    if current is not None:
        env[DOT] = clean({DOT: current}, special)[DOT]
    return compile_predicate(tree)(env)
