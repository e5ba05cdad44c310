"""The ``papi`` command line (Typer + Rich).

Each command group lives in its own module of ``api/cli`` and exposes
``register(app)``; this module only assembles them and turns domain errors into a
one-line message and a meaningful exit code:

- 0: success
- 1: the input is invalid (a broken questionnaire, a malformed data file, ...)
- 2: usage error (unknown option, missing argument), as Click does
- 3: a resource was not found (file, questionnaire, year)
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Sequence
from typing import Any, ClassVar

import typer
from rich.console import Console
from rich.markup import escape
from typer._click import exceptions as click_errors  # Typer's own Click
from typer.core import TyperGroup

from survey.errors import NotFound, PapiError

# in the order of the work, which is the order `papi --help` lists them: try it, plan and
# draw the sample, set up the server, collect, then analyse
COMMAND_MODULES: tuple[str, ...] = (
    "api.cli.demo",
    "api.cli.plan",
    "api.cli.sample",
    "api.cli.simulate",
    "api.cli.places",
    "api.cli.questionnaire",
    "api.cli.db",
    "api.cli.survey",
    "api.cli.token",
    "api.cli.server",
    "api.cli.openrosa",
    "api.cli.progress",
    "api.cli.export",
    "api.cli.score",
    "api.cli.sensitivity",
    "api.cli.report",
    "api.cli.brief",
)


def _error(message: str, code: int) -> None:
    # a new console each time: it writes to the sys.stderr of the moment (CliRunner swaps it)
    err_console = Console(stderr=True)
    # escaped: messages end problems with "[code]", which Rich would take for markup
    from api.cli.words import cli_terms

    text = escape(cli_terms(message))
    err_console.print(f"[red]error:[/red] {text}", highlight=False, soft_wrap=True)
    sys.exit(code)


class OneLineErrors(TyperGroup):
    """Every error is one line on stderr with its exit code (module docstring): usage errors
    name the option and the command's --help instead of Click's multi-line box. Commands and
    groups are listed in the order of COMMAND_MODULES (Typer would list groups last)."""

    # each command's and group's name -> its place in COMMAND_MODULES (set by _assemble once:
    # the listing order of the one papi app, not state kept between requests)
    order: ClassVar[dict[str, int]] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        order = OneLineErrors.order
        return sorted(names, key=lambda n: order.get(n, len(order)))

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        extra["standalone_mode"] = False
        try:
            result = super().main(args=args, prog_name=prog_name, **extra)
        except click_errors.NoArgsIsHelpError as exc:
            from typer import rich_utils

            rich_utils.rich_format_error(exc)
            sys.exit(exc.exit_code)
        except click_errors.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "papi"
            _error(f"{exc.format_message()}; see `{where} --help`", exc.exit_code)
        except click_errors.ClickException as exc:
            _error(exc.format_message(), exc.exit_code)
        except typer.Abort:
            _error("aborted", 1)
        except NotFound as exc:
            _error(str(exc), 3)
        except PapiError as exc:
            _error(str(exc), 1)
        if isinstance(result, int) and result != 0:
            sys.exit(result)
        return result


app = typer.Typer(
    name="papi",
    cls=OneLineErrors,
    help=(
        "Collect, score and analyse PAPI-style governance surveys (papi-engine).\n\n"
        "Start with `papi demo` (simulate, collect, score, report), then see each command's --help."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"papi-engine {version('papi-engine')}")
        except PackageNotFoundError:  # a checkout run without installing
            typer.echo("papi-engine (not installed)")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Collect, score and analyse PAPI-style governance surveys (papi-engine).

    Start with `papi demo` (simulate, collect, score, report), then see each command's --help.
    """


def _registered(typer_app: typer.Typer) -> list[str]:
    return [c.name or "" for c in typer_app.registered_commands] + [
        g.name or "" for g in typer_app.registered_groups
    ]


def _one_line_summary(info: Any) -> None:
    """The first paragraph of a command's help on one line, as `papi --help` lists it (Rich
    would keep the docstring's line breaks there)."""
    text = info.help or (info.callback.__doc__ if info.callback is not None else None)
    if info.short_help is None and text:
        info.short_help = " ".join(inspect.cleandoc(text).split("\n\n")[0].split())


def _assemble() -> typer.Typer:
    """The ``papi`` app with every command registered (once)."""
    order = OneLineErrors.order
    if order:
        return app
    for name in COMMAND_MODULES:
        before = set(_registered(app))
        importlib.import_module(name).register(app)
        for added in _registered(app):
            if added not in before:
                order.setdefault(added, len(order))
    for info in app.registered_commands:
        _one_line_summary(info)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            for info in group.typer_instance.registered_commands:
                _one_line_summary(info)
    return app


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``papi`` console script."""
    _assemble()(args=argv, prog_name="papi")
