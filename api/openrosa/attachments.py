"""Reading a submission's attachments back (photos, audio, audit logs sent by ODK clients),
as ODK Central's ``.../submissions/{instanceId}/attachments`` does.

- Who may read: exactly who may read the submission (:func:`api.submissions.service.get_one`:
  admin, supervisor and analyst of the survey; an enumerator its own submissions).
- Which files: those of the submission's current version (the instance not superseded by an
  edit). A file the current XML still names but the edit did not send again is taken from the
  newest earlier version that has it (Central carries such files over to the new version).
- Expected files: Central reads the form's binary fields. PAPI questionnaires have no binary
  item type, so the instance XML is read instead: a file is named by ``meta/audit`` or by a
  field that is not one of the questionnaire's items and whose value is a bare file name with
  a media extension (or the name of a stored file). Named but not received: ``exists`` false.
- A JSON submission has no instance: its list is empty.
"""

from __future__ import annotations

import mimetypes
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar
from uuid import UUID

from sqlalchemy.orm import Session

from api.auth.schemas import Principal
from api.openrosa import repository
from api.openrosa.records import Instance, InstanceXml, StoredFile
from api.openrosa.schemas import AttachmentList, AttachmentOut
from api.questionnaires import catalog
from api.submissions import service as submissions
from api.surveys.service import get_survey
from survey.errors import NotFound

# fmt: off
MEDIA_EXTENSIONS = frozenset({
    "jpg", "jpeg", "png", "gif", "bmp", "webp", "heic", "heif", "tif", "tiff", "svg",
    "m4a", "mp3", "mp4", "3gp", "3ga", "amr", "aac", "wav", "ogg", "oga", "opus", "flac",
    "weba", "webm", "mkv", "mov", "avi", "mpeg", "mpg", "csv", "pdf", "txt", "json",
    "geojson", "kml", "zip",
})
# fmt: on
_FILE_NAME = re.compile(r"[^/\\\x00-\x1f\x7f]{1,255}\.([A-Za-z0-9]{1,8})")
_SKIPPED_FIELDS = frozenset({"start", "end"})
_MEDIA_TYPE = re.compile(r"[\w!#$&^.+-]{1,60}/[\w!#$&^.+-]{1,60}( *;[\x20-\x7e]{0,100})?", re.ASCII)


