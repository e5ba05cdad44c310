"""XLSForm → questionnaire (the layout is described in :mod:`survey.forms.xlsform`).

The ``survey``, ``choices`` and ``settings`` sheets are read through pyxform's own reader
(so .xlsx, .xls, .csv and markdown XLSForms all work) and the form is converted once with
pyxform so that its structural errors surface with their row. The ``indicators`` sheet is read
with openpyxl. Every problem names the sheet, the spreadsheet row and the column, also those
found later by the questionnaire's own checks (a JSON pointer such as ``/items/3/relevant`` is
mapped back to ``survey`` row 6 column ``relevant``).

Conditions: when the PAPI columns (``papi_relevant``, ``papi_constraint``, ``min``/``max``)
are present and still translate to exactly the XPath in the XLSForm, they are used verbatim,
so our own export round-trips unchanged; otherwise the XPath is parsed back
(:func:`survey.conditions.xpath_parse.from_xpath`), which is how a hand-written XLSForm is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey.conditions.xpath import ItemKind, render, to_xpath
from survey.conditions.xpath_parse import from_xpath
from survey.errors import ExpressionError, Problem, QuestionnaireError
from survey.extras import require
from survey.forms.xlsform import SEP, constraint_xpath, item_kinds
from survey.forms.xlsform_indicators import add_shorthand, indicator_rows, read_structure
from survey.questionnaire.loader import parse_questionnaire
from survey.questionnaire.schema import Item, Questionnaire

SKIPPED = {"start", "end", "today", "deviceid", "phonenumber", "username", "email", "audit"}
SKIPPED |= {"simserial", "subscriberid", "note", "calculate", "hidden", "start-geopoint"}
PLAIN = {"integer": "integer", "int": "integer", "decimal": "decimal", "text": "text"}
PLAIN |= {"string": "text", "date": "date"}
FLAVOURS = ("inline", "builtin", "scale")
ITEM_COLUMNS = {"relevant": "relevant", "constraint": "constraint", "choices": "type"}
ITEM_COLUMNS |= {"type": "type", "id": "name", "label": "label", "scale": "scale"}
ITEM_COLUMNS |= {"min": "min", "max": "max", "special": "special", "meta": "meta"}


@dataclass
class Reader:
    problems: list[Problem] = field(default_factory=list)
    where: dict[str, tuple[str, int]] = field(default_factory=dict)  # doc pointer -> sheet,row

    def fail(self, sheet: str, row: int, column: str, code: str, message: str) -> None:
        self.problems.append(
            Problem(
                f"/{sheet}/{row}/{column}",
                code,
                f"sheet {sheet!r}, row {row}, column {column!r}: {message}",
            )
        )

    @staticmethod
    def label(row: dict[str, str], prefix: str) -> dict[str, str] | None:
        return _label(row, prefix)


def _lang(column: str) -> str | None:
    """``label::English (en)`` → en; ``label::Tiếng Việt (vi)`` → vi; plain ``label`` → None."""
    if "::" not in column:
        return None
    tag = column.split("::", 1)[1].strip().lower()
    m = re.search(r"\(([a-z]{2})[^)]*\)\s*$", tag)
    if m:
        return m.group(1)
    return {"english": "en", "vietnamese": "vi", "tiếng việt": "vi"}.get(tag, tag[:2])


def _label(row: dict[str, str], prefix: str) -> dict[str, str] | None:
    found: dict[str, str] = {}
    for key, value in row.items():
        if key == prefix or key.startswith(prefix + "::"):
            lang = _lang(key)
            if lang in (None, "vi", "en"):
                found.setdefault(lang or "any", value)
    vi = found.get("vi") or found.get("any") or found.get("en")
    en = found.get("en") or found.get("any") or vi
    return None if vi is None or en is None else {"vi": vi, "en": en}


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _settings(r: Reader, settings: list[dict[str, str]]) -> dict[str, Any]:
    s = settings[0] if settings else {}
    form_id = s.get("form_id", "")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", form_id):
        r.fail(
            "settings",
            2,
            "form_id",
            "form_id",
            f"form_id {form_id!r} must be lowercase letters, digits and '-' (e.g. papi-2021)",
        )
    version = s.get("version", "1")
    year_text = s.get("year") or version[:4]
    year = int(year_text) if year_text.isdigit() else 0
    if not year:
        r.fail("settings", 2, "year", "year", "give the survey year in a 'year' column (e.g. 2021)")
    special: dict[str, int] = {}
    for part in s.get("special_codes", "").split():
        name, _, code = part.partition("=")
        if not re.fullmatch(r"-?\d+", code.strip()):
            r.fail(
                "settings",
                2,
                "special_codes",
                "special_codes",
                f"{part!r} is not name=code (e.g. dont_know=-8)",
            )
            continue
        special[name] = int(code)
    title_vi = s.get("form_title", form_id)
    doc = {"id": form_id, "version": version, "year": year, "special_codes": special}
    return doc | {"title": {"vi": title_vi, "en": s.get("title_en", title_vi)}}


def _choices(r: Reader, rows: list[dict[str, str]]) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    for i, row in enumerate(rows):
        if not row:
            continue
        name, code = row.get("list_name", ""), row.get("name", "")
        if not re.fullmatch(r"-?\d+", code):
            r.fail(
                "choices",
                i + 2,
                "name",
                "choice_code",
                f"choice {code!r} of list {name!r} must be an integer code",
            )
            continue
        entry = {"code": int(code), "label": _label(row, "label") or {"vi": code, "en": code}}
        r.where[f"/choice_lists/{name}/{len(lists.get(name, []))}"] = ("choices", i + 2)
        lists.setdefault(name, []).append(entry)
    return lists


def _choice_ref(
    lists: dict[str, list[dict[str, Any]]], name: str, specials: dict[str, int]
) -> tuple[Any, list[str]]:
    """(the item's ``choices`` value, its special answers) from an XLSForm list name."""
    parts = name.split(SEP)
    base, rest = parts[0], parts[1:]
    flavour = rest.pop(0) if rest and rest[0] in FLAVOURS else None
    if any(p not in specials for p in rest) or (not rest and flavour is None):
        # a hand-written list may hold the special answers itself (e.g. -8 Don't know)
        by_code = {code: n for n, code in specials.items()}
        return name, [by_code[c["code"]] for c in lists.get(name, []) if c["code"] in by_code]
    codes = {specials[p] for p in rest}
    own = [c for c in lists.get(name, []) if c["code"] not in codes]
    if flavour == "inline":
        return own, rest
    if flavour is not None:
        return None, rest
    return base, rest


def _item(
    r: Reader,
    row: dict[str, str],
    n: int,
    lists: dict[str, list[dict[str, Any]]],
    specials: dict[str, int],
    section: str | None,
) -> dict[str, Any] | None:
    kind, _, arg = row.get("type", "").partition(" ")
    kind = kind.replace("_", " ") if kind.startswith("select") else kind
    it: dict[str, Any] = {"id": row.get("name", ""), "label": _label(row, "label")}
    if kind in ("select one", "select multiple"):
        if arg.strip() not in lists:
            r.fail(
                "survey",
                n,
                "type",
                "unknown_list",
                f"choice list {arg.strip()!r} is not on the choices sheet",
            )
            return None
        it["type"] = "single_choice" if kind == "select one" else "multiple_choice"
        it["choices"], special = _choice_ref(lists, arg.strip(), specials)
    elif kind in PLAIN:
        it["type"], special = PLAIN[kind], []
    else:
        r.fail(
            "survey",
            n,
            "type",
            "unsupported_type",
            f"type {row.get('type')!r} has no PAPI item type; use select_one, select_multiple, integer, decimal, text or date",
        )
        return None
    if row.get("item_type"):
        it["type"] = row["item_type"]
    if it["label"] is None:
        it["label"] = {"vi": it["id"], "en": it["id"]}
    required = row.get("required", "")
    it["required"] = required.lower() in ("yes", "true", "true()", "1") or (
        required == f"${{{it['id']}{SEP}special}} = ''"  # a date with a companion, required
    )
    it["special"] = row.get("special", "").split() or special
    it["section"] = row.get("section") or section
    for bound in ("min", "max"):
        text = row.get(bound)
        if text:
            try:
                it[bound] = text if it["type"] == "date" else _number(text)
            except ValueError:
                r.fail("survey", n, bound, "bound", f"{bound} {text!r} is not a number")
    if row.get("scale"):
        lo, _, hi = row["scale"].partition(" ")
        it["scale"] = {"min": int(lo), "max": int(hi)}
    for key in ("relevant", "constraint"):
        if row.get(f"papi_{key}"):
            it[key] = row[f"papi_{key}"]
    message = _label(row, "constraint_message")
    if message:
        it["constraint_message"] = message
    meta: dict[str, Any] = {}
    if row.get("meta"):
        try:
            meta = json.loads(row["meta"])
        except json.JSONDecodeError as exc:
            r.fail("survey", n, "meta", "meta_json", f"not JSON: {exc}")
    if row.get("appearance"):
        meta["appearance"] = row["appearance"]
    if meta:
        it["meta"] = meta
    return {k: v for k, v in it.items() if v is not None}


def _survey(
    r: Reader,
    rows: list[dict[str, str]],
    lists: dict[str, list[dict[str, Any]]],
    specials: dict[str, int],
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    items: list[dict[str, Any]] = []
    cells: list[dict[str, str]] = []
    groups: list[str] = []
    for i, row in enumerate(rows):
        n = i + 2
        kind = row.get("type", "").strip().lower().replace(" ", "_")
        if not kind:
            continue
        if kind == "begin_group":
            groups.append(row.get("name", ""))
        elif kind == "end_group":
            groups = groups[:-1]
        elif kind in ("begin_repeat", "end_repeat"):
            r.fail(
                "survey",
                n,
                "type",
                "repeat",
                "repeats are not supported: one interview is one flat record",
            )
        elif row.get("special_of"):
            continue  # the companion question of a date's special answers (written by us)
        elif kind not in SKIPPED:
            it = _item(r, row, n, lists, specials, groups[-1] if groups else None)
            if it is not None:
                r.where[f"/items/{len(items)}"] = ("survey", n)
                items.append(it)
                cells.append(row)
    return items, cells


def _same(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def _legacy_date_constraint(
    q: Questionnaire, it: Item, kinds: Mapping[str, ItemKind]
) -> str | None:
    """The constraint earlier versions wrote for a date with special answers (a text field
    checked by a pattern), so that their workbooks still read back."""
    if it.type != "date" or not it.special:
        return None
    core = ["regex(., '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')"]
    core += [f"date(.) {op} date('{b}')" for op, b in ((">=", it.min), ("<=", it.max)) if b]
    if it.constraint:
        core.append(f"({to_xpath(q.condition(it.constraint), kinds, current=it.id)})")
    alternatives = " or ".join(f". = '{c}'" for c in q.allowed_special(it).values())
    return f"{alternatives} or ({' and '.join(core)})"


def _conditions(r: Reader, doc: dict[str, Any], cells: list[dict[str, str]]) -> None:
    """Keep the PAPI conditions when they still match the XPath; else read the XPath."""
    q = parse_questionnaire(doc, source="XLSForm") if not r.problems else None
    kinds = item_kinds(q) if q is not None else {}
    for i, (it, row) in enumerate(zip(doc["items"], cells, strict=True)):
        _, n = r.where[f"/items/{i}"]
        explained = {"relevant": False, "constraint": False}
        if q is not None:
            relevant = it.get("relevant")
            mine = to_xpath(q.condition(relevant), kinds) if relevant else None
            explained["relevant"] = _same(mine, row.get("relevant"))
            explained["constraint"] = _same(
                constraint_xpath(q, q.items[i], kinds), row.get("constraint")
            ) or any(
                _same(legacy, row.get("constraint"))
                for legacy in (
                    _legacy_date_constraint(q, q.items[i], kinds),
                    constraint_xpath(q, q.items[i], kinds, text_limit=False),
                )
                if legacy
            )
        for key in ("relevant", "constraint"):
            if explained[key]:
                continue
            it.pop(key, None)
            if key == "constraint":
                it.pop("min", None)
                it.pop("max", None)
            if not row.get(key):
                continue
            current = it["id"] if key == "constraint" else None
            try:
                it[key] = render(from_xpath(row[key], kinds, current=current))
            except ExpressionError as exc:
                r.fail("survey", n, key, exc.code, exc.message)


def _located(r: Reader, exc: QuestionnaireError) -> QuestionnaireError:
    out = []
    for p in exc.problems:
        best = max(
            (k for k in r.where if p.pointer == k or p.pointer.startswith(k + "/")),
            key=len,
            default=None,
        )
        if best is None:
            out.append(p)
            continue
        sheet, row = r.where[best]
        rest = p.pointer[len(best) :].strip("/").split("/")[0]
        column = ITEM_COLUMNS.get(rest, rest) if sheet == "survey" else (rest or "name")
        out.append(
            Problem(
                f"/{sheet}/{row}/{column}",
                p.code,
                f"sheet {sheet!r}, row {row}, column {column!r}: {p.message}",
            )
        )
    return QuestionnaireError(
        message=f"XLSForm: {len(out)} problem(s)", code="xlsform_invalid", problems=tuple(out)
    )


def read_xlsform(source: bytes | str | Path) -> Questionnaire:
    """Read an XLSForm (bytes or path) into a Questionnaire; raises QuestionnaireError whose
    problems name the sheet, row and column."""
    require("XLSForm support", "odk", "pyxform")
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import get_xlsform

    from survey.forms.xform import xlsform_to_xform

    data = source if isinstance(source, bytes) else str(source)
    try:
        book = get_xlsform(data)
    except PyXFormError as exc:
        raise QuestionnaireError(
            message=f"cannot read the XLSForm: {exc}", code="xlsform_unreadable"
        ) from None
    r = Reader()
    doc = _settings(r, list(book.settings or []))
    lists = _choices(r, list(book.choices or []))
    items, cells = _survey(r, list(book.survey or []), lists, doc["special_codes"])
    named = {it["choices"] for it in items if isinstance(it.get("choices"), str)}
    special_codes = set(doc["special_codes"].values())
    doc["choice_lists"] = {
        k: [c for c in v if c["code"] not in special_codes]
        for k, v in lists.items()
        if SEP not in k or k in named
    }
    doc["items"] = items
    doc["structure"] = read_structure(r, indicator_rows(source))
    add_shorthand(r, doc["structure"], items, cells)
    if not r.problems:
        xlsform_to_xform(source if isinstance(source, bytes) else Path(source))
    try:
        _conditions(r, doc, cells)
        if r.problems:
            raise QuestionnaireError.with_problems(
                f"XLSForm: {len(r.problems)} problem(s)", r.problems
            )
        return parse_questionnaire(doc, source="XLSForm")
    except QuestionnaireError as exc:
        if exc.problems and all(
            p.pointer.split("/")[1] in ("survey", "choices", "settings", "indicators")
            for p in exc.problems
        ):
            raise
        raise _located(r, exc) from None
