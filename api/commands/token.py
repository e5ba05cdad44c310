"""``papi token create``: print a new bearer token."""

from __future__ import annotations

from typing import Annotated

import typer

token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)


@token_app.command("create")
def create(
    role: Annotated[str, typer.Option(help="Admin | supervisor | enumerator | analyst")],
    survey: Annotated[int | None, typer.Option(help="Restrict the token to one survey")] = None,
    name: Annotated[str | None, typer.Option(help="Holder (default: the role)")] = None,
    database_url: Annotated[str | None, typer.Option(help="Overrides DATABASE_URL")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Create a token and print it (only its SHA-256 is stored: keep it safe).

    Example: papi token create --role admin
    """
    from api.auth.schemas import Role, TokenCreate
    from api.auth.service import create_token
    from api.db.engine import Database
    from api.db.migrate import upgrade
    from api.settings import Settings, get_settings
    from api.surveys.service import get_survey
    from survey.errors import PapiError

    try:
        role_value = Role(role)
    except ValueError:
        raise PapiError(
            f"unknown role {role!r}; expected one of admin, supervisor, enumerator, analyst",
            code="role_invalid",
        ) from None
    url = database_url or get_settings().database_url
    upgrade(url)
    db = Database(Settings(database_url=url))
    try:
        with db.session(write=True) as session:
            if survey is not None:
                get_survey(session, survey)
            created = create_token(
                session,
                TokenCreate(name=name or role_value.value, role=role_value, survey_id=survey),
            )
            session.commit()
    finally:
        db.dispose()
    if as_json:
        typer.echo(created.model_dump_json())
    else:
        typer.echo(created.token)


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")
