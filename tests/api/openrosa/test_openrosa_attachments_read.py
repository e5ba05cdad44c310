"""Reading attachments back through the JSON API (ODK Central's submission attachments), on
SQLite and PostgreSQL: files uploaded by a Collect client are listed and downloaded
byte-identical, with ETag/304, clear 404s, refused path names and the read rights of the
submission itself."""

from __future__ import annotations

import hashlib
import uuid
from urllib.parse import quote

import numpy as np
import pytest

from api.openrosa.attachments import referenced_names
from tests.api.openrosa.conftest import Server
from tests.api.openrosa.media import AUDIT, EXTRA, instance_xml
from tests.api.openrosa.test_openrosa import post
from tests.clients.answers import random_response

PHOTO = bytes(range(256)) * 400  # 102,400 bytes: with the 256 kB limit the upload splits
VOICE = b"\x00\x00\x00\x18ftypM4A " + bytes(150_000)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def url(survey: int, sid: str, name: str | None = None) -> str:
    base = f"/api/v1/surveys/{survey}/submissions/{sid}/attachments"
    return base if name is None else f"{base}/{quote(name, safe='')}"


def sent_form(server: Server, seed: int) -> tuple[int, str, str, str]:
    """A survey, an enumerator token and one form sent by Collect with four files (one named
    by no field) while the XML names a fifth that never arrives; (survey, token, sid, iid)."""
    survey = server.survey()
    token = server.token(survey)
    answers = random_response(server.q, np.random.default_rng(seed))
    sid = str(uuid.uuid4())
    fields = {"photo": "1700000000.jpg", "voice": "note.m4a", "signature": "sign.png"}
    xml = instance_xml(server.q, answers, f"uuid:{sid}", fields, audit="audit.csv")
    files = {"1700000000.jpg": PHOTO, "note.m4a": VOICE, "audit.csv": AUDIT, "extra.bin": EXTRA}
    responses = server.collect(survey, token).submit(xml, files)
    assert len(responses) >= 2 and all(r.status_code == 201 for r in responses)
    return survey, token, sid, f"uuid:{sid}"


def test_collect_files_are_listed_and_downloaded_byte_identical(server: Server) -> None:
    survey, token, sid, iid = sent_form(server, 11)
    page = server.client.get(f"/api/v1/surveys/{survey}/submissions", headers=bearer(token))
    (record,) = page.json()["items"]
    assert record["submission_id"] == sid  # the id the enumerator's list shows finds the files
    supervisor = bearer(server.token(survey, "supervisor"))
    r = server.client.get(url(survey, sid), headers=supervisor)
    assert r.status_code == 200, r.text
    listing = r.json()
    assert (listing["submission_id"], listing["instance_id"]) == (sid, iid)
    items = {a["name"]: a for a in listing["items"]}
    assert list(items) == sorted(items)
    expected = {
        "1700000000.jpg": (PHOTO, "image/jpeg", True),
        "note.m4a": (VOICE, "audio/mp4", True),
        "audit.csv": (AUDIT, "text/csv", True),
        "extra.bin": (EXTRA, "application/octet-stream", False),
    }
    assert set(items) == {*expected, "sign.png"}
    assert items["sign.png"] == {
        "name": "sign.png",
        "exists": False,
        "referenced": True,
        "size": None,
        "content_type": None,
        "sha256": None,
        "received_at": None,
        "instance_id": None,
    }
    for name, (content, kind, referenced) in expected.items():
        item = items[name]
        digest = hashlib.sha256(content).hexdigest()
        assert (item["exists"], item["referenced"]) == (True, referenced), name
        assert (item["size"], item["sha256"], item["content_type"]) == (len(content), digest, kind)
        assert item["instance_id"] == iid and item["received_at"]
        got = server.client.get(url(survey, sid, name), headers=supervisor)
        assert got.status_code == 200, got.text
        assert got.content == content
        assert got.headers["content-type"].split(";")[0] == kind
        assert got.headers["etag"] == f'"{digest}"'
        assert got.headers["content-disposition"] == (
            f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
        )
        assert got.headers["x-content-type-options"] == "nosniff"


