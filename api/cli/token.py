"""``papi token create|list|revoke``: bearer tokens from the command line (the operator
acts as an unscoped admin; the rules are api/auth/service.py's)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from pydantic import BaseModel

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

M = TypeVar("M", bound=BaseModel)

token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)


@token_app.command("create")
def create(
    role: Annotated[str, typer.Option(help="Role: admin, supervisor, enumerator or analyst.")],
    survey: Annotated[int | None, typer.Option(help="Restrict the token to one survey.")] = None,
    name: Annotated[
        str | None, typer.Option(help="Holder, unique per survey (default: <role>-<6 hex>)")
    ] = None,
    expires: Annotated[
        str | None,
        typer.Option(help="Expiry: ISO 8601 instant with offset, e.g. 2026-12-31T00:00:00Z."),
    ] = None,
    database_url: Annotated[str | None, typer.Option(help="Overrides DATABASE_URL.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Create a token and print it (only its SHA-256 is stored: keep it safe).

    Example: papi token create --role admin
    """
    import secrets

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
            default = f"{role_value.value}-{secrets.token_hex(3)}"
            created = create_token(
                session,
                _spec(
                    TokenCreate,
                    name=name or default,
                    role=role_value,
                    survey_id=survey,
                    expires_at=expires,
                ),
            )
            session.commit()
    finally:
        db.dispose()
    if as_json:
        typer.echo(created.model_dump_json())
    else:
        typer.echo(created.token)


def _spec(model: type[M], **values: object) -> M:
    """``model(**values)``; a refused value is a one-line error naming the option."""
    from pydantic import ValidationError

    from survey.errors import PapiError

    try:
        return model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        option = "--" + str(first["loc"][0]).replace("_at", "").replace("_", "-")
        raise PapiError(f"{option}: {first['msg']}", code="option_invalid") from None


@token_app.command("list")
def list_(
    survey: Annotated[int | None, typer.Option(help="Only the tokens of this survey.")] = None,
    include_revoked: Annotated[
        bool, typer.Option("--include-revoked", help="List revoked tokens too.")
    ] = False,
    database_url: Annotated[str | None, typer.Option(help="Overrides DATABASE_URL.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """List tokens (never their secrets): id, name, role, survey, expiry, last use.

    Example: papi token list --survey 3
    """
    from api.auth.schemas import Principal, Role
    from api.auth.service import list_tokens

    with _session(database_url) as session:
        operator = Principal(token_id=0, name="cli", role=Role.admin, survey_id=None)
        tokens = list_tokens(session, operator, survey, include_revoked)
    if as_json:
        typer.echo(json.dumps([t.model_dump(mode="json") for t in tokens]))
        return
    if not tokens:
        typer.echo("no tokens; create one with: papi token create --role admin")
        return
    typer.echo(f"{'id':>5}  {'name':24} {'role':11} {'survey':>6}  {'state':8} last used")
    for t in tokens:
        state = "active" if t.active else ("revoked" if t.revoked_at else "expired")
        used = t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never"
        survey_id = "all" if t.survey_id is None else str(t.survey_id)
        typer.echo(
            f"{t.id:>5}  {t.name[:24]:24} {t.role.value:11} {survey_id:>6}  {state:8} {used}"
        )


@token_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (papi token list)")],
    database_url: Annotated[str | None, typer.Option(help="Overrides DATABASE_URL.")] = None,
) -> None:
    """Revoke a token: it stops working within a second on every server worker.

    Example: papi token revoke 12
    """
    from api.auth.schemas import Principal, Role
    from api.auth.service import revoke_token

    with _session(database_url, write=True) as session:
        operator = Principal(token_id=0, name="cli", role=Role.admin, survey_id=None)
        out = revoke_token(session, operator, token_id)
        session.commit()
    typer.echo(f"token {out.id} ({out.name}) revoked at {out.revoked_at:%Y-%m-%d %H:%M:%S} UTC")


@contextmanager
def _session(database_url: str | None, write: bool = False) -> Iterator[Session]:
    from api.db.engine import Database
    from api.db.migrate import upgrade
    from api.settings import Settings, get_settings

    url = database_url or get_settings().database_url
    upgrade(url)
    db = Database(Settings(database_url=url))
    try:
        with db.writing() if write else db.session() as session:
            yield session
    finally:
        db.dispose()


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")
