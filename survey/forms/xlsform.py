"""Questionnaire → XLSForm rows (the layout ODK tools read), and the conventions both
directions share. Reading an XLSForm back is :mod:`survey.forms.xlsform_read`.

The workbook has pyxform's ``survey``, ``choices`` and ``settings`` sheets, which ODK tools
read (https://xlsform.org), plus what only PAPI needs:

- extra survey columns, ignored by pyxform and every ODK tool: ``item_type`` (``yes_no`` or
  ``rating`` when ``select_one`` is not enough), ``section``, ``special`` (special answers
  allowed, by name), ``min``/``max``, ``scale`` (``1 4``), ``papi_relevant`` /
  ``papi_constraint`` (the conditions in our language, so a round trip keeps them verbatim),
  ``meta`` (JSON) and ``indicators`` (codes of the indicators that read the item, informative);
- settings columns ``year``, ``title_en`` and ``special_codes`` (``dont_know=-8 refused=-9``);
- an ``indicators`` sheet, one row per dimension, sub-dimension and indicator, with columns
  ``dimension``, ``subdimension``, ``indicator``, ``label::…``, ``description::…``, ``source``,
  ``kind``, ``items``, ``codes`` (``1 2``; for a checklist one group per criterion separated by
  ``;``), ``eligible``, ``direction``, ``goalposts`` (``L U``) and ``meta``; when reading, the
  same can be written next to the questions (:func:`survey.forms.xlsform_indicators.add_shorthand`).

Choice-list names: a questionnaire list keeps its name; an item's inline choices become
``<item>__inline``; yes/no and scale-only ratings get ``<item>__builtin`` / ``<item>__scale``;
an item that allows special answers gets its own list ``<base>__<special>__…`` holding the
base choices plus one choice per special code. Conditions become XPath through
:mod:`survey.conditions.xpath` (guarded so that missing and special answers behave as in our language);
``min``/``max`` and special answers are folded into the XLSForm ``constraint``, derived from
the value rules the server applies (:mod:`survey.validation.answer_rules`), so that the form lets an
enumerator finalise only answers the server accepts (docs/odk.md, "What the form checks").
A date that allows special answers is a date widget preceded by a ``select_one`` of those
answers, ``<item>__special`` (column ``special_of`` names the date), never a text field.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from survey.conditions.xpath import ItemKind, to_xpath
from survey.errors import QuestionnaireError
from survey.extras import require
from survey.questionnaire.schema import Indicator, Item, Label, Questionnaire
from survey.validation.answer_bounds import max_text_length
from survey.validation.answer_rules import LAST_DATE, ValueRules, rules_of

LANGS = (("vi", "Tiếng Việt (vi)"), ("en", "English (en)"))
DEFAULT_LANGUAGE = "Tiếng Việt (vi)"
SEP = "__"
SPECIAL_LABELS = {
    "dont_know": Label(vi="Không biết", en="Don't know"),
    "refused": Label(vi="Từ chối trả lời", en="Refused"),
    "not_applicable": Label(vi="Không áp dụng", en="Not applicable"),
}
SELECT = {"single_choice": "select_one", "yes_no": "select_one", "rating": "select_one"}
SELECT |= {"multiple_choice": "select_multiple"}
PLAIN = {"integer": "integer", "decimal": "decimal", "text": "text", "date": "date"}
META_ROWS = ({"type": "start", "name": "start"}, {"type": "end", "name": "end"})
Rows = list[dict[str, Any]]


def labelled(prefix: str, label: Label | None) -> dict[str, str]:
    if label is None:
        return {}
    return {f"{prefix}::{column}": getattr(label, lang) for lang, column in LANGS}


def number_text(value: float | int | str) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def item_kinds(q: Questionnaire) -> dict[str, ItemKind]:
    """What :mod:`survey.conditions.xpath` needs of every item (multiple choice, special codes)."""
    return {
        it.id: ItemKind(
            multiple=it.type == "multiple_choice",
            special=tuple(q.allowed_special(it).values()),
        )
        for it in q.items
    }


def list_name(it: Item) -> str | None:
    """The XLSForm choice list of a select item (see the module docstring)."""
    if it.type not in SELECT:
        return None
    if isinstance(it.choices, str):
        base = it.choices
    elif it.choices:
        base = f"{it.id}{SEP}inline"
    else:
        base = f"{it.id}{SEP}{'builtin' if it.type == 'yes_no' else 'scale'}"
    return SEP.join([base, *it.special])


def xlsform_type(it: Item) -> str:
    """The XLSForm ``type`` cell (a date is always a date widget; its special answers, if
    any, are a companion question, :func:`special_question`)."""
    if it.type in SELECT:
        return f"{SELECT[it.type]} {list_name(it)}"
    return PLAIN[it.type]


def special_question(it: Item) -> str | None:
    """The companion question of a date that allows special answers: a ``select_one`` of
    those answers, asked just before the date widget (which cannot hold -8). When one is
    chosen the date is not required and must stay empty; the server reads the pair back as
    one answer (:func:`survey.forms.xform.parse_submission`). ``None`` for other items."""
    if it.type == "date" and it.special:
        return f"{it.id}{SEP}special"
    return None


def special_required(it: Item) -> str:
    """The ``required`` cell of a date with a companion: required unless a special answer
    is chosen."""
    return f"${{{special_question(it)}}} = ''"


# JavaRosa writes a date before year 1000 without leading zeros (year 1 as ``1-01-01``),
# which is not ISO and the server refuses: a date widget's answer is kept from 1000 on.
WIDGET_FIRST_DATE = "1000-01-01"


def _bounds(q: Questionnaire, it: Item, rules: ValueRules, *, text_limit: bool = True) -> list[str]:
    """The form's checks of a value, from the rules the server applies
    (:mod:`survey.validation.answer_rules`): the bounds (flagged by the server, refused by the form),
    no special code the item does not allow (refused by the server: the value would read as
    that special answer), a date within what the widget writes as YYYY-MM-DD and, for a date
    with a companion special question, no date when a special answer is chosen, and a text
    no longer than the server keeps (:func:`survey.validation.answer_bounds.max_text_length`, counted
    as ``string-length`` counts it; ``text_limit=False`` leaves it out, as versions before
    it did, so that their workbooks still read back: docs/odk.md, "Text length")."""
    parts = []
    if rules.type == "text" and text_limit:
        parts.append(f"string-length(.) <= {max_text_length(q)}")
    elif rules.type == "date":
        companion = special_question(it)
        if companion:
            parts.append(f"${{{companion}}} = ''")
        first = max(str(rules.lo or WIDGET_FIRST_DATE), WIDGET_FIRST_DATE)
        last = min(str(rules.hi or LAST_DATE), LAST_DATE)
        parts.append(f"date(.) >= date('{first}')")
        parts.append(f"date(.) <= date('{last}')")
    elif rules.type in ("integer", "decimal"):
        lo, hi = rules.lo, rules.hi
        for op, bound in ((">=", lo), ("<=", hi)):
            if bound is not None:
                parts.append(f". {op} {number_text(bound)}")
        for code in sorted(rules.forbidden_special):
            if (lo is None or float(lo) <= code) and (hi is None or code <= float(hi)):
                parts.append(f". != {code}")
    return parts


def constraint_xpath(
    q: Questionnaire, it: Item, kinds: Mapping[str, ItemKind], *, text_limit: bool = True
) -> str | None:
    """Bounds, the item's own constraint and its special answers as one XLSForm constraint
    (``text_limit``: :func:`_bounds`)."""
    core = _bounds(q, it, rules_of(q, it), text_limit=text_limit)
    if it.constraint:
        core.append(f"({to_xpath(q.condition(it.constraint), kinds, current=it.id)})")
    codes = list(q.allowed_special(it).values())
    body = " and ".join(core)
    if not codes or special_question(it):
        return body or None
    if it.type == "multiple_choice":
        alone = " and ".join(f"(not(selected(., '{c}')) or count-selected(.) = 1)" for c in codes)
        chosen = " or ".join(f"selected(., '{c}')" for c in codes)
        return f"{alone} and ({chosen} or ({body}))" if body else alone
    if not body:
        return None
    literal = "'{}'" if it.type in ("text", "date") else "{}"
    alternatives = " or ".join(f". = {literal.format(c)}" for c in codes)
    return f"{alternatives} or ({body})"


SPECIAL_PROMPT = Label(
    vi="Nếu không có ngày cụ thể, chọn một câu trả lời:",
    en="If there is no date to give, choose an answer:",
)


def _special_row(q: Questionnaire, it: Item, kinds: Mapping[str, ItemKind]) -> dict[str, Any]:
    """The companion question of a date with special answers (:func:`special_question`)."""
    row: dict[str, Any] = {"type": f"select_one {special_question(it)}"}
    row |= {"name": special_question(it)} | labelled("label", it.label)
    row |= labelled("hint", SPECIAL_PROMPT)
    if it.relevant:
        row["relevant"] = to_xpath(q.condition(it.relevant), kinds)
    row["special_of"] = it.id
    row["section"] = it.section or ""
    return row


def _survey_row(
    q: Questionnaire, it: Item, kinds: Mapping[str, ItemKind], used_by: list[str]
) -> dict[str, Any]:
    row: dict[str, Any] = {"type": xlsform_type(it), "name": it.id} | labelled("label", it.label)
    row["required"] = "yes" if it.required else ""
    if it.required and special_question(it):
        row["required"] = special_required(it)
    if it.relevant:
        row["relevant"] = to_xpath(q.condition(it.relevant), kinds)
        row["papi_relevant"] = it.relevant
    constraint = constraint_xpath(q, it, kinds)
    if constraint:
        row["constraint"] = constraint
    if it.constraint:
        row["papi_constraint"] = it.constraint
    row |= labelled("constraint_message", it.constraint_message)
    if isinstance(it.meta.get("appearance"), str):
        row["appearance"] = it.meta["appearance"]
    if it.type in ("yes_no", "rating"):
        row["item_type"] = it.type
    row["section"] = it.section or ""
    row["special"] = " ".join(it.special)
    row["min"] = "" if it.min is None else number_text(it.min)
    row["max"] = "" if it.max is None else number_text(it.max)
    row["scale"] = f"{it.scale.min} {it.scale.max}" if it.scale else ""
    row["meta"] = json.dumps(it.meta, ensure_ascii=False) if it.meta else ""
    row["indicators"] = " ".join(used_by)
    return row


def _choice_rows(q: Questionnaire) -> Rows:
    rows: Rows = []
    written: set[str] = set()
    used = [it.choices for it in q.items if isinstance(it.choices, str)]
    order = list(dict.fromkeys(n for n in used if n in q.choice_lists))
    order += sorted(set(q.choice_lists) - set(order))  # storage (e.g. JSONB) may reorder keys
    for name in order:
        choices = q.choice_lists[name]
        if SEP in name:
            raise QuestionnaireError(
                message=f"choice list {name!r}: names with {SEP!r} are reserved for generated "
                "XLSForm lists; rename it",
                code="xlsform_reserved_name",
            )
        rows += [
            {"list_name": name, "name": str(c.code)} | labelled("label", c.label) for c in choices
        ]
        written.add(name)
    for it in q.items:
        companion = special_question(it)
        if companion is not None:
            rows += [
                {"list_name": companion, "name": str(code)}
                | labelled("label", SPECIAL_LABELS.get(n, Label(vi=n, en=n)))
                for n, code in q.allowed_special(it).items()
            ]
        generated = list_name(it)
        if generated is None or generated in written:
            continue
        written.add(generated)
        own = q.choices_of(it)
        specials = [
            (code, SPECIAL_LABELS.get(n, Label(vi=n, en=n)))
            for n, code in q.allowed_special(it).items()
        ]
        rows += [
            {"list_name": generated, "name": str(c.code)} | labelled("label", c.label) for c in own
        ]
        rows += [
            {"list_name": generated, "name": str(code)} | labelled("label", lab)
            for code, lab in specials
        ]
    return rows


def _codes(ind: Indicator) -> str:
    if ind.kind == "checklist":
        return "; ".join(" ".join(map(str, c.codes)) for c in ind.criteria or ())
    return " ".join(map(str, ind.codes or ()))


def _indicator_rows(q: Questionnaire) -> Rows:
    rows: Rows = []
    for d in q.structure.dimensions:
        rows.append({"dimension": d.code} | labelled("label", d.name))
        for s in d.subdimensions:
            rows.append({"dimension": d.code, "subdimension": s.code} | labelled("label", s.name))
            for ind in s.indicators:
                row: dict[str, Any] = {
                    "dimension": d.code,
                    "subdimension": s.code,
                    "indicator": ind.code,
                }
                row |= labelled("label", ind.name) | labelled("description", ind.description)
                row |= {"source": ind.source, "kind": ind.kind, "items": " ".join(ind.item_ids)}
                row |= {
                    "codes": _codes(ind),
                    "eligible": ind.eligible or "",
                    "direction": ind.direction,
                }
                row["goalposts"] = " ".join(number_text(g) for g in ind.goalposts)
                row["meta"] = json.dumps(ind.meta, ensure_ascii=False) if ind.meta else ""
                rows.append(row)
    return rows


def to_xlsform_rows(q: Questionnaire) -> dict[str, Rows]:
    """The workbook as rows per sheet (``survey``, ``choices``, ``settings``, ``indicators``)."""
    kinds = item_kinds(q)
    used_by: dict[str, list[str]] = {}
    for ind in q.indicators:
        for item_id in ind.item_ids:
            used_by.setdefault(item_id, []).append(ind.code)
    survey = [dict(r) for r in META_ROWS]
    for it in q.items:
        if special_question(it):
            survey.append(_special_row(q, it, kinds))
        survey.append(_survey_row(q, it, kinds, used_by.get(it.id, [])))
    settings = {
        "form_id": q.id,
        "version": q.version,
        "form_title": q.title.vi,
        "default_language": DEFAULT_LANGUAGE,
        "year": str(q.year),
        "title_en": q.title.en,
        "special_codes": " ".join(f"{k}={v}" for k, v in q.special_codes.items()),
    }
    return {
        "survey": survey,
        "choices": _choice_rows(q),
        "settings": [settings],
        "indicators": _indicator_rows(q),
    }


def write_xlsform(q: Questionnaire, path: str | Path | None = None) -> bytes:
    """The questionnaire as an XLSForm workbook (.xlsx bytes); also written to ``path``."""
    require("XLSForm support", "odk", "openpyxl")
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in to_xlsform_rows(q).items():
        ws = wb.create_sheet(name)
        columns = list(dict.fromkeys(key for row in rows for key in row))
        ws.append(columns)
        for row in rows:
            ws.append([_cell(row.get(c)) for c in columns])
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _cell(value: Any) -> Any:
    return None if value in ("", None) else value
