"""Creating surveys and reporting their progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from api.auth.schemas import Principal
from api.auth.service import Action, authorize
from api.problems import Unprocessable
from api.process_cache import ProcessCache, row_key
from api.questionnaires import service as questionnaires
from api.surveys import progress, repository
from api.surveys.repository import StoredSurvey
from api.surveys.schemas import Progress, QuestionnaireRef, SurveyCreate, SurveyOut
from survey.errors import NotFound, Problem
from survey.geography import geography_of, parse_geography, vintage


def survey_geography(spec: SurveyCreate) -> str:
    """The geography a survey records: as given; else that of its sample's province codes
    (P01… → 2018, N01… → 2025; the codes never collide); else by year (2025 on → 2025)."""
    if spec.geography is not None:
        return spec.geography
    return geography_of(u.province for u in spec.sample) or parse_geography(spec.year)


def check_sample_geography(spec: SurveyCreate, geography: str) -> None:
    """Every sampled province must be a province of the survey's geography (422 with a
    pointer to each offending unit)."""
    known = set(vintage(geography).codes)
    bad = [(i, u.province) for i, u in enumerate(spec.sample) if u.province not in known]
    if not bad:
        return
    other = "2025" if geography == "2018" else "2018"
    problems = [
        Problem(
            f"/sample/{i}/province",
            "province_not_in_geography",
            f"{code!r} is not a province of the {geography} geography"
            + (
                f" (it is one of {other}: set geography to {other})"
                if code in set(vintage(other).codes)
                else ""
            ),
        )
        for i, code in bad[:20]
    ]
    raise Unprocessable(
        f"{len(bad)} sampled village(s) lie in provinces outside the {geography} geography "
        f"({geography}: {'P01…P63' if geography == '2018' else 'N01…N96'}); set `geography` "
        "to the sample's",
        code="province_not_in_geography",
        problems=tuple(problems),
    )


def check_create(caller: Principal) -> None:
    """403 unless ``caller`` may create surveys (an unscoped admin); a form checks it before
    reading its uploads."""
    authorize(caller, Action.manage)


def create_survey(session: Session, spec: SurveyCreate, caller: Principal) -> SurveyOut:
    """Create the survey (``caller`` must be an admin: 403 otherwise)."""
    check_create(caller)
    q = questionnaires.resolve(session, spec.questionnaire, spec.questionnaire_version, caller.name)
    quotas = dict(spec.quotas)
    for unit in spec.sample:
        if unit.quota is not None:
            quotas[unit.village] = unit.quota
    sample = [u.model_dump(mode="json") for u in spec.sample]
    geography = survey_geography(spec)
    check_sample_geography(spec, geography)
    survey_id = repository.insert(
        session,
        spec.name,
        spec.year,
        q.pk,
        sample,
        quotas,
        datetime.now(UTC),
        caller.name,
        geography,
    )
    return get_survey(session, survey_id).out


def survey_ids(session: Session, caller: Principal) -> list[int]:
    """The ids of the surveys ``caller`` may see (its own survey, when scoped), in order."""
    return repository.list_ids(session, caller.survey_id)


def all_survey_ids(session: Session) -> list[int]:
    """The ids of every survey, in order (the command line, which runs as the operator)."""
    return repository.list_ids(session, None)


def visible_surveys(session: Session, caller: Principal) -> list[SurveyOut]:
    """The surveys ``caller`` may see, in id order."""
    return [get_survey(session, sid).out for sid in survey_ids(session, caller)]


def read_survey(session: Session, survey_id: int, caller: Principal) -> SurveyOut:
    """One survey, when ``caller`` may read it (404 before 403)."""
    record = get_survey(session, survey_id)
    authorize(caller, Action.read, survey_id)
    return record.out


def progress_for(session: Session, survey_id: int, caller: Principal) -> Progress:
    """``survey_progress``, when ``caller`` may follow the survey's progress (404 before 403)."""
    get_survey(session, survey_id)
    authorize(caller, Action.progress, survey_id)
    return survey_progress(session, survey_id)


def activity_for(session: Session, survey_id: int, caller: Principal) -> list[SubmitterActivity]:
    """``submitter_activity``, when ``caller`` may follow the survey's progress (404 before
    403)."""
    get_survey(session, survey_id)
    authorize(caller, Action.progress, survey_id)
    return submitter_activity(session, survey_id)


def quality_for(session: Session, survey_id: int, caller: Principal) -> FlagSummary:
    """``quality_flags``, when ``caller`` may follow the survey's progress (404 before 403)."""
    get_survey(session, survey_id)
    authorize(caller, Action.progress, survey_id)
    return quality_flags(session, survey_id)


@dataclass(frozen=True, slots=True)
class SurveyRecord:
    """A survey: its API view, its questionnaire's key and its sample."""

    out: SurveyOut
    questionnaire_pk: int
    sample: list[dict[str, Any]]


