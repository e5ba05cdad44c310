"""``papi questionnaire convert`` (XLSForm ⇄ questionnaire → XForm) and ``papi collect-qr``.

``convert`` is added to the ``questionnaire`` group of :mod:`api.cli.questionnaire`.
The Collect QR payload is the settings JSON ODK Collect imports from a QR code,
compressed with zlib and Base64-encoded (ODK Collect's "Reconfigure with QR code").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from survey.questionnaire.loader import dump_questionnaire, load_questionnaire, to_document
from survey.questionnaire.schema import Questionnaire

console = Console(stderr=True)
XLSFORM_SUFFIXES = (".xlsx", ".xls", ".csv", ".md")


def _load(source: str) -> tuple[Questionnaire, str]:
    from survey.forms.xlsform_read import read_xlsform

    if Path(source).suffix.lower() in XLSFORM_SUFFIXES:
        return read_xlsform(Path(source)), "xlsform"
    return load_questionnaire(source), "questionnaire"


def convert(
    source: str = typer.Argument(
        ..., help="An XLSForm (.xlsx/.xls/.csv/.md), a YAML/JSON questionnaire or a bundled name."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Write here: .yaml/.json (questionnaire), .xlsx (XLSForm) or .xml (ODK XForm). "
        "Default: the questionnaire as YAML on stdout.",
    ),
    validate: bool = typer.Option(
        False, "--validate", help="Check an .xml output with ODK Validate (needs Java)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary of the conversion."),
) -> None:
    """Convert between XLSForm, the questionnaire format and ODK XForm.

    Errors in an XLSForm name the sheet, row and column.

    Examples:
      papi questionnaire convert form.xlsx --out q.yaml
      papi questionnaire convert papi-2021 --out papi-2021.xlsx
      papi questionnaire convert papi-2021 --out papi-2021.xml --validate
    """
    from survey.forms.xform import to_xform
    from survey.forms.xlsform import write_xlsform

    q, kind = _load(source)
    suffix = out.suffix.lower() if out else ".yaml"
    if out is None:
        import yaml

        print(yaml.safe_dump(to_document(q), allow_unicode=True, sort_keys=False, width=100))
    elif suffix in (".yaml", ".yml", ".json"):
        dump_questionnaire(q, out)
    elif suffix == ".xlsx":
        write_xlsform(q, out)
    elif suffix == ".xml":
        out.write_text(to_xform(q, validate=validate), encoding="utf-8")
    else:
        raise typer.BadParameter(f"unknown output type {suffix!r}: use .yaml, .json, .xlsx or .xml")
    summary: dict[str, Any] = {"source": source, "read_as": kind, "out": str(out) if out else None}
    summary |= q.summary()
    if as_json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    elif out is not None:
        console.print(
            f"[green]wrote[/green] {out}: {q.id} {q.version}, {len(q.items)} items, "
            f"{len(q.indicators)} indicators"
        )


def collect_qr(
    survey: int = typer.Option(..., "--survey", help="The survey id (the project in the URL)."),
    token: str = typer.Option(..., "--token", help="The enumerator's token (papi token create)."),
    server: str | None = typer.Option(
        None,
        "--server",
        help="The server's address as the phone sees it (default http://localhost:8000).",
    ),
    lan: bool = typer.Option(
        False, "--lan", help="Use this machine's local network address (as `papi serve --lan`)."
    ),
    port: int = typer.Option(8000, "--port", help="With --lan: the port `papi serve` uses."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the QR code as a PNG here."),
    name: str | None = typer.Option(None, "--name", help="Project name shown in Collect."),
    as_json: bool = typer.Option(False, "--json", help="Print settings and payload as JSON."),
) -> None:
    """Print the ODK Collect settings for one enumerator and write them as a QR code.

    In Collect: Project settings → Reconfigure with QR code, scan the image.

    Example: papi collect-qr --survey 1 --token papi_... --server http://192.168.1.20:8000 --out enum07.png
    """
    if lan and server is not None:
        raise typer.BadParameter("give --lan or --server, not both", param_hint="--lan")
    if lan:
        from api.cli.server import lan_address

        server = f"http://{lan_address()}:{port}"
    from api.openrosa.collect import collect_settings, encode_settings

    settings = collect_settings(server or "http://localhost:8000", survey, token, name)
    payload = encode_settings(settings)
    if out is not None:
        import qrcode

        qrcode.make(payload).save(str(out))
    if as_json:
        print(
            json.dumps(
                {"settings": settings, "payload": payload, "png": str(out) if out else None},
                indent=2,
            )
        )
        return
    print(json.dumps(settings, indent=2))
    print(payload)
    if out is not None:
        console.print(
            f"[green]wrote[/green] {out}: scan it in ODK Collect (Reconfigure with QR code)"
        )


def register(app: typer.Typer) -> None:
    from api.cli.questionnaire import questionnaire_app

    questionnaire_app.command("convert")(convert)
    app.command("collect-qr")(collect_qr)
