"""Collection API benchmark: full PAPI interviews over HTTP on loopback, with concurrency.

For each database (SQLite file, PostgreSQL at 127.0.0.1:5432) it starts ``uvicorn
api.app:create_app`` in a subprocess and measures

- single submissions: ``--clients`` concurrent clients each POSTing one interview at a time
  (throughput, p50/p99 latency);
- batches: ``--batch``-interview batches from ``--batch-clients`` concurrent clients
  (interviews/s, p50/p99 latency per batch);
- the raw insert rate of the same rows straight into the database (SQLAlchemy Core
  ``executemany`` in one transaction), printed as a ratio to the HTTP rates.

Targets on SQLite (docs/api.md): >= 500 single submissions/s, >= 5,000 interviews/s in batches,
p99 < 100 ms at 32 concurrent clients. The client runs on the same machine and shares its
cores with the server, so the figures are a lower bound for the server alone.

    python bench/api_bench.py                    # both databases, defaults below
    python bench/api_bench.py --db sqlite --single 4000 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.db.engine import Database  # noqa: E402
from api.db.migrate import upgrade  # noqa: E402
from api.settings import Settings  # noqa: E402
from api.submissions import intake  # noqa: E402
from survey.questionnaire.loader import load_questionnaire  # noqa: E402
from tests.api.interviews import interview  # noqa: E402
from tests.api.live import LiveServer  # noqa: E402
from tests.api.support import admin_token  # noqa: E402

PG_SERVER = os.environ.get("PAPI_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (from /proc), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        p = pending.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                kids = (task / "children").read_text().split()
                pending.extend(int(k) for k in kids)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def percentile(xs: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(xs), p)) if xs else float("nan")


def make_bodies(n: int, distinct: int, seed: int) -> list[bytes]:
    """``n`` full interviews (``distinct`` generated, then re-identified), as JSON bytes."""
    q = load_questionnaire("papi-2021")
    rng = np.random.default_rng(seed)
    base = [interview(q, rng, i) for i in range(min(n, distinct))]
    out = []
    for i in range(n):
        body = dict(base[i % len(base)])
        body["submission_id"] = str(uuid.uuid4())
        out.append(json.dumps(body).encode())
    return out


def _client_process(
    base_url: str,
    headers: dict[str, str],
    path: str,
    chunks: list[list[bytes]],
    start: Any,
    out: Any,
) -> None:
    """One client process: a thread per chunk, each POSTing its payloads one at a time."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(len(chunks))

    def worker(chunk: list[bytes]) -> None:
        mine: list[float] = []
        codes: dict[int, int] = {}
        with httpx.Client(base_url=base_url, headers=headers, timeout=120) as client:
            client.get("/healthz")
            barrier.wait()
            start.wait()
            for body in chunk:
                t0 = time.perf_counter()
                r = client.post(path, content=body)
                mine.append(time.perf_counter() - t0)
                codes[r.status_code] = codes.get(r.status_code, 0) + 1
        with lock:
            latencies.extend(mine)
            for k, v in codes.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((latencies, statuses))


