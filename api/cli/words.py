"""How the command line words a count: one home for "1 province", "2 provinces"."""

from __future__ import annotations


def plural(n: object, noun: str, nouns: str | None = None) -> str:
    """``n`` and the noun, singular for exactly one (``1 interview``, ``0 interviews``);
    ``nouns``: an irregular plural."""
    return f"{n} {noun if n == 1 else (nouns or noun + 's')}"
