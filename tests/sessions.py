"""Run a documented shell session as written, against a server it starts itself.

The README's and the guides' sessions start ``papi serve --port 8000 &``; here port 8000
becomes a free one, the script runs under ``bash -euo pipefail`` in ``cwd`` with a minimal
environment, and the server (a background job, in the session's process group) is killed
whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def run_session(script: str, cwd: Path, timeout: float = 900) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``script`` run as written, on a free port."""
    port = str(free_port())
    script = "trap 'kill $(jobs -p) 2>/dev/null' EXIT\n" + script.replace("8000", port)
    bin_dir = Path(sys.executable).parent
    proc = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8"},
        start_new_session=True,  # the server is in its process group: killed on any failure
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, out, err
