"""``papi serve``: run the collection API with uvicorn."""

from __future__ import annotations

import contextlib
import os
import socket
from typing import Annotated

import typer
from rich.console import Console

from survey.errors import PapiError


def lan_address() -> str:
    """The machine's address on its local network: the source address of the route to a
    public address (a UDP "connect" sends nothing), else the host name's address."""
    candidates: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.254.254.254", 1))
            candidates.append(s.getsockname()[0])
        except OSError:
            pass
    with contextlib.suppress(OSError):
        candidates += socket.gethostbyname_ex(socket.gethostname())[2]
    for ip in candidates:
        if not ip.startswith("127.") and ip != "0.0.0.0":
            return ip
    raise PapiError(
        "no local network address found: connect this machine to the network the phones "
        "use (Wi-Fi or cable), or give --host ADDRESS",
        code="no_lan",
    )


def urls(host: str, port: int) -> list[tuple[str, str]]:
    """What ``papi serve`` prints on start: the address, the web console and the API docs."""
    shown = "localhost" if host in ("127.0.0.1", "localhost") else host
    if host == "0.0.0.0":
        shown = lan_address()
    base = f"http://{shown}:{port}"
    from api.console import CONSOLE_PATH

    return [("serving", base), ("console", f"{base}{CONSOLE_PATH}"), ("API docs", f"{base}/docs")]


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    lan: Annotated[
        bool,
        typer.Option(
            help="Bind to this machine's local network address, so phones on the same "
            "network can reach it (allow the port in the firewall)."
        ),
    ] = False,
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="Processes (use >1 with PostgreSQL).")
    ] = 1,
    database_url: Annotated[
        str | None, typer.Option(help="Overrides DATABASE_URL (default sqlite:///papi.db).")
    ] = None,
    upgrade: Annotated[bool, typer.Option(help="Run `papi db upgrade` first.")] = True,
    log_level: Annotated[str, typer.Option(help="Uvicorn log level.")] = "warning",
) -> None:
    """Serve the API (OpenAPI at /docs). The app is stateless: any number of workers can
    share one PostgreSQL database.

    Example: papi serve --port 8000 --workers 4

    Example: papi serve --lan   (phones on the same Wi-Fi use the URL it prints)
    """
    import uvicorn

    from api.db.migrate import upgrade as run_upgrade
    from api.serving import uvicorn_options
    from api.settings import get_settings

    if database_url:
        os.environ["DATABASE_URL"] = database_url
        get_settings.cache_clear()
    if lan:
        host = lan_address()
    if upgrade:
        run_upgrade(get_settings().database_url)
    console = Console(stderr=True)
    for label, url in urls(host, port):
        console.print(f"{label}: {url}", highlight=False, soft_wrap=True)
    if lan:
        console.print(
            f"phones: papi collect-qr --lan --port {port} --survey ID --token TOKEN; if they "
            f"cannot connect, allow TCP port {port} in this machine's firewall",
            highlight=False,
            soft_wrap=True,
        )
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
