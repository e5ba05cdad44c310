"""``papi db upgrade|current``: Alembic migrations of the collection store."""

from __future__ import annotations

import json
from typing import Annotated

import typer

db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)

UrlOption = Annotated[
    str | None, typer.Option(help="Overrides DATABASE_URL (default sqlite:///papi.db).")
]


def _url(database_url: str | None) -> str:
    from api.settings import get_settings

    return database_url or get_settings().database_url


@db_app.command("upgrade")
def upgrade(
    database_url: UrlOption = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Create or migrate the tables to the newest revision.

    Example: DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/papi papi db upgrade
    """
    from api.db.migrate import current
    from api.db.migrate import upgrade as run

    url = _url(database_url)
    run(url, revision)
    rev = current(url)
    typer.echo(json.dumps({"revision": rev}) if as_json else f"database at revision {rev}")


@db_app.command("current")
def show_current(
    database_url: UrlOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Print the database's revision.

    Example: papi db current --json
    """
    from api.db.migrate import current

    rev = current(_url(database_url))
    typer.echo(json.dumps({"revision": rev}) if as_json else str(rev))


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
