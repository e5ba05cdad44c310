"""``papi questionnaire validate|convert``."""

from __future__ import annotations

import typer

questionnaire_app = typer.Typer(
    help="Validate, inspect and convert questionnaires.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(questionnaire_app, name="questionnaire")
