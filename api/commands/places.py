"""``papi places search``: provinces and districts by name or code (survey.places), and the
helpers every command uses to accept a name where it takes a code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from survey.places import Places
    from survey.sampling import Frame

console = Console()
SYNTHETIC_NOTE = (
    "note: the bundled frame is synthetic below the province (real provinces; invented "
    "districts, communes and villages): give your own frame with --frame for a real survey"
)


def places_of(frame: Frame | None = None, path: Path | None = None) -> Places:
    """The look-up of a user's frame, or of the bundled one."""
    from survey.places import bundled_places, frame_places

    if frame is None:
        return bundled_places()
    return frame_places(frame, f"the frame {path}" if path else "your frame", _names(path))


def _names(path: Path | None) -> dict[str, str]:
    """District names of a villages table's optional ``district_name`` column."""
    import pandas as pd

    if path is None or path.is_dir() or path.suffix.lower() not in (".csv", ".parquet"):
        return {}
    if path.suffix.lower() == ".csv":
        head = pd.read_csv(path, nrows=0)
        if "district_name" not in head.columns:
            return {}
        t = pd.read_csv(path, usecols=["district", "district_name"], dtype=str)
    else:
        t = pd.read_parquet(path)
        if "district_name" not in t.columns:
            return {}
    t = t.dropna(subset=["district", "district_name"]).drop_duplicates("district")
    return dict(zip(t["district"].astype(str), t["district_name"].astype(str), strict=True))


def province_codes(text: str, places: Places | None = None) -> list[str]:
    """Comma-separated provinces, by code (any case) or name, as codes."""
    places = places or places_of()
    names = [t for t in (x.strip() for x in text.split(",")) if t]
    return list(dict.fromkeys(places.resolve(n, "province").code for n in names))


def district_code(text: str, places: Places | None = None) -> str:
    """A district by code (any case) or name, as its code."""
    return (places or places_of()).resolve(text, "district").code


def say_synthetic() -> None:
    """Say once, on stderr, that the bundled frame is synthetic."""
    Console(stderr=True).print(SYNTHETIC_NOTE, highlight=False, markup=False, soft_wrap=True)


places_app = typer.Typer(help="Provinces and districts by name or code.", no_args_is_help=True)


@places_app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="A name or code, e.g. 'Long Bien', 'hai phong'.")],
    frame_path: Annotated[
        Path | None,
        typer.Option("--frame", help="Search your own frame (default: the bundled one)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the matches as JSON.")] = False,
) -> None:
    """Find provinces and districts by name (any case, with or without diacritics) or code.

    Example: papi places search "Long Biên" --frame long-bien.csv
    """
    from survey.sampling import read_frame

    frame = read_frame(frame_path) if frame_path is not None else None
    places = places_of(frame, frame_path)
    found = places.search(text)
    rows = [
        {"code": p.code, "level": p.level, "province": p.province, "names": list(p.names)}
        for p in found
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if frame is None:
        say_synthetic()
    if not rows:
        near = ", ".join(p.label for p in places.nearest(text))
        districts = (
            "; its districts have codes only (P01-D03), names come with your own frame's "
            "district_name column (--frame)"
            if frame is None
            else ""
        )
        console.print(
            f"nothing named {escape(text)!r} in {escape(places.geography.description)}"
            f"{districts}" + (f"; nearest: {escape(near)}" if near else ""),
            highlight=False,
        )
        return
    t = Table(box=None, padding=(0, 2, 0, 0), header_style="bold underline")
    for col in ("Code", "Level", "Name"):
        t.add_column(col)
    for r in rows:
        t.add_row(str(r["code"]), str(r["level"]), escape(" / ".join(map(str, r["names"]))))
    console.print(t)


def register(app: typer.Typer) -> None:
    app.add_typer(places_app, name="places")
