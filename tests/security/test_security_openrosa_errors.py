"""Items 9 and 10 of the hardening issue. Every error of an OpenRosa route is the
``OpenRosaResponse`` envelope Collect shows the enumerator (more than 101 files, more than
20 fields and a missing multipart boundary were problem+json), and the app user's token in
the URL never appears in an error body or a log line (a 500 under ``/v1/key/{token}/``
printed it and echoed it in ``instance``)."""

from __future__ import annotations

import logging

import pytest

from api.openrosa import service
from api.redact import REDACTED, RedactingFilter, redact
from tests.api.support import Api
from tests.security.openrosa_support import (
    OPENROSA,
    assert_envelope,
    collect_post,
    enumerator,
    instance,
)


def _url(token: str, survey: int) -> str:
    return f"/v1/key/{token}/projects/{survey}/submission"


def test_more_than_101_files_is_an_envelope(api: Api) -> None:
    survey = api.survey()
    token = enumerator(api, survey)
    files = [(f"f{i}.jpg", b"x") for i in range(102)]
    r = collect_post(api, survey, token, instance(api, 1), files)
    assert r.status_code in (400, 413)
    assert_envelope(r, r.status_code, "")


def test_more_than_20_fields_is_an_envelope(api: Api) -> None:
    survey = api.survey()
    token = enumerator(api, survey)
    data = {f"field{i}": "v" for i in range(25)}
    files = [("xml_submission_file", ("s.xml", instance(api, 2), "text/xml"))]
    r = api.client.post(_url(token, survey), data=data, files=files, headers=OPENROSA)
    assert_envelope(r, 400, "")


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_a_multipart_body_without_boundary_is_an_envelope(api: Api, content_type: str) -> None:
    survey = api.survey()
    token = enumerator(api, survey)
    r = api.client.post(
        _url(token, survey),
        content=b"--x\r\n\r\n",
        headers={**OPENROSA, "Content-Type": content_type},
    )
    assert r.status_code in (400, 422)
    assert_envelope(r, r.status_code, "")


def test_unknown_openrosa_paths_and_bad_parameters_are_envelopes(api: Api) -> None:
    survey = api.survey()
    token = enumerator(api, survey)
    r = api.client.get(f"/v1/key/{token}/projects/{survey}/nothing", headers=OPENROSA)
    assert_envelope(r, 404, "")
    assert token not in r.text


def test_a_500_on_an_openrosa_route_neither_echoes_nor_logs_the_token(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    survey = api.survey()
    token = enumerator(api, survey)

    def boom(*_: object) -> None:
        raise RuntimeError(f"unexpected failure near /v1/key/{token}/projects")

    monkeypatch.setattr(service, "device", boom)
    with caplog.at_level(logging.INFO):
        r = collect_post(api, survey, token, instance(api, 3))
        head = api.client.get(f"/v1/key/{token}/projects/{survey}/formList", headers=OPENROSA)
    assert (r.status_code, head.status_code) == (500, 500)
    assert_envelope(r, 500, "")
    for answer in (r, head):
        assert token not in answer.text
    server = [rec for rec in caplog.records if not rec.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(rec.getMessage() + (rec.exc_text or "") for rec in server)
    assert "unexpected error" in logged
    assert token not in logged and REDACTED in logged


def test_a_json_error_instance_never_holds_a_token(api: Api) -> None:
    secret = api.admin["Authorization"].removeprefix("Bearer ")
    r = api.client.get(f"/api/v1/surveys/1/submissions/{secret}", headers=api.admin)
    assert r.status_code == 422
    assert secret not in r.text


def test_the_access_log_filter_redacts_the_path(api: Api) -> None:
    token = "papi_" + "A" * 43
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "POST", f"/v1/key/{token}/projects/1/submission?x=1", "1.1", 201),
        None,
    )
    assert RedactingFilter().filter(record)
    line = record.getMessage()
    assert token not in line and f"/v1/key/{REDACTED}/projects/1/submission" in line
    assert redact(f"Bearer {token}") == f"Bearer {REDACTED}"
    assert any(isinstance(f, RedactingFilter) for f in logging.getLogger("uvicorn.access").filters)
