"""``papi simulate``: a PAPI survey whose expected provincial scores are a published year's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from api.cli.words import older_name, plural
from survey.errors import PapiError
from survey.rng import DEFAULT_SEED

if TYPE_CHECKING:  # heavy imports are made inside the command: `papi --help` stays fast
    import pandas as pd

console = Console(stderr=True)


def _write_table(frame_path: Path, sim_frame: pd.DataFrame) -> None:
    if frame_path.suffix.lower() == ".csv":
        sim_frame.to_csv(frame_path, index=False)
    else:
        sim_frame.to_parquet(frame_path, index=False)


def simulate(
    year: int = typer.Option(2023, "--year", help="Published year to calibrate to (2018-2024)."),
    seed: int = typer.Option(
        DEFAULT_SEED, "--seed", help="Seed; the same seed gives the same survey."
    ),
    out: Path = typer.Option(..., "--out", help="Respondent table to write (.parquet, or .csv)."),
    provinces: str | None = typer.Option(
        None,
        "--provinces",
        help="Comma-separated provinces by code or name, e.g. P01,P31 (default: all).",
    ),
    interviews: int | None = typer.Option(
        None,
        "--interviews",
        min=1,
        help="Completed interviews per village (default 16; 24 in Ha Noi and HCMC); "
        "--respondents-per-village is its older name.",
    ),
    older_interviews: int | None = typer.Option(
        None, "--respondents-per-village", min=1, hidden=True, help="--interviews' older name."
    ),
    pilot: str | None = typer.Option(
        None,
        "--pilot",
        help="Simulate a pilot survey of one district, by code or name, e.g. P01-D03.",
    ),
    districts: int | None = typer.Option(
        None,
        "--districts",
        min=2,
        help="Districts per province, the capital included (PAPI: 3 small, 6 medium and "
        "large). Not with --pilot.",
    ),
    communes: int | None = typer.Option(
        None,
        "--communes",
        min=1,
        help="Communes per selected district, the seat included (PAPI: 2). A pilot's "
        "communes are its PSUs: 8 give CIs with 7 degrees of freedom, PAPI's 2 only 1.",
    ),
    villages: int | None = typer.Option(
        None,
        "--villages",
        min=1,
        help="Villages per selected commune, the seat included (PAPI: 2).",
    ),
    truth: Path | None = typer.Option(
        None, "--truth", help="Write the expected scores at every level to this CSV."
    ),
    submissions_dir: Path | None = typer.Option(
        None, "--submissions-dir", help="Also write one API submission JSON per interview here."
    ),
    batch_size: int | None = typer.Option(
        None,
        "--batch-size",
        min=1,
        max=1000,
        help="With --submissions-dir: write batch-0001.json, … of up to this many interviews "
        "each, for POST /surveys/{id}/submissions/batch.",
    ),
    geography: str = typer.Option(
        "2018",
        "--geography",
        help="2018 (63 provinces, districts) or 2025 (34 provinces, communes/wards; "
        "calibrated to --year's published scores derived on them, docs/geography.md).",
    ),
    frame_path: Path | None = typer.Option(
        None,
        "--frame",
        help="Your own frame: a villages .csv/.parquet (papi sample --frame-template) or a "
        "frame directory. Its province must be a PAPI province code (P01-P63); "
        "post-stratification targets default to that province's (docs/simulation.md).",
    ),
    size_class: str | None = typer.Option(
        None,
        "--size-class",
        help="With --frame: size class of every province, small | medium | large, as for "
        "`papi sample` (a district of Ha Noi: large).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """Simulate a PAPI survey calibrated to the published scores of YEAR.

    The sample is drawn the PAPI way from the synthetic national frame; every item of that
    year's questionnaire is answered with skip logic, don't-know answers and refusals; each
    province's expected sub-dimension scores equal the published ones.

    --districts, --communes, --villages and --interviews change the stage sizes, as for
    `papi sample`; a pilot of 2 communes (PAPI's) has CIs with only 1 degree of freedom.

    Example: papi simulate --year 2023 --seed 7 --out survey.parquet --truth truth.csv

    Example: papi simulate --pilot P01-D03 --communes 8 --seed 1 --out pilot.parquet

    Example: papi simulate --geography 2025 --year 2024 --seed 7 --out survey-2025.parquet

    Example: papi simulate --frame long-bien.csv --size-class large --pilot "Long Bien"
    --communes 8 --seed 1 --out pilot.parquet
    """
    interviews = older_name(interviews, older_interviews)
    from api.cli.sample import stage_rules
    from survey.simulate import simulate as run_simulation
    from survey.simulate.submissions import write_submissions

    if batch_size is not None and submissions_dir is None:
        raise PapiError(
            "--batch-size only applies to --submissions-dir; add --submissions-dir DIR",
            code="usage",
        )

    from api.cli.places import district_code, province_codes, say_synthetic

    rules = stage_rules(pilot, districts, communes, villages, None, geography)
    if frame_path is None and size_class is not None:
        raise typer.BadParameter(
            "applies to your own frame; add --frame FILE", param_hint="--size-class"
        )
    own = None
    if frame_path is not None:
        from survey.geography import parse_geography

        if parse_geography(geography) == "2025":
            raise typer.BadParameter(
                "--frame simulates on the 2018 geography of its districts; leave out "
                "--geography 2025",
                param_hint="--geography",
            )
        from api.cli.sample import _scope

        # the same scope as `papi sample --frame`: the same seed and sizes give the same
        # villages, so the simulated interviews fall in the sample's villages
        own = _scope(frame_path, size_class, provinces, pilot, geography)
        codes, pilot = None, None
    else:
        codes = province_codes(provinces, geography) if provinces else None
        if pilot is not None:
            pilot = district_code(pilot)
    with console.status(f"simulating the PAPI {year} survey…"):
        sim = run_simulation(
            year,
            rng=seed,
            provinces=codes,
            interviews=interviews,
            pilot=pilot,
            rules=rules,
            geography=geography,
            frame=own,
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _write_table(out, sim.responses)
        if truth is not None:
            truth.parent.mkdir(parents=True, exist_ok=True)
            sim.truth.to_csv(truth, index=False)
    except OSError as exc:
        raise PapiError(
            f"cannot write {exc.filename}: {exc.strerror}", code="write_failed"
        ) from exc
    if own is None:
        say_synthetic()
    n_sub = 0
    if submissions_dir is not None:
        with console.status("writing submission documents…"):
            n_sub = write_submissions(sim, submissions_dir, rng=seed, batch_size=batch_size)
    r = sim.responses
    summary = {
        "year": year,
        "seed": seed,
        "geography": geography,
        "questionnaire": sim.questionnaire.id,
        "interviews": len(r),
        "provinces": int(r["province"].nunique()),
        "districts": int(r["district"].nunique()),
        "communes": int(r["commune"].nunique()),
        "villages": int(r["village"].nunique()),
        "female_share": round(float((r["sex"] == 2).mean()), 4),
        "out": str(out),
        "truth": str(truth) if truth else None,
        "submissions": n_sub,
    }
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        console.print(
            f"[green]wrote[/green] {out}: {plural(summary['interviews'], 'interview')} in "
            f"{plural(summary['provinces'], 'province')}, "
            f"{plural(summary['villages'], 'village')} "
            f"({sim.questionnaire.id}, seed {seed})",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
