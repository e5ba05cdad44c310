"""Questionnaire models by database key, parsed once per process.

A published version is immutable (the API refuses a different document under the same
``id`` + ``version``), so caching the parsed model per row id is safe in every worker
(``api.process_cache``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.process_cache import ProcessCache, row_key
from api.questionnaires import repository
from survey.errors import NotFound
from survey.questionnaire.loader import load_questionnaire, parse_questionnaire, to_document
from survey.questionnaire.schema import Questionnaire

__all__ = ["build", "bundled_document", "get", "to_document"]

_cache: ProcessCache[tuple[str, int], Questionnaire] = ProcessCache("questionnaires")


def build(document: dict[str, Any]) -> Questionnaire:
    """Parse an uploaded document; every problem is reported with its JSON pointer."""
    return parse_questionnaire(document, source="upload")


def bundled_document(name: str) -> dict[str, Any] | None:
    """The document of a bundled questionnaire (``papi-2021``, ...), or None."""
    try:
        q = load_questionnaire(name)
    except NotFound:
        return None
    return to_document(q)


def get(session: Session, pk: int) -> Questionnaire:
    def load() -> Questionnaire:
        document = repository.document(session, pk)
        if document is None:
            raise NotFound(f"questionnaire row {pk} does not exist")
        return build(document)

    return _cache.get_or_load(row_key(session, pk), load)
