"""``papi questionnaire validate|schema|show``: check, inspect and export questionnaires.

Other command modules may add sub-commands (e.g. ``convert``) to :data:`questionnaire_app`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from survey.errors import QuestionnaireError
from survey.forms.jsonschema import response_json_schema
from survey.questionnaire.loader import load_questionnaire, to_document
from survey.questionnaire.schema import Questionnaire

questionnaire_app = typer.Typer(
    help="Validate, inspect and convert questionnaires.", no_args_is_help=True
)
console = Console()

NAME_HELP = "A bundled name (papi-2018, papi-2019, papi-2021) or a YAML/JSON file."


def _summary_table(q: Questionnaire) -> Table:
    table = Table(title=f"{q.id} {q.version} ({q.year}) — structure {q.structure_signature}")
    table.add_column("dimension")
    table.add_column("name")
    table.add_column("k", justify="right")
    table.add_column("sub-dimensions")
    table.add_column("indicators", justify="right")
    for d in q.structure.dimensions:
        n = sum(len(s.indicators) for s in d.subdimensions)
        subs = " ".join(s.code for s in d.subdimensions)
        table.add_row(d.code, d.name.en, str(d.k), subs, str(n))
    return table


@questionnaire_app.command("validate")
def validate(
    file: str = typer.Argument(..., help=NAME_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Check a questionnaire definition: print a summary and exit 0, or list every problem
    with its JSON pointer and exit 1.

    Example: papi questionnaire validate fixtures/questionnaires/papi-2021.yaml
    """
    try:
        q = load_questionnaire(file)
    except QuestionnaireError as exc:
        if as_json:
            errors = [p.as_dict() for p in exc.problems]
            print(json.dumps({"valid": False, "file": file, "errors": errors}, indent=2))
        else:
            # one line per problem (never wrapped), so pointers stay greppable in CI logs
            console.print(f"[red]invalid[/red]: {escape(file)}: {len(exc.problems)} problem(s)")
            for p in exc.problems:
                console.print(
                    f"  {p.pointer or '/'}  [{p.code}]  {p.message}",
                    soft_wrap=True,
                    markup=False,
                    highlight=False,
                )
        raise typer.Exit(1) from None
    summary = q.summary()
    if as_json:
        print(json.dumps({"valid": True, "file": file, **summary}, indent=2))
        return
    console.print(_summary_table(q))
    console.print(
        f"[green]valid[/green]: {summary['dimensions']} dimensions, "
        f"{summary['subdimensions']} sub-dimensions (k = {summary['structure']}), "
        f"{summary['indicators']} indicators, {summary['items']} items",
        highlight=False,
    )


@questionnaire_app.command("schema")
def schema(
    name: str = typer.Argument(..., help=NAME_HELP),
    out: Path | None = typer.Option(None, "--out", help="Write the schema here (default: stdout)."),
) -> None:
    """Write the JSON Schema (draft 2020-12) of the answers a client must send.

    Example: papi questionnaire schema papi-2021 --out papi-2021.answers.schema.json
    """
    text = json.dumps(response_json_schema(load_questionnaire(name)), ensure_ascii=False, indent=2)
    if out is None:
        print(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {out}", highlight=False)


def _tree(q: Questionnaire) -> Tree:
    root = Tree(f"[bold]{q.title.en}[/bold] ({q.id} {q.full_version})")
    for d in q.structure.dimensions:
        branch = root.add(f"[bold]{d.code}[/bold] {d.name.en} (k = {d.k})")
        for s in d.subdimensions:
            sub = branch.add(f"{s.code} {s.name.en}")
            for ind in s.indicators:
                reads = ", ".join(ind.item_ids)
                sign = "-" if ind.direction == "negative" else "+"
                lo, hi = ind.goalposts
                sub.add(
                    escape(f"{ind.code} ({ind.kind}{sign}) {ind.name.en} ")
                    + "[dim]"
                    + escape(f"(reads {reads}; L={lo:g} U={hi:g}; {ind.source})")
                    + "[/dim]"
                )
    return root


@questionnaire_app.command("show")
def show(
    name: str = typer.Argument(..., help=NAME_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the whole definition as JSON."),
) -> None:
    """Show the index structure (dimensions, sub-dimensions, indicators) of a questionnaire.

    Example: papi questionnaire show papi-2021
    """
    q = load_questionnaire(name)
    if as_json:
        doc: dict[str, Any] = to_document(q)
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    console.print(_tree(q))


def register(app: typer.Typer) -> None:
    app.add_typer(questionnaire_app, name="questionnaire")
