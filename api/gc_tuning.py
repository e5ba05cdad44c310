"""Garbage-collector tuning of a server process (called once, at start-up, by the app's
lifespan)."""

from __future__ import annotations

import gc

_gc_tuned = False


def tune_gc() -> None:
    """Once per server process, at start-up: freeze the objects alive by then (modules, the
    app, cached questionnaires) out of the cyclic collector's reach (``gc.freeze``) and run
    its youngest generation every 50,000 allocations instead of 700. Parsing and checking a
    batch of interviews allocates hundreds of thousands of short-lived objects; with the
    default thresholds the collector took about a quarter of a batch's CPU time (measured
    in process: 0.40 → 0.29 ms per interview). Memory is still freed by reference
    counting, and reference cycles are still collected, only less often."""
    global _gc_tuned
    if not _gc_tuned:
        _gc_tuned = True
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 50, 100)
