"""The ``indicators`` sheet of a PAPI XLSForm → the index ``structure`` (layout in
:mod:`survey.xlsform`): one row per dimension, sub-dimension and indicator, in order."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from survey.xlsform_read import Reader


def indicator_rows(source: bytes | str | Path) -> list[dict[str, str]]:
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
