"""``papi demo``: the whole job end to end, from nothing, on the embedded defaults.

1. create a SQLite database and migrate it;
2. load the ``papi-2021`` questionnaire and simulate a national survey (or a one-district
   pilot) calibrated to a published year;
3. start the HTTP API on a free loopback port and submit every interview through it in
   batches, the way mobile forms sync (``POST /surveys/{id}/submissions/batch``);
4. export the data (``GET /surveys/{id}/export?format=parquet``) and score it with 95% CIs
   and bootstrap rank intervals;
5. run a small sensitivity analysis on the scored sub-dimensions;
6. write ``report.html`` and the CSV/JSON results, and print a summary.

Everything goes through the same public interfaces a user has: the REST API for collection,
``scoring.score`` for scores, ``scoring.run_sensitivity`` and the report builder.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import uvicorn

from api.app import create_app
from api.auth.schemas import Role, TokenCreate
from api.auth.service import create_token
from api.db.engine import Database
from api.db.migrate import upgrade
from api.reporting import ReportInputs, write_report
from api.reporting.collection import collection_summary
from api.reporting.history import previous_published
from api.settings import Settings
from scoring import IndexScores, compare, run_sensitivity, score
from scoring.index.domains import score_former_provinces
from scoring.sensitivity import default_audit, published_input
from survey.errors import PapiError
from survey.geography import parse_geography, province_names
from survey.rng import DEFAULT_REPLICATES, DEFAULT_SEED
from survey.simulate import SimulatedSurvey, simulate
from survey.simulate.submissions import submissions as sim_submissions

PILOT_RESPONDENTS_PER_VILLAGE = 100

Step = Callable[[str, int], Callable[[int], None]]


@dataclass(frozen=True)
class DemoConfig:
    out: Path
    year: int = 2024
    seed: int = DEFAULT_SEED
    pilot: str | None = None
    # a pilot of one district interviews more people per village than the national
    # survey's 16, so that its sub-dimensions can be scored (4 villages × 100 = 400)
    respondents_per_village: int | None = None
    provinces: Sequence[str] | None = None
    replicates: int = DEFAULT_REPLICATES
    sensitivity_runs: int = 2000
    batch_size: int = 500
    lang: str = "en"
    # "2018": the 63 provinces with districts; "2025": the 34 provinces on the two-tier
    # design, calibrated to and compared with ``year`` derived on them (docs/geography.md)
    geography: str = "2018"


@dataclass(frozen=True)
class DemoResult:
    out: Path
    interviews: int
    accepted: int
    scores: IndexScores
    report: Path
    files: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """Run the API in a background thread on a free loopback port; yields its base URL."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="papi-demo-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise PapiError(
                f"the demo API server did not start on 127.0.0.1:{port}", code="demo_server"
            )
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def _admin_token(settings: Settings) -> str:
    db = Database(settings)
    try:
        with db.session(write=True) as session:
            created = create_token(session, TokenCreate(name="demo", role=Role.admin))
            session.commit()
    finally:
        db.dispose()
    return created.token


def _check(resp: httpx.Response, what: str) -> Any:
    if resp.status_code >= 400:
        raise PapiError(
            f"{what} failed with HTTP {resp.status_code}: {resp.text[:500]}", code="demo_api"
        )
    return resp.json() if resp.headers.get("content-type", "").startswith("application") else None


SAMPLE_COLUMNS = ("province", "district", "commune", "village", "stratum", "psu",
                  "prob_district", "prob_commune", "prob_village",
                  "former_province")  # fmt: skip


def survey_sample(sim: SimulatedSurvey) -> list[dict[str, Any]]:
    """The selected villages with their stage probabilities and quotas (targets)."""
    v = sim.sample.villages
    cols = [c for c in SAMPLE_COLUMNS if c in v.columns]
    units: list[dict[str, Any]] = [
        {str(k): val for k, val in rec.items()} for rec in v.loc[:, cols].to_dict("records")
    ]
    for unit, target in zip(units, v["target"].to_numpy(), strict=True):
        unit["quota"] = int(target)
        for k in ("prob_district", "prob_commune", "prob_village"):
            if k in unit:
                unit[k] = float(unit[k])
    return units


