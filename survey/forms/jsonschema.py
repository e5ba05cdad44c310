"""JSON Schema (draft 2020-12) of the ``answers`` object a client sends for a questionnaire.

The schema states what JSON Schema can: the item ids (no others), each value's type, codes,
ranges and allowed special codes, ``null`` for a skipped item, and the items that are
required regardless of skip logic. Skip logic and constraints are conditions over other
answers; they are carried as annotations (``x-relevant``, ``x-constraint``) and enforced by
``survey.validation.validate_response``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from survey.questionnaire.schema import Item, Questionnaire

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _value_schema(q: Questionnaire, item: Item) -> dict[str, Any]:
    t = item.type
    if t in ("single_choice", "yes_no"):
        return {"type": "integer", "enum": sorted(q.codes_of(item))}
    if t == "rating":
        assert item.scale is not None
        return {"type": "integer", "minimum": item.scale.min, "maximum": item.scale.max}
    if t == "multiple_choice":
        return {
            "type": "array",
            "items": {"type": "integer", "enum": sorted(q.codes_of(item))},
            "uniqueItems": True,
        }
    if t in ("integer", "decimal"):
        out: dict[str, Any] = {"type": "integer" if t == "integer" else "number"}
        if item.min is not None:
            out["minimum"] = item.min
        if item.max is not None:
            out["maximum"] = item.max
        return out
    if t == "text":
        return {"type": "string"}
    out = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    if item.min is not None:
        out["formatMinimum"] = str(item.min)
    if item.max is not None:
        out["formatMaximum"] = str(item.max)
    return out


def item_schema(q: Questionnaire, item: Item) -> dict[str, Any]:
    """Schema of one item's value: the value, an allowed special code, or null."""
    options: list[dict[str, Any]] = [_value_schema(q, item)]
    special = q.allowed_special(item)
    if special:
        options.append(
            {
                "type": "integer",
                "enum": sorted(special.values()),
                "description": ", ".join(f"{c} = {n}" for n, c in sorted(special.items())),
            }
        )
    if item.relevant or not item.required:
        options.append({"type": "null"})
    out: dict[str, Any] = {
        "title": item.label.en,
        "description": item.label.vi,
        "x-type": item.type,
        "anyOf": options,
    }
    if item.relevant:
        out["x-relevant"] = item.relevant
    if item.constraint:
        out["x-constraint"] = item.constraint
    return out


def response_json_schema(q: Questionnaire) -> dict[str, Any]:
    """JSON Schema of ``answers`` (item id -> value) for this questionnaire."""
    required = [it.id for it in q.items if it.required and not it.relevant]
    return {
        "$schema": DRAFT,
        "$id": f"urn:papi-engine:questionnaire:{q.id}:{q.full_version}:answers",
        "title": f"Answers to {q.title.en} ({q.id} {q.version})",
        "description": (
            "Item id -> value. Special answers are the item's special codes; items that are "
            "not relevant (x-relevant false) must be absent or null. Skip logic and "
            "constraints are checked by the server."
        ),
        "type": "object",
        "properties": {it.id: item_schema(q, it) for it in q.items},
        "required": required,
        "additionalProperties": False,
    }
