"""Seeded randomness helpers: the one home of what ``rng`` means.

Every stochastic library function takes ``rng`` (SPEC 7's ``int | Generator | None``; a
``SeedSequence`` is accepted too). The command line and the HTTP API call the same thing
``seed`` (an integer, ``--seed`` / ``"seed"``). ``rng=None`` means ``DEFAULT_SEED`` (0):
results are reproducible by default, unlike SPEC 7's fresh entropy, and every result that
records provenance records the integer seed it used (:func:`seed_of`), which every command
prints. For fresh entropy pass ``numpy.random.default_rng()``: the seed drawn from it is
recorded, so that run can be repeated too (docs/glossary.md, "Random seeds").
Replicates and scenarios get independent child streams from ``SeedSequence.spawn``.
``np.random.seed`` is never used (ruff bans it).
"""

from __future__ import annotations

import numpy as np

RngLike = int | np.random.Generator | np.random.SeedSequence | None
# the seed every function and every command uses when none is given
DEFAULT_SEED = 0
# the bootstrap replicates every function, command and HTTP request uses when none is given
# (scoring.score, SurveyDesign.replicates, the sensitivity audit's sampling error, papi score
# --bootstrap, papi demo, papi sensitivity, POST .../scores and .../sensitivity); here, beside
# the seed, because the command line reads it without importing scoring
DEFAULT_REPLICATES = 1000


def seed_of(rng: RngLike = None) -> int:
    """The integer seed a run with ``rng`` uses: ``rng`` itself when an integer,
    ``DEFAULT_SEED`` for ``None``, and for a ``Generator`` (or ``SeedSequence``) a seed drawn
    from it (the Generator advances), so that ``default_rng(seed_of(rng))`` repeats the run
    and the seed can be recorded in the result's provenance."""
    if rng is None:
        return DEFAULT_SEED
    if isinstance(rng, bool):
        raise TypeError("rng must be an int, a numpy Generator or None, not a bool")
    if isinstance(rng, int | np.integer):
        if rng < 0:
            raise ValueError(f"rng={rng}: a seed must be a non-negative integer")
        return int(rng)
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(1, np.uint32)[0])
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**32, dtype=np.uint64))
    raise TypeError(f"rng must be an int seed, a numpy Generator or None, not {type(rng).__name__}")


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
