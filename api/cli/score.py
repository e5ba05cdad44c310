"""``papi score``: PAPI index scores with confidence intervals from respondent data
(scoring.score; docs/scoring.md)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from api.cli.words import cli_terms
from survey.errors import NotFound, PapiError
from survey.rng import DEFAULT_REPLICATES, DEFAULT_SEED

if TYPE_CHECKING:  # heavy imports are made inside the commands: `papi --help` stays fast
    import pandas as pd
    from rich.table import Table

    from scoring import IndexScores

EPILOG = (
    "Examples:\n\n"
    "  papi score sim.parquet --questionnaire papi-2021 --out scores/\n\n"
    "  papi score sim.parquet --questionnaire papi-2021 --variance bootstrap "
    "--replicates 1000 --unweighted --out scores/\n\n"
    "  papi score pilot.csv --questionnaire papi-2021 --json > scores.json"
)


class Variance(StrEnum):
    """``scoring.score``'s variance methods (``scoring.index.prepared.VARIANCE_METHODS``)."""

    taylor = "taylor"
    bootstrap = "bootstrap"
    jk1 = "jk1"
    jkn = "jkn"
    brr = "brr"
    fay = "fay"


class CiDist(StrEnum):
    t = "t"
    normal = "normal"


class LonelyPsu(StrEnum):
    fail = "fail"
    adjust = "adjust"
    remove = "remove"
    certainty = "certainty"


def read_responses(path: Path) -> pd.DataFrame:
    """A respondent table (docs/data-layout.md) from Parquet or CSV."""
    import pandas as pd

    if not path.exists():
        raise NotFound(f"responses file {path} does not exist", code="file_not_found")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq", ".csv"):
        if suffix == ".csv":
            from survey.respondents.analysis_frame import TEXT_COLUMNS

            frame = pd.read_csv(path, dtype=dict.fromkeys(TEXT_COLUMNS, str), low_memory=False)
        else:
            frame = pd.read_parquet(path)
        if len(frame) == 0:
            raise PapiError(
                f"{path} has no interviews: export a survey once interviews have been "
                "submitted (`papi progress` shows how many)",
                code="no_interviews",
            )
        return frame
    raise PapiError(
        f"responses file {path} has suffix {suffix!r}; expected .parquet or .csv",
        code="responses_format",
    )


def _fmt(value: Any) -> str:
    import pandas as pd

    return "—" if pd.isna(value) else f"{float(value):.2f}"


def _rank(row: dict[Any, Any]) -> str:
    import pandas as pd

    if pd.isna(row["rank"]):
        return "—"
    text = str(int(row["rank"]))
    if not pd.isna(row["rank_lci"]):
        text += f" ({int(row['rank_lci'])}–{int(row['rank_uci'])})"
    return text


def composite_table(result: IndexScores) -> Table:
    """Province, score, CI, rank (with its interval) and group, best first."""
    import pandas as pd
    from rich.table import Table

    from scoring.index.results import NATIONAL
    from survey.geography import province_names

    names = province_names()  # P01…P63 and the 2025 provinces N01…N96
    frame = result.composite.copy()
    # the pooled row stands for Viet Nam only when the data cover (nearly) every province
    # (scoring's rule, the report's too)
    national = result.is_national()
    names[NATIONAL] = "Viet Nam (pooled)" if national else "all respondents (pooled)"
    single = int((frame["province"] != NATIONAL).sum()) == 1
    if single:  # one district or province: no rank, and the pooled row would repeat it
        frame = frame.loc[frame["province"] != NATIONAL].copy()
        frame["rank"] = frame["rank_lci"] = frame["rank_uci"] = float("nan")
        frame["group"] = None
    frame["order"] = frame["rank"].astype("Float64").fillna(1e9)
    frame.loc[frame["province"] == NATIONAL, "order"] = 2e9
    pct = round(100 * result.confidence)
    weights = "weighted" if result.weighted else "unweighted"
    seed = result.provenance.seed if result.provenance is not None else None
    used = "" if seed is None else f", seed {seed}"
    table = Table(title=f"PAPI aggregate score ({weights}, {result.method} {pct}% CI{used})")
    for col, justify in (
        ("province", "left"),
        ("", "left"),
        ("score", "right"),
        (f"{pct}% CI", "right"),
        ("deff", "right"),
        ("rank", "right"),
        ("group", "left"),
    ):
        # the name is cut with an ellipsis rather than wrapped over two rows of a narrow terminal
        table.add_column(col, justify=justify, no_wrap=col == "", overflow="ellipsis")  # type: ignore[arg-type]
    for row in frame.sort_values(["order", "province"]).to_dict(orient="records"):
        table.add_row(
            str(row["province"]),
            names.get(str(row["province"]), ""),
            _fmt(row["est"]),
            "—" if pd.isna(row["lci"]) else f"{_fmt(row['lci'])} – {_fmt(row['uci'])}",
            "—" if pd.isna(row.get("deff")) else f"{row['deff']:.1f}",
            _rank(row),
            str(row["group"]) if isinstance(row["group"], str) else "—",
        )
    return table


