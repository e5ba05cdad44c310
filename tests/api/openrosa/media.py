"""Instances with files for the attachment tests (the listing route and the export with media)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from survey.questionnaire.schema import Questionnaire

AUDIT = b"event,node,start,end\nform start,,1700000000000,\n"
EXTRA = b"\x89not referenced by any field"


def instance_xml(
    q: Questionnaire,
    answers: dict[str, Any],
    instance_id: str,
    fields: dict[str, str],
    *,
    audit: str | None = None,
    deprecated_id: str | None = None,
) -> bytes:
    """An instance whose extra fields (photo, audio; not questionnaire items) name files."""
    cells = "".join(
        f"<{k}>{escape(' '.join(map(str, v)) if isinstance(v, list) else str(v))}</{k}>"
        for k, v in (answers | fields).items()
    )
    meta = f"<instanceID>{instance_id}</instanceID>"
    meta += f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    meta += f"<audit>{audit}</audit>" if audit else ""
    return f'<data id="{q.id}" version="{q.version}">{cells}<meta>{meta}</meta></data>'.encode()
