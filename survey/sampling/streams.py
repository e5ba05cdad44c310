"""Per-province random streams.

Each province gets its own child of the run's ``SeedSequence`` (NumPy's recommended way to
derive independent streams, as ``SeedSequence.spawn`` does), keyed by the province code rather
than by its position, and one grandchild per purpose (selection, unit effects, respondents).
So a province's sample and answers are the same whether it is drawn alone (``--provinces P31``)
or with the 62 others, and a national run is reproducible from one integer seed.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from survey.rng import RngLike

PURPOSES = ("selection", "effects", "respondents", "residents", "paradata", "ids")


def root_sequence(rng: RngLike) -> np.random.SeedSequence:
    """The SeedSequence a run derives everything from.

    Parameters
    ----------
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None
        The run's random source (a Generator contributes one draw; ``None`` is seed 0).

    Returns
    -------
    numpy.random.SeedSequence
        The root of every stream of the run.
    """
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        return np.random.SeedSequence(int(rng.integers(0, 2**63 - 1)))
    return np.random.SeedSequence(0 if rng is None else rng)


def province_streams(
    rng: RngLike, provinces: Sequence[str], purpose: str
) -> list[np.random.Generator]:
    """One generator per province for ``purpose``, so that a province's draws never depend
    on which other provinces are drawn.

    Parameters
    ----------
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None
        The run's random source (:func:`root_sequence`).
    provinces : sequence of str
        Province codes.
    purpose : str
        One of ``PURPOSES`` (each gets independent streams).

    Returns
    -------
    list of numpy.random.Generator
        One per province, in order.
    """
    root = root_sequence(rng)
    tag = PURPOSES.index(purpose)
    entropy = root.entropy if root.entropy is not None else 0
    return [
        np.random.default_rng(
            np.random.SeedSequence(
                entropy, spawn_key=(*root.spawn_key, zlib.crc32(code.encode()), tag)
            )
        )
        for code in provinces
    ]
