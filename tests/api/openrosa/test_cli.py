"""``papi questionnaire convert`` and ``papi collect-qr``."""

from __future__ import annotations

import base64
import io
import json
import re
import zlib
from pathlib import Path

import pytest
import qrcode
from PIL import Image, ImageChops

from api.cli.main import main
from survey.forms.xlsform_read import read_xlsform
from survey.questionnaire.loader import load_questionnaire
from tests.clients.authored import authored_xlsform
from tests.clients.engines import javarosa_ready


def run(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_convert_xlsform_to_yaml_and_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xlsx = tmp_path / "pilot.xlsx"
    xlsx.write_bytes(authored_xlsform())
    out = tmp_path / "pilot.yaml"
    assert run(["questionnaire", "convert", str(xlsx), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["id"], summary["read_as"], summary["items"]) == ("commune-pilot", "xlsform", 11)
    q = load_questionnaire(out)
    assert q == read_xlsform(xlsx)
    back = tmp_path / "again.xlsx"
    assert run(["questionnaire", "convert", str(out), "--out", str(back)]) == 0
    assert read_xlsform(back) == q


def test_convert_to_a_validated_xform(tmp_path: Path) -> None:
    javarosa_ready()
    out = tmp_path / "papi-2021.xml"
    assert run(["questionnaire", "convert", "papi-2021", "--out", str(out), "--validate"]) == 0
    text = out.read_text(encoding="utf-8")
    assert 'id="papi-2021"' in text and 'version="2021.1"' in text


def test_convert_errors_name_sheet_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(authored_xlsform()))
    wb["survey"]["A10"] = "geopoint"  # row 10: the age question
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    assert run(["questionnaire", "convert", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "sheet 'survey', row 10, column 'type'" in " ".join(err.split())


def test_collect_qr_payload_is_zlib_base64_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "qr.png"
    args = [
        "collect-qr",
        "--survey",
        "7",
        "--token",
        "papi_abc",
        "--server",
        "http://10.0.0.5:8000/",
    ]
    assert run([*args, "--out", str(png), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    settings = json.loads(zlib.decompress(base64.b64decode(printed["payload"])))
    assert settings == printed["settings"]
    assert settings["general"]["server_url"] == "http://10.0.0.5:8000/v1/key/papi_abc/projects/7"
    assert set(settings) == {"general", "admin", "project"}
    expected = qrcode.make(printed["payload"]).get_image().convert("L")
    written = Image.open(png).convert("L")
    assert ImageChops.difference(expected, written).getbbox() is None


def test_the_console_draws_the_same_qr_code_as_collect_qr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Both encode the settings of api.openrosa.collect: the console's SVG is the QR code of
    the payload papi collect-qr prints for the same enumerator."""
    import qrcode.image.svg

    from api.console.forms import collect_qr_svg

    args = ["collect-qr", "--survey", "7", "--token", "papi_abc", "--server", "http://h:8000"]
    assert run([*args, "--name", "Pilot", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)["payload"]
    factory = qrcode.image.svg.SvgPathImage
    drawn = qrcode.make(payload, image_factory=factory, box_size=8).to_string(encoding="unicode")
    svg = collect_qr_svg("http://h:8000", 7, "papi_abc", "Pilot", "QR code")
    assert svg.startswith('<svg role="img" aria-label="QR code" class="qr" ')
    path = re.compile(r' d="([^"]+)"')
    assert path.findall(svg) == path.findall(str(drawn)) != []
