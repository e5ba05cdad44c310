"""The index ``structure`` of a PAPI XLSForm: the ``indicators`` sheet (layout in
:mod:`survey.forms.xlsform`: one row per dimension, sub-dimension and indicator, in order) and the
shorthand of indicator columns on the survey sheet (:func:`add_shorthand`)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from survey.extras import require

if TYPE_CHECKING:
    from survey.forms.xlsform_read import Reader


def indicator_rows(source: bytes | str | Path) -> list[dict[str, str]]:
    require("XLSForm support", "odk", "openpyxl")
    from openpyxl import load_workbook

    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if not data.startswith(b"PK"):
        return []
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    names = {n.lower(): n for n in wb.sheetnames}
    if "indicators" not in names:
        return []
    rows = list(wb[names["indicators"]].iter_rows(values_only=True))
    if not rows:
        return []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    out = []
    for values in rows[1:]:
        out.append(
            {
                h: str(v).strip()
                for h, v in zip(header, values, strict=False)
                if h and v not in (None, "")
            }
        )
    return out


def read_structure(r: Reader, rows: list[dict[str, str]]) -> dict[str, Any]:
    dims: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        n, name = i + 2, r.label(row, "label") or {"vi": "", "en": ""}
        d, s, code = row.get("dimension"), row.get("subdimension"), row.get("indicator")
        if d and not s and not code:
            dims.append({"code": d, "name": name, "subdimensions": []})
            continue
        if not dims or dims[-1]["code"] != d:
            r.fail(
                "indicators",
                n,
                "dimension",
                "dimension_order",
                f"dimension {d!r} needs its own row (dimension, label) before its sub-dimensions",
            )
            continue
        subs = dims[-1]["subdimensions"]
        if s and not code:
            subs.append({"code": s, "name": name, "indicators": []})
            continue
        if not subs or subs[-1]["code"] != s:
            r.fail(
                "indicators",
                n,
                "subdimension",
                "subdimension_order",
                f"sub-dimension {s!r} needs its own row before its indicators",
            )
            continue
        ind: dict[str, Any] = {"code": code, "name": name, "kind": row.get("kind", "share")}
        ind |= {
            "source": row.get("source", "modelled"),
            "direction": row.get("direction", "positive"),
        }
        items = row.get("items", "").split()
        groups = [g.split() for g in row.get("codes", "").split(";")]
        try:
            if ind["kind"] == "share":
                ind |= {"item": items[0] if items else None, "codes": [int(c) for c in groups[0]]}
            elif ind["kind"] == "mean":
                ind["items"] = items
            else:
                ind["criteria"] = [
                    {"item": it, "codes": [int(c) for c in g]}
                    for it, g in zip(items, groups, strict=True)
                ]
            ind["goalposts"] = [float(g) for g in row.get("goalposts", "").split()]
        except ValueError as exc:
            r.fail(
                "indicators",
                n,
                "codes",
                "indicator_cells",
                f"codes/goalposts must be numbers, one code group per checklist item ({exc})",
            )
            continue
        for key in ("eligible",):
            if row.get(key):
                ind[key] = row[key]
        description = r.label(row, "description")
        if description:
            ind["description"] = description
        if row.get("meta"):
            ind["meta"] = json.loads(row["meta"])
        k, j = len(dims) - 1, len(subs) - 1
        r.where[
            f"/structure/dimensions/{k}/subdimensions/{j}/indicators/{len(subs[-1]['indicators'])}"
        ] = ("indicators", n)
        subs[-1]["indicators"].append(ind)
    return {"dimensions": dims}


def _codes(text: str) -> list[int]:
    return [int(c) for c in text.replace(",", " ").split()]


def _find(
    parent: list[dict[str, Any]], code: str, child_key: str, name: dict[str, str]
) -> dict[str, Any]:
    for node in parent:
        if node["code"] == code:
            return node
    node = {"code": code, "name": name, child_key: []}
    parent.append(node)
    return node


def _published_names() -> dict[str, dict[str, str]]:
    """English names of PAPI's dimensions and sub-dimensions (the published codebook)."""
    from survey.published import codebook

    names: dict[str, dict[str, str]] = {}
    for row in codebook().itertuples():
        names[str(row.subdimension)] = {"vi": str(row.name), "en": str(row.name)}
        names[str(row.dimension)] = {"vi": str(row.dimension_name), "en": str(row.dimension_name)}
    return names


