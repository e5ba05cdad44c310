"""The one cache a server process keeps: ``ProcessCache``, used for

- published questionnaires parsed from their row (``api.questionnaires.catalog``) and
  surveys (``api.surveys.service.get_survey``), keyed by ``row_key`` (database URL, primary
  key);
- the questionnaire of each survey a submission was posted to
  (``api.submissions.service``: the fast intake path that takes no thread);
- verified tokens (``api.auth.service``), for ``PRINCIPAL_TTL_SECONDS``;
- the console's what-if (``api.console.whatif``: respondent frames checked against their
  ``frame_version``, their prepared stages and sensitivity leaves, recent outcomes) and
  parsed results of finished scoring jobs (``api.console.scores``).

tests/test_architecture.py fails on a module of ``api`` that keeps a cache of its own.

How an entry stops being used (the invalidation story):

- **Immutable rows are never invalidated.** A published questionnaire version and a survey
  never change once written (the API refuses a different document under the same id and
  version; a survey has no update), so every worker may keep its copy for the life of the
  process. The key holds the database URL, so two databases in one process (the tests)
  never share an entry.
- **Everything that can change has a time to live.** A token can be revoked or expire: its
  entry lives ``ttl`` seconds, so a revocation reaches every worker within that delay, and
  ``discard`` drops it at once in the process that revoked it.
- **Every cache is bounded.** Past ``max_entries`` the cache starts again from empty
  (entries are cheap to load again; nothing is lost but time).

Reads take no lock (a dict lookup is atomic in CPython); writes take the cache's lock. A
first load may run twice under a race, which is harmless because both give the same value.
``clear_all`` empties every cache of the process (a test that swaps databases, or an
operator's reload).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_ALL: list[ProcessCache[Hashable, object]] = []


class ProcessCache(Generic[K, V]):
    """A bounded in-process map from ``K`` to ``V``; entries live ``ttl`` seconds (None:
    for the life of the process, for values that never change)."""

    def __init__(self, name: str, *, ttl: float | None = None, max_entries: int = 10_000) -> None:
        self.name = name
        self.ttl = ttl
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: dict[K, tuple[V, float]] = {}
        _ALL.append(self)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        """The value of ``key`` while it is fresh, else None."""
        hit = self._entries.get(key)
        if hit is None or hit[1] <= time.monotonic():
            return None
        return hit[0]

    def put(self, key: K, value: V) -> None:
        until = float("inf") if self.ttl is None else time.monotonic() + self.ttl
        with self._lock:
            if len(self._entries) >= self.max_entries and key not in self._entries:
                self._entries.clear()
            self._entries[key] = (value, until)

    def get_or_load(self, key: K, load: Callable[[], V]) -> V:
        """The fresh value of ``key``, else ``load()`` stored and returned (an exception of
        ``load`` stores nothing)."""
        value = self.get(key)
        if value is None:
            value = load()
            self.put(key, value)
        return value

    def discard(self, matches: Callable[[V], bool]) -> None:
        """Drop every entry whose value ``matches``."""
        with self._lock:
            for key in [k for k, (v, _) in self._entries.items() if matches(v)]:
                del self._entries[key]

    def replace(self, matches: Callable[[V], bool], value: V) -> None:
        """Give every entry whose value ``matches`` the new ``value``, keeping its expiry."""
        with self._lock:
            for key, (old, until) in list(self._entries.items()):
                if matches(old):
                    self._entries[key] = (value, until)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def row_key(session: Session, pk: int) -> tuple[str, int]:
    """The key of an immutable row: the database it was read from and its primary key."""
    return (str(session.get_bind().engine.url), pk)


def clear_all() -> None:
    """Empty every cache of this process."""
    for cache in _ALL:
        cache.clear()