def test_etag_revalidation_answers_304(server: Server) -> None:
    survey, token, sid, _ = sent_form(server, 12)
    enumerator = bearer(token)
    first = server.client.get(url(survey, sid, "note.m4a"), headers=enumerator)
    etag = first.headers["etag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        r = server.client.get(
            url(survey, sid, "note.m4a"), headers=enumerator | {"If-None-Match": header}
        )
        assert r.status_code == 304, header
        assert r.content == b""
        assert r.headers["etag"] == etag
    r = server.client.get(
        url(survey, sid, "note.m4a"), headers=enumerator | {"If-None-Match": '"stale"'}
    )
    assert r.status_code == 200
    assert r.content == VOICE


def test_unknown_and_missing_names_are_404_problems(server: Server) -> None:
    survey, token, sid, _ = sent_form(server, 13)
    r = server.client.get(url(survey, sid, "nope.jpg"), headers=bearer(token))
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["code"] == "attachment_not_found"
    assert "'nope.jpg'" in problem["detail"] and "'1700000000.jpg'" in problem["detail"]
    r = server.client.get(url(survey, sid, "sign.png"), headers=bearer(token))
    assert r.status_code == 404
    assert r.json()["code"] == "attachment_missing"
    assert "has not been received yet" in r.json()["detail"]
    r = server.client.get(url(survey, str(uuid.uuid4())), headers=server.admin)
    assert r.status_code == 404
    assert "does not exist" in r.json()["detail"]


@pytest.mark.parametrize(
    "raw", ["..%2F..%2Fpapi.db", "a%5Cb.jpg", "photos/1700000000.jpg", "%2E%2E", "%2E"]
)
def test_names_with_path_separators_are_refused(server: Server, raw: str) -> None:
    survey, token, sid, _ = _shared(server)
    r = server.client.get(f"{url(survey, sid)}/{raw}", headers=bearer(token))
    assert r.request.url.raw_path.endswith(raw.encode())  # sent as written, not normalised
    assert r.status_code == 422, (raw, r.status_code, r.text)
    assert r.headers["content-type"] == "application/problem+json"
    (error,) = r.json()["errors"]
    assert (error["code"], error["parameter"]) == ("attachment_name_invalid", "name")
    assert "attachment name" in error["message"]


_sent: dict[str, tuple[int, str, str, str]] = {}


def _shared(server: Server) -> tuple[int, str, str, str]:
    key = server.settings.database_url
    if key not in _sent:
        _sent[key] = sent_form(server, 15)
    return _sent[key]


def test_who_may_read_the_files(server: Server) -> None:
    survey, token, sid, _ = sent_form(server, 16)
    other_survey = server.survey()
    cases = [
        (bearer(token), 200),  # the enumerator who sent it
        (bearer(server.token(survey, "analyst")), 200),
        (bearer(server.token(survey, "supervisor")), 200),
        (server.admin, 200),
        (bearer(server.token(survey)), 403),  # another enumerator of the survey
        (bearer(server.token(other_survey, "analyst")), 404),  # another survey: as if missing
        (bearer(server.token(other_survey, "supervisor")), 404),
        ({}, 401),
        (bearer("papi_unknown"), 401),
    ]
    for headers, status in cases:
        for path in (url(survey, sid), url(survey, sid, "1700000000.jpg")):
            r = server.client.get(path, headers=headers)
            assert r.status_code == status, (headers, path, r.text)
            if status != 200:
                assert r.headers["content-type"] == "application/problem+json"
                assert r.content.count(PHOTO[:64]) == 0


def test_json_submission_has_an_empty_list(server: Server) -> None:
    survey = server.survey()
    token = server.token(survey)
    answers = random_response(server.q, np.random.default_rng(17))
    sid = str(uuid.uuid4())
    body = {
        "submission_id": sid,
        "location": {"province": f"P{answers['province_code']:02d}"},
        "answers": answers,
    }
    r = server.client.post(
        f"/api/v1/surveys/{survey}/submissions", json=body, headers=bearer(token)
    )
    assert r.status_code == 201, r.text
    r = server.client.get(url(survey, sid), headers=bearer(token))
    assert r.status_code == 200
    assert r.json() == {"submission_id": sid, "instance_id": None, "items": []}
    r = server.client.get(url(survey, sid, "photo.jpg"), headers=bearer(token))
    assert r.status_code == 404
    assert "(it has: none)" in r.json()["detail"]


