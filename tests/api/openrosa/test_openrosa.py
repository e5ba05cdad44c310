"""The OpenRosa conversation as ODK Collect has it (docs/collection.md), on SQLite and
PostgreSQL: form list and download, HEAD, POST, deduplication, split uploads, errors."""

from __future__ import annotations

import hashlib
import threading
import uuid
import xml.etree.ElementTree as ET
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pytest

from api.db.engine import Database
from api.openrosa import repository
from api.openrosa.routes import accept_length
from survey.forms.xform import to_xform
from survey.questionnaire.schema import Questionnaire
from tests.api.openrosa.conftest import Server
from tests.clients.answers import random_response
from tests.clients.collect import OPENROSA, UploadFailed, openrosa_message


def instance_xml(
    q: Questionnaire,
    answers: dict[str, Any],
    instance_id: str,
    *,
    version: str | None = None,
    form_id: str | None = None,
) -> bytes:
    """A submission written by hand (the engines are exercised in test_engines.py)."""
    cells = "".join(
        f"<{k}>{escape(' '.join(map(str, v)) if isinstance(v, list) else str(v))}</{k}>"
        for k, v in answers.items()
    )
    return (
        f'<data id="{form_id or q.id}" version="{version or q.version}">{cells}'
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


def new_id() -> str:
    return f"uuid:{uuid.uuid4()}"


def post(server: Server, survey: int, token: str, xml: bytes, **files: bytes) -> Any:
    parts = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
    parts += [(name, (name, content, "image/jpeg")) for name, content in files.items()]
    return server.client.post(
        f"/v1/key/{token}/projects/{survey}/submission", files=parts, headers=OPENROSA
    )


def stored_count(server: Server, survey: int) -> int:
    return len(server.get(f"/surveys/{survey}/submissions?limit=1000")["items"])


def test_form_list_hash_is_md5_of_the_bytes_served(server: Server) -> None:
    survey = server.survey()
    collect = server.collect(survey)
    (entry,) = collect.form_list()
    assert (entry.form_id, entry.version) == ("papi-2021", "2021.1")
    assert entry.manifest_url is None
    body = collect.download(entry)  # asserts md5:<hex of the bytes> == hash
    assert body == to_xform(server.q).encode("utf-8")
    assert entry.hash == "md5:" + hashlib.md5(body).hexdigest()
    manifest = server.client.get(entry.download_url.replace(".xml", "/manifest"))
    assert manifest.status_code == 200
    assert ET.fromstring(manifest.content).tag.endswith("manifest")
    missing = server.client.get(entry.download_url.replace("papi-2021.xml", "other.xml"))
    assert missing.status_code == 404
    assert "not in this project" in openrosa_message(missing.content)


def test_head_and_get_submission_answer_204_with_the_size_limit(server: Server) -> None:
    survey = server.survey()
    base = server.collect(survey).base
    for method in ("HEAD", "GET"):
        r = server.client.request(method, f"{base}/submission?deviceID=x", headers=OPENROSA)
        assert r.status_code == 204
        assert r.content == b""
        assert r.headers["X-OpenRosa-Version"] == "1.0"
        assert int(r.headers["X-OpenRosa-Accept-Content-Length"]) == accept_length(server.settings)


def test_tokens_scope_and_roles_answer_in_the_envelope(server: Server) -> None:
    survey, other = server.survey(), server.survey()
    token = server.token(survey)
    cases = [
        (f"/v1/key/papi_unknown/projects/{survey}/formList", 403, "unknown"),
        (
            f"/v1/key/{token}/projects/{other}/formList",
            404,
            "does not exist",
        ),  # as for a missing one
        (f"/v1/key/{server.token(survey, 'analyst')}/projects/{survey}/formList", 403, "may not"),
        (f"/v1/key/{token}/projects/999999/formList", 404, "does not exist"),
    ]
    for url, status, text in cases:
        r = server.client.get(url, headers=OPENROSA)
        assert r.status_code == status, (url, r.text)
        assert r.headers["X-OpenRosa-Version"] == "1.0"
        assert text in openrosa_message(r.content)


def test_retry_is_201_without_a_new_record_and_a_change_is_409(server: Server) -> None:
    survey = server.survey()
    collect = server.collect(survey)
    answers = random_response(server.q, np.random.default_rng(1))
    xml = instance_xml(server.q, answers, new_id())
    (first,) = collect.submit(xml)
    assert first.status_code == 201
    assert openrosa_message(first.content) == "full submission received"
    (again,) = collect.submit(xml)
    assert again.status_code == 201
    assert "already received" in openrosa_message(again.content)
    changed = xml.replace(b"</data>", b"<extra>1</extra></data>")
    with pytest.raises(UploadFailed) as err:
        collect.submit(changed)
    assert err.value.status == 409
    assert "different content" in err.value.message
    (record,) = server.get(f"/surveys/{survey}/submissions")["items"]
    assert record["answers"] == answers
    assert record["paradata"]["enumerator"].startswith("enumerator-")


def test_split_upload_completes_and_a_retry_adds_nothing(server: Server) -> None:
    survey = server.survey()
    collect = server.collect(survey)
    answers = random_response(server.q, np.random.default_rng(2))
    instance_id = new_id()
    xml = instance_xml(server.q, answers, instance_id)
    photos = {f"photo{i}.jpg": bytes([i]) * 100_000 for i in range(3)}
    responses = collect.submit(xml, photos)
    assert len(responses) >= 2, "with a 256 kB limit three 100 kB photos need several POSTs"
    assert all(r.status_code == 201 for r in responses)
    for r in responses[:-1]:
        assert b'name="*isIncomplete*"' in r.request.content
    assert b"*isIncomplete*" not in responses[-1].request.content
    assert len(collect.submit(xml, photos)) == len(responses)
    db = Database(server.settings)
    try:
        with db.session() as s:
            stored = repository.attachments(s, survey, instance_id)
    finally:
        db.dispose()
    assert stored == photos
    assert stored_count(server, survey) == 1


def test_unknown_form_or_version_is_404_and_nothing_is_stored(server: Server) -> None:
    survey = server.survey()
    token = server.token(survey)
    answers = random_response(server.q, np.random.default_rng(3))
    for kw, text in (({"version": "1999.1"}, "version"), ({"form_id": "other"}, "not in this")):
        r = post(server, survey, token, instance_xml(server.q, answers, new_id(), **kw))
        assert r.status_code == 404
        assert text in openrosa_message(r.content)
    assert stored_count(server, survey) == 0


def test_malformed_submissions_are_refused_in_the_envelope(server: Server) -> None:
    survey = server.survey()
    token = server.token(survey)
    answers = random_response(server.q, np.random.default_rng(4))
    no_id = instance_xml(server.q, answers, "").replace(b"<instanceID></instanceID>", b"")
    cases = [
        (no_id, 422, "no meta/instanceID"),
        (b"<data id='papi-2021'", 422, "not well-formed"),
        (instance_xml(server.q, answers | {"sex": 7}, new_id()), 422, "sex"),
        (instance_xml(server.q, answers | {"sex": "abc"}, new_id()), 422, "sex"),
    ]
    for xml, status, text in cases:
        r = post(server, survey, token, xml)
        assert r.status_code == status, r.text
        assert r.headers["X-OpenRosa-Version"] == "1.0"
        assert text in openrosa_message(r.content)
    r = server.client.post(
        f"/v1/key/{token}/projects/{survey}/submission", data={"other": "x"}, headers=OPENROSA
    )
    assert r.status_code == 400
    assert "xml_submission_file" in openrosa_message(r.content)
    assert stored_count(server, survey) == 0
    # a broken bound is a quality flag, not a refusal, exactly as on the JSON API
    r = post(server, survey, token, instance_xml(server.q, answers | {"age": 200}, new_id()))
    assert r.status_code == 201, r.text
    (record,) = server.get(f"/surveys/{survey}/submissions")["items"]
    assert "outside_constraints" in {f["code"] for f in record["flags"]}


def test_json_and_openrosa_share_one_store_and_one_key(server: Server) -> None:
    survey = server.survey()
    token = server.token(survey)
    answers = random_response(server.q, np.random.default_rng(5))
    sid = str(uuid.uuid4())
    body = {
        "submission_id": sid,
        "location": {"province": f"P{answers['province_code']:02d}"},
        "answers": answers,
    }
    r = server.client.post(
        f"/api/v1/surveys/{survey}/submissions",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text
    r = post(server, survey, token, instance_xml(server.q, answers, f"uuid:{sid}"))
    assert r.status_code == 409, r.text
    assert stored_count(server, survey) == 1


def test_two_first_posts_at_once_make_one_record(server: Server) -> None:
    survey = server.survey()
    token = server.token(survey)
    answers = random_response(server.q, np.random.default_rng(6))
    xml = instance_xml(server.q, answers, new_id())
    statuses: list[int] = []
    threads = [
        threading.Thread(
            target=lambda: statuses.append(post(server, survey, token, xml).status_code)
        )
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 4
    assert stored_count(server, survey) == 1


def test_oversized_uploads_are_413_in_the_envelope(server: Server) -> None:
    survey = server.survey()
    token = server.token(survey)
    answers = random_response(server.q, np.random.default_rng(7))
    xml = instance_xml(server.q, answers, new_id())
    r = post(server, survey, token, xml, **{"big.jpg": b"x" * (server.settings.max_body_bytes + 1)})
    assert r.status_code == 413
    assert r.headers["X-OpenRosa-Version"] == "1.0"
    assert "split" in openrosa_message(r.content)
    assert stored_count(server, survey) == 0
