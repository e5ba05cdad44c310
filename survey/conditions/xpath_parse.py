"""XLSForm/XPath conditions → our condition language (the inverse of
:func:`survey.conditions.xpath.to_xpath`).

A recursive-descent parser for the XPath 1.0 subset (W3C XPath 1.0 §3) that has a meaning in
our language: comparisons, ``and``/``or``/``not()``, ``+``/``-``, ``selected()``,
``count-selected()``, ``true()``/``false()`` and ``date()`` (ISO dates compare as strings in
our language). ``${x} != ''`` becomes ``answered(x)``; ``x = 1 or x = 2`` becomes
``x in (1, 2)``; the present()-guards :func:`~survey.conditions.xpath.to_xpath` writes are dropped where a
comparison on the same item makes them redundant under our missing-value semantics. Anything
else is an :class:`~survey.errors.ExpressionError` naming the column. We wrote the parser
ourselves because no Python XPath library yields a tree we could map to ours and report
unsupported constructs by column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from survey.conditions.expressions import DOT, And, Arith, Call, Cmp, In, Lit, Node, Not, Or, Ref
from survey.conditions.xpath import ItemKind, Kinds, refs
from survey.errors import ExpressionError

_OUR_OP = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


_XTOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<ref>\$\{[A-Za-z_][A-Za-z0-9_.-]*\})
      | (?P<num>\d+(?:\.\d+)?|\.\d+)
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<path>/[A-Za-z_][A-Za-z0-9_./-]*)
      | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
      | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,|\.)
    """,
    re.VERBOSE,
)
_FUNCS = ("not", "selected", "count-selected", "true", "false", "if", "date")


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str
    column: int


class _XPathParser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.toks: list[_Tok] = []
        pos = 0
        while pos < len(source):
            m = _XTOKEN.match(source, pos)
            if m is None:
                raise self.error(f"unexpected character {source[pos]!r}", pos + 1)
            if m.lastgroup != "ws":
                self.toks.append(_Tok(m.lastgroup or "", m.group(), pos + 1))
            pos = m.end()
        self.toks.append(_Tok("end", "", len(source) + 1))
        self.i = 0

    def error(self, what: str, column: int) -> ExpressionError:
        return ExpressionError(
            message=f"{what} at column {column} in {self.source!r} (supported: comparisons, "
            "and/or/not(), + and -, selected(), count-selected(), true(), false())",
            code="xpath_unsupported",
        )

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self, *texts: str) -> str | None:
        t = self.tok
        if t.kind in ("op", "name") and t.text in texts:
            self.i += 1
            return t.text
        return None

    def expect(self, text: str) -> None:
        if self.take(text) is None:
            raise self.error(
                f"expected {text!r}, found {self.tok.text or 'end'!r}", self.tok.column
            )

    def parse(self) -> Node:
        node = self.or_()
        if self.tok.kind != "end":
            raise self.error(f"unexpected {self.tok.text!r}", self.tok.column)
        return node

    def or_(self) -> Node:
        terms = [self.and_()]
        while self.take("or"):
            terms.append(self.and_())
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def and_(self) -> Node:
        terms = [self.cmp()]
        while self.take("and"):
            terms.append(self.cmp())
        flat: list[Node] = []
        for t in terms:
            flat.extend(t.terms if isinstance(t, And) else (t,))
        return flat[0] if len(flat) == 1 else And(tuple(flat))

    def cmp(self) -> Node:
        left = self.sum_()
        op = self.take("=", "!=", "<", "<=", ">", ">=")
        if op is None:
            return left
        right = self.sum_()
        empty = [s for s in (left, right) if isinstance(s, Lit) and s.value == ""]
        other = right if empty and empty[0] is left else left
        if empty and op in ("=", "!=") and isinstance(other, Ref):
            answered = Call("answered", other.item)
            return answered if op == "!=" else Not(answered)
        return Cmp(_OUR_OP[op], left, right)

    def sum_(self) -> Node:
        node = self.unary()
        while (op := self.take("+", "-")) is not None:
            node = Arith(op, node, self.unary())
        return node

    def unary(self) -> Node:
        t = self.tok
        if t.kind == "op" and t.text == "-" and self.toks[self.i + 1].kind == "num":
            self.i += 2
            return Lit(-_number(self.toks[self.i - 1].text))
        if t.kind == "op" and t.text == "*":
            raise self.error("'*' is not supported", t.column)
        return self.primary()

    def item(self) -> str:
        t = self.tok
        self.i += 1
        if t.kind == "ref":
            return t.text[2:-1]
        if t.kind == "path":
            return t.text.rstrip("/").rsplit("/", 1)[-1]
        if t.kind == "op" and t.text == DOT:
            return DOT
        raise self.error(f"expected a question reference ${{name}}, found {t.text!r}", t.column)

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "num":
            self.i += 1
            return Lit(_number(t.text))
        if t.kind == "str":
            self.i += 1
            return Lit(t.text[1:-1])
        if t.kind in ("ref", "path") or (t.kind == "op" and t.text == DOT):
            return Ref(self.item(), t.column)
        if self.take("("):
            node = self.or_()
            self.expect(")")
            return node
        if t.kind == "name" and self.toks[self.i + 1].text == "(":
            if t.text not in _FUNCS:
                raise self.error(f"function {t.text}() is not supported", t.column)
            self.i += 2
            return self.call(t)
        raise self.error(f"unexpected {t.text or 'end of expression'!r}", t.column)

    def call(self, name: _Tok) -> Node:
        if name.text in ("true", "false"):
            self.expect(")")
            return Lit(name.text == "true")
        if name.text == "not":
            inner = self.or_()
            self.expect(")")
            return Not(inner)
        if name.text == "if":
            return self.if_count(name)
        if name.text == "date":  # ISO dates compare as strings in our language
            inner = self.primary()
            self.expect(")")
            return inner
        item = self.item()
        if name.text == "count-selected":
            self.expect(")")
            return Call("count_selected", item)
        self.expect(",")
        code_tok = self.tok
        self.i += 1
        code = code_tok.text.strip("'\"")
        if code_tok.kind not in ("str", "num") or not re.fullmatch(r"-?\d+", code):
            raise self.error(
                f"selected() needs an integer choice code, found {code_tok.text!r}", code_tok.column
            )
        self.expect(")")
        return Call("selected", item, int(code))

    def if_count(self, name: _Tok) -> Node:
        """``if(present(x), count-selected(x), 0)``: how count_selected is written for an item
        with special answers; nothing else is accepted inside ``if()``."""
        self.or_()
        self.expect(",")
        counted = self.primary()
        self.expect(",")
        zero = self.primary()
        self.expect(")")
        if not (isinstance(counted, Call) and counted.func == "count_selected" and zero == Lit(0)):
            raise self.error(
                "if() is only supported as if(..., count-selected(...), 0)", name.column
            )
        return counted


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _strong(node: Node) -> set[str]:
    """Items whose missingness already makes ``node`` false (so a guard on them is redundant)."""
    if isinstance(node, Cmp):
        return set(refs(node.left) + refs(node.right))
    if isinstance(node, In):
        return set(refs(node.operand))
    if isinstance(node, Call) and node.func in ("selected", "answered"):
        return {node.item}
    return set()


