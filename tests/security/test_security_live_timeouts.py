"""Connection timeouts of ``papi serve`` (api/serving.py), against a live server: a
connection that sends nothing, one that never finishes its headers, and an idle keep-alive
connection are closed by the server (they stayed open over 180 s). Run with 1-second limits
(``PAPI_HEADER_TIMEOUT_SECONDS``, ``PAPI_KEEP_ALIVE_TIMEOUT_SECONDS``)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.live import free_port

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 1.0


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    tmp = tmp_path_factory.mktemp("live")
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp / 'papi.db'}",
        "PAPI_RUN_JOBS": "false",
        "PAPI_HEADER_TIMEOUT_SECONDS": str(LIMIT),
        "PAPI_KEEP_ALIVE_TIMEOUT_SECONDS": str(LIMIT),
    }
    cmd = [sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=tmp, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"papi serve exited with {proc.returncode}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "papi serve did not become ready"
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _closed_within(sock: socket.socket, seconds: float) -> bytes:
    """Everything the server sent until it closed the connection; fails if still open."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {seconds} s")
    return received


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET /healthz HTTP/1.1\r\nHost: x\r\n"],
    ids=["nothing", "unfinished-headers"],
)
def test_a_connection_without_a_whole_request_is_closed(port: int, sent: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(sent)
        assert _closed_within(sock, LIMIT * 6) == b""


def test_an_idle_keep_alive_connection_is_closed_after_its_response(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = _closed_within(sock, LIMIT * 6)
    assert answer.startswith(b"HTTP/1.1 200") and b'"ok"' in answer


def test_a_slow_but_steady_client_is_still_served(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for _ in range(3):  # three requests on one connection, each well within the limits
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.settimeout(LIMIT * 5)
            answer = b""
            while b'"ok"}' not in answer:  # the head and the body may come in two reads
                chunk = sock.recv(65536)
                assert chunk, f"closed while answering: {answer!r}"
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
            time.sleep(LIMIT / 4)
