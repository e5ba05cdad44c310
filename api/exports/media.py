"""Export with media (ODK Central's "export with media"): one ZIP with the survey's CSV
export and the files ODK clients sent with the exported submissions.

Layout of the archive::

    survey-<id>.csv                    the same bytes as ``format=csv`` with the same filters
    media/<submission_id>/<file name>  every stored file of each exported submission
    media/manifest.csv                 submission_id, name, path, size, sha256, content_type

- Which files: those the attachment listing of the submission shows as existing
  (:mod:`api.openrosa.attachments`): the files of its current version, and the files an edit
  still names but did not send again, taken from the newest earlier version that has them.
  A submission sent as JSON has no files.
- File names are made safe for an archive: path separators (``/``, ``\\``), control
  characters and the characters Windows refuses become ``_``, and ``.``/``..`` are prefixed
  with ``_``, so an entry never leaves ``media/<submission_id>/``; names that then clash
  (also by case, for case-insensitive file systems) get ``~2``, ``~3`` before the extension.
  The manifest keeps the stored ``name`` next to the archive ``path``.
- Memory: file bytes are read from the database one file at a time and written to the
  archive at once; the caller chooses where the archive goes (a spooled temporary file for
  the HTTP response, the output file for ``papi export``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO

from sqlalchemy.orm import Session

from api.exports.formats import CSV_LINE_TERMINATOR, ExportFormat, csv_safe, encode
from api.exports.service import survey_frame
from api.openrosa import attachments
from api.openrosa.attachments import current_files, current_version, referenced_names
from api.openrosa.records import Instance, StoredFile
from api.questionnaires import catalog
from api.submissions.records import Filters
from api.surveys.service import get_survey

MANIFEST_COLUMNS = ("submission_id", "name", "path", "size", "sha256", "content_type")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
# Already compressed media are stored as they are; text-like files are deflated.
_DEFLATED = frozenset({"csv", "txt", "json", "geojson", "kml", "xml", "svg", "wav", "bmp"})


@dataclass(frozen=True, slots=True)
class MediaFile:
    """One file of the archive: the submission, its stored metadata, its archive path."""

    submission_id: str
    file: StoredFile
    path: str


@dataclass(frozen=True, slots=True)
class MediaExport:
    """What was written: the data rows and the files."""

    rows: int
    columns: int
    files: int
    bytes: int


def safe_name(name: str) -> str:
    """``name`` as one path component of an archive (see the module docstring)."""
    cleaned = _UNSAFE.sub("_", name).strip()
    if cleaned in {"", ".", ".."}:
        return "_" + cleaned
    return cleaned


def _deduplicated(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not stem:  # no extension, or a dot file such as ".hidden"
        stem, dot, ext = name, "", ""
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem}~{n}{dot}{ext}"
    taken.add(candidate.lower())
    return candidate


def media_files(session: Session, survey_id: int, submission_ids: Sequence[str]) -> list[MediaFile]:
    """The files of these submissions (in their order, then by name), without their bytes."""
    wanted = set(submission_ids)
    chains: dict[str, list[Instance]] = {}
    for inst in attachments.survey_instances(session, survey_id):
        if inst.submission_id in wanted:
            chains.setdefault(inst.submission_id, []).append(inst)
    if not chains:
        return []
    wanted_pks = {i.pk for chain in chains.values() for i in chain}
    by_instance: dict[int, list[StoredFile]] = {}
    for f in attachments.survey_files(session, survey_id):
        if f.instance_pk in wanted_pks:
            by_instance.setdefault(f.instance_pk, []).append(f)
    item_ids: frozenset[str] | None = None
    out: list[MediaFile] = []
    for sid in submission_ids:
        chain = sorted(chains.get(sid, []), key=lambda i: i.pk, reverse=True)
        if not chain:
            continue
        current = current_version(chain)

        def referenced(stored: set[str], sid: str = sid, pk: int = current.pk) -> list[str]:
            nonlocal item_ids
            if item_ids is None:
                q = catalog.get(session, get_survey(session, survey_id).questionnaire_pk)
                item_ids = frozenset(it.id for it in q.items)
            versions = attachments.instances_of(session, survey_id, sid)
            xml = next((v.xml for v in versions if v.pk == pk), b"")
            return referenced_names(xml, item_ids, stored)

        chosen, _ = current_files(chain, by_instance, referenced)
        folder = f"media/{safe_name(sid)}/"
        taken: set[str] = set()
        for name in sorted(chosen):
            path = folder + _deduplicated(safe_name(name), taken)
            out.append(MediaFile(sid, chosen[name], path))
    return out


def _entry(path: str, when: datetime, deflate: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=when.astimezone(UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def write_media_zip(
    session: Session,
    survey_id: int,
    out: IO[bytes],
    *,
    include_rejected: bool = False,
    filters: Filters | None = None,
) -> MediaExport:
    """Write the archive of the module docstring to ``out`` (seekable or not)."""
    df, q = survey_frame(session, survey_id, include_rejected=include_rejected, filters=filters)
    now = datetime.now(UTC)
    files = media_files(session, survey_id, [str(s) for s in df["submission_id"]])
    by_pk = {m.file.pk: m for m in files}
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator=CSV_LINE_TERMINATOR)
    writer.writerow(MANIFEST_COLUMNS)
    written = total = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        zf.writestr(_entry(f"survey-{survey_id}.csv", now, True), encode(df, q, ExportFormat.csv))
        for pk, content in attachments.file_contents(session, [m.file.pk for m in files]):
            m = by_pk[pk]
            ext = m.path.rpartition(".")[2].lower()
            zf.writestr(_entry(m.path, m.file.received_at, ext in _DEFLATED), content)
            digest = hashlib.sha256(content).hexdigest()
            row = (m.submission_id, m.file.name, m.path, len(content), digest, m.file.content_type)
            writer.writerow([csv_safe(cell) for cell in row])
            written += 1
            total += len(content)
        zf.writestr(_entry("media/manifest.csv", now, True), manifest.getvalue().encode("utf-8"))
    return MediaExport(rows=len(df), columns=df.shape[1], files=written, bytes=total)
