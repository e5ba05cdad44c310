"""``papi export``: write a survey's interviews to a file (as the API's export does)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def export(
    survey: Annotated[int, typer.Option(help="survey id")],
    out: Annotated[Path, typer.Option(help="output file; the format follows the suffix")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv | parquet | dta | sav (default: suffix)")
    ] = None,
    include_rejected: Annotated[bool, typer.Option(help="keep rejected interviews")] = False,
    database_url: Annotated[str | None, typer.Option(help="overrides DATABASE_URL")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON summary")] = False,
) -> None:
    """Export one row per respondent (docs/data-layout.md); Parquet is `papi score`'s input.

    Example: papi export --survey 1 --out papi-2026.parquet
    """
    from api.db.engine import Database
    from api.exports.formats import ExportFormat, encode
    from api.exports.service import survey_frame
    from api.settings import Settings, get_settings
    from survey.errors import PapiError

    name = fmt or out.suffix.lstrip(".").lower()
    try:
        format_ = ExportFormat(name)
    except ValueError:
        raise PapiError(
            f"unknown export format {name!r}; use csv, parquet, dta or sav",
            code="format_invalid",
        ) from None
    db = Database(Settings(database_url=database_url or get_settings().database_url))
    try:
        with db.session() as session:
            df, q = survey_frame(session, survey, include_rejected=include_rejected)
    finally:
        db.dispose()
    out.write_bytes(encode(df, q, format_))
    summary = {"survey": survey, "rows": len(df), "columns": df.shape[1], "out": str(out)}
    typer.echo(json.dumps(summary) if as_json else f"wrote {len(df)} interviews to {out}")


def register(app: typer.Typer) -> None:
    app.command("export")(export)