def run_clients(
    base_url: str,
    headers: dict[str, str],
    path: str,
    payloads: list[bytes],
    clients: int,
    processes: int,
) -> tuple[float, list[float], dict[int, int]]:
    """POST every payload from ``clients`` concurrent connections spread over ``processes``
    client processes (so the client's own GIL does not queue the requests); returns (wall
    seconds, latencies, status counts)."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    hdrs = {**headers, "Content-Type": "application/json"}
    chunks = [payloads[i::clients] for i in range(clients)]
    processes = max(1, min(processes, clients))
    groups = [chunks[i::processes] for i in range(processes)]
    start = ctx.Event()
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_client_process, args=(base_url, hdrs, path, g, start, out))
        for g in groups
    ]
    for p in procs:
        p.start()
    time.sleep(1.0 + 0.05 * clients)  # connections open, threads waiting on the start
    t0 = time.perf_counter()
    start.set()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    for _ in procs:
        lat, codes = out.get()
        latencies.extend(lat)
        for k, v in codes.items():
            statuses[k] = statuses.get(k, 0) + v
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    return wall, latencies, statuses


def raw_insert_rate(url: str, survey_id: int, bodies: list[bytes]) -> float:
    """Rows/s inserting the same submission rows straight into the database."""
    settings = Settings(database_url=url)
    db = Database(settings)
    q = load_questionnaire("papi-2021")
    now = intake.utcnow()
    rows = []
    for i, raw in enumerate(bodies):
        item = intake.prepare(q, settings, survey_id, "bench", json.loads(raw), i, now)
        item.row["submission_id"] = str(uuid.uuid4())
        intake.finish_row(item.row)
        rows.append(item.row)
    from api.db.models import SubmissionRow

    try:
        with db.session(write=True) as s:
            t0 = time.perf_counter()
            s.execute(SubmissionRow.__table__.insert(), rows)  # type: ignore[attr-defined]
            s.commit()
            return len(rows) / (time.perf_counter() - t0)
    finally:
        db.dispose()


def bench_database(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    upgrade(url)
    headers = {"Authorization": f"Bearer {admin_token(Settings(database_url=url))}"}
    total = args.single + args.batch_total + args.raw
    print(f"[{name}] generating {total} interviews ...", file=sys.stderr)
    bodies = make_bodies(total, args.distinct, args.seed)
    single, rest = bodies[: args.single], bodies[args.single :]
    batched, raw = rest[: args.batch_total], rest[args.batch_total :]
    env = {"PAPI_SQLITE_SYNCHRONOUS": args.sqlite_synchronous}
    with LiveServer(url, workers=args.workers, env=env) as server:
        r = httpx.post(
            server.url + "/api/v1/surveys",
            json={"questionnaire": "papi-2021", "year": 2026, "name": "bench"},
            headers=headers,
        )
        survey = r.json()["id"]
        path = f"/api/v1/surveys/{survey}/submissions"
        warm = make_bodies(64, 8, args.seed + 1)
        run_clients(server.url, headers, path, warm, 8, 1)
        print(f"[{name}] {len(single)} single submissions, {args.clients} clients", file=sys.stderr)
        assert server.proc is not None
        cpu0 = cpu_seconds(server.proc.pid)
        wall, lat, codes = run_clients(
            server.url, headers, path, single, args.clients, args.client_processes
        )
        single_cpu = (cpu_seconds(server.proc.pid) - cpu0) / len(single)
        single_rate = len(single) / wall
        payloads = []
        for i in range(0, len(batched), args.batch):
            items = b",".join(batched[i : i + args.batch])
            payloads.append(b'{"submissions":[' + items + b"]}")
        print(f"[{name}] {len(payloads)} batches of {args.batch}", file=sys.stderr)
        cpu0 = cpu_seconds(server.proc.pid)
        bwall, blat, bcodes = run_clients(
            server.url, headers, path + "/batch", payloads, args.batch_clients, args.batch_clients
        )
        batch_cpu = (cpu_seconds(server.proc.pid) - cpu0) / len(batched)
        batch_rate = len(batched) / bwall
    raw_rate = raw_insert_rate(url, survey, raw)
    return {
        "database": name,
        "workers": args.workers,
        "sqlite_synchronous": args.sqlite_synchronous if name == "sqlite" else None,
        "single": {
            "n": len(single),
            "clients": args.clients,
            "per_s": round(single_rate, 1),
            "p50_ms": round(percentile(lat, 50) * 1000, 2),
            "p99_ms": round(percentile(lat, 99) * 1000, 2),
            "statuses": codes,
            "server_cpu_ms_per_interview": round(single_cpu * 1000, 3),
        },
        "batch": {
            "interviews": len(batched),
            "batch_size": args.batch,
            "clients": args.batch_clients,
            "interviews_per_s": round(batch_rate, 1),
            "p50_ms": round(percentile(blat, 50) * 1000, 1),
            "p99_ms": round(percentile(blat, 99) * 1000, 1),
            "statuses": bcodes,
            "server_cpu_ms_per_interview": round(batch_cpu * 1000, 3),
        },
        "raw_insert": {
            "rows": len(raw),
            "rows_per_s": round(raw_rate, 1),
            "single_http_over_raw": round(single_rate / raw_rate, 4),
            "batch_http_over_raw": round(batch_rate / raw_rate, 4),
        },
        "median_body_kb": round(statistics.median(len(b) for b in single) / 1024, 1),
    }


def fresh_pg_database() -> tuple[str, Any]:
    admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=5)
    name = f"papi_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)

    def drop() -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return f"{base}/{name}", drop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--single", type=int, default=3000, help="single submissions")
    ap.add_argument("--clients", type=int, default=32, help="concurrent single clients")
    ap.add_argument("--batch", type=int, default=500, help="interviews per batch")
    ap.add_argument("--batch-total", type=int, default=10000, help="interviews sent in batches")
    ap.add_argument("--batch-clients", type=int, default=4, help="concurrent batch clients")
    ap.add_argument("--raw", type=int, default=5000, help="rows for the raw insert rate")
    ap.add_argument("--distinct", type=int, default=300, help="distinct interviews generated")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    ap.add_argument("--client-processes", type=int, default=4, help="client processes")
    ap.add_argument("--sqlite-synchronous", choices=["FULL", "NORMAL"], default="FULL")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print JSON only")
    args = ap.parse_args()
    results = []
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(bench_database("sqlite", f"sqlite:///{tmp}/bench.db", args))
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
        s, b, raw = r["single"], r["batch"], r["raw_insert"]
        print(
            f"{r['database']:<10} single: {s['per_s']:>7.0f}/s  p50 {s['p50_ms']:.1f} ms  "
            f"p99 {s['p99_ms']:.1f} ms ({s['clients']} clients) {s['statuses']} "
            f"server CPU {s['server_cpu_ms_per_interview']:.2f} ms/interview\n"
            f"{'':<10} batch:  {b['interviews_per_s']:>7.0f} interviews/s  "
            f"p50 {b['p50_ms']:.0f} ms  p99 {b['p99_ms']:.0f} ms per {b['batch_size']} "
            f"({b['clients']} clients) {b['statuses']} "
            f"server CPU {b['server_cpu_ms_per_interview']:.2f} ms/interview\n"
            f"{'':<10} raw insert {raw['rows_per_s']:.0f} rows/s; HTTP/raw: single "
            f"{raw['single_http_over_raw']:.3f}, batch {raw['batch_http_over_raw']:.3f}"
        )


if __name__ == "__main__":
    main()
