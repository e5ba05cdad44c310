"""Real form engines against the server: JavaRosa (inside ODK Collect) uploading through
Collect's algorithm, and ODK Web Forms posting its browser payload. Their interviews are
stored, deduplicated on retry, refused with 409 when changed, edited through deprecatedID,
and exported and scored exactly like JSON interviews."""

from __future__ import annotations

import io
import uuid
from typing import Any

import numpy as np
import pandas as pd
import pytest

from scoring.index.indicators import indicator_values
from survey.forms.xform import parse_submission
from survey.questionnaire.loader import load_questionnaire
from survey.respondents.table import responses_to_frame
from tests.api.openrosa.conftest import Fill, Server
from tests.clients.answers import engine_answers
from tests.clients.collect import OPENROSA, UploadFailed, openrosa_message
from tests.clients.engines import fill_javarosa, fill_webforms

pytestmark = pytest.mark.slow  # about a minute: real engines fill the 185-item papi-2021 form


def browser_post(server: Server, survey: int, token: str, fill: Fill) -> Any:
    """What ODK Web Forms does: POST the engine's FormData as multipart (no HEAD first)."""
    parts = [("xml_submission_file", ("xml_submission_file", fill.filled.xml, "text/xml"))]
    parts += [(n, (n, c, "application/octet-stream")) for n, c in fill.filled.attachments.items()]
    return server.client.post(
        f"/v1/key/{token}/projects/{survey}/submission", files=parts, headers=OPENROSA
    )


def submit(server: Server, survey: int, token: str, fill: Fill) -> tuple[int, str]:
    if fill.engine == "javarosa":
        (r,) = server.collect(survey, token).submit(fill.filled.xml, fill.filled.attachments)
    else:
        r = browser_post(server, survey, token, fill)
    return r.status_code, openrosa_message(r.content)


def changed(xml: bytes) -> bytes:
    """The same instance with one answer changed (what a device must not do without an edit)."""
    age = xml.split(b"<age>", 1)[1].split(b"</age>", 1)[0]
    return xml.replace(
        b"<age>" + age + b"</age>", b"<age>" + str(int(age) % 50 + 19).encode() + b"</age>"
    )


def test_engine_submissions_are_stored_once_and_changes_refused(
    server: Server, fills: dict[str, list[Fill]]
) -> None:
    survey = server.survey()
    token = server.token(survey)
    ids = {}
    for engine, items in fills.items():
        for fill in items:
            assert submit(server, survey, token, fill) == (201, "full submission received")
            status, message = submit(server, survey, token, fill)
            assert (status, "already received" in message) == (201, True), engine
            parsed = parse_submission(server.q, fill.filled.xml)
            ids[str(uuid.UUID(parsed.instance_id.removeprefix("uuid:")))] = fill  # type: ignore[union-attr]
            bad = Fill(engine, fill.answers, type(fill.filled)(changed(fill.filled.xml)))
            if engine == "javarosa":
                try:
                    server.collect(survey, token).submit(bad.filled.xml)
                except UploadFailed as exc:
                    assert exc.status == 409
                else:
                    raise AssertionError("a changed resend must be refused")
            else:
                assert browser_post(server, survey, token, bad).status_code == 409
    records = server.get(f"/surveys/{survey}/submissions?limit=100")["items"]
    assert {r["submission_id"] for r in records} == set(ids)
    for r in records:
        fill = ids[r["submission_id"]]
        assert r["answers"] == fill.answers, fill.engine
        assert r["paradata"]["start"] is not None and r["paradata"]["end"] is not None
        assert "too_fast" in {f["code"] for f in r["flags"]}  # filled in a second, flagged


