"""``papi sensitivity``: how robust are the ranks to the choices made in building the index,
and to sampling error? (scoring.sensitivity; docs/sensitivity.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from survey.errors import NotFound, PapiError
from survey.rng import DEFAULT_REPLICATES, DEFAULT_SEED

if TYPE_CHECKING:  # heavy imports are made inside the commands: `papi --help` stays fast
    import pandas as pd
    from rich.progress import TaskID

    from scoring.sensitivity import IndexData, Spec

console = Console(stderr=True)

EPILOG = (
    "Examples:\n\n"
    "  papi sensitivity --published 2023 --runs 10000 --out out.json --plots plots/\n\n"
    "  papi sensitivity --responses sim.parquet --questionnaire papi-2021 --spec audit.yaml "
    "--out out.json"
)


def _load_spec(path: Path | None, *, microdata: bool) -> Spec:
    from scoring.sensitivity import Spec, default_audit

    if path is None:
        return default_audit(microdata=microdata)
    if not path.exists():
        raise NotFound(f"spec file {path} does not exist; pass an existing YAML file to --spec")
    return Spec.from_yaml(path.read_text(encoding="utf-8"))


def _published(year: int) -> IndexData:
    from scoring.sensitivity import published_input
    from survey.published import provinces, subdimensions

    names = dict(zip(provinces()["province"], provinces()["name"], strict=True))
    return published_input(subdimensions(year), names=names)


def read_responses(path: Path) -> pd.DataFrame:
    """A respondent table (docs/data-layout.md) from parquet or CSV."""
    import pandas as pd

    if not path.exists():
        raise NotFound(f"responses file {path} does not exist")
    if path.suffix.lower() in (".parquet", ".pq"):
        return pd.read_parquet(path)
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path, dtype={"province": str, "district": str, "psu": str})
    raise PapiError(
        f"responses file {path} has suffix {path.suffix!r}; expected .parquet or .csv",
        code="responses_format",
    )


def _microdata(responses: Path, questionnaire: str, replicates: int, seed: int) -> IndexData:
    from scoring.sensitivity import microdata_input
    from survey.geography import province_names

    names = province_names()  # P01…P63 and the 2025 provinces N01…N96
    return microdata_input(
        read_responses(responses), questionnaire, replicates=replicates, rng=seed, names=names
    )


def sensitivity(
    published: Annotated[
        int | None, typer.Option(help="Audit the published scores of this year (2018-2024).")
    ] = None,
    responses: Annotated[
        Path | None, typer.Option(help="Respondent data (parquet/csv, docs/data-layout.md).")
    ] = None,
    questionnaire: Annotated[
        str | None, typer.Option(help="Questionnaire id or path of --responses.")
    ] = None,
    runs: Annotated[int, typer.Option(min=1, help="Monte Carlo runs.")] = 1000,
    sobol_n: Annotated[
        int, typer.Option(min=2, help="Sobol' base sample (power of 2); N(d+2) runs.")
    ] = 512,
    replicates: Annotated[
        int, typer.Option(min=2, help="Bootstrap replicates for sampling error (microdata).")
    ] = DEFAULT_REPLICATES,
    seed: Annotated[
        int, typer.Option(help="Seed; the same seed gives the same runs.")
    ] = DEFAULT_SEED,
    spec: Annotated[
        Path | None, typer.Option(help="YAML spec of the uncertain choices (default: JRC audit).")
    ] = None,
    plots: Annotated[
        Path | None, typer.Option(help="Write rank_intervals.png and sobol.png here.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the JSON result here (papi report --sensitivity).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the JSON result on stdout.")
    ] = False,
) -> None:
    """Uncertainty (Monte Carlo) and sensitivity (Sobol') analysis of the index ranks."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from scoring.sensitivity import run_sensitivity

    if (published is None) == (responses is None):
        raise PapiError(
            "give exactly one of --published YEAR or --responses FILE --questionnaire ID",
            code="usage",
        )
    if responses is not None and questionnaire is None:
        raise PapiError("--responses needs --questionnaire ID", code="usage")
    microdata = responses is not None
    the_spec = _load_spec(spec, microdata=microdata)
    if published is not None:
        data = _published(published)
    else:
        assert responses is not None and questionnaire is not None
        with console.status("estimating province indicators and their bootstrap replicates"):
            data = _microdata(responses, questionnaire, replicates, seed)
    for note in data.notes:
        console.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} runs"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                label = "Monte Carlo" if stage == "monte_carlo" else "Sobol'"
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done)

        result = run_sensitivity(
            data, the_spec, runs=runs, sobol_n=sobol_n, rng=seed, progress=progress
        )
    doc: dict[str, Any] = result.to_json()
    doc["input"] = (
        {"published": published}
        if published is not None
        else {
            "responses": str(responses),
            "questionnaire": questionnaire,
            "replicates": replicates,
            "seed": seed,
        }
    )
    text = json.dumps(doc, indent=1, allow_nan=False)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    if as_json:
        typer.echo(text)
    if plots is not None:
        from api.plots.sensitivity import write_plots

        write_plots(doc, plots)
    ov = doc["overall"]
    wrote = [str(out)] if out else []
    if plots:
        wrote.append(f"plots in {plots}")
    console.print(
        f"{runs} runs (seed {seed}): mean absolute rank shift {ov['mean_abs_shift']:.2f}; "
        f"top group changed in {100 * ov['p_top_group_changed']:.0f}% of runs"
        + (f"; wrote {' and '.join(wrote)}" if wrote else ""),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("sensitivity", epilog=EPILOG)(sensitivity)