@dataclass(frozen=True, slots=True)
class Found:
    """A file of the listing that exists: its metadata and where its bytes are."""

    out: AttachmentOut
    file: StoredFile


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def referenced_names(xml: bytes, item_ids: frozenset[str], stored: set[str]) -> list[str]:
    """File names the instance XML names, in document order (see the module docstring)."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return []
    parents = {child: _local(parent.tag) for parent in root.iter() for child in parent}
    names: list[str] = []
    for el in root.iter():
        if el is root or len(el):
            continue
        field, text = _local(el.tag), (el.text or "").strip()
        if not text or text in names:
            continue
        if parents.get(el) == "meta":
            if field != "audit":
                continue
        elif field in item_ids or field in _SKIPPED_FIELDS:
            continue
        match = _FILE_NAME.fullmatch(text)
        if text in stored or (match and match.group(1).lower() in MEDIA_EXTENSIONS):
            names.append(text)
    return names


def _item_ids(session: Session, survey_id: int) -> frozenset[str]:
    q = catalog.get(session, get_survey(session, survey_id).questionnaire_pk)
    return frozenset(it.id for it in q.items)


class _Version(Protocol):
    @property
    def pk(self) -> int: ...
    @property
    def superseded_by(self) -> str | None: ...


V = TypeVar("V", bound=_Version)


def current_version(chain: Sequence[V]) -> V:
    """The version not superseded by an edit (``chain`` newest first)."""
    return next((i for i in chain if i.superseded_by is None), chain[0])


def current_files(
    chain: Sequence[_Version],
    files: Mapping[int, Sequence[StoredFile]],
    referenced: Callable[[set[str]], list[str]],
    *,
    always_named: bool = False,
) -> tuple[dict[str, StoredFile], list[str]]:
    """The files of a submission's current version, by name, and the names its XML gives.

    ``chain``: the versions, newest first; ``files``: stored files by version pk;
    ``referenced(stored names)``: the names the current XML gives (``referenced_names``),
    asked only when an earlier version has files or ``always_named``. A file the current
    XML names but the edit did not send again comes from the newest earlier version that
    has it. The one rule of the listing route and the export with media."""
    current = current_version(chain)
    own = {f.name: f for f in files.get(current.pk, ())}
    earlier: dict[str, StoredFile] = {}
    for version in reversed(chain):  # oldest first: the newest earlier version wins
        if version.pk != current.pk:
            earlier.update({f.name: f for f in files.get(version.pk, ())})
    named = referenced(set(own) | set(earlier)) if earlier or always_named else []
    chosen = dict(own)
    for name in named:
        if name not in chosen and name in earlier:
            chosen[name] = earlier[name]
    return chosen, named


def _resolve(
    session: Session, survey_id: int, submission_id: str, caller: Principal
) -> tuple[AttachmentList, dict[str, Found]]:
    stored = submissions.get_one(session, survey_id, submission_id, caller)
    chain = repository.instances_of(session, survey_id, stored.submission_id)
    sid = UUID(stored.submission_id)
    if not chain:
        return AttachmentList(submission_id=sid, instance_id=None, items=[]), {}
    current = current_version(chain)
    ids = {i.pk: i.instance_id for i in chain}
    by_version: dict[int, list[StoredFile]] = {}
    for f in repository.files_of(session, list(ids)):
        by_version.setdefault(f.instance_pk, []).append(f)
    chosen, named = current_files(
        chain,
        by_version,
        lambda stored: referenced_names(current.xml, _item_ids(session, survey_id), stored),
        always_named=True,
    )
    found: dict[str, Found] = {}
    items: list[AttachmentOut] = []
    for name in sorted(set(chosen) | set(named)):
        hit = chosen.get(name)
        if hit is None:
            items.append(AttachmentOut(name=name, exists=False, referenced=True))
            continue
        out = AttachmentOut(
            name=name,
            exists=True,
            referenced=name in named,
            size=hit.size,
            content_type=hit.content_type,
            sha256=hit.sha256,
            received_at=hit.received_at,
            instance_id=ids[hit.instance_pk],
        )
        items.append(out)
        found[name] = Found(out, hit)
    return AttachmentList(submission_id=sid, instance_id=current.instance_id, items=items), found


def list_attachments(
    session: Session, survey_id: int, submission_id: str, caller: Principal
) -> AttachmentList:
    return _resolve(session, survey_id, submission_id, caller)[0]


def find(
    session: Session, survey_id: int, submission_id: str, name: str, caller: Principal
) -> Found:
    """The file ``name`` of the submission's current version; 404 naming what exists."""
    listing, found = _resolve(session, survey_id, submission_id, caller)
    hit = found.get(name)
    if hit is not None:
        return hit
    if any(a.name == name for a in listing.items):
        raise NotFound(
            f"attachment {name!r} of submission {submission_id} is named in its instance XML "
            "but has not been received yet; the device sends it when it sends the form again",
            code="attachment_missing",
        )
    have = ", ".join(repr(a.name) for a in listing.items if a.exists) or "none"
    raise NotFound(
        f"submission {submission_id} has no attachment named {name!r} (it has: {have}); "
        f"list them with GET /api/v1/surveys/{survey_id}/submissions/{submission_id}/attachments",
        code="attachment_not_found",
    )


def content(session: Session, hit: Found) -> bytes:
    data = repository.file_content(session, hit.file.pk)
    if data is None:  # deleted between the listing and this read
        raise NotFound(f"attachment {hit.out.name!r} is gone", code="attachment_not_found")
    return data


def media_type(hit: Found) -> str:
    """The type the device sent; guessed from the extension when it sent none useful."""
    sent = hit.file.content_type.strip()
    if _MEDIA_TYPE.fullmatch(sent) and sent.lower() != "application/octet-stream":
        return sent
    guessed, _ = mimetypes.guess_type(hit.out.name, strict=False)
    return guessed or "application/octet-stream"


# What the media export reads (api.exports.media), through this service rather than the
# repository: every instance and file of a survey, the versions of one submission, and the
# bytes of files one at a time.


def survey_instances(session: Session, survey_id: int) -> Iterator[Instance]:
    """Every instance received for the survey, without its XML, in the order received."""
    return repository.survey_instances(session, survey_id)


def survey_files(session: Session, survey_id: int) -> Iterator[StoredFile]:
    """The attachments of every instance of the survey, without their bytes."""
    return repository.survey_files(session, survey_id)


def instances_of(session: Session, survey_id: int, submission_id: str) -> list[InstanceXml]:
    """Every instance that became (a version of) this submission, newest first."""
    return repository.instances_of(session, survey_id, submission_id)


def file_contents(session: Session, file_pks: Iterable[int]) -> Iterator[tuple[int, bytes]]:
    """The bytes of these attachments, one file at a time, in the order given."""
    return repository.file_contents(session, file_pks)
