"""`papi serve` prints where it listens; `--lan` binds to the local network address and
`papi collect-qr --lan` puts that address in the phones' settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

import api.cli.server as server
from api.cli.main import _assemble

runner = CliRunner()


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    monkeypatch.setattr(server, "lan_address", lambda: "192.168.1.20")
    return seen


def test_serve_prints_its_address_and_docs(started: dict[str, Any], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'papi.db'}"
    res = runner.invoke(_assemble(), ["serve", "--port", "8123", "--database-url", url])
    assert res.exit_code == 0, res.output
    assert "serving: http://localhost:8123" in res.output
    assert "API docs: http://localhost:8123/docs" in res.output
    assert "console: http://localhost:8123/console" in res.output
    assert started["host"] == "127.0.0.1" and started["port"] == 8123


def test_serve_lan_binds_to_the_lan_address(started: dict[str, Any], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'papi.db'}"
    res = runner.invoke(_assemble(), ["serve", "--lan", "--database-url", url])
    assert res.exit_code == 0, res.output
    assert started["host"] == "192.168.1.20"
    assert "serving: http://192.168.1.20:8000" in res.output
    assert "firewall" in res.output


def test_collect_qr_lan_uses_the_lan_address(started: dict[str, Any]) -> None:
    res = runner.invoke(
        _assemble(), ["collect-qr", "--survey", "1", "--token", "t", "--lan", "--json"]
    )
    assert res.exit_code == 0, res.output
    url = json.loads(res.output)["settings"]["general"]["server_url"]
    assert url.startswith("http://192.168.1.20:8000/")
    res = runner.invoke(
        _assemble(),
        ["collect-qr", "--survey", "1", "--token", "t", "--lan", "--server", "http://x"],
    )
    assert res.exit_code == 2 and "--lan or --server" in res.output


def test_a_clean_exit_leaves_no_writelock(tmp_path: Path) -> None:
    """`papi serve` writes (a survey is created), then stops on SIGTERM: the lock file next
    to the SQLite database is gone with it."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"PYTHONPATH": str(root), "DATABASE_URL": f"sqlite:///{tmp_path / 'papi.db'}"}

    def papi(*args: str) -> str:
        res = subprocess.run(
            [sys.executable, "-m", "api", *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        return res.stdout.strip()

    papi("db", "upgrade")
    token = papi("token", "create", "--role", "admin")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port)],
        cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.25)
        body = b'{"questionnaire": "papi-2021", "year": 2026, "name": "x"}'
        req = urllib.request.Request(
            f"{base}/api/v1/surveys",
            data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert urllib.request.urlopen(req, timeout=30).status == 201
        assert (tmp_path / "papi.db.writelock").exists()  # held while serving
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert not (tmp_path / "papi.db.writelock").exists()
