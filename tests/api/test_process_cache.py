"""The one process cache (api/process_cache.py): immutable entries live for the process,
changeable ones for their time to live, every cache is bounded, and a revoked token's
entry can be dropped at once. Time is a fake clock, never the wall clock."""

from __future__ import annotations

import time

import pytest

from api.process_cache import ProcessCache, clear_all


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(time, "monotonic", fake)
    return fake


def test_an_entry_with_a_ttl_expires_and_one_without_does_not(clock: Clock) -> None:
    tokens: ProcessCache[str, int] = ProcessCache("t", ttl=1.0)
    rows: ProcessCache[str, int] = ProcessCache("r")
    tokens.put("a", 1)
    rows.put("a", 1)
    clock.now += 0.5
    assert tokens.get("a") == 1
    clock.now += 0.6
    assert tokens.get("a") is None
    clock.now += 1e9
    assert rows.get("a") == 1


def test_get_or_load_loads_once_and_a_failed_load_stores_nothing(clock: Clock) -> None:
    cache: ProcessCache[int, str] = ProcessCache("q")
    calls: list[int] = []

    def load() -> str:
        calls.append(1)
        return "q"

    assert cache.get_or_load(1, load) == "q"
    assert cache.get_or_load(1, load) == "q"
    assert len(calls) == 1

    def fail() -> str:
        raise LookupError("no such row")

    with pytest.raises(LookupError):
        cache.get_or_load(2, fail)
    assert cache.get(2) is None


def test_a_full_cache_starts_again_from_empty(clock: Clock) -> None:
    cache: ProcessCache[int, int] = ProcessCache("bounded", max_entries=3)
    for i in range(3):
        cache.put(i, i)
    assert len(cache) == 3
    cache.put(0, 10)  # replacing a key never empties it
    assert len(cache) == 3
    cache.put(3, 3)
    assert len(cache) == 1 and cache.get(3) == 3


def test_discard_and_replace_act_on_matching_values_and_keep_the_expiry(clock: Clock) -> None:
    cache: ProcessCache[str, tuple[int, str]] = ProcessCache("p", ttl=1.0)
    cache.put("h1", (7, "old"))
    cache.put("h2", (7, "old"))
    cache.put("h3", (8, "other"))
    clock.now += 0.9
    cache.replace(lambda v: v[0] == 7, (7, "new"))
    assert cache.get("h1") == (7, "new") and cache.get("h3") == (8, "other")
    clock.now += 0.2  # the replaced entries expire when the originals would have
    assert cache.get("h1") is None
    cache.put("h1", (7, "x"))
    cache.discard(lambda v: v[0] == 7)
    assert cache.get("h1") is None


def test_clear_all_empties_every_cache(clock: Clock) -> None:
    a: ProcessCache[int, int] = ProcessCache("a")
    b: ProcessCache[int, int] = ProcessCache("b", ttl=5.0)
    a.put(1, 1)
    b.put(1, 1)
    clear_all()
    assert a.get(1) is None and b.get(1) is None


def test_the_three_users_share_the_one_cache_class() -> None:
    from api.auth import service as auth
    from api.questionnaires import catalog
    from api.submissions import service as submissions
    from api.surveys import service as surveys

    immutable: list[ProcessCache[tuple[str, int], object]] = [
        catalog._cache,  # type: ignore[list-item]
        submissions._questionnaires,  # type: ignore[list-item]
        surveys._cache,  # type: ignore[list-item]
    ]
    assert isinstance(auth._principals, ProcessCache)
    assert auth._principals.ttl == auth.PRINCIPAL_TTL_SECONDS
    assert all(isinstance(c, ProcessCache) and c.ttl is None for c in immutable)
