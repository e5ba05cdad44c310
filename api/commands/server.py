"""``papi serve``: run the collection API with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="processes (use >1 with PostgreSQL)")
    ] = 1,
    database_url: Annotated[
        str | None, typer.Option(help="overrides DATABASE_URL (default sqlite:///papi.db)")
    ] = None,
    upgrade: Annotated[bool, typer.Option(help="run `papi db upgrade` first")] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "warning",
) -> None:
    """Serve the API (OpenAPI at /docs). The app is stateless: any number of workers can
    share one PostgreSQL database.

    Example: papi serve --port 8000 --workers 4
    """
    import uvicorn

    from api.db.migrate import upgrade as run_upgrade
    from api.serving import uvicorn_options
    from api.settings import get_settings

    if database_url:
        os.environ["DATABASE_URL"] = database_url
        get_settings.cache_clear()
    if upgrade:
        run_upgrade(get_settings().database_url)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        timeout_graceful_shutdown=10,
        **uvicorn_options(),
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
