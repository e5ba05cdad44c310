"""A per-process cache of records that never change once written (a published questionnaire
version, a survey), keyed by database URL and primary key.

A record read once is kept for the life of the process; every worker may hold its own copy
because the row cannot change under it. Reads take no lock (a dict lookup is atomic in
CPython); the first load of a key may run twice under a race, which is harmless as both
loads give the same record.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


class ImmutableRows(Generic[T]):
    """``get(session, pk, load)``: the cached record, else ``load()`` stored and returned."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, int], T] = {}

    def get(self, session: Session, pk: int, load: Callable[[], T]) -> T:
        key = (str(session.get_bind().engine.url), pk)
        cached = self._rows.get(key)
        if cached is not None:
            return cached
        record = load()
        with self._lock:
            self._rows[key] = record
        return record
