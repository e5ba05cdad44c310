"""The bundled PAPI questionnaires (fixtures/questionnaires/papi-{2018,2019,2021}.yaml).

Outside references: the structure per year (k per dimension) and the sub-dimension codes and
names come from the published scores (fixtures/published/: subdimensions_codebook.csv and
the README's "Structure by year"), the dimension names from the PAPI reports (as quoted in
docs/method.md "Structure"), the province list from fixtures/published/provinces.csv.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from survey import Questionnaire, load_questionnaire
from survey.conditions.evaluate import evaluate
from survey.conditions.expressions import referenced_items
from survey.published import codebook, provinces
from survey.validation import validate_response

ROOT = Path(__file__).resolve().parents[2]
QDIR = ROOT / "fixtures" / "questionnaires"
YEARS = (2018, 2019, 2021)

K = {
    2018: (4, 4, 3, 4, 4, 4, 3, 2),
    2019: (4, 4, 3, 4, 4, 4, 3, 3),
    2021: (4, 4, 3, 4, 3, 4, 3, 3),
}
DIMENSIONS = {
    "D1": ("Participation at Local Levels", "Tham gia của người dân ở cấp cơ sở"),
    "D2": (
        "Transparency in Local Decision-making",
        "Công khai, minh bạch trong việc ra quyết định ở địa phương",
    ),
    "D3": ("Vertical Accountability Towards Citizens", "Trách nhiệm giải trình với người dân"),
    "D4": ("Control of Corruption in the Public Sector", "Kiểm soát tham nhũng trong khu vực công"),
    "D5": ("Public Administrative Procedures", "Thủ tục hành chính công"),
    "D6": ("Public Service Delivery", "Cung ứng dịch vụ công"),
    "D7": ("Environmental Governance", "Quản trị môi trường"),
    "D8": ("E-Governance", "Quản trị điện tử"),
}
SIM_KEYS = {
    "sim_p_yes",
    "sim_probs",
    "sim_p_select",
    "sim_mean",
    "sim_sd",
    "sim_from",
    "format",
    "sim_days_before_interview",
    "sim_text",
}


@pytest.fixture(scope="module", params=YEARS, ids=[f"papi-{y}" for y in YEARS])
def papi(request: pytest.FixtureRequest) -> Questionnaire:
    return load_questionnaire(f"papi-{request.param}")


@pytest.fixture(scope="module")
def all_years() -> dict[int, Questionnaire]:
    return {y: load_questionnaire(QDIR / f"papi-{y}.yaml") for y in YEARS}


def _read_items(ind: Any) -> list[str]:
    if ind.kind == "share":
        return [ind.item]
    if ind.kind == "mean":
        return list(ind.items)
    return [c.item for c in ind.criteria]


def _subdims(q: Questionnaire) -> dict[str, Any]:
    return {s.code: s for s in q.structure.subdimensions}


def test_loads_by_name_and_path_with_id_year_version(papi: Questionnaire) -> None:
    assert papi.id == f"papi-{papi.year}"
    assert papi.version.startswith(str(papi.year))
    assert load_questionnaire(QDIR / f"{papi.id}.yaml") == papi


def test_structure_k_per_dimension(papi: Questionnaire) -> None:
    dims = papi.structure.dimensions
    assert [d.code for d in dims] == [f"D{i}" for i in range(1, 9)]
    assert tuple(len(d.subdimensions) for d in dims) == K[papi.year]
    assert len(papi.structure.subdimensions) == sum(K[papi.year])
    for d in dims:
        en, vi = DIMENSIONS[d.code]
        assert (d.name.en, d.name.vi) == (en, vi)
        assert all(s.code.startswith(f"SC{d.code[1]}") for s in d.subdimensions)


def test_indicator_counts(papi: Questionnaire) -> None:
    assert len(papi.indicators) >= 120
    for lang in ("vi", "en"):
        names = [getattr(i.name, lang) for i in papi.indicators]
        assert len(set(names)) == len(names), f"indicator names ({lang}) are not unique"
    for sub in papi.structure.subdimensions:
        assert 2 <= len(sub.indicators) <= 6, sub.code
        assert [i.code for i in sub.indicators] == [
            f"{sub.code}_{n:02d}" for n in range(1, len(sub.indicators) + 1)
        ]


def test_subdimension_codes_and_names_match_codebook(papi: Questionnaire) -> None:
    cb = codebook().set_index("subdimension")
    for dim in papi.structure.dimensions:
        for sub in dim.subdimensions:
            assert sub.code in cb.index
            assert sub.name.en == cb.loc[sub.code, "name"]
            assert cb.loc[sub.code, "dimension"] == dim.code


def test_every_label_is_bilingual(papi: Questionnaire) -> None:
    labels = [("title", papi.title)]
    for it in papi.items:
        labels.append((it.id, it.label))
        labels += [(f"{it.id}/{c.code}", c.label) for c in papi.choices_of(it)]
        if it.constraint_message is not None:
            labels.append((f"{it.id}/constraint", it.constraint_message))
    for name, choices in papi.choice_lists.items():
        labels += [(f"{name}/{c.code}", c.label) for c in choices]
    for dim in papi.structure.dimensions:
        labels.append((dim.code, dim.name))
        for sub in dim.subdimensions:
            labels.append((sub.code, sub.name))
            labels += [(ind.code, ind.name) for ind in sub.indicators]
    for where, label in labels:
        assert label.vi.strip() and label.en.strip(), where
    # Vietnamese is written with its diacritics, not in ASCII transliteration
    items_vi = [it.label.vi for it in papi.items]
    assert sum(not s.isascii() for s in items_vi) >= 0.95 * len(items_vi)


def test_demographics_and_location_block_comes_first(papi: Questionnaire) -> None:
    demo = ["sex", "age", "ethnicity", "education", "occupation", "urban", "province_code"]
    location = ["district", "commune", "village"]
    sections = [it.section for it in papi.items]
    n_demo = sections.index(next(s for s in sections if s != "demographics"))
    assert set(sections[n_demo:]).isdisjoint({"demographics"})
    first = {it.id for it in papi.items[:n_demo]}
    assert set(demo + location) <= first
    age = papi.item("age")
    assert (age.type, age.min, age.max) == ("integer", 18, 70)
    assert {papi.item(i).type for i in location} == {"text"}
    assert {c.code for c in papi.choices_of("sex")} == {1, 2}  # data-layout.md
    assert {c.code for c in papi.choices_of("urban")} == {0, 1}
    prov = [(c.code, c.label.en, c.label.vi) for c in papi.choices_of("province_code")]
    ref = provinces()
    expected = [
        (int(p[1:]), en, vi) for p, en, vi in zip(ref.province, ref.name, ref.name_vi, strict=True)
    ]
    assert prov == expected
    assert len(prov) == 63


def _scale(q: Questionnaire, item_id: str) -> tuple[float, float]:
    scale = q.item(item_id).scale
    assert scale is not None, item_id
    return (float(scale.min), float(scale.max))


def test_goalposts_are_the_theoretical_bounds(papi: Questionnaire) -> None:
    for ind in papi.indicators:
        if ind.kind == "share":
            bounds = (0.0, 1.0)
        elif ind.kind == "checklist":
            bounds = (0.0, float(len(ind.criteria or ())))
        else:
            scales = {_scale(papi, i) for i in ind.items or ()}
            assert len(scales) == 1, ind.code
            bounds = scales.pop()
        expected = bounds if ind.direction == "positive" else (bounds[1], bounds[0])
        assert tuple(ind.goalposts) == expected, ind.code


def test_all_kinds_types_and_negative_indicators_are_used(papi: Questionnaire) -> None:
    assert {i.kind for i in papi.indicators} == {"share", "mean", "checklist"}
    types = {it.type for it in papi.items}
    assert types == {
        "single_choice",
        "multiple_choice",
        "yes_no",
        "rating",
        "integer",
        "decimal",
        "text",
        "date",
    }
    negative = [i for i in papi.indicators if i.direction == "negative"]
    assert len(negative) >= 15
    assert {i.kind for i in negative} == {"share", "mean"}
    scales = {_scale(papi, it.id) for it in papi.items if it.type == "rating"}
    assert {(1.0, 4.0), (1.0, 5.0)} <= scales
    used_special = {name for it in papi.items for name in it.special}
    assert used_special == set(papi.special_codes) == {"dont_know", "refused", "not_applicable"}
    assert any(it.special for it in papi.items if it.type == "multiple_choice")


def test_eligibility_matches_skip_logic(papi: Questionnaire) -> None:
    """An indicator reading an item asked only of some respondents (a `relevant` condition)
    names those respondents as its denominator."""
    n_eligible = 0
    for ind in papi.indicators:
        relevant = {papi.item(i).relevant for i in _read_items(ind)}
        if relevant != {None}:
            assert ind.eligible is not None, ind.code
            if len(relevant) == 1:
                assert ind.eligible == relevant.pop(), ind.code
        n_eligible += ind.eligible is not None
    assert n_eligible >= 40


def test_denominators_are_at_most_one_screener_deep(papi: Questionnaire) -> None:
    """An indicator's eligibility and the skip logic of the items it reads refer only to items
    asked of everyone: one screening question at most, so a province sample of ~190 keeps a
    usable denominator (nested screeners left some indicators with no respondent at all)."""
    for ind in papi.indicators:
        conditions = {ind.eligible} | {papi.item(i).relevant for i in _read_items(ind)}
        for cond in conditions - {None}:
            for ref in referenced_items(papi.condition(str(cond))):
                assert papi.item(ref).relevant is None, (ind.code, ref)


def test_simulator_hints(papi: Questionnaire) -> None:
    read = {i for ind in papi.indicators for i in _read_items(ind)}
    for it in papi.items:
        assert set(it.meta) <= SIM_KEYS, it.id
        if it.id not in read and it.type != "date":
            assert it.meta, f"{it.id}: a non-indicator item carries a simulator hint"
        n = len(papi.choices_of(it))
        if "sim_p_yes" in it.meta:
            assert it.type == "yes_no" and 0 < it.meta["sim_p_yes"] < 1
        if "sim_probs" in it.meta:
            assert len(it.meta["sim_probs"]) == n
            assert sum(it.meta["sim_probs"]) == pytest.approx(1.0)
        if "sim_p_select" in it.meta:
            assert len(it.meta["sim_p_select"]) == n
    screening = [it for it in papi.items if "sim_p_yes" in it.meta]
    assert len(screening) >= 10


def test_published_sources_are_about_twenty(papi: Questionnaire) -> None:
    published = [i.code for i in papi.indicators if i.source == "published"]
    assert 15 <= len(published) <= 30
    header = (QDIR / f"{papi.id}.yaml").read_text(encoding="utf-8").split("\nid: ")[0]
    assert f"The {len(published)} indicators marked `source: published`" in header
    assert all(code in header for code in published)


def _answer(q: Questionnaire, it: Any, answers: dict[str, Any], *, high: bool) -> Any:
    codes = [c.code for c in q.choices_of(it)]
    if it.type == "yes_no":
        return 1 if high else 0
    if it.type in {"single_choice", "rating"}:
        return codes[-1] if high else codes[0]
    if it.type == "multiple_choice":
        return codes if high else [codes[0]]
    if it.type in {"integer", "decimal"}:
        value = it.max if high else it.min
        if it.constraint is not None:  # household_adults <= household_size
            value = min(value, answers["household_size"])
        return value
    if it.type == "date":
        return it.max or f"{q.year}-10-01"
    return f"P01-D01-{it.id}"


@pytest.mark.parametrize("high", [True, False], ids=["every-yes", "every-no"])
def test_walked_responses_validate(papi: Questionnaire, high: bool) -> None:
    """Walking the items in order, answering each relevant one, gives a valid response."""
    special = papi.special_code_values
    answers: dict[str, Any] = {}
    for it in papi.items:
        if it.relevant is None or evaluate(it.relevant, answers, special=special):
            answers[it.id] = _answer(papi, it, answers, high=high)
    assert validate_response(papi, answers) == []
    share_relevant = len(answers) / len(papi.items)
    assert share_relevant > (0.9 if high else 0.4)


def test_years_differ_exactly_as_published(all_years: dict[int, Questionnaire]) -> None:
    subs = {y: _subdims(q) for y, q in all_years.items()}
    assert set(subs[2019]) - set(subs[2021]) == {"SC52"}
    assert set(subs[2021]) <= set(subs[2019])
    assert set(subs[2019]) - set(subs[2018]) == {"SC83"}
    assert set(subs[2018]) <= set(subs[2019])
    for code, sub in subs[2019].items():
        for y in (2018, 2021):
            if code in subs[y]:
                assert subs[y][code] == sub, (code, y)
    items = {y: {it.id: it for it in q.items} for y, q in all_years.items()}
    assert {i[:4] for i in set(items[2019]) ^ set(items[2021])} == {"q52_"}
    assert {i[:4] for i in set(items[2019]) ^ set(items[2018])} == {"q83_"}
    for item_id, it in items[2019].items():
        if item_id != "interview_date" and item_id in items[2021]:
            assert items[2021][item_id] == it, item_id


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_papi", QDIR / "build_papi.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("year", YEARS)
def test_yaml_is_plain_without_anchors_or_aliases(year: int) -> None:
    text = (QDIR / f"papi-{year}.yaml").read_text(encoding="utf-8")
    events = list(yaml.parse(text, Loader=yaml.SafeLoader))
    assert not [e for e in events if isinstance(e, yaml.AliasEvent)]
    assert not [e for e in events if getattr(e, "anchor", None)]


def test_generator_reproduces_committed_yaml(tmp_path: Path) -> None:
    written = _generator().write_all(tmp_path)
    assert sorted(p.name for p in written) == [f"papi-{y}.yaml" for y in YEARS]
    for path in written:
        assert path.read_bytes() == (QDIR / path.name).read_bytes(), (
            f"{path.name} differs from the generator's output: "
            "run python fixtures/questionnaires/build_papi.py"
        )
