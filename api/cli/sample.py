"""``papi sample``: draw a PAPI sample, list the residents to interview, write the survey body.

The selection is ``survey.sampling.select_sample`` (docs/method.md "Sampling design") on the bundled synthetic
national frame or on a user's own frame (``survey.sampling.read_frame``); the resident lists
are ``select_residents``. ``--survey-json`` writes the exact ``POST /api/v1/surveys`` body,
validated by the API's own model, so the server tracks progress against the village quotas
and its export carries the design weights. See docs/simulation.md, "Drawing the sample".
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.cli.words import plural
from survey.errors import NotFound, PapiError
from survey.rng import DEFAULT_SEED

if TYPE_CHECKING:  # heavy imports are made inside the command: `papi --help` stays fast
    import pandas as pd

    from survey.sampling import Frame, Sample, SelectionRules

console = Console()

# one row per selected village in --out, in this order; `quota` is the target of completed
# interviews; flags are written 1/0
SAMPLE_COLUMNS = (
    "province",
    "district",
    "commune",
    "village",
    "size_class",
    "population",
    "adults",
    "urban",
    "capital",
    "district_seat",
    "commune_seat",
    "stratum",
    "psu",
    "prob_district",
    "prob_commune",
    "prob_village",
    "prob_person",
    "design_weight",
    "residents",
    "reserves",
    "quota",
)
RESIDENT_COLUMNS = ("province", "district", "commune", "village", "line", "order", "role")


def sample_table(sample: Sample) -> pd.DataFrame:
    """The ``--out`` table: design columns, ``prob_person = quota / adults`` (the completed
    interviews out of the village's adults) and ``design_weight`` their inverse product, both
    by the frame contract (``survey.respondents.analysis_frame.village_design``)."""
    import numpy as np

    from survey.respondents.analysis_frame import village_design

    v = village_design(sample.villages.rename(columns={"target": "quota"}), interviews="quota")
    for flag in ("capital", "district_seat", "commune_seat"):
        v[flag] = v[flag].astype(np.int64)
    # a 2025-geography sample also says which former province each village was in
    extra = ["former_province"] if "former_province" in v.columns else []
    return v.loc[:, [*SAMPLE_COLUMNS, *extra]]


def resident_table(sample: Sample, seed: int) -> pd.DataFrame:
    """The ``--residents`` table: each selected village's drawn adults, main then reserves."""
    from survey.sampling import select_residents

    lists = select_residents(sample, rng=seed)
    where = sample.villages.set_index("village")[["province", "district", "commune"]]
    out = lists.join(where, on="village")
    return out.loc[:, list(RESIDENT_COLUMNS)]


def _write(table: pd.DataFrame, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".parquet":
            table.to_parquet(path, index=False)
        else:
            table.to_csv(path, index=False)
    except OSError as exc:
        raise PapiError(
            f"cannot write {exc.filename or path}: {exc.strerror}", code="write_failed"
        ) from None


def _check_suffix(path: Path | None, option: str, allowed: tuple[str, ...]) -> None:
    if path is not None and path.suffix.lower() not in allowed:
        raise typer.BadParameter(
            f"{path}: expected a {' or '.join(allowed)} file", param_hint=option
        )


def _scope(
    frame_path: Path | None,
    size_class: str | None,
    provinces: str | None,
    pilot: str | None,
    geography: str = "2018",
) -> Frame:
    from survey.geography import parse_geography
    from survey.sampling import read_frame
    from survey.sampling.sampling_frame import with_size_class
    from survey.sampling.two_tier import frame_for, two_tier_frame

    if provinces is not None and pilot is not None:
        raise typer.BadParameter(
            "give --provinces or --pilot, not both (a pilot is one district)",
            param_hint="--pilot",
        )
    from api.cli.places import district_code, places_of, province_codes
    from survey.places import vintage_places

    if parse_geography(geography) == "2025":
        # the bundled 2025 frame, or a 2025 frame derived from a frame of the 63 provinces;
        # a frame already in the new provinces is taken as it is
        frame = frame_for("2025") if frame_path is None else read_frame(frame_path)
        if set(frame.provinces["province"]) <= {f"P{i:02d}" for i in range(1, 64)}:
            frame = two_tier_frame(frame)
        if size_class is not None:
            frame = with_size_class(frame, size_class)
    else:
        frame = read_frame(frame_path, size_class)
    two_tier = parse_geography(geography) == "2025"
    places = (
        vintage_places("2025") if two_tier else places_of(frame if frame_path else None, frame_path)
    )
    if pilot is not None:
        return frame.pilot(pilot.strip() if two_tier else district_code(pilot, places))
    if provinces is not None:
        if not provinces.strip(" ,"):
            raise typer.BadParameter("no province code given", param_hint="--provinces")
        return frame.subset(province_codes(provinces, places=places))
    return frame


def stage_rules(
    pilot: str | None,
    districts: int | None,
    communes: int | None,
    villages: int | None,
    interviews: int | None,
    geography: str = "2018",
) -> SelectionRules:
    """PAPI's rules with the stage sizes given on the command line (shared with ``papi
    simulate``); a pilot is one district, and its communes are the PSUs, so it needs 2.
    In the 2025 geography (no districts) ``communes`` is per province (the PSUs, at least 2)
    and there is no district pilot."""
    from survey.geography import parse_geography
    from survey.sampling import PAPI_RULES
    from survey.sampling.two_tier import TWO_TIER_RULES, communes_per_province

    if parse_geography(geography) == "2025":
        if pilot is not None or districts is not None:
            raise typer.BadParameter(
                "the 2025 geography has no districts: sample provinces (--provinces N31) and "
                "set the communes per province with --communes",
                param_hint="--districts" if districts is not None else "--pilot",
            )
        rules = TWO_TIER_RULES.with_sizes(villages=villages, interviews=interviews)
        return rules if communes is None else communes_per_province(rules, communes)
    if pilot is not None and districts is not None:
        raise typer.BadParameter(
            "a pilot is one district: leave --districts out", param_hint="--districts"
        )
    if pilot is not None and communes is not None and communes < 2:
        raise typer.BadParameter(
            "a pilot's communes are its PSUs: take at least 2 (one leaves no variance to estimate)",
            param_hint="--communes",
        )
    return PAPI_RULES.with_sizes(
        districts=districts, communes=communes, villages=villages, interviews=interviews
    )


def summary_rows(frame: Frame, table: pd.DataFrame) -> list[dict[str, Any]]:
    """Per province: its name and class, units selected, interviews targeted, residents."""
    names = frame.provinces.set_index("province")["name"]
    rows = []
    for code, g in table.groupby("province", sort=True):
        rows.append(
            {
                "province": str(code),
                "name": str(names.get(code, code)),
                "size_class": str(g["size_class"].iloc[0]),
                "districts": int(g["district"].nunique()),
                "communes": int(g["commune"].nunique()),
                "villages": len(g),
                "interviews": int(g["quota"].sum()),
                "residents": int((g["residents"] + g["reserves"]).sum()),
            }
        )
    return rows


def _summary_table(rows: list[dict[str, Any]], title: str, districts: bool = True) -> Table:
    # no box: the eight columns fit in 80 columns without cutting their headers
    t = Table(
        title=title,
        title_justify="left",
        box=None,
        padding=(0, 2, 0, 0),
        header_style="bold underline",
    )
    t.add_column("Province")
    t.add_column("Name")
    t.add_column("Class")
    every = ("districts", "communes", "villages", "interviews", "residents")
    counts: tuple[str, ...] = every if districts else every[1:]  # 2025: no districts
    for col in counts:
        t.add_column(col.capitalize(), justify="right", min_width=len(col))
    for r in rows:
        cells = (escape(r["province"]), escape(r["name"]), r["size_class"])
        t.add_row(*cells, *(f"{r[c]:,}" for c in counts))
    if len(rows) > 1:
        t.add_section()
        t.add_row("Total", "", "", *(f"{sum(r[c] for r in rows):,}" for c in counts))
    return t


def _next_steps(
    out: Path | None,
    survey_json: Path | None,
    residents: Path | None,
    spec: dict[str, Any] | None,
    questionnaire: str,
) -> list[str]:
    lines = []
    if survey_json is not None:
        lines.append(
            "next: curl -s -X POST localhost:8000/api/v1/surveys "
            "-H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' "
            f"-d @{shlex.quote(str(survey_json))}"
        )
    if out is not None:
        year = spec["year"] if spec else "YEAR"
        name = shlex.quote(spec["name"]) if spec else "NAME"
        lines.append(
            f"{'or' if lines else 'next'}: papi survey create --questionnaire "
            f"{shlex.quote(questionnaire)} --year {year} --name {name} "
            f"--sample {shlex.quote(str(out))}   (writes to DATABASE_URL)"
        )
    if residents is not None:
        lines.append(
            f"field: give each village's enumerators its rows of {residents} "
            "(role main first; a reserve, in order, replaces each refusal or absence)"
        )
    if not lines:
        lines.append(
            "next: write the sample with --out sample.csv, the resident lists with --residents "
            "residents.csv, the survey body with --survey-json survey.json --name N --year Y"
        )
    return lines


# the villages table of a user's frame (docs/simulation.md, "Your own frame"): its columns
# and a row of example values; district_name is optional (it lets commands take the name),
# capital is left out (a one-district frame needs none)
FRAME_TEMPLATE: dict[str, str] = {
    "province": "P01",
    "district": "P01-D04",
    "district_name": "Long Bien",
    "commune": "P01-D04-C01",
    "village": "P01-D04-C01-V01",
    "population": "2450",
    "adults": "1620",
    "urban": "1",
    "district_seat": "1",
    "commune_seat": "1",
}


def write_frame_template(path: Path) -> None:
    """The frame template: the header and one example row."""
    from survey.sampling.sampling_frame import VILLAGE_COLUMNS

    assert set(VILLAGE_COLUMNS) - {"capital"} <= set(FRAME_TEMPLATE)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            ",".join(FRAME_TEMPLATE) + "\n" + ",".join(FRAME_TEMPLATE.values()) + "\n",
            encoding="utf-8",
        )
    except OSError as exc:
        raise PapiError(f"cannot write {path}: {exc.strerror}", code="write_failed") from None


def plan_design(
    path: Path, number: int
) -> tuple[str | None, str | None, int | None, int, int, int]:
    """The place and stage sizes of design ``number`` (1-based) of a ``papi plan --out``
    file: (pilot, provinces, districts, communes, villages, interviews)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        chosen = doc["designs"][number - 1]
        place, level = str(doc["place"]), str(doc["level"])
        sizes = tuple(
            int(chosen[k]) for k in ("districts", "communes", "villages", "interviews_per_village")
        )
    except FileNotFoundError:
        raise NotFound(f"plan file {path} does not exist", code="file_not_found") from None
    except IndexError:
        n = len(doc.get("designs", []))
        raise typer.BadParameter(
            f"{path} has {plural(n, 'design')}; choose --design 1 to {n}",
            param_hint="--design",
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PapiError(
            f"{path} is not a plan written by `papi plan --out` ({exc})", code="invalid_plan"
        ) from None
    d, c, m, k = sizes
    if level == "district":
        return place, None, None, c, m, k
    return None, place, d, c, m, k


def sample(
    frame_path: Annotated[
        Path | None,
        typer.Option(
            "--frame",
            help="Your own frame: a villages .csv/.parquet (docs/simulation.md) or a frame "
            "directory (default: the bundled synthetic national frame).",
        ),
    ] = None,
    provinces: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated provinces by code or name, e.g. P01,P20 or 'Ha Noi' "
            "(default: all)."
        ),
    ] = None,
    pilot: Annotated[
        str | None,
        typer.Option(help="A pilot survey of one district, by code or name, e.g. P01-D03."),
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Seed; the same seed draws the same sample.")
    ] = DEFAULT_SEED,
    size_class: Annotated[
        str | None,
        typer.Option(
            help="Size class of every province, small | medium | large: the numbers of districts and "
            "residents follow it (default: the frame's; own frames: by population)."
        ),
    ] = None,
    districts: Annotated[
        int | None,
        typer.Option(
            min=2,
            help="Districts per province, the capital included (PAPI: 3 small, 6 medium and "
            "large). Not with --pilot.",
        ),
    ] = None,
    communes: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Communes per selected district, the seat included (PAPI: 2). A pilot's "
            "communes are its PSUs: 8 give CIs with 7 degrees of freedom, PAPI's 2 only 1.",
        ),
    ] = None,
    villages: Annotated[
        int | None,
        typer.Option(min=1, help="Villages per selected commune, the seat included (PAPI: 2)."),
    ] = None,
    interviews: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Completed interviews per village (PAPI: 16, 24 in large provinces); lists "
            "ceil(1.25 N) residents + ceil(0.625 N) reserves (PAPI's 20 + 10 for 16).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Selected villages with design columns and quota (.csv or .parquet)."),
    ] = None,
    residents: Annotated[
        Path | None,
        typer.Option(help="Resident lists: village, line, order, role main/reserve (.csv)."),
    ] = None,
    survey_json: Annotated[
        Path | None,
        typer.Option(help="Write the POST /api/v1/surveys body (needs --name and --year)."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Survey name for --survey-json.")] = None,
    year: Annotated[int | None, typer.Option(help="Survey year for --survey-json.")] = None,
    questionnaire: Annotated[
        str, typer.Option(help="Questionnaire id for --survey-json.")
    ] = "papi-2021",
    geography: Annotated[
        str,
        typer.Option(
            help="2018 (63 provinces, districts; until June 2025) or 2025 (34 provinces, "
            "communes/wards, no districts: --communes is then per province, PAPI 6 small, "
            "12 medium and large). A year works too."
        ),
    ] = "2018",
    frame_template: Annotated[
        Path | None,
        typer.Option(
            help="Write the villages table to fill in for --frame (.csv: the columns and a "
            "row of example values), then stop.",
        ),
    ] = None,
    plan_path: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            help="A plan written by `papi plan --out`: its place and the stage sizes of its "
            "design --design (instead of --pilot/--provinces and the size options).",
        ),
    ] = None,
    design: Annotated[
        int, typer.Option(min=1, help="Which design of --plan to draw (its # column).")
    ] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Draw a PAPI sample: districts, communes and villages by PPS with the seats certain.

    Per province the capital district plus 2 (small) or 5 (medium, large) districts; in each
    the seat commune plus 1; in each the seat village plus 1; in each village 20 residents +
    10 reserves (30 + 15 in large provinces) for 16 (24) completed interviews. --districts,
    --communes, --villages and --interviews change those sizes; a parent with fewer units
    than asked gives all of them (each with probability 1).

    With --geography 2025 (docs/geography.md): per province the seat ward plus 5 (small) or
    11 (medium, large) communes/wards by PPS, then villages and residents as above.

    Example: papi sample --pilot P01-D03 --communes 8 --seed 7 --out sample.csv --residents
    residents.csv --survey-json survey.json --name "Long Bien pilot" --year 2026

    Examples: papi sample --plan plan.json --design 1 --out sample.csv;
    papi sample --geography 2025 --provinces N31 --seed 7 --out sample.csv
    """
    from survey.sampling import select_sample

    if frame_template is not None:
        _check_suffix(frame_template, "--frame-template", (".csv",))
        write_frame_template(frame_template)
        console.print(
            f"[green]wrote[/green] {escape(str(frame_template))}: one row per village of your "
            "district; replace the example row, then papi sample --frame "
            f"{escape(str(frame_template))} --pilot DISTRICT --size-class CLASS",
            highlight=False,
        )
        return
    if plan_path is not None:
        given = {
            "--pilot": pilot,
            "--provinces": provinces,
            "--districts": districts,
            "--communes": communes,
            "--villages": villages,
            "--interviews": interviews,
        }
        clash = [k for k, v in given.items() if v is not None]
        if clash:
            raise typer.BadParameter(
                f"the plan sets the place and the sizes: leave {', '.join(clash)} out",
                param_hint="--plan",
            )
        pilot, provinces, districts, communes, villages, interviews = plan_design(plan_path, design)

    _check_suffix(out, "--out", (".csv", ".parquet"))
    _check_suffix(residents, "--residents", (".csv", ".parquet"))
    _check_suffix(survey_json, "--survey-json", (".json",))
    if survey_json is not None and (name is None or year is None):
        raise typer.BadParameter("--survey-json needs --name and --year", param_hint="--name")
    rules = stage_rules(pilot, districts, communes, villages, interviews, geography)
    frame = _scope(frame_path, size_class, provinces, pilot, geography)
    if pilot is not None and "district" in frame.villages.columns:  # the code named
        pilot = str(frame.villages["district"].iloc[0])
    drawn = select_sample(frame, rng=seed, rules=rules)
    table = sample_table(drawn)
    spec: dict[str, Any] | None = None
    if survey_json is not None:
        from api.surveys.sample_file import sample_units, survey_spec

        assert name is not None and year is not None
        spec = {
            "questionnaire": questionnaire,
            "year": year,
            "name": name,
            "sample": sample_units(table),
        }
        survey_spec(spec, source=None)
    if out is not None:
        _write(table, out)
    if residents is not None:
        _write(resident_table(drawn, seed), residents)
    if survey_json is not None:
        try:
            survey_json.parent.mkdir(parents=True, exist_ok=True)
            survey_json.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            raise PapiError(
                f"cannot write {survey_json}: {exc.strerror}", code="write_failed"
            ) from None
    rows = summary_rows(frame, table)
    if frame_path is None:
        from api.cli.places import say_synthetic

        say_synthetic()
    if as_json:
        summary = {
            "seed": seed,
            "geography": geography,
            "pilot": pilot,
            # the stage sizes asked for (null: PAPI's)
            "sizes": {
                "districts": districts,
                "communes": communes,
                "villages": villages,
                "interviews": interviews,
            },
            "provinces": rows,
            "villages": len(table),
            "interviews": int(table["quota"].sum()),
            "residents": int((table["residents"] + table["reserves"]).sum()),
            "out": str(out) if out else None,
            "residents_file": str(residents) if residents else None,
            "survey_json": str(survey_json) if survey_json else None,
        }
        typer.echo(json.dumps(summary, indent=2))
        return
    n = len(rows)
    scope = f"pilot of district {pilot}" if pilot else plural(n, "province")
    sizes = "".join(
        f", {value} {label}"
        for value, label in (
            (districts, "districts per province"),
            (communes, "communes per " + ("province" if geography != "2018" else "district")),
            (villages, "villages per commune"),
            (interviews, "interviews per village"),
        )
        if value is not None
    )
    two_tier = "former_province" in table.columns
    where = ", 2025 geography" if two_tier else ""
    console.print(
        _summary_table(rows, f"PAPI sample{where}, {scope}{sizes}, seed {seed}", not two_tier)
    )
    for path, what in ((out, "sample"), (residents, "resident lists"), (survey_json, "survey")):
        if path is not None:
            console.print(f"[green]wrote[/green] {what}: {escape(str(path))}", highlight=False)
    for line in _next_steps(out, survey_json, residents, spec, questionnaire):
        console.print(line, highlight=False, soft_wrap=True, markup=False)


def register(app: typer.Typer) -> None:
    app.command("sample")(sample)
