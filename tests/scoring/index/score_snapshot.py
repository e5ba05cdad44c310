"""Saved ``score()`` outputs on fixed simulated surveys: the before/after check of speed work.

``CASES`` score two seeded surveys (tests/scoring/index/simdata.py: papi-2021 with its skip
logic and special codes, and the mini questionnaire) with Taylor and replicate CIs, weighted
and unweighted, the normal quantile, the PSU-share correction, a lower ``min_n``, commune
PSUs and a 90% level, so that suppression, available-case sub-dimensions, Korn–Graubard
intervals, design effects, rank intervals and group probabilities all appear in the tables.
``fixtures/score_snapshot.json.gz`` holds every case's ``IndexScores.to_dict()`` as the
code computed it when the file was written (the engine version left out);
test_index_snapshot.py requires today's ``score()`` to give the same tables and notes.

A deliberate change of a result (a new default, a new statistic) regenerates the file, in the
same commit as the change and saying so: ``python -m tests.scoring.index.score_snapshot``.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from scoring import IndexScores, score
from survey import load_questionnaire
from survey.questionnaire.schema import Questionnaire
from tests.scoring.index.simdata import simulate_responses

HERE = Path(__file__).resolve().parent
SNAPSHOT = HERE / "fixtures" / "score_snapshot.json.gz"
MINI = HERE / "fixtures" / "index-mini.yaml"

# every option spelled out, so that a changed default does not read as a changed result
BASE: dict[str, Any] = {
    "weighted": True,
    "variance": "taylor",
    "replicates": 200,
    "rng": 7,
    "confidence": 0.95,
    "min_n": 10,
    "min_share": 0.5,
    "ci_dist": "t",
    "lonely_psu": "fail",
    "poststratified": False,
    "share_correction": False,
}
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "papi_taylor_weighted": ("papi", {}),
    "papi_taylor_unweighted": ("papi", {"weighted": False}),
    "papi_taylor_normal_share_corrected": (
        "papi",
        {"ci_dist": "normal", "share_correction": True, "min_share": 1.0},
    ),
    "papi_taylor_village_psu": ("papi", {"psu": "village", "min_n": 5, "confidence": 0.9}),
    "papi_bootstrap_weighted": ("papi", {"variance": "bootstrap", "replicates": 60, "rng": 5}),
    "papi_jkn_unweighted": ("papi", {"variance": "jkn", "weighted": False, "rng": 2}),
    "mini_taylor_weighted": ("mini", {}),
    "mini_bootstrap_unweighted": (
        "mini",
        {"variance": "bootstrap", "weighted": False, "replicates": 80, "rng": 3},
    ),
}


@cache
def survey(name: str) -> tuple[pd.DataFrame, Questionnaire]:
    """The fixed responses and questionnaire of a case."""
    if name == "papi":
        q = load_questionnaire("papi-2021")
        data = simulate_responses(q, provinces=6, districts=3, villages=2, per_village=14, rng=21)
    else:
        q = load_questionnaire(MINI)
        data = simulate_responses(q, provinces=5, districts=4, villages=2, per_village=10, rng=3)
    return data, q


def run(case: str) -> IndexScores:
    """``score()`` of one case today."""
    name, options = CASES[case]
    data, q = survey(name)
    return score(data, q, **{**BASE, **options})


def document(result: IndexScores) -> dict[str, Any]:
    """What the snapshot keeps of a result: ``to_dict()`` without the engine version."""
    doc = result.to_dict()
    doc["meta"]["provenance"].pop("engine_version", None)
    return doc


def load() -> dict[str, dict[str, Any]]:
    """The saved documents, by case."""
    saved: dict[str, dict[str, Any]] = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))
    return saved


def write() -> None:
    """Rewrite the snapshot from today's ``score()`` (a deliberate change of results only)."""
    docs = {case: document(run(case)) for case in CASES}
    text = json.dumps(docs, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    SNAPSHOT.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


if __name__ == "__main__":
    write()
