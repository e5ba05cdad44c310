"""Export with media (``GET .../export?format=zip`` and ``papi export --out x.zip``) on SQLite
and PostgreSQL: the ZIP holds the CSV export, every file of the exported submissions
byte-identical under ``media/<submission_id>/`` and a manifest; the export's filters and
rights apply; stored names with path separators stay inside their folder."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import numpy as np
import pytest

from api.cli.main import main
from api.db.engine import Database
from api.exports import routes
from api.exports.media import MANIFEST_COLUMNS, safe_name
from api.openrosa import repository
from api.openrosa.records import Upload
from api.settings import Settings
from tests.api.openrosa.media import AUDIT, EXTRA, instance_xml
from tests.api.support import Api
from tests.clients.answers import random_response
from tests.clients.collect import OPENROSA

PHOTO = bytes(range(256)) * 300
VOICE = b"\x00\x00\x00\x18ftypM4A " + bytes(40_000)


def raw_token(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def post_form(api: Api, survey: int, token: str, xml: bytes, files: dict[str, bytes]) -> None:
    parts = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
    kinds = {"jpg": "image/jpeg", "m4a": "audio/mp4", "csv": "text/csv"}
    parts += [
        (name, (name, content, kinds.get(name.rpartition(".")[2], "application/octet-stream")))
        for name, content in files.items()
    ]
    r = api.client.post(
        f"/v1/key/{token}/projects/{survey}/submission", files=parts, headers=OPENROSA
    )
    assert r.status_code == 201, r.text


def send(
    api: Api, survey: int, token: str, seed: int, files: dict[str, bytes], **fields: str
) -> str:
    """One form sent like Collect; its submission id."""
    answers = random_response(api.q, np.random.default_rng(seed))
    sid = str(uuid.uuid4())
    audit = "audit.csv" if "audit.csv" in files else None
    post_form(
        api, survey, token, instance_xml(api.q, answers, f"uuid:{sid}", fields, audit=audit), files
    )
    return sid


def send_json(api: Api, survey: int, seed: int) -> str:
    answers = random_response(api.q, np.random.default_rng(seed))
    sid = str(uuid.uuid4())
    body = {
        "submission_id": sid,
        "location": {"province": f"P{answers['province_code']:02d}"},
        "answers": answers,
    }
    assert api.submit(survey, body).status_code == 201
    return sid


def export(api: Api, survey: int, fmt: str = "zip", **params: Any) -> Any:
    r = api.client.get(
        f"/api/v1/surveys/{survey}/export", params={"format": fmt, **params}, headers=api.admin
    )
    assert r.status_code == 200, r.text
    return r


def manifest(zf: zipfile.ZipFile) -> list[dict[str, str]]:
    text = zf.read("media/manifest.csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == MANIFEST_COLUMNS
    return [dict(zip(MANIFEST_COLUMNS, row, strict=True)) for row in rows[1:]]


def listing(api: Api, survey: int, sid: str) -> dict[str, dict[str, Any]]:
    """The existing files of the attachment listing, by name."""
    r = api.client.get(f"/api/v1/surveys/{survey}/submissions/{sid}/attachments", headers=api.admin)
    assert r.status_code == 200, r.text
    return {a["name"]: a for a in r.json()["items"] if a["exists"]}


def download(api: Api, survey: int, sid: str, name: str) -> bytes:
    r = api.client.get(
        f"/api/v1/surveys/{survey}/submissions/{sid}/attachments/{quote(name, safe='')}",
        headers=api.admin,
    )
    assert r.status_code == 200, r.text
    content: bytes = r.content
    return content


def media_of(zf: zipfile.ZipFile, survey: int) -> dict[str, set[str]]:
    """Submission id -> the archive paths under its folder."""
    out: dict[str, set[str]] = {}
    for name in zf.namelist():
        if name in {f"survey-{survey}.csv", "media/manifest.csv"}:
            continue
        top, sid, _ = name.split("/")
        assert top == "media", name
        out.setdefault(sid, set()).add(name)
    return out


def assert_matches_the_api(api: Api, survey: int, zf: zipfile.ZipFile, sids: list[str]) -> None:
    """Every listed file of ``sids`` (and nothing else) is in the archive, byte-identical,
    and the manifest describes it."""
    rows = manifest(zf)
    by_key = {(r["submission_id"], r["name"]): r for r in rows}
    assert len(by_key) == len(rows)
    expected = {(sid, name): a for sid in sids for name, a in listing(api, survey, sid).items()}
    assert set(by_key) == set(expected)
    assert {r["path"] for r in rows} == {p for ps in media_of(zf, survey).values() for p in ps}
    for (sid, name), a in expected.items():
        row = by_key[(sid, name)]
        content = zf.read(row["path"])
        assert content == download(api, survey, sid, name)
        digest = hashlib.sha256(content).hexdigest()
        assert (row["size"], row["sha256"]) == (str(len(content)), digest)
        assert (int(row["size"]), row["sha256"]) == (a["size"], a["sha256"])
        assert row["content_type"] == a["content_type"]
        assert row["path"] == f"media/{sid}/{safe_name(name)}"


def test_zip_holds_the_csv_every_file_and_the_manifest(api: Api) -> None:
    survey = api.survey()
    token = raw_token(api.token("enumerator", survey))
    first = send(
        api,
        survey,
        token,
        31,
        {"1700000000.jpg": PHOTO, "note.m4a": VOICE, "audit.csv": AUDIT, "extra.bin": EXTRA},
        photo="1700000000.jpg",
        voice="note.m4a",
        signature="sign.png",  # named, never sent: not in the archive
    )
    second = send(api, survey, token, 32, {"1700000001.jpg": PHOTO[::-1]}, photo="1700000001.jpg")
    typed = send_json(api, survey, 33)
    r = export(api, survey)
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"] == f'attachment; filename="survey-{survey}.zip"'
    assert int(r.headers["content-length"]) == len(r.content)
    zf = zipfile.ZipFile(io.BytesIO(r.content))
    assert zf.testzip() is None
    assert zf.namelist()[0] == f"survey-{survey}.csv"
    assert zf.read(f"survey-{survey}.csv") == export(api, survey, "csv").content
    assert zf.read(f"survey-{survey}.csv").count(typed.encode()) == 1
    assert media_of(zf, survey) == {
        first: {
            f"media/{first}/{n}" for n in ("1700000000.jpg", "audit.csv", "extra.bin", "note.m4a")
        },
        second: {f"media/{second}/1700000001.jpg"},
    }
    assert_matches_the_api(api, survey, zf, [first, second, typed])
    assert zf.read(f"media/{first}/1700000000.jpg") == PHOTO
    assert zf.read(f"media/{first}/audit.csv") == AUDIT
    rows = manifest(zf)
    assert [(row["submission_id"], row["name"]) for row in rows] == [
        (first, "1700000000.jpg"),
        (first, "audit.csv"),
        (first, "extra.bin"),
        (first, "note.m4a"),
        (second, "1700000001.jpg"),
    ]
    by_name = {row["name"]: row for row in rows}
    assert by_name["note.m4a"]["content_type"] == "audio/mp4"
    assert by_name["audit.csv"]["sha256"] == hashlib.sha256(AUDIT).hexdigest()


def test_filters_apply_to_the_data_and_the_files(api: Api) -> None:
    survey = api.survey()
    token = raw_token(api.token("enumerator", survey))
    kept = send(api, survey, token, 41, {"kept.jpg": b"kept photo"}, photo="kept.jpg")
    rejected = send(api, survey, token, 42, {"gone.jpg": b"rejected photo"}, photo="gone.jpg")
    url = f"/api/v1/surveys/{survey}/submissions/{rejected}/review"
    r = api.client.post(url, json={"status": "rejected"}, headers=api.admin)
    assert r.status_code == 200, r.text
    cases: list[tuple[dict[str, str], list[str]]] = [
        ({}, [kept]),
        ({"include_rejected": "true"}, [kept, rejected]),
        ({"status": "rejected"}, [rejected]),
        ({"status": "approved"}, []),
    ]
    for params, sids in cases:
        zf = zipfile.ZipFile(io.BytesIO(export(api, survey, **params).content))
        csv_body = zf.read(f"survey-{survey}.csv")
        assert csv_body == export(api, survey, "csv", **params).content, params
        assert set(media_of(zf, survey)) == set(sids), params
        assert [row["submission_id"] for row in manifest(zf)] == sids, params
        for sid in (kept, rejected):
            assert csv_body.count(sid.encode()) == (sid in sids), params
        assert_matches_the_api(api, survey, zf, sids)


def test_an_edit_exports_the_files_its_listing_shows(api: Api) -> None:
    survey = api.survey()
    token = raw_token(api.token("enumerator", survey))
    answers = random_response(api.q, np.random.default_rng(51))
    sid = str(uuid.uuid4())
    first = instance_xml(api.q, answers, f"uuid:{sid}", {"photo": "a.jpg", "old": "b.jpg"})
    post_form(api, survey, token, first, {"a.jpg": b"first a", "b.jpg": b"first b"})
    edit_id = f"uuid:{uuid.uuid4()}"
    fields = {"photo": "a.jpg", "new": "c.jpg"}
    edit = instance_xml(api.q, answers, edit_id, fields, deprecated_id=f"uuid:{sid}")
    post_form(api, survey, token, edit, {"c.jpg": b"edit c"})
    zf = zipfile.ZipFile(io.BytesIO(export(api, survey).content))
    assert media_of(zf, survey) == {sid: {f"media/{sid}/a.jpg", f"media/{sid}/c.jpg"}}
    assert zf.read(f"media/{sid}/a.jpg") == b"first a"  # carried over from the first version
    assert zf.read(f"media/{sid}/c.jpg") == b"edit c"
    assert_matches_the_api(api, survey, zf, [sid])


def test_a_survey_of_json_submissions_gives_the_csv_and_an_empty_manifest(api: Api) -> None:
    survey = api.survey()
    send_json(api, survey, 61)
    send_json(api, survey, 62)
    zf = zipfile.ZipFile(io.BytesIO(export(api, survey).content))
    assert zf.namelist() == [f"survey-{survey}.csv", "media/manifest.csv"]
    assert zf.read(f"survey-{survey}.csv") == export(api, survey, "csv").content
    assert (
        zf.read("media/manifest.csv") == (",".join(MANIFEST_COLUMNS) + "\r\n").encode()
    )  # RFC 4180 line breaks
    empty = api.survey()
    zf = zipfile.ZipFile(io.BytesIO(export(api, empty).content))
    assert zf.read(f"survey-{empty}.csv") == export(api, empty, "csv").content
    assert manifest(zf) == []


def test_the_rights_are_those_of_the_other_formats(api: Api) -> None:
    survey = api.survey()
    other = api.survey()
    token = api.token("enumerator", survey)
    send(api, survey, raw_token(token), 71, {"p.jpg": PHOTO}, photo="p.jpg")
    cases = [
        (api.admin, 200),
        (api.token("admin", survey), 200),
        (api.token("analyst", survey), 200),
        (api.token("analyst"), 200),  # unscoped analyst
        (token, 403),  # the enumerator who sent the files
        (api.token("supervisor", survey), 403),  # supervisors do not export (any format)
        (api.token("analyst", other), 404),  # as for a missing survey
        ({}, 401),
        ({"Authorization": "Bearer papi_unknown"}, 401),
    ]
    for headers, status in cases:
        for fmt in ("csv", "zip"):
            r = api.client.get(
                f"/api/v1/surveys/{survey}/export", params={"format": fmt}, headers=headers
            )
            assert r.status_code == status, (headers, fmt, r.text)
            if status != 200:
                assert r.headers["content-type"] == "application/problem+json"
                assert PHOTO[:64] not in r.content
    r = api.client.get("/api/v1/surveys/999999/export", params={"format": "zip"}, headers=api.admin)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


MALICIOUS = {
    "../../../etc/passwd": b"escape by dots",
    "photos/1700000000.jpg": b"old intake with a folder",
    "..\\..\\windows.jpg": b"backslashes",
    "..": b"only dots",
    "/abs.jpg": b"absolute",
    "photos_1700000000.jpg": b"clashes once sanitised",
    "A.JPG": b"upper case",
    "a.jpg": b"lower case",
    "c:evil\x01.jpg": b"drive and control",
}


def test_stored_names_cannot_leave_their_folder(api: Api, db_url: str, tmp_path: Path) -> None:
    survey = api.survey()
    token = raw_token(api.token("enumerator", survey))
    sid = send(api, survey, token, 81, {"ok.jpg": b"ok"}, photo="ok.jpg")
    db = Database(Settings(database_url=db_url))
    try:
        with db.session(write=True) as s:
            instance = repository.get_instance(s, survey, f"uuid:{sid}")
            assert instance is not None
            uploads = [Upload(n, "image/jpeg", c) for n, c in MALICIOUS.items()]
            assert len(repository.add_attachments(s, instance.pk, uploads, datetime.now(UTC))) == 9
            s.commit()
    finally:
        db.dispose()
    zf = zipfile.ZipFile(io.BytesIO(export(api, survey).content))
    folder = PurePosixPath("media", sid)
    paths = {row["name"]: row["path"] for row in manifest(zf)}
    assert set(paths) == {*MALICIOUS, "ok.jpg"}
    assert len(set(paths.values())) == len(paths)  # no two files share an entry
    assert len({p.lower() for p in paths.values()}) == len(paths)  # not even by case
    for name, path in paths.items():
        p = PurePosixPath(path)
        assert p.parent == folder and p.name not in {"", ".", ".."}, path
        assert not any(c in p.name for c in "\\/:\x01"), path
        assert zf.read(path) == MALICIOUS.get(name, b"ok")
    assert paths["photos/1700000000.jpg"] == f"media/{sid}/photos_1700000000.jpg"
    assert paths["photos_1700000000.jpg"] == f"media/{sid}/photos_1700000000~2.jpg"
    assert paths[".."] == f"media/{sid}/_.."
    assert {paths["A.JPG"], paths["a.jpg"]} == {f"media/{sid}/A.JPG", f"media/{sid}/a~2.jpg"}
    entries = set(zf.namelist()) - {f"survey-{survey}.csv", "media/manifest.csv"}
    assert entries == set(paths.values())
    for entry in entries:  # what an unzip tool sees, before any sanitising of its own
        assert not entry.startswith("/") and "\\" not in entry, entry
        assert PurePosixPath(entry).parts[:2] == ("media", sid), entry
        assert ".." not in PurePosixPath(entry).parts, entry
    zf.extractall(tmp_path / "out")
    extracted = {p for p in (tmp_path / "out" / "media").rglob("*") if p.is_file()}
    assert {p.parent for p in extracted} == {
        tmp_path / "out" / "media",
        tmp_path / "out" / "media" / sid,
    }
    assert len(extracted) == len(paths) + 1  # and the manifest


def test_a_large_archive_spools_to_disk(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    survey = api.survey()
    token = raw_token(api.token("enumerator", survey))
    sid = send(api, survey, token, 91, {"big.jpg": PHOTO, "v.m4a": VOICE}, photo="big.jpg")
    monkeypatch.setattr(routes, "SPOOL_BYTES", 1024)
    monkeypatch.setattr(routes, "CHUNK_BYTES", 4096)  # many chunks
    r = export(api, survey)
    assert int(r.headers["content-length"]) == len(r.content) > len(PHOTO)
    zf = zipfile.ZipFile(io.BytesIO(r.content))
    assert zf.read(f"media/{sid}/big.jpg") == PHOTO
    assert zf.read(f"media/{sid}/v.m4a") == VOICE


def test_the_openapi_schema_offers_the_zip(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    get = spec["paths"]["/api/v1/surveys/{survey_id}/export"]["get"]
    content = get["responses"]["200"]["content"]
    assert content["application/zip"]["schema"] == {"type": "string", "format": "binary"}
    (fmt,) = [p for p in get["parameters"] if p["name"] == "format"]
    ref = fmt["schema"]["$ref"].rsplit("/", 1)[-1]
    assert spec["components"]["schemas"][ref]["enum"] == ["csv", "parquet", "dta", "sav", "zip"]
    assert "media/manifest.csv" in get["description"]


def test_papi_export_writes_the_same_zip(
    api: Api, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    survey = api.survey()
    token = raw_token(api.token("enumerator", survey))
    sid = send(api, survey, token, 101, {"p.jpg": PHOTO, "audit.csv": AUDIT}, photo="p.jpg")
    send_json(api, survey, 102)
    out = tmp_path / "data.zip"
    args = ["export", "--survey", str(survey), "--out", str(out), "--database-url", db_url]
    try:
        main([*args, "--json"])
    except SystemExit as exc:
        assert not exc.code
    summary = json.loads(capsys.readouterr().out)
    assert summary == {
        "survey": survey,
        "rows": 2,
        "columns": summary["columns"],
        "files": 2,
        "out": str(out),
    }
    assert not (tmp_path / "data.zip.partial").exists()
    from_cli = zipfile.ZipFile(out)
    from_api = zipfile.ZipFile(io.BytesIO(export(api, survey).content))
    assert from_cli.namelist() == from_api.namelist()
    for name in from_cli.namelist():
        assert from_cli.read(name) == from_api.read(name), name
    assert from_cli.read(f"media/{sid}/p.jpg") == PHOTO
