"""`papi progress` through a subprocess, as a supervisor runs it, on SQLite and PostgreSQL.

One survey per backend: Hai Phong (P20) has two sampled villages with quotas of 4, Hanoi (P01)
a province quota of 5, Thua Thien Hue (P31) interviews but no quota. Interviews are posted and
reviewed through the API; the command reads the database, or the API of a live server.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db.engine import Database
from api.db.migrate import upgrade
from api.surveys import service
from api.surveys.service import FlagCount
from survey.questionnaire.loader import load_questionnaire
from tests.api.conftest import BACKENDS, database_url, pg_database  # noqa: F401 (a fixture)
from tests.api.live import LiveServer, free_port
from tests.api.support import Api, admin_token, make_settings

ROOT = Path(__file__).resolve().parents[2]
V1, V2 = "P20-D01-C01-V01", "P20-D01-C01-V02"


def loc(village: str) -> dict[str, str]:
    commune = village.rsplit("-", 1)[0]
    return {
        "province": village[:3],
        "district": commune.rsplit("-", 1)[0],
        "commune": commune,
        "village": village,
    }


@dataclass
class Env:
    url: str
    api: Api
    sid: int
    tmp: Path

    def papi(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "api", "progress", *args],
            cwd=self.tmp,
            env=papi_env(self.url, **env),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def progress_doc(self, sid: int | None = None) -> dict[str, object]:
        r = self.api.client.get(
            f"/api/v1/surveys/{sid or self.sid}/progress", headers=self.api.admin
        )
        assert r.status_code == 200, r.text
        doc: dict[str, object] = r.json()
        return doc


def papi_env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PAPI_TOKEN", "FORCE_COLOR")}
    return {
        **env,
        "DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "160",
        "NO_COLOR": "1",
        **extra,
    }


def submit(api: Api, sid: int, village: str, *, minutes: float = 45.0) -> str:
    body = api.interview(location=loc(village), minutes=minutes)
    r = api.submit(sid, body)
    assert r.status_code == 201, r.text
    submission_id: str = body["submission_id"]
    return submission_id


def review(api: Api, sid: int, submission_id: str, status: str) -> None:
    r = api.client.post(
        f"/api/v1/surveys/{sid}/submissions/{submission_id}/review",
        json={"status": status},
        headers=api.admin,
    )
    assert r.status_code == 200 and r.json()["status"] == status, r.text


@pytest.fixture(scope="module", params=BACKENDS)
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    tmp = tmp_path_factory.mktemp(f"progress-{request.param}")
    url = database_url(request.param, request, tmp)
    upgrade(url)
    settings = make_settings(url)
    token = admin_token(settings)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        api = Api(client, {"Authorization": f"Bearer {token}"}, load_questionnaire("papi-2021"))
        sample = [
            {**loc(V1), "quota": 4},
            {**loc(V2), "quota": 4},
            {**loc("P01-D01-C01-V01")},
        ]
        sid = api.survey(name="PAPI 2026 pilot", sample=sample, quotas={"P01": 5})
        a, b = submit(api, sid, V1), submit(api, sid, V1)
        submit(api, sid, V1, minutes=2)  # too_fast → has_issues, left for a supervisor
        d = submit(api, sid, V2)
        submit(api, sid, V2)
        submit(api, sid, "P01-D01-C01-V01")
        submit(api, sid, "P01-D01-C01-V01")
        h = submit(api, sid, "P01-D02-C01-V03", minutes=2)  # too_fast, then rejected
        submit(api, sid, "P31-D01-C01-V01")
        submit(api, sid, "P31-D01-C02-V01")
        for pk, status in ((a, "approved"), (b, "approved"), (d, "rejected"), (h, "rejected")):
            review(api, sid, pk, status)
        yield Env(url, api, sid, tmp)


def table_lines(out: str) -> list[str]:
    """The progress table: from its title to its caption."""
    lines = out.splitlines()
    start = next(i for i, ln in enumerate(lines) if "PAPI 2026 pilot" in ln)
    end = next(i for i, ln in enumerate(lines) if "% = (submitted" in ln)
    return lines[start : end + 1]


def row(out: str, label: str) -> list[str]:
    """The cells of the table row that starts with ``label`` (columns split on │)."""
    for ln in out.splitlines():
        cells = [c.strip() for c in ln.strip().strip("│").split("│")]
        if cells and cells[0] == label:
            return cells
    raise AssertionError(f"no row {label!r} in\n{out}")


def test_table_counts_percent_bar_and_province_names(env: Env) -> None:
    res = env.papi("--survey", str(env.sid))
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert f"PAPI 2026 pilot — survey {env.sid}" in out
    # label, submitted / quota, bar, %, received, has issues, approved, rejected
    hp = row(out, "P20 Hai Phong")
    assert hp[1] == "5 / 8" and hp[3] == "50%" and hp[4:] == ["1", "1", "2", "1"]
    assert hp[2] == "█" * 10 + "░" * 10
    hn = row(out, "P01 Hanoi")
    assert hn[1] == "3 / 5" and hn[3] == "40%" and hn[4:] == ["2", "0", "0", "1"]
    assert hn[2] == "█" * 8 + "░" * 12
    hue = row(out, "P31 Thua Thien Hue")  # no quota: counts, no bar, no percent
    assert hue[1:4] == ["2", "", ""] and hue[4:] == ["2", "0", "0", "0"]
    total = row(out, "Total")
    assert total[1] == "10 / 13" and total[3] == "62%" and total[4:] == ["5", "1", "2", "2"]
    # villages only with --villages
    assert V1 not in out
    # quality flags of the submissions: the two too_fast interviews, one rejected already
    flag = row(out, "too_fast")
    assert flag[1:3] == ["2", "1"]
    assert "Quality flags (2 flagged submissions)" in out


def test_an_80_column_terminal_gets_a_compact_table_with_nothing_cut(env: Env) -> None:
    res = env.papi("--survey", str(env.sid), COLUMNS="80")
    assert res.returncode == 0, res.stderr
    assert "…" not in res.stdout
    assert max(len(ln) for ln in table_lines(res.stdout)) <= 80
    hp = next(ln for ln in res.stdout.splitlines() if ln.startswith("P20 Hai Phong"))
    assert hp.split()[3:] == ["5", "/", "8", "█" * 5 + "░" * 5, "50%", "1", "1", "2", "1"]


def test_villages_expand_under_their_province(env: Env) -> None:
    res = env.papi("--survey", str(env.sid), "--villages")
    assert res.returncode == 0, res.stderr
    v1, v2 = row(res.stdout, V1), row(res.stdout, V2)
    assert v1[1] == "3 / 4" and v1[3] == "75%" and v1[4:] == ["0", "1", "2", "0"]
    assert v2[1] == "2 / 4" and v2[3] == "25%" and v2[4:] == ["1", "0", "0", "1"]
    labels = [ln.strip("│ ").split("│")[0].strip() for ln in table_lines(res.stdout)]
    hp = labels.index("P20 Hai Phong")
    assert labels[hp + 1 : hp + 3] == [V1, V2]
    # a sampled village without a submission is listed, with the province's villages
    p01 = labels.index("P01 Hanoi")
    assert labels[p01 + 1 : p01 + 3] == ["P01-D01-C01-V01", "P01-D02-C01-V03"]


def test_json_is_the_apis_progress_document(env: Env) -> None:
    res = env.papi("--survey", str(env.sid), "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == env.progress_doc()


def test_quality_flags_count_what_the_submissions_carry(env: Env) -> None:
    """The repository's grouped count equals counting the flags of every listed submission."""
    r = env.api.client.get(
        f"/api/v1/surveys/{env.sid}/submissions", params={"limit": 1000}, headers=env.api.admin
    )
    items = r.json()["items"]
    expected: dict[str, list[int]] = {}
    for s in items:
        for code in {f["code"] for f in s["flags"]}:
            n = expected.setdefault(code, [0, 0])
            n[0] += 1
            n[1] += s["status"] not in ("approved", "rejected")
    db = Database(make_settings(env.url))
    try:
        with db.session() as session:
            summary = service.quality_flags(session, env.sid)
            empty = service.quality_flags(session, env.api.survey())
    finally:
        db.dispose()
    assert summary.flagged == sum(1 for s in items if s["flags"])
    assert {f.code: [f.submissions, f.open] for f in summary.flags} == expected
    assert summary.flags[0] == FlagCount("too_fast", 2, 1)
    assert empty.flagged == 0 and empty.flags == ()


