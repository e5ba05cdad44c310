"""Run the ``papi`` command line in a subprocess, the way a user does (``python -m api``),
with plain, wide output (no colour, 160 columns) and this checkout on the path. The one
runner of the CLI tests (tests/cli, tests/security)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def papi(
    cwd: Path, *args: str, database_url: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``papi *args`` run in ``cwd`` (with ``DATABASE_URL`` when given); never raises on a
    non-zero exit: the tests read ``returncode``, ``stdout`` and ``stderr``."""
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env |= {"PYTHONPATH": str(ROOT), "COLUMNS": "160", "NO_COLOR": "1"}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def papi_db(cwd: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``papi`` against the database at ``url``."""
    return papi(cwd, *args, database_url=url)
