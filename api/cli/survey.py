"""``papi survey create`` and ``papi survey list``: surveys in the database, without a server.

``create`` goes through the API's model (``SurveyCreate``) and service
(``api.surveys.service.create_survey``), so a survey made here is validated exactly as
``POST /api/v1/surveys`` validates it; ``--sample`` takes the table ``papi sample --out``
writes (its columns of ``SampleUnit`` are used, the others ignored).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from api.cli.words import plural
from survey.errors import PapiError

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from api.db.engine import Database

console = Console()
err_console = Console(stderr=True)
survey_app = typer.Typer(help="Surveys in the database (DATABASE_URL).", no_args_is_help=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _open(url: str, *, migrate: bool) -> Database:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from api.db.engine import Database, is_sqlite, normalise_url
    from api.db.migrate import upgrade
    from api.settings import Settings
    from survey.errors import NotFound

    parsed = make_url(normalise_url(url))
    label = parsed.render_as_string(hide_password=True)
    if not migrate and is_sqlite(url):
        path = parsed.database
        if path and path != ":memory:" and not Path(path).exists():
            raise NotFound(
                f"no database at {path}; set DATABASE_URL (or --database-url) to the server's "
                "database, or create one with `papi db upgrade`",
                code="database_not_found",
            )
    try:
        if migrate:
            upgrade(url)
        db = Database(Settings(database_url=url))
        if db.revision() is None:
            db.dispose()
            raise PapiError(
                f"the database {label} has no papi tables; run `papi db upgrade` "
                "(or point DATABASE_URL at the server's database)",
                code="database_not_migrated",
            )
    except SQLAlchemyError as exc:
        raise PapiError(
            f"cannot open the database {label}: {_first_line(exc)}; check DATABASE_URL "
            "(or --database-url) and that the database server is running",
            code="database_unreachable",
        ) from None
    return db


@survey_app.command("create")
def create(
    questionnaire: Annotated[str, typer.Option(help="Questionnaire id, e.g. papi-2021.")],
    year: Annotated[int, typer.Option(help="Survey year.")],
    name: Annotated[str, typer.Option(help="Survey name, e.g. 'Long Bien pilot 2026'.")],
    sample: Annotated[
        Path | None,
        typer.Option(help="Sampled villages with probabilities and quotas (papi sample --out)"),
    ] = None,
    questionnaire_version: Annotated[
        str | None, typer.Option(help="Questionnaire version (default: the newest)")
    ] = None,
    created_by: Annotated[str, typer.Option(help="Recorded as the survey's creator.")] = "cli",
    database_url: Annotated[str | None, typer.Option(help="Overrides DATABASE_URL.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the survey as JSON.")] = False,
) -> None:
    """Create a survey in the database and print its id (as POST /api/v1/surveys does).

    The database is migrated first (as `papi db upgrade`). The sample's villages get their
    quotas, so `papi progress` tracks them, and its probabilities give the export's
    design_weight.

    Example: papi survey create --questionnaire papi-2021 --year 2026 --name "Long Bien
    pilot" --sample sample.csv
    """
    from sqlalchemy.exc import SQLAlchemyError

    from api.auth.schemas import Principal, Role
    from api.settings import get_settings
    from api.surveys.sample_file import read_sample, survey_spec
    from api.surveys.service import create_survey

    body: dict[str, Any] = {"questionnaire": questionnaire, "year": year, "name": name}
    if questionnaire_version is not None:
        body["questionnaire_version"] = questionnaire_version
    if sample is not None:
        body["sample"] = read_sample(sample)
    spec = survey_spec(body, sample)
    caller = Principal(token_id=0, name=created_by, role=Role.admin, survey_id=None)
    db = _open(database_url or get_settings().database_url, migrate=True)
    try:
        with db.session(write=True) as session:
            created = create_survey(session, spec, caller)
            session.commit()
    except SQLAlchemyError as exc:
        raise PapiError(
            f"cannot write the survey to the database: {_first_line(exc)}", code="database_error"
        ) from None
    finally:
        db.dispose()
    if as_json:
        typer.echo(created.model_dump_json(indent=2))
        return
    quota = sum(u.quota or 0 for u in spec.sample)
    what = (
        f"{plural(created.villages, 'village')}, {plural(quota, 'interview')} in the village quotas"
        if spec.sample
        else "no sample (villages come with the interviews; --sample sets them and quotas)"
    )
    err_console.print(
        f"created survey {created.id} {created.name!r} ({created.questionnaire.id} "
        f"{created.questionnaire.version}, {created.year}): {what}; follow it with "
        f"`papi progress --survey {created.id}`",
        highlight=False,
        soft_wrap=True,
    )
    typer.echo(created.id)


@survey_app.command("list")
def list_(
    database_url: Annotated[str | None, typer.Option(help="Overrides DATABASE_URL.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the surveys as JSON.")] = False,
) -> None:
    """The surveys in the database: id, name, year, questionnaire, villages, quota, submitted
    (--json adds the quotas, created_at and created_by).

    Example: papi survey list
    """
    from sqlalchemy.exc import SQLAlchemyError

    from api.settings import get_settings
    from api.surveys import service

    db = _open(database_url or get_settings().database_url, migrate=False)
    rows = []
    try:
        with db.session() as session:
            for sid in service.all_survey_ids(session):
                out = service.get_survey(session, sid).out
                total = service.survey_progress(session, sid).total
                rows.append((out, total.quota, total.submitted))
    except SQLAlchemyError as exc:
        raise PapiError(
            f"cannot read the database: {_first_line(exc)}", code="database_error"
        ) from None
    finally:
        db.dispose()
    if as_json:
        docs = [
            {**json.loads(out.model_dump_json()), "quota": quota, "submitted": submitted}
            for out, quota, submitted in rows
        ]
        typer.echo(json.dumps(docs, indent=2))
        return
    if not rows:
        console.print(
            "no surveys yet; create one with `papi survey create --questionnaire papi-2021 "
            "--year YEAR --name NAME --sample sample.csv` (draw the sample with `papi sample`)",
            highlight=False,
            soft_wrap=True,
        )
        return
    t = Table(title="Surveys", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("ID", "right"),
        ("Name", "left"),
        ("Year", "right"),
        ("Questionnaire", "left"),
        ("Villages", "right"),
        ("Quota", "right"),
        ("Submitted", "right"),
        ("Created", "left"),
    )
    for col, justify in columns:
        t.add_column(col, justify=justify)
    for out, quota, submitted in rows:
        t.add_row(
            str(out.id),
            out.name,
            str(out.year),
            f"{out.questionnaire.id} {out.questionnaire.version}",
            f"{out.villages:,}",
            "" if quota is None else f"{quota:,}",
            f"{submitted:,}",
            out.created_at.strftime("%Y-%m-%d"),
        )
    console.print(t)


def register(app: typer.Typer) -> None:
    app.add_typer(survey_app, name="survey")
