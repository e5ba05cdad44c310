"""A compiled "is this response valid?" function for a questionnaire (the common case).

:func:`compile_valid` turns the validation plan of :mod:`survey.validation.response` into one
straight-line Python function (generated source, compiled once per questionnaire), in the
same item order with the same checks: every answer kept in a local variable, a relevance
``item == number`` a comparison of two locals, a choice answer one set lookup, the other
types the plan's own check closures (ids, codes and literals are constants of the code), constraints and other conditions the plan's compiled
predicates over an environment holding just the items they read. It returns ``True`` only
when :func:`survey.validation.response.validate_response` would return no issue, and stops at the
first problem; the caller then runs the full pass to report every issue with its pointer.

Why generated code: the interpreted loop over ~190 plan steps spends most of its time on
the loop itself (unpacking, attribute and dict look-ups, calls); unrolled, a valid PAPI
interview is checked about twice as fast. ``tests/survey/test_validation_fast.py`` checks
that both agree on valid, invalid and random responses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from survey.conditions.expressions import referenced_items

if TYPE_CHECKING:
    from survey.questionnaire.schema import Questionnaire
    from survey.validation.response import _Fast

Valid = Callable[[Mapping[str, Any]], bool]


def _const(value: Any) -> str | None:
    """Source text of an int or finite float literal (``None`` for anything else)."""
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)
    return None


def _const_set(codes: frozenset[Any]) -> str | None:
    """``{1, 2, 3}``: a set display of int constants after ``in`` compiles to one frozenset
    constant (no name look-up at run time)."""
    if codes and all(type(c) is int for c in codes):
        return "{" + ", ".join(str(c) for c in sorted(codes)) + "}"
    return None


def compile_valid(q: Questionnaire, fast: Sequence[_Fast], invalid: object) -> Valid:
    """The validity function of the plan steps ``fast`` (``invalid`` is the checks' marker
    of a failed answer)."""
    position = {step[0]: i for i, step in enumerate(fast)}
    needed: set[str] = set()
    for _sid, _item, _lit, rel_fn, _codes, _check, constraint, step in fast:
        if rel_fn is not None and step.relevant_src:
            needed |= referenced_items(q.condition(step.relevant_src))
        if constraint is not None:
            needed |= step.constraint_reads
    ns: dict[str, Any] = {"INVALID": invalid}
    lines = ["def valid(answers):", "    get = answers.get", "    env = {}", "    sink = []"]
    if fast:
        lines.append("    " + " = ".join(f"x{i}" for i in range(len(fast))) + " = None")
    for i, (sid, rel_item, rel_lit, rel_fn, codes, check, constraint, step) in enumerate(fast):
        ns[f"I{i}"], ns[f"K{i}"] = sid, check
        body: list[str] = []
        if step.required:
            body += ["if v is None:", "    return False"]
        else:
            body += ["if v is None:", "    pass"]
        if codes is not None:
            ns[f"C{i}"] = codes
            members = _const_set(codes) or f"C{i}"
            body += [f"elif type(v) is int and v in {members}:", f"    x{i} = v"]
        body += [
            "else:",
            f"    c = K{i}(v, sink)",
            "    if c is INVALID:",
            "        return False",
            f"    x{i} = c",
        ]
        if constraint is not None:
            ns[f"N{i}"] = constraint
            body += [
                "    if c is not None:",
                "        env['.'] = c",
                f"        if not N{i}(env):",
                "            return False",
            ]
        if sid in needed:  # answered (possibly a special code, None): in the environment
            body += ["if v is not None:", f"    env[I{i}] = x{i}"]
        lines.append(f"    v = get({sid!r})")
        if rel_item is not None:
            ns[f"L{i}"] = rel_lit
            ref = f"x{position[rel_item]}" if rel_item in position else "None"
            cond = f"{ref} == {_const(rel_lit) or f'L{i}'}"
        elif rel_fn is not None:
            ns[f"R{i}"] = rel_fn
            cond = f"R{i}(env)"
        else:
            lines += ["    " + b for b in body]
            continue
        lines.append(f"    if {cond}:")
        lines += ["        " + b for b in body]
        lines += ["    elif v is not None:", "        return False"]
    lines.append("    return True")
    exec(compile("\n".join(lines), f"<valid {q.id}>", "exec"), ns)
    fn: Valid = ns["valid"]
    return fn