def add_shorthand(
    r: Reader,
    structure: dict[str, Any],
    items: list[dict[str, Any]],
    cells: list[dict[str, str]],
) -> None:
    """Indicators written on the survey sheet, next to their questions: columns
    ``indicator``, ``subdimension`` (``dimension`` defaults to ``D`` + its first digit),
    ``kind`` (default: ``share`` with ``codes``, else ``mean``), ``codes``, ``eligible``,
    ``direction``, ``goalposts`` and ``indicator_label::…``. Rows sharing an indicator code
    form one mean (items) or checklist (criteria). Indicators on the ``indicators`` sheet win;
    missing dimension/sub-dimension rows take their names from the published codebook."""
    grouped: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
    for i, (item, row) in enumerate(zip(items, cells, strict=True)):
        if row.get("indicator"):
            grouped.setdefault(row["indicator"], []).append((r.where[f"/items/{i}"][1], item, row))
    defined = {
        ind["code"]
        for d in structure["dimensions"]
        for s in d["subdimensions"]
        for ind in s["indicators"]
    }
    names: dict[str, dict[str, str]] | None = None
    for code, members in grouped.items():
        if code in defined:
            continue
        n, item, row = members[0]
        sub = row.get("subdimension", "")
        match = re.fullmatch(r"SC(\d)\d+", sub)
        if match is None:
            r.fail(
                "survey",
                n,
                "subdimension",
                "subdimension",
                f"indicator {code!r} needs a sub-dimension code such as SC11",
            )
            continue
        names = names if names is not None else _published_names()
        dim_code = row.get("dimension") or f"D{match.group(1)}"
        dim = _find(
            structure["dimensions"],
            dim_code,
            "subdimensions",
            names.get(dim_code, {"vi": dim_code, "en": dim_code}),
        )
        subdim = _find(
            dim["subdimensions"], sub, "indicators", names.get(sub, {"vi": sub, "en": sub})
        )
        kind = row.get("kind") or ("share" if row.get("codes") else "mean")
        label = r.label(row, "indicator_label") or item["label"]
        ind: dict[str, Any] = {"code": code, "name": label, "kind": kind}
        ind["direction"] = row.get("direction", "positive")
        try:
            if kind == "share":
                ind |= {"item": item["id"], "codes": _codes(row.get("codes", ""))}
                default = [0.0, 1.0]
            elif kind == "checklist":
                ind["criteria"] = [
                    {"item": it["id"], "codes": _codes(rw.get("codes", ""))}
                    for _, it, rw in members
                ]
                default = [0.0, float(len(members))]
            else:
                ind["items"] = [it["id"] for _, it, _ in members]
                default = []
            goalposts = [float(g) for g in row.get("goalposts", "").split()] or default
        except ValueError as exc:
            r.fail(
                "survey",
                n,
                "codes",
                "indicator_cells",
                f"indicator {code!r}: codes and goalposts must be numbers ({exc})",
            )
            continue
        if ind["direction"] == "negative" and not row.get("goalposts"):
            goalposts = goalposts[::-1]
        ind["goalposts"] = goalposts
        eligible = row.get("eligible") or row.get("eligibility")
        if eligible:
            ind["eligible"] = eligible
        k, j = structure["dimensions"].index(dim), dim["subdimensions"].index(subdim)
        r.where[
            f"/structure/dimensions/{k}/subdimensions/{j}/indicators/{len(subdim['indicators'])}"
        ] = ("survey", n)
        subdim["indicators"].append(ind)
