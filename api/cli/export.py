"""``papi export``: write a survey's interviews to a file (as the API's export does); a
``.zip`` holds the CSV and the files ODK clients sent (export with media)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.words import plural

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from api.exports.media import MediaExport


def export(
    survey: Annotated[int, typer.Option(help="Survey id (`papi survey list`).")],
    out: Annotated[Path, typer.Option(help="Output file; the format follows the suffix.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="Format: csv, parquet, dta, sav or zip (default: the suffix of --out)."
        ),
    ] = None,
    include_rejected: Annotated[bool, typer.Option(help="Keep rejected interviews.")] = False,
    database_url: Annotated[str | None, typer.Option(help="Overrides DATABASE_URL.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Export one row per respondent (docs/data-layout.md); Parquet is `papi score`'s input.

    A .zip is the export with media: the CSV, media/<submission_id>/<file> for every file
    ODK clients sent with the exported submissions, and media/manifest.csv.

    Example: papi export --survey 1 --out papi-2026.parquet
    """
    from api.db.engine import Database
    from api.exports.formats import ExportFormat, encode
    from api.exports.service import survey_frame
    from api.settings import Settings, get_settings
    from survey.errors import NotFound, PapiError

    name = fmt or out.suffix.lstrip(".").lower()
    try:
        format_ = ExportFormat(name)
    except ValueError:
        raise PapiError(
            f"unknown export format {name!r}; use csv, parquet, dta, sav or zip",
            code="format_invalid",
        ) from None
    db = Database(Settings(database_url=database_url or get_settings().database_url))
    summary: dict[str, object] = {"survey": survey}
    try:
        with db.session() as session:
            from api.surveys.service import get_survey

            try:
                get_survey(session, survey)
            except NotFound:
                raise NotFound(
                    f"survey {survey} does not exist; list the surveys with `papi survey list`",
                    code="survey_not_found",
                ) from None
            if format_ is ExportFormat.zip:
                done = _write_zip(session, survey, out, include_rejected)
                summary |= {"rows": done.rows, "columns": done.columns, "files": done.files}
                body = None
            else:
                df, q = survey_frame(session, survey, include_rejected=include_rejected)
                summary |= {"rows": len(df), "columns": df.shape[1]}
                body = encode(df, q, format_)
    finally:
        db.dispose()
    if body is not None:
        out.write_bytes(body)
    summary["out"] = str(out)
    text = f"wrote {plural(summary['rows'], 'interview')} to {out}"
    if "files" in summary:
        text = (
            f"wrote {plural(summary['rows'], 'interview')} and "
            f"{plural(summary['files'], 'file')} to {out}"
        )
    if summary["rows"] == 0:
        text += " (no interviews: the survey has none yet, so `papi score` has nothing to score)"
    typer.echo(json.dumps(summary) if as_json else text)


def _write_zip(session: Session, survey: int, out: Path, include_rejected: bool) -> MediaExport:
    """The export with media, written next to ``out`` and renamed once complete."""
    from api.exports.media import write_media_zip

    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("wb") as fh:
            done = write_media_zip(session, survey, fh, include_rejected=include_rejected)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return done


def register(app: typer.Typer) -> None:
    app.command("export")(export)
