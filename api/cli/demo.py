"""``papi demo``: simulate, collect through the API, score, analyse and report, in one go."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.words import older_name, plural
from survey.rng import DEFAULT_REPLICATES, DEFAULT_SEED

console = Console(stderr=True)

EPILOG = (
    "Examples:\n\n"
    "  papi demo                                  # national survey, report in ./papi-demo\n\n"
    "  papi demo --pilot P20-D01 --year 2023 --out pilot  # a one-district pilot\n\n"
    "  papi demo --provinces P01,P20,P31 --replicates 200 --out small\n\n"
    "  papi demo --geography 2025 --out demo-2025  # the 34 provinces of July 2025"
)


def _summary_table(result: object, top: int = 5) -> Table:
    import pandas as pd

    from api.demo import DemoResult

    assert isinstance(result, DemoResult)
    comp = result.scores.composite
    comp = comp[(comp["province"] != "VN") & comp["est"].notna()].sort_values(
        "est", ascending=False
    )
    table = Table(title="Aggregate PAPI score (8–80), 95% CI", title_justify="left")
    from survey.geography import province_names

    names = province_names()
    for col in ("", "province", "score", "95% CI", "rank (interval)", "group"):
        table.add_column(col, justify="left" if col in ("", "province", "group") else "right")
    shown = comp if len(comp) <= 2 * top else comp.iloc[list(range(top)) + list(range(-top, 0))]
    for i, rec in enumerate(shown.to_dict("records")):
        tag = "top" if i < min(top, len(shown)) and len(comp) > 2 * top else ""
        if len(comp) > 2 * top and i >= top:
            tag = "bottom"
        rank = "" if pd.isna(rec["rank"]) else f"{int(rec['rank'])}"
        if not pd.isna(rec.get("rank_lci")):
            rank += f" ({int(rec['rank_lci'])}–{int(rec['rank_uci'])})"
        group = rec.get("group")
        if len(comp) == 1:  # one district or province: nothing to rank it among
            rank, group = "", None
        table.add_row(
            tag,
            f"{rec['province']} {names.get(rec['province'], '')}",
            f"{rec['est']:.2f}",
            f"[{rec['lci']:.2f}, {rec['uci']:.2f}]",
            rank,
            group if isinstance(group, str) else "",
        )
    return table


def demo(
    out: Annotated[Path, typer.Option(help="Directory for the database, data and report.")] = Path(
        "papi-demo"
    ),
    pilot: Annotated[
        str | None,
        typer.Option(
            help="Simulate a pilot of one district instead, by code or name, e.g. P20-D01."
        ),
    ] = None,
    year: Annotated[
        int, typer.Option(help="Published year the simulation is calibrated to (2021-2024).")
    ] = 2024,
    seed: Annotated[
        int, typer.Option(help="Seed; the same seed gives the same demo.")
    ] = DEFAULT_SEED,
    provinces: Annotated[
        str | None,
        typer.Option(help="Only these provinces, by code or name, comma-separated (e.g. P01,P31)."),
    ] = None,
    respondents_per_village: Annotated[
        int | None,
        typer.Option(
            "--interviews",
            min=1,
            help="Completed interviews per village (default 16, 24 in large provinces; 100 in "
            "a pilot); --respondents-per-village is its older name.",
        ),
    ] = None,
    older_interviews: Annotated[
        int | None,
        typer.Option(
            "--respondents-per-village", min=1, hidden=True, help="--interviews' older name."
        ),
    ] = None,
    replicates: Annotated[
        int, typer.Option(min=2, help="Replicates of the Rao–Wu bootstrap the demo scores with.")
    ] = DEFAULT_REPLICATES,
    runs: Annotated[int, typer.Option(min=10, help="Sensitivity Monte Carlo runs.")] = 2000,
    lang: Annotated[str, typer.Option(help="Report language: en or vi.")] = "en",
    geography: Annotated[
        str,
        typer.Option(
            help="2018: the 63 provinces with districts; 2025: the 34 provinces of July 2025 "
            "on the two-tier design, compared with --year derived on them (derived, not "
            "official; docs/geography.md)."
        ),
    ] = "2018",
    json_out: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Run the whole job on the embedded defaults: create a database, simulate a national
    PAPI survey (or a pilot), submit every interview through the HTTP API in batches,
    export, score with 95% CIs, run a sensitivity analysis and write report.html."""
    respondents_per_village = older_name(respondents_per_village, older_interviews)
    from api.cli.places import district_code, province_codes, say_synthetic
    from api.demo import DemoConfig, run_demo
    from survey.errors import PapiError

    # everything is checked before the database and the progress bars start
    if not 2021 <= year <= 2024:
        raise PapiError(
            "the demo uses the papi-2021 questionnaire, calibrated to the published years "
            f"2021-2024; got --year {year}: give --year 2021 to 2024",
            code="usage",
        )
    if lang not in ("en", "vi"):
        raise PapiError(f"--lang {lang!r}: give --lang en or --lang vi", code="usage")
    if pilot is not None and provinces is not None:
        raise PapiError("give --pilot or --provinces, not both (a pilot is one district)")
    codes = province_codes(provinces, geography) if provinces else None
    district = district_code(pilot) if pilot is not None else None
    cfg = DemoConfig(
        out=out,
        year=year,
        seed=seed,
        pilot=district,
        respondents_per_village=respondents_per_village,
        provinces=codes,
        replicates=replicates,
        sensitivity_runs=runs,
        lang=lang,
        geography=geography,
    )
    say_synthetic()  # the demo always simulates on the bundled frame
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:

        def step(description: str, total: int) -> Callable[[int], None]:
            task = progress.add_task(description, total=total)
            return lambda n: progress.advance(task, n)

        result = run_demo(cfg, step)
    if json_out:
        print(
            json.dumps(
                {
                    "out": str(result.out),
                    "seed": seed,
                    "interviews": result.interviews,
                    "accepted": result.accepted,
                    "report": str(result.report),
                    "files": {k: str(v) for k, v in result.files.items()},
                    "timings_s": {k: round(v, 2) for k, v in result.timings.items()},
                }
            )
        )
        return
    console.print(_summary_table(result))
    console.print(
        f"\n[green]Done.[/green] {plural(result.accepted, 'interview', thousands=True)} collected and "
        "scored in "
        f"{sum(result.timings.values()):.0f} s (seed {seed}).\n"
        f"  Report:      {result.report}  (open it in a browser)\n"
        f"  Scores:      {out / 'scores'}/ (CSV and JSON per tier)\n"
        f"  Data:        {out / 'responses.parquet'} (try: papi score {out / 'responses.parquet'})\n"
        f"  Next:        papi serve --database-url sqlite:///{out / 'papi.db'}  to browse the API "
        "at http://127.0.0.1:8000/docs\n"
        f"  Token:       papi token create --role admin --database-url sqlite:///{out / 'papi.db'}"
        "  (for the API's Authorization: Bearer header)",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    # the help is the docstring as one paragraph: Typer would keep its line breaks
    assert demo.__doc__ is not None
    app.command(name="demo", epilog=EPILOG, help=" ".join(demo.__doc__.split()))(demo)
