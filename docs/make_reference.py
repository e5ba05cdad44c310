"""Render docs/reference.md (the public API's signatures and docstrings) and check the
docstrings' numpydoc sections.

    python docs/make_reference.py          # rewrite docs/reference.md
    python docs/make_reference.py --check  # exit 1 when it is stale or a docstring is short

The public API is what ``survey/__init__``, ``scoring/__init__`` and their subpackages'
``__init__`` export (``__all__``). Every exported function and class (but the few of
``NOT_YET``) must have a numpydoc docstring: a ``Parameters`` section naming every parameter of its signature
(for a class, of its constructor; ``Attributes`` serves for records), a ``Returns`` section
when a function returns something, and a ``Raises`` section when its body raises.
tests/test_reference.py runs the check and fails when the committed page is stale.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "reference.md"

# the packages whose exports are rendered, in the page's order
MODULES: tuple[str, ...] = (
    "survey",
    "scoring",
    "scoring.design",
    "scoring.index",
    "scoring.sensitivity",
    "scoring.brief",
    "survey.sampling",
    "survey.simulate",
    "survey.geography",
)
# the packages whose exports must have full numpydoc sections: all of them
CHECKED: tuple[str, ...] = MODULES
# exports not documented yet; tests/test_reference.py fails once one of them is, so the list
# shrinks (empty: every export is documented)
NOT_YET: frozenset[str] = frozenset()

SECTION = re.compile(r"^(?P<name>[A-Z][a-z]+)\n-{3,}\s*$", re.M)


def exported(module: str) -> Iterator[tuple[str, Any]]:
    """The functions and classes a package exports, in ``__all__`` order."""
    mod = importlib.import_module(module)
    for name in getattr(mod, "__all__", ()):
        obj = getattr(mod, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            yield name, obj


def sections(doc: str) -> dict[str, str]:
    """numpydoc sections of a docstring: header -> body."""
    text = inspect.cleandoc(doc)
    found = list(SECTION.finditer(text))
    out = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        out[m.group("name")] = text[m.end() : end]
    return out


def documented(body: str) -> set[str]:
    """Names documented in a Parameters/Attributes section (``name : type`` lines, several
    names separated by commas, ``*args``/``**kwargs`` with or without the stars)."""
    names: set[str] = set()
    for line in body.splitlines():
        if line and not line[0].isspace():
            head = line.split(" : ")[0].strip()
            for part in head.split(","):
                names.add(part.strip().lstrip("*"))
    return names


def parameters(obj: Any) -> list[str]:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    return [p for p in sig.parameters if p not in ("self", "cls")]


def _raises(fn: Callable[..., Any]) -> bool:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return False
    return any(isinstance(node, ast.Raise) for node in ast.walk(tree))


def _returns(fn: Callable[..., Any]) -> bool:
    ann = inspect.signature(fn).return_annotation
    return ann not in (None, "None", inspect.Signature.empty)


def problems(module: str, name: str, obj: Any) -> list[str]:
    """What the docstring of an exported object lacks."""
    where = f"{module}.{name}"
    doc = inspect.getdoc(obj) if inspect.isfunction(obj) else obj.__doc__
    if not doc:
        return [f"{where}: no docstring"]
    found = sections(doc)
    out = []
    params = parameters(obj)
    if params:
        listed = documented(found.get("Parameters", "") + "\n" + found.get("Attributes", ""))
        if "Parameters" not in found and "Attributes" not in found:
            out.append(f"{where}: no Parameters section")
        missing = [p for p in params if p not in listed]
        if missing and ("Parameters" in found or "Attributes" in found):
            out.append(f"{where}: parameters not documented: {', '.join(missing)}")
    if inspect.isfunction(obj):
        if _returns(obj) and "Returns" not in found and "Yields" not in found:
            out.append(f"{where}: no Returns section")
        if _raises(obj) and "Raises" not in found:
            out.append(f"{where}: raises but has no Raises section")
    return out


def check(skip: frozenset[str] = NOT_YET) -> list[str]:
    """Every problem of every checked export, except those of ``skip``."""
    out = []
    seen: set[int] = set()
    for module in CHECKED:
        for name, obj in exported(module):
            if id(obj) not in seen and f"{module}.{name}" not in skip:
                seen.add(id(obj))
                out += problems(module, name, obj)
    return out


def _signature(name: str, obj: Any) -> str:
    try:
        sig = str(inspect.signature(obj))
    except (TypeError, ValueError):
        sig = "(...)"
    kind = "class " if inspect.isclass(obj) else ""
    text = f"{kind}{name}{sig}"
    return text.replace("'", "")


def render() -> str:
    lines = [
        "# API reference",
        "",
        "The signatures and docstrings of what `survey`, `scoring` and their subpackages",
        "export, generated by `python docs/make_reference.py` from the code (do not edit by",
        "hand; tests/test_reference.py fails when this page is stale). Names: docs/glossary.md.",
        "",
    ]
    shown: dict[int, str] = {}
    for module in MODULES:
        lines += [f"## `{module}`", ""]
        for name, obj in exported(module):
            home = f"{obj.__module__}.{obj.__qualname__}"
            if id(obj) in shown:
                lines += [f"- `{name}`: see `{shown[id(obj)]}` above ({home})", ""]
                continue
            shown[id(obj)] = f"{module}.{name}"
            lines += [f"### `{module}.{name}`", "", "```python", _signature(name, obj), "```", ""]
            doc = inspect.getdoc(obj) if inspect.isfunction(obj) else obj.__doc__
            body = inspect.cleandoc(doc) if doc else "(no docstring)"
            lines += [f"Defined in `{home}`.", "", "```text", body, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        bad = check()
        stale = not PAGE.exists() or PAGE.read_text(encoding="utf-8") != text
        for line in bad:
            print(line)
        if stale:
            print(f"{PAGE.relative_to(ROOT)} is stale: run python docs/make_reference.py")
        return 1 if bad or stale else 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
