"""Load and dump questionnaires (YAML or JSON).

``load_questionnaire("papi-2021")`` reads the bundled ``fixtures/questionnaires/papi-2021.yaml``
(in a checkout; an installed wheel carries it as ``survey/data/questionnaires/``, see
:mod:`survey.datafiles`); any other argument is a path. A broken definition raises
:class:`~survey.errors.QuestionnaireError` whose ``problems`` list every problem with a JSON
pointer (RFC 6901) into the document: pydantic's shape errors first (a shape error stops the
cross-reference checks, which need well-formed models), otherwise every cross-reference
problem of :mod:`survey.questionnaire.definition_checks`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from survey.datafiles import DATA_ROOT
from survey.errors import NotFound, Problem, QuestionnaireError
from survey.questionnaire.schema import Questionnaire

# libyaml's C loader/dumper when available (about 10x faster than the pure-Python ones)
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YamlDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
BUNDLED = ("papi-2018", "papi-2019", "papi-2021")
SEARCH_DIRS = (DATA_ROOT / "questionnaires",)


def bundled_path(name: str) -> Path:
    """Path of a bundled questionnaire by name (``papi-2021``)."""
    for directory in SEARCH_DIRS:
        for suffix in (".yaml", ".yml", ".json"):
            path = directory / f"{name}{suffix}"
            if path.is_file():
                return path
    raise NotFound(
        message=f"no bundled questionnaire {name!r}; known names: {', '.join(BUNDLED)} "
        f"(looked in {', '.join(str(d) for d in SEARCH_DIRS)}), or pass a file path",
        code="questionnaire_not_found",
    )


def resolve(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.is_file():
        return path
    if isinstance(name_or_path, str) and "/" not in name_or_path and path.suffix == "":
        return bundled_path(name_or_path)
    raise NotFound(
        message=f"questionnaire file {str(name_or_path)!r} does not exist; pass a path to a "
        f"YAML/JSON file or one of the names {', '.join(BUNDLED)}",
        code="questionnaire_not_found",
    )


def read_document(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=_YamlLoader)  # a SafeLoader: no arbitrary objects
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise QuestionnaireError.with_problems(
            f"{path} is not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}",
            [Problem("", "syntax_error", " ".join(str(exc).split()))],
        ) from None


def load_questionnaire(name_or_path: str | Path) -> Questionnaire:
    """Load a questionnaire by bundled name or path.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A bundled questionnaire's id (``papi-2018``, ``papi-2019``, ``papi-2021``) or the
        path of a YAML or JSON questionnaire (docs/questionnaire-format.md).

    Returns
    -------
    Questionnaire
        The validated questionnaire.

    Raises
    ------
    NotFound
        No bundled questionnaire has that id and no file that path.
    QuestionnaireError
        The document is not a valid questionnaire (every problem located).
    """
    path = resolve(name_or_path)
    stat = path.stat()
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _load(path: str, mtime_ns: int, size: int) -> Questionnaire:
    """The questionnaire of one file as it is now: the key holds the file's modification
    time and size, so an edited file is read again. A questionnaire is frozen, so every
    caller may share it; reading and validating papi-2021 takes about 250 ms, which
    ``score(responses, "papi-2021")`` paid on every call. A file that fails to load is not
    remembered (its error is raised again, from the file as it is then)."""
    return parse_questionnaire(read_document(Path(path)), source=path)


def pointer(loc: Sequence[int | str]) -> str:
    """JSON pointer (RFC 6901) of a pydantic error location."""
    parts = []
    for part in loc:
        text = str(part)
        if text in {"str", "tuple[Choice, ...]", "function-after[_cross_references()]"}:
            continue  # union branch tags, not document keys
        if "[" in text and not isinstance(part, int):
            continue
        parts.append(text.replace("~", "~0").replace("/", "~1"))
    return "/" + "/".join(parts) if parts else ""


def _problems_from(exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors(include_url=False):
        ptr = pointer(err["loc"])
        code = err["type"]
        value = err.get("input")
        if "str" in err["loc"] and not isinstance(value, str | int | float | bool | None):
            continue  # the string branch of a union (a choice-list name) failing on a list
        if (ptr, code) in seen:
            continue
        seen.add((ptr, code))
        shown = "" if code == "missing" or isinstance(value, Mapping) else f" (got {value!r})"
        problems.append(Problem(ptr, code, f"{err['msg']}{shown}"))
    return problems


def parse_questionnaire(document: Any, source: str = "<document>") -> Questionnaire:
    """Validate a parsed YAML/JSON document into a Questionnaire.

    Parameters
    ----------
    document : Any
        The parsed document (a mapping: id, version, items, structure, …).
    source : str, default "<document>"
        What to call it in error messages (a file name).

    Returns
    -------
    Questionnaire
        The validated questionnaire.

    Raises
    ------
    QuestionnaireError
        It is not a mapping or not a valid questionnaire; every problem is located by a
        JSON pointer into ``document``.
    """
    if not isinstance(document, Mapping):
        raise QuestionnaireError.with_problems(
            f"{source}: a questionnaire is a mapping (id, version, items, structure, ...)",
            [Problem("", "not_a_mapping", f"expected a mapping, got {type(document).__name__}")],
        )
    try:
        return Questionnaire.model_validate(document)
    except ValidationError as exc:
        problems = _problems_from(exc)
        raise QuestionnaireError.with_problems(
            f"{source}: questionnaire has {len(problems)} problem(s)", problems
        ) from None
    except QuestionnaireError as exc:
        raise QuestionnaireError.with_problems(
            f"{source}: questionnaire has {len(exc.problems)} problem(s)", exc.problems
        ) from None


def to_document(q: Questionnaire) -> dict[str, Any]:
    """The questionnaire as a plain document (defaults left out, field order kept)."""
    return q.model_dump(mode="json", exclude_defaults=True)


def dump_questionnaire(q: Questionnaire, path: str | Path) -> Path:
    """Write the questionnaire as YAML, or JSON for a ``.json`` path (defaults left out).

    Parameters
    ----------
    q : Questionnaire
        The questionnaire.
    path : str or pathlib.Path
        Where to write it; ``load_questionnaire(path)`` reads it back equal.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    out = Path(path)
    doc = to_document(q)
    if out.suffix.lower() == ".json":
        out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    else:
        out.write_text(
            yaml.dump(doc, Dumper=_YamlDumper, allow_unicode=True, sort_keys=False, width=100),
            encoding="utf-8",
        )
    return out