def _post(client: httpx.Client, url: str, body: Any, what: str) -> Any:
    return _check(client.post(url, json=body), what)


def collect(
    base: str,
    token: str,
    sim: SimulatedSurvey,
    docs: list[dict[str, Any]],
    cfg: DemoConfig,
    advance: Callable[[int], None],
) -> tuple[int, int, pd.DataFrame, dict[str, Any]]:
    """Create the survey, submit every interview in batches, export it as Parquet.

    Returns (survey id, accepted count, the exported respondent frame, the progress)."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=120.0) as client:
        created = _post(
            client,
            "/api/v1/surveys",
            {
                "questionnaire": sim.questionnaire.id,
                "year": cfg.year,
                "geography": parse_geography(cfg.geography),
                "name": f"papi demo {cfg.year}" + (f" (pilot {cfg.pilot})" if cfg.pilot else ""),
                "sample": survey_sample(sim),
            },
            "creating the survey",
        )
        sid = int(created["id"])
        accepted = 0
        for start in range(0, len(docs), cfg.batch_size):
            chunk = docs[start : start + cfg.batch_size]
            result = _post(
                client,
                f"/api/v1/surveys/{sid}/submissions/batch",
                {"submissions": chunk},
                "submitting a batch",
            )
            items = result["results"] if isinstance(result, dict) else result
            bad = [r for r in items if int(r["status"]) >= 400]
            if bad:
                raise PapiError(
                    f"{len(bad)} demo interviews were refused, e.g. {json.dumps(bad[0])[:400]}",
                    code="demo_refused",
                )
            accepted += len(items)
            advance(len(chunk))
        progress = _check(client.get(f"/api/v1/surveys/{sid}/progress"), "reading progress")
        resp = client.get(f"/api/v1/surveys/{sid}/export", params={"format": "parquet"})
        if resp.status_code != 200:
            _check(resp, "exporting the data")
        frame = pd.read_parquet(io.BytesIO(resp.content))
    return sid, accepted, frame, progress


def subdimension_table(scores: IndexScores) -> pd.DataFrame:
    """Province × sub-dimension estimates in the published layout (for the sensitivity run)."""
    sub = scores.subdimensions
    sub = sub[sub["province"] != "VN"]
    wide = sub.pivot(index="province", columns="subdimension", values="est")
    return wide.reset_index()


def sensitivity(scores: IndexScores, cfg: DemoConfig) -> dict[str, Any] | None:
    """A small JRC-style audit of the scored sub-dimensions (needs several provinces)."""
    table = subdimension_table(scores)
    if len(table) < 4:
        return None
    data = published_input(table, names=province_names())
    result = run_sensitivity(
        data, default_audit(microdata=False), runs=cfg.sensitivity_runs, rng=cfg.seed
    )
    doc = result.to_json()
    doc["input"] = {"scores": "the demo's scored sub-dimensions"}  # said in the report
    return doc


def run_demo(cfg: DemoConfig, step: Step) -> DemoResult:
    """Run the whole job; ``step(description, total)`` returns an ``advance(n)`` callback
    (the CLI shows it as a progress bar)."""
    out = cfg.out
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    files: dict[str, Path] = {}

    t0 = time.perf_counter()
    advance = step("Creating the database", 1)
    db_path = out / "papi.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    settings = Settings(database_url=f"sqlite:///{db_path}", run_jobs=False)
    upgrade(settings.database_url)
    token = _admin_token(settings)
    advance(1)
    timings["database"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if cfg.pilot:
        what = f"pilot of district {cfg.pilot}"
    elif cfg.provinces:
        n = len(cfg.provinces)
        listed = ", ".join(cfg.provinces[:6]) + (", …" if n > 6 else "")
        what = f"survey of {n} province{'s' if n > 1 else ''} ({listed})"
    else:
        what = "national survey"
    two_tier = parse_geography(cfg.geography) == "2025"
    if two_tier:
        what += " of the 34 provinces (2025 geography)"
    advance = step(f"Simulating a {what} ({cfg.year})", 1)
    sim = simulate(
        cfg.year,
        rng=cfg.seed,
        provinces=list(cfg.provinces) if cfg.provinces else None,
        pilot=cfg.pilot,
        respondents_per_village=cfg.respondents_per_village
        or (PILOT_RESPONDENTS_PER_VILLAGE if cfg.pilot else None),
        geography=cfg.geography,
    )
    docs = list(sim_submissions(sim, rng=cfg.seed))  # with each interview's design block
    advance(1)
    timings["simulate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    advance = step(f"Submitting {len(docs):,} interviews through the API", len(docs))
    with serving(settings) as base:
        _sid, accepted, frame, progress = collect(base, token, sim, docs, cfg, advance)
    timings["collect"] = time.perf_counter() - t0
    files["responses"] = out / "responses.parquet"
    frame.to_parquet(files["responses"], index=False)

    t0 = time.perf_counter()
    advance = step(f"Scoring with 95% CIs and {cfg.replicates} bootstrap replicates", 1)
    scores = score(
        frame, sim.questionnaire, variance="bootstrap", replicates=cfg.replicates, rng=cfg.seed
    )
    advance(1)
    timings["score"] = time.perf_counter() - t0
    from api.exports.score_files import write_score_files

    for path in write_score_files(scores, out / "scores"):
        files[path.name] = path
    (out / "truth.csv").write_text(sim.truth.to_csv(index=False), encoding="utf-8")
    files["truth"] = out / "truth.csv"
    if two_tier:
        # continuity: each new province broken down by former province, a domain of the
        # same design (the exported rows get their village's former province from the sample)
        former = sim.sample.villages.set_index("village")["former_province"]
        by_former = score_former_provinces(
            frame.assign(former_province=frame["village"].map(former)),
            sim.questionnaire,
            variance="taylor",
        )
        for path in write_score_files(by_former, out / "scores_by_former_province"):
            files[f"former_{path.name}"] = path

    t0 = time.perf_counter()
    advance = step("Sensitivity analysis", 1)
    sens = sensitivity(scores, cfg)
    if sens is not None:
        files["sensitivity"] = out / "sensitivity.json"
        files["sensitivity"].write_text(json.dumps(sens, indent=1), encoding="utf-8")
    advance(1)
    timings["sensitivity"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    advance = step("Writing the report", 1)
    before = previous_published(scores, cfg.year, cfg.lang)
    changes = compare(scores, before.scores).composite
    coll = collection_summary(frame, progress)
    files["collection"] = out / "collection.json"
    files["collection"].write_text(
        json.dumps(
            {
                "progress": coll.progress.to_dict("records"),
                "flags": dict(coll.flags),
                "durations_min": list(coll.durations_min),
            }
        ),
        encoding="utf-8",
    )
    report = write_report(
        ReportInputs(
            composite=scores.composite,
            dimensions=scores.dimensions,
            title=f"PAPI {cfg.year} demo: simulated {what}",
            method=f"{scores.method} ({scores.replicates} replicates), 95% CI, weighted",
            sensitivity=sens,
            changes=changes,
            changes_title=before.title,
            changes_notes=before.notes,
            collection=coll,
            notes=scores.notes,
            provenance=scores.meta(),
        ),
        out / "report.html",
        lang=cfg.lang,
    )
    advance(1)
    timings["report"] = time.perf_counter() - t0
    return DemoResult(
        out=out,
        interviews=len(docs),
        accepted=accepted,
        scores=scores,
        report=report,
        files=files,
        timings=timings,
    )
