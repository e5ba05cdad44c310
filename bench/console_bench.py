"""Console page times with a simulated national survey of 15,000 interviews in the database.

For each database (SQLite file, PostgreSQL at 127.0.0.1:5432) it creates a survey on
papi-2021 with a national sample (63 provinces × 2 districts × 2 communes × 3 villages, quota
30 each), submits ``--interviews`` simulated interviews through the batch API from 30
enumerator tokens (one of them rushes: every interview too fast), reviews a few hundred,
spreads the arrival times over 21 days, then starts ``uvicorn api.app:create_app`` and
requests every console page ``--repeat`` times, one at a time, signed in as the admin.

It prints each page's p50 and p95 (milliseconds, client-measured on loopback: an upper
bound of the server time) and, as the anchor of the same run, ``GET /healthz`` (the
framework's floor) and ``GET /api/v1/surveys/{id}/progress`` (the API's own progress
document), with each page's p95 as a ratio to the API's. Target (docs/console.md): p95 < 150 ms.

    python bench/console_bench.py                 # both databases
    python bench/console_bench.py --db sqlite --interviews 15000 --repeat 40 --json
    python bench/console_bench.py --db sqlite --keep /tmp/console.db   # keep the database
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from rich.progress import track
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.db.migrate import upgrade  # noqa: E402
from bench.api_bench import fresh_pg_database, percentile  # noqa: E402
from survey.questionnaire.loader import load_questionnaire  # noqa: E402
from tests.api.interviews import interview  # noqa: E402
from tests.api.live import LiveServer  # noqa: E402
from tests.api.support import admin_token, make_settings  # noqa: E402

ENUMERATORS = 30
DAYS = 21


def national_sample() -> list[dict[str, Any]]:
    out = []
    for p in range(1, 64):
        for d in (1, 2):
            for c in (1, 2):
                for v in (1, 2, 3):
                    district = f"P{p:02d}-D{d:02d}"
                    commune = f"{district}-C{c:02d}"
                    out.append(
                        {
                            "province": f"P{p:02d}",
                            "district": district,
                            "commune": commune,
                            "village": f"{commune}-V{v:02d}",
                            "quota": 30,
                        }
                    )
    return out


def seed(url: str, n: int, rng_seed: int) -> dict[str, Any]:
    """The survey, its tokens and ``n`` interviews (through the running server's API)."""
    settings = make_settings(url)
    admin = admin_token(settings)
    q = load_questionnaire("papi-2021")
    rng = np.random.default_rng(rng_seed)
    sample = national_sample()
    with LiveServer(url) as server:
        h = {"Authorization": f"Bearer {admin}"}
        c = httpx.Client(base_url=server.url, timeout=120)
        body = {"questionnaire": "papi-2021", "year": 2026, "name": "PAPI 2026 (simulated)"}
        sid = c.post("/api/v1/surveys", json={**body, "sample": sample}, headers=h).json()["id"]
        tokens = []
        for e in range(ENUMERATORS):
            r = c.post(
                "/api/v1/tokens",
                json={"name": f"enum-{e + 1:02d}", "role": "enumerator", "survey_id": sid},
                headers=h,
            )
            tokens.append(r.json()["token"])
        # a few hundred distinct interviews, re-identified and re-located (generation is slow)
        base = [interview(q, rng, i) for i in range(300)]
        batch: dict[int, list[dict[str, Any]]] = {e: [] for e in range(ENUMERATORS)}

        def flush(e: int) -> None:
            if batch[e]:
                r = c.post(
                    f"/api/v1/surveys/{sid}/submissions/batch",
                    json={"submissions": batch[e]},
                    headers={"Authorization": f"Bearer {tokens[e]}"},
                )
                assert r.status_code == 200, r.text[:500]
                batch[e] = []

        # interviews fall where the villages are (some villages ahead of others)
        weights = rng.gamma(2.0, 1.0, len(sample))
        villages = rng.choice(len(sample), size=n, p=weights / weights.sum())
        for i in track(range(n), description="interviews", console=None):
            unit = sample[int(villages[i])]
            e = int(villages[i]) % ENUMERATORS
            b = dict(base[i % len(base)])
            b["submission_id"] = str(uuid.uuid4())
            b["location"] = {k: unit[k] for k in ("province", "district", "commune", "village")}
            answers = dict(b["answers"])
            answers.update(
                province_code=int(unit["province"][1:]),
                district=unit["district"],
                commune=unit["commune"],
                village=unit["village"],
            )
            b["answers"] = answers
            if e == 12:  # enum-13 rushes
                paradata = dict(b["paradata"])
                paradata["end"] = paradata["start"][:-6] + "+00:00"
                b["paradata"] = paradata
            batch[e].append(b)
            if len(batch[e]) >= 500:
                flush(e)
        for e in range(ENUMERATORS):
            flush(e)
        # a supervisor's work: approve or reject some interviews
        ids = c.get(f"/api/v1/surveys/{sid}/submissions", params={"limit": 600}, headers=h).json()[
            "items"
        ]
        for k, item in enumerate(ids):
            status = "rejected" if k % 10 == 0 else "approved"
            c.post(
                f"/api/v1/surveys/{sid}/submissions/{item['submission_id']}/review",
                json={"status": status, "comment": "bench"},
                headers=h,
            )
    spread_arrivals(url, rng)
    return {"admin": admin, "survey": sid}


def spread_arrivals(url: str, rng: np.random.Generator) -> None:
    """Arrival times over the last ``DAYS`` days, more later in the field work (the bench
    writes the column directly: the API stamps every interview with the time it arrives)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT id, received_at FROM submissions")).all()
        back = DAYS - 1 - np.floor(DAYS * np.sqrt(rng.random(len(rows)))).astype(int)
        params = []
        for (pk, at), days in zip(rows, back, strict=True):
            if isinstance(at, str):
                from datetime import datetime

                at = datetime.fromisoformat(at)
            params.append({"pk": pk, "at": at - timedelta(days=int(days))})
        conn.execute(text("UPDATE submissions SET received_at = :at WHERE id = :pk"), params)
    if engine.dialect.name == "postgresql":
        # what autovacuum does to a table weeks into field work: statistics and the
        # visibility map (without it no index-only scan), after the bulk update above
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE submissions"))
    engine.dispose()


def pages(c: httpx.Client, sid: int) -> dict[str, str]:
    queue = c.get(f"/console/surveys/{sid}/review?status=any").text
    found = re.search(r"/interviews/([0-9a-f-]{36})", queue)
    assert found, "the review queue lists no interview"
    return {
        "surveys": "/console/surveys",
        "progress (national)": f"/console/surveys/{sid}",
        "progress (province)": f"/console/surveys/{sid}?unit=P01",
        "progress (commune)": f"/console/surveys/{sid}?unit=P01-D01-C01",
        "progress refresh": f"/console/surveys/{sid}/live",
        "review queue": f"/console/surveys/{sid}/review",
        "review queue (filtered)": f"/console/surveys/{sid}/review?flag=too_fast&province=P01",
        "interview": f"/console/surveys/{sid}/interviews/{found.group(1)}",
        "enumerators": f"/console/surveys/{sid}/enumerators",
        "tokens": f"/console/surveys/{sid}/tokens",
        "exports": f"/console/surveys/{sid}/exports",
    }


def measure(c: httpx.Client, path: str, repeat: int) -> dict[str, float]:
    c.get(path)  # warm
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = c.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95)}


def bench_database(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    upgrade(url)
    seeded = seed(url, args.interviews, args.seed)
    sid = seeded["survey"]
    out: dict[str, Any] = {"database": name, "interviews": args.interviews, "pages": {}}
    with LiveServer(url) as server:
        c = httpx.Client(base_url=server.url, timeout=60)
        r = c.post("/console/sign-in", data={"token": seeded["admin"]}, follow_redirects=False)
        assert r.status_code == 303, r.text[:300]
        api = {"Authorization": f"Bearer {seeded['admin']}"}
        anchor = httpx.Client(base_url=server.url, timeout=60, headers=api)
        out["anchor"] = {
            "healthz": measure(anchor, "/healthz", args.repeat),
            "api progress": measure(anchor, f"/api/v1/surveys/{sid}/progress", args.repeat),
        }
        for label, path in track(list(pages(c, sid).items()), description=name):
            out["pages"][label] = measure(c, path, args.repeat)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--interviews", type=int, default=15_000)
    ap.add_argument("--repeat", type=int, default=40, help="requests per page")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", type=Path, help="SQLite only: copy the database here afterwards")
    ap.add_argument("--json", action="store_true", help="print JSON only")
    args = ap.parse_args()
    results = []
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "console.db"
            results.append(bench_database("sqlite", f"sqlite:///{db}", args))
            if args.keep:
                shutil.copy(db, args.keep)
    if args.db in ("postgresql", "both"):
        url, drop = fresh_pg_database()
        try:
            results.append(bench_database("postgresql", url, args))
        finally:
            drop()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results:
        a = r["anchor"]
        ref = a["api progress"]["p95_ms"]
        print(
            f"\n{r['database']}: {r['interviews']:,} interviews; anchors p95: /healthz "
            f"{a['healthz']['p95_ms']:.1f} ms, API progress {ref:.1f} ms"
        )
        print(f"  {'page':<26}{'p50 ms':>8}{'p95 ms':>8}{'p95/API':>9}  < 150 ms")
        for label, m in r["pages"].items():
            ok = "yes" if m["p95_ms"] < 150 else "NO"
            print(
                f"  {label:<26}{m['p50_ms']:>8.1f}{m['p95_ms']:>8.1f}"
                f"{m['p95_ms'] / ref:>9.2f}  {ok}"
            )


if __name__ == "__main__":
    main()