def _record(stored: StoredSurvey) -> SurveyRecord:
    out = SurveyOut(
        id=stored.id,
        name=stored.name,
        year=stored.year,
        questionnaire=QuestionnaireRef(
            id=stored.questionnaire_id, version=stored.questionnaire_version
        ),
        geography=stored.geography,
        villages=len(stored.sample),
        quotas=stored.quotas,
        created_at=stored.created_at,
        created_by=stored.created_by,
    )
    return SurveyRecord(out=out, questionnaire_pk=stored.questionnaire_pk, sample=stored.sample)


_cache: ProcessCache[tuple[str, int], SurveyRecord] = ProcessCache("surveys")


def get_survey(session: Session, survey_id: int) -> SurveyRecord:
    """The survey (404 when unknown). A survey is never changed once created, so each
    process keeps the records it has read."""

    def load() -> SurveyRecord:
        stored = repository.get(session, survey_id)
        if stored is None:
            raise NotFound(
                f"survey {survey_id} does not exist; list surveys with GET /api/v1/surveys"
            )
        return _record(stored)

    return _cache.get_or_load(row_key(session, survey_id), load)


def survey_progress(session: Session, survey_id: int) -> Progress:
    record = get_survey(session, survey_id)
    sample_villages = {u["village"]: u["province"] for u in record.sample}
    # quota keys are village ids (P01-D03-C02-V01, always hierarchical) or province codes (P01)
    village_quota: dict[str, int] = {}
    province_quota: dict[str, int] = {}
    for key, n in record.out.quotas.items():
        (village_quota if key in sample_villages or "-" in key else province_quota)[key] = n
    total, provinces = progress.build(
        repository.status_counts(session, survey_id),
        sample_villages,
        village_quota,
        province_quota,
    )
    return Progress(survey_id=survey_id, total=total, provinces=provinces)


@dataclass(frozen=True, slots=True)
class FlagCount:
    """Submissions of a survey carrying one quality flag; ``open``: not yet approved or
    rejected by a supervisor."""

    code: str
    submissions: int
    open: int


@dataclass(frozen=True, slots=True)
class FlagSummary:
    flagged: int  # submissions with at least one flag
    flags: tuple[FlagCount, ...]  # most frequent first


_REVIEWED = frozenset({"approved", "rejected"})


def quality_flags(session: Session, survey_id: int) -> FlagSummary:
    """How many of the survey's submissions (current versions) carry each quality flag."""
    get_survey(session, survey_id)
    flagged = 0
    total: dict[str, int] = {}
    open_: dict[str, int] = {}
    for codes, status, n in repository.flag_counts(session, survey_id):
        flagged += n
        for code in filter(None, codes.split(",")):
            total[code] = total.get(code, 0) + n
            if status not in _REVIEWED:
                open_[code] = open_.get(code, 0) + n
    counts = sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))
    return FlagSummary(
        flagged=flagged,
        flags=tuple(FlagCount(code, n, open_.get(code, 0)) for code, n in counts),
    )


def interviews_per_day(session: Session, survey_id: int) -> list[tuple[date, int]]:
    """The survey's submissions (current versions) per day received (UTC), oldest first."""
    get_survey(session, survey_id)
    return [(date.fromisoformat(d), n) for d, n in repository.daily_counts(session, survey_id)]


@dataclass(frozen=True, slots=True)
class SubmitterActivity:
    """What one token (by its holder's name) submitted to a survey.

    ``median_minutes``: median of paradata end - start over the interviews that have both
    (None when none has); ``flag_rate``: share of its submissions with a quality flag."""

    name: str
    interviews: int
    flagged: int
    per_day: tuple[tuple[date, int], ...]  # oldest first
    median_minutes: float | None
    last_seen: datetime

    @property
    def flag_rate(self) -> float:
        return self.flagged / self.interviews if self.interviews else 0.0


def submitter_activity(session: Session, survey_id: int) -> list[SubmitterActivity]:
    """Per submitting token of the survey: interviews per day, median interview length, flag
    rate and the last submission's time; most interviews first."""
    get_survey(session, survey_id)
    days: dict[str, list[tuple[date, int]]] = {}
    flagged: dict[str, int] = {}
    last: dict[str, datetime] = {}
    for name, day, n, n_flagged, seen in repository.submitter_days(session, survey_id):
        days.setdefault(name, []).append((date.fromisoformat(day), n))
        flagged[name] = flagged.get(name, 0) + n_flagged
        last[name] = max(last.get(name, seen), seen)
    medians = repository.median_seconds(session, survey_id)
    out = [
        SubmitterActivity(
            name=name,
            interviews=sum(n for _, n in per_day),
            flagged=flagged[name],
            per_day=tuple(sorted(per_day)),
            median_minutes=medians[name] / 60.0 if name in medians else None,
            last_seen=last[name],
        )
        for name, per_day in days.items()
    ]
    return sorted(out, key=lambda a: (-a.interviews, a.name))
