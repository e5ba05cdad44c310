"""Collect's conversation over real HTTP: uvicorn with two worker processes, the JavaRosa
interview uploaded with attachments split across POSTs, retried, and the same first POST
sent at once to both workers."""

from __future__ import annotations

import threading

import httpx
import pytest

from api.db.engine import Database
from api.openrosa import repository
from survey.forms.xform import parse_submission
from tests.api.live import LiveServer
from tests.api.openrosa.conftest import MAX_BODY, Fill, Server
from tests.clients.collect import CollectClient

pytestmark = pytest.mark.slow


def test_collect_over_real_http_with_two_workers(
    server: Server, db_url: str, fills: dict[str, list[Fill]]
) -> None:
    survey = server.survey()
    token = server.token(survey)
    fill = fills["javarosa"][1]
    photos = {f"p{i}.jpg": bytes([i + 1]) * 90_000 for i in range(4)}
    instance_id = parse_submission(server.q, fill.filled.xml).instance_id or ""
    env = {"PAPI_MAX_BODY_BYTES": str(MAX_BODY)}
    with LiveServer(db_url, workers=2, env=env) as live, httpx.Client(timeout=60) as http:
        base = f"{live.url}/v1/key/{token}/projects/{survey}"
        collect = CollectClient(http, base, device_id="collect:live")
        (entry,) = collect.form_list()
        assert entry.download_url.startswith(live.url)
        collect.download(entry)
        statuses: list[list[int]] = []

        def upload() -> None:
            statuses.append([r.status_code for r in collect.submit(fill.filled.xml, photos)])

        threads = [threading.Thread(target=upload) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(s and set(s) == {201} and len(s) >= 2 for s in statuses), statuses
    records = server.get(f"/surveys/{survey}/submissions")["items"]
    assert len(records) == 1
    assert records[0]["answers"] == fill.answers
    assert records[0]["paradata"]["device"] == "collect:live"
    db = Database(server.settings)
    try:
        with db.session() as s:
            assert repository.attachments(s, survey, instance_id) == photos
    finally:
        db.dispose()
