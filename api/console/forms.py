"""The console's two forms that need more than one service call: creating a survey from
uploaded files, and the ODK Collect QR code of a new enumerator token."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from markupsafe import escape

from api.auth.schemas import Principal
from api.openrosa.collect import collect_settings, encode_settings
from api.questionnaires import service as questionnaires
from api.surveys import service as surveys
from api.surveys.sample_file import read_sample, survey_spec
from api.unit_of_work import UnitOfWork
from survey.errors import PapiError

XLSX_SUFFIXES = (".xlsx", ".xls")


def create_survey(
    uow: UnitOfWork,
    caller: Principal,
    form: dict[str, str],
    questionnaire_file: tuple[str, bytes] | None,
    sample_file: tuple[str, bytes] | None,
) -> int:
    """Create a survey as ``papi survey create`` and ``POST /api/v1/surveys`` do: the body is
    validated by the API's ``SurveyCreate`` (errors with JSON pointers), the sample is read
    by the command line's reader, an uploaded questionnaire is registered first. Returns the
    new survey's id."""
    body: dict[str, Any] = {"name": form.get("name", "").strip()}
    year = form.get("year", "").strip()
    body["year"] = int(year) if year.isdigit() else year
    source: Path | None = None
    if sample_file is not None:
        name, data = sample_file
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(name).name
            path.write_bytes(data)
            body["sample"] = read_sample(path)
        source = Path(name)
    if questionnaire_file is not None:
        qid, version = _register(uow, caller, *questionnaire_file)
        body["questionnaire"], body["questionnaire_version"] = qid, version
    else:
        body["questionnaire"] = form.get("questionnaire", "").strip()
    spec = survey_spec(body, source)
    return surveys.create_survey(uow.write, spec, caller).id


def _register(uow: UnitOfWork, caller: Principal, name: str, data: bytes) -> tuple[str, str]:
    if name.lower().endswith(XLSX_SUFFIXES):
        from survey.forms.xlsform_read import read_xlsform
        from survey.questionnaire.loader import to_document

        document = to_document(read_xlsform(data))
    else:
        kind = "application/json" if name.lower().endswith(".json") else "application/yaml"
        document = questionnaires.parse_upload(data, kind)
    record, _ = questionnaires.register(uow.write, document, caller.name)
    return record.id, record.version


def collect_qr_svg(server: str, survey_id: int, token: str, name: str, label: str) -> str:
    """The QR code ``papi collect-qr`` writes (same settings, same encoding), as inline SVG."""
    import qrcode
    import qrcode.image.svg

    payload = encode_settings(collect_settings(server, survey_id, token, name))
    image = qrcode.make(payload, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    if not isinstance(svg, str):
        raise PapiError("the QR code could not be drawn", code="qr_failed")
    svg = svg.split("?>", 1)[-1].strip()
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" class="qr" ', 1)
