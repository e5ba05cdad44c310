"""scoring.memory: importing scoring keeps freed memory in the process on glibc, so that a
large array freed and made again is not faulted in again (score()'s arrays, docs/scoring.md
"Speed"); PAPI_KEEP_FREED_MEMORY=0 leaves the allocator as it is."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from scoring import memory

# page faults of five 16 MB arrays made, filled and freed after a first one, in a fresh process
_PROBE = """
import resource, numpy as np, scoring, scoring.memory as m
def one():
    a = np.empty(2_000_000); a.fill(1.0); del a
one()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    one()
print(m.keep_freed_memory(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _probe(**env: str) -> tuple[bool, int]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return out[0] == "True", int(out[1])


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="the setting is glibc's (elsewhere nothing is changed)",
)
def test_freed_arrays_are_reused_without_page_faults() -> None:
    kept, faults = _probe(**{memory.ENV: "1"})
    assert kept
    assert faults < 20  # the heap's own pages, reused (about 0)
    left, faults_off = _probe(**{memory.ENV: "0"})
    assert not left
    assert faults_off >= 5 * 8  # each array faulted in again (2 MB huge pages or 4 KB ones)


def test_the_setting_is_made_once_and_can_be_declined(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_applied", None)
    monkeypatch.setenv(memory.ENV, "off")
    assert memory.keep_freed_memory() is False
    monkeypatch.setenv(memory.ENV, "1")
    assert memory.keep_freed_memory() is False  # decided once per process
