"""The threads of ``score()``: how many, and the two helpers its stages share work with.

``score()`` runs on the caller's thread and at most one more (``MAX_WORKERS``): numpy's
large calls release the GIL, so a second thread takes work that is a few large numpy calls
(the indicator values' layouts, half the Hájek means' rows, the indicators' statistics, rank
blocks) while the caller's thread does the pandas and Python-level work that holds the GIL
(docs/scoring.md, "Speed"). ``concurrent.futures`` does the threading; what is ours is the
choice of one more thread and :class:`Later`, a result that is computed on that thread when
there is one and in turn otherwise, with the same value and the same exception.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

T = TypeVar("T")

MAX_WORKERS = 2
"""Threads of ``score()`` and of the rank stage by default (at most the CPUs): a second thread
nearly halves the rank stage's wall time on two cores; more would compete with the server's
other requests."""


def default_workers() -> int:
    """Threads of ``score()`` and its rank stage: ``MAX_WORKERS``, at most the CPUs."""
    return min(MAX_WORKERS, os.cpu_count() or 1)


def side_pool() -> ThreadPoolExecutor | contextlib.nullcontext[None]:
    """A second thread for ``score()``'s independent parts when :func:`default_workers`
    allows one; else nothing, and the parts run in turn."""
    if default_workers() > 1:
        return ThreadPoolExecutor(max_workers=1)
    return contextlib.nullcontext()


class Later(Generic[T]):
    """``fn(*args)`` on ``pool``'s thread from now, or (no pool) on the caller's when its
    result is asked: the same value and the same exception either way."""

    def __init__(self, pool: Executor | None, fn: Callable[..., T], *args: Any) -> None:
        self._future = pool.submit(fn, *args) if pool is not None else None
        self._call = (fn, args)

    def result(self) -> T:
        if self._future is not None:
            return self._future.result()
        fn, args = self._call
        return fn(*args)
