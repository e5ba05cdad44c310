"""R's Hadamard matrices for BRR and Fay, as ``survey:::hadamard(n)`` builds them.

BRR needs a Hadamard matrix with at least ``n + 1`` rows for ``n`` strata of two PSUs; row
``1 + h`` picks the half-sample of stratum ``h``. Any Hadamard matrix gives a valid BRR
variance, but different matrices give different replicates, and for non-linear statistics
slightly different SEs (2–5% on means of the api data). R's default is this function, so
it is ours too (``scoring.design.replicates.default_hadamard``). The construction is R's
(survey 4.1, ``hadamard``, ``paley``, ``hadamard.doubler``):

- R keeps four matrices, of orders 4, 16, 28 and 36 (``hadamard.list``). The first two are
  Sylvester's; the 28 and 36 are copied below;
- ``n`` whose multiple-of-4 floor ``m`` has a kept order in ``(m, m + 4]``: that matrix;
- otherwise each kept order is doubled until it exceeds ``n``. The best fit is the smallest
  such order. If it overshoots ``n`` by more than 4, a Paley matrix (quadratic residues mod
  a prime ``p ≡ 3 (mod 4)``) is tried. Failing that, the kept matrix is doubled
  (``[[H, H], [H, 1 − H]]``).

tests/scoring/design/test_design_golden_uncertainty.py compares ``r_hadamard(n)`` with R's
for ``n`` = 1..100 (tests/golden/make_golden_uncertainty.R).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import hadamard as sylvester

IntMatrix = NDArray[np.int_]

_KEPT: dict[int, tuple[str, ...]] = {
    28: (
        "1111111111111111111111111111",
        "1001110001110001110001111000",
        "1000001111001101001101111000",
        "1000001110110010111001100110",
        "1001101000001111100011010110",
        "1001010100101100010110101110",
        "1000110011010010001110011110",
        "0101100010101010011111110000",
        "0100010110110101100111010100",
        "0100011011001011110010101100",
        "0101011000010111011101001010",
        "0100101101100100111010011010",
        "0101100101011001101100100110",
        "0010110100011110101011101000",
        "0011011001100110101100110100",
        "0010101100111011010100011100",
        "0011000111010111010010110010",
        "0011001011111000100111001010",
        "0010110011101101011001000110",
        "1110101001010100010111100100",
        "1111000101100011001011001100",
        "1111000010011100111000011100",
        "1110010101001010110101010010",
        "1110011000111001001010110010",
        "1110100010100111100100101010",
        "1101111111111110000000000000",
        "1011111110000001111110000000",
        "0111111110000000000001111110",
    ),
    36: (
        "111111111111111111111111111111111111",
        "010111000111110111001000010101100100",
        "101110001111101110010000101011001000",
        "011100011111011100100001010110010010",
        "111000111110111001000010101100100100",
        "110001111101110010000101011001001010",
        "100011111011100100001010110010010110",
        "000111110111001000010101100100101110",
        "001111101110010000101011001001011100",
        "011111011100100001010110010010111000",
        "111110111001000010101100100101110000",
        "111101110010000101011001001011100010",
        "111011100100001010110010010111000110",
        "110111001000010101100100101110001110",
        "101110010000101011001001011100011110",
        "011100100001010110010010111000111110",
        "111001000010101100100101110001111100",
        "110010000101011001001011100011111010",
        "100100001010110010010111000111110110",
        "001000010101100100101110001111101110",
        "010000101011001001011100011111011100",
        "100001010110010010111000111110111000",
        "000010101100100101110001111101110010",
        "000101011001001011100011111011100100",
        "001010110010010111000111110111001000",
        "010101100100101110001111101110010000",
        "101011001001011100011111011100100000",
        "010110010010111000111110111001000010",
        "101100100101110001111101110010000100",
        "011001001011100011111011100100001010",
        "110010010111000111110111001000010100",
        "100100101110001111101110010000101010",
        "001001011100011111011100100001010110",
        "010010111000111110111001000010101100",
        "100101110001111101110010000101011000",
        "001011100011111011100100001010110010",
    ),
}
SIZES = (4, 16, 28, 36)


def _kept(order: int) -> IntMatrix:
    if order in _KEPT:
        return np.array([[int(c) for c in row] for row in _KEPT[order]], dtype=np.int_)
    out: IntMatrix = (sylvester(order) > 0).astype(np.int_)
    return out


def _doubled(h: IntMatrix) -> IntMatrix:
    out: IntMatrix = np.block([[h, h], [h, 1 - h]])
    return out


@cache
def _primes_3_mod_4(limit: int = 7919) -> tuple[int, ...]:
    sieve = np.ones(limit + 1, dtype=bool)
    sieve[:2] = False
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = False
    return tuple(int(p) for p in np.flatnonzero(sieve) if p % 4 == 3)


def _paley_prime(p: int) -> IntMatrix:
    """R's ``paley(prime=p)``: 0 on the quadratic residues of ``i + j`` (and 0), bordered."""
    half = (p - 1) // 2
    res = {0, 1}
    # R's ``for (i in 2:half)`` runs 2, 1 when half = 1
    res |= {(i * i) % p for i in (range(2, half + 1) if half >= 2 else (2, 1))}
    idx = np.arange(p)
    m = (idx[:, None] + idx[None, :]) % p
    core = np.where(np.isin(m, sorted(res)), 0, 1)
    out: IntMatrix = np.ones((p + 1, p + 1), dtype=np.int_)
    out[1:, 1:] = core
    return out


def _paley(n: int, nmax: int) -> IntMatrix | None:
    """R's ``paley(n, nmax)``: a Paley matrix of order > n (≤ nmax), or None."""
    primes = _primes_3_mod_4()
    nceil = nn = n + 4 - n % 4
    if n % 4 + 4 == n % 8:
        while nn % 8 == 0:
            nn //= 2
        if nn - 1 in primes:
            h = _paley_prime(nn - 1)
            while nn < nceil:
                h = _doubled(h)
                nn *= 2
            return h
    if n > primes[-1]:
        return None
    p = min(q for q in primes if q >= n)
    if p + 1 > nceil + 4 and nceil + 4 < nmax:
        return _paley(nceil + 3, 2 * (nceil + 3))
    if p > nmax:
        return None
    return _paley_prime(p)


def r_hadamard(n: int) -> IntMatrix:
    """0/1 Hadamard matrix for ``n`` strata exactly as R's ``survey:::hadamard(n)``."""
    m = n - n % 4
    fits = [i for i, s in enumerate(SIZES) if m < s <= m + 4]
    if fits:
        return _kept(SIZES[min(fits)])
    if all(m < s for s in SIZES):
        return _kept(SIZES[0])
    sizes = [s * 2 ** max(0, int(np.ceil(np.log2((n + 1) / s)))) for s in SIZES]
    best = int(np.argmin([s - n for s in sizes]))
    h: IntMatrix | None = None
    if sizes[best] - n > 4:
        h = _paley(n, sizes[best])
    if h is None:
        h = _kept(SIZES[best])
        for _ in range(int(np.ceil(np.log2(sizes[best] / SIZES[best])))):
            h = _doubled(h)
    return h