def _score(frame: pd.DataFrame, *args: Any, **kwargs: Any) -> IndexScores:
    """``scoring.score``, with the fixes for a lonely PSU put in this command's terms."""
    from scoring import score

    try:
        result: IndexScores = score(frame, *args, **kwargs)
    except PapiError as exc:
        if exc.code != "lonely_psu":
            raise
        first = exc.problems[0].pointer if exc.problems else ""
        raise type(exc)(
            f"{len(exc.problems)} stratum/strata have only one PSU (first: {first}), so no "
            "variance can be estimated there. For one district per province (a pilot), "
            "cluster on communes: --psu commune. --lonely-psu adjust | remove | certainty "
            "(R's survey.lonely.psu) also runs, but such a province's own standard error is "
            "then near 0",
            code=exc.code,
            problems=exc.problems,
        ) from exc
    return result


def score_command(
    responses: Annotated[
        Path, typer.Argument(help="Respondent data, .parquet or .csv (docs/data-layout.md).")
    ],
    questionnaire: Annotated[
        str, typer.Option(help="Questionnaire id (papi-2018 | papi-2019 | papi-2021) or path.")
    ] = "papi-2021",
    out: Annotated[
        Path | None, typer.Option(help="Directory for <tier>.csv/.json and scores.json.")
    ] = None,
    variance: Annotated[
        Variance,
        typer.Option(
            help="Variance method: taylor (linearisation), or replicates: bootstrap (Rao–Wu), "
            "jk1, jkn, brr, fay."
        ),
    ] = Variance.taylor,
    replicates: Annotated[
        int,
        typer.Option(
            min=2, help="Replicates of a replicate method, and draws behind rank intervals."
        ),
    ] = DEFAULT_REPLICATES,
    unweighted: Annotated[
        bool, typer.Option("--unweighted", help="PAPI's headline unweighted means.")
    ] = False,
    confidence: Annotated[
        float, typer.Option(min=0.5, max=0.999, help="Confidence level of the CIs.")
    ] = 0.95,
    ci_dist: Annotated[
        CiDist,
        typer.Option(
            "--ci-dist", help="CI quantile: t (Student t on the province's design df) or normal."
        ),
    ] = CiDist.t,
    seed: Annotated[
        int, typer.Option(min=0, help="Seed of the replicates and rank draws (printed).")
    ] = DEFAULT_SEED,
    min_n: Annotated[
        int, typer.Option(min=1, help="Fewest respondents for a province's indicator.")
    ] = 10,
    strata: Annotated[str | None, typer.Option(help="Strata column (default: stratum).")] = None,
    psu: Annotated[str | None, typer.Option(help="PSU column (default: psu).")] = None,
    weights: Annotated[str | None, typer.Option(help="Weight column (default: weight).")] = None,
    lonely_psu: Annotated[
        LonelyPsu,
        typer.Option(
            "--lonely-psu",
            help="A stratum with one PSU: fail (as R), or adjust | remove | certainty "
            "(R's survey.lonely.psu).",
        ),
    ] = LonelyPsu.fail,
    share_correction: Annotated[
        bool | None,
        typer.Option(
            "--share-correction/--no-share-correction",
            help="Taylor only: correct the variance for unequal PSU weight shares "
            "(docs/scoring.md, Coverage). Default: on for weighted scores where the design "
            "fits; --no-share-correction gives R's survey formula.",
        ),
    ] = None,
    poststratified: Annotated[
        bool,
        typer.Option(
            "--poststratified",
            help="Weighted only: the variance accounts for the post-stratification of the "
            "weights (R's postStratify); needs design_weight and the post-strata columns.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the full result as JSON on stdout.")
    ] = False,
) -> None:
    """Score respondents into indicators, sub-dimensions, dimensions and the aggregate
    (8–80) per province with confidence intervals, ranks and performance groups."""
    err = Console(stderr=True)
    frame = read_responses(responses)
    with err.status(
        f"scoring {len(frame):,} respondents"
        + (
            " (Taylor)"
            if variance is Variance.taylor
            else f" with {replicates} {variance} replicates"
        )
    ):
        result = _score(
            frame,
            questionnaire,
            weighted=not unweighted,
            variance=variance.value,
            replicates=replicates,
            rng=seed,
            confidence=confidence,
            ci_dist=ci_dist.value,
            strata=strata,
            psu=psu,
            weights=weights,
            min_n=min_n,
            lonely_psu=lonely_psu.value,
            poststratified=poststratified,
            share_correction=share_correction,
        )
    for note in result.notes:
        err.print(f"note: {cli_terms(note)}", highlight=False, soft_wrap=True, markup=False)
    if out is not None:
        from api.exports.score_files import write_score_files

        written = write_score_files(result, out)
        err.print(f"wrote {len(written)} files to {out}", highlight=False)
    if as_json:
        typer.echo(result.to_json())
    else:
        Console().print(composite_table(result))


def register(app: typer.Typer) -> None:
    app.command("score", epilog=EPILOG)(score_command)