def test_unknown_survey_is_one_line_and_exit_3(env: Env) -> None:
    res = env.papi("--survey", "9999")
    assert res.returncode == 3, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "survey 9999 does not exist" in lines[0]
    assert f"surveys there: {env.sid}" in lines[0] or f", {env.sid}" in lines[0]


def test_a_survey_without_interviews_says_how_to_send_them(env: Env) -> None:
    sid = env.api.survey(name="empty", sample=[{**loc(V1), "quota": 3}])
    res = env.papi("--survey", str(sid), "--villages")
    assert res.returncode == 0, res.stderr
    assert row(res.stdout, "P20 Hai Phong")[1:4] == ["0 / 3", "░" * 20, "0%"]
    text = " ".join(res.stdout.split())
    assert f"No interviews yet for survey {sid}" in text
    assert f"/v1/key/TOKEN/projects/{sid}" in text
    assert f"POST http://SERVER:8000/api/v1/surveys/{sid}/submissions" in text


def test_server_mode_renders_the_same_table(env: Env) -> None:
    sup = env.api.token("supervisor", env.sid)["Authorization"].removeprefix("Bearer ")
    with LiveServer(env.url) as server:
        remote = env.papi(
            "--survey", str(env.sid), "--villages", "--server", server.url, "--token", sup
        )
        as_json = env.papi("--survey", str(env.sid), "--json", "--server", server.url)
        env_token = env.papi(
            "--survey", str(env.sid), "--json", "--server", server.url, PAPI_TOKEN=sup
        )
        unknown = env.papi("--survey", "9999", "--server", server.url, PAPI_TOKEN=sup)
        bad_token = env.papi("--survey", str(env.sid), "--server", server.url, "--token", "nope")
    local = env.papi("--survey", str(env.sid), "--villages")
    assert remote.returncode == 0, remote.stderr
    assert table_lines(remote.stdout) == table_lines(local.stdout)

    def flags_table(out: str) -> str:
        return out[out.index("Quality flags") : out.index("read from")]

    assert "too_fast" in flags_table(local.stdout)
    assert flags_table(remote.stdout) == flags_table(local.stdout)
    assert f"read from {server.url}" in remote.stdout
    assert as_json.returncode == 2 and "--token" in as_json.stderr  # no token: usage error
    assert env_token.returncode == 0, env_token.stderr
    assert json.loads(env_token.stdout) == env.progress_doc()
    assert unknown.returncode == 3
    assert len(unknown.stderr.strip().splitlines()) == 1 and "9999" in unknown.stderr
    assert bad_token.returncode == 1 and "refused the token" in bad_token.stderr


