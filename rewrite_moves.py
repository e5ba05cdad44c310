"""Rewrite module paths after the survey/ layout moves (issue 14).

Reads MOVES.txt (lines ``old.module -> new.module``; ``#`` starts a comment) and rewrites, in
every given file, in one pass (so a rewritten path is never rewritten again): ``from <old parent> import <name>`` of a moved module or name
(first, so a moved name wins over its old module's move), then dotted references (imports,
``survey.tabular.x`` in prose, monkeypatch strings) and file paths (``survey/tabular.py``).
A ``from m import a, b`` naming a moved name among others is left for a person to split.
Apply it once, to code written against the old layout: ``survey.validation`` was a module
and is now a package (whose face re-exports the old module's public names), so code already
importing the package would be pointed at ``survey.validation.response``, which still works.

    python rewrite_moves.py MOVES.txt $(git ls-files '*.py' '*.md' '*.toml')
"""

import re
import sys
from pathlib import Path


def load(path: str) -> dict[str, str]:
    pairs = {}
    for line in Path(path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "->" in line:
            a, b = (s.strip() for s in line.split("->"))
            pairs[a] = b
    return pairs


def rewrite(text: str, pairs: dict[str, str]) -> str:
    for old, new in pairs.items():
        opar, _, oname = old.rpartition(".")
        npar, _, nname = new.rpartition(".")
        if not opar:
            continue
        pat = re.compile(
            r"^(\s*)from " + re.escape(opar) + r" import " + re.escape(oname) + r"\b(?! as)(.*)$",
            re.M,
        )
        alias = "" if oname == nname else " as " + oname
        text = pat.sub(rf"\1from {npar} import {nname}{alias}\2", text)
    table = dict(pairs)
    for new in pairs.values():
        table.setdefault(new, new)  # already moved: keep (idempotent)
    keys = sorted(table, key=len, reverse=True)
    dotted = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, keys)) + r")(?!\w)")
    text = dotted.sub(lambda m: table[m.group(1)], text)
    paths = {k.replace(".", "/"): v.replace(".", "/") for k, v in table.items()}
    pkeys = sorted(paths, key=len, reverse=True)
    slashed = re.compile(r"(?<![\w/])(" + "|".join(map(re.escape, pkeys)) + r")\.py\b")
    return slashed.sub(lambda m: paths[m.group(1)] + ".py", text)


if __name__ == "__main__":
    moves = load(sys.argv[1])
    for f in sys.argv[2:]:
        p = Path(f)
        t = p.read_text()
        n = rewrite(t, moves)
        if n != t:
            p.write_text(n)
            print("rewrote", f)
