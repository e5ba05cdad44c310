"""Generated and hostile responses for the agreement tests: valid random fills
(``survey.simulate.random_response.generate_response``) and the same fills mutated: wrong types, unknown
items, out-of-range numbers and dates, impossible dates, special codes (allowed or not,
also as floats), integral floats, missing required answers, answers to items that are not
relevant, empty and very long text. Every value is plain JSON (what a client can send).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from survey.questionnaire.schema import Item, Questionnaire
from survey.simulate.random_response import generate_response

BAD_DATES = (
    "2021-02-29",
    "2020-02-29",
    "2021-02-30",
    "2021-13-01",
    "2021-00-10",
    "0000-00-00",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "2021-1-1",
    "20210101",
    " 2021-01-01",
    "2021-01-01 ",
    "2021-04-31",
)
ODD = (
    True,
    False,
    "",
    "   ",
    "1",
    "x" * 5000,
    1.5,
    -0.5,
    [],
    [1],
    [1, 1],
    [1, "2"],
    [[1]],
    {"code": 1},
    None,
    2**62,
    -(2**62),
    1e300,
)


def _near(item: Item, rng: np.random.Generator) -> list[Any]:
    """Boundary values of the item's own kind."""
    out: list[Any] = []
    if item.type in ("integer", "decimal"):
        for b in (item.min, item.max):
            if b is not None:
                out += [b, b - 1, b + 1, float(b) + 0.5, float(b) - 0.5, float(b)]
    if item.type == "date":
        for b in (item.min, item.max):
            if b is not None:
                y, m, d = str(b).split("-")
                out += [str(b), f"{y}-{m}-{int(d) + 1:02d}", f"{int(y) - 1:04d}-{m}-{d}"]
    if item.type in ("single_choice", "yes_no", "rating", "multiple_choice"):
        out += [0, 1, 2, 5, 6, 99, [0, 1], [1, 2, 3], [2, 1]]
    return out


def mutate(q: Questionnaire, answers: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """``answers`` with one to three random corruptions."""
    out = dict(answers)
    items = q.items
    specials = sorted(q.special_code_values)
    for _ in range(int(rng.integers(1, 4))):
        kind = int(rng.integers(0, 8))
        item = items[int(rng.integers(0, len(items)))]
        if kind == 0 and out:  # drop an answer (required missing, or its dependants orphaned)
            keys = sorted(out)
            out.pop(keys[int(rng.integers(0, len(keys)))])
        elif kind == 1:  # an unknown item
            out[f"zz_{int(rng.integers(0, 1000))}"] = int(rng.integers(-9, 10))
        elif kind == 2:  # a special code, allowed or not, maybe as a float
            code = specials[int(rng.integers(0, len(specials)))]
            out[item.id] = float(code) if rng.random() < 0.3 else code
        elif kind == 3:  # an odd value
            out[item.id] = ODD[int(rng.integers(0, len(ODD)))]
        elif kind == 4:  # a date, possibly impossible
            out[item.id] = BAD_DATES[int(rng.integers(0, len(BAD_DATES)))]
        elif kind == 5:  # a boundary value of the item's own kind
            near = _near(item, rng)
            if near:
                out[item.id] = near[int(rng.integers(0, len(near)))]
        elif kind == 6:  # an integer answer sent as a float
            ints = sorted(k for k, v in out.items() if type(v) is int)
            if ints:
                k = ints[int(rng.integers(0, len(ints)))]
                out[k] = float(out[k])
        else:  # a special code inside a multiple-choice list
            if isinstance(out.get(item.id), list):
                out[item.id] = [*out[item.id], specials[0]]
    return out


def responses(q: Questionnaire, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` responses: a quarter valid random fills (with special answers), the rest
    mutated fills."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        answers = generate_response(q, rng, special_rate=0.1, skip_rate=0.2)
        out.append(answers if k % 4 == 0 else mutate(q, answers, rng))
    return out
