"""Against a real uvicorn server: concurrent duplicates are stored once, and a SIGKILL in the
middle of a load loses no acknowledged submission."""

from __future__ import annotations

import copy
import threading
import time
from collections import defaultdict
from typing import Any

import httpx
import numpy as np
import pytest

from api.submissions.intake import content_digest
from api.submissions.schemas import SubmissionIn
from survey.questionnaire.schema import Questionnaire
from tests.api.interviews import interview
from tests.api.live import LiveServer
from tests.api.support import admin_token, make_settings

CLIENTS = 20
PER_CLIENT = 10


def _survey(base: str, headers: dict[str, str]) -> int:
    r = httpx.post(
        base + "/api/v1/surveys",
        json={"questionnaire": "papi-2021", "year": 2026, "name": "live"},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    survey_id: int = r.json()["id"]
    return survey_id


def _content(body: dict[str, Any]) -> str:
    return content_digest(SubmissionIn.model_validate(body))


@pytest.mark.slow
def test_concurrent_clients_replaying_30_percent_store_each_once(
    db_url: str, q: Questionnaire
) -> None:
    headers = {"Authorization": f"Bearer {admin_token(make_settings(db_url))}"}
    rng = np.random.default_rng(11)
    own = [[interview(q, rng, c * 100 + i) for i in range(PER_CLIENT)] for c in range(CLIENTS)]
    plans: list[list[dict[str, Any]]] = []
    for c in range(CLIENTS):
        neighbour = own[(c + 1) % CLIENTS]
        plan = list(own[c])
        for body in neighbour[: int(0.3 * PER_CLIENT)]:  # 30% replayed, concurrently
            plan.append(body)
        conflicting = copy.deepcopy(neighbour[-1])
        conflicting["answers"]["age"] = 18 if conflicting["answers"]["age"] != 18 else 19
        plan.append(conflicting)
        rng.shuffle(plan)  # type: ignore[arg-type]
        plans.append(plan)
    results: list[tuple[dict[str, Any], int]] = []
    lock = threading.Lock()
    with LiveServer(db_url, workers=2) as server:
        survey = _survey(server.url, headers)
        barrier = threading.Barrier(CLIENTS)

        def run(plan: list[dict[str, Any]]) -> None:
            with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
                barrier.wait()
                for body in plan:
                    r = client.post(f"/api/v1/surveys/{survey}/submissions", json=body)
                    with lock:
                        results.append((body, r.status_code))

        threads = [threading.Thread(target=run, args=(p,)) for p in plans]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stored: dict[str, str] = {}
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            cursor = None
            while True:
                params: dict[str, Any] = {"limit": 1000}
                if cursor:
                    params["cursor"] = cursor
                page = client.get(f"/api/v1/surveys/{survey}/submissions", params=params).json()
                for item in page["items"]:
                    assert item["submission_id"] not in stored, "stored twice"
                    stored[item["submission_id"]] = item["content_hash"]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
    unique = {b["submission_id"] for plan in own for b in plan}
    assert set(stored) == unique
    created: dict[str, int] = defaultdict(int)
    for body, status in results:
        sid = body["submission_id"]
        same = _content(body) == stored[sid]
        assert status in ((200, 201) if same else (409,)), (status, same)
        created[sid] += status == 201
    assert all(created[sid] == 1 for sid in unique)
    assert sum(s == 409 for _, s in results) >= CLIENTS - 2  # the conflicting variants


@pytest.mark.slow
def test_sigkill_mid_load_loses_no_acknowledged_submission(db_url: str, q: Questionnaire) -> None:
    headers = {"Authorization": f"Bearer {admin_token(make_settings(db_url))}"}
    rng = np.random.default_rng(5)
    pool = [interview(q, rng, i) for i in range(240)]
    acknowledged: dict[str, dict[str, Any]] = {}
    lock = threading.Lock()
    server = LiveServer(db_url).start()
    survey = _survey(server.url, headers)
    stop = threading.Event()
    chunks = [pool[i::8] for i in range(8)]

    def load(bodies: list[dict[str, Any]]) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
            for i, body in enumerate(bodies):
                if stop.is_set():
                    return
                try:
                    if i % 4 == 3:  # every fourth request a small batch
                        batch = bodies[i : i + 3]
                        r = client.post(
                            f"/api/v1/surveys/{survey}/submissions/batch",
                            json={"submissions": batch},
                        )
                        if r.status_code == 200:
                            for b, res in zip(batch, r.json()["results"], strict=True):
                                if res["status"] in (200, 201):
                                    with lock:
                                        acknowledged[b["submission_id"]] = b
                        continue
                    r = client.post(f"/api/v1/surveys/{survey}/submissions", json=body)
                except httpx.HTTPError:
                    return  # the server died under us: this request was never acknowledged
                if r.status_code in (200, 201):
                    with lock:
                        acknowledged[body["submission_id"]] = body

    threads = [threading.Thread(target=load, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    server.kill()  # SIGKILL mid-load
    stop.set()
    for t in threads:
        t.join()
    assert len(acknowledged) >= 40
    with (
        LiveServer(db_url) as restarted,
        httpx.Client(base_url=restarted.url, headers=headers, timeout=30) as client,
    ):
        for sid, body in acknowledged.items():
            r = client.get(f"/api/v1/surveys/{survey}/submissions/{sid}")
            assert r.status_code == 200, (sid, r.status_code)
            got = r.json()
            assert got["content_hash"] == _content(body)
            assert got["answers"] == body["answers"]
            # and a resend of it is recognised
            again = client.post(f"/api/v1/surveys/{survey}/submissions", json=body)
            assert again.status_code == 200
