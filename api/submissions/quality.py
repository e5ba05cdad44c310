"""Quality flags computed when an interview arrives.

- ``too_fast``: the paradata's end − start is shorter than ``min_interview_seconds``
  (or the end precedes the start).
- ``straight_lining``: at least ``straightline_min_items`` rating items of one section
  (one battery) answered, every one with the same value.
- ``duplicate_respondent``: another interview of the survey in the same village has the same
  respondent key, the SHA-256 of the village and the demographic answers (sex, age,
  ethnicity, ...): the same person interviewed twice, or one interview entered twice under
  two submission ids.
- ``location_mismatch``: the ``location`` block and the questionnaire's own location answers
  (``province_code``, ``district``, ``commune``, ``village``, where the questionnaire has
  them) name different places, e.g. a tablet's assignment for P99 carrying answers from Hai
  Phong (20 = P20). Kept and flagged, not refused: progress and the export follow
  ``location``, so a supervisor corrects whichever is wrong (PATCH) before scoring.
- ``outside_constraints``: answers that break a questionnaire constraint (a ``constraint``
  expression or a min/max bound). They are kept, flagged and set to ``has_issues`` for a
  supervisor, because the interview already happened and cannot be repeated; malformed
  answers (unknown item, wrong type, a code not among the choices, a missing required
  answer) are refused with 422. Which is which is a rule of the library
  (``survey.validation.answer_rules.severity``, applied by ``survey.validation.response.verdict``), so that
  ``verdict(q, answers)`` gives the server's answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.canonical import canonical_json
from survey.errors import NotFound
from survey.geography import to_new
from survey.questionnaire.schema import Questionnaire

_DEMOGRAPHIC_IDS = (
    "sex",
    "age",
    "ethnicity",
    "education",
    "occupation",
    "household_size",
    "household_adults",
)
_KEY_TYPES = {"single_choice", "integer", "yes_no", "rating", "multiple_choice", "decimal"}


@dataclass(frozen=True, slots=True)
class Profile:
    """What the flags need from a questionnaire, derived once per questionnaire."""

    batteries: tuple[tuple[str, tuple[str, ...]], ...]  # section → rating item ids
    demographic_ids: tuple[str, ...]
    special_values: frozenset[int]
    location_items: tuple[str, ...] = ()  # of LOCATION_ITEMS, those the questionnaire has


LOCATION_ITEMS = ("province_code", "district", "commune", "village")


def profile(q: Questionnaire) -> Profile:
    cached = q.cached("api:quality-profile")
    if isinstance(cached, Profile):
        return cached
    sections: dict[str, list[str]] = {}
    for item in q.items:
        if item.type == "rating":
            sections.setdefault(item.section or "(none)", []).append(item.id)
    demo = [
        i.id
        for i in q.items
        if i.section and i.section.lower().startswith("demograph") and i.type in _KEY_TYPES
    ]
    if not demo:
        demo = [i for i in _DEMOGRAPHIC_IDS if q.has_item(i)]
    built = Profile(
        batteries=tuple((s, tuple(ids)) for s, ids in sections.items()),
        demographic_ids=tuple(demo),
        special_values=frozenset(q.special_codes.values()),
        location_items=tuple(i for i in LOCATION_ITEMS if q.has_item(i)),
    )
    q.store("api:quality-profile", built)
    return built


def respondent_key(p: Profile, village: str | None, answers: Mapping[str, Any]) -> str | None:
    if not village or not p.demographic_ids:
        return None
    values = [answers.get(i) for i in p.demographic_ids]
    if all(v is None for v in values):
        return None
    return hashlib.sha256(canonical_json([village, values]).encode()).hexdigest()


def arrival_flags(
    p: Profile,
    answers: Mapping[str, Any],
    duration_seconds: float | None,
    min_seconds: float,
    min_items: int,
    soft_issues: list[dict[str, str]],
) -> list[dict[str, str]]:
    """Flags that depend on the submission alone (the duplicate check needs the store)."""
    flags: list[dict[str, str]] = []
    if duration_seconds is not None and duration_seconds < min_seconds:
        flags.append(
            {
                "code": "too_fast",
                "message": f"the interview took {duration_seconds:.0f} s "
                f"(paradata end - start); expected at least {min_seconds:.0f} s",
                "pointer": "/paradata/end",
            }
        )
    for section, ids in p.batteries:
        values = [answers.get(i) for i in ids]
        real = [v for v in values if isinstance(v, int) and v not in p.special_values]
        if len(real) >= min_items and len(set(real)) == 1:
            flags.append(
                {
                    "code": "straight_lining",
                    "message": f"all {len(real)} rating items of section {section!r} "
                    f"answered {real[0]}",
                    "pointer": f"/answers/{ids[0]}",
                }
            )
    for issue in soft_issues:
        flags.append(
            {
                "code": "outside_constraints",
                "message": issue["message"],
                "pointer": issue["pointer"],
            }
        )
    return flags


def _same_province(location: str, answered: str) -> bool:
    """The location's province is the answered one, or (2025 geography, N01…) the new
    province the answered former one (P01…P63, the questionnaire's list) is now part of."""
    if location == answered:
        return True
    if not location.startswith("N"):
        return False
    try:
        return to_new([answered]) == [location]
    except NotFound:
        return False


def location_flags(
    p: Profile, location: Mapping[str, str | None], answers: Mapping[str, Any]
) -> list[dict[str, str]]:
    """``location_mismatch`` for each location level the answers contradict (an unanswered
    or special-coded location item says nothing)."""
    flags: list[dict[str, str]] = []
    for item in p.location_items:
        value = answers.get(item)
        if value is None or (isinstance(value, int) and value in p.special_values):
            continue
        if item == "province_code":
            if not isinstance(value, int) or isinstance(value, bool):
                continue
            level, expected = "province", f"P{value:02d}"
        else:
            level, expected = item, str(value)
        given = location.get(level)
        if level == "province" and given is not None and _same_province(given, expected):
            continue
        if given is not None and given != expected:
            flags.append(
                {
                    "code": "location_mismatch",
                    "message": f"location {level} is {given!r} but answer {item} is "
                    f"{value!r} ({expected}); correct the wrong one",
                    "pointer": f"/location/{level}",
                }
            )
    return flags


def duplicate_flag(other_submission_id: str) -> dict[str, str]:
    return {
        "code": "duplicate_respondent",
        "message": f"same village and demographic answers as submission {other_submission_id}",
        "pointer": "/location/village",
    }