def test_unreachable_server_exits_1_and_says_what_to_check(env: Env) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    res = env.papi("--survey", str(env.sid), "--server", url, "--token", "t")
    assert res.returncode == 1
    msg = " ".join(res.stderr.split())
    assert f"cannot reach the server at {url}" in msg and "papi serve" in msg
    assert "Traceback" not in res.stderr


def test_missing_database_file_is_not_created(tmp_path: Path) -> None:
    db = tmp_path / "nowhere.db"
    res = subprocess.run(
        [sys.executable, "-m", "api", "progress", "--survey", "1"],
        cwd=tmp_path,
        env=papi_env(f"sqlite:///{db}"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 3 and "no database at" in res.stderr and "--server" in res.stderr
    assert not db.exists()


def test_a_database_without_tables_says_to_upgrade(tmp_path: Path) -> None:
    (tmp_path / "empty.db").write_bytes(b"")
    res = subprocess.run(
        [sys.executable, "-m", "api", "progress", "--survey", "1"],
        cwd=tmp_path,
        env=papi_env(f"sqlite:///{tmp_path / 'empty.db'}"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 1 and "papi db upgrade" in res.stderr
    assert "Traceback" not in res.stderr


def _lines(stream: object, into: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line)


def _wait_for(lines: queue.Queue[str], text: str, seen: list[str]) -> None:
    """Read output lines until one contains ``text`` (a generous guard against a hang)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        seen.append(line)
        if text in line:
            return
    raise AssertionError(f"{text!r} never appeared in:\n{''.join(seen)}")


def test_watch_refreshes_and_ctrl_c_exits_0(env: Env) -> None:
    sid = env.api.survey(name="watched", quotas={"P20": 4})
    proc = subprocess.Popen(
        [sys.executable, "-m", "api", "progress", "--survey", str(sid), "--watch", "0.2"],
        cwd=env.tmp,
        env=papi_env(env.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        _wait_for(lines, "No interviews yet", seen)
        submit(env.api, sid, V1)
        _wait_for(lines, "1 / 4", seen)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert "Traceback" not in err and "Aborted" not in err
    assert "25%" in "".join(seen)
