"""The condition language of questionnaires (docs/questionnaire-format.md, "Conditions").

Conditions (``relevant``, ``constraint``, indicator ``eligible``) are tokenised and parsed
by a hand-written recursive-descent parser into an immutable tree; they are never handed to
Python's ``eval``. We wrote the parser ourselves rather than use a parser generator because
the grammar has eleven rules and the tree must carry the column of every error.

Semantics: an unanswered, non-relevant or special answer is *missing* (``None``); every
comparison with a missing value is false, ``answered(x)`` is true only for a real value,
``selected(x, c)`` is false and ``count_selected(x)`` is 0 for a missing ``x``. Comparing a
number with a string is false (``!=`` is true). ``x == null`` / ``x != null`` test for
missing / present (an extension of the format document). Arithmetic with a missing operand
is missing.

Two evaluators share these semantics: :func:`survey.conditions.evaluate.evaluate` (one response, used
by validation; compiled to closures by :func:`survey.conditions.evaluate.compile_scalar`) and
:func:`survey.conditions.frame_eval.evaluate_frame` (vectorised over the respondent table of
docs/data-layout.md, used by scoring). Both are also reachable as attributes of this module.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from survey.errors import ExpressionError

Scalar: TypeAlias = int | float | str | bool | None

DOT = "."
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
FUNCTIONS = frozenset({"selected", "count_selected", "answered"})
COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(eq=False)
class ExpressionParseError(ExpressionError):
    """A condition does not parse; ``column`` is 1-based."""

    column: int = 0

    @classmethod
    def default_code(cls) -> str:
        return "expression_syntax"


# ---------------------------------------------------------------- tree
@dataclass(frozen=True, slots=True)
class Lit:
    value: Scalar


@dataclass(frozen=True, slots=True)
class Ref:
    item: str  # an item id, or "." for the answer being constrained
    column: int = 0


@dataclass(frozen=True, slots=True)
class Call:
    func: str  # selected | count_selected | answered
    item: str
    code: int | None = None
    column: int = 0


@dataclass(frozen=True, slots=True)
class Cmp:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class In:
    operand: Node
    values: tuple[int | float | str, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Arith:
    op: str  # + | -
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class And:
    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


Node: TypeAlias = Lit | Ref | Call | Cmp | In | Arith | And | Or | Not


# ---------------------------------------------------------------- tokens
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<num>\d+(?:\.\d+)?)
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>==|!=|<=|>=|<|>|\+|-|\(|\)|\[|\]|,|\.)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # num | str | name | op | end
    text: str
    column: int  # 1-based


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:
            raise ExpressionParseError(
                message=f"unexpected character {source[pos]!r} at column {pos + 1} in {source!r}",
                column=pos + 1,
            )
        kind = m.lastgroup or "ws"
        if kind != "ws":
            tokens.append(Token(kind, m.group(), pos + 1))
        pos = m.end()
    tokens.append(Token("end", "", len(source) + 1))
    return tokens


# ---------------------------------------------------------------- parser
class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def fail(self, expected: str, tok: Token | None = None) -> ExpressionParseError:
        t = tok or self.tok
        found = "end of expression" if t.kind == "end" else repr(t.text)
        return ExpressionParseError(
            message=f"expected {expected} at column {t.column}, found {found} in {self.source!r}",
            column=t.column,
        )

    def accept(self, text: str) -> bool:
        t = self.tok
        if t.kind in ("op", "name") and t.text == text:
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            raise self.fail(repr(text))

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise self.fail("an expression")
        node = self.or_()
        if self.tok.kind != "end":
            raise self.fail("an operator or end of expression")
        return node

    def or_(self) -> Node:
        terms = [self.and_()]
        while self.accept("or"):
            terms.append(self.and_())
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def and_(self) -> Node:
        terms = [self.not_()]
        while self.accept("and"):
            terms.append(self.not_())
        return terms[0] if len(terms) == 1 else And(tuple(terms))

    def not_(self) -> Node:
        if self.accept("not"):
            return Not(self.not_())
        return self.cmp()

    def cmp(self) -> Node:
        left = self.sum_()
        t = self.tok
        if t.kind == "op" and t.text in COMPARISONS:
            self.i += 1
            return Cmp(t.text, left, self.sum_())
        if t.kind == "name" and t.text == "not" and self.tokens[self.i + 1].text == "in":
            self.i += 2
            return In(left, self.literal_list(), negated=True)
        if self.accept("in"):
            return In(left, self.literal_list())
        return left

    def sum_(self) -> Node:
        node = self.atom()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            op = self.tok.text
            self.i += 1
            node = Arith(op, node, self.atom())
        return node

    def number(self) -> int | float | None:
        t = self.tok
        sign = 1
        if t.kind == "op" and t.text == "-" and self.tokens[self.i + 1].kind == "num":
            sign = -1
            self.i += 1
            t = self.tok
        if t.kind != "num":
            return None
        self.i += 1
        return sign * (float(t.text) if "." in t.text else int(t.text))

    def literal(self) -> int | float | str:
        num = self.number()
        if num is not None:
            return num
        if self.tok.kind == "str":
            self.i += 1
            return self.tokens[self.i - 1].text[1:-1]
        raise self.fail("a number or a string")

    def literal_list(self) -> tuple[int | float | str, ...]:
        closing = {"(": ")", "[": "]"}
        opening = self.tok.text if self.tok.kind == "op" else ""
        if opening not in closing:
            raise self.fail("'(' or '[' starting a list")
        self.i += 1
        values = [self.literal()]
        while self.accept(","):
            values.append(self.literal())
        self.expect(closing[opening])
        return tuple(values)

    def item_arg(self) -> tuple[str, int]:
        t = self.tok
        if (t.kind == "name" and t.text not in KEYWORDS) or (t.kind == "op" and t.text == DOT):
            self.i += 1
            return t.text, t.column
        raise self.fail("an item id")

    def atom(self) -> Node:
        t = self.tok
        num = self.number()
        if num is not None:
            return Lit(num)
        if t.kind == "str":
            self.i += 1
            return Lit(t.text[1:-1])
        if t.kind == "op" and t.text == DOT:
            self.i += 1
            return Ref(DOT, t.column)
        if t.kind == "op" and t.text == "(":
            self.i += 1
            node = self.or_()
            self.expect(")")
            return node
        if t.kind == "name":
            if t.text in ("true", "false", "null"):
                self.i += 1
                return Lit({"true": True, "false": False, "null": None}[t.text])
            if t.text in KEYWORDS:
                raise self.fail("a value")
            self.i += 1
            if t.text in FUNCTIONS and self.accept("("):
                return self.call(t)
            return Ref(t.text, t.column)
        raise self.fail("a value")

    def call(self, name: Token) -> Call:
        item, column = self.item_arg()
        code: int | None = None
        if name.text == "selected":
            self.expect(",")
            at = self.tok
            num = self.number()
            if not isinstance(num, int):
                raise self.fail("an integer choice code", at)
            code = num
        self.expect(")")
        return Call(name.text, item, code, column)


def parse_condition(source: str) -> Node:
    """Parse a condition (``relevant``, ``constraint``, ``eligible``) into its tree.

    Parameters
    ----------
    source : str
        The condition, e.g. ``"q201 in (1, 2) and not answered(q202)"``
        (docs/questionnaire-format.md).

    Returns
    -------
    Node
        The immutable expression tree (never handed to Python's ``eval``).

    Raises
    ------
    ExpressionParseError
        The condition does not parse; the error names the 1-based column.
    """
    return _Parser(source).parse()


# ---------------------------------------------------------------- analysis
def walk(node: Node) -> list[Node]:
    """Every node of the tree, depth first."""
    out: list[Node] = [node]
    if isinstance(node, Cmp | Arith):
        out += walk(node.left) + walk(node.right)
    elif isinstance(node, In):
        out += walk(node.operand)
    elif isinstance(node, And | Or):
        for term in node.terms:
            out += walk(term)
    elif isinstance(node, Not):
        out += walk(node.operand)
    return out


def referenced_items(node: Node) -> frozenset[str]:
    """Item ids a condition reads.

    Parameters
    ----------
    node : Node
        A tree from :func:`parse_condition`.

    Returns
    -------
    frozenset of str
        The ids of the items it reads (``.``, the current answer, excluded).
    """
    return frozenset(n.item for n in walk(node) if isinstance(n, Ref | Call) and n.item != DOT)


def uses_dot(node: Node) -> bool:
    return any(isinstance(n, Ref | Call) and n.item == DOT for n in walk(node))


def to_source(node: Node) -> str:
    """Render a tree back to the condition language (fully parenthesised)."""
    if isinstance(node, Lit):
        v = node.value
        if v is None or isinstance(v, bool):
            return {None: "null", True: "true", False: "false"}[v]
        return repr(v) if isinstance(v, str) else str(v)
    if isinstance(node, Ref):
        return node.item
    if isinstance(node, Call):
        if node.func == "selected":
            return f"selected({node.item}, {node.code})"
        return f"{node.func}({node.item})"
    if isinstance(node, Cmp | Arith):
        return f"({to_source(node.left)} {node.op} {to_source(node.right)})"
    if isinstance(node, In):
        vals = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in node.values)
        return f"({to_source(node.operand)} {'not in' if node.negated else 'in'} ({vals}))"
    if isinstance(node, Not):
        return f"(not {to_source(node.operand)})"
    joiner = " and " if isinstance(node, And) else " or "
    return "(" + joiner.join(to_source(t) for t in node.terms) + ")"


_LAZY = {
    "evaluate": "survey.conditions.evaluate",
    "compile_scalar": "survey.conditions.evaluate",
    "truth": "survey.conditions.evaluate",
    "evaluate_frame": "survey.conditions.frame_eval",
}


def __getattr__(name: str) -> Any:
    """``evaluate``, ``compile_scalar``, ``truth`` and ``evaluate_frame`` live in their own
    modules (they import this one); they are re-exported here lazily."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
