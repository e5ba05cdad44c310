"""``papi report``: one self-contained HTML report (charts embedded) from scores, and
optionally a sensitivity analysis, a previous year and a data-collection summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from survey.errors import NotFound, PapiError

if TYPE_CHECKING:  # heavy imports are made inside the command: `papi --help` stays fast
    from api.reporting import CollectionSummary
    from scoring import IndexScores

console = Console(stderr=True)

EPILOG = (
    "Examples:\n\n"
    "  papi report out/scores.json --sensitivity out/sensitivity.json --out report.html\n\n"
    "  papi report --published 2023 --previous-published 2022 --lang vi --out papi-2023.html\n\n"
    "  papi report pilot/scores.json --previous-published 2023 --out pilot.html\n\n"
    "  papi report scores/ --database-url sqlite:///papi.db --survey 1 --out report.html"
)


def load_scores(path: Path) -> IndexScores:
    """Scores written by ``papi score --out DIR`` (the directory or its ``scores.json``)."""
    from scoring import IndexScores

    file = path / "scores.json" if path.is_dir() else path
    if not file.exists():
        raise NotFound(
            f"no scores at {path}; pass the directory written by `papi score --out DIR` "
            "or its scores.json"
        )
    return IndexScores.from_json(file.read_text(encoding="utf-8"))


def published_scores(year: int) -> IndexScores:
    from scoring import score_published
    from survey.published import questionnaire_of, subdimensions

    return score_published(subdimensions(year), structure=questionnaire_of(year))


def load_collection(path: Path) -> CollectionSummary:
    """A collection summary JSON: ``{"progress": [{province, target, completed}], "flags":
    {name: count}, "durations_min": [...]}`` and optionally ``"districts": {province:
    [district, ...]}`` (``papi demo`` writes one)."""
    import pandas as pd

    from api.reporting import CollectionSummary

    if not path.exists():
        raise NotFound(f"collection summary {path} does not exist")
    try:
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return CollectionSummary(
            progress=pd.DataFrame(doc["progress"]),
            flags={str(k): int(v) for k, v in doc.get("flags", {}).items()},
            durations_min=[float(x) for x in doc.get("durations_min", [])],
            districts={
                str(k): [str(d) for d in v] for k, v in (doc.get("districts") or {}).items()
            },
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PapiError(
            f"{path} is not a collection summary ({exc}); expected keys progress, flags, "
            "durations_min",
            code="collection_summary_invalid",
        ) from exc


def _collection(
    path: Path | None, database_url: str | None, survey: int | None
) -> CollectionSummary | None:
    if (database_url is None) != (survey is None):
        raise PapiError("--database-url and --survey go together", code="usage")
    if path is not None and database_url is not None:
        raise PapiError("give --collection or --database-url/--survey, not both", code="usage")
    if database_url is not None and survey is not None:
        from api.reporting.collection import collection_from_database

        return collection_from_database(database_url, survey)
    return load_collection(path) if path is not None else None


def report(
    scores: Annotated[
        Path | None, typer.Argument(help="Scores.json or the directory of `papi score --out`.")
    ] = None,
    out: Annotated[Path, typer.Option(help="HTML file to write.")] = Path("report.html"),
    published: Annotated[
        int | None, typer.Option(help="Report the published scores of this year instead.")
    ] = None,
    previous: Annotated[
        Path | None, typer.Option(help="Scores of an earlier year: adds year-on-year changes.")
    ] = None,
    previous_published: Annotated[
        int | None, typer.Option(help="Compare with the published scores of this year.")
    ] = None,
    sensitivity: Annotated[
        Path | None, typer.Option(help="JSON written by `papi sensitivity --out`.")
    ] = None,
    collection: Annotated[
        Path | None, typer.Option(help="Collection summary JSON (papi demo writes one).")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(help="Collection database: adds progress, flags and durations of --survey."),
    ] = None,
    survey: Annotated[int | None, typer.Option(help="Survey id in --database-url.")] = None,
    lang: Annotated[str, typer.Option(help="Report language: en or vi.")] = "en",
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print a JSON summary of what was written.")
    ] = False,
) -> None:
    """Build the HTML report: aggregate and dimension charts with 95% CIs, performance
    groups and rank intervals (when there are provinces enough), the scoring notes,
    year-on-year changes, sensitivity and data collection."""
    from api.reporting import ReportInputs, write_report
    from scoring import compare

    if (scores is None) == (published is None):
        raise PapiError("give either a scores file/directory or --published YEAR", code="usage")
    current = published_scores(published) if published is not None else load_scores(scores)  # type: ignore[arg-type]
    if previous is not None and previous_published is not None:
        raise PapiError("give at most one of --previous and --previous-published", code="usage")
    from api.reporting.history import previous_published as previous_in_geography
    from api.reporting.history import previous_scores

    before = (
        previous_in_geography(current, previous_published, lang)
        if previous_published is not None
        else previous_scores(current, load_scores(previous), lang)
        if previous is not None
        else None
    )
    earlier = before.scores if before is not None else None
    changes = compare(current, earlier).composite if earlier is not None else None
    sens = None
    if sensitivity is not None:
        if not sensitivity.exists():
            raise NotFound(f"sensitivity result {sensitivity} does not exist")
        sens = json.loads(sensitivity.read_text(encoding="utf-8"))
    method = current.method + (
        f", confidence {current.confidence:.0%}" if current.method != "published" else ""
    )
    if current.weighted is not None:
        method += ", weighted" if current.weighted else ", unweighted"
    inputs = ReportInputs(
        composite=current.composite,
        dimensions=current.dimensions,
        title=title,
        method=method,
        sensitivity=sens,
        changes=changes,
        changes_title=before.title if before is not None else None,
        changes_notes=before.notes if before is not None else (),
        collection=_collection(collection, database_url, survey),
        notes=current.notes,
        provenance=current.meta(),
        data_label=None if scores is None else str(scores),
        published_year=published,
    )
    with console.status("Rendering the report…"):
        path = write_report(inputs, out, lang=lang)
    if json_out:
        print(
            json.dumps(
                {"report": str(path), "provinces": int(current.composite["est"].notna().sum())}
            )
        )
    else:
        console.print(
            f"[green]Report written:[/green] {path}  (open it in a browser; it works offline)"
        )


def register(app: typer.Typer) -> None:
    app.command(name="report", epilog=EPILOG)(report)
