"""The ``papi`` command line (Typer + Rich).

Each command group lives in its own module under ``api/commands`` and exposes
``register(app)``; this module only assembles them and turns domain errors into a
one-line message and a meaningful exit code:

- 0: success
- 1: the input is invalid (a broken questionnaire, a malformed data file, ...)
- 2: usage error (unknown option, missing argument), as Click does
- 3: a resource was not found (file, questionnaire, year)
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console
from rich.markup import escape

from survey.errors import NotFound, PapiError

COMMAND_MODULES: tuple[str, ...] = (
    "api.commands.questionnaire",
    "api.commands.server",
    "api.commands.db",
    "api.commands.token",
    "api.commands.export",
    "api.commands.sensitivity",
    "api.commands.report",
    "api.commands.brief",
    "api.commands.demo",
    "api.commands.simulate",
    "api.commands.score",
    "api.commands.openrosa",
    "api.commands.progress",
    "api.commands.sample",
    "api.commands.survey",
)

app = typer.Typer(
    name="papi",
    help=(
        "papi-engine: collect, score and analyse PAPI-style governance surveys.\n\n"
        "Start with `papi demo` (simulate, collect, score, report), then see each command's --help."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

err_console = Console(stderr=True)


def _assemble() -> typer.Typer:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(app)
    return app


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``papi`` console script."""
    cli = _assemble()
    try:
        cli(args=argv, standalone_mode=True)
    except NotFound as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(3)
    except PapiError as exc:
        # escaped: messages end problems with "[code]", which Rich would take for markup
        err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(1)
