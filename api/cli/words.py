"""How the command line words a count: one home for "1 province", "2 provinces"."""

from __future__ import annotations


def plural(n: object, noun: str, nouns: str | None = None, *, thousands: bool = False) -> str:
    """``n`` and the noun, singular for exactly one (``1 interview``, ``0 interviews``);
    ``nouns``: an irregular plural; ``thousands``: ``13,632`` rather than ``13632``."""
    shown = f"{n:,}" if thousands else str(n)
    return f"{shown} {noun if n == 1 else (nouns or noun + 's')}"


def older_name(value: int | None, older: int | None) -> int | None:
    """An option's value given by its name or by its older, hidden name (not both):
    ``--interviews`` and ``--respondents-per-village``."""
    import typer

    if value is not None and older is not None:
        raise typer.BadParameter(
            "give --interviews only (--respondents-per-village is its older name)",
            param_hint="--respondents-per-village",
        )
    return value if value is not None else older


# The scoring library words its errors and notes for Python callers (``weighted=False``,
# ``min_n=10``), sometimes with the CLI's option beside them. A CLI user is told the option
# alone: each pair is (the Python spelling as the library writes it, the option of `papi
# score`). tests/cli/test_cli_consistency.py runs every such message through the CLI.
_CLI_TERMS: tuple[tuple[str, str], ...] = (
    (r"pass weights=<column>, or weighted=False \(the CLI's --unweighted\)",
     "give --weights COLUMN, or --unweighted"),
    (r"\(weights='design_weight'; the CLI's --weights design_weight\)", "(--weights design_weight)"),
    (r"\(weighted=False; (?:the CLI's )?--unweighted\)", "(--unweighted)"),
    (r"weighted=False \(the CLI's --unweighted\)", "--unweighted"),
    (r"; \w+='[^']*' in Python\)", ")"),
    (r"; survey\.published in Python\)", ")"),
    (r"\bpoststratified=True needs", "--poststratified needs"),
    (r"Score with poststratified=False", "Score without --poststratified"),
    (r"\bshare_correction needs", "--share-correction needs"),
    (r"Score with share_correction=False", "Score with --no-share-correction"),
    (r"\bmin_n=(\d+)", r"--min-n \1"),
    (r"fewer than min_share of their indicators", "fewer than half of their indicators"),
    (r" \(survey\.sampling\.poststratify\)", " (as `papi export` writes it)"),
    (r"\blonely_psu='(\w+)'", r"--lonely-psu \1"),
)  # fmt: skip


def cli_terms(message: str) -> str:
    """A library message with its Python keywords put as the command line's options."""
    import re

    for python, option in _CLI_TERMS:
        message = re.sub(python, option, message)
    return message