def test_engine_interviews_are_exported_and_scored_like_json_ones(
    server: Server, fills: dict[str, list[Fill]]
) -> None:
    survey = server.survey()
    token = server.token(survey)
    twins: dict[str, str] = {}
    for items in fills.values():
        for fill in items:
            assert submit(server, survey, token, fill)[0] == 201
            twin = str(uuid.uuid4())
            body = {
                "submission_id": twin,
                "location": {"province": f"P{fill.answers['province_code']:02d}"}
                | {k: fill.answers[k] for k in ("district", "commune", "village")},
                "answers": fill.answers,
            }
            r = server.client.post(
                f"/api/v1/surveys/{survey}/submissions",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
            )
            assert r.status_code == 201, r.text
            parsed = parse_submission(server.q, fill.filled.xml)
            twins[str(uuid.UUID((parsed.instance_id or "").removeprefix("uuid:")))] = twin
    r = server.client.get(f"/api/v1/surveys/{survey}/export?format=parquet", headers=server.admin)
    assert r.status_code == 200, r.text
    frame = pd.read_parquet(io.BytesIO(r.content)).set_index("submission_id")
    assert len(frame) == 2 * len(twins)
    item_columns = [c for c in responses_to_frame(server.q, []).columns if c in frame.columns]
    for odk, json_twin in twins.items():
        a, b = frame.loc[odk, item_columns], frame.loc[json_twin, item_columns]
        pd.testing.assert_series_equal(a, b, check_names=False)
    codes, y, _ = indicator_values(frame.reset_index(), server.q)
    rows = {sid: i for i, sid in enumerate(frame.index)}
    direct = indicator_values(
        responses_to_frame(server.q, [f.answers for items in fills.values() for f in items]),
        server.q,
    )[1]
    for k, (odk, json_twin) in enumerate(twins.items()):
        np.testing.assert_array_equal(y[rows[odk]], y[rows[json_twin]])
        np.testing.assert_array_equal(y[rows[odk]], direct[k])
    assert np.isfinite(y).sum() > len(codes)  # the interviews do produce indicator values


@pytest.fixture(scope="module")
def edits(fills: dict[str, list[Fill]], papi_xform: bytes) -> dict[str, Fill]:
    """The engines' edits of the first Web Forms interview (shared by both backends): Web
    Forms' edit mode on it, a second edit of the same (by then stale) version, and a JavaRosa
    edit of the first edit the way Collect writes one (new instanceID, deprecatedID)."""
    first = fills["webforms"][0]
    age = int(first.answers["age"]) % 50 + 19
    edited = fill_webforms(papi_xform, {"age": str(age)}, edit_of=first.filled.xml)
    stale = fill_webforms(papi_xform, {"age": "60"}, edit_of=first.filled.xml)
    q = load_questionnaire("papi-2021")
    new_id = parse_submission(q, edited.xml).instance_id
    answers = first.answers | {"age": 33}
    again = fill_javarosa(
        papi_xform,
        engine_answers(answers, q),
        instance_id=f"uuid:{uuid.uuid4()}",
        deprecated_id=new_id,
    )
    return {
        "edited": Fill("webforms", first.answers | {"age": age}, edited),
        "stale": Fill("webforms", {}, stale),
        "again": Fill("javarosa", answers, again),
    }


def test_edits_through_deprecated_id_keep_every_version(
    server: Server, fills: dict[str, list[Fill]], edits: dict[str, Fill]
) -> None:
    survey = server.survey()
    token = server.token(survey)
    first, edit = fills["webforms"][0], edits["edited"]
    assert submit(server, survey, token, first)[0] == 201
    old = parse_submission(server.q, first.filled.xml)
    new = parse_submission(server.q, edit.filled.xml)
    assert new.deprecated_id == old.instance_id and new.instance_id != old.instance_id
    status, message = submit(server, survey, token, edit)
    assert (status, message.startswith("edit received")) == (201, True), message
    assert submit(server, survey, token, edit)[0] == 201  # a retried edit is a replay
    sid = str(uuid.UUID((old.instance_id or "").removeprefix("uuid:")))
    history = server.get(f"/surveys/{survey}/submissions/{sid}/history")
    assert history["current_version"] == 2
    assert history["versions"][0]["answers"] == first.answers
    age = edit.answers["age"]
    assert server.get(f"/surveys/{survey}/submissions/{sid}")["answers"]["age"] == age
    status, message = submit(server, survey, token, edits["stale"])
    assert status == 409 and "already replaced" in message
    assert submit(server, survey, token, edits["again"])[0] == 201
    history = server.get(f"/surveys/{survey}/submissions/{sid}/history")
    assert history["current_version"] == 3
    assert [v["answers"]["age"] for v in history["versions"]] == [first.answers["age"], age]
    assert server.get(f"/surveys/{survey}/submissions/{sid}")["answers"] == edits["again"].answers
    assert len(server.get(f"/surveys/{survey}/submissions")["items"]) == 1
