"""Survey request/response models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

UnitId = str
Quota = Annotated[int, Field(ge=0, le=10_000_000)]


class SampleUnit(BaseModel):
    """One sampled village with its location and (optional) stage inclusion probabilities."""

    model_config = ConfigDict(extra="forbid")

    province: str = Field(min_length=1, max_length=20, examples=["P01"])
    district: str = Field(min_length=1, max_length=60)
    commune: str = Field(min_length=1, max_length=60)
    village: str = Field(min_length=1, max_length=60, examples=["P01-D03-C02-V01"])
    prob_district: float | None = Field(default=None, gt=0, le=1)
    prob_commune: float | None = Field(default=None, gt=0, le=1)
    prob_village: float | None = Field(default=None, gt=0, le=1)
    prob_person: float | None = Field(default=None, gt=0, le=1)
    stratum: str | None = Field(default=None, max_length=60)
    psu: str | None = Field(default=None, max_length=60)
    former_province: str | None = Field(
        default=None,
        max_length=20,
        description="2025 geography: the province (P01…P63) the village was in until June "
        "2025, the domain that continues a new province's history",
        examples=["P19"],
    )
    quota: int | None = Field(
        default=None, ge=0, le=10_000_000, description="interviews wanted here"
    )


class SurveyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questionnaire: str = Field(
        min_length=1,
        max_length=100,
        description="questionnaire id; a bundled one (papi-2021, ...) is registered on first use",
        examples=["papi-2021"],
    )
    questionnaire_version: str | None = Field(default=None, max_length=50)
    year: int = Field(ge=1990, le=2100, examples=[2026])
    name: str = Field(min_length=1, max_length=200, examples=["PAPI 2026 pilot"])
    geography: Literal["2018", "2025"] | None = Field(
        default=None,
        description="administrative geography of the sample: 2018 (63 provinces P01…, "
        "districts) or 2025 (34 provinces N01…, communes/wards); default: that of the "
        "sample's province codes, else by year (2025 on → 2025). docs/geography.md",
        examples=["2025"],
    )
    sample: list[SampleUnit] = Field(default_factory=list, max_length=100_000)
    quotas: dict[Annotated[str, Field(min_length=1, max_length=60)], Quota] = Field(
        default_factory=dict,
        description="target interviews per village or province id (adds to sample quotas)",
    )


class QuestionnaireRef(BaseModel):
    id: str
    version: str


class SurveyOut(BaseModel):
    id: int
    name: str
    year: int
    questionnaire: QuestionnaireRef
    geography: str = Field(description="2018 (63 provinces) or 2025 (34 provinces)")
    villages: int = Field(description="number of sampled villages")
    quotas: dict[UnitId, int]
    created_at: datetime
    created_by: str


class Counts(BaseModel):
    quota: int | None
    submitted: int
    received: int
    has_issues: int
    approved: int
    rejected: int
    complete: float | None = Field(description="(submitted - rejected) / quota")


class VillageProgress(Counts):
    village: str


class ProvinceProgress(Counts):
    province: str
    villages: list[VillageProgress]


class Progress(BaseModel):
    survey_id: int
    total: Counts
    provinces: list[ProvinceProgress]


class FlagCountOut(BaseModel):
    code: str = Field(description="quality flag code (too_fast, straight_lining, …)")
    submissions: int = Field(description="submissions (current versions) carrying the flag")
    unreviewed: int = Field(description="of those, not yet approved or rejected")


class QualitySummary(BaseModel):
    survey_id: int
    flagged: int = Field(description="submissions with at least one quality flag")
    flags: list[FlagCountOut] = Field(description="most frequent first")
