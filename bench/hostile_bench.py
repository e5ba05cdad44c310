"""Bounded work per request: how long the server holds a worker for the worst bodies of at
most the maximum body size, against an anchor timed in the same run.

    python bench/hostile_bench.py [--body-mb 5] [--repeat 3]

Each case is one POST through the application in process (Starlette's TestClient, SQLite in
a temporary directory), so the figure is the request's whole server-side work: parsing,
validation, the error answer. The anchor is ``json.loads`` of a body of the same size (the
least any JSON route must do with it); the ratio says how many such parses the request
costs. The issue's bound: no request of at most the body limit holds a worker over 1 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

import numpy as np
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth.schemas import Role, TokenCreate
from api.auth.service import create_token
from api.db.engine import Database
from api.db.migrate import upgrade
from api.settings import Settings
from survey import load_questionnaire
from survey.simulate.random_response import generate_response


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body-mb", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    size = int(args.body_mb * 1024 * 1024)

    q = load_questionnaire("papi-2021")
    multi = next(i.id for i in q.items if i.type == "multiple_choice")
    text_item = next(i.id for i in q.items if i.type == "text" and i.id not in ("district",))
    base = generate_response(q, np.random.default_rng(1))

    def interview(**answers: Any) -> dict[str, Any]:
        return {
            "submission_id": str(uuid.uuid4()),
            "location": {"province": "P01"},
            "answers": {**base, **answers},
        }

    codes = size // 6  # "99999," per code
    cases: dict[str, tuple[str, dict[str, Any]]] = {
        "multi-select of invalid codes": ("one", interview(**{multi: [99999] * codes})),
        "multi-select of valid codes": ("one", interview(**{multi: [1] * (size // 2)})),
        "unknown answer keys": (
            "one",
            interview(**{f"x{k}": 1 for k in range(size // 12)}),
        ),
        "answers of a wrong type": (
            "one",
            {**interview(), "answers": {f"k{k}": {"a": 1} for k in range(size // 16)}},
        ),
        "one long text answer": ("one", interview(**{text_item: "x" * (size - 20_000)})),
        "batch of 1,000 invalid interviews": (
            "batch",
            {"submissions": [interview(**{multi: [99999] * (codes // 1000)}) for _ in range(1000)]},
        ),
    }

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        settings = Settings(database_url=url, run_jobs=False)
        db = Database(settings)
        with db.session(write=True) as s:
            token = create_token(s, TokenCreate(name="bench", role=Role.admin)).token
            s.commit()
        db.dispose()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        with TestClient(create_app(settings)) as client:
            survey = client.post(
                "/api/v1/surveys",
                json={"questionnaire": "papi-2021", "year": 2026, "name": "bench"},
                headers=headers,
            ).json()["id"]
            print(
                f"{'case':38} {'body MB':>8} {'status':>6} {'answer kB':>10} "
                f"{'request s':>10} {'anchor s':>9} {'ratio':>6}"
            )
            for name, (route, body) in cases.items():
                raw = json.dumps(body).encode()
                path = f"/api/v1/surveys/{survey}/submissions" + (
                    "/batch" if route == "batch" else ""
                )

                def post(raw: bytes = raw, path: str = path) -> Any:
                    return client.post(path, content=raw, headers=headers)

                took, r = _best(post, args.repeat)
                anchor, _ = _best(lambda raw=raw: json.loads(raw), args.repeat)
                print(
                    f"{name:38} {len(raw) / 2**20:8.2f} {r.status_code:6d} "
                    f"{len(r.content) / 1024:10.1f} {took:10.3f} {anchor:9.3f} "
                    f"{took / anchor:6.1f}"
                )


if __name__ == "__main__":
    main()
