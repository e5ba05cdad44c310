"""Questionnaire response models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class QuestionnaireOut(BaseModel):
    id: str = Field(description="questionnaire id, e.g. papi-2021")
    version: str
    year: int | None
    content_hash: str = Field(description="SHA-256 of the canonical JSON document")
    items: int = Field(description="number of items")
    created_at: datetime
    created_by: str
