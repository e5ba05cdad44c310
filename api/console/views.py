"""What each console page shows, assembled from the API's services.

Every function takes the request's database session and the signed-in principal and calls
the same service functions as the matching API route, which check the caller's rights, so a
page shows exactly what the token may read through the API. Nothing here issues SQL nor
checks a permission itself (tests/test_architecture.py).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from api.auth import service as auth
from api.auth.schemas import Principal
from api.auth.service import Action
from api.console import tilemap
from api.questionnaires import catalog
from api.submissions import service as submissions
from api.submissions.records import Filters
from api.submissions.schemas import EventOut, History, SubmissionOut
from api.surveys import progress as progress_rules
from api.surveys import service as surveys
from api.surveys.schemas import Counts, SurveyOut
from survey.questionnaire.schema import Item, Questionnaire

LEVELS = ("province", "district", "commune", "village")
QUEUE_PAGE = 50


@functools.cache
def province_names() -> dict[str, str]:
    from survey.published import provinces

    df = provinces()
    return dict(zip(df["province"], df["name"], strict=True))


def may(principal: Principal, action: Action, survey_id: int | None = None) -> bool:
    """Whether ``principal`` may do ``action`` (to show a link or a form)."""
    return auth.allowed(principal, action, survey_id)


def survey_list(session: Session, caller: Principal) -> list[SurveyOut]:
    """The surveys the caller may see (as GET /api/v1/surveys)."""
    return [surveys.get_survey(session, sid).out for sid in surveys.survey_ids(session, caller)]


def survey(session: Session, caller: Principal, survey_id: int) -> SurveyOut:
    return surveys.read_survey(session, survey_id, caller)


# ------------------------------------------------------------------------------ progress


@dataclass(frozen=True, slots=True)
class Row:
    unit: str  # the unit's id (P01, P01-D03, ...)
    label: str
    counts: Counts
    drill: bool  # whether the unit has a level below it


@dataclass(frozen=True, slots=True)
class Bar:
    day: date
    n: int
    x: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class ProgressView:
    survey: SurveyOut
    level: str  # of the rows
    unit: str  # the scope ('' for the whole survey)
    crumbs: tuple[tuple[str, str], ...]  # (unit, label) from the top, the scope last
    total: Counts
    rows: tuple[Row, ...]
    bars: tuple[Bar, ...]
    busiest: int
    tiles: tuple[tilemap.Tile, ...]
    flagged: int
    flags: tuple[surveys.FlagCount, ...]
    at: datetime


CHART_WIDTH = 600
CHART_HEIGHT = 120


def _bars(days: list[tuple[date, int]]) -> tuple[tuple[Bar, ...], int]:
    if not days:
        return (), 0
    busiest = max(n for _, n in days)
    step = CHART_WIDTH / len(days)
    width = max(step * 0.8, 1.0)
    return (
        tuple(
            Bar(day=d, n=n, x=i * step, width=width, height=CHART_HEIGHT * n / busiest)
            for i, (d, n) in enumerate(days)
        ),
        busiest,
    )


def _from_id(village: str) -> tuple[str, str]:
    parts = village.split("-")
    if len(parts) >= 4:
        return "-".join(parts[:2]), "-".join(parts[:3])
    return "", ""


def _sum(quotas: list[int | None], statuses: list[Counts]) -> Counts:
    known = [q for q in quotas if q is not None]
    by_status: dict[str, int] = defaultdict(int)
    for c in statuses:
        for s in progress_rules.STATUSES:
            by_status[s] += getattr(c, s)
    return Counts.model_validate(progress_rules.counts_of(sum(known) if known else None, by_status))


def progress_view(
    session: Session, caller: Principal, survey_id: int, unit: str, now: datetime
) -> ProgressView:
    """Progress of the survey (``unit`` '') or of one province, district or commune in it."""
    prog = surveys.progress_for(session, survey_id, caller)
    record = surveys.get_survey(session, survey_id)
    names = province_names()
    quality = surveys.quality_flags(session, survey_id)
    bars, busiest = _bars(surveys.interviews_per_day(session, survey_id))
    tiles = tilemap.tiles(
        {p.province: p.complete for p in prog.provinces},
        names,
        size=TILE,
        gap=TILE_GAP,
    )
    base: dict[str, Any] = {
        "survey": record.out,
        "bars": bars,
        "busiest": busiest,
        "tiles": tuple(tiles),
        "flagged": quality.flagged,
        "flags": quality.flags,
        "at": now,
    }
    if not unit:
        rows = tuple(
            Row(p.province, f"{p.province} {names.get(p.province, '')}".strip(), p, True)
            for p in prog.provinces
        )
        return ProgressView(
            level="province", unit="", crumbs=(), total=prog.total, rows=rows, **base
        )
    province = next((p for p in prog.provinces if p.province == unit.split("-")[0]), None)
    if province is None:
        from survey.errors import NotFound

        raise NotFound(f"survey {survey_id} has no interview or sampled village in {unit}")
    depth = min(unit.count("-") + 1, 3)  # 1 province, 2 district, 3 commune
    members: dict[str, list[tuple[int | None, Counts]]] = defaultdict(list)
    index = {str(u["village"]): (str(u["district"]), str(u["commune"])) for u in record.sample}
    for v in province.villages:
        # the village's district and commune: from the sample, else from its hierarchical id
        district, commune = index.get(v.village) or _from_id(v.village)
        chain = (province.province, district, commune, v.village)
        if depth > 1 and chain[depth - 1] != unit:
            continue
        members[chain[depth] or "?"].append((v.quota, v))
    if depth > 1 and not members:
        from survey.errors import NotFound

        raise NotFound(f"survey {survey_id} has no interview or sampled village in {unit}")
    rows = tuple(
        Row(
            key,
            key,
            _sum([q for q, _ in group], [c for _, c in group]) if depth < 3 else group[0][1],
            depth < 3,
        )
        for key, group in sorted(members.items())
    )
    label = f"{province.province} {names.get(province.province, '')}".strip()
    crumbs: list[tuple[str, str]] = [(province.province, label)]
    if depth >= 2:
        crumbs.append(("-".join(unit.split("-")[:2]), "-".join(unit.split("-")[:2])))
    if depth >= 3:
        crumbs.append((unit, unit))
    total: Counts = (
        province if depth == 1 else _sum([r.counts.quota for r in rows], [r.counts for r in rows])
    )
    return ProgressView(
        level=LEVELS[depth], unit=unit, crumbs=tuple(crumbs), total=total, rows=rows, **base
    )


TILE = 30
TILE_GAP = 3

# ------------------------------------------------------------------------------- review


@dataclass(frozen=True, slots=True)
class QueueView:
    items: tuple[SubmissionOut, ...]
    next_cursor: str | None
    flag_codes: tuple[str, ...]  # the survey's flag codes (for the filter)


def queue_filters(
    flag: str | None,
    province: str | None,
    village: str | None,
    enumerator: str | None,
    status: str | None,
) -> Filters:
    """The review queue's filters: flagged interviews; ``status`` 'open' (the default) keeps
    those not yet approved or rejected, '' or 'any' every status."""
    return Filters(
        status=None if status in (None, "", "any", "open") else status,
        unreviewed=status == "open",
        submitted_by=enumerator or None,
        province=province or None,
        village=village or None,
        flag=flag or None,
        flagged=True,
    )


def queue(
    session: Session, caller: Principal, survey_id: int, filters: Filters, cursor: str | None
) -> QueueView:
    page = submissions.list_page(session, survey_id, caller, filters, cursor, QUEUE_PAGE)
    codes = (
        tuple(f.code for f in surveys.quality_flags(session, survey_id).flags)
        if may(caller, Action.progress, survey_id)
        else ()
    )
    return QueueView(tuple(page.items), page.next_cursor, codes)


@dataclass(frozen=True, slots=True)
class AnswerRow:
    item: str
    label: str
    section: str
    text: str
    kind: str  # answer | skipped | special


@dataclass(frozen=True, slots=True)
class Change:
    pointer: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class HistoryRow:
    event: EventOut
    changes: tuple[Change, ...]
    comment: str | None
    review: tuple[str, str] | None  # (from, to)


@dataclass(frozen=True, slots=True)
class InterviewView:
    survey: SurveyOut
    submission: SubmissionOut
    answers: tuple[AnswerRow, ...]
    minutes: float | None
    history: tuple[HistoryRow, ...]
    previous: str | None
    next: str | None
    can_review: bool


def _value_text(
    q: Questionnaire, item: Item, value: Any, lang: str, t: Callable[[str], str]
) -> tuple[str, str]:
    if value is None:
        return t("skipped"), "skipped"
    special = {code: name for name, code in q.allowed_special(item).items()}
    if not isinstance(value, list) and value in special:
        key = "special_" + special[value]
        name = t(key) if key in _special_keys() else special[value]
        return f"{value} ({name})", "special"
    choices = {c.code: getattr(c.label, lang) for c in q.choices_of(item)}
    if choices:
        values = value if isinstance(value, list) else [value]
        return "; ".join(f"{v} — {choices[v]}" if v in choices else str(v) for v in values), (
            "answer"
        )
    return str(value), "answer"


@functools.cache
def _special_keys() -> frozenset[str]:
    from api.console.i18n import STRINGS

    return frozenset(k for k in STRINGS if k.startswith("special_"))


def _minutes(sub: SubmissionOut) -> float | None:
    p = sub.paradata
    if p.start is None or p.end is None:
        return None
    try:
        return (p.end - p.start).total_seconds() / 60.0
    except TypeError:
        return None


def _history(h: History) -> tuple[HistoryRow, ...]:
    rows = []
    for e in h.events:
        changes = tuple(
            Change(str(c.get("pointer", "")), _short(c.get("old")), _short(c.get("new")))
            for c in e.detail.get("changes", [])
        )
        review = (
            (str(e.detail.get("from")), str(e.detail.get("to"))) if e.action == "review" else None
        )
        rows.append(HistoryRow(e, changes, e.detail.get("comment"), review))
    return tuple(rows)


def _short(value: Any) -> str:
    text = "—" if value is None else str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def interview(
    session: Session,
    caller: Principal,
    survey_id: int,
    submission_id: str,
    filters: Filters,
    lang: str,
    t: Callable[[str], str],
) -> InterviewView:
    """One interview: answers in questionnaire order with labels, paradata, flags, history,
    and its neighbours in the review queue (``filters``)."""
    stored = submissions.get_one(session, survey_id, submission_id, caller)
    sub = submissions.to_out(stored)
    record = surveys.get_survey(session, survey_id)
    q = catalog.get(session, record.questionnaire_pk)
    answers = []
    for item in q.items:
        text, kind = _value_text(q, item, sub.answers.get(item.id), lang, t)
        answers.append(
            AnswerRow(item.id, getattr(item.label, lang), item.section or "", text, kind)
        )
    hist = submissions.history(session, survey_id, submission_id, caller)
    previous, nxt = submissions.neighbours(session, survey_id, caller, filters, stored)
    return InterviewView(
        survey=record.out,
        submission=sub,
        answers=tuple(answers),
        minutes=_minutes(sub),
        history=_history(hist),
        previous=previous,
        next=nxt,
        can_review=may(caller, Action.review, survey_id),
    )


# --------------------------------------------------------------------------- enumerators


def enumerators(
    session: Session, caller: Principal, survey_id: int
) -> list[surveys.SubmitterActivity]:
    return surveys.activity_for(session, survey_id, caller)