def _is_guard(term: Node, item: str, kinds: Kinds) -> bool:
    """Is ``term`` one of the present(item) guards :func:`to_xpath` writes?"""
    special = kinds.get(item, ItemKind()).special
    match term:
        case Call(func="answered", item=i):
            return i == item
        case Cmp(op="!=", left=Ref(item=i), right=Lit(value=v)):
            return i == item and not isinstance(v, bool) and v in special
        case Not(operand=Call(func="selected", item=i, code=c)):
            return i == item and c in special
    return False


def simplify(node: Node, kinds: Kinds) -> Node:
    """Drop present()-guards that a comparison on the same item in the same ``and`` makes
    redundant under our missing-value semantics."""
    if isinstance(node, Not):
        return Not(simplify(node.operand, kinds))
    if isinstance(node, Or):
        alternatives = tuple(simplify(t, kinds) for t in node.terms)
        return _as_in(alternatives) or Or(alternatives)
    if not isinstance(node, And):
        return node
    terms = [simplify(t, kinds) for t in node.terms]
    answered_items = {t.item for t in terms if isinstance(t, Call) and t.func == "answered"}
    terms = [
        In(t.operand.operand, t.operand.values, negated=True)
        if isinstance(t, Not)
        and isinstance(t.operand, In)
        and not t.operand.negated
        and set(refs(t.operand.operand)) <= answered_items
        else t
        for t in terms
    ]
    kept: list[Node] = []
    for i, term in enumerate(terms):
        others = [o for j, o in enumerate(terms) if j != i]
        covered = set().union(*(_strong(o) for o in others if not _is_guard_any(o, kinds)))
        answered = {o.item for o in others if isinstance(o, Call) and o.func == "answered"}
        redundant = any(_is_guard(term, x, kinds) for x in covered) or any(
            _is_guard(term, x, kinds) and not isinstance(term, Call) for x in answered
        )
        if not redundant:
            kept.append(term)
    return kept[0] if len(kept) == 1 else And(tuple(kept))


def _as_in(terms: tuple[Node, ...]) -> In | None:
    """``x = 1 or x = 2`` (one item, literal values) is ``x in (1, 2)``."""
    values: list[int | float | str] = []
    item = None
    for t in terms:
        match t:
            case Cmp(op="==", left=Ref(item=i), right=Lit(value=v)) if (
                not isinstance(v, bool) and v is not None and item in (None, i)
            ):
                item = i
                values.append(v)
            case _:
                return None
    return In(Ref(item or DOT), tuple(values))


def _is_guard_any(term: Node, kinds: Kinds) -> bool:
    return any(_is_guard(term, x, kinds) for x in _strong(term) | _mentions(term))


def _mentions(term: Node) -> set[str]:
    if isinstance(term, Cmp):
        return set(refs(term.left))
    if isinstance(term, Not) and isinstance(term.operand, Call):
        return {term.operand.item}
    return set()


def from_xpath(source: str, kinds: Kinds | None = None, current: str | None = None) -> Node:
    """Parse an XLSForm/XPath condition into our tree (guards of :func:`to_xpath` removed);
    ``current`` is the item ``.`` names in a constraint."""
    known = dict(kinds or {})
    if current is not None and current in known:
        known[DOT] = known[current]
    return simplify(_XPathParser(source).parse(), known)
