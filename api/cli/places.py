"""``papi places search``: provinces and districts by name or code (survey.places), and the
helpers every command uses to accept a name where it takes a code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from survey.geography.names import Succession
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


def province_codes(
    text: str, geography: str | None = None, places: Places | None = None
) -> list[str]:
    """Comma-separated provinces, by code (any case) or name, as codes; with
    ``geography="2025"``, provinces of the 34 formed in July 2025 (``N01`` … ``N96``)."""
    if places is None and geography not in (None, "2018"):
        from survey.places import vintage_places

        places = vintage_places(str(geography))
    places = places or places_of()
    names = [t for t in (x.strip() for x in text.split(",")) if t]
    return list(dict.fromkeys(places.resolve(n, "province").code for n in names))


def district_code(text: str, places: Places | None = None) -> str:
    """A district by code (any case) or name, as its code. In the bundled frame, whose
    districts are synthetic, a real district's name says so and how to give its frame."""
    from survey.errors import NotFound
    from survey.geography import fold
    from survey.places import FrameGeography

    places = places or places_of()
    try:
        return places.resolve(text, "district").code
    except NotFound:
        bundled = places.geography.description == FrameGeography.description
        real = [  # the districts of that very name (fold drops Quận, Huyện, ...)
            r
            for r in (_official_districts(text) if bundled and text.strip() else [])
            if any(fold(str(n)) == fold(text) for n in cast("list[str]", r["names"]))
        ]
        if not real:
            raise
        where = "; ".join(
            f"{' / '.join(cast('list[str]', r['names']))}, GSO {r['gso_code']}, in {r['province']}"
            for r in real[:3]
        )
        raise NotFound(
            f"{text.strip()!r} is a real district ({where}), but the bundled frame's districts "
            "are synthetic (P01-D01 …): give the district's own frame with --frame (write "
            "one to fill in with `papi sample --frame-template FILE`)",
            code="place_not_found",
        ) from None


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
    geography: Annotated[
        str,
        typer.Option(
            help="2018: the 63 provinces and their districts (until June 2025); 2025: the 34 "
            "provinces of July 2025, where a former name finds the province it joined."
        ),
    ] = "2018",
) -> None:
    """Find provinces and districts by name (any case, with or without diacritics) or code.

    A former name ("Hai Duong", "Long Bien", "Tien Giang") also says which of the 34
    provinces of July 2025 it belongs to.

    Example: papi places search "Long Biên" --frame long-bien.csv
    """
    from survey.geography import parse_geography
    from survey.places import vintage_places
    from survey.sampling import read_frame

    geography = parse_geography(geography)
    frame = read_frame(frame_path) if frame_path is not None else None
    places = vintage_places(geography) if geography != "2018" else places_of(frame, frame_path)
    found = places.search(text)
    rows: list[dict[str, object]] = [
        {"code": p.code, "level": p.level, "province": p.province, "names": list(p.names)}
        for p in found
    ]
    if frame is None and geography == "2018":
        rows += _official_districts(text)
    succession = _succession(text) if frame is None else None
    if geography != "2018" and not rows and succession is not None:
        rows = [
            {
                "code": succession.new,
                "level": "province",
                "province": succession.new,
                "names": [succession.new_name_en, succession.new_name_vi],
                "note": succession.note,
            }
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
    ours = [r for r in rows if "gso_code" not in r]
    official = [r for r in rows if "gso_code" in r]
    if ours:
        t = Table(box=None, padding=(0, 2, 0, 0), header_style="bold underline")
        for col in ("Code", "Level", "Name"):
            t.add_column(col)
        for r in ours:
            names = r["names"] if isinstance(r["names"], list) else []
            t.add_row(str(r["code"]), str(r["level"]), escape(" / ".join(map(str, names))))
        console.print(t)
    if official:
        _print_official(official)
    if succession is not None and succession.changed:
        console.print(f"since 1 July 2025: {escape(succession.note)}", highlight=False)


OFFICIAL_NOTE = (
    "a real district: the bundled frame's districts are synthetic, so plan and sample it on "
    "its own frame (papi sample --frame-template FILE, then --frame FILE)"
)


def _official_districts(text: str) -> list[dict[str, object]]:
    """Real districts of the official 2018 list whose name or GSO code contains ``text``."""
    from survey.places import official_districts

    names = province_names()
    return [
        {
            "code": None,
            "gso_code": p.code,
            "level": "district",
            "province": p.province,
            "names": list(p.names),
            "note": f"{OFFICIAL_NOTE}; in {p.province} {names.get(p.province, '')}".rstrip(),
        }
        for p in official_districts().search(text, "district")
    ]


def _print_official(rows: list[dict[str, object]]) -> None:
    names = province_names()
    t = Table(
        title="Districts of the official 2018 list",
        title_justify="left",
        box=None,
        padding=(0, 2, 0, 0),
        header_style="bold underline",
    )
    for col in ("GSO code", "Name", "Province"):
        t.add_column(col)
    for r in rows:
        listed = r["names"] if isinstance(r["names"], list) else []
        province = str(r["province"])
        t.add_row(
            str(r["gso_code"]),
            escape(" / ".join(map(str, listed))),
            escape(f"{province} {names.get(province, '')}".rstrip()),
        )
    console.print(t)
    console.print(f"note: {OFFICIAL_NOTE}.", highlight=False)


def province_names() -> dict[str, str]:
    """Province code → English name, both geographies."""
    from survey.geography import province_names as names

    return dict(names())


def _succession(text: str) -> Succession | None:
    """What became of a former province or district of that name in July 2025, if any."""
    from survey.errors import PapiError
    from survey.geography import former_to_new

    try:
        return former_to_new(text)
    except PapiError:
        return None


def register(app: typer.Typer) -> None:
    app.add_typer(places_app, name="places")