def test_an_edit_keeps_the_files_it_still_names(server: Server) -> None:
    survey = server.survey()
    token = server.token(survey)
    answers = random_response(server.q, np.random.default_rng(18))
    sid = str(uuid.uuid4())
    first = instance_xml(server.q, answers, f"uuid:{sid}", {"photo": "a.jpg", "old": "b.jpg"})
    r = post(server, survey, token, first, **{"a.jpg": b"first a", "b.jpg": b"first b"})
    assert r.status_code == 201, r.text
    edit_id = f"uuid:{uuid.uuid4()}"
    fields = {"photo": "a.jpg", "new": "c.jpg"}
    edit = instance_xml(server.q, answers, edit_id, fields, deprecated_id=f"uuid:{sid}")
    r = post(server, survey, token, edit, **{"c.jpg": b"edit c"})
    assert r.status_code == 201, r.text
    listing = server.client.get(url(survey, sid), headers=bearer(token)).json()
    assert listing["instance_id"] == edit_id
    by_name = {a["name"]: a["instance_id"] for a in listing["items"]}
    assert by_name == {"a.jpg": f"uuid:{sid}", "c.jpg": edit_id}  # b.jpg: the old version's
    for name, content in (("a.jpg", b"first a"), ("c.jpg", b"edit c")):
        assert server.client.get(url(survey, sid, name), headers=bearer(token)).content == content
    r = server.client.get(url(survey, sid, "b.jpg"), headers=bearer(token))
    assert r.status_code == 404


def test_the_openapi_schema_describes_both_routes(server: Server) -> None:
    paths = server.client.get("/openapi.json").json()["paths"]
    listing = paths["/api/v1/surveys/{survey_id}/submissions/{submission_id}/attachments"]["get"]
    ref = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/AttachmentList")
    download = paths["/api/v1/surveys/{survey_id}/submissions/{submission_id}/attachments/{name}"]
    responses = download["get"]["responses"]
    assert responses["200"]["content"]["*/*"]["schema"] == {"type": "string", "format": "binary"}
    assert {"304", "401", "403", "404", "422"} <= set(responses)


def test_only_non_item_fields_and_audit_name_files() -> None:
    xml = (
        b'<data id="f" version="1"><district>x.jpg</district><photo>p.jpg</photo>'
        b"<nested><voice>v.m4a</voice></nested><note>see 2.5</note><code>enum.07</code>"
        b"<kept>README</kept><start>2026-01-01T10:00:00.000+07:00</start>"
        b"<meta><instanceID>uuid:1</instanceID><deviceid>collect:a.jpg</deviceid>"
        b"<audit>audit.csv</audit></meta></data>"
    )
    assert referenced_names(xml, frozenset({"district"}), {"README"}) == [
        "p.jpg",
        "v.m4a",
        "README",
        "audit.csv",
    ]
    assert referenced_names(b"<broken", frozenset(), set()) == []


def test_which_version_each_file_comes_from() -> None:
    """The rule the listing and the export with media share (``current_files``): the current
    version's own files; a file its XML still names from the newest earlier version that has
    it; files only earlier versions name are dropped; the XML is read only when needed."""
    from dataclasses import dataclass
    from datetime import UTC, datetime

    from api.openrosa.attachments import current_files
    from api.openrosa.records import StoredFile

    @dataclass(frozen=True)
    class Version:
        pk: int
        superseded_by: str | None

    def file(pk: int, version: int, name: str) -> StoredFile:
        return StoredFile(pk, version, name, "image/jpeg", f"h{pk}", 10, datetime.now(UTC))

    chain = [Version(3, None), Version(2, "v3"), Version(1, "v2")]  # newest first
    files = {
        3: [file(30, 3, "own.jpg")],
        2: [file(20, 2, "a.jpg")],
        1: [file(10, 1, "a.jpg"), file(11, 1, "b.jpg"), file(12, 1, "gone.jpg")],
    }
    asked: list[set[str]] = []

    def named(stored: set[str]) -> list[str]:
        asked.append(stored)
        return ["a.jpg", "b.jpg", "late.jpg"]

    chosen, names = current_files(chain, files, named)
    assert {n: f.pk for n, f in chosen.items()} == {"own.jpg": 30, "a.jpg": 20, "b.jpg": 11}
    assert names == ["a.jpg", "b.jpg", "late.jpg"]
    assert asked == [{"own.jpg", "a.jpg", "b.jpg", "gone.jpg"}]
    only = {3: files[3]}
    assert current_files(chain, only, named) == ({"own.jpg": files[3][0]}, [])
    assert len(asked) == 1  # no earlier files: the XML is not read
    assert current_files(chain, only, named, always_named=True)[1] == names
