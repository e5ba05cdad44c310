"""Freed memory kept in the process (glibc's malloc): the one home of that setting.

``score()`` on a national survey (15,000 respondents × 132 indicators) makes and frees some
twenty arrays of 16 MB per call. glibc serves an allocation that large from fresh pages
(``mmap``, above its dynamic threshold) and gives them back to the kernel when freed, or trims
them off the top of the heap, so every call faults the pages in again and the kernel zeroes
them: 1,400 to 5,500 page faults and 17 to 30 ms of kernel time per ``score()`` on the
build machine, about a sixth of the call. :func:`keep_freed_memory` sets glibc's
``M_MMAP_THRESHOLD`` to 32 MB (its maximum) and ``M_TRIM_THRESHOLD`` to 1 GB through
``mallopt``, so that freed arrays stay in the heap and are reused: 2 to 4 page faults per
call, and ``score()``'s median 147 → 127 ms wall, 218 → 189 ms CPU (80 calls of each
alternating, 2026-12-06; docs/scoring.md "Speed").

The price is that the process keeps the heap it has used (a few hundred MB after scoring a
national survey) instead of returning it to the operating system; glibc still reuses it for
every later allocation. Importing :mod:`scoring` applies it once, as importing numpy asks
the kernel for huge pages on large arrays; ``PAPI_KEEP_FREED_MEMORY=0`` in the environment
leaves the allocator as it is. Elsewhere than glibc (macOS, Windows, musl) nothing is
changed. No library does this (it is two ``mallopt`` calls through ``ctypes``); an
``LD_PRELOAD`` of jemalloc or ``GLIBC_TUNABLES`` would do the same from outside the process.
"""

from __future__ import annotations

import ctypes
import os
import platform

ENV = "PAPI_KEEP_FREED_MEMORY"
MMAP_THRESHOLD = 32 * 1024 * 1024
"""Allocations below this come from the heap (glibc's largest allowed value)."""
TRIM_THRESHOLD = 1024 * 1024 * 1024
"""Free memory at the top of the heap that glibc keeps before returning it to the kernel."""
_M_TRIM_THRESHOLD = -1  # glibc's malloc.h
_M_MMAP_THRESHOLD = -3

_applied: bool | None = None


def keep_freed_memory() -> bool:
    """Set glibc's thresholds (module docstring) once per process; ``True`` when they are
    set, ``False`` off glibc, when ``mallopt`` refuses, or with ``PAPI_KEEP_FREED_MEMORY=0``."""
    global _applied
    if _applied is None:
        _applied = _apply()
    return _applied


def _apply() -> bool:
    if os.environ.get(ENV, "1").strip().lower() in {"0", "false", "no", "off"}:
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
