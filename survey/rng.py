"""Seeded randomness helpers.

Every stochastic function takes ``rng`` (an int seed, a ``SeedSequence`` or a
``numpy.random.Generator``). Replicates and scenarios get independent child streams from
``SeedSequence.spawn``. ``np.random.seed`` is never used (ruff bans it).
"""

from __future__ import annotations

import numpy as np

RngLike = int | np.random.Generator | np.random.SeedSequence | None
# the seed every function and every command uses when none is given
DEFAULT_SEED = 0


def as_generator(rng: RngLike = None) -> np.random.Generator:
    """Return a Generator for ``rng``; ``None`` means seed 0 (reproducible by default)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        rng = DEFAULT_SEED
    return np.random.default_rng(rng)


def spawn(rng: RngLike, n: int) -> list[np.random.Generator]:
    """``n`` independent child generators derived from ``rng``."""
    if isinstance(rng, np.random.Generator):
        seeds = rng.bit_generator.seed_seq.spawn(n)  # type: ignore[attr-defined]
    elif isinstance(rng, np.random.SeedSequence):
        seeds = rng.spawn(n)
    else:
        seeds = np.random.SeedSequence(0 if rng is None else rng).spawn(n)
    return [np.random.default_rng(s) for s in seeds]
