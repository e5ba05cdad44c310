"""The files of a scoring result, as ``papi score --out`` and ``papi demo`` write them and
``papi report`` reads them back: ``<tier>.csv`` and ``<tier>.json`` per index tier and
``scores.json`` (docs/scoring.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scoring import IndexScores


def write_score_files(result: IndexScores, out: Path) -> list[Path]:
    """``<tier>.csv`` and ``<tier>.json`` per tier (the rows of that tier in
    ``IndexScores.to_dict()``), and ``scores.json`` (``IndexScores.to_json``, reloadable with
    ``IndexScores.from_json``); the paths written, ``scores.json`` last."""
    from scoring.index.results import TIERS

    out.mkdir(parents=True, exist_ok=True)
    written = []
    doc = result.to_dict()
    for tier in TIERS:
        result.tier(tier).to_csv(out / f"{tier}.csv", index=False)
        (out / f"{tier}.json").write_text(
            json.dumps(doc[tier], indent=1, ensure_ascii=False), encoding="utf-8"
        )
        written += [out / f"{tier}.csv", out / f"{tier}.json"]
    (out / "scores.json").write_text(result.to_json(indent=1), encoding="utf-8")
    return [*written, out / "scores.json"]
