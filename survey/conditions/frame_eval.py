"""Vectorised evaluation of conditions over the respondent table (docs/data-layout.md).

``evaluate_frame(node, frame, q)`` gives one boolean per row, with exactly the semantics of
the scalar evaluator (:mod:`survey.conditions.evaluate`): missing values (NaN/None, or a special code of
the questionnaire) make comparisons false, numbers never equal strings, ``x == null`` tests for
missing. Every operation is a numpy operation on whole columns; there is no loop over rows.

Each sub-expression evaluates to a :class:`Vec`: values (``float64`` for numbers and
booleans, ``object`` for strings) and a ``valid`` mask. Multiple-choice items are read from
their 0/1 columns ``<item>_<code>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

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
    parse_condition,
)
from survey.errors import ExpressionError
from survey.questionnaire.schema import NUMERIC_TYPES

if TYPE_CHECKING:
    from survey.questionnaire.schema import Questionnaire

BoolArray = npt.NDArray[np.bool_]
_NUMERIC_OPS = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


@dataclass(frozen=True, slots=True)
class Vec:
    kind: str  # num | str | bool
    values: npt.NDArray[Any]
    valid: BoolArray

    def truth(self) -> BoolArray:
        nonzero = self.values != "" if self.kind == "str" else self.values != 0
        out: BoolArray = self.valid & np.asarray(nonzero, dtype=bool)
        return out


def numeric_column(frame: pd.DataFrame, column: str, special: frozenset[int]) -> Vec:
    """A numeric answer column as float64 with its valid mask (special codes are missing)."""
    s = frame[column]
    values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    valid = ~np.isnan(values)
    if special:
        valid &= ~np.isin(values, np.fromiter(special, dtype=np.float64))
    return Vec("num", values, valid)


def string_column(frame: pd.DataFrame, column: str, special: frozenset[int]) -> Vec:
    s = frame[column]
    if pd.api.types.is_datetime64_any_dtype(s):
        s = s.dt.strftime("%Y-%m-%d")
    valid = np.array(s.notna(), dtype=bool)
    if special:
        keys = [*special, *(str(c) for c in special), *(float(c) for c in special)]
        valid &= ~s.isin(keys).to_numpy()
    values = np.where(valid, s.astype(object).to_numpy(), "")
    return Vec("str", values, valid)


class _FrameEvaluator:
    def __init__(self, frame: pd.DataFrame, q: Questionnaire, current: str | None) -> None:
        self.frame = frame
        self.q = q
        self.n = len(frame)
        self.special = q.special_code_values
        self.current = current

    def fail(self, message: str) -> ExpressionError:
        return ExpressionError(message=message, code="expression_data")

    def column(self, item_id: str) -> Vec:
        if item_id == DOT:
            if self.current is None:
                raise self.fail("'.' is only meaningful in a constraint; pass current=<item id>")
            item_id = self.current
        if not self.q.has_item(item_id):
            raise self.fail(f"condition reads {item_id!r}, which is not an item of {self.q.id!r}")
        t = self.q.item(item_id).type
        if t == "multiple_choice":
            raise self.fail(
                f"multiple-choice item {item_id!r} has no single value; "
                f"use selected({item_id}, code) or count_selected({item_id})"
            )
        if item_id not in self.frame.columns:
            raise self.fail(f"the data has no column {item_id!r} (docs/data-layout.md)")
        if t in NUMERIC_TYPES:
            return numeric_column(self.frame, item_id, self.special)
        return string_column(self.frame, item_id, self.special)

    def option_columns(self, item_id: str) -> dict[int, npt.NDArray[np.float64]]:
        if item_id == DOT and self.current is not None:
            item_id = self.current
        if not self.q.has_item(item_id) or self.q.item(item_id).type != "multiple_choice":
            raise self.fail(f"{item_id!r} is not a multiple-choice item of {self.q.id!r}")
        out = {}
        for code in sorted(self.q.codes_of(item_id)):
            col = f"{item_id}_{code}"
            if col not in self.frame.columns:
                raise self.fail(f"the data has no column {col!r} for option {code} of {item_id!r}")
            out[code] = numeric_column(self.frame, col, frozenset()).values
        return out

    def full(self, kind: str, value: Any) -> Vec:
        dtype = object if kind == "str" else np.float64
        return Vec(kind, np.full(self.n, value, dtype=dtype), np.ones(self.n, dtype=bool))

    def bools(self, mask: BoolArray) -> Vec:
        return Vec("bool", mask.astype(np.float64), np.ones(self.n, dtype=bool))

    def eval(self, node: Node) -> Vec:
        if isinstance(node, Lit):
            v = node.value
            if v is None:
                return Vec("num", np.full(self.n, np.nan), np.zeros(self.n, dtype=bool))
            if isinstance(v, bool):
                return self.full("bool", float(v))
            return self.full("str", v) if isinstance(v, str) else self.full("num", float(v))
        if isinstance(node, Ref):
            return self.column(node.item)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Cmp):
            return self.bools(self.compare(node))
        if isinstance(node, In):
            return self.bools(self.member(node))
        if isinstance(node, Arith):
            a, b = self.eval(node.left), self.eval(node.right)
            if a.kind == "str" or b.kind == "str":
                return Vec("num", np.full(self.n, np.nan), np.zeros(self.n, dtype=bool))
            valid = a.valid & b.valid
            with np.errstate(invalid="ignore"):
                out = a.values + b.values if node.op == "+" else a.values - b.values
            return Vec("num", np.where(valid, out, np.nan), valid)
        return self.bools(self.predicate(node))

    def predicate(self, node: Node) -> BoolArray:
        if isinstance(node, Not):
            return ~self.predicate(node.operand)
        if isinstance(node, And):
            out = self.predicate(node.terms[0])
            for term in node.terms[1:]:
                out = out & self.predicate(term)
            return out
        if isinstance(node, Or):
            out = self.predicate(node.terms[0])
            for term in node.terms[1:]:
                out = out | self.predicate(term)
            return out
        if isinstance(node, Cmp):
            return self.compare(node)
        if isinstance(node, In):
            return self.member(node)
        return self.eval(node).truth()

    def call(self, node: Call) -> Vec:
        if node.func == "answered":
            item_id = self.current if node.item == DOT and self.current else node.item
            if self.q.has_item(item_id) and self.q.item(item_id).type == "multiple_choice":
                mask = np.zeros(self.n, dtype=bool)
                for values in self.option_columns(item_id).values():
                    mask |= ~np.isnan(values)
                return self.bools(mask)
            return self.bools(self.column(node.item).valid)
        cols = self.option_columns(node.item)
        if node.func == "selected":
            chosen = cols.get(node.code) if node.code is not None else None
            mask = np.zeros(self.n, dtype=bool) if chosen is None else chosen == 1
            return self.bools(mask)
        count = np.zeros(self.n, dtype=np.float64)
        for values in cols.values():
            count += values == 1
        return Vec("num", count, np.ones(self.n, dtype=bool))

    def compare(self, node: Cmp) -> BoolArray:
        op = node.op
        if isinstance(node.right, Lit) and node.right.value is None and op in ("==", "!="):
            valid = self.eval(node.left).valid
            return ~valid if op == "==" else valid.copy()
        a, b = self.eval(node.left), self.eval(node.right)
        both = a.valid & b.valid
        if (a.kind == "str") != (b.kind == "str"):
            return both if op == "!=" else np.zeros(self.n, dtype=bool)
        if a.kind == "str":
            la = np.where(both, a.values, "")
            lb = np.where(both, b.values, "")
            result = np.asarray(_NUMERIC_OPS[op](la, lb), dtype=bool)
        else:
            with np.errstate(invalid="ignore"):
                result = np.asarray(_NUMERIC_OPS[op](a.values, b.values), dtype=bool)
        out: BoolArray = both & result
        return out

    def member(self, node: In) -> BoolArray:
        v = self.eval(node.operand)
        if v.kind == "str":
            pool = [x for x in node.values if isinstance(x, str)]
            hit = pd.Series(v.values).isin(pool).to_numpy() if pool else np.zeros(self.n, bool)
        else:
            nums = np.array([x for x in node.values if not isinstance(x, str)], dtype=np.float64)
            hit = np.isin(v.values, nums)
        return v.valid & (~hit if node.negated else hit)


def evaluate_frame(
    node: Node | str,
    frame: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    current: str | None = None,
) -> BoolArray:
    """Truth of a condition for every row of a respondent table (one bool per row).

    ``current`` names the item whose column stands for ``.`` (constraints only)."""
    tree = parse_condition(node) if isinstance(node, str) else node
    result = _FrameEvaluator(frame, questionnaire, current).predicate(tree)
    return np.asarray(result, dtype=bool)
